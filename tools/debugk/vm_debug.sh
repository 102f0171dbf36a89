#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the debug-kernel VM: the selftests of vm_main.sh, then a kmemleak
# scan.  Any leak it reports is a failed test (and, through the kmemleak line
# in the kernel log, a failed run).
#
# Usage: vm_debug.sh [WATCHDOG_SECONDS]
# If the tests still run after WATCHDOG_SECONDS (1500), a hang (a lock an
# oopsed task kept, a fence never signalled, in a killable wait the hung-task
# detector skips): the blocked tasks and the locks held go to the kernel log,
# then a crash whose panic replays the whole log on the console and ends the
# VM.
cd "$(dirname "$0")" || exit 1
kml=/sys/kernel/debug/kmemleak

(
	sleep "${1:-1500}"
	echo "vm_debug: tests still running after ${1:-1500} s: blocked tasks, held locks, crash"
	echo w >/proc/sysrq-trigger
	echo d >/proc/sysrq-trigger
	echo c >/proc/sysrq-trigger
) &
watchdog=$!

# The fuzzers at full size here, where KASAN, lockdep and kmemleak watch.
export EDNA_FUZZ_CALLS=${EDNA_FUZZ_CALLS:-100000}
export EDNA_FUZZ_GRAPHS=${EDNA_FUZZ_GRAPHS:-2000}
sh ./vm_main.sh

# kmemleak reports an object found unreferenced once it is 5 s old; the
# second scan catches what the first one saw too young or mid-update.
sleep 6
echo scan >$kml
echo scan >$kml
leaks=$(cat $kml)
if [ -z "$leaks" ]; then
	echo "ok - edna_hw.kmemleak_clean"
else
	echo "not ok - edna_hw.kmemleak_clean"
	echo "$leaks" | sed 's/^/# /'
fi
kill $watchdog
