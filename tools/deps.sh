#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install, idempotently, everything edna needs from Debian bookworm: the
# newest 6.12 kernel (headers to build against, image and modules for the
# test VM), the kernel source (kselftest headers, checkpatch), QEMU, the
# initramfs tools and the userspace libraries.  Quick when already done.
set -euo pipefail

packages=(build-essential pkg-config bc flex bison libelf-dev dwarves
	  qemu-system-x86 busybox-static cpio kmod zstd xz-utils
	  libdrm-dev libbpf-dev bpftool clang llvm libncurses-dev sparse python3 lm-sensors)

kver_newest() {
	apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' |
		awk '{ print $1 }' | sed 's/^linux-headers-//' | sort -V | tail -n 1
}

installed_kver() {
	# A headers tree with its matching image already here is enough.
	local d
	for d in $(ls -d /usr/src/linux-headers-6.12.*+deb12-amd64 2>/dev/null | sort -V -r); do
		local v=${d#/usr/src/linux-headers-}
		if [ -e "/boot/vmlinuz-$v" ] && [ -d "/lib/modules/$v/kernel/drivers/gpu/drm" ]; then
			echo "$v"
			return
		fi
	done
}

missing=()
for p in "${packages[@]}" linux-source-6.12; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
kver=$(installed_kver)

if [ ${#missing[@]} -eq 0 ] && [ -n "$kver" ]; then
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if [ -z "$kver" ] || [ ${#missing[@]} -ne 0 ]; then
	apt-get update -qq || true
fi
if [ -z "$kver" ]; then
	kver=$(kver_newest)
	[ -n "$kver" ] || { echo "deps: no linux-headers-6.12.*+deb12-amd64 in the archive" >&2; exit 1; }
	# The unsigned image brings /boot/vmlinuz and /lib/modules without
	# pulling in a bootloader; the VM boots it directly.
	missing+=("linux-headers-$kver" "linux-image-$kver-unsigned")
fi
# Nothing here boots this machine, so skip initramfs generation.
apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confdef \
	"${missing[@]}" >/dev/null
echo "deps: installed ${missing[*]}"
