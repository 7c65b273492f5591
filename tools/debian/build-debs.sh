#!/bin/sh
# make deb: aimc's Debian packages from this source tree, into OUTDIR
# (default build/deb): aimc-dkms, libaimc2, libaimc-dev, aimc-tools,
# python3-aimc (*.deb), their debug symbols (dbgsym/), the .changes and
# .buildinfo files and the build log.  The tree's files (git's tracked and
# untracked-but-not-ignored files in a checkout, everything but build/ and
# .git otherwise) are copied into OUTDIR/src/aimc-VERSION/ with this directory
# as debian/, and dpkg-buildpackage builds the binary packages there: the
# source tree itself is never written to.  Needs the build dependencies of
# debian/control (tools/install-deps.sh build deb); no network.
#
# Environment: DEB_BUILD_OPTIONS (parallel=<cores> added unless given;
# nocheck skips the host suites the build runs), KEEP=1 keeps OUTDIR/src.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd -P)
cd "$top"
out=${1:-build/deb}
case $out in /*) ;; *) out="$top/$out" ;; esac
die() { echo "deb: $*" >&2; exit 1; }

# One version: dkms.conf's PACKAGE_VERSION, which the changelog's top entry
# and the Python package must name too.
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
changelog=$(dpkg-parsechangelog -l tools/debian/changelog -S Version)
[ "$changelog" = "$version" ] ||
	die "tools/debian/changelog's top entry is $changelog, dkms.conf says $version: tools/debian/new-version.sh $version adds the entry"
python=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' runtime/python/aimc/_version.py)
[ "$python" = "$version" ] || die "runtime/python/aimc/_version.py says $python, dkms.conf $version"

src=$out/src/aimc-$version
rm -rf "$out"
mkdir -p "$src" "$out/dbgsym"
# A checkout is a tree whose own top is a git work tree's top (a copy
# under another checkout's build/ is not: check-deb builds one).
if [ "$(git -C "$top" rev-parse --show-toplevel 2>/dev/null)" = "$top" ]; then
	# Tracked and new files as they are in the work tree (deleted ones
	# left out), never build output or other ignored files.
	git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf - | tar -xf - -C "$src"
else
	tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$src"
fi
rm -rf "$src/debian"
cp -r tools/debian "$src/debian"

case " ${DEB_BUILD_OPTIONS:-} " in
*" parallel="*) ;;
*) DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }parallel=$(nproc)" ;;
esac
export DEB_BUILD_OPTIONS
started=$(date +%s)
echo "deb: building aimc $version in $src (log: $out/build.log)"
(cd "$src" && dpkg-buildpackage -b --no-sign) >"$out/build.log" 2>&1 ||
	{ tail -40 "$out/build.log" >&2; die "dpkg-buildpackage failed (log: $out/build.log)"; }
for f in "$out"/src/*; do
	case $f in
	*-dbgsym_*.deb) mv "$f" "$out/dbgsym/" ;;
	*.deb | *.changes | *.buildinfo) mv "$f" "$out/" ;;
	esac
done
[ -n "${KEEP:-}" ] || rm -rf "$out/src"
echo "deb: built in $(($(date +%s) - started)) s:"
(cd "$out" && ls -1 ./*.deb | sed 's|^\./|  |')
