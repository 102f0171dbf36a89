#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: build everything, boot the test VM, load the modules and show
# what the device reports.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

make -s all
echo "== booting the test VM (QEMU, TCG) =="
tools/vm/run.sh -M driver/edna.ko -M driver/sim/edna_sim.ko \
	-f build/tools/edna-info -- '
set -e
modprobe edna_sim
modprobe edna
echo "== /dev/accel =="
ls -l /dev/accel
echo "== dmesg =="
dmesg | grep -E "edna" | grep -v taint
echo "== edna-info (GET_PARAM / QUERY through libaccel) =="
./edna-info
'

# Then text from the trained demo model (Documentation/demo-model.rst),
# generated on the simulated accelerator, with edna-run's figures; watched
# by the BPF probes, whose maps and edna-top end the demo
# (Documentation/observability.rst).
model=${EDNA_DEMO_MODEL:-models/edna-kjv.gguf}
bpftool=$(command -v bpftool || echo /usr/sbin/bpftool)
files=(-f build/tools/edna-probes -f build/tools/edna-top -f "$bpftool")
if [ -r "$model" ]; then
	echo "== edna-run: $(basename "$model") on the simulated accelerator =="
	files+=(-f build/tools/edna-run -f "$model:demo/$(basename "$model")")
	workload='./edna-run demo/*.gguf -p "And God said" -n 64'
else
	echo "== edna-run: skipped: $model is not there yet (tools/train/train.py makes it) =="
	files+=(-f build/examples/two_op)
	workload='./two_op'
fi
tools/vm/run.sh -M driver/edna.ko -M driver/sim/edna_sim.ko "${files[@]}" -- "
set -e
modprobe edna_sim
modprobe edna
./edna-probes
$workload
echo '== bpftool map dump pinned /sys/fs/bpf/edna/processes =='
bpftool map dump pinned /sys/fs/bpf/edna/processes
echo '== bpftool map lookup pinned /sys/fs/bpf/edna/devices key 0 0 0 0 (accel0) =='
bpftool map lookup pinned /sys/fs/bpf/edna/devices key 0 0 0 0
echo '== edna-top --once =='
./edna-top --once
"
