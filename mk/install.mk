# SPDX-License-Identifier: GPL-2.0
#
# make install, beyond libaccel's part (mk/libaccel.mk): the tools and
# their man pages, the BPF objects, the udev rule and the modprobe.d
# example; and the kernel modules' sources for DKMS.
#   make install [PREFIX=/usr/local] [DESTDIR=] [UDEVRULESDIR=] [MODPROBEDIR=]
#	$(PREFIX)/bin/TOOL and $(PREFIX)/share/man/man1/TOOL.1 for every
#	TOOL of INSTALL_TOOLS; $(EDNA_BPFDIR)/*.bpf.o from every directory
#	of INSTALL_BPF_DIRS; $(UDEVRULESDIR)/70-edna.rules;
#	$(MODPROBEDIR)/edna.conf
#   make install-dkms [DESTDIR=]
#	$(DKMS_SRCDIR): what dkms.conf builds, and dkms.conf
#   make check-dkms        dkms add, build and install for $(KVER), in build/dkms
#   make check-packages    the Debian packages, installed into a fresh
#                          bookworm root (tools/pkg/check-packages.sh)
# udev and modprobe read only /etc and /lib, whatever the prefix: a local
# install goes to /etc, a distribution package passes /lib/udev/rules.d.
# Without DESTDIR, ldconfig makes the loader find the new libaccel.so.N.
#
# This fragment sorts before libaccel.mk: PREFIX and LIBDIR, set there, are
# read here only in recipes and in variables expanded late (=).

# A tool is a line here: its binary is $(BUILD)/tools/NAME, with a rule of
# the top Makefile or of a fragment, and its man page man/NAME.1.
INSTALL_TOOLS := edna-info
INSTALL_TOOLS += edna-run
INSTALL_TOOLS += edna-compile
INSTALL_TOOLS += edna-ref-decode
INSTALL_TOOLS += edna-probes
INSTALL_TOOLS += edna-top

# A directory of compiled BPF objects (*.bpf.o) is a line here:
# INSTALL_BPF_DIRS += $(BUILD)/bpf
# and the fragment that builds them makes the directory depend on them
# ($(BUILD)/bpf: $(BPF_OBJS)), so that installing builds them first.
INSTALL_BPF_DIRS := $(BUILD)/bpf

BINDIR = $(PREFIX)/bin
MAN1DIR = $(PREFIX)/share/man/man1
# Where the tools find the BPF objects: one directory for all of them.  A
# tool that loads them is built with -DEDNA_BPFDIR=\"$(EDNA_BPFDIR)\": a
# package build passes the same PREFIX to the build as to make install.
EDNA_BPFDIR = $(PREFIX)/lib/edna/bpf
UDEVRULESDIR ?= /etc/udev/rules.d
MODPROBEDIR ?= /etc/modprobe.d

# The modules' version is the project's, which libaccel's header carries.
DKMS_NAME := edna
DKMS_SRCDIR = /usr/src/$(DKMS_NAME)-$(LIBACCEL_VERSION)
# Everything Kbuild reads: the top Kbuild, the two modules, the uapi header.
# Not Kbuild's own products (*.mod.c) of a tree built in place.
DKMS_SOURCES := Kbuild uapi/drm/edna_accel.h $(filter-out %.mod.c,$(wildcard \
	driver/Kbuild driver/*.[ch] driver/sim/Kbuild driver/sim/*.[ch]))

INSTALL_TOOL_BINS := $(addprefix $(BUILD)/tools/,$(INSTALL_TOOLS))
INSTALL_MAN_PAGES := $(patsubst %,man/%.1,$(INSTALL_TOOLS))
INSTALL_UDEV_RULE := dist/udev/70-edna.rules
INSTALL_MODPROBE_CONF := dist/modprobe.d/edna.conf

.PHONY: install-prereqs install-tools install-bpf install-system install-dkms check-dkms \
	check-packages print-install-tools

install: install-tools install-bpf install-system
	$(if $(DESTDIR),,-ldconfig)

# What make install installs, built, and nothing else: a package build
# needs no kernel tree and no test harness.
install-prereqs: $(LIBACCEL_REAL) $(LIBACCEL_A) $(INSTALL_TOOL_BINS) $(INSTALL_BPF_DIRS)

install-tools: $(INSTALL_TOOL_BINS) $(INSTALL_MAN_PAGES)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MAN1DIR)
	install -m 0755 $(INSTALL_TOOL_BINS) $(DESTDIR)$(BINDIR)/
	install -m 0644 $(INSTALL_MAN_PAGES) $(DESTDIR)$(MAN1DIR)/

# Nothing is installed while the list is empty.
install-bpf: $(INSTALL_BPF_DIRS)
	$(if $(strip $(INSTALL_BPF_DIRS)),install -d $(DESTDIR)$(EDNA_BPFDIR))
	$(foreach d,$(INSTALL_BPF_DIRS),install -m 0644 $(d)/*.bpf.o $(DESTDIR)$(EDNA_BPFDIR)/ &&) true

install-system: $(INSTALL_UDEV_RULE) $(INSTALL_MODPROBE_CONF)
	install -d $(DESTDIR)$(UDEVRULESDIR) $(DESTDIR)$(MODPROBEDIR)
	install -m 0644 $(INSTALL_UDEV_RULE) $(DESTDIR)$(UDEVRULESDIR)/
	install -m 0644 $(INSTALL_MODPROBE_CONF) $(DESTDIR)$(MODPROBEDIR)/

# dkms.conf names the version too; tools/pkg/install_tree_test.sh checks
# that the two agree.
install-dkms: $(DKMS_SOURCES) dkms.conf
	install -d $(DESTDIR)$(DKMS_SRCDIR)
	tar -cf - $(DKMS_SOURCES) dkms.conf | tar -xf - -C $(DESTDIR)$(DKMS_SRCDIR) --no-same-owner
	find $(DESTDIR)$(DKMS_SRCDIR) -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +

print-install-tools:
	@echo $(INSTALL_TOOLS)

# dkms with trees of its own under build/dkms: nothing of the machine's
# /usr/src, /var/lib/dkms or /lib/modules changes.
check-dkms:
	@tools/pkg/check-dkms.sh $(KVER)

check-packages:
	@tools/pkg/check-packages.sh

$(BUILD)/tests/install_tree_test: tools/pkg/install_tree_test.sh
	@mkdir -p $(dir $@)
	install -m 0755 $< $@

USERSPACE_EXTRA += $(BUILD)/tests/install_tree_test
