/* Running: BEGIN, attach, the event loop until Ctrl-C, SIGTERM, SIGHUP,
 * exit() or the end of the -c command, then detach, END and the maps. */
#ifndef AWL_RUN_H
#define AWL_RUN_H

#include <stdio.h>
#include <signal.h>
#include <sys/types.h>
#include "awl/unit.h"

struct child {
	pid_t pid;		/* 0: no -c command */
	int go_fd;		/* written when every probe is attached */
	int exec_fd;		/* the child's exec error, or EOF on success */
	bool exited;
	int status;
	sigset_t child_mask;	/* the signal mask the command starts with */
};

struct run_opts {
	FILE *out;
	bool quiet;		/* -q: no "Attaching" line */
	bool keep_going;	/* -k: lost events are only reported */
	struct child *child;
	pid_t pid;		/* -p: stop when this process is gone */
};

/* Forks the -c command, held until child_release(). 0 or -1. */
int child_spawn(struct child *c, const char *cmd);
/* Starts it; -1 (after a message) if it could not be executed. */
int child_release(struct child *c);
/* SIGTERM to a child still running, and reaps it. */
void child_stop(struct child *c);

/* Blocks the signals that stop awl; the event loop takes them from a
 * signalfd. Called before loading so none is lost or fatal meanwhile. */
void block_stop_signals(sigset_t *mask);

/* Returns the exit status of awl. */
int run_unit(struct unit *u, const struct run_opts *ro);

#endif
