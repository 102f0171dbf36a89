#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: build, run the host-side tests, then the selftests inside the
# test VM.  Prints every TAP line and ends with "N passed, N failed"; exits
# non-zero if anything failed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Output is shown as it comes and kept for the tally.
tap() {
	tee -a "$log"
}

if ! make -s all >"$log.build" 2>&1; then
	cat "$log.build"
	echo "not ok - edna_hw.build" | tap
else
	echo "ok - edna_hw.build" | tap
	tools/checkpatch.sh 2>&1 | tap
	if out=$(make -s sparse 2>&1 | grep -E ': (warning|error):'); then
		echo "not ok - edna_hw.sparse_and_w1_clean" | tap
		echo "$out" | sed 's/^/# /' | tap
	else
		echo "ok - edna_hw.sparse_and_w1_clean" | tap
	fi
	for t in build/tests/*_test; do
		"$t" 2>&1 | tap
	done

	vm_files=()
	for f in build/selftests/* selftests/vm_main.sh selftests/edna_modules.sh \
			selftests/vm_race.sh selftests/edna_udev_apply.sh dist/udev/70-edna.rules; do
		vm_files+=(-f "$f")
	done
	# The example, as built against the installed libaccel by install_test.
	[ -x build/examples/two_op ] && vm_files+=(-f build/examples/two_op)
	# edna_decode runs the tools, and the trained model once it is there.
	for f in build/tools/edna-run build/tools/edna-compile models/edna-kjv.gguf \
			models/edna-kjv.expected; do
		[ -e "$f" ] && vm_files+=(-f "$f")
	done
	# edna_bpf runs the probes' loader, edna-top and bpftool, as an operator would.
	for f in build/tools/edna-probes build/tools/edna-top "$(command -v bpftool || echo /usr/sbin/bpftool)"; do
		[ -e "$f" ] && vm_files+=(-f "$f")
	done
	# An operator's view of the power sensors.
	vm_files+=(-f "$(command -v sensors)")
	# vm NAME TIMEOUT SCRIPT: run SCRIPT in the VM; NAME passes if the
	# VM exits cleanly (no failure exit, no kernel splat).
	vm() {
		tools/vm/run.sh -t "$2" -M driver/edna.ko -M driver/sim/edna_sim.ko \
			"${vm_files[@]}" -- "sh ./$3" 2>&1 | tap
		rc=${PIPESTATUS[0]}
		if [ "$rc" -eq 0 ]; then
			echo "ok - edna_hw.$1" | tap
		else
			echo "not ok - edna_hw.$1 (exit $rc)" | tap
		fi
	}
	vm vm_run_clean 1200 vm_main.sh
	# The race tests again with vCPUs on host threads of their own: a
	# single-threaded TCG interleaves threads only at its time slices.
	EDNA_VM_MTTCG=1 vm mttcg_run_clean 600 vm_race.sh
fi
rm -f "$log.build"

passed=$(grep -cE '^ok ' "$log")
failed=$(grep -cE '^not ok ' "$log")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
