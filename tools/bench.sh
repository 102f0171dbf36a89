#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: run the benchmarks inside the test VM; every figure is a
# ratio against a baseline measured in the same run.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
make -s all
build/bench/host-roofline	# on the host: the op kernels against this machine's DRAM
build/bench/host-decode-roofline	# on the host: a 1 GiB model decoded by the same kernels
tools/vm/run.sh -t 1200 -M driver/edna.ko -M driver/sim/edna_sim.ko -f build/bench/edna-bench \
	-f build/bench/graph-bench -f build/bench/decode-bench -f build/bench/power-bench -- '
modprobe edna_sim && modprobe edna && ./edna-bench && ./graph-bench && ./decode-bench &&
./power-bench'
# The probes' overhead: guest time counted in guest instructions
# (icount), so that the other work of this machine cannot move the ratio.
EDNA_VM_QEMU_EXTRA="-icount shift=3" tools/vm/run.sh -t 900 -M driver/edna.ko \
	-M driver/sim/edna_sim.ko -f build/bench/probe-bench -- '
modprobe edna_sim && modprobe edna && ./probe-bench'
# Reliability, as counts: fuzz calls survived, faults recovered, jobs lost.
tools/vm/run.sh -t 900 -M driver/edna.ko -M driver/sim/edna_sim.ko \
	-f build/selftests/edna_fuzz_test -f build/selftests/edna_fault_test \
	-f build/selftests/edna_soak_test -f bench/reliability.sh -- '
modprobe edna_sim num_devices=2 && modprobe edna && sh ./reliability.sh'
