// SPDX-License-Identifier: GPL-2.0
/*
 * edna-probes: load the edna BPF probes, attach them to the driver's
 * tracepoints, pin their maps, programs and links under /sys/fs/bpf/edna
 * and exit: the pins keep them running with nothing of ours left.  Read
 * them with bpftool or edna-top; "edna-probes --detach" removes them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>
#include <linux/bpf.h>
#include <linux/magic.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "edna_probes.h"
#include "edna_probes.skel.h"

#define BPFFS		"/sys/fs/bpf"

static void die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("edna-probes: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(code);
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* libbpf's own messages only with -v: ours say what went wrong. */
static int verbose(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int path_join(char *buf, size_t size, const char *prefix, const char *name)
{
	int n = snprintf(buf, size, "%s/%s%s", EDNA_PIN_DIR, prefix, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Remove every pin under EDNA_PIN_DIR, then the directory. */
static int unpin_all(void)
{
	DIR *dir = opendir(EDNA_PIN_DIR);
	struct dirent *de;
	int ret = 0;

	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		char path[256];

		if (de->d_name[0] == '.')
			continue;
		if (path_join(path, sizeof(path), "", de->d_name) || unlink(path))
			ret = -errno;
	}
	closedir(dir);
	if (rmdir(EDNA_PIN_DIR))
		ret = -errno;
	return ret;
}

/* The checks an operator needs a sentence for, before libbpf's errors. */
static void check_environment(void)
{
	struct statfs fs;
	struct stat st;

	if (geteuid() != 0)
		die(1, "must run as root: loading BPF programs needs CAP_BPF and CAP_PERFMON");
	if (statfs(BPFFS, &fs) || fs.f_type != BPF_FS_MAGIC)
		die(1, "no BPF filesystem at %s: the kernel lacks BPF support, or mount it with 'mount -t bpf bpf %s'",
		    BPFFS, BPFFS);
	if (syscall(__NR_bpf, -1, NULL, 0) < 0 && errno == ENOSYS)
		die(4, "the kernel has no bpf() system call (CONFIG_BPF_SYSCALL)");
	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_RAW_TRACEPOINT, NULL) != 1)
		die(4, "the kernel cannot run BPF programs on tracepoints (CONFIG_BPF_EVENTS)");
	if (stat("/sys/module/edna", &st))
		die(1, "the edna module is not loaded: modprobe edna first");
	if (!stat(EDNA_PIN_DIR, &st))
		die(2, "probes already attached (%s exists); 'edna-probes --detach' removes them",
		    EDNA_PIN_DIR);
}

static int pin_everything(struct edna_probes *skel)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	char path[256];
	int ret;

	bpf_object__for_each_map(map, skel->obj) {
		/* The programs' constants: nothing to read there. */
		if (bpf_map__is_internal(map))
			continue;
		ret = path_join(path, sizeof(path), "", bpf_map__name(map));
		if (!ret)
			ret = bpf_map__pin(map, path);
		if (ret)
			return ret;
	}
	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_link *link;

		ret = path_join(path, sizeof(path), "prog_", bpf_program__name(prog));
		if (!ret)
			ret = bpf_program__pin(prog, path);
		if (ret)
			return ret;
		link = bpf_program__attach(prog);
		if (!link) {
			ret = -errno;
			fprintf(stderr, "edna-probes: cannot attach %s: %s\n",
				bpf_program__name(prog), strerror(-ret));
			return ret;
		}
		ret = path_join(path, sizeof(path), "link_", bpf_program__name(prog));
		if (!ret)
			ret = bpf_link__pin(link, path);
		/* The pin holds the link now; our reference goes. */
		bpf_link__destroy(link);
		if (ret)
			return ret;
	}
	return 0;
}

static int attach(void)
{
	struct edna_config cfg = {};
	struct edna_probes *skel;
	struct timespec ts;
	__u32 zero = 0;
	int ret;

	check_environment();
	skel = edna_probes__open_and_load();
	if (!skel) {
		ret = -errno;
		if (ret == -EPERM)
			die(1, "loading the programs was refused (EPERM): root with CAP_BPF and CAP_PERFMON is needed, and kernel.unprivileged_bpf_disabled does not apply to root");
		die(1, "cannot load the programs: %s (edna-probes -v shows the verifier's log)",
		    strerror(-ret));
	}
	if (mkdir(EDNA_PIN_DIR, 0700)) {
		ret = -errno;
		edna_probes__destroy(skel);
		if (ret == -EEXIST)
			die(2, "probes already attached (%s exists); 'edna-probes --detach' removes them",
			    EDNA_PIN_DIR);
		die(1, "cannot create %s: %s", EDNA_PIN_DIR, strerror(-ret));
	}
	/* Idle time counts from here; CLOCK_MONOTONIC is bpf_ktime_get_ns(). */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	cfg.attach_ns = ts.tv_sec * 1000000000ull + ts.tv_nsec;
	ret = bpf_map__update_elem(skel->maps.settings, &zero, sizeof(zero), &cfg, sizeof(cfg), 0);
	if (!ret)
		ret = pin_everything(skel);
	edna_probes__destroy(skel);
	if (ret) {
		unpin_all();
		if (ret == -ENOENT)
			die(1, "the edna tracepoints are not there: is the edna module loaded?");
		die(1, "cannot attach and pin the probes: %s", strerror(-ret));
	}
	printf("edna-probes: attached; maps, programs and links pinned in %s\n", EDNA_PIN_DIR);
	return 0;
}

static int detach(void)
{
	struct stat st;
	int ret;

	if (geteuid() != 0)
		die(1, "must run as root to remove %s", EDNA_PIN_DIR);
	if (stat(EDNA_PIN_DIR, &st))
		die(3, "probes not attached (no %s)", EDNA_PIN_DIR);
	ret = unpin_all();
	if (ret)
		die(1, "cannot remove everything in %s: %s", EDNA_PIN_DIR, strerror(-ret));
	printf("edna-probes: detached; %s removed\n", EDNA_PIN_DIR);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: edna-probes [-v]       attach the probes and pin them in %s\n"
		"       edna-probes --detach   remove them\n"
		"exit status: 0 done, 1 error, 2 already attached, 3 not attached,\n"
		"             4 the kernel lacks the BPF support the probes need\n",
		EDNA_PIN_DIR);
	exit(1);
}

int main(int argc, char **argv)
{
	bool do_detach = false;
	int i;

	libbpf_set_print(silent);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--detach") || !strcmp(argv[i], "-d"))
			do_detach = true;
		else if (!strcmp(argv[i], "-v"))
			libbpf_set_print(verbose);
		else
			usage();
	}
	return do_detach ? detach() : attach();
}
