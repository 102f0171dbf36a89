# SPDX-License-Identifier: GPL-2.0
#
# tools/ref: the CPU reference of the graph ops, $(BUILD)/ref/libedna_ref.a
# (the edna_graph selftests compare the device against it), and
# $(BUILD)/tests/ops_test: the device's op kernels, driver/sim/edna_ops.c
# built for the host, against that reference.

REF_A := $(BUILD)/ref/libedna_ref.a
REF_CFLAGS := -Itools/ref -Iuapi/drm $(DRM_CFLAGS)

$(BUILD)/ref/edna_ref.o: tools/ref/edna_ref.c tools/ref/edna_ref.h uapi/drm/edna_accel.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(REF_CFLAGS) -c -o $@ $<

$(REF_A): $(BUILD)/ref/edna_ref.o
	@rm -f $@
	$(AR) rcs $@ $^

USERSPACE_EXTRA += $(REF_A)

# The op kernels as the host builds them: mk/ops.mk's object, whose
# flags match the kernel build.  It sorts before this fragment, so the
# variables are set here.
$(BUILD)/tests/ops_test: tests/ops_test.c tools/ref/edna_ref.h $(EDNA_OPS_DIR)/edna_ops.h \
		$(REF_A) $(EDNA_OPS_HOST_OBJ) $(KSFT_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-sign-compare -Wno-clobbered -Wno-unused-parameter -I$(KSFT_DIR) \
		$(REF_CFLAGS) -I$(EDNA_OPS_DIR) -o $@ $< $(EDNA_OPS_HOST_OBJ) $(REF_A) -lm
