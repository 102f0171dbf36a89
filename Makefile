# SPDX-License-Identifier: GPL-2.0
#
# edna: build the kernel modules, libaccel and the tools; run the tests.
#   make            modules + userspace
#   make check      all tests (host, then inside the QEMU VM)
#   make demo       boot the VM, load the modules, show the device
#   make bench      figures as ratios against same-run baselines
# KDIR selects the kernel to build against (default: the Debian 6.12 kernel
# the test VM boots; on a real box: make KDIR=/lib/modules/$(uname -r)/build).

KVER	?= $(shell tools/kver.sh 2>/dev/null)
KDIR	?= /usr/src/linux-headers-$(KVER)
BUILD	:= build
CC	?= gcc
CFLAGS	?= -O2 -g
CFLAGS	+= -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror
DRM_CFLAGS := $(shell pkg-config --cflags libdrm 2>/dev/null)
DRM_LIBS   := $(shell pkg-config --libs libdrm 2>/dev/null)
KSFT_DIR := $(BUILD)/ksft
KSFT_HDR := $(KSFT_DIR)/kselftest_harness.h

.PHONY: all modules userspace check check-debug demo bench clean deps checkpatch sparse

all: modules userspace

deps:
	@tools/deps.sh

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

# sparse over every kernel source, whether rebuilt or not (C=2)
sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 C=2 modules

# kselftest headers come from Debian's linux-source-6.12, not from this repo.
$(KSFT_HDR):
	@mkdir -p $(KSFT_DIR)
	tar -xf $$(ls /usr/src/linux-source-6.12.tar.* | head -n 1) -C $(KSFT_DIR) \
		--strip-components=4 --wildcards '*/tools/testing/selftests/kselftest*.h'

LIBACCEL_OBJS := $(patsubst libaccel/%.c,$(BUILD)/libaccel/%.o,$(wildcard libaccel/*.c))
LIBACCEL_A := $(BUILD)/libaccel/libaccel.a
LIBACCEL_SO := $(BUILD)/libaccel/libaccel.so
LIBACCEL_CFLAGS := -Ilibaccel -Iuapi/drm $(DRM_CFLAGS)
# Their rules, and make install: mk/libaccel.mk.

TOOLS := $(BUILD)/tools/edna-info

$(BUILD)/tools/%: tools/%.c $(LIBACCEL_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LIBACCEL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBACCEL_A) $(DRM_LIBS)

BENCH := $(BUILD)/bench/edna-bench

$(BUILD)/bench/edna-bench: bench/edna_bench.c uapi/drm/edna_accel.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Iuapi/drm $(DRM_CFLAGS) -o $@ $< $(DRM_LIBS) -lpthread

HOST_TESTS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/*_test.c))

$(BUILD)/tests/%: tests/%.c $(LIBACCEL_A) $(KSFT_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-sign-compare -Wno-clobbered -Wno-unused-parameter -I$(KSFT_DIR) \
		$(LIBACCEL_CFLAGS) -o $@ $< $(LIBACCEL_A) $(DRM_LIBS)

SELFTESTS := $(patsubst selftests/%.c,$(BUILD)/selftests/%,$(wildcard selftests/edna_*_test.c selftests/edna_submit_exit.c))
SELFTEST_DEPS := selftests/edna_test.h uapi/drm/edna_accel.h $(KSFT_HDR)

$(BUILD)/selftests/%: selftests/%.c $(SELFTEST_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-sign-compare -Wno-clobbered -Wno-unused-parameter -I$(KSFT_DIR) -Iuapi/drm $(DRM_CFLAGS) -o $@ $< $(DRM_LIBS) -lpthread

# Further parts of the userspace build, a fragment each: they add targets
# to USERSPACE_EXTRA and may give a test of HOST_TESTS or SELFTESTS a rule
# of its own (an explicit rule wins over the patterns above).
USERSPACE_EXTRA :=
include $(sort $(wildcard mk/*.mk))

userspace: $(BENCH) $(LIBACCEL_A) $(LIBACCEL_SO) $(BUILD)/libaccel/libaccel.pc $(TOOLS) \
	$(SELFTESTS) $(HOST_TESTS) $(USERSPACE_EXTRA)

check: deps
	@tools/check.sh

# The selftests on a self-built debug kernel (KASAN, lockdep, kmemleak, ...).
check-debug: deps
	@tools/debugk/check.sh

demo: deps
	@tools/demo.sh

bench: deps
	@tools/bench.sh

checkpatch:
	@tools/checkpatch.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)
