#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The race tests again, on vCPUs that really run in parallel
# (tools/vm/run.sh with EDNA_VM_MTTCG=1): load the modules with one CPU
# online, bring the others online, then run the tests that race threads
# and processes on one file.  Prints TAP lines, named edna_*.mttcg_*.
cd "$(dirname "$0")"

modprobe edna_sim num_devices=2 && modprobe edna || exit 1
for c in /sys/devices/system/cpu/cpu[1-9]*/online; do
	[ -e "$c" ] && echo 1 > "$c"
done
n=$(grep -c ^processor /proc/cpuinfo)
if [ "$n" -ge 2 ]; then
	echo "ok - edna_hw.mttcg_cpus_online"
else
	echo "not ok - edna_hw.mttcg_cpus_online ($n)"
fi

# binary test...: each TAP result renamed so the tally tells the runs apart
run() {
	bin=$1
	shift
	for t in "$@"; do
		./"$bin" -t "$t" 2>&1 | sed -n 's/^\(not ok\|ok\) [0-9]* \(edna_[a-z]*\)\./\1 - \2.mttcg_/p'
	done
}

run edna_mem_test bo_create_survives_close_of_its_handle_by_another_thread \
	closed_buffer_memory_is_never_written_after_reuse
run edna_job_test wait_never_reports_a_job_done_before_it_ran \
	repeated_waits_on_a_failed_job_read_the_same_status \
	ten_thousand_jobs_none_lost_or_doubled \
	closing_with_jobs_in_flight_is_clean
