#!/bin/sh
# Download one Debian package (without installing it) into DIR and unpack
# it there, once: fetch-deb.sh PACKAGE DIR.  Prints the unpacked root.
set -eu
pkg=$1
dir=$2
root="$dir/$pkg"
if [ ! -e "$root/.unpacked" ]; then
	mkdir -p "$dir"
	(cd "$dir" && rm -f "${pkg}"_*.deb && apt-get download -q "$pkg" >/dev/null 2>&1) || {
		echo "fetch-deb: 'apt-get download $pkg' failed (apt-get update?)" >&2
		exit 1
	}
	rm -rf "$root"
	dpkg-deb -x "$dir/${pkg}"_*.deb "$root"
	touch "$root/.unpacked"
fi
printf '%s\n' "$root"
