#!/usr/bin/perl
# Cuts a BTF blob (the kernel's, megabytes) down to a seed of a few tens
# of KB for the btf fuzz target: the functions whose names match REGEX
# (at most MAX of them), the types their prototypes reach, and only the
# strings those name. Structs and unions keep their size but lose their
# members (which would pull in most of the kernel). Host byte order.
#   btf-reduce.pl REGEX MAX < vmlinux.btf > seed.btf
use strict;
use warnings;

my ($regex, $max) = @ARGV;
$max ||= 200;
binmode(STDIN);
binmode(STDOUT);
local $/;
my $blob = <STDIN>;

my ($magic, $version, $flags, $hdr_len, $type_off, $type_len, $str_off, $str_len) =
	unpack("S C C L L L L L", $blob);
die "not BTF\n" unless $magic == 0xeb9f;
my $types = substr($blob, $hdr_len + $type_off, $type_len);
my $strs = substr($blob, $hdr_len + $str_off, $str_len);

# bytes after the 12-byte header of each kind: fixed, per vlen record
my %fixed = (1 => 4, 3 => 12, 14 => 4, 17 => 4);
my %per_vlen = (4 => 12, 5 => 12, 6 => 8, 13 => 8, 15 => 12, 19 => 12);

my @rec = (undef);	# id 0: void
my $off = 0;
while ($off + 12 <= length($types)) {
	my ($name_off, $info, $st) = unpack("L L L", substr($types, $off, 12));
	my $kind = ($info >> 24) & 0x1f;
	my $vlen = $info & 0xffff;
	my $size = 12 + ($fixed{$kind} || 0) + $vlen * ($per_vlen{$kind} || 0);
	push @rec, { off => $off, kind => $kind, vlen => $vlen, info => $info,
		     name_off => $name_off, st => $st, size => $size };
	$off += $size;
}

sub str_at { my ($o) = @_; my $e = index($strs, "\0", $o); return substr($strs, $o, $e - $o); }

# the type ids a record refers to (struct and union members dropped)
sub refs {
	my ($r) = @_;
	my $k = $r->{kind};
	my $body = substr($types, $r->{off} + 12, $r->{size} - 12);
	return ($r->{st}) if grep { $k == $_ } (2, 8, 9, 10, 11, 12, 14, 17, 18);
	return (unpack("L L", $body)) if $k == 3;
	if ($k == 13) {
		my @ids = ($r->{st});
		for my $i (0 .. $r->{vlen} - 1) {
			push @ids, unpack("L", substr($body, $i * 8 + 4, 4));
		}
		return @ids;
	}
	return ();
}

my %keep;
my @work;
my $roots = 0;
for my $id (1 .. $#rec) {
	my $r = $rec[$id];
	next unless $r->{kind} == 12 && str_at($r->{name_off}) =~ /$regex/;
	push @work, $id;
	last if ++$roots >= $max;
}
while (@work) {
	my $id = pop @work;
	next if !$id || $id > $#rec || $keep{$id}++;
	push @work, refs($rec[$id]);
}

my @ids = sort { $a <=> $b } keys %keep;
my %new_id;
$new_id{$ids[$_]} = $_ + 1 for 0 .. $#ids;
my $nstrs = "\0";
my %str_off = ("" => 0);
sub new_str {
	my ($o) = @_;
	my $s = str_at($o);
	unless (exists $str_off{$s}) {
		$str_off{$s} = length($nstrs);
		$nstrs .= "$s\0";
	}
	return $str_off{$s};
}
sub new_ref { my ($id) = @_; return $id && $new_id{$id} ? $new_id{$id} : 0; }

my $ntypes = '';
for my $id (@ids) {
	my $r = $rec[$id];
	my $k = $r->{kind};
	my $body = substr($types, $r->{off} + 12, $r->{size} - 12);
	my $info = $r->{info};
	my $st = $r->{st};
	if ($k == 4 || $k == 5) {		# members dropped
		$info &= ~0xffff;
		$body = '';
	} elsif ($k == 3) {
		my ($elem, $index, $n) = unpack("L L L", $body);
		$body = pack("L L L", new_ref($elem), new_ref($index), $n);
	} elsif ($k == 13) {
		my $nb = '';
		for my $i (0 .. $r->{vlen} - 1) {
			my ($pn, $pt) = unpack("L L", substr($body, $i * 8, 8));
			$nb .= pack("L L", $pn ? new_str($pn) : 0, new_ref($pt));
		}
		$body = $nb;
		$st = new_ref($st);
	} elsif ($k == 6 || $k == 19) {	# enum values keep their names
		my $per = $per_vlen{$k};
		my $nb = '';
		for my $i (0 .. $r->{vlen} - 1) {
			my $item = substr($body, $i * $per, $per);
			my $vn = unpack("L", $item);
			$nb .= pack("L", new_str($vn)) . substr($item, 4);
		}
		$body = $nb;
	} elsif (grep { $k == $_ } (2, 8, 9, 10, 11, 12, 14, 17, 18)) {
		$st = new_ref($st);
	}
	$ntypes .= pack("L L L", new_str($r->{name_off}), $info, $st) . $body;
}
print pack("S C C L L L L L", 0xeb9f, 1, 0, 24, 0, length($ntypes), length($ntypes), length($nstrs)),
	$ntypes, $nstrs;
