# SPDX-License-Identifier: GPL-2.0
#
# libaccel: the libraries, libaccel.pc, make install, and the proof that an
# application builds from the installed copy through pkg-config alone.
#   make install [PREFIX=/usr/local] [LIBDIR=$(PREFIX)/lib] [DESTDIR=]
#	$(LIBDIR): libaccel.so.X.Y.Z, libaccel.so.X -> it, libaccel.so ->
#	libaccel.so.X, libaccel.a; $(LIBDIR)/pkgconfig/libaccel.pc;
#	$(PREFIX)/include/libaccel: accel.h, edna_accel.h
#	(the rest of make install, the tools and the system files: mk/install.mk)
#   make check-install
#	install afresh into $(BUILD)/destdir with PREFIX=/usr, then build
#	$(BUILD)/examples/* against it (build/tests/install_test checks the
#	result and prints TAP)
# LIBACCEL_OBJS, LIBACCEL_A, LIBACCEL_SO and LIBACCEL_CFLAGS are set in the
# top Makefile, whose rules before this fragment name them as prerequisites.

PREFIX ?= /usr/local
# A distribution's multiarch directory, e.g. /usr/lib/x86_64-linux-gnu.
LIBDIR ?= $(PREFIX)/lib

# The version lives in accel.h, where applications can test it.
libaccel_version = $(shell sed -n 's/^.define ACCEL_VERSION_$(1)[[:space:]]\{1,\}\([0-9]\{1,\}\).*/\1/p' libaccel/accel.h)
LIBACCEL_VERSION := $(call libaccel_version,MAJOR).$(call libaccel_version,MINOR).$(call libaccel_version,PATCH)
LIBACCEL_SONAME := libaccel.so.$(call libaccel_version,MAJOR)
LIBACCEL_REAL := $(BUILD)/libaccel/libaccel.so.$(LIBACCEL_VERSION)
LIBACCEL_PC := $(BUILD)/libaccel/libaccel.pc
LIBACCEL_HEADERS := libaccel/accel.h uapi/drm/edna_accel.h

# Only functions marked ACCEL_EXPORT leave libaccel.so.
$(BUILD)/libaccel/%.o: libaccel/%.c $(LIBACCEL_HEADERS) libaccel/accel_internal.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -fvisibility=hidden -pthread $(LIBACCEL_CFLAGS) -c -o $@ $<

# Afresh: ar would keep the members of source files that are gone.
$(LIBACCEL_A): $(LIBACCEL_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(LIBACCEL_REAL): $(LIBACCEL_OBJS)
	$(CC) -shared -pthread -Wl,-soname,$(LIBACCEL_SONAME) -Wl,--no-undefined $(LDFLAGS) -o $@ $^ $(DRM_LIBS)

$(BUILD)/libaccel/$(LIBACCEL_SONAME): $(LIBACCEL_REAL)
	ln -sf $(notdir $<) $@

$(LIBACCEL_SO): $(BUILD)/libaccel/$(LIBACCEL_SONAME)
	ln -sf $(notdir $<) $@

# $(call libaccel_pc,PREFIX,LIBDIR)
libaccel_pc = sed -e 's|@PREFIX@|$(1)|' -e 's|@LIBDIR@|$(2)|' -e 's|@VERSION@|$(LIBACCEL_VERSION)|' \
	libaccel/libaccel.pc.in

# The build tree's copy is the one make install writes for $(PREFIX).
$(LIBACCEL_PC): libaccel/libaccel.pc.in libaccel/accel.h
	$(call libaccel_pc,$(PREFIX),$(LIBDIR)) > $@

.PHONY: install install-libaccel check-install

# Other fragments may hang their own install-* on install too.
install: install-libaccel

install-libaccel: $(LIBACCEL_REAL) $(LIBACCEL_A) $(LIBACCEL_HEADERS) libaccel/libaccel.pc.in
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/include/libaccel
	install -m 0644 $(LIBACCEL_REAL) $(DESTDIR)$(LIBDIR)/
	ln -sf libaccel.so.$(LIBACCEL_VERSION) $(DESTDIR)$(LIBDIR)/$(LIBACCEL_SONAME)
	ln -sf $(LIBACCEL_SONAME) $(DESTDIR)$(LIBDIR)/libaccel.so
	install -m 0644 $(LIBACCEL_A) $(DESTDIR)$(LIBDIR)/
	install -m 0644 $(LIBACCEL_HEADERS) $(DESTDIR)$(PREFIX)/include/libaccel/
	$(call libaccel_pc,$(PREFIX),$(LIBDIR)) > $(DESTDIR)$(LIBDIR)/pkgconfig/libaccel.pc
	chmod 0644 $(DESTDIR)$(LIBDIR)/pkgconfig/libaccel.pc

# A staged install, as a distribution package would make it.
LIBACCEL_STAGE := $(CURDIR)/$(BUILD)/destdir
LIBACCEL_STAGE_STAMP := $(LIBACCEL_STAGE)/.installed

$(LIBACCEL_STAGE_STAMP): $(LIBACCEL_REAL) $(LIBACCEL_A) $(LIBACCEL_HEADERS) libaccel/libaccel.pc.in
	rm -rf $(LIBACCEL_STAGE)
	$(MAKE) --no-print-directory install-libaccel DESTDIR=$(LIBACCEL_STAGE) PREFIX=/usr
	touch $@

# The examples see only what is installed: pkg-config finds libaccel.pc in
# the stage and puts its paths under it.  It puts libdrm's there too,
# where there is no libdrm: libdrm comes from this machine, as it would
# from a cross-compiler's sysroot.  The run path lets the examples run
# from the build tree (and in the test VM, which copies their libraries).
LIBACCEL_STAGE_PKG_CONFIG := PKG_CONFIG_PATH=$(LIBACCEL_STAGE)/usr/lib/pkgconfig \
	PKG_CONFIG_SYSROOT_DIR=$(LIBACCEL_STAGE) pkg-config
LIBACCEL_EXAMPLES := $(patsubst libaccel/examples/%.c,$(BUILD)/examples/%,$(wildcard libaccel/examples/*.c))

$(BUILD)/examples/%: libaccel/examples/%.c $(LIBACCEL_STAGE_STAMP)
	@mkdir -p $(dir $@)
	flags=$$($(LIBACCEL_STAGE_PKG_CONFIG) --cflags --libs libaccel) && \
	$(CC) $(CFLAGS) -o $@ $< $$flags $(DRM_CFLAGS) -lm -Wl,-rpath,$(LIBACCEL_STAGE)/usr/lib

check-install:
	rm -rf $(LIBACCEL_STAGE)
	$(MAKE) --no-print-directory $(LIBACCEL_EXAMPLES)

$(BUILD)/tests/install_test: libaccel/install_test.sh
	@mkdir -p $(dir $@)
	install -m 0755 $< $@

USERSPACE_EXTRA += $(LIBACCEL_EXAMPLES) $(BUILD)/tests/install_test
