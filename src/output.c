/* Reading records out of the BPF ring buffer or the per-CPU perf buffers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "awl/output.h"
#include "awl/sys.h"

struct perf_cpu {
	int fd;
	void *base;		/* the control page, then the data pages */
	unsigned long tail;	/* data_tail when the pass began */
	unsigned long scanned;	/* bytes past tail read in this pass */
	unsigned long done;	/* bytes past tail handed out (or skipped) */
	/* LOST records before this position were counted already: after an
	 * early stop they stay in the buffer and are read again. */
	unsigned long counted;
	char *copy;		/* a record that wraps, made contiguous */
	size_t copy_cap;
};

/* A perf sample waiting to be handed out in timestamp order. */
struct record {
	uint64_t ts;
	const void *data;
	uint32_t size;
	int cpu;		/* index into output.cpus */
	int seq;		/* collection order, to make qsort stable */
	unsigned long end;	/* bytes past the CPU's tail, this one included */
};

struct output {
	size_t page_size;
	uint64_t lost;
	/* Ring buffer: cpus == NULL. */
	int map_fd;
	uint32_t size;
	unsigned long *consumer;
	void *producer;		/* producer page, then the data mapped twice */
	/* Perf buffers. */
	struct perf_cpu *cpus;
	int ncpus;
	size_t data_size;
	struct record *recs;
	int nrecs, recs_cap;
};

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static struct output *output_new(int map_fd)
{
	struct output *o = xcalloc(1, sizeof(*o));

	o->map_fd = map_fd;
	o->page_size = (size_t)sysconf(_SC_PAGESIZE);
	return o;
}

/* Closes o and returns NULL with errno = err (a positive error). */
static struct output *open_failed(struct output *o, int err)
{
	output_close(o);
	errno = err;
	return NULL;
}

struct output *output_ringbuf_open(int map_fd, uint32_t size)
{
	struct output *o = output_new(map_fd);
	void *p;

	/* The bound keeps the doubled mapping's length from wrapping on
	 * 32-bit targets. */
	if (!is_pow2(size) || size % o->page_size || size > (SIZE_MAX - o->page_size) / 2)
		return open_failed(o, EINVAL);
	o->size = size;
	p = mmap(NULL, o->page_size, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED)
		return open_failed(o, errno);
	o->consumer = p;
	/* The kernel maps the data twice in a row, so a record that wraps
	 * around the end can still be read in one piece. */
	p = mmap(NULL, o->page_size + 2 * (size_t)size, PROT_READ, MAP_SHARED, map_fd,
		 (off_t)o->page_size);
	if (p == MAP_FAILED)
		return open_failed(o, errno);
	o->producer = p;
	return o;
}

static int perf_open_cpu(struct output *o, struct perf_cpu *c, int cpu)
{
	struct perf_event_attr attr;
	uint32_t key = (uint32_t)cpu, value;
	int fd, err;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	attr.sample_type = PERF_SAMPLE_RAW;
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	fd = sys_perf_event_open(&attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -fd;
	c->fd = fd;
	c->base = mmap(NULL, o->page_size + o->data_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, 0);
	if (c->base == MAP_FAILED) {
		c->base = NULL;
		return errno;
	}
	value = (uint32_t)fd;
	err = bpf_map_update(o->map_fd, &key, &value, BPF_ANY);
	if (err < 0)
		return -err;
	if (ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) < 0)
		return errno;
	return 0;
}

struct output *output_perf_open(int map_fd, uint32_t pages)
{
	struct output *o = output_new(map_fd);
	int max = cpus_possible(), *online, n, err = 0;

	if (!is_pow2(pages) || pages > SIZE_MAX / o->page_size - 1)
		return open_failed(o, EINVAL);
	o->data_size = (size_t)pages * o->page_size;
	online = xcalloc((size_t)max, sizeof(*online));
	n = cpus_online(online, max);
	o->cpus = xcalloc((size_t)n, sizeof(*o->cpus));
	for (int i = 0; i < n; i++)
		o->cpus[i].fd = -1;
	/* ncpus counts the ones opened (even half-way) for output_close. */
	for (int i = 0; i < n && !err; i++) {
		o->ncpus = i + 1;
		err = perf_open_cpu(o, &o->cpus[i], online[i]);
	}
	free(online);
	return err ? open_failed(o, err) : o;
}

int output_add_to_epoll(struct output *o, int epfd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = o };

	if (!o->cpus)
		return epoll_ctl(epfd, EPOLL_CTL_ADD, o->map_fd, &ev) < 0 ? -errno : 0;
	for (int i = 0; i < o->ncpus; i++)
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, o->cpus[i].fd, &ev) < 0)
			return -errno;
	return 0;
}

static int ringbuf_consume(struct output *o, output_fn fn, void *arg)
{
	const char *data = (const char *)o->producer + o->page_size;
	unsigned long *prod_pos = o->producer;
	unsigned long cons = *o->consumer;	/* the kernel only reads it */
	unsigned long prod = __atomic_load_n(prod_pos, __ATOMIC_ACQUIRE);
	int n = 0;

	/* Positions the kernel could not have produced (the consumer page
	 * is writable by anyone who maps it): start afresh at the producer's
	 * rather than loop over garbage. */
	if (prod - cons > o->size || cons % 8) {
		__atomic_store_n(o->consumer, prod, __ATOMIC_RELEASE);
		return 0;
	}
	while (prod - cons >= BPF_RINGBUF_HDR_SZ) {
		const uint32_t *hdr = (const void *)(data + (cons & (o->size - 1)));
		/* Acquire pairs with the producer's commit of this record. */
		uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
		uint32_t size = len & ~(uint32_t)(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
		unsigned long total = ALIGN_UP((unsigned long)size + BPF_RINGBUF_HDR_SZ, 8);
		int stop = 0;

		if (len & BPF_RINGBUF_BUSY_BIT)
			break;
		/* A record never extends past what the producer reserved; if
		 * this one does the ring is corrupt, and nothing after it can
		 * be trusted. */
		if (total > prod - cons) {
			__atomic_store_n(o->consumer, prod, __ATOMIC_RELEASE);
			break;
		}
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			n++;
			stop = fn(arg, (const char *)hdr + BPF_RINGBUF_HDR_SZ, size);
		}
		cons += total;
		/* Only now may the kernel reuse the space fn was reading. */
		__atomic_store_n(o->consumer, cons, __ATOMIC_RELEASE);
		/* Records after this one stay in the ring for the next call. */
		if (stop)
			return -1;
	}
	return n;
}

/* The kernel's head is an unsigned long written as a u64 whose top half
 * is 0 on 32-bit targets, where an 8-byte atomic may need libatomic: a
 * plain read and a fence is enough there (the kernel's tools do this). */
static unsigned long perf_load_head(const struct perf_event_mmap_page *pg)
{
#if __SIZEOF_LONG__ >= 8
	return (unsigned long)__atomic_load_n(&pg->data_head, __ATOMIC_ACQUIRE);
#else
	unsigned long head = (unsigned long)*(const volatile __u64 *)&pg->data_head;

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return head;
#endif
}

static void perf_store_tail(struct perf_event_mmap_page *pg, unsigned long tail)
{
#if __SIZEOF_LONG__ >= 8
	__atomic_store_n(&pg->data_tail, (__u64)tail, __ATOMIC_RELEASE);
#else
	__atomic_thread_fence(__ATOMIC_RELEASE);
	*(volatile __u64 *)&pg->data_tail = tail;
#endif
}

/* Copies len bytes (at most the data size) from ring position pos. */
static void perf_read(const struct output *o, const struct perf_cpu *c, unsigned long pos,
		      void *dst, size_t len)
{
	const char *data = (const char *)c->base + o->page_size;
	size_t off = pos & (o->data_size - 1), first = MIN(len, o->data_size - off);

	memcpy(dst, data + off, first);
	memcpy((char *)dst + first, data, len - first);
}

/* Queues the sample of hsize bytes at offset off past the CPU's tail. */
static void perf_add_sample(struct output *o, int i, unsigned long off, uint32_t hsize)
{
	struct perf_cpu *c = &o->cpus[i];
	unsigned long pos = c->tail + off;
	size_t start = pos & (o->data_size - 1);
	const char *rec = (const char *)c->base + o->page_size + start;
	struct record r = { .cpu = i, .seq = o->nrecs, .end = off + hsize };
	uint32_t size;

	if (hsize < sizeof(struct perf_event_header) + sizeof(size))
		return;
	/* Wrapping happens at most once per pass (a pass reads at most
	 * data_size bytes), so one copy buffer per CPU suffices. */
	if (start + hsize > o->data_size) {
		if (c->copy_cap < hsize) {
			c->copy = xrealloc(c->copy, hsize);
			c->copy_cap = hsize;
		}
		perf_read(o, c, pos, c->copy, hsize);
		rec = c->copy;
	}
	memcpy(&size, rec + sizeof(struct perf_event_header), sizeof(size));
	if (size > hsize - sizeof(struct perf_event_header) - sizeof(size))
		return;
	r.data = rec + sizeof(struct perf_event_header) + sizeof(size);
	r.size = size;
	if (size >= 2 * sizeof(uint64_t))
		memcpy(&r.ts, (const char *)r.data + sizeof(uint64_t), sizeof(r.ts));
	VEC_PUSH(o->recs, o->nrecs, o->recs_cap, r);
}

/* Queues the CPU's samples and counts its LOST records. */
static void perf_scan(struct output *o, int i)
{
	struct perf_cpu *c = &o->cpus[i];
	struct perf_event_mmap_page *pg = c->base;
	unsigned long avail, off = 0, counted;

	c->tail = (unsigned long)pg->data_tail;	/* the kernel only reads it */
	avail = perf_load_head(pg) - c->tail;
	counted = c->counted - c->tail;
	c->done = 0;
	/* Never happens unless the page is corrupt: drop it all. */
	if (avail > o->data_size)
		off = avail;
	if (counted > avail)
		counted = 0;
	while (off < avail) {
		struct perf_event_header h;

		if (avail - off < sizeof(h)) {
			off = avail;
			break;
		}
		perf_read(o, c, c->tail + off, &h, sizeof(h));
		if (h.size < sizeof(h) || h.size > avail - off) {
			off = avail;
			break;
		}
		if (h.type == PERF_RECORD_SAMPLE) {
			perf_add_sample(o, i, off, h.size);
		} else if (h.type == PERF_RECORD_LOST && off >= counted &&
			   h.size >= sizeof(h) + 2 * sizeof(uint64_t)) {
			uint64_t lost[2];	/* id, lost */

			perf_read(o, c, c->tail + off + sizeof(h), lost, sizeof(lost));
			o->lost += lost[1];
		}
		off += h.size;
	}
	c->scanned = off;
	c->counted = c->tail + off;
}

static int record_cmp(const void *a, const void *b)
{
	const struct record *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int perf_consume(struct output *o, output_fn fn, void *arg)
{
	int n = 0, stop = 0;

	o->nrecs = 0;
	for (int i = 0; i < o->ncpus; i++)
		perf_scan(o, i);
	if (o->nrecs > 1)
		qsort(o->recs, (size_t)o->nrecs, sizeof(*o->recs), record_cmp);
	while (n < o->nrecs && !stop) {
		struct record *r = &o->recs[n++];
		struct perf_cpu *c = &o->cpus[r->cpu];

		stop = fn(arg, r->data, r->size);
		c->done = MAX(c->done, r->end);
	}
	/* On a stop, each CPU's buffer is freed up to its last record handed
	 * out: a record of that CPU queued before it but not handed out
	 * (its timestamp was later) is dropped, the ones after it are kept
	 * for the next call. */
	for (int i = 0; i < o->ncpus; i++) {
		struct perf_cpu *c = &o->cpus[i];

		perf_store_tail(c->base, c->tail + (stop ? c->done : c->scanned));
	}
	return stop ? -1 : n;
}

int output_consume(struct output *o, output_fn fn, void *arg)
{
	return o->cpus ? perf_consume(o, fn, arg) : ringbuf_consume(o, fn, arg);
}

uint64_t output_lost(const struct output *o)
{
	return o->lost;
}

void output_close(struct output *o)
{
	if (!o)
		return;
	if (o->consumer)
		munmap(o->consumer, o->page_size);
	if (o->producer)
		munmap(o->producer, o->page_size + 2 * (size_t)o->size);
	for (int i = 0; i < o->ncpus; i++) {
		struct perf_cpu *c = &o->cpus[i];

		if (c->base)
			munmap(c->base, o->page_size + o->data_size);
		if (c->fd >= 0)
			close(c->fd);
		free(c->copy);
	}
	free(o->cpus);
	free(o->recs);
	free(o);
}
