# SPDX-License-Identifier: GPL-2.0
#
# Observability (Documentation/observability.rst): the BPF probes on the
# driver's tracepoints, their loader and edna-top.
#   $(BUILD)/bpf/vmlinux.h              from the BTF of the target kernel
#                                       ($(KDIR)/vmlinux), not the build host's
#   $(BUILD)/bpf/edna_probes.bpf.o      clang -target bpf, CO-RE
#   $(BUILD)/bpf/edna_probes.skel.h     bpftool gen skeleton
#   $(BUILD)/tools/edna-probes          attach, pin under /sys/fs/bpf/edna, exit
#   $(BUILD)/tools/edna-top             live view of the pinned maps, fdinfo, hwmon
#   $(BUILD)/selftests/edna_bpf_test    the edna_bpf VM tests
#   $(BUILD)/bench/probe-bench          in the VM: probe_overhead

BPFTOOL ?= bpftool
CLANG ?= clang
LLVM_STRIP ?= llvm-strip
BPF_BUILD := $(BUILD)/bpf
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Werror \
	-I$(BPF_BUILD) -Itools/bpf
LIBBPF_CFLAGS := $(shell pkg-config --cflags libbpf 2>/dev/null)
LIBBPF_LIBS := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)
PROBES_SKEL := $(BPF_BUILD)/edna_probes.skel.h

$(BPF_BUILD)/vmlinux.h: $(KDIR)/vmlinux
	@mkdir -p $(dir $@)
	$(BPFTOOL) btf dump file $< format c >$@.tmp
	mv $@.tmp $@

# DWARF goes, the BTF that CO-RE and bpftool need stays.
$(BPF_BUILD)/edna_probes.bpf.o: tools/bpf/edna_probes.bpf.c tools/bpf/edna_probes.h \
		$(BPF_BUILD)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c -o $@ $<
	$(LLVM_STRIP) -g $@

$(PROBES_SKEL): $(BPF_BUILD)/edna_probes.bpf.o
	$(BPFTOOL) gen skeleton $< name edna_probes >$@.tmp
	mv $@.tmp $@

$(BUILD)/tools/edna-probes: tools/bpf/edna-probes.c tools/bpf/edna_probes.h $(PROBES_SKEL)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -Itools/bpf -I$(BPF_BUILD) $(LIBBPF_CFLAGS) -o $@ $< \
		$(LIBBPF_LIBS)

USERSPACE_EXTRA += $(BUILD)/tools/edna-probes

# make install copies the object (for bpftool users; edna-probes carries
# it in its skeleton) from here.
$(BPF_BUILD): $(BPF_BUILD)/edna_probes.bpf.o

$(BUILD)/selftests/edna_bpf_test: selftests/edna_bpf_test.c selftests/edna_json.h \
		tools/bpf/edna_probes.h $(SELFTEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-sign-compare -Wno-clobbered -Wno-unused-parameter -I$(KSFT_DIR) \
		-Iuapi/drm -Itools/bpf $(DRM_CFLAGS) -o $@ $< $(DRM_LIBS)

$(BUILD)/tools/edna-top: tools/edna-top.c tools/bpf/edna_probes.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -Itools/bpf $(LIBBPF_CFLAGS) -o $@ $< $(LIBBPF_LIBS) \
		$(shell pkg-config --libs ncursesw 2>/dev/null || echo -lncursesw)

USERSPACE_EXTRA += $(BUILD)/tools/edna-top $(BUILD)/selftests/edna_bpf_test

$(BUILD)/bench/probe-bench: bench/probe_bench.c uapi/drm/edna_accel.h $(PROBES_SKEL)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iuapi/drm -I$(BPF_BUILD) $(DRM_CFLAGS) $(LIBBPF_CFLAGS) -o $@ $< \
		$(DRM_LIBS) $(LIBBPF_LIBS)

USERSPACE_EXTRA += $(BUILD)/bench/probe-bench
