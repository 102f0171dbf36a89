#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# edna_hw module lifecycle: both load orders, both unload orders, unload
# under an open file, repeated reloads.  The VM runner fails the run on any
# kernel splat these provoke.

tap() {
	if [ "$1" -eq 0 ]; then
		echo "ok - edna_hw.$2"
	else
		echo "not ok - edna_hw.$2"
	fi
}

nodes() {
	ls /dev/accel 2>/dev/null | grep -c '^accel'
}

# Unload the driver first: nodes go away, the model stays.
rmmod edna && [ "$(nodes)" -eq 0 ] && rmmod edna_sim
tap $? unload_driver_then_model

# Load the driver first: it binds when the devices appear.
modprobe edna && [ "$(nodes)" -eq 0 ] && modprobe edna_sim && [ "$(nodes)" -eq 1 ]
tap $? load_driver_then_model

# Unload the model first: the driver unbinds cleanly.
rmmod edna_sim && [ "$(nodes)" -eq 0 ] && rmmod edna
tap $? unload_model_then_driver

# A file held open across the device's removal keeps nothing alive that
# the module needs: close it, and the driver unloads.
ok=1
if modprobe edna_sim && modprobe edna; then
	exec 3<>/dev/accel/accel0
	rmmod edna_sim && [ "$(nodes)" -eq 0 ] && ! rmmod edna 2>/dev/null
	ok=$?
	exec 3>&-
	[ $ok -eq 0 ] && rmmod edna
	ok=$?
fi
tap $ok unload_model_under_open_file

ok=0
for i in 1 2 3 4 5; do
	modprobe edna_sim num_devices=$i && modprobe edna &&
		[ "$(nodes)" -eq $i ] && rmmod edna && rmmod edna_sim || ok=1
done
tap $ok reload_cycles_with_1_to_5_devices

modprobe edna_sim num_devices=0 2>/dev/null
[ $? -ne 0 ] && ! grep -q '^edna_sim ' /proc/modules
tap $? model_rejects_zero_devices

# Unload a module; edna stays in use while fences of its jobs are alive
# (their ops are its text), so it may take until those jobs are done.
unload() {
	for m in "$@"; do
		i=0
		until rmmod "$m" 2>/dev/null; do
			i=$((i + 1))
			[ $i -lt 300 ] || return 1
			sleep 0.1
		done
	done
}

# Clients exit with jobs in flight; both modules still unload cleanly, in
# either order: removing the device first aborts the jobs, unloading the
# driver first waits for them.
for order in "edna_sim edna" "edna edna_sim"; do
	ok=1
	if modprobe edna_sim && modprobe edna; then
		echo 200 > /sys/kernel/debug/edna_sim/edna_sim.0/chunk_delay_us
		./edna_submit_exit && unload $order
		ok=$?
	fi
	tap $ok "unload_${order% *}_first_with_jobs_in_flight"
done

# The device goes away under a client with jobs queued beyond the ring:
# every job completes (with an error) and closing the file does not hang.
ok=1
rm -f /tmp/edna_ready /tmp/edna_go
if modprobe edna_sim && modprobe edna; then
	echo 200 > /sys/kernel/debug/edna_sim/edna_sim.0/chunk_delay_us
	./edna_submit_exit hold /tmp/edna_ready /tmp/edna_go &
	pid=$!
	while [ ! -e /tmp/edna_ready ] && kill -0 $pid 2>/dev/null; do sleep 0.1; done
	if rmmod edna_sim; then
		touch /tmp/edna_go
		# A hang here shows as the client still alive 20 s later.
		i=0
		while kill -0 $pid 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
		if ! kill -0 $pid 2>/dev/null; then
			wait $pid && unload edna
			ok=$?
		fi
	fi
fi
tap $ok device_removed_under_client_with_queued_jobs

# A fence exported as a sync_file outlives the client that made it: while
# the sync_file is open the driver cannot unload (its fence ops and
# timeline names are module text and data); once it is closed, it can.
ok=1
named=1
rm -f /tmp/edna_sf_ready /tmp/edna_sf_go
if modprobe edna_sim && modprobe edna; then
	./edna_submit_exit sync-file /tmp/edna_sf_ready /tmp/edna_sf_go &
	pid=$!
	while [ ! -e /tmp/edna_sf_ready ] && kill -0 $pid 2>/dev/null; do sleep 0.1; done
	if [ -e /tmp/edna_sf_ready ] && ! rmmod edna 2>/dev/null; then
		touch /tmp/edna_sf_go
		wait $pid
		named=$?
		# The last reference may go after an RCU grace period: retry.
		i=0
		until rmmod edna 2>/dev/null; do
			i=$((i + 1))
			[ $i -lt 50 ] || break
			sleep 0.1
		done
		[ $i -lt 50 ]
		ok=$?
	else
		touch /tmp/edna_sf_go
		wait $pid
		named=$?
	fi
	rmmod edna 2>/dev/null
	rmmod edna_sim
fi
tap $named sync_file_names_the_queue_timeline
tap $ok sync_file_holds_the_driver_until_closed
