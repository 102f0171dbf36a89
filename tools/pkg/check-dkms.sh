#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-dkms: dkms add, build and install edna from the tree make
# install-dkms writes, for kernel KVER (its headers: /lib/modules/KVER/build),
# with dkms's source, build and install trees under build/dkms, so that
# nothing of the machine changes.  Checks that both modules were built for
# KVER and installed.  Prints TAP lines; exits non-zero on failure.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
kver=${1:?usage: check-dkms.sh KVER}
work=$top/build/dkms
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")

"$top/tools/pkg/deps.sh" || exit 1
rm -rf "$work"
mkdir -p "$work/src" "$work/tree" "$work/lib/$kver"
failed=0
step() {
	local name=$1
	shift
	if "$@" >"$work/$name.log" 2>&1; then
		echo "ok - edna_pkg.dkms_$name"
	else
		echo "not ok - edna_pkg.dkms_$name"
		sed 's/^/# /' "$work/$name.log"
		failed=1
	fi
}

trees=(--sourcetree "$work/src" --dkmstree "$work/tree" --installtree "$work/lib")
stage() {
	make -C "$top" --no-print-directory -s install-dkms DESTDIR="$work/stage" &&
		mv "$work/stage/usr/src/edna-$version" "$work/src/"
}
step stage stage
step add dkms add -m edna -v "$version" "${trees[@]}"
start=$(date +%s)
step build dkms build -m edna -v "$version" -k "$kver" "${trees[@]}"
echo "# dkms build: $(($(date +%s) - start)) s"
# Without depmod: that would write the machine's /lib/modules/KVER.
step install dkms install -m edna -v "$version" -k "$kver" "${trees[@]}" --no-depmod

vermagic_ok() {
	local ko
	for ko in "$@"; do
		[ -f "$ko" ] || { echo "$ko missing"; return 1; }
		local vm
		vm=$(modinfo -F vermagic "$ko" | awk '{ print $1 }')
		[ "$vm" = "$kver" ] || { echo "$ko: vermagic $vm, not $kver"; return 1; }
	done
}
built=$work/tree/edna/$version/$kver/x86_64/module
step modules_built_for_kver vermagic_ok "$built/edna.ko"* "$built/edna_sim.ko"*
step modules_installed vermagic_ok "$work/lib/$kver/updates/dkms/edna.ko"* \
	"$work/lib/$kver/updates/dkms/edna_sim.ko"*
exit $failed
