#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: the selftests of `make check`, inside the test VM, on
# the debug kernel of tools/debugk/build.sh (KASAN, lockdep, kmemleak, debug
# objects, ...), with a kmemleak scan at the end.  Prints every TAP line and
# ends with "N passed, N failed"; exits non-zero if anything failed, which
# includes any kernel splat and any leak kmemleak reports.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
out=build/debugk
log=$(mktemp)
tmp=$(mktemp -d)
trap 'rm -rf "$log" "$log.build" "$tmp"' EXIT

tap() {
	tee -a "$log"
}

if ! tools/debugk/build.sh; then
	echo "not ok - edna_hw.debugk_build" | tap
elif ! make -s userspace >"$log.build" 2>&1; then
	cat "$log.build"
	echo "not ok - edna_hw.build" | tap
else
	echo "ok - edna_hw.debugk_build" | tap
	kver=$(cat $out/kver)
	# The debug info stays in the build tree (for decode_stacktrace.sh);
	# the VM gets lean copies.
	mods=()
	for m in $out/src/driver/edna.ko $out/src/driver/sim/edna_sim.ko; do
		strip --strip-debug -o "$tmp/${m##*/}" "$m"
		mods+=(-M "$tmp/${m##*/}")
	done
	# Every KASAN report, not only the first; a task hung for 2 minutes
	# (a lock an oopsed task kept) panics, and the panic replays the whole
	# kernel log on the console, as the VM cannot report back then.
	cmdline="no_hash_pointers kasan_multi_shot hung_task_panic=1 panic_print=0x20"
	# A clean run takes about 8 minutes, most of it the fuzzers; past this,
	# vm_debug.sh takes the tests for hung, shows the blocked tasks and
	# crashes the VM.
	watchdog=${EDNA_DEBUGK_WATCHDOG:-1500}
	vm_files=()
	for f in build/selftests/* selftests/vm_main.sh selftests/edna_modules.sh \
			selftests/edna_udev_apply.sh dist/udev/70-edna.rules tools/debugk/vm_debug.sh; do
		vm_files+=(-f "$f")
	done
	# What check.sh gives the VM besides the selftests: libaccel's
	# example, the tools edna_decode and edna_bpf run, and the trained model.
	for f in build/examples/two_op build/tools/edna-run build/tools/edna-compile \
			models/edna-kjv.gguf models/edna-kjv.expected build/tools/edna-probes \
			build/tools/edna-top "$(command -v bpftool || echo /usr/sbin/bpftool)"; do
		[ -e "$f" ] && vm_files+=(-f "$f")
	done
	vm_files+=(-f "$(command -v sensors)")
	EDNA_VM_KVER=$kver EDNA_VM_KERNEL=$out/linux/arch/x86/boot/bzImage \
	EDNA_VM_MODDIR=$out/root/lib/modules/$kver \
	EDNA_VM_BASE_MODULES="drm drm_shmem_helper gpu-sched" \
	EDNA_VM_CMDLINE_EXTRA="$cmdline ${EDNA_VM_CMDLINE_EXTRA:-}" \
	EDNA_VM_KEEP_LOG=${EDNA_VM_KEEP_LOG:-$out/serial.log} \
		tools/vm/run.sh -t $((watchdog + 300)) "${mods[@]}" \
		"${vm_files[@]}" -- "sh ./vm_debug.sh $watchdog" 2>&1 | tap
	rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 0 ]; then
		echo "ok - edna_hw.vm_run_clean" | tap
	else
		echo "not ok - edna_hw.vm_run_clean (exit $rc)" | tap
		echo "# serial log: ${EDNA_VM_KEEP_LOG:-$out/serial.log}"
	fi
fi

passed=$(grep -cE '^ok ' "$log")
failed=$(grep -cE '^not ok ' "$log")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
