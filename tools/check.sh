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
			selftests/vm_race.sh; do
		vm_files+=(-f "$f")
	done
	tools/vm/run.sh -t 1200 -M driver/edna.ko -M driver/sim/edna_sim.ko \
		"${vm_files[@]}" -- 'sh ./vm_main.sh' 2>&1 | tap
	rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 0 ]; then
		echo "ok - edna_hw.vm_run_clean" | tap
	else
		echo "not ok - edna_hw.vm_run_clean (exit $rc)" | tap
	fi

	# The race tests again with vCPUs on host threads of their own: a
	# single-threaded TCG interleaves threads only at its time slices.
	EDNA_VM_MTTCG=1 tools/vm/run.sh -t 600 -M driver/edna.ko -M driver/sim/edna_sim.ko \
		"${vm_files[@]}" -- 'sh ./vm_race.sh' 2>&1 | tap
	rc=${PIPESTATUS[0]}
	if [ "$rc" -eq 0 ]; then
		echo "ok - edna_hw.mttcg_run_clean" | tap
	else
		echo "not ok - edna_hw.mttcg_run_clean (exit $rc)" | tap
	fi
fi
rm -f "$log.build"

passed=$(grep -cE '^ok ' "$log")
failed=$(grep -cE '^not ok ' "$log")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
