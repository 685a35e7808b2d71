/* Per-event output from the kernel: the BPF ring buffer (5.8+) or, where
 * the kernel lacks it, one perf buffer per CPU. Every record starts with
 * a u64 event id and a u64 timestamp (ns, CLOCK_MONOTONIC); the perf
 * consumer uses the timestamp to hand out records of different CPUs in
 * the order they happened. */
#ifndef AWL_OUTPUT_H
#define AWL_OUTPUT_H

#include "awl/util.h"

struct output;

/* Maps a BPF_MAP_TYPE_RINGBUF of `size` bytes (a power of 2 pages). */
struct output *output_ringbuf_open(int map_fd, uint32_t size);
/* Opens a PERF_COUNT_SW_BPF_OUTPUT event on every online CPU with
 * `pages` data pages (a power of 2) each, and stores each event's fd in
 * the BPF_MAP_TYPE_PERF_EVENT_ARRAY map at the CPU's index. */
struct output *output_perf_open(int map_fd, uint32_t pages);
/* Adds the fds that become readable when records arrive (EPOLLIN). */
int output_add_to_epoll(struct output *o, int epfd);
/* Called for each record; returns non-zero to stop consuming. */
typedef int (*output_fn)(void *arg, const void *data, uint32_t size);
/* Hands every available record to fn, in order; returns the number
 * handed out, or stops early (returning -1) when fn asks to. */
int output_consume(struct output *o, output_fn fn, void *arg);
/* Records the kernel dropped because the buffer was full (perf LOST
 * records; the ring buffer's are counted by the programs themselves). */
uint64_t output_lost(const struct output *o);
void output_close(struct output *o);

#endif
