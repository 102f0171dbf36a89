# SPDX-License-Identifier: GPL-2.0
#
# The device model's op kernels (driver/sim/edna_ops.c) built for the
# host, and the host roofline benchmark on top of them.  A host program
# links $(EDNA_OPS_HOST_OBJ) and includes edna_ops.h with -I$(EDNA_OPS_DIR).
#
# The flags are driver/sim/Kbuild's: FMA contraction (the kernel's gnu11
# default; c11 turns it off) and sqrt without errno, so the host tests
# what the kernel runs.

EDNA_OPS_DIR := driver/sim
EDNA_OPS_HOST_OBJ := $(BUILD)/sim/edna_ops.o
EDNA_OPS_CFLAGS := -ffp-contract=fast -fno-math-errno

$(EDNA_OPS_HOST_OBJ): $(EDNA_OPS_DIR)/edna_ops.c $(EDNA_OPS_DIR)/edna_ops.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(EDNA_OPS_CFLAGS) -c -o $@ $<

$(BUILD)/bench/host-roofline: bench/host_roofline.c $(EDNA_OPS_HOST_OBJ) $(EDNA_OPS_DIR)/edna_ops.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(EDNA_OPS_DIR) -o $@ $< $(EDNA_OPS_HOST_OBJ)

USERSPACE_EXTRA += $(BUILD)/bench/host-roofline
