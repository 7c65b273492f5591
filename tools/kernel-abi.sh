#!/bin/sh
# Print the kernel ABI the installed linux-headers-amd64 metapackage points
# at (e.g. 6.1.0-56-amd64).  Resolved at run time: Debian keeps only the
# current ABI in its archive, so a fixed number breaks at the next bump.
set -eu
dep=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null) || {
	echo "kernel-abi: linux-headers-amd64 is not installed (make deps)" >&2
	exit 1
}
abi=$(printf '%s\n' "$dep" | sed -n 's/^linux-headers-\([^ ,]*\).*/\1/p')
[ -n "$abi" ] || { echo "kernel-abi: cannot parse '$dep'" >&2; exit 1; }
printf '%s\n' "$abi"
