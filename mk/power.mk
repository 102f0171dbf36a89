# SPDX-License-Identifier: GPL-2.0
#
# Power management: the benchmark of Documentation/power.rst's figures.
#   $(BUILD)/bench/power-bench   in the VM: resume_latency_ratio,
#                                idle_power_ratio, gated_power_ratio

$(BUILD)/bench/power-bench: bench/power_bench.c uapi/drm/edna_accel.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iuapi/drm $(DRM_CFLAGS) -o $@ $< $(DRM_LIBS)

USERSPACE_EXTRA += $(BUILD)/bench/power-bench
