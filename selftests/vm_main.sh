#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Entry point of the selftests inside the test VM: load the modules with
# two simulated devices, run every test binary, then the module lifecycle
# tests.  Prints TAP lines; the host tallies them.
cd "$(dirname "$0")"

if modprobe edna_sim num_devices=2 && modprobe edna && [ -e /dev/accel/accel1 ]; then
	echo "ok - edna_hw.modules_load_two_devices"
else
	echo "not ok - edna_hw.modules_load_two_devices"
	dmesg | tail -n 20
	exit 1
fi

# The device nodes as the udev rule leaves them, for the render group
# that the distribution's udev creates, a system group (edna_access
# checks both; busybox here has no addgroup).
grep -qs '^render:' /etc/group || echo 'render:x:109:' >>/etc/group
if sh ./edna_udev_apply.sh ./70-edna.rules; then
	echo "ok - edna_hw.udev_rule_applied"
else
	echo "not ok - edna_hw.udev_rule_applied"
fi

# On a kernel with KUnit, the modules ran their suites as they loaded.
if [ -d /sys/kernel/debug/kunit ]; then
	for s in edna_hw_ring edna_mmu_va edna_sim_graph; do
		r=/sys/kernel/debug/kunit/$s/results
		if [ -r $r ] && grep -q "^ok [0-9]* $s\$" $r; then
			echo "ok - edna_kunit.$s"
		else
			echo "not ok - edna_kunit.$s"
			[ -r $r ] && grep -E "not ok|Expected|#" $r | sed 's/^/# /'
		fi
	done
fi

# edna_fault unbinds and rebinds a device and wedges it on purpose: it
# runs after everything else, so no other test sees that.
for t in ./edna_*_test; do
	[ -x "$t" ] || continue
	[ "$t" = ./edna_fault_test ] && continue
	"$t"
done

# libaccel's example, built against the installed library, on the device.
if out=$(./two_op 2>&1); then
	echo "ok - edna_graph.libaccel_example_runs_on_the_device"
else
	echo "not ok - edna_graph.libaccel_example_runs_on_the_device"
	echo "$out" | sed 's/^/# /'
fi
[ -x ./edna_fault_test ] && ./edna_fault_test

# sensors(1) finds the hwmon device, as an operator would.
if out=$(sensors 2>&1) && echo "$out" | grep -q '^edna-' &&
		echo "$out" | grep -q '^power1:' && echo "$out" | grep -q '^energy1:'; then
	echo "ok - edna_pm.sensors_shows_power_and_energy"
else
	echo "not ok - edna_pm.sensors_shows_power_and_energy"
	echo "$out" | sed 's/^/# /'
fi

sh ./edna_modules.sh
