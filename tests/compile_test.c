// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the compiler (tools/compile): the placement ranks and
 * fits as Documentation/decoding.rst says, the graph is what the device
 * expects of a decoder (its ops, and what the compiled graph computes on
 * the CPU reference's graph interpreter is the reference decoder's
 * answer), bundles round-trip, and bad bundles and tokenizer blobs fail
 * cleanly.  The device itself is tested in the VM (edna_decode).
 *
 * Copyright 2026 The edna authors
 */
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "edna_compile.h"
#include "edna_model.h"
#include "edna_ref.h"
#include "edna_tokenizer_blob.h"
#include "model_gen.h"
#include "ref_decode.h"

FIXTURE(edna_compile) {
	char dir[64];
	char path[128];
	char err[EDNA_MODEL_ERR_MAX];
	struct edna_model *m;
};

FIXTURE_SETUP(edna_compile)
{
	struct edna_gen_spec spec = {
		.dim = 64, .hidden_dim = 160, .n_layers = 2, .n_heads = 4, .n_kv_heads = 2,
		.vocab_size = 512, .seq_len = 128, .seed = 3, .dtype = EDNA_DTYPE_Q8_0,
	};
	struct edna_gen_vocab vocab;
	struct edna_bytes b = { 0 };

	snprintf(self->dir, sizeof(self->dir), "/tmp/edna_compile.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/m.gguf", self->dir);
	ASSERT_EQ(0, edna_gen_default_vocab(spec.vocab_size, &vocab));
	ASSERT_EQ(0, edna_gen_gguf(&spec, &vocab, &b, self->err, sizeof(self->err)));
	edna_gen_free_vocab(&vocab);
	ASSERT_EQ(0, edna_bytes_write(&b, self->path));
	edna_bytes_free(&b);
	ASSERT_EQ(0, edna_model_open(self->path, NULL, &self->m, self->err, sizeof(self->err)))
		TH_LOG("%s", self->err);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

FIXTURE_TEARDOWN(edna_compile)
{
	edna_model_close(self->m);
	nftw(self->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static const struct edna_buf *find_buf(const struct edna_program *p, const char *name)
{
	uint32_t i;

	for (i = 0; i < p->n_bufs; i++)
		if (!strcmp(p->bufs[i].name, name))
			return &p->bufs[i];
	return NULL;
}

static struct edna_program *compile_with(struct __test_metadata *_metadata,
					 FIXTURE_DATA(edna_compile) *self, uint64_t sram,
					 uint64_t dram)
{
	struct edna_program *p = NULL;
	struct edna_compile_opts o;

	edna_compile_default_opts(&o);
	o.capacity[EDNA_REGION_SRAM] = sram;
	o.capacity[EDNA_REGION_DRAM] = dram;
	EXPECT_EQ(0, edna_compile(self->m, &o, &p, self->err, sizeof(self->err)))
		TH_LOG("%s", self->err);
	return p;
}

/* Buffers never overlap within a pool, and pools hold what their kind may. */
static void check_layout(struct __test_metadata *_metadata, const struct edna_program *p)
{
	uint32_t i, j;

	for (i = 0; i < p->n_bufs; i++) {
		const struct edna_buf *a = &p->bufs[i];

		EXPECT_EQ(0, a->offset % EDNA_BUF_ALIGN);
		EXPECT_LE(a->offset + a->bytes, p->pool_size[a->pool]);
		if (a->kind == EDNA_BUF_ACT || a->kind == EDNA_BUF_KV) {
			EXPECT_NE(EDNA_POOL_HOST_RO, a->pool) TH_LOG("%s", a->name);
		} else {
			EXPECT_NE(EDNA_POOL_HOST_RW, a->pool) TH_LOG("%s", a->name);
		}
		for (j = 0; j < i; j++) {
			const struct edna_buf *b = &p->bufs[j];

			if (a->pool == b->pool)
				EXPECT_TRUE(a->offset + a->bytes <= b->offset ||
					    b->offset + b->bytes <= a->offset)
					TH_LOG("%s overlaps %s", a->name, b->name);
		}
	}
}

/* Room for activations and norms only: the matrices go next, the KV cache after them. */
TEST_F(edna_compile, placement_ranks_activations_weights_kv_then_the_table)
{
	struct edna_program *p = compile_with(_metadata, self, 2 << 20, 64 << 20);
	uint64_t acts = 0, weights = 0;
	uint32_t i;

	ASSERT_NE(NULL, p);
	check_layout(_metadata, p);
	/* everything fits in 2 MiB */
	for (i = 0; i < p->n_bufs; i++)
		EXPECT_EQ(EDNA_POOL_SRAM, p->bufs[i].pool) TH_LOG("%s", p->bufs[i].name);
	for (i = 0; i < p->n_bufs; i++) {
		if (p->bufs[i].kind == EDNA_BUF_ACT || p->bufs[i].kind == EDNA_BUF_NORM)
			acts += (p->bufs[i].bytes + 63) & ~63ull;
		if (p->bufs[i].kind == EDNA_BUF_WEIGHT &&
		    strcmp(p->bufs[i].name, "token_embd.weight"))
			weights += (p->bufs[i].bytes + 63) & ~63ull;
	}
	edna_program_free(p);

	/* SRAM for the activations, norms and the matrices, to the page */
	p = compile_with(_metadata, self, (acts + weights + 4095) & ~4095ull, 64 << 20);
	ASSERT_NE(NULL, p);
	check_layout(_metadata, p);
	EXPECT_EQ(EDNA_POOL_SRAM, find_buf(p, "act.x")->pool);
	EXPECT_EQ(EDNA_POOL_SRAM, find_buf(p, "output_norm.weight")->pool);
	EXPECT_EQ(EDNA_POOL_SRAM, find_buf(p, "blk.1.ffn_down.weight")->pool);
	EXPECT_EQ(EDNA_POOL_SRAM, find_buf(p, "output.weight")->pool);
	/* the cache and the table of which a step reads one row: DRAM */
	EXPECT_EQ(EDNA_POOL_DRAM, find_buf(p, "blk.0.k_cache")->pool);
	EXPECT_EQ(EDNA_POOL_DRAM, find_buf(p, "token_embd.weight")->pool);
	edna_program_free(p);

	/* no device memory at all: host pools, read-only for the weights */
	p = compile_with(_metadata, self, 0, 0);
	ASSERT_NE(NULL, p);
	check_layout(_metadata, p);
	EXPECT_EQ(0, p->pool_size[EDNA_POOL_SRAM]);
	EXPECT_EQ(0, p->pool_size[EDNA_POOL_DRAM]);
	EXPECT_EQ(EDNA_POOL_HOST_RO, find_buf(p, "blk.0.attn_q.weight")->pool);
	EXPECT_EQ(EDNA_POOL_HOST_RW, find_buf(p, "blk.0.v_cache")->pool);
	EXPECT_EQ(EDNA_POOL_HOST_RW, find_buf(p, "act.logits")->pool);
	EXPECT_EQ(1, edna_program_pool_written(p, EDNA_POOL_HOST_RW));
	EXPECT_EQ(0, edna_program_pool_written(p, EDNA_POOL_HOST_RO));
	edna_program_free(p);
}

/*
 * The graph: 1 + 17 a layer + 3 ops, no op writing what it reads (but
 * ROPE in place), every address in its pool; and its traffic model
 * reads each weight once a decode step.
 */
TEST_F(edna_compile, graph_is_a_decoder_and_reads_each_weight_once_a_step)
{
	struct edna_program *p = compile_with(_metadata, self, 0, 64 << 20);
	uint32_t region[EDNA_POOL_COUNT], i, j, matmuls = 0;
	uint64_t weights = 0, embd_row, read = 0;
	struct edna_traffic t;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(1 + 17 * 2 + 3, p->n_ops);
	EXPECT_EQ(EDNA_GOP_EMBED, p->ops[0].opcode);
	EXPECT_EQ(EDNA_GOP_ARGMAX, p->ops[p->n_ops - 1].opcode);
	EXPECT_EQ(EDNA_GOP_LAST_ROW, p->ops[p->n_ops - 3].flags);
	for (i = 0; i < p->n_ops; i++) {
		const struct drm_edna_graph_op *op = &p->ops[i];

		matmuls += op->opcode == EDNA_GOP_MATMUL;
		for (j = 0; j < 3; j++)
			if (op->opcode != EDNA_GOP_ROPE && op->src[j])
				EXPECT_NE(op->dst, op->src[j]) TH_LOG("op %u", i);
		for (j = 0; j < 4; j++) {
			uint64_t a = j ? op->src[j - 1] : op->dst;

			if (a)
				EXPECT_GT(p->pool_size[EDNA_ADDR_POOL(a)], EDNA_ADDR_OFF(a));
		}
	}
	EXPECT_EQ(7 * 2 + 1, matmuls);
	for (i = 0; i < p->n_bufs; i++)
		if (p->bufs[i].kind == EDNA_BUF_WEIGHT && strcmp(p->bufs[i].name, "token_embd.weight"))
			weights += p->bufs[i].bytes;
	embd_row = find_buf(p, "token_embd.weight")->bytes / 512;
	edna_program_plan_regions(region);
	edna_program_traffic(p, region, 5, 1, 1, &t);
	/* all in DRAM: the weights once, one table row, plus the small things */
	for (i = 0; i < EDNA_REGION_COUNT; i++)
		read += t.bytes[i][0];
	EXPECT_LE(weights + embd_row, t.bytes[EDNA_REGION_DRAM][0]);
	EXPECT_GT(weights + embd_row + 64 * 1024, t.bytes[EDNA_REGION_DRAM][0]);
	EXPECT_EQ(0, t.bytes[EDNA_REGION_SRAM][0]);
	edna_program_free(p);
}

/*
 * What the compiled graph computes, run by the CPU reference's graph
 * interpreter (tools/ref) on a host image of its pools, is what the
 * reference decoder computes: the same greedy tokens, a prompt batch and
 * K steps in one job.
 */
TEST_F(edna_compile, graph_on_the_reference_interpreter_decodes_as_the_reference)
{
	static const uint32_t prompt[] = { 1, 7, 99, 300, 12 };
	enum { N = 5, STEPS = 12 };
	struct edna_program *p = compile_with(_metadata, self, 1 << 20, 64 << 20);
	uint64_t base[EDNA_POOL_COUNT], va = 1ull << 32, graph_va, args_va;
	struct edna_ref_region regions[EDNA_POOL_COUNT + 2];
	struct edna_ref_graph_result res = { 0 };
	struct drm_edna_graph_args *args;
	uint32_t want[STEPS], i;
	unsigned int n_regions = 0;
	uint8_t *mem[EDNA_POOL_COUNT] = { 0 }, *graph;
	size_t graph_size;
	int pool;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, edna_ref_decode_model(self->m, prompt, N, STEPS, want, NULL, self->err,
					   sizeof(self->err)));
	for (pool = 0; pool < EDNA_POOL_COUNT; pool++) {
		base[pool] = va;
		if (!p->pool_size[pool])
			continue;
		mem[pool] = calloc(1, p->pool_size[pool]);
		ASSERT_NE(NULL, mem[pool]);
		regions[n_regions++] = (struct edna_ref_region){ .va = va, .size = p->pool_size[pool],
								 .host = mem[pool], .writable = 1 };
		va += (p->pool_size[pool] + 0xffff) & ~0xffffull;
	}
	for (i = 0; i < p->n_bufs; i++)
		if (p->bufs[i].data)
			memcpy(mem[p->bufs[i].pool] + p->bufs[i].offset, p->bufs[i].data,
			       p->bufs[i].bytes);
	graph_size = sizeof(struct drm_edna_graph_header) + p->n_ops * sizeof(struct drm_edna_graph_op);
	graph = calloc(1, graph_size);
	args = calloc(1, sizeof(*args) + 4 * (N + STEPS));
	ASSERT_NE(NULL, graph);
	ASSERT_NE(NULL, args);
	*(struct drm_edna_graph_header *)graph = (struct drm_edna_graph_header){
		.magic = EDNA_GRAPH_MAGIC, .version_major = EDNA_GRAPH_VERSION_MAJOR,
		.version_minor = EDNA_GRAPH_VERSION_MINOR,
		.header_size = sizeof(struct drm_edna_graph_header),
		.op_size = sizeof(struct drm_edna_graph_op), .op_count = p->n_ops,
		.max_tokens = p->max_tokens };
	ASSERT_EQ(0, edna_program_relocate(p, base,
					   (struct drm_edna_graph_op *)(graph +
						sizeof(struct drm_edna_graph_header))));
	args->pos = 0, args->n_tokens = N, args->steps = STEPS;
	memcpy(args->tokens, prompt, sizeof(prompt));
	graph_va = va;
	args_va = va + 0x100000;
	regions[n_regions++] = (struct edna_ref_region){ .va = graph_va, .size = graph_size,
							 .host = graph };
	regions[n_regions++] = (struct edna_ref_region){ .va = args_va,
		.size = sizeof(*args) + 4 * (N + STEPS), .host = args, .writable = 1 };
	ASSERT_EQ(0, edna_ref_run_graph(graph_va, args_va, regions, n_regions, &res));
	ASSERT_EQ(EDNA_STATUS_OK, res.status) TH_LOG("op %u reason %u", res.op_index, res.reason);
	EXPECT_EQ(STEPS, res.steps_done);
	for (i = 0; i < STEPS; i++)
		EXPECT_EQ(want[i], args->tokens[N + i]) TH_LOG("step %u", i);
	for (pool = 0; pool < EDNA_POOL_COUNT; pool++)
		free(mem[pool]);
	free(graph);
	free(args);
	edna_program_free(p);
}

/* A bundle holds the same program, data and tokenizer. */
TEST_F(edna_compile, bundle_round_trips)
{
	struct edna_program *p = compile_with(_metadata, self, 256 << 10, 64 << 20);
	const struct edna_tokenizer *t0 = edna_model_tokenizer(self->m), *t1;
	const struct edna_program *q;
	struct edna_bundle *b = NULL;
	uint32_t *ids0, *ids1, i;
	size_t n0, n1;
	char path[160];

	ASSERT_NE(NULL, p);
	snprintf(path, sizeof(path), "%s/m.edb", self->dir);
	ASSERT_EQ(0, edna_bundle_write(p, t0, path, self->err, sizeof(self->err)))
		TH_LOG("%s", self->err);
	ASSERT_EQ(1, edna_is_bundle(path));
	ASSERT_EQ(0, edna_is_bundle(self->path));
	ASSERT_EQ(0, edna_bundle_open(path, &b, self->err, sizeof(self->err))) TH_LOG("%s", self->err);
	q = edna_bundle_program(b);
	EXPECT_EQ(0, memcmp(&p->config, &q->config, sizeof(p->config)));
	EXPECT_EQ(p->max_tokens, q->max_tokens);
	EXPECT_EQ(p->max_seq, q->max_seq);
	EXPECT_EQ(p->logits, q->logits);
	EXPECT_EQ(0, memcmp(p->pool_size, q->pool_size, sizeof(p->pool_size)));
	ASSERT_EQ(p->n_ops, q->n_ops);
	EXPECT_EQ(0, memcmp(p->ops, q->ops, p->n_ops * sizeof(*p->ops)));
	ASSERT_EQ(p->n_bufs, q->n_bufs);
	for (i = 0; i < p->n_bufs; i++) {
		const struct edna_buf *x = &p->bufs[i], *y = &q->bufs[i];

		EXPECT_STREQ(x->name, y->name);
		EXPECT_EQ(x->pool, y->pool);
		EXPECT_EQ(x->offset, y->offset);
		EXPECT_EQ(x->bytes, y->bytes);
		EXPECT_EQ(!x->data, !y->data);
		if (x->data && y->data)
			EXPECT_EQ(0, memcmp(x->data, y->data, x->bytes)) TH_LOG("%s", x->name);
	}
	t1 = edna_bundle_tokenizer(b);
	ASSERT_NE(NULL, t1);
	ASSERT_EQ(0, edna_tokenizer_encode(t0, "the cat sat on the mat, 42 times", 1, &ids0, &n0));
	ASSERT_EQ(0, edna_tokenizer_encode(t1, "the cat sat on the mat, 42 times", 1, &ids1, &n1));
	ASSERT_EQ(n0, n1);
	EXPECT_EQ(0, memcmp(ids0, ids1, n0 * sizeof(*ids0)));
	for (i = 0; i < 512; i++) {
		char a[64], c[64];
		int la = edna_tokenizer_decode(t0, i, 5, a, sizeof(a));

		ASSERT_EQ(la, edna_tokenizer_decode(t1, i, 5, c, sizeof(c)));
		EXPECT_EQ(0, memcmp(a, c, la < 64 ? la : 63));
	}
	free(ids0);
	free(ids1);
	edna_bundle_close(b);
	edna_program_free(p);
}

/*
 * A bundle cut at any length, or with any header byte changed, fails
 * with a message naming the file (or, for a change the checks cannot
 * see, such as a shape field that still makes sense, opens: never
 * worse).  Under make compile-asan, with ASan and UBSan.
 */
TEST_F(edna_compile, damaged_bundles_fail_cleanly)
{
	struct edna_program *p = compile_with(_metadata, self, 256 << 10, 64 << 20);
	char path[160], bad[160];
	struct edna_bytes b = { 0 };
	uint8_t *data;
	size_t size, cut, i;
	FILE *f;
	int v;

	ASSERT_NE(NULL, p);
	snprintf(path, sizeof(path), "%s/m.edb", self->dir);
	snprintf(bad, sizeof(bad), "%s/bad.edb", self->dir);
	ASSERT_EQ(0, edna_bundle_write(p, edna_model_tokenizer(self->m), path, self->err,
				       sizeof(self->err)));
	edna_program_free(p);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	data = malloc(size);
	ASSERT_NE(NULL, data);
	ASSERT_EQ(size, fread(data, 1, size, f));
	fclose(f);
	b.data = data;
	for (cut = 0; cut < size; cut += cut < 4096 ? 7 : 4093) {
		struct edna_bundle *x = (struct edna_bundle *)1;

		b.size = cut;
		ASSERT_EQ(0, edna_bytes_write(&b, bad));
		self->err[0] = '\0';
		EXPECT_EQ(-EINVAL, edna_bundle_open(bad, &x, self->err, sizeof(self->err)))
			TH_LOG("cut at %zu", cut);
		EXPECT_EQ(NULL, x);
		EXPECT_NE(NULL, strstr(self->err, bad)) TH_LOG("%s", self->err);
	}
	b.size = size;
	for (i = 0; i < 256; i++) {
		for (v = 0; v < 2; v++) {
			struct edna_bundle *x = NULL;
			uint8_t keep = data[i];
			int ret;

			data[i] = v ? 0xff : keep ^ 0x40;
			ASSERT_EQ(0, edna_bytes_write(&b, bad));
			ret = edna_bundle_open(bad, &x, self->err, sizeof(self->err));
			if (ret) {
				EXPECT_NE(NULL, strstr(self->err, bad)) TH_LOG("%s", self->err);
				EXPECT_EQ(NULL, x);
			} else {
				edna_bundle_close(x);
			}
			data[i] = keep;
		}
	}
	free(data);
}

/* Tokenizer blobs: round trip, and every truncation fails with the field. */
TEST_F(edna_compile, tokenizer_blob_round_trips_and_rejects_damage)
{
	const struct edna_tokenizer *t = edna_model_tokenizer(self->m);
	struct edna_tokenizer *u = NULL;
	size_t size, cut;
	uint8_t *blob;

	ASSERT_EQ(0, edna_tokenizer_save(t, (void **)&blob, &size));
	ASSERT_EQ(0, edna_tokenizer_load(blob, size, "blob", &u, self->err, sizeof(self->err)))
		TH_LOG("%s", self->err);
	EXPECT_EQ(edna_tokenizer_vocab_size(t), edna_tokenizer_vocab_size(u));
	EXPECT_EQ(edna_tokenizer_bos(t), edna_tokenizer_bos(u));
	EXPECT_EQ(edna_tokenizer_max_piece(t), edna_tokenizer_max_piece(u));
	edna_tokenizer_free(u);
	for (cut = 0; cut < size; cut += 1 + cut / 16) {
		u = (struct edna_tokenizer *)1;
		EXPECT_EQ(-EINVAL, edna_tokenizer_load(blob, cut, "blob", &u, self->err,
						       sizeof(self->err))) TH_LOG("cut %zu", cut);
		EXPECT_EQ(NULL, u);
		EXPECT_EQ(0, strncmp(self->err, "blob: ", 6)) TH_LOG("%s", self->err);
	}
	blob[0] = 'X';
	EXPECT_EQ(-EINVAL, edna_tokenizer_load(blob, size, "blob", &u, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "magic")) TH_LOG("%s", self->err);
	free(blob);
}

/* Options out of range, and a model deeper than one graph holds. */
TEST_F(edna_compile, options_out_of_range_fail_with_the_field)
{
	struct edna_program *p = (struct edna_program *)1;
	struct edna_compile_opts o;
	struct edna_model_config c = *edna_model_config(self->m);

	edna_compile_default_opts(&o);
	o.max_tokens = EDNA_GRAPH_MAX_TOKENS + 1;
	EXPECT_EQ(-EINVAL, edna_compile(self->m, &o, &p, self->err, sizeof(self->err)));
	EXPECT_EQ(NULL, p);
	EXPECT_NE(NULL, strstr(self->err, "max_tokens 513, expected 1 to 512")) TH_LOG("%s", self->err);
	o.max_tokens = 0;
	o.max_seq = EDNA_GRAPH_MAX_SEQ + 1;
	EXPECT_EQ(-EINVAL, edna_compile(self->m, &o, &p, self->err, sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "max_seq 32769")) TH_LOG("%s", self->err);
	c.n_layers = 241;
	EXPECT_EQ(-EOPNOTSUPP, edna_program_check_config(&c, 32, 128, "m", self->err,
							 sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "241 layers, expected 1 to 240")) TH_LOG("%s", self->err);
}

TEST_HARNESS_MAIN
