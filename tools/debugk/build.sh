#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build edna's debug kernel (KASAN, lockdep, kmemleak, debug objects, fault
# injection, KUnit, irq_sim) from Debian's linux-source-6.12, with the
# patches of tools/debugk/patches/*.patch (kernel fixes edna's tests need,
# applied in name order with patch -p1), then edna's modules against it.
# The kernel is built once: again only when tools/debugk/debug.config, a
# patch or the linux-source version changes (5-10 minutes on two cores; a
# changed patch is taken out of the tree and the new one put in, so that
# the build stays incremental).  The modules are rebuilt every time
# (incrementally, but from scratch after a kernel build), from a copy of
# the sources, so the .ko files of `make modules` are not touched.
#
# Usage: tools/debugk/build.sh
# Produces, under build/debugk:
#   linux/               the kernel tree; linux/vmlinux has the debug info
#   root/lib/modules/KVER  its modules, debug info stripped
#   kver                 the kernel release, KVER
#   src/                 edna's modules built against it:
#                        src/driver/edna.ko, src/driver/sim/edna_sim.ko
# Progress goes to stderr; the kernel's build log to build/debugk/build.log.
set -euo pipefail
PATH=$PATH:/usr/sbin:/sbin

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$top/build/debugk
ksrc=$out/linux
frag=$here/debug.config
log=$out/build.log
jobs=$(nproc 2>/dev/null || echo 2)

die() {
	echo "debugk: $*" >&2
	exit 1
}

tarball=
for f in /usr/src/linux-source-6.12.tar.*; do
	[ -f "$f" ] && tarball=$f && break
done
[ -n "$tarball" ] || die "no /usr/src/linux-source-6.12.tar.*; install linux-source-6.12"
for t in gcc make bc flex bison perl patch depmod strip; do
	command -v $t >/dev/null || die "$t not found"
done
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null ||
	stat -Lc '%s %Y' "$tarball")
patches=()
for p in "$here"/patches/*.patch; do
	[ -f "$p" ] && patches+=("$p")
done
pstamp=$(for p in "${patches[@]}"; do
	echo "${p##*/} $(sha256sum <"$p" | cut -d' ' -f1)"
done | sha256sum | cut -d' ' -f1)
stamp="$srcver $(sha256sum <"$frag" | cut -d' ' -f1) $pstamp"
mkdir -p "$out"

# BTF needs pahole >= 1.16 (1.21 with DWARF 5); without it, go without BTF.
btf=y
pv=$(pahole --version 2>/dev/null | sed -n 's/^v\([0-9]*\)\.\([0-9]*\).*/\1\2/p')
if [ -z "$pv" ] || [ "$pv" -lt 121 ]; then
	echo "debugk: pahole missing or older than 1.21: no BTF" >&2
	btf=n
fi

# $pdir holds copies of the patches applied to the tree, and "complete"
# (their $pstamp) once every one of them is in.  No $pdir: the tree is as
# unpacked.
pdir=$ksrc/.edna-patches

# Take the patches of an earlier build out of the tree, unless they are
# today's.  False when that fails, or when an earlier run stopped half-way
# through patching: then the tree is unpacked afresh.
unpatch() {
	local old=() p i
	[ -d "$pdir" ] || return 0
	[ -f "$pdir/complete" ] || return 1
	[ "$(cat "$pdir/complete")" != "$pstamp" ] || return 0
	for p in "$pdir"/*.patch; do
		[ -f "$p" ] && old+=("$p")
	done
	for ((i = ${#old[@]} - 1; i >= 0; i--)); do
		echo "debugk: taking out ${old[i]##*/}" >&2
		patch -d "$ksrc" -p1 -R -f --fuzz=0 --no-backup-if-mismatch -r - \
			-i "${old[i]}" >>"$log" 2>&1 || return 1
	done
	rm -rf "$pdir"
}

apply_patches() {
	local p
	[ "$(cat "$pdir/complete" 2>/dev/null)" != "$pstamp" ] || return 0
	mkdir -p "$pdir"
	for p in "${patches[@]}"; do
		echo "debugk: applying ${p##*/}" >&2
		if ! patch -d "$ksrc" -p1 -f --fuzz=0 --no-backup-if-mismatch -r - \
				-i "$p" >>"$log" 2>&1; then
			tail -n 20 "$log" >&2
			die "${p##*/} does not apply to linux-source-6.12 $srcver; see $log"
		fi
		cp "$p" "$pdir/"
	done
	echo "$pstamp" >"$pdir/complete"
}

configure() {
	make -C "$ksrc" -s tinyconfig >>"$log" 2>&1
	(cd "$ksrc" && scripts/kconfig/merge_config.sh -m .config "$frag") >>"$log" 2>&1
	if [ $btf = n ]; then
		"$ksrc/scripts/config" --file "$ksrc/.config" \
			-d DEBUG_INFO_BTF -d DEBUG_INFO_BTF_MODULES
	fi
	make -C "$ksrc" -s olddefconfig >>"$log" 2>&1
	# Every line of the fragment must have survived (a missing dependency
	# drops an option silently).
	local bad=0 line sym
	while read -r line; do
		case $line in
		CONFIG_*=*) sym=${line%%=*} ;;
		"# CONFIG_"*" is not set") sym=${line#\# }; sym=${sym%% *} ;;
		*) continue ;;
		esac
		case $btf:$sym in n:CONFIG_DEBUG_INFO_BTF*) continue ;; esac
		if [ "${line#\#}" != "$line" ]; then
			! grep -q "^$sym=" "$ksrc/.config" && continue
		else
			grep -qxF -- "$line" "$ksrc/.config" && continue
		fi
		echo "debugk: $line did not survive: $(grep "^$sym=\|^# $sym " "$ksrc/.config" || echo unset)" >&2
		bad=1
	done <"$frag"
	[ $bad -eq 0 ] || die "config fragment not honoured; see $log"
}

if [ ! -f "$out/stamp" ] || [ "$(cat "$out/stamp")" != "$stamp" ] ||
		[ ! -f "$ksrc/arch/x86/boot/bzImage" ]; then
	: >"$log"
	if [ "$(cat "$ksrc/.edna-srcver" 2>/dev/null)" != "$srcver" ] || ! unpatch; then
		echo "debugk: unpacking $tarball" >&2
		rm -rf "$ksrc" "$out/linux.new"
		mkdir -p "$out/linux.new"
		tar -xf "$tarball" -C "$out/linux.new" --strip-components=1
		echo "$srcver" >"$out/linux.new/.edna-srcver"
		mv "$out/linux.new" "$ksrc"
	fi
	rm -f "$out/stamp"
	apply_patches
	configure
	echo "debugk: building the debug kernel with $jobs jobs (5-10 minutes); log: $log" >&2
	start=$SECONDS
	if ! make -C "$ksrc" -j"$jobs" bzImage modules >>"$log" 2>&1; then
		if [ $btf = y ] && grep -qiE 'pahole|btf' <(tail -n 30 "$log"); then
			echo "debugk: the build failed generating BTF; going on without BTF" >&2
			btf=n
			configure
			make -C "$ksrc" -j"$jobs" bzImage modules >>"$log" 2>&1 ||
				{ tail -n 40 "$log" >&2; die "kernel build failed; see $log"; }
		else
			tail -n 40 "$log" >&2
			die "kernel build failed; see $log"
		fi
	fi
	kver=$(make -C "$ksrc" -s kernelrelease)
	rm -rf "$out/root"
	make -C "$ksrc" -s INSTALL_MOD_PATH="$out/root" INSTALL_MOD_STRIP=1 \
		modules_install >>"$log" 2>&1 || die "modules_install failed; see $log"
	echo "$kver" >"$out/kver"
	echo "$stamp" >"$out/stamp"
	echo "debugk: kernel $kver built in $((SECONDS - start)) s" >&2
fi

# edna's modules, from a copy of the sources: Kbuild writes its objects next
# to them.  Copy only what changed, so that the build stays incremental.
src=$out/src
mkdir -p "$src"
cd "$top"
files=$(find Kbuild driver uapi -type f \( -name Kbuild -o -name '*.[ch]' \) \
	! -name '*.mod.c' | sort)
for f in $files; do
	if ! cmp -s "$f" "$src/$f"; then
		mkdir -p "$(dirname "$src/$f")"
		cp "$f" "$src/$f"
	fi
done
(cd "$src" && find Kbuild driver uapi -type f \( -name Kbuild -o -name '*.[ch]' \) \
	! -name '*.mod.c' 2>/dev/null | sort) | while read -r f; do
	[ -e "$top/$f" ] || rm -f "$src/$f"
done
# Kbuild does not rebuild external modules for a new vmlinux, and their BTF
# is relative to its own: start afresh after every kernel build.
kstamp="$(cat "$out/stamp") $(stat -c %Y "$ksrc/vmlinux")"
if [ "$(cat "$src/.kernel" 2>/dev/null)" != "$kstamp" ]; then
	make -C "$ksrc" -s M="$src" clean
	echo "$kstamp" >"$src/.kernel"
fi
make -C "$ksrc" -s M="$src" W=1 -j"$jobs" modules >&2 ||
	die "edna modules failed to build against the debug kernel"
