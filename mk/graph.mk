# SPDX-License-Identifier: GPL-2.0
# The edna_graph selftests check the device against the CPU reference.
$(BUILD)/selftests/edna_graph_test: selftests/edna_graph_test.c $(SELFTEST_DEPS) \
		tools/ref/edna_ref.h $(BUILD)/ref/libedna_ref.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-sign-compare -Wno-clobbered -Wno-unused-parameter -I$(KSFT_DIR) \
		-Iuapi/drm -Itools/ref $(DRM_CFLAGS) -o $@ $< $(BUILD)/ref/libedna_ref.a \
		$(DRM_LIBS) -lpthread -lm

# make bench: a decoder layer through the whole stack against the same
# op kernels run in-process (mk/ops.mk's host object).
$(BUILD)/bench/graph-bench: bench/graph_bench.c uapi/drm/edna_accel.h driver/sim/edna_ops.h \
		$(BUILD)/sim/edna_ops.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iuapi/drm -Idriver/sim $(DRM_CFLAGS) -o $@ $< $(BUILD)/sim/edna_ops.o \
		$(DRM_LIBS) -lm

USERSPACE_EXTRA += $(BUILD)/bench/graph-bench $(BUILD)/selftests/edna_graph_test
