#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch --strict over the kernel sources, with checkpatch.pl taken
# from Debian's linux-source-6.12.  Prints one TAP line per file; exits
# non-zero if any file has findings.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/build/checkpatch
cp=$(find "$dir" -path '*/scripts/checkpatch.pl' 2>/dev/null | head -n 1 || true)
if [ -z "$cp" ]; then
	mkdir -p "$dir"
	tar -xf "$(ls /usr/src/linux-source-6.12.tar.* | head -n 1)" -C "$dir" --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'
	cp=$(find "$dir" -path '*/scripts/checkpatch.pl' | head -n 1)
fi

cd "$top"
rc=0
for f in $(git ls-files 'driver/*.[ch]' 'uapi/*.h' 2>/dev/null || find driver uapi -name '*.[ch]' | sort); do
	# checkpatch exits non-zero on findings: judge by its output alone.
	out=$(perl "$cp" --no-tree --strict --terse --show-types \
		--ignore FILE_PATH_CHANGES -f "$f" 2>&1 | grep -E ': (ERROR|WARNING|CHECK):' || true)
	if [ -n "$out" ]; then
		echo "not ok - edna_hw.checkpatch_strict $f"
		echo "$out" | sed 's/^/# /'
		rc=1
	else
		echo "ok - edna_hw.checkpatch_strict $f"
	fi
done
exit $rc
