#!/usr/bin/perl
# Prints the awl scripts found in shell, markdown, roff and plain files,
# each followed by a NUL byte (seeds.sh makes the compile corpus of them).
#   extract-scripts.pl [--lines] FILE...
# Shell (and the code of markdown and roff files) is read like a shell:
# the words in single quotes, double quotes and here-documents are the
# candidates. One with braces is a script; one without but with a ';'
# or a call is a list of statements, which printf.bats-style helpers
# wrap in BEGIN { }. --lines: every non-empty line of the files is a
# script (tests/cross/scripts.txt); TARGET becomes /bin/true.
use strict;
use warnings;

my $lines_mode = 0;
if (@ARGV && $ARGV[0] eq '--lines') {
	$lines_mode = 1;
	shift;
}

my %seen;
sub emit {
	my ($s) = @_;
	return if $s =~ /^\s*$/ || length($s) > 65536 || $seen{$s}++;
	print $s, "\0";
}

sub candidate {
	my ($s) = @_;
	if ($s =~ /\{/ && $s =~ /\}/) {
		emit($s);
	} elsif ($s =~ /;|\w\(/ && $s !~ /^\s*-/ && length($s) < 4000) {
		emit("BEGIN { $s }");
	} elsif ($s =~ /^(?:[a-z]+:|BEGIN|END)/ && $s !~ /\s/) {
		emit("$s { \@ = count(); }");	# a bare probe, as -l takes
	}
}

# The quoted words and here-documents of shell text.
sub shell_words {
	my ($text) = @_;
	my $i = 0;
	my $n = length($text);
	my $at_word_start = 1;
	while ($i < $n) {
		my $c = substr($text, $i, 1);
		if ($c eq '#' && $at_word_start) {
			my $eol = index($text, "\n", $i);
			$i = $eol < 0 ? $n : $eol;
			next;
		}
		if ($c eq '\\') {
			$i += 2;
			$at_word_start = 0;
			next;
		}
		if ($c eq "'") {
			my $end = index($text, "'", $i + 1);
			last if $end < 0;
			candidate(substr($text, $i + 1, $end - $i - 1));
			$i = $end + 1;
			$at_word_start = 0;
			next;
		}
		if ($c eq '"') {
			my $s = '';
			$i++;
			while ($i < $n && substr($text, $i, 1) ne '"') {
				my $d = substr($text, $i, 1);
				if ($d eq '\\' && $i + 1 < $n && substr($text, $i + 1, 1) =~ /[\$`"\\\n]/) {
					$s .= substr($text, $i + 1, 1);
					$i += 2;
					next;
				}
				$s .= $d;
				$i++;
			}
			$i++;
			candidate($s);
			$at_word_start = 0;
			next;
		}
		if (substr($text, $i) =~ /^<<(-?)\s*(['"]?)(\w+)\2/) {
			my ($strip, $word) = ($1, $3);
			my $eol = index($text, "\n", $i);
			last if $eol < 0;
			my $rest = substr($text, $eol + 1);
			if ($rest =~ /^(.*?)^\t*\Q$word\E$/ms) {
				my $body = $1;
				$body =~ s/^\t+//mg if $strip;
				candidate($body);
				$i = $eol + 1 + length($&);
			} else {
				$i = $eol + 1;
			}
			$at_word_start = 1;
			next;
		}
		$at_word_start = $c =~ /[\s;|&(){}]/;
		$i++;
	}
}

for my $file (@ARGV) {
	open(my $fh, '<', $file) or die "$file: $!\n";
	local $/;
	my $text = <$fh>;
	close($fh);
	if ($lines_mode) {
		for my $line (split /\n/, $text) {
			$line =~ s/TARGET/\/bin\/true/g;
			emit($line);
		}
	} elsif ($file =~ /\.md$/) {
		# indented and fenced code blocks are shell
		my $code = '';
		my $fenced = 0;
		for my $line (split /\n/, $text) {
			if ($line =~ /^```/) {
				$fenced = !$fenced;
				next;
			}
			$code .= "$line\n" if $fenced || $line =~ /^(    |\t)/;
		}
		shell_words($code);
	} elsif ($file =~ /\.[0-9]$/) {
		# roff: the example blocks and the lines running awl, unescaped
		my $code = '';
		my $ex = 0;
		for my $line (split /\n/, $text) {
			if ($line =~ /^\.(EX|nf)\b/) { $ex = 1; next; }
			if ($line =~ /^\.(EE|fi)\b/) { $ex = 0; next; }
			next unless $ex || $line =~ /^awl\b/;
			$line =~ s/\\f[BIRP]//g;
			$line =~ s/\\\(aq/'/g;
			$line =~ s/\\\(dq/"/g;
			$line =~ s/\\-/-/g;
			$line =~ s/\\e/\\/g;
			$line =~ s/\\\\/\\/g;
			$line =~ s/\\&//g;
			$code .= "$line\n";
		}
		shell_words($code);
	} else {
		shell_words($text);
	}
}
