#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-packages: build the Debian packages from a copy of the tree
# (dpkg-buildpackage -us -uc -b), run lintian on them, install them into a
# fresh bookworm root made by debootstrap from the machine's Debian mirror,
# and check there what they installed: the files, the udev rule, the
# render group, pkg-config --libs libaccel, and an example program linked
# against the installed library; then that installing a 6.12 kernel's
# headers has dkms build edna for it.  Prints TAP lines and the time of each
# stage; exits non-zero on failure.  Work and results: build/pkg (the
# .debs in build/pkg/debs, lintian's report in build/pkg/lintian.txt).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$top/build/pkg
root=$work/root
cache=$work/cache
arch=$(dpkg --print-architecture)
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
version=$(cd "$top" && dpkg-parsechangelog -S Version)
kver=$("$top/tools/kver.sh")
src=$work/src/edna-$version

"$top/tools/pkg/deps.sh" || exit 1

failed=0
log=$(mktemp)
unmount_root() {
	mountpoint -q "$root/var/cache/apt/archives" && umount "$root/var/cache/apt/archives"
	mountpoint -q "$root/proc" && umount "$root/proc"
}
cleanup() {
	unmount_root
	rm -f "$log"
}
trap cleanup EXIT

# result NAME: a TAP line for the checks logged since the last one.
bad=0
result() {
	if [ "$bad" -eq 0 ]; then
		echo "ok - edna_pkg.$1"
	else
		echo "not ok - edna_pkg.$1"
		sed 's/^/# /' "$log"
		failed=1
	fi
	bad=0
	: >"$log"
}
fail() {
	echo "$*" >>"$log"
	bad=1
}
# run CMD...: CMD's output goes to the log, which is shown only on failure.
run() {
	"$@" >>"$log" 2>&1 || fail "failed: $*"
}
elapsed() {
	echo "# $1: $(($(date +%s) - $2)) s"
}

# The mirror this machine's apt uses, so that nothing else is reached.
mirror=$(awk '$1 == "URIs:" { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

# Build from the files git knows (committed or not), not from build/.
t=$(date +%s)
rm -rf "$work/src" "$work/debs"
mkdir -p "$src" "$work/debs"
(cd "$top" && git ls-files -co --exclude-standard -z | xargs -0 tar -cf - --no-recursion) |
	tar -xf - -C "$src" || fail "copying the tree failed"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
	fail "dpkg-buildpackage failed; the end of build/pkg/build.log:"
	tail -n 30 "$work/build.log" >>"$log"
fi
mv "$work/src"/*.deb "$work/src"/*.changes "$work/src"/*.buildinfo "$work/debs/" 2>/dev/null
for p in edna-dkms libaccel0 libaccel-dev edna-tools; do
	ls "$work/debs/${p}_${version}_"*.deb >/dev/null 2>&1 || fail "no $p .deb"
done
result packages_build
elapsed "dpkg-buildpackage" "$t"

# Every tag lintian still reports is a failure; the ones that stay for a
# reason are overridden in debian/*.lintian-overrides, each with its reason.
t=$(date +%s)
lintian --info --display-info --pedantic "$work/debs/edna_${version}_$arch.changes" \
	>"$work/lintian.txt" 2>&1
grep -E '^[EWIP]: ' "$work/lintian.txt" >>"$log" && fail "lintian reports tags"
result lintian_clean
elapsed "lintian" "$t"

# A fresh root each time; the downloaded packages are kept in build/pkg/cache
# (debootstrap's) and build/pkg/apt-archives (apt's, in the root).
t=$(date +%s)
# A run stopped half-way may have left the mounts behind.
unmount_root
rm -rf --one-file-system "$root"
mkdir -p "$cache"
run debootstrap --variant=minbase --cache-dir="$cache" --include=gcc,libc6-dev,pkg-config \
	bookworm "$root" "$mirror"
result debootstrap_bookworm_root
elapsed "debootstrap" "$t"

in_root() {
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		DEBIAN_FRONTEND=noninteractive "$@"
}

# apt brings the dependencies (dkms, libdrm-dev, ...) from the archive.
t=$(date +%s)
mount -t proc proc "$root/proc"
# What apt downloads is kept too (the kernel's packages are 100 MB).
mkdir -p "$work/apt-archives/partial"
mount --bind "$work/apt-archives" "$root/var/cache/apt/archives"
# The machine's own Debian sources: the kernel headers come from the
# security suite.
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
	cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/"
	rm -f "$root/etc/apt/sources.list"
fi
mkdir -p "$root/tmp/debs"
cp "$work/debs"/*.deb "$root/tmp/debs/"
run in_root apt-get update -qq
run in_root apt-get install -y -qq --no-install-recommends /tmp/debs/edna-dkms_"$version"_all.deb \
	/tmp/debs/libaccel0_"$version"_"$arch".deb /tmp/debs/libaccel-dev_"$version"_"$arch".deb \
	/tmp/debs/edna-tools_"$version"_"$arch".deb
for p in edna-dkms libaccel0 libaccel-dev edna-tools; do
	s=$(in_root dpkg-query -W -f='${Status} ${Version}' "$p" 2>&1)
	[ "$s" = "install ok installed $version" ] || fail "$p: $s"
done
result packages_install
elapsed "install into the root" "$t"

# The files, where Debian puts them.
lib=/usr/lib/$triplet
so=$(sed -n 's/^#define ACCEL_VERSION_MAJOR[[:space:]]\{1,\}\([0-9]\{1,\}\).*/\1/p' \
	"$top/libaccel/accel.h")
for f in "$lib/libaccel.so.$version" "$lib/libaccel.a" "$lib/pkgconfig/libaccel.pc" \
		/usr/include/libaccel/accel.h /usr/include/libaccel/edna_accel.h \
		/etc/modprobe.d/edna.conf /lib/udev/rules.d/70-edna.rules \
		"/usr/src/edna-$version/dkms.conf" "/usr/src/edna-$version/Kbuild" \
		"/usr/src/edna-$version/driver/Kbuild" "/usr/src/edna-$version/driver/sim/Kbuild" \
		"/usr/src/edna-$version/uapi/drm/edna_accel.h"; do
	[ -f "$root$f" ] || fail "$f missing"
done
[ "$(readlink "$root$lib/libaccel.so.$so")" = "libaccel.so.$version" ] ||
	fail "libaccel.so.$so does not link to libaccel.so.$version"
[ "$(readlink "$root$lib/libaccel.so")" = "libaccel.so.$so" ] ||
	fail "libaccel.so does not link to libaccel.so.$so"
for tool in $(make -C "$top" -s --no-print-directory print-install-tools); do
	[ -x "$root/usr/bin/$tool" ] || fail "/usr/bin/$tool missing"
	[ -f "$root/usr/share/man/man1/$tool.1.gz" ] || fail "man page of $tool missing"
done
# Every source the top Kbuild reaches is in the DKMS tree.
for f in $(cd "$top" && git ls-files Kbuild driver uapi); do
	cmp -s "$top/$f" "$root/usr/src/edna-$version/$f" || fail "DKMS tree: $f differs or is missing"
done
result files_in_place

cmp -s "$top/dist/udev/70-edna.rules" "$root/lib/udev/rules.d/70-edna.rules" ||
	fail "the installed udev rule differs from dist/udev/70-edna.rules"
in_root getent group render >>"$log" 2>&1 || fail "no render group after edna-dkms's postinst"
in_root dkms status >"$work/dkms-status.txt" 2>&1
grep -q "^edna/$version" "$work/dkms-status.txt" || {
	fail "dkms does not know edna/$version:"
	cat "$work/dkms-status.txt" >>"$log"
}
result udev_rule_render_group_and_dkms

# A kernel arriving after edna-dkms, as at an upgrade: its headers'
# package runs dkms's kernel hook, which must build and install edna for
# it (AUTOINSTALL).  The kernel is the one make check-dkms builds for.
t=$(date +%s)
run in_root apt-get install -y -qq --no-install-recommends "linux-headers-$kver"
in_root dkms status >"$work/dkms-status.txt" 2>&1
grep -q "^edna/$version, $kver, [^:]*: installed" "$work/dkms-status.txt" || {
	fail "edna/$version is not installed for $kver:"
	cat "$work/dkms-status.txt" >>"$log"
}
for m in edna edna_sim; do
	ko=$(ls "$root/lib/modules/$kver/updates/dkms/$m.ko"* 2>/dev/null | head -n 1)
	if [ -z "$ko" ]; then
		fail "no $m.ko in /lib/modules/$kver/updates/dkms"
		continue
	fi
	vm=$(modinfo -F vermagic "$ko" | awk '{ print $1 }')
	[ "$vm" = "$kver" ] || fail "$m.ko: vermagic $vm, not $kver"
done
result dkms_builds_for_a_new_kernel
elapsed "kernel headers and the DKMS build" "$t"

libs=$(echo $(in_root pkg-config --libs libaccel 2>&1))
[ "$libs" = "-laccel" ] || fail "pkg-config --libs libaccel: '$libs'"
cflags=$(in_root pkg-config --cflags libaccel 2>&1)
case " $cflags " in
*" -I/usr/include/libaccel "*) ;;
*) fail "pkg-config --cflags libaccel: '$cflags'" ;;
esac
result pkg_config_libaccel

# An application of libaccel's, built in the root from what is installed.
cp "$top/libaccel/examples/two_op.c" "$root/tmp/"
run in_root sh -c 'gcc -std=c11 -Wall -Wextra -Werror -o /tmp/two_op /tmp/two_op.c \
	$(pkg-config --cflags --libs libaccel) -lm'
if [ -x "$root/tmp/two_op" ]; then
	needed=$(objdump -p "$root/tmp/two_op" | awk '$1 == "NEEDED" && $2 ~ /^libaccel/ { print $2 }')
	[ "$needed" = "libaccel.so.$so" ] || fail "two_op needs '$needed'"
	resolved=$(in_root ldd /tmp/two_op | awk '$1 == "libaccel.so.'"$so"'" { print $3 }')
	# /lib is /usr/lib on bookworm, where ldd may name either.
	case $resolved in
	"$lib/libaccel.so.$so" | "/lib/$triplet/libaccel.so.$so") ;;
	*) fail "two_op finds libaccel at '$resolved'" ;;
	esac
fi
# No device in the root: edna-info runs and says so.
out=$(in_root edna-info 2>&1)
case $out in
*"no edna device"*) ;;
*) fail "edna-info: '$out'" ;;
esac
result example_links_installed_libaccel

exit $failed
