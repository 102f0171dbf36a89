#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make bench, inside the VM: the reliability figures.  Counts, not ratios,
# each read off a selftest that asserts it; printed only when that test
# passed, else "bench: <test> FAILED" and its log.
#   fuzz_calls_survived   hostile ioctls (edna_fuzz, EDNA_FUZZ_CALLS of them)
#   faults_recovered      faults injected at random, each failing its job
#                         only (edna_fault.random_faults_...)
#   soak_jobs, soak_jobs_lost, soak_shmem_growth_kib
#                         64 clients with hangs injected (edna_soak); the
#                         growth is system-wide, the test allows 1 MiB

status=0

# run BINARY TEST: its output in $out; false, with the log shown, if it failed.
run() {
	if out=$("./$1" -t "$2" 2>&1); then
		return 0
	fi
	echo "bench: $1 -t $2 FAILED"
	echo "$out" | sed 's/^/# /'
	status=1
	return 1
}

if run edna_fuzz_test ioctls_with_random_arguments_leave_the_device_working_and_nothing_held; then
	echo "$out" | sed -n 's/.*:\([0-9]*\) calls (\([0-9]*\) succeeded.*/bench: fuzz_calls_survived=\1 (\2 succeeded)/p'
fi
if run edna_fault_test random_faults_fail_exactly_the_jobs_they_hit; then
	echo "$out" | sed -n 's/.*:\([0-9]*\) MMU faults, \([0-9]*\) bus errors, \([0-9]*\) device errors, \([0-9]*\) lost and \([0-9]*\) spurious.*/\1 \2 \3 \4 \5/p' |
		while read -r mmu bus dev lost spurious; do
			echo "bench: faults_recovered=$((mmu + bus + dev + lost + spurious)) ($mmu MMU faults, $bus bus errors, $dev device errors, $lost lost and $spurious spurious interrupts)"
		done
fi
if run edna_soak_test clients_lose_nothing_and_leak_nothing; then
	echo "$out" | sed -n 's/.*:\([0-9]*\) jobs: .* \([0-9]*\) lost or wrong.*/bench: soak_jobs=\1 soak_jobs_lost=\2/p'
	echo "$out" | sed -n 's/.*Shmem \([0-9]*\) KiB before, \([0-9]*\) KiB after.*/\1 \2/p' |
		while read -r before after; do
			growth=$((after - before))
			[ "$growth" -lt 0 ] && growth=0
			echo "bench: soak_shmem_growth_kib=$growth"
		done
fi
exit $status
