#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the Debian 6.12 kernel version edna builds against and boots in the
# test VM: the newest one with headers, image and modules installed.
for d in $(ls -d /usr/src/linux-headers-6.12.*+deb12-amd64 2>/dev/null | sort -V -r); do
	v=${d#/usr/src/linux-headers-}
	if [ -e "/boot/vmlinuz-$v" ] && [ -d "/lib/modules/$v/kernel/drivers/gpu/drm" ]; then
		echo "$v"
		exit 0
	fi
done
echo "kver: no linux-headers-6.12.*+deb12-amd64 with its image; run tools/deps.sh" >&2
exit 1
