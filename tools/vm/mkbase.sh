#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test VM's base: a root tree and initramfs with busybox,
# tools/vm/init and the kernel modules edna needs (with their dependencies),
# decompressed; and the kernel itself unpacked from its bzImage.
#
# Usage: tools/vm/mkbase.sh KVER OUTDIR [MODDIR [KERNEL]]
# MODDIR and KERNEL default to Debian's /lib/modules/KVER and
# /boot/vmlinuz-KVER; EDNA_VM_BASE_MODULES replaces the list of modules.
# Produces OUTDIR/base-root/ (kept so run.sh can run depmod over it together
# with out-of-tree modules), OUTDIR/base.cpio and, if it could be unpacked,
# OUTDIR/vmlinux.
set -euo pipefail

kver=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
kmods=${3:-/lib/modules/$kver}
img=${4:-/boot/vmlinuz-$kver}

# DRM core and the helpers an accel driver may link against; vgem gives
# tests a second dma-buf exporter.  Dependencies are added from modules.dep.
want=${EDNA_VM_BASE_MODULES:-"drm drm_kms_helper drm_shmem_helper gpu-sched drm_exec drm_gpuvm
      drm_buddy drm_suballoc_helper vgem"}

# Build next to the final location and swap at the end, so an interrupted
# build never leaves a half-populated tree behind.
new=$out/base-root.new
rm -rf "$new"
mkdir -p "$new"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root,etc,opt/edna}
mkdir -p "$new/lib/modules/$kver"

# Nothing else in the image provides a C library, so busybox must be static.
bb=$(command -v busybox)
if ldd "$bb" >/dev/null 2>&1; then
	echo "mkbase: $bb is dynamically linked; install busybox-static" >&2
	exit 1
fi
cp "$bb" "$new/bin/busybox"
busybox --list-full | while read -r p; do
	case $p in */*) ;; *) continue ;; esac	# skip top-level linuxrc
	[ "$p" = bin/busybox ] || ln -s /bin/busybox "$new/$p"
done
install -m 755 "$here/init" "$new/init"

# Resolve the wanted names to modules.dep paths, then close over their
# dependencies (modules.dep lists them transitively, but don't rely on it).
declare -A dep path
while IFS=: read -r mod deps; do
	name=${mod##*/}
	name=${name%%.ko*}
	path[${name//-/_}]=$mod
	dep[$mod]=$deps
done <"$kmods/modules.dep"

todo=()
for w in $want; do
	p=${path[${w//-/_}]:-}
	[ -n "$p" ] || { echo "mkbase: module $w not in $kmods/modules.dep" >&2; exit 1; }
	todo+=("$p")
done
declare -A done_
while [ ${#todo[@]} -gt 0 ]; do
	m=${todo[0]}
	todo=("${todo[@]:1}")
	[ -z "${done_[$m]:-}" ] || continue
	done_[$m]=1
	# shellcheck disable=SC2206 # word splitting is the point
	todo+=(${dep[$m]})
done

for m in "${!done_[@]}"; do
	dst=$new/lib/modules/$kver/${m%.ko*}.ko
	mkdir -p "$(dirname "$dst")"
	case $m in
	*.ko.xz)  xz -dc "$kmods/$m" >"$dst" ;;
	*.ko.zst) zstd -qdc "$kmods/$m" >"$dst" ;;
	*.ko.gz)  gzip -dc "$kmods/$m" >"$dst" ;;
	*.ko)     cp "$kmods/$m" "$dst" ;;
	esac
done
# modules.builtin lets modprobe succeed quietly for built-in drivers.
for f in modules.builtin modules.builtin.modinfo modules.order; do
	[ ! -e "$kmods/$f" ] || cp "$kmods/$f" "$new/lib/modules/$kver/"
done
depmod -b "$new" "$kver"

rm -rf "$out/base-root"
mv "$new" "$out/base-root"
(cd "$out/base-root" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) \
	>"$out/base.cpio.new"
mv "$out/base.cpio.new" "$out/base.cpio"

# QEMU boots an uncompressed vmlinux directly through its PVH entry point,
# which skips the real-mode setup and decompressor: ~0.7 s less per run under
# TCG.  Find the payload by its compression magic; run.sh falls back to the
# bzImage if this fails.  Renamed into place, as concurrent runs may be
# starting QEMU on the old one.
for fmt in '\x28\xb5\x2f\xfd zstd' '\xfd7zXZ xz' '\x1f\x8b\x08 gzip'; do
	for off in $(LC_ALL=C grep -aboP "${fmt% *}" "$img" | cut -d: -f1); do
		tail -c +$((off + 1)) "$img" | ${fmt#* } -qdc >"$out/vmlinux.new" 2>/dev/null || true
		if [ "$(head -c4 "$out/vmlinux.new" | od -An -c | tr -d ' ')" = '177ELF' ]; then
			mv "$out/vmlinux.new" "$out/vmlinux"
			exit 0
		fi
	done
done
rm -f "$out/vmlinux.new" "$out/vmlinux"
