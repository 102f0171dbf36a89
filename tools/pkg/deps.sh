#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What make check-dkms and make check-packages need beyond tools/deps.sh,
# from Debian bookworm: dkms, the Debian packaging tools, lintian and
# debootstrap.  Installed idempotently; quick when already done.
set -euo pipefail

packages=(dkms dh-dkms debhelper dpkg-dev fakeroot lintian debootstrap)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || true
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "pkg deps: installed ${missing[*]}"
