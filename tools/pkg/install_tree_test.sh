#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# install_tree_test: make install and make install-dkms into a staging
# directory, and check the result: every tool of INSTALL_TOOLS with its
# man page, the udev rule and what it matches, the modprobe.d example
# against the modules' parameters, and one version everywhere.  Prints TAP
# lines for tools/check.sh.  Installed as build/tests/install_tree_test
# by mk/install.mk.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
stage=$top/build/destdir-all
log=$(mktemp)
tmp=$(mktemp -d)
trap 'rm -f "$log"; rm -rf "$tmp"' EXIT

failed=0
result() {
	if [ "$failed" -eq 0 ]; then
		echo "ok - edna_pkg.$1"
	else
		echo "not ok - edna_pkg.$1"
		sed 's/^/# /' "$log"
	fi
	failed=0
	: >"$log"
}
fail() {
	echo "$*" >>"$log"
	failed=1
}

version_part() {
	sed -n "s/^#define ACCEL_VERSION_$1[[:space:]]\{1,\}\([0-9]\{1,\}\).*/\1/p" \
		"$top/libaccel/accel.h"
}
version=$(version_part MAJOR).$(version_part MINOR).$(version_part PATCH)
tools=$(make -C "$top" -s --no-print-directory print-install-tools)

echo "1..6"

rm -rf "$stage"
make -C "$top" --no-print-directory -s install install-dkms DESTDIR="$stage" PREFIX=/usr \
	>>"$log" 2>&1 || fail "make install install-dkms failed"
result make_install_with_destdir

for t in edna-info edna-run edna-compile; do
	case " $tools " in
	*" $t "*) ;;
	*) fail "$t is not in INSTALL_TOOLS" ;;
	esac
done
for t in $tools; do
	[ -x "$stage/usr/bin/$t" ] || fail "/usr/bin/$t missing or not executable"
	man=$stage/usr/share/man/man1/$t.1
	if [ ! -f "$man" ]; then
		fail "no man page $man"
		continue
	fi
	grep -q "^\.TH $(echo "$t" | tr a-z A-Z) 1 .*\"edna $version\"" "$man" ||
		fail "$t.1: no .TH line for section 1 of edna $version"
	# groff's warnings (-ww) name every macro or escape it cannot read.
	warn=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$man" 2>&1)
	[ -z "$warn" ] || fail "$t.1: $warn"
done
# Tools that take --help answer it and exit 0, their libraries all found.
for t in edna-run edna-compile edna-ref-decode; do
	[ -x "$stage/usr/bin/$t" ] || continue
	"$stage/usr/bin/$t" --help >"$tmp/help" 2>&1 || fail "$t --help failed"
	grep -q "^usage: $t " "$tmp/help" || fail "$t --help: $(head -n 1 "$tmp/help")"
done
result tools_and_man_pages

rules=$stage/etc/udev/rules.d/70-edna.rules
[ -f "$rules" ] && [ "$(stat -c %a "$rules")" = 644 ] ||
	fail "no 0644 $rules"
# A fake sysfs: accel0 on a platform device bound to edna, accel1 on a PCI
# device of another driver, accel2 on an edna PCI device; the rule must
# take the first and the last only.
sys=$tmp/sys
fake_accel() {	# NAME PARENT DRIVER
	mkdir -p "$sys/devices/$2/accel/$1" "$sys/bus/drivers/$3" "$sys/class/accel"
	ln -s "$sys/bus/drivers/$3" "$sys/devices/$2/driver"
	ln -s "../../devices/$2/accel/$1" "$sys/class/accel/$1"
}
mkdir -p "$sys/devices/pci0000:00"
fake_accel accel0 edna_sim.0/edna.0 edna
fake_accel accel1 pci0000:00/0000:00:02.0 ivpu
fake_accel accel2 pci0000:00/0000:00:03.0 edna
matched=$(EDNA_UDEV_DRY_RUN=1 sh "$top/selftests/edna_udev_apply.sh" "$rules" "$sys" /dev 2>&1)
expected="/dev/accel/accel0 render 0660
/dev/accel/accel2 render 0660"
[ "$matched" = "$expected" ] || fail "the rule gave '$matched', not '$expected'"
result udev_rule_takes_only_edna_nodes

conf=$stage/etc/modprobe.d/edna.conf
if [ -f "$conf" ]; then
	# Parameters as the modules declare them, each documented, none made up.
	for ko in "$top/driver/edna.ko" "$top/driver/sim/edna_sim.ko"; do
		[ -f "$ko" ] || { fail "$ko not built"; continue; }
		mod=$(basename "$ko" .ko)
		for p in $(/sbin/modinfo -F parm "$ko" | cut -d: -f1); do
			grep -q "^#options $mod $p=" "$conf" || fail "$conf: no line for $mod $p"
		done
		for p in $(sed -n "s/^#options $mod \([a-z_]*\)=.*/\1/p" "$conf"); do
			/sbin/modinfo -F parm "$ko" | grep -q "^$p:" ||
				fail "$conf: $mod has no parameter $p"
		done
	done
	# An example: nothing in effect until the administrator says so.
	grep -q '^options' "$conf" && fail "$conf sets options"
else
	fail "no $conf"
fi
result modprobe_conf_documents_every_parameter

dkms=$stage/usr/src/edna-$version
for f in dkms.conf Kbuild driver/Kbuild driver/sim/Kbuild uapi/drm/edna_accel.h; do
	[ -f "$dkms/$f" ] || fail "$dkms/$f missing"
done
# What git knows of the modules' sources, and nothing Kbuild generated.
for f in $(cd "$top" && git ls-files Kbuild driver uapi); do
	cmp -s "$top/$f" "$dkms/$f" || fail "$dkms/$f differs or is missing"
done
generated=$(find "$dkms" -name '*.mod.c' -o -name '*.o' -o -name '*.ko')
[ -z "$generated" ] || fail "build products in the DKMS tree: $generated"
result dkms_tree

dkms_version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
[ "$dkms_version" = "$version" ] || fail "dkms.conf says $dkms_version, accel.h $version"
deb_version=$(sed -n '1s/^edna (\([^)]*\)).*/\1/p' "$top/debian/changelog")
[ "$deb_version" = "$version" ] || fail "debian/changelog says $deb_version, accel.h $version"
result one_version_everywhere
