// SPDX-License-Identifier: GPL-2.0
/*
 * edna-run: generate text with a model on an edna accelerator.
 *
 * Copyright 2026 The edna authors
 *
 *   edna-run MODEL [-z tokenizer.bin] [-p PROMPT] [-n N] [-t TEMP]
 *            [--top-p P] [--seed S] [--ids] [-k K] [-d DEVICE]
 *            [--batch T] [--ctx N] [-v] [-q]
 *
 * MODEL is a GGUF file, a llama2.c checkpoint (-z gives it its
 * tokenizer.bin) or a bundle of edna-compile.  A model file is compiled
 * on load for the device's memories; a bundle is loaded as it was
 * compiled.  The prompt (BOS first unless the model says otherwise) runs
 * as batches of up to T rows (matrix-matrix), then N tokens are generated:
 * greedy (-t 0, the default) runs K decode steps per job, the device's
 * ARGMAX feeding its next EMBED; sampling (-t > 0, --top-p) runs one
 * step per job and samples the logits on the host.  Text streams to
 * stdout as it comes and stops at EOS; --ids prints the N generated ids,
 * one a line, never stopping early: edna-ref-decode --ids prints the
 * reference's the same way.  stderr gets the placement, a progress line,
 * tokens/s, per-token latency (p50, p99) and the device timing model's
 * figures, labelled "modeled" (Documentation/decoding.rst).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accel.h"
#include "edna_compile.h"
#include "edna_load.h"
#include "edna_model.h"

#define DEFAULT_TOKENS	64
#define DEFAULT_STEPS	16
#define LLAMA_BOS	1

static void usage(FILE *f)
{
	fprintf(f,
		"usage: edna-run MODEL [-z TOKENIZER] [-p PROMPT] [-n N] [-t TEMP] [--top-p P]\n"
		"                [--seed S] [--ids] [-k K] [-d DEVICE] [--batch T] [--ctx N] [-v] [-q]\n"
		"  MODEL          a GGUF file (llama), a llama2.c checkpoint, or a bundle of edna-compile\n"
		"  -z TOKENIZER   llama2.c's tokenizer.bin for a llama2.c checkpoint\n"
		"  -p PROMPT      text to continue (default: none, BOS alone)\n"
		"  -n N           tokens to generate (default %d)\n"
		"  -t TEMP        sampling temperature; 0 is greedy (default 0)\n"
		"  --top-p P      sample from the smallest set of tokens holding P of the\n"
		"                 probability (default 1: all)\n"
		"  --seed S       the sampler's seed (default: the time)\n"
		"  --ids          print the generated token ids, one a line\n"
		"  -k K           greedy decode steps per job, 1 to %d (default %d)\n"
		"  -d DEVICE      the accel device's index (default 0)\n"
		"  --batch T      prompt rows per step when compiling, 1 to %d (default %d)\n"
		"  --ctx N        KV cache positions when compiling (default: the model's context)\n"
		"  -v             the placement of every buffer    -q  no statistics\n",
		DEFAULT_TOKENS, EDNA_GRAPH_MAX_STEPS, DEFAULT_STEPS, EDNA_GRAPH_MAX_TOKENS,
		EDNA_COMPILE_MAX_TOKENS);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int parse_ulong(const char *opt, const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno || *end || !*s || *v > max || *s == '-') {
		fprintf(stderr, "edna-run: %s %s: expected a number from 0 to %lu\n", opt, s, max);
		return -1;
	}
	return 0;
}

static int parse_double(const char *opt, const char *s, double lo, double hi, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	if (errno || *end || !*s || !(*v >= lo && *v <= hi)) {
		fprintf(stderr, "edna-run: %s %s: expected a number from %g to %g\n", opt, s, lo,
			hi);
		return -1;
	}
	return 0;
}

/* ---- sampling ------------------------------------------------------------- */

struct sampler {
	double temperature, top_p;
	uint64_t state;
	float *probs;
	uint32_t *order;
	uint32_t n;
};

/* xorshift64*: small, and the same sequence for the same seed anywhere */
static double rand01(struct sampler *s)
{
	s->state ^= s->state >> 12;
	s->state ^= s->state << 25;
	s->state ^= s->state >> 27;
	return ((s->state * 0x2545f4914f6cdd1dull) >> 11) * (1.0 / 9007199254740992.0);
}

static int cmp_prob(const void *a, const void *b, void *probs)
{
	const float *p = probs;
	float pa = p[*(const uint32_t *)a], pb = p[*(const uint32_t *)b];

	return pa > pb ? -1 : pa < pb;
}

static uint32_t sample(struct sampler *s, const float *logits)
{
	double max = logits[0], sum = 0, r, cum = 0;
	uint32_t i, keep;

	for (i = 1; i < s->n; i++)
		max = logits[i] > max ? logits[i] : max;
	for (i = 0; i < s->n; i++) {
		s->probs[i] = (float)exp((logits[i] - max) / s->temperature);
		sum += s->probs[i];
		s->order[i] = i;
	}
	keep = s->n;
	if (s->top_p < 1) {
		/* nucleus: the most probable tokens up to top_p of the mass */
		qsort_r(s->order, s->n, sizeof(*s->order), cmp_prob, s->probs);
		for (keep = 0; keep < s->n && cum < s->top_p * sum; keep++)
			cum += s->probs[s->order[keep]];
		sum = cum;
	}
	r = rand01(s) * sum;
	cum = 0;
	for (i = 0; i < keep; i++) {
		cum += s->probs[s->order[i]];
		if (r < cum)
			return s->order[i];
	}
	return s->order[keep - 1];
}

/* ---- statistics ----------------------------------------------------------- */

struct stats {
	double prompt_s;
	uint32_t prompt_jobs;
	struct drm_edna_job_result prompt;	/* summed */
	double decode_s;
	uint32_t decode_jobs, decode_tokens;
	struct drm_edna_job_result decode;	/* summed */
	double *latency;			/* per generated token after the first */
	uint32_t n_latency;
};

static void add_result(struct drm_edna_job_result *sum, const struct drm_edna_job_result *r)
{
	int i, d;

	sum->cycles += r->cycles;
	sum->macs += r->macs;
	for (i = 0; i < EDNA_REGION_COUNT; i++)
		for (d = 0; d < 2; d++)
			sum->bytes[i][d] += r->bytes[i][d];
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The value below which p of the samples are (nearest rank). */
static double percentile(const double *sorted, uint32_t n, double p)
{
	uint32_t i = (uint32_t)ceil(p * n);

	return sorted[i ? i - 1 : 0];
}

static void print_modeled(const struct drm_edna_device_info *info,
			  const struct drm_edna_job_result *r, uint32_t tokens, const char *what)
{
	static const char *const names[EDNA_REGION_COUNT] = { "host", "DRAM", "SRAM" };
	double t = (double)r->cycles / info->clock_hz / tokens, pj_total = 0, pj;
	double macs_per_cycle = (double)info->peak_macs / info->clock_hz;
	int i;

	fprintf(stderr,
		"edna-run: modeled %s: %.2f us a token (%.0f tokens/s at %.0f MHz), MAC utilisation %.1f%%, bandwidth utilisation",
		what, t * 1e6, 1 / t, info->clock_hz / 1e6,
		r->cycles ? 100.0 * r->macs / (r->cycles * macs_per_cycle) : 0.0);
	for (i = EDNA_REGION_SRAM; i >= 0; i--)
		fprintf(stderr, " %s %.1f%%", names[i],
			r->cycles && info->peak_bandwidth[i] ?
			100.0 * (r->bytes[i][0] + r->bytes[i][1]) /
			((double)r->cycles / info->clock_hz * info->peak_bandwidth[i]) : 0.0);
	fprintf(stderr, "\nedna-run: modeled %s energy a token:", what);
	for (i = EDNA_REGION_SRAM; i >= 0; i--) {
		pj = (double)(r->bytes[i][0] + r->bytes[i][1]) * edna_hw_pj_per_byte(i) / tokens;
		pj_total += pj;
		fprintf(stderr, " %s %.2f uJ (%.0f KiB),", names[i], pj / 1e6,
			(r->bytes[i][0] + r->bytes[i][1]) / 1024.0 / tokens);
	}
	pj = (double)r->macs * EDNA_PJ_PER_MAC / tokens;
	pj_total += pj;
	fprintf(stderr, " MACs %.2f uJ,", pj / 1e6);
	/* mW x ns = pJ */
	pj = info->power_mw[EDNA_POWER_ACTIVE] * t * 1e9;
	pj_total += pj;
	fprintf(stderr, " active power %.2f uJ; %.2f uJ in all\n", pj / 1e6, pj_total / 1e6);
}

static void print_stats(const struct stats *st, const struct drm_edna_device_info *info,
			uint32_t n_prompt, uint32_t generated, uint32_t steps_per_job)
{
	double *sorted;

	fprintf(stderr,
		"edna-run: prompt: %u tokens in %u job%s, %.1f ms (%.1f tokens/s); first token after %.1f ms\n",
		n_prompt, st->prompt_jobs, st->prompt_jobs == 1 ? "" : "s", st->prompt_s * 1e3,
		n_prompt / st->prompt_s, st->prompt_s * 1e3);
	if (st->decode_tokens) {
		fprintf(stderr,
			"edna-run: generated %u tokens, %u after the first in %u job%s of up to %u step%s: %.3f s, %.2f tokens/s\n",
			generated, st->decode_tokens, st->decode_jobs,
			st->decode_jobs == 1 ? "" : "s", steps_per_job,
			steps_per_job == 1 ? "" : "s", st->decode_s,
			st->decode_tokens / st->decode_s);
		sorted = malloc(st->n_latency * sizeof(*sorted));
		if (sorted) {
			memcpy(sorted, st->latency, st->n_latency * sizeof(*sorted));
			qsort(sorted, st->n_latency, sizeof(*sorted), cmp_double);
			fprintf(stderr,
				"edna-run: per-token latency: p50 %.2f ms, p99 %.2f ms (a job's time over its steps)\n",
				percentile(sorted, st->n_latency, 0.5) * 1e3,
				percentile(sorted, st->n_latency, 0.99) * 1e3);
			free(sorted);
		}
	} else {
		fprintf(stderr, "edna-run: generated %u token%s\n", generated,
			generated == 1 ? "" : "s");
	}
	if (!info->clock_hz || !info->peak_macs)
		return;
	print_modeled(info, &st->prompt, n_prompt, "prompt");
	if (st->decode_tokens)
		print_modeled(info, &st->decode, st->decode_tokens, "decode");
}

/* ---- output --------------------------------------------------------------- */

/* Pieces as bytes, but no terminal control codes from a random model. */
static void print_piece(const char *p, int len)
{
	int i;

	for (i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (c >= 0x20 || c == '\n' || c == '\t')
			putchar(c);
	}
	fflush(stdout);
}

struct emitter {
	const struct edna_tokenizer *tok;
	int ids;
	uint32_t prev;
	char *piece;
	int stopped;
};

/* One generated token; returns 1 once text output reached EOS. */
static int emit(struct emitter *e, uint32_t id)
{
	int len;

	if (e->stopped)
		return 1;
	if (e->ids) {
		printf("%u\n", id);
		return 0;
	}
	if (id == edna_tokenizer_eos(e->tok) || id == edna_tokenizer_bos(e->tok)) {
		e->stopped = 1;
		return 1;
	}
	len = edna_tokenizer_decode(e->tok, id, e->prev, e->piece, edna_tokenizer_max_piece(e->tok));
	if (len > 0)
		print_piece(e->piece, len);
	e->prev = id;
	return 0;
}

static void progress(int on, uint32_t done, uint32_t n, double secs)
{
	if (!on)
		return;
	fprintf(stderr, "\redna-run: [%u/%u] %.2f tokens/s ", done, n, secs > 0 ? done / secs : 0);
	if (done == n)
		fputc('\n', stderr);
}

/* ---- main ----------------------------------------------------------------- */

struct options {
	const char *model, *tokenizer, *prompt;
	unsigned long n, k, device, batch, ctx;
	double temperature, top_p;
	uint64_t seed;
	int ids, verbose, quiet, have_seed;
};

static int parse_args(int argc, char **argv, struct options *o)
{
	enum { O_TOP_P = 256, O_SEED, O_IDS, O_BATCH, O_CTX };
	static const struct option long_options[] = {
		{ "top-p", required_argument, NULL, O_TOP_P },
		{ "seed", required_argument, NULL, O_SEED },
		{ "ids", no_argument, NULL, O_IDS },
		{ "batch", required_argument, NULL, O_BATCH },
		{ "ctx", required_argument, NULL, O_CTX },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long seed;
	int opt;

	*o = (struct options){ .n = DEFAULT_TOKENS, .k = DEFAULT_STEPS, .top_p = 1 };
	while ((opt = getopt_long(argc, argv, "z:p:n:t:k:d:vqh", long_options, NULL)) != -1) {
		switch (opt) {
		case 'z':
			o->tokenizer = optarg;
			break;
		case 'p':
			o->prompt = optarg;
			break;
		case 'n':
			if (parse_ulong("-n", optarg, EDNA_GRAPH_MAX_SEQ, &o->n))
				return 2;
			break;
		case 't':
			if (parse_double("-t", optarg, 0, 100, &o->temperature))
				return 2;
			break;
		case 'k':
			if (parse_ulong("-k", optarg, EDNA_GRAPH_MAX_STEPS, &o->k))
				return 2;
			if (!o->k) {
				fprintf(stderr, "edna-run: -k 0: expected 1 to %d steps a job\n",
					EDNA_GRAPH_MAX_STEPS);
				return 2;
			}
			break;
		case 'd':
			if (parse_ulong("-d", optarg, 255, &o->device))
				return 2;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case O_TOP_P:
			if (parse_double("--top-p", optarg, 0, 1, &o->top_p))
				return 2;
			if (!(o->top_p > 0)) {
				fprintf(stderr, "edna-run: --top-p 0: expected more than 0\n");
				return 2;
			}
			break;
		case O_SEED:
			if (parse_ulong("--seed", optarg, ~0ul, &seed))
				return 2;
			o->seed = seed;
			o->have_seed = 1;
			break;
		case O_IDS:
			o->ids = 1;
			break;
		case O_BATCH:
			if (parse_ulong("--batch", optarg, EDNA_GRAPH_MAX_TOKENS, &o->batch) ||
			    !o->batch)
				return 2;
			break;
		case O_CTX:
			if (parse_ulong("--ctx", optarg, EDNA_GRAPH_MAX_SEQ, &o->ctx) || !o->ctx)
				return 2;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	o->model = argv[optind];
	return 0;
}

/* The model file or bundle, compiled or loaded: the program and tokenizer. */
struct source {
	struct edna_model *model;
	struct edna_bundle *bundle;
	struct edna_program *compiled;
	const struct edna_program *prog;
	const struct edna_tokenizer *tok;
};

static int open_source(const struct options *o, const struct drm_edna_device_info *info,
		       struct source *s)
{
	struct edna_compile_opts copts;
	char err[EDNA_MODEL_ERR_MAX];
	int ret = edna_is_bundle(o->model), r;

	if (ret < 0) {
		fprintf(stderr, "edna-run: %s: %s\n", o->model, strerror(-ret));
		return -1;
	}
	if (ret) {
		if (o->tokenizer || o->batch || o->ctx) {
			fprintf(stderr,
				"edna-run: %s is a bundle, compiled with its tokenizer, batch and context: -z, --batch and --ctx are for model files\n",
				o->model);
			return -1;
		}
		if (edna_bundle_open(o->model, &s->bundle, err, sizeof(err))) {
			fprintf(stderr, "edna-run: %s\n", err);
			return -1;
		}
		s->prog = edna_bundle_program(s->bundle);
		s->tok = edna_bundle_tokenizer(s->bundle);
		return 0;
	}
	if (edna_model_open(o->model, o->tokenizer, &s->model, err, sizeof(err))) {
		fprintf(stderr, "edna-run: %s\n", err);
		return -1;
	}
	edna_compile_default_opts(&copts);
	for (r = 0; r < EDNA_REGION_COUNT; r++)
		copts.capacity[r] = info->region_size[r];
	copts.max_tokens = o->batch;
	copts.max_seq = o->ctx;
	if (edna_compile(s->model, &copts, &s->compiled, err, sizeof(err))) {
		fprintf(stderr, "edna-run: %s\n", err);
		return -1;
	}
	s->prog = s->compiled;
	s->tok = edna_model_tokenizer(s->model);
	return 0;
}

static void close_source(struct source *s)
{
	edna_program_free(s->compiled);
	edna_bundle_close(s->bundle);
	edna_model_close(s->model);
}

static void hw_from_info(const struct drm_edna_device_info *info, struct edna_hw *hw)
{
	int r;

	edna_hw_default(hw);
	if (info->clock_hz)
		hw->clock_hz = info->clock_hz;
	if (info->peak_macs)
		hw->peak_macs = info->peak_macs;
	for (r = 0; r < EDNA_REGION_COUNT; r++) {
		if (info->peak_bandwidth[r])
			hw->bandwidth[r] = info->peak_bandwidth[r];
		hw->region_size[r] = info->region_size[r];
	}
	hw->active_mw = info->power_mw[EDNA_POWER_ACTIVE];
}

/* The prompt's ids, as edna-ref-decode makes them. */
static int prompt_ids(const struct options *o, const struct edna_tokenizer *tok,
		      uint32_t **ids, size_t *n)
{
	*ids = NULL;
	*n = 0;
	if (!tok && (!o->ids || (o->prompt && *o->prompt))) {
		fprintf(stderr,
			"edna-run: %s has no tokenizer: give a llama2.c checkpoint its tokenizer.bin with -z, or use --ids without a prompt\n",
			o->model);
		return -1;
	}
	if (tok && edna_tokenizer_encode(tok, o->prompt ? o->prompt : "",
					 edna_tokenizer_adds_bos(tok), ids, n)) {
		fprintf(stderr, "edna-run: out of memory encoding the prompt\n");
		return -1;
	}
	if (!*n) {
		/* no BOS and no text: start from BOS anyway, there must be a token */
		free(*ids);
		*ids = malloc(sizeof(**ids));
		if (!*ids)
			return -1;
		(*ids)[0] = tok ? edna_tokenizer_bos(tok) : LLAMA_BOS;
		*n = 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct drm_edna_device_info info = { 0 };
	struct accel_device *dev = NULL;
	struct edna_loaded *loaded = NULL;
	struct sampler smp = { 0 };
	struct emitter em = { 0 };
	struct stats st = { 0 };
	struct source src = { 0 };
	struct options o;
	struct edna_hw hw;
	char err[EDNA_MODEL_ERR_MAX];
	uint32_t *ids = NULL, *out = NULL, next, generated = 0, pos, i, vocab;
	float *logits = NULL;
	size_t n_prompt = 0;
	int ret = 1, show_progress, r;
	double t0, t;

	ret = parse_args(argc, argv, &o);
	if (ret)
		return ret;
	ret = 1;
	r = accel_open(o.device, &dev);
	if (r) {
		fprintf(stderr, "edna-run: opening accel device %lu: %s\n", o.device,
			accel_strerror(r));
		return 1;
	}
	r = accel_device_info(dev, &info, sizeof(info));
	if (r) {
		fprintf(stderr, "edna-run: reading the device's capabilities: %s\n",
			accel_strerror(r));
		goto out;
	}
	if (!(info.features & EDNA_FEATURE_GRAPH)) {
		fprintf(stderr, "edna-run: accel device %lu does not run compiled graphs\n",
			o.device);
		goto out;
	}
	hw_from_info(&info, &hw);
	if (open_source(&o, &info, &src))
		goto out;
	vocab = src.prog->config.vocab_size;
	if (prompt_ids(&o, src.tok, &ids, &n_prompt))
		goto out;
	for (i = 0; i < n_prompt; i++) {
		if (ids[i] >= vocab) {
			fprintf(stderr, "edna-run: prompt token %u is %u, the vocabulary has %u\n",
				i, ids[i], vocab);
			goto out;
		}
	}
	if (o.n && n_prompt + o.n - 1 > src.prog->max_seq) {
		fprintf(stderr,
			"edna-run: %zu prompt tokens and %lu generated need %lu positions, the KV cache has %u (--ctx)\n",
			n_prompt, o.n, n_prompt + o.n - 1, src.prog->max_seq);
		goto out;
	}
	if (!o.quiet)
		edna_program_describe(src.prog, o.model, &hw, o.verbose, stderr);
	if (edna_load(dev, src.prog, &loaded, err, sizeof(err))) {
		fprintf(stderr, "edna-run: %s: %s\n", o.model, err);
		goto out;
	}
	if (!o.quiet) {
		fprintf(stderr, "edna-run: loaded in %.3f s; pools in", edna_loaded_upload_ns(loaded) / 1e9);
		for (i = 0; i < EDNA_POOL_COUNT; i++)
			if (edna_loaded_region(loaded, i) < EDNA_REGION_COUNT)
				fprintf(stderr, " %s", edna_region_name(edna_loaded_region(loaded, i)));
		fputc('\n', stderr);
	}
	out = calloc(o.k > 1 ? o.k : 1, sizeof(*out));
	st.latency = calloc(o.n ? o.n : 1, sizeof(*st.latency));
	logits = o.temperature > 0 ? malloc(4ull * vocab) : NULL;
	em.piece = src.tok ? malloc(edna_tokenizer_max_piece(src.tok)) : NULL;
	if (!out || !st.latency || (o.temperature > 0 && !logits) || (src.tok && !em.piece)) {
		fprintf(stderr, "edna-run: out of memory\n");
		goto out;
	}
	if (o.temperature > 0) {
		smp = (struct sampler){ .temperature = o.temperature, .top_p = o.top_p, .n = vocab,
					.state = o.have_seed ? o.seed : (uint64_t)time(NULL) };
		smp.state = smp.state * 0x9e3779b97f4a7c15ull + 1;	/* never 0 */
		smp.probs = malloc(4ull * vocab);
		smp.order = malloc(4ull * vocab);
		if (!smp.probs || !smp.order) {
			fprintf(stderr, "edna-run: out of memory\n");
			goto out;
		}
	}
	em.tok = src.tok;
	em.ids = o.ids;
	em.prev = ids[n_prompt - 1];
	if (!o.n) {
		ret = 0;
		goto out;
	}
	if (!o.ids && o.prompt) {
		fputs(o.prompt, stdout);
		fflush(stdout);
	}
	show_progress = !o.quiet && isatty(STDERR_FILENO) && (o.ids || !isatty(STDOUT_FILENO));

	/* The prompt, in batches; the last one's ARGMAX (or logits) is the first token. */
	t0 = now_s();
	for (pos = 0; pos < n_prompt;) {
		uint32_t rows = n_prompt - pos < src.prog->max_tokens ? n_prompt - pos :
				src.prog->max_tokens;
		struct drm_edna_job_result res;
		int last = pos + rows == n_prompt;

		if (edna_loaded_run(loaded, pos, ids + pos, rows, 1, out, last ? logits : NULL, &res,
				    err, sizeof(err))) {
			fprintf(stderr, "\nedna-run: %s\n", err);
			goto out;
		}
		add_result(&st.prompt, &res);
		st.prompt_jobs++;
		pos += rows;
	}
	next = logits ? sample(&smp, logits) : out[0];
	st.prompt_s = now_s() - t0;
	generated = 1;
	emit(&em, next);
	progress(show_progress, generated, o.n, st.prompt_s);

	/* Then decode, K steps a job when greedy, one when sampling. */
	t0 = now_s();
	while (generated < o.n && !em.stopped) {
		uint32_t steps = logits ? 1 : (o.n - generated < o.k ? o.n - generated : o.k);
		struct drm_edna_job_result res;
		double tj = now_s();

		if (edna_loaded_run(loaded, pos, &next, 1, steps, out, logits, &res, err,
				    sizeof(err))) {
			fprintf(stderr, "\nedna-run: %s\n", err);
			goto out;
		}
		t = now_s() - tj;
		add_result(&st.decode, &res);
		st.decode_jobs++;
		if (logits)
			out[0] = sample(&smp, logits);
		for (i = 0; i < steps; i++) {
			st.latency[st.n_latency++] = t / steps;
			emit(&em, out[i]);
		}
		st.decode_tokens += steps;
		generated += steps;
		pos += steps;
		next = out[steps - 1];
		progress(show_progress, generated, o.n, now_s() - t0 + st.prompt_s);
	}
	st.decode_s = now_s() - t0;
	if (!o.ids)
		putchar('\n');
	if (fflush(stdout)) {
		fprintf(stderr, "edna-run: writing the output: %s\n", strerror(errno));
		goto out;
	}
	if (!o.quiet)
		print_stats(&st, &info, n_prompt, generated,
			    logits ? 1 : (uint32_t)(o.k < o.n ? o.k : o.n));
	ret = 0;
out:
	free(smp.probs);
	free(smp.order);
	free(em.piece);
	free(st.latency);
	free(logits);
	free(out);
	free(ids);
	edna_loaded_free(loaded);
	close_source(&src);
	accel_close(dev);
	return ret;
}
