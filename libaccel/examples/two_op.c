// SPDX-License-Identifier: MIT
/*
 * two_op: out = silu(a + b) * b on edna device 0, as a graph of two ops
 * (ADD, then SILU_MUL) run by one GRAPH job, checked against the CPU.
 *
 *   cc two_op.c $(pkg-config --cflags --libs libaccel) -lm -o two_op
 */
#include <math.h>
#include <stdio.h>

#include <accel.h>

#define N 8
static const float a[N] = { -3.5f, -2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 3.5f };
static const float b[N] = { 0.25f, 0.5f, 0.75f, 1.0f, 1.25f, 1.5f, 1.75f, 2.0f };

/* Where things are in the one host buffer: operands, then the arguments. */
enum { A = 0, B = 64, SUM = 128, OUT = 192, ARGS = 256 };

/* 0 when the device got it right; 1 when not, said; or a negative errno. */
static int run(struct accel_device *dev, struct accel_bo *buf)
{
	uint64_t va = accel_bo_va(buf);
	/* Each op works on one row (one token) of N floats. */
	struct drm_edna_graph_op ops[2] = {
		{ .opcode = EDNA_GOP_ADD, .dim = { N },
		  .dst = va + SUM, .src = { va + A, va + B } },
		{ .opcode = EDNA_GOP_SILU_MUL, .dim = { N },
		  .dst = va + OUT, .src = { va + SUM, va + B } },
	};
	struct drm_edna_job_result result;
	struct accel_graph *graph;
	struct drm_edna_job job;
	uint32_t token = 0;	/* without EMBED, the graph reads no token */
	float out[N];
	char why[200];
	int ret, status, i, bad = 0;

	ret = accel_bo_write(buf, A, a, sizeof(a));
	if (!ret)
		ret = accel_bo_write(buf, B, b, sizeof(b));
	if (!ret)
		ret = accel_graph_args_write(buf, ARGS, 0, 1, 1, &token);
	if (!ret)
		ret = accel_graph_build(dev, ops, 2, 1, &graph);
	if (ret)
		return ret;
	/* The job reads the graph and writes the buffer. */
	struct drm_edna_bo_ref uses[] = {
		{ accel_graph_handle(graph), EDNA_BO_READ },
		{ accel_bo_handle(buf), EDNA_BO_WRITE },
	};
	ret = accel_job_init_graph(&job, graph, buf, ARGS);
	if (!ret)
		ret = accel_job_set_bos(&job, uses, 2);
	if (!ret)
		ret = accel_submit(dev, &job, 1);
	if (!ret)	/* within a minute: the device may be a slow model */
		ret = accel_wait(dev, job.seqno, accel_deadline_after(60000000000), &status, &result);
	accel_graph_free(graph);
	if (!ret && status) {
		accel_result_describe(&result, job.op, why, sizeof(why));
		fprintf(stderr, "two_op: the job failed: %s (%s)\n", accel_strerror(status), why);
		return 1;
	}
	if (!ret)
		ret = accel_bo_read(buf, OUT, out, sizeof(out));
	for (i = 0; i < N && !ret; i++) {
		float s = a[i] + b[i], want = s / (1 + expf(-s)) * b[i];
		int ok = fabsf(out[i] - want) <= 1e-5f * (1 + fabsf(want));

		bad += !ok;
		printf("silu(%5.2f + %4.2f) * %4.2f = %9.6f, cpu %9.6f%s\n", a[i], b[i], b[i],
		       out[i], want, ok ? "" : "  MISMATCH");
	}
	if (ret)
		return ret;
	printf("%s, %llu device cycles\n", bad ? "FAIL" : "ok", (unsigned long long)result.cycles);
	return bad ? 1 : 0;
}

int main(void)
{
	struct accel_device *dev;
	struct accel_bo *buf = NULL;
	int ret = accel_open(0, &dev);

	if (!ret) {
		ret = accel_bo_alloc(dev, 4096, EDNA_REGION_HOST, 0, &buf);
		if (!ret)
			ret = run(dev, buf);
		accel_bo_free(buf);
		accel_close(dev);
	}
	if (ret < 0)
		fprintf(stderr, "two_op: %s\n", accel_strerror(ret));
	return ret ? 1 : 0;
}
