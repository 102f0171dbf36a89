# SPDX-License-Identifier: GPL-2.0
# The edna_graph selftests check the device against the CPU reference.
$(BUILD)/selftests/edna_graph_test: selftests/edna_graph_test.c $(SELFTEST_DEPS) \
		tools/ref/edna_ref.h $(BUILD)/ref/libedna_ref.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-sign-compare -Wno-clobbered -Wno-unused-parameter -I$(KSFT_DIR) \
		-Iuapi/drm -Itools/ref $(DRM_CFLAGS) -o $@ $< $(BUILD)/ref/libedna_ref.a \
		$(DRM_LIBS) -lpthread -lm
