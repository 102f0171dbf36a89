#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# install_test: install libaccel into a staging directory and build the
# examples from it through pkg-config alone (make check-install), then
# check what was installed.  Prints TAP lines for tools/check.sh.
# Installed as build/tests/install_test by mk/libaccel.mk.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
stage=$top/build/destdir
lib=$stage/usr/lib
inc=$stage/usr/include/libaccel
example=$top/build/examples/two_op
log=$(mktemp)
trap 'rm -f "$log"' EXIT

version_part() {
	sed -n "s/^#define ACCEL_VERSION_$1[[:space:]]\{1,\}\([0-9]\{1,\}\).*/\1/p" \
		"$top/libaccel/accel.h"
}
major=$(version_part MAJOR)
version=$major.$(version_part MINOR).$(version_part PATCH)

# result NAME: TAP line for the checks logged since the last one.
failed=0
result() {
	if [ "$failed" -eq 0 ]; then
		echo "ok - edna_graph.$1"
	else
		echo "not ok - edna_graph.$1"
		sed 's/^/# /' "$log"
	fi
	failed=0
	: >"$log"
}
fail() {
	echo "$*" >>"$log"
	failed=1
}
stage_pkg_config() {
	PKG_CONFIG_PATH=$lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage pkg-config "$@"
}

echo "1..5"

if ! make -C "$top" --no-print-directory -s check-install >>"$log" 2>&1; then
	fail "make check-install failed"
elif [ ! -x "$example" ]; then
	fail "$example was not built"
fi
installed=$((1 - failed))
result libaccel_install_and_pkg_config

if [ "$installed" -eq 1 ]; then
	[ -f "$lib/libaccel.so.$version" ] && [ ! -L "$lib/libaccel.so.$version" ] ||
		fail "no regular file $lib/libaccel.so.$version"
	[ "$(readlink "$lib/libaccel.so.$major")" = "libaccel.so.$version" ] ||
		fail "libaccel.so.$major does not link to libaccel.so.$version"
	[ "$(readlink "$lib/libaccel.so")" = "libaccel.so.$major" ] ||
		fail "libaccel.so does not link to libaccel.so.$major"
	soname=$(objdump -p "$lib/libaccel.so.$version" 2>&1 | awk '$1 == "SONAME" { print $2 }')
	[ "$soname" = "libaccel.so.$major" ] || fail "SONAME is '$soname'"
	for f in "$lib/libaccel.a" "$inc/accel.h" "$inc/edna_accel.h" \
			"$lib/pkgconfig/libaccel.pc"; do
		[ -f "$f" ] || fail "$f missing"
	done
else
	fail "nothing installed"
fi
result libaccel_soname_symlinks_and_files

if [ "$installed" -eq 1 ]; then
	# Without the sysroot: the file as written, for PREFIX=/usr.
	prefix=$(PKG_CONFIG_PATH=$lib/pkgconfig pkg-config --variable=prefix libaccel)
	[ "$prefix" = /usr ] || fail "prefix is '$prefix', not /usr"
	modversion=$(PKG_CONFIG_PATH=$lib/pkgconfig pkg-config --modversion libaccel)
	[ "$modversion" = "$version" ] || fail "version is '$modversion', not $version"
	cflags=$(stage_pkg_config --cflags libaccel)
	case " $cflags " in
	*" -I$inc "*) ;;
	*) fail "--cflags '$cflags' lacks -I$inc" ;;
	esac
	libs=$(stage_pkg_config --libs libaccel)
	for flag in "-L$lib" -laccel; do
		case " $libs " in
		*" $flag "*) ;;
		*) fail "--libs '$libs' lacks $flag" ;;
		esac
	done
	case " $libs " in
	*" -ldrm "*) fail "--libs '$libs' names libdrm, which only libaccel needs" ;;
	esac
	static=$(stage_pkg_config --static --libs libaccel)
	for flag in -ldrm -pthread; do
		case " $static " in
		*" $flag "*) ;;
		*) fail "--static --libs '$static' lacks $flag" ;;
		esac
	done
else
	fail "nothing installed"
fi
result libaccel_pc_prefix_and_flags

if [ "$installed" -eq 1 ]; then
	exports=$(nm -D --defined-only "$lib/libaccel.so.$version" | awk '{ print $NF }')
	[ -n "$exports" ] || fail "no symbols exported"
	others=$(echo "$exports" | grep -v '^accel_')
	[ -z "$others" ] || fail "exported but not the API: $others"
	for f in accel_open accel_bo_alloc accel_graph_build accel_strerror; do
		echo "$exports" | grep -qx "$f" || fail "$f not exported"
	done
	for f in accel_device_init accel_bo_cpu_range; do
		echo "$exports" | grep -qx "$f" && fail "internal $f exported"
	done
else
	fail "nothing installed"
fi
result libaccel_exports_only_its_api

if [ "$installed" -eq 1 ]; then
	needed=$(objdump -p "$example" | awk '$1 == "NEEDED" && $2 ~ /^libaccel/ { print $2 }')
	[ "$needed" = "libaccel.so.$major" ] || fail "example needs '$needed'"
	resolved=$(ldd "$example" | awk '$1 == "libaccel.so.'"$major"'" { print $3 }')
	[ "$resolved" = "$lib/libaccel.so.$major" ] ||
		fail "example finds libaccel at '$resolved', not in the stage"
else
	fail "nothing installed"
fi
result libaccel_example_links_the_installed_soname
