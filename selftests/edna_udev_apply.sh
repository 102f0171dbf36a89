#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# edna_udev_apply.sh RULES [SYSFS [DEVDIR]]: do for the accel devices of
# SYSFS (/sys) what udevd does with the rules file RULES when they appear:
# match each rule's keys against the device and give its node under DEVDIR
# (/dev) the rule's GROUP and MODE.  The test VM has no udevd; this lets the
# selftests see the node as the rule leaves it.
#
# Only the keys 70-edna.rules uses are known; any other key is an error,
# so that a changed rule cannot pass untested.  SUBSYSTEM and KERNEL match
# the device (KERNEL as a glob), DRIVERS the driver of the device or of any
# device above it, as udev's DRIVERS does.  With EDNA_UDEV_DRY_RUN=1 each
# match is printed as "NODE GROUP MODE" and nothing changes.
set -u
rules=${1:?usage: edna_udev_apply.sh RULES [SYSFS [DEVDIR]]}
sys=${2:-/sys}
dev=${3:-/dev}

die() {
	echo "edna_udev_apply: $*" >&2
	exit 1
}

# has_driver DIR NAME: DIR or a device above it is bound to driver NAME.
has_driver() {
	d=$(readlink -f "$1")
	while [ -n "$d" ] && [ "$d" != / ] && [ "$d" != "$sys_real" ]; do
		if [ -L "$d/driver" ]; then
			drv=$(readlink "$d/driver")
			[ "${drv##*/}" = "$2" ] && return 0
		fi
		d=${d%/*}
	done
	return 1
}

# apply_rule LINE NAME: apply one rule to accel device NAME if it matches.
apply_rule() {
	group=
	mode=
	# Keys are separated by commas; values here hold none.
	rest=$1,
	while [ -n "$rest" ]; do
		pair=${rest%%,*}
		rest=${rest#*,}
		pair=$(echo "$pair" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
		[ -n "$pair" ] || continue
		key=${pair%%[=!]*}
		op=${pair#"$key"}
		value=${op#*\"}
		value=${value%\"}
		op=${op%%\"*}
		case "$key$op" in
		SUBSYSTEM==) [ "$value" = accel ] || return 0 ;;
		KERNEL==)
			# shellcheck disable=SC2254  # the value is a glob
			case "$2" in
			$value) ;;
			*) return 0 ;;
			esac
			;;
		DRIVERS==) has_driver "$sys/class/accel/$2" "$value" || return 0 ;;
		GROUP=) group=$value ;;
		MODE=) mode=$value ;;
		*) die "unknown key '$key$op' in $rules" ;;
		esac
	done
	node=$dev/accel/$2
	if [ "${EDNA_UDEV_DRY_RUN:-0}" = 1 ]; then
		echo "$node ${group:--} ${mode:--}"
		return 0
	fi
	[ -z "$group" ] || chgrp "$group" "$node" || die "chgrp $group $node failed"
	[ -z "$mode" ] || chmod "$mode" "$node" || die "chmod $mode $node failed"
}

[ -r "$rules" ] || die "cannot read $rules"
sys_real=$(readlink -f "$sys")
for d in "$sys"/class/accel/*; do
	[ -e "$d" ] || continue
	name=${d##*/}
	while IFS= read -r line; do
		case "$line" in
		'' | '#'*) continue ;;
		esac
		apply_rule "$line" "$name"
	done <"$rules"
done
exit 0
