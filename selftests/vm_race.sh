#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The selftests again, on vCPUs that really run in parallel
# (tools/vm/run.sh with EDNA_VM_MTTCG=1): load the modules with one CPU
# online, bring the others online, then run every test binary; the race
# tests (threads and processes on one file) are the point.  Prints TAP
# lines, named edna_*.mttcg_*.
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

# Every selftest binary again, each TAP result renamed so that the tally
# tells the runs apart.  Not the module lifecycle script: loading modules
# patches kernel text, which this VM must not do with two CPUs online.
for t in ./edna_*_test; do
	[ -x "$t" ] || continue
	# edna_bpf attaches to tracepoints, which patches kernel text too.
	[ "$t" = ./edna_bpf_test ] && continue
	# edna_decode's numerics take a minute of TCG and race nothing: only
	# its two clients decoding at once run again here.
	args=
	[ "$t" = ./edna_decode_test ] && args="-t two_processes_decode_different_models_at_once"
	# Results, renamed; and the harness's file:line diagnostics, which
	# say why a test failed.
	"$t" $args 2>&1 | sed -n -e 's/^\(not ok\|ok\) [0-9]* \(edna_[a-z_]*\)\./\1 - \2.mttcg_/p' \
		-e '/^# [a-z_/]*\.c:[0-9]*:/p'
done
