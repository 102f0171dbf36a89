#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a shell command inside a throwaway QEMU VM booting the Debian kernel
# edna builds against, with a busybox initramfs, and return the command's
# output and exit status.  Kernel splats raised while it ran fail the run.
#
# Usage: tools/vm/run.sh [-t TIMEOUT] [-m MEM] [-M module.ko]...
#                        [-f HOSTPATH[:GUESTPATH]]... -- 'command'
#   -t  seconds before the VM is killed (600)     -m  guest memory (1G)
#   -M  out-of-tree module, installed under /lib/modules/KVER/extra
#   -f  file to copy in, to GUESTPATH (default /opt/edna/<basename>; relative
#       paths are under /opt/edna); ELF executables bring their libraries
# The command runs under busybox sh in /opt/edna, which is on PATH.
#
# Exit status: the command's; 99 if it succeeded but the kernel splatted;
# 124 on timeout; 125 if the VM died before reporting; 2 on usage/setup errors.
# EDNA_VM_KEEP_LOG=path keeps the serial log, EDNA_VM_CMDLINE_EXTRA is
# appended to the kernel command line, EDNA_VM_SMP sets the vCPU count (2;
# 1 is faster where vCPUs would wait on each other's time slices),
# EDNA_VM_MTTCG=1 gives each vCPU a host thread of its own (real
# parallelism, for race tests) and boots with only CPU 0 online: the
# command brings the others online once the modules are loaded (see below).
# EDNA_VM_QEMU_EXTRA is appended to QEMU's options (e.g. "-icount shift=3":
# guest time counts guest instructions, so that a ratio of rates does not
# depend on the load of the machine running the VM).
# Another kernel than Debian's (tools/debugk): EDNA_VM_KVER is its release,
# EDNA_VM_KERNEL its bzImage, EDNA_VM_MODDIR its /lib/modules/KVER tree and
# EDNA_VM_BASE_MODULES the modules the base image holds (default: the DRM
# helpers mkbase.sh lists); its base is kept in build/vm-KVER.
set -euo pipefail
# depmod lives in sbin, which ordinary users' PATH may lack.
PATH=$PATH:/usr/sbin:/sbin

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$top/build/vm${EDNA_VM_KVER:+-$EDNA_VM_KVER}

usage() {
	sed -n '8,/^set /p' "$0" | sed -n 's/^# \{0,1\}//p' >&2
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
if [ -n "${EDNA_VM_KVER:-}" ]; then
	kver=$EDNA_VM_KVER
	kernel=${EDNA_VM_KERNEL:-}
	kmods=${EDNA_VM_MODDIR:-}
	[ -r "$kernel" ] || die "EDNA_VM_KERNEL=$kernel missing or unreadable"
	[ -f "$kmods/modules.dep" ] || die "EDNA_VM_MODDIR=$kmods has no modules.dep"
else
	kver=$("$top/tools/kver.sh" 2>/dev/null) || die "no Debian 6.12 kernel installed; run tools/deps.sh"
	kernel=/boot/vmlinuz-$kver
	kmods=/lib/modules/$kver
	[ -r "$kernel" ] || die "$kernel missing or unreadable; run tools/deps.sh"
fi
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
stamp="$stamp $(cd "$here" && sha256sum -- * | sha256sum)${EDNA_VM_BASE_MODULES:+ $EDNA_VM_BASE_MODULES}"
if [ ! -f "$build/base.cpio" ] || [ "$(cat "$build/stamp" 2>/dev/null)" != "$stamp" ]; then
	echo "vm: building $build/base.cpio for $kver" >&2
	"$here/mkbase.sh" "$kver" "$build" "$kmods" "$kernel"
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
is_elf() {
	[ -f "$1" ] && [ "$(head -c4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]
}
for spec in "${files[@]}"; do
	src=${spec%%:*}
	dst=${spec#"$src"}
	dst=${dst#:}
	[ -n "$dst" ] || dst=/opt/edna/$(basename "$src")
	[ "${dst#/}" != "$dst" ] || dst=/opt/edna/$dst
	[ -e "$src" ] || die "file $src not found"
	put "$src" "$dst"
	is_elf "$src" || continue
	libs=$(ldd "$src" 2>/dev/null) || continue	# static, or not an executable
	if grep -q 'not found' <<<"$libs"; then
		die "$src: missing shared libraries: $(grep 'not found' <<<"$libs" | tr -s ' \t\n' ' ')"
	fi
	for lib in $(grep -o '/[^ ]*' <<<"$libs"); do
		[ -e "$root$lib" ] || put "$lib" "$lib"
		# A library of the build tree may sit under a path the guest
		# mounts over (/tmp): the loader falls back to /usr/lib.
		case $lib in
		/lib/* | /lib64/* | /usr/lib/*) ;;
		*) [ -e "$root/usr/lib/${lib##*/}" ] || put "$lib" "/usr/lib/${lib##*/}" ;;
		esac
	done
done

(cd "$root" && find . -mindepth 1 -print0 | cpio --null -o -H newc -R 0:0 --quiet) >"$tmp/run.cpio"
cat "$build/base.cpio" "$tmp/run.cpio" >"$tmp/initrd"

boot=$kernel
[ ! -f "$build/vmlinux" ] || boot=$build/vmlinux
flock -u 9

log=$tmp/serial.log
qrc=0
# By default one host thread runs all vCPUs in turn: with a thread per
# vCPU, QEMU 7.2 lets a vCPU run stale code while another patches the
# kernel text (static keys: tracepoints, dyndbg, module load), which oopses
# on a leftover int3.  EDNA_VM_MTTCG=1 sidesteps that instead: the kernel
# boots with one CPU online and patches its text with nobody else running;
# the command onlines the rest once the modules are in, and then must not
# flip static keys (no tracing, no dynamic debug).
tcg=thread=single
if [ "${EDNA_VM_MTTCG:-0}" = 1 ]; then
	tcg=thread=multi
	EDNA_VM_CMDLINE_EXTRA="maxcpus=1 ${EDNA_VM_CMDLINE_EXTRA:-}"
fi
# In the background so that an interrupted run can stop the VM right away.
timeout -k 5 "$timeout" qemu-system-x86_64 \
	-accel tcg,$tcg -cpu max -m "$mem" -smp "${EDNA_VM_SMP:-2}" ${EDNA_VM_QEMU_EXTRA:-} \
	-nodefaults -display none -monitor none -no-reboot \
	-serial "file:$log" \
	-kernel "$boot" -initrd "$tmp/initrd" \
	-append "console=ttyS0 quiet panic=-1 printk.devkmsg=on log_buf_len=4M ${EDNA_VM_CMDLINE_EXTRA:-}" \
	</dev/null >"$tmp/qemu.out" 2>&1 &
qpid=$!
trap 'kill "$qpid" 2>/dev/null; exit 130' INT
trap 'kill "$qpid" 2>/dev/null; exit 143' TERM
wait "$qpid" || qrc=$?

touch "$log"
tr -d '\r' <"$log" >"$tmp/clean.log"
[ -z "${EDNA_VM_KEEP_LOG:-}" ] || cp "$tmp/clean.log" "$EDNA_VM_KEEP_LOG"

# The output is everything after the begin marker, up to the end marker
# minus the newline the VM puts before it; or up to where the VM stopped.
mark=@@edna-$nonce
awk -v b="$mark-begin@@" -v e="$mark-end rc=" '
	index($0, e) == 1 { ended = 1; exit }
	on { printf "%s%s", (n++ ? "\n" : ""), $0 }
	$0 == b { on = 1 }
	END { if (n && !ended) print "" }' "$tmp/clean.log"

# Done is the last marker: missing means the VM hung or died (a panic, even
# one after the command finished) before the splat check completed.
if ! grep -qx "$mark-done@@" "$tmp/clean.log"; then
	if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
		echo "vm: timed out after ${timeout}s; serial log tail:" >&2
		qrc=124
	else
		echo "vm: the VM stopped before reporting back (qemu exit $qrc); serial log tail:" >&2
		cat "$tmp/qemu.out" >&2
		qrc=125
	fi
	tail -n 40 "$tmp/clean.log" >&2
	exit $qrc
fi

rc=$(sed -n "s/^$mark-end rc=\([0-9]*\)@@\$/\1/p" "$tmp/clean.log")
if grep -qx "$mark-dmesg@@" "$tmp/clean.log"; then
	echo "vm: kernel splat while running the command; dmesg:" >&2
	sed -n "/^$mark-dmesg@@\$/,/^$mark-dmesg-end@@\$/{//!p}" "$tmp/clean.log" >&2
	[ "$rc" -ne 0 ] || rc=99
fi
exit "$rc"
