// SPDX-License-Identifier: GPL-2.0
/*
 * edna-top: a live view of edna accelerators, per device, queue and
 * process: utilisation, jobs/s, latency p50/p99, DMA MB/s per memory tier,
 * power state and watts.  It reads what is already there and runs nothing
 * on the device: the maps edna-probes pinned under /sys/fs/bpf/edna, the
 * clients' fdinfo (drm-usage-stats) and the device's hwmon.
 *
 *   edna-top [-d SECONDS]           ncurses view, refreshed every SECONDS;
 *                                   q or Ctrl-C quits
 *   edna-top --once [-d SECONDS]    one plain-text snapshot of rates over
 *                                   SECONDS, for scripts
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>
#include <linux/types.h>

#include <bpf/bpf.h>

#include "edna_probes.h"

#define MAX_DEVICES	64
#define MAX_QUEUES	512
#define MAX_PROCS	1024

struct dev_sample {
	unsigned int minor;
	bool probed;			/* in the devices map */
	struct edna_device_stats bpf;
	char power[16];			/* "-" when unknown */
	double watts;			/* < 0: no hwmon */
};

struct queue_sample {
	struct edna_queue_stats stats;	/* .lat_submit: submit to done */
};

struct proc_sample {
	unsigned int pid, minor;
	char comm[17];
	bool probed;			/* in the processes map */
	struct edna_proc_stats bpf;
	unsigned long long fdinfo_ns;	/* drm-engine-* of its files, summed */
	bool has_fdinfo;
};

struct sample {
	unsigned long long now_ns;	/* CLOCK_MONOTONIC, as bpf_ktime_get_ns() */
	unsigned long long attach_ns;
	bool probes;
	int ndev, nqueue, nproc;
	struct dev_sample dev[MAX_DEVICES];
	struct queue_sample queue[MAX_QUEUES];
	struct proc_sample proc[MAX_PROCS];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static unsigned long long mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	char *nl;

	if (!f)
		return -1;
	if (!fgets(buf, size, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return 0;
}

/* accel minors bound to the edna driver, in order. */
static void find_devices(struct sample *s)
{
	unsigned int minor;

	s->ndev = 0;
	for (minor = 0; minor < 256 && s->ndev < MAX_DEVICES; minor++) {
		char path[128], link[256];
		ssize_t len;

		snprintf(path, sizeof(path), "/sys/class/accel/accel%u/device/driver", minor);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		if (strcmp(strrchr(link, '/') + 1, "edna"))
			continue;
		memset(&s->dev[s->ndev], 0, sizeof(s->dev[0]));
		s->dev[s->ndev++].minor = minor;
	}
}

/* Power state and watts: sysfs and hwmon of the device, when it has them. */
static void read_power(struct dev_sample *d)
{
	static const char *const states[] = { "ACTIVE", "IDLE", "OFF" };
	char path[256], buf[64];
	struct dirent *e;
	DIR *dir;

	snprintf(d->power, sizeof(d->power), "-");
	d->watts = -1;
	snprintf(path, sizeof(path), "/sys/class/accel/accel%u/device/power_state", d->minor);
	if (!read_line(path, buf, sizeof(buf)) && buf[0]) {
		snprintf(d->power, sizeof(d->power), "%.15s", buf);
		for (char *c = d->power; *c; c++)
			*c = toupper((unsigned char)*c);
	} else if (d->probed && d->bpf.power_state < 3) {
		snprintf(d->power, sizeof(d->power), "%s", states[d->bpf.power_state]);
	}
	snprintf(path, sizeof(path), "/sys/class/accel/accel%u/device/hwmon", d->minor);
	dir = opendir(path);
	if (!dir)
		return;
	while ((e = readdir(dir))) {
		char file[600];

		if (strncmp(e->d_name, "hwmon", 5))
			continue;
		/* power1_average is in microwatts (Documentation/hwmon/sysfs-interface). */
		snprintf(file, sizeof(file), "%s/%s/power1_average", path, e->d_name);
		if (!read_line(file, buf, sizeof(buf)))
			d->watts = strtoull(buf, NULL, 10) / 1e6;
		break;
	}
	closedir(dir);
}

static int pinned_fd(const char *map)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", EDNA_PIN_DIR, map);
	return bpf_obj_get(path);
}

/* Every entry of a pinned map: @cb(key, value) for each; -errno when absent. */
static int map_walk(const char *name, size_t key_size, size_t value_size,
		    void (*cb)(struct sample *, const void *, const void *), struct sample *s)
{
	unsigned char key[64], next[64], value[1024];
	int fd = pinned_fd(name);
	void *prev = NULL;

	if (fd < 0)
		return -errno;
	if (key_size > sizeof(key) || value_size > sizeof(value)) {
		close(fd);
		return -EINVAL;
	}
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		if (!bpf_map_lookup_elem(fd, key, value))
			cb(s, key, value);
	}
	close(fd);
	return 0;
}

static void on_device(struct sample *s, const void *key, const void *value)
{
	const struct edna_device_stats *v = value;
	int i;

	(void)key;
	if (!v->active)
		return;
	for (i = 0; i < s->ndev; i++) {
		if (s->dev[i].minor == v->minor) {
			s->dev[i].probed = true;
			s->dev[i].bpf = *v;
		}
	}
}

static void on_queue(struct sample *s, const void *key, const void *value)
{
	const struct edna_queue_stats *v = value;

	(void)key;
	if (v->active && s->nqueue < MAX_QUEUES)
		s->queue[s->nqueue++].stats = *v;
}

static struct proc_sample *proc_of(struct sample *s, unsigned int pid, unsigned int minor)
{
	int i;

	for (i = 0; i < s->nproc; i++)
		if (s->proc[i].pid == pid && s->proc[i].minor == minor)
			return &s->proc[i];
	if (s->nproc == MAX_PROCS)
		return NULL;
	memset(&s->proc[s->nproc], 0, sizeof(s->proc[0]));
	s->proc[s->nproc].pid = pid;
	s->proc[s->nproc].minor = minor;
	return &s->proc[s->nproc++];
}

static void on_proc(struct sample *s, const void *key, const void *value)
{
	const struct edna_proc_key *k = key;
	struct proc_sample *p = proc_of(s, k->tgid, k->minor);

	if (!p)
		return;
	p->probed = true;
	memcpy(&p->bpf, value, sizeof(p->bpf));
	memcpy(p->comm, p->bpf.comm, sizeof(p->bpf.comm));
	p->comm[16] = '\0';
}

/* Busy time of one open edna file from its fdinfo; -1 when not an edna file. */
static long long fdinfo_busy(unsigned int pid, const char *fd)
{
	char path[320], line[256];
	long long sum = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/fdinfo/%s", pid, fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long ns;
		char driver[32];

		if (sscanf(line, "drm-driver: %31s", driver) == 1 && !strcmp(driver, "edna"))
			sum = 0;
		else if (sum >= 0 && !strncmp(line, "drm-engine-", 11) &&
			 sscanf(strchr(line, ':') + 1, "%llu", &ns) == 1)
			sum += ns;
	}
	fclose(f);
	return sum;
}

/* Every process's open edna files, by /dev/accel/accelN they opened. */
static void read_fdinfo(struct sample *s)
{
	DIR *proc = opendir("/proc");
	struct dirent *pe;

	if (!proc)
		return;
	while ((pe = readdir(proc))) {
		unsigned int pid = strtoul(pe->d_name, NULL, 10);
		char path[128];
		struct dirent *fe;
		DIR *fds;

		if (!pid || !isdigit((unsigned char)pe->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%u/fd", pid);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((fe = readdir(fds))) {
			char link[300], target[64];
			struct proc_sample *p;
			unsigned int minor;
			long long busy;
			ssize_t len;

			if (fe->d_name[0] == '.')
				continue;
			snprintf(link, sizeof(link), "/proc/%u/fd/%s", pid, fe->d_name);
			len = readlink(link, target, sizeof(target) - 1);
			if (len <= 0)
				continue;
			target[len] = '\0';
			if (sscanf(target, "/dev/accel/accel%u", &minor) != 1)
				continue;
			busy = fdinfo_busy(pid, fe->d_name);
			if (busy < 0)
				continue;
			p = proc_of(s, pid, minor);
			if (!p)
				continue;
			p->has_fdinfo = true;
			p->fdinfo_ns += busy;
			if (!p->comm[0]) {
				snprintf(path, sizeof(path), "/proc/%u/comm", pid);
				read_line(path, p->comm, sizeof(p->comm));
			}
		}
		closedir(fds);
	}
	closedir(proc);
}

static void take_sample(struct sample *s)
{
	struct edna_config cfg = {};
	__u32 zero = 0;
	int i, fd;

	find_devices(s);
	s->nqueue = 0;
	s->nproc = 0;
	fd = pinned_fd("settings");
	s->probes = fd >= 0 && !bpf_map_lookup_elem(fd, &zero, &cfg);
	if (fd >= 0)
		close(fd);
	s->attach_ns = cfg.attach_ns;
	if (s->probes) {
		map_walk("devices", sizeof(__u32), sizeof(struct edna_device_stats), on_device, s);
		map_walk("queues", sizeof(__u32), sizeof(struct edna_queue_stats), on_queue, s);
		map_walk("processes", sizeof(struct edna_proc_key), sizeof(struct edna_proc_stats),
			 on_proc, s);
	}
	read_fdinfo(s);
	for (i = 0; i < s->ndev; i++)
		read_power(&s->dev[i]);
	s->now_ns = mono_ns();
}

/* Busy time up to @now: the open interval counts when busy. */
static unsigned long long busy_at(const struct edna_busy *b, unsigned long long now)
{
	return b->busy_ns + (b->outstanding && now > b->since_ns ? now - b->since_ns : 0);
}

/* The @p quantile of the jobs added between two histograms, in us; < 0 when none. */
static double quantile_us(const struct edna_hist *a, const struct edna_hist *b, double p)
{
	unsigned long long total = b->count - a->count, seen = 0;
	int i;

	if (!total)
		return -1;
	for (i = 0; i < EDNA_HIST_SLOTS; i++) {
		unsigned long long n = b->slots[i] - a->slots[i];
		double lo = i ? (double)(1ull << i) : 0, hi = (double)(2ull << i);

		if (n && seen + n >= p * total)
			return lo + (hi - lo) * (p * total - seen) / n;
		seen += n;
	}
	return (double)(2ull << (EDNA_HIST_SLOTS - 1));
}

/* The same device, queue or process in the previous sample, or NULL. */
static const struct dev_sample *prev_dev(const struct sample *s, const struct dev_sample *d)
{
	int i;

	for (i = 0; i < s->ndev; i++)
		if (s->dev[i].minor == d->minor)
			return &s->dev[i];
	return NULL;
}

static const struct queue_sample *prev_queue(const struct sample *s, const struct queue_sample *q)
{
	int i;

	for (i = 0; i < s->nqueue; i++)
		if (s->queue[i].stats.minor == q->stats.minor &&
		    s->queue[i].stats.queue == q->stats.queue)
			return &s->queue[i];
	return NULL;
}

static const struct proc_sample *prev_proc(const struct sample *s, const struct proc_sample *p)
{
	int i;

	for (i = 0; i < s->nproc; i++)
		if (s->proc[i].pid == p->pid && s->proc[i].minor == p->minor)
			return &s->proc[i];
	return NULL;
}

/* Output: stdout for --once, the curses screen otherwise. */
struct out {
	bool curses;
	int row;
};

static void emit(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emit(struct out *o, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!o->curses) {
		puts(line);
		return;
	}
	if (o->row < LINES)
		mvaddnstr(o->row, 0, line, COLS);
	o->row++;
}

static void fmt_num(char *buf, size_t size, double v, const char *f)
{
	if (v < 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, f, v);
}

static void dma_rates(const struct edna_dma *a, const struct edna_dma *b, double secs,
		      double mbs[EDNA_TIERS])
{
	mbs[0] = (b->host_read + b->host_written - a->host_read - a->host_written) / secs / 1e6;
	mbs[1] = (b->dram_read + b->dram_written - a->dram_read - a->dram_written) / secs / 1e6;
	mbs[2] = (b->sram_read + b->sram_written - a->sram_read - a->sram_written) / secs / 1e6;
}

/* The columns every row has: rates over the interval, totals since attach. */
struct row {
	char util[16], jps[16], p50[16], p99[16], mbs[EDNA_TIERS][16], jobs[24], busy[24];
};

#define ROW_FMT		"%6s %8s %7s %7s %9s %9s %9s %8s %12s"
#define ROW_ARGS(r)	(r).util, (r).jps, (r).p50, (r).p99, (r).mbs[0], (r).mbs[1], \
			(r).mbs[2], (r).jobs, (r).busy
#define ROW_TITLES	"UTIL%", "JOBS/S", "P50_US", "P99_US", "HOST_MB/S", "DRAM_MB/S", \
			"SRAM_MB/S", "JOBS", "BUSY_US"

static void row_init(struct row *r)
{
	int t;

	memset(r, 0, sizeof(*r));
	snprintf(r->util, sizeof(r->util), "-");
	snprintf(r->jps, sizeof(r->jps), "-");
	snprintf(r->p50, sizeof(r->p50), "-");
	snprintf(r->p99, sizeof(r->p99), "-");
	for (t = 0; t < EDNA_TIERS; t++)
		snprintf(r->mbs[t], sizeof(r->mbs[t]), "-");
	snprintf(r->jobs, sizeof(r->jobs), "-");
	snprintf(r->busy, sizeof(r->busy), "-");
}

static void row_latency(struct row *r, const struct edna_hist *a, const struct edna_hist *b)
{
	fmt_num(r->p50, sizeof(r->p50), quantile_us(a, b, 0.5), "%.0f");
	fmt_num(r->p99, sizeof(r->p99), quantile_us(a, b, 0.99), "%.0f");
}

static void row_dma(struct row *r, const struct edna_dma *a, const struct edna_dma *b,
		    double secs)
{
	double mbs[EDNA_TIERS];
	int t;

	dma_rates(a, b, secs, mbs);
	for (t = 0; t < EDNA_TIERS; t++)
		fmt_num(r->mbs[t], sizeof(r->mbs[t]), mbs[t], "%.1f");
}

static void show(struct out *o, const struct sample *a, const struct sample *b)
{
	double secs = (b->now_ns - a->now_ns) / 1e9;
	struct edna_hist zero = {};
	struct row r;
	int i, k, t;

	if (secs <= 0)
		secs = 1e-9;
	if (b->probes)
		emit(o, "edna-top: probes attached %.1f s ago; rates over %.1f s%s",
		     (b->now_ns - b->attach_ns) / 1e9, secs, o->curses ? "; q quits" : "");
	else
		emit(o, "edna-top: probes not attached (edna-probes attaches them); rates over %.1f s",
		     secs);

	emit(o, "%s", "");
	emit(o, "%-10s %-7s %7s " ROW_FMT, "DEVICE", "POWER", "WATTS", ROW_TITLES);
	for (i = 0; i < b->ndev; i++) {
		const struct dev_sample *d = &b->dev[i], *pd = prev_dev(a, d);
		struct edna_hist ha = {}, hb = {};
		char watts[16];

		row_init(&r);
		fmt_num(watts, sizeof(watts), d->watts, "%.3f");
		if (d->probed && pd && pd->probed) {
			fmt_num(r.util, sizeof(r.util), 100.0 * (busy_at(&d->bpf.time, b->now_ns) -
				busy_at(&pd->bpf.time, a->now_ns)) / (secs * 1e9), "%.1f");
			fmt_num(r.jps, sizeof(r.jps), (d->bpf.done - pd->bpf.done) / secs, "%.1f");
			row_dma(&r, &pd->bpf.dma, &d->bpf.dma, secs);
		}
		if (d->probed) {
			snprintf(r.jobs, sizeof(r.jobs), "%llu", (unsigned long long)d->bpf.done);
			snprintf(r.busy, sizeof(r.busy), "%llu",
				 busy_at(&d->bpf.time, b->now_ns) / 1000);
		}
		/* The device's latency: its queues' histograms together. */
		for (k = 0; k < b->nqueue; k++) {
			const struct queue_sample *q = &b->queue[k], *pq = prev_queue(a, q);

			if (q->stats.minor != d->minor)
				continue;
			hb.count += q->stats.lat_submit.count;
			ha.count += pq ? pq->stats.lat_submit.count : 0;
			for (t = 0; t < EDNA_HIST_SLOTS; t++) {
				hb.slots[t] += q->stats.lat_submit.slots[t];
				ha.slots[t] += pq ? pq->stats.lat_submit.slots[t] : 0;
			}
		}
		row_latency(&r, &ha, &hb);
		emit(o, "accel%-5u %-7s %7s " ROW_FMT, d->minor, d->power, watts, ROW_ARGS(r));
	}

	emit(o, "%s", "");
	emit(o, "%-18s " ROW_FMT, "QUEUE", ROW_TITLES);
	for (k = 0; k < b->nqueue; k++) {
		const struct queue_sample *q = &b->queue[k], *pq = prev_queue(a, q);
		char name[32];

		row_init(&r);
		if (pq) {
			fmt_num(r.util, sizeof(r.util), 100.0 * (busy_at(&q->stats.time, b->now_ns) -
				busy_at(&pq->stats.time, a->now_ns)) / (secs * 1e9), "%.1f");
			fmt_num(r.jps, sizeof(r.jps), (q->stats.done - pq->stats.done) / secs, "%.1f");
		}
		row_latency(&r, pq ? &pq->stats.lat_submit : &zero, &q->stats.lat_submit);
		snprintf(r.jobs, sizeof(r.jobs), "%llu", (unsigned long long)q->stats.done);
		snprintf(r.busy, sizeof(r.busy), "%llu", busy_at(&q->stats.time, b->now_ns) / 1000);
		snprintf(name, sizeof(name), "accel%u.q%u", q->stats.minor, q->stats.queue);
		emit(o, "%-18s " ROW_FMT, name, ROW_ARGS(r));
	}

	/*
	 * Processes: utilisation and busy time from fdinfo, as other DRM top
	 * tools show them; jobs, latency and DMA from the probes.
	 */
	emit(o, "%s", "");
	emit(o, "%-7s %-16s %-8s " ROW_FMT, "PID", "COMM", "DEVICE", ROW_TITLES);
	for (k = 0; k < b->nproc; k++) {
		const struct proc_sample *p = &b->proc[k], *pp = prev_proc(a, p);
		char comm[17], dev[16];

		row_init(&r);
		if (p->has_fdinfo) {
			snprintf(r.busy, sizeof(r.busy), "%llu", p->fdinfo_ns / 1000);
			if (pp && pp->has_fdinfo && p->fdinfo_ns >= pp->fdinfo_ns)
				fmt_num(r.util, sizeof(r.util),
					100.0 * (p->fdinfo_ns - pp->fdinfo_ns) / (secs * 1e9), "%.1f");
		}
		if (p->probed) {
			snprintf(r.jobs, sizeof(r.jobs), "%llu", (unsigned long long)p->bpf.done);
			if (pp && pp->probed) {
				fmt_num(r.jps, sizeof(r.jps), (p->bpf.done - pp->bpf.done) / secs,
					"%.1f");
				row_dma(&r, &pp->bpf.dma, &p->bpf.dma, secs);
				row_latency(&r, &pp->bpf.latency, &p->bpf.latency);
			}
		}
		/* One word, for scripts that split on blanks. */
		snprintf(comm, sizeof(comm), "%s", p->comm[0] ? p->comm : "-");
		for (t = 0; comm[t]; t++)
			if (isspace((unsigned char)comm[t]))
				comm[t] = '_';
		snprintf(dev, sizeof(dev), "accel%u", p->minor);
		emit(o, "%-7u %-16s %-8s " ROW_FMT, p->pid, comm, dev, ROW_ARGS(r));
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: edna-top [--once] [-d SECONDS]\n"
		"  --once      print one snapshot (rates over SECONDS) and exit\n"
		"  -d SECONDS  refresh interval (default 1)\n"
		"  keys: q quits\n");
	exit(1);
}

static int run_curses(struct sample *a, struct sample *b, double interval)
{
	struct out o = { .curses = true };

	if (!initscr()) {
		fprintf(stderr, "edna-top: cannot start the terminal (TERM unset?); --once prints text\n");
		return 1;
	}
	cbreak();
	noecho();
	curs_set(0);
	timeout((int)(interval * 1000));
	take_sample(a);
	while (!stop) {
		struct sample *t;
		int ch = getch();

		if (ch == 'q' || ch == 'Q')
			break;
		if (stop)
			break;
		take_sample(b);
		erase();
		o.row = 0;
		show(&o, a, b);
		refresh();
		t = a;
		a = b;
		b = t;
	}
	endwin();
	return 0;
}

int main(int argc, char **argv)
{
	struct sample *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct sigaction sa = { .sa_handler = on_signal };
	double interval = 1;
	bool once = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--once")) {
			once = true;
		} else if (!strcmp(argv[i], "-d") && i + 1 < argc) {
			char *end;

			interval = strtod(argv[++i], &end);
			if (*end || !(interval >= 0.05 && interval <= 3600))
				usage();
		} else {
			usage();
		}
	}
	if (!a || !b)
		return 1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (once) {
		struct out o = { .curses = false };
		struct timespec ts = { .tv_sec = (time_t)interval,
				       .tv_nsec = (long)((interval - (time_t)interval) * 1e9) };

		take_sample(a);
		nanosleep(&ts, NULL);
		take_sample(b);
		show(&o, a, b);
		return 0;
	}
	return run_curses(a, b, interval);
}
