# SPDX-License-Identifier: GPL-2.0
#
# Decoding models on the device (Documentation/decoding.rst): the
# compiler and loader library tools/compile, $(BUILD)/compile/libedna_compile.a,
# and on it
#   $(BUILD)/tools/edna-run              generate text on the device
#   $(BUILD)/tools/edna-compile          placement, and bundles
#   $(BUILD)/selftests/edna_decode_test  the edna_decode VM tests
#   $(BUILD)/bench/decode-bench          in the VM: decode_stack_ratio,
#                                        multi_token_job_speedup
#   $(BUILD)/bench/host-decode-roofline  on the host: host_decode_roofline
# A program using the library links $(DECODE_LIBS).
#
# This fragment sorts before model.mk, ops.mk and ref.mk, whose variables
# are not set yet when the prerequisites below are read: they name the
# archives' paths.

COMPILE_A := $(BUILD)/compile/libedna_compile.a
COMPILE_SRCS := $(wildcard tools/compile/*.c)
COMPILE_OBJS := $(patsubst tools/compile/%.c,$(BUILD)/compile/%.o,$(COMPILE_SRCS))
COMPILE_HDRS := $(wildcard tools/compile/*.h tools/model/*.h) tools/ref/edna_ref.h \
	uapi/drm/edna_accel.h libaccel/accel.h
COMPILE_CFLAGS := -Itools/compile -Itools/model -Itools/ref -Ilibaccel -Iuapi/drm $(DRM_CFLAGS)
DECODE_DEPS := $(COMPILE_A) $(BUILD)/model/libedna_model.a $(BUILD)/ref/libedna_ref.a \
	$(LIBACCEL_A) $(COMPILE_HDRS)
DECODE_LIBS := $(COMPILE_A) $(BUILD)/model/libedna_model.a $(BUILD)/ref/libedna_ref.a \
	$(LIBACCEL_A) $(DRM_LIBS) -lm

$(BUILD)/compile/%.o: tools/compile/%.c $(COMPILE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(COMPILE_CFLAGS) -c -o $@ $<

# Afresh: ar would keep the members of source files that are gone.
$(COMPILE_A): $(COMPILE_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

# Explicit rules: the top Makefile's $(BUILD)/tools/% links libaccel alone.
$(BUILD)/tools/edna-run: tools/edna-run.c $(DECODE_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(COMPILE_CFLAGS) $(LDFLAGS) -o $@ $< $(DECODE_LIBS)

$(BUILD)/tools/edna-compile: tools/edna-compile.c $(DECODE_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(COMPILE_CFLAGS) $(LDFLAGS) -o $@ $< $(DECODE_LIBS)

# The VM tests make their models with the model library's generator and
# check the device against its reference decoder (tools/ref).
$(BUILD)/selftests/edna_decode_test: selftests/edna_decode_test.c $(SELFTEST_DEPS) $(DECODE_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-sign-compare -Wno-clobbered -Wno-unused-parameter -I$(KSFT_DIR) \
		$(COMPILE_CFLAGS) -o $@ $< $(DECODE_LIBS) -lpthread

USERSPACE_EXTRA += $(COMPILE_A) $(BUILD)/tools/edna-run $(BUILD)/tools/edna-compile \
	$(BUILD)/selftests/edna_decode_test

# The benchmarks run the compiled program in-process too, with the op
# kernels built for the host (mk/ops.mk's $(EDNA_OPS_HOST_OBJ)).
DECODE_BENCH_DEPS := bench/decode_exec.c bench/decode_exec.h driver/sim/edna_ops.h \
	$(BUILD)/sim/edna_ops.o $(DECODE_DEPS)
DECODE_BENCH_CFLAGS := $(COMPILE_CFLAGS) -Ibench -Idriver/sim

$(BUILD)/bench/decode-bench: bench/decode_bench.c $(DECODE_BENCH_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DECODE_BENCH_CFLAGS) -o $@ $< bench/decode_exec.c \
		$(BUILD)/sim/edna_ops.o $(DECODE_LIBS)

$(BUILD)/bench/host-decode-roofline: bench/host_decode_roofline.c $(DECODE_BENCH_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(DECODE_BENCH_CFLAGS) -o $@ $< bench/decode_exec.c \
		$(BUILD)/sim/edna_ops.o $(DECODE_LIBS)

USERSPACE_EXTRA += $(BUILD)/bench/decode-bench $(BUILD)/bench/host-decode-roofline

# The compiler's host tests: placement, graph, bundles, damaged files.
$(BUILD)/tests/compile_test: tests/compile_test.c $(DECODE_DEPS) $(KSFT_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-sign-compare -Wno-clobbered -Wno-unused-parameter -I$(KSFT_DIR) \
		$(COMPILE_CFLAGS) -o $@ $< $(DECODE_LIBS)

# ... and again with the sanitizers, from source: make compile-asan
COMPILE_ASAN_SRCS := $(filter-out tools/compile/load.c,$(COMPILE_SRCS)) \
	$(wildcard tools/model/*.c) tools/ref/edna_ref.c

$(BUILD)/asan/compile_test: tests/compile_test.c $(COMPILE_ASAN_SRCS) $(COMPILE_HDRS) $(KSFT_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer -Wno-sign-compare -Wno-clobbered -Wno-unused-parameter \
		-I$(KSFT_DIR) $(COMPILE_CFLAGS) -o $@ tests/compile_test.c $(COMPILE_ASAN_SRCS) -lm

.PHONY: compile-asan
compile-asan: $(BUILD)/asan/compile_test
	$(BUILD)/asan/compile_test
