#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a shell command inside a throwaway QEMU VM booting the Debian kernel
# edna builds against, with a busybox initramfs, and return the command's
# output and exit status.  Kernel splats raised while it ran fail the run.
#
# Usage: tools/vm/run.sh [-t TIMEOUT] [-m MEM] [-M module.ko]...
#                        [-f HOSTPATH[:GUESTPATH]]... -- 'command'
#
# Exit status: the command's; 99 if it succeeded but the kernel splatted;
# 124 on timeout; 125 if the VM died before reporting; 2 on usage/setup errors.
# EDNA_VM_KEEP_LOG=path keeps the serial log, EDNA_VM_CMDLINE_EXTRA is
# appended to the kernel command line.
set -euo pipefail
# depmod lives in sbin, which ordinary users' PATH may lack.
PATH=$PATH:/usr/sbin:/sbin

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$top/build/vm

usage() {
	sed -n '8,9p' "$0" | sed 's/^# //' >&2
	exit 2
}
die() {
	echo "vm: $*" >&2
	exit 2
}

timeout=600
mem=1G
mods=()
files=()
while getopts t:m:M:f:h opt; do
	case $opt in
	t) timeout=$OPTARG ;;
	m) mem=$OPTARG ;;
	M) mods+=("$OPTARG") ;;
	f) files+=("$OPTARG") ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
cmd=$1

command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found; run tools/deps.sh"
kver=$("$top/tools/kver.sh" 2>/dev/null) || die "no Debian 6.12 kernel installed; run tools/deps.sh"
kernel=/boot/vmlinuz-$kver
[ -r "$kernel" ] || die "$kernel missing or unreadable; run tools/deps.sh"
for t in busybox cpio depmod xz flock; do
	command -v $t >/dev/null || die "$t not found; run tools/deps.sh"
done
for m in "${mods[@]}"; do
	[ -f "$m" ] || die "module $m not found"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/edna-vm.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Preparation shares build/vm with concurrent runs; serialise it (it takes
# well under a second once the base exists) but not the boot.
mkdir -p "$build"
exec 9>"$build/.lock"
flock 9

stamp="$kver $(stat -Lc '%s %Y' "$kernel" "$(command -v busybox)" | tr '\n' ' ')"
stamp="$stamp $(cd "$here" && sha256sum -- * | sha256sum)"
if [ ! -f "$build/base.cpio" ] || [ "$(cat "$build/stamp" 2>/dev/null)" != "$stamp" ]; then
	echo "vm: building $build/base.cpio for $kver" >&2
	"$here/mkbase.sh" "$kver" "$build"
	echo "$stamp" >"$build/stamp"
fi

# Per-run archive; the kernel unpacks it over the base one.
root=$tmp/root
mkdir -p "$root/etc/edna" "$root/opt/edna"
chmod 755 "$root"
nonce=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
echo "$nonce" >"$root/etc/edna/nonce"
printf '%s\n' "$cmd" >"$root/etc/edna/cmd"

if [ ${#mods[@]} -gt 0 ]; then
	# depmod must see the kernel's modules next to ours to resolve
	# dependencies; link them in rather than copying.
	moddir=lib/modules/$kver
	dep=$tmp/dep/$moddir
	mkdir -p "$dep/extra" "$root/$moddir"
	for f in "$build/base-root/$moddir"/{kernel,modules.builtin,modules.builtin.modinfo,modules.order}; do
		[ ! -e "$f" ] || ln -s "$f" "$dep/"
	done
	cp "${mods[@]}" "$dep/extra/"
	depmod -b "$tmp/dep" "$kver"
	cp -r "$dep/extra" "$root/$moddir/"
	find "$dep" -maxdepth 1 -type f -name 'modules.*' -exec cp {} "$root/$moddir/" \;
fi

# Copy a host file to the image, and for dynamic ELF executables the shared
# libraries and loader they need, at the same paths so the loader finds them.
put() {
	mkdir -p "$(dirname "$root$2")"
	cp -rL --preserve=mode "$1" "$root$2"
}
for spec in "${files[@]}"; do
	src=${spec%%:*}
	dst=${spec#"$src"}
	dst=${dst#:}
	[ -n "$dst" ] || dst=/opt/edna/$(basename "$src")
	[ "${dst#/}" != "$dst" ] || dst=/opt/edna/$dst
	[ -e "$src" ] || die "file $src not found"
	put "$src" "$dst"
	[ -f "$src" ] && [ "$(head -c4 "$src" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
	libs=$(ldd "$src" 2>/dev/null) || continue	# static, or not an executable
	if grep -q 'not found' <<<"$libs"; then
		die "$src: missing shared libraries: $(grep 'not found' <<<"$libs" | tr -s ' \t\n' ' ')"
	fi
	for lib in $(grep -o '/[^ ]*' <<<"$libs"); do
		[ -e "$root$lib" ] || put "$lib" "$lib"
	done
done

(cd "$root" && find . -mindepth 1 -print0 | cpio --null -o -H newc -R 0:0 --quiet) >"$tmp/run.cpio"
cat "$build/base.cpio" "$tmp/run.cpio" >"$tmp/initrd"

boot=$kernel
[ ! -f "$build/vmlinux" ] || boot=$build/vmlinux
flock -u 9

log=$tmp/serial.log
qrc=0
timeout -k 5 "$timeout" qemu-system-x86_64 \
	-accel tcg -cpu max -m "$mem" -smp 2 \
	-nodefaults -display none -monitor none -no-reboot \
	-serial "file:$log" \
	-kernel "$boot" -initrd "$tmp/initrd" \
	-append "console=ttyS0 quiet panic=-1 printk.devkmsg=on ${EDNA_VM_CMDLINE_EXTRA:-}" \
	</dev/null >"$tmp/qemu.out" 2>&1 || qrc=$?

touch "$log"
tr -d '\r' <"$log" >"$tmp/clean.log"
[ -z "${EDNA_VM_KEEP_LOG:-}" ] || cp "$tmp/clean.log" "$EDNA_VM_KEEP_LOG"

mark=@@edna-$nonce
rc=$(sed -n "s/^$mark-end rc=\([0-9]*\)@@\$/\1/p" "$tmp/clean.log")
if [ -z "$rc" ]; then
	if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
		echo "vm: timed out after ${timeout}s; serial log tail:" >&2
		qrc=124
	else
		echo "vm: the VM stopped before the command finished (qemu exit $qrc); serial log tail:" >&2
		cat "$tmp/qemu.out" >&2
		qrc=125
	fi
	tail -n 40 "$tmp/clean.log" >&2
	exit $qrc
fi

# The output is everything between the markers, minus the newline the VM
# puts before the end marker.
awk -v b="$mark-begin@@" -v e="$mark-end rc=" '
	index($0, e) == 1 { exit }
	on { printf "%s%s", (n++ ? "\n" : ""), $0 }
	$0 == b { on = 1 }' "$tmp/clean.log"

if grep -qx "$mark-dmesg@@" "$tmp/clean.log"; then
	echo "vm: kernel splat while running the command; dmesg:" >&2
	sed -n "/^$mark-dmesg@@\$/,/^$mark-dmesg-end@@\$/{//!p}" "$tmp/clean.log" >&2
	[ "$rc" -ne 0 ] || rc=99
fi
exit "$rc"
