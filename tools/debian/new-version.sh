#!/bin/sh
# A new release's version, in the places that must agree (make deb refuses
# to build when they do not): dkms.conf's PACKAGE_VERSION (which the
# Makefile, aimc.pc, the modules' MODULE_VERSION and the DKMS tree read),
# runtime/python/aimc/_version.py, and a new top entry in
# tools/debian/changelog with the changes given, one argument a line.
#
#   tools/debian/new-version.sh 1.1.0 "libaimc 2.2: ..." "aimc.ko: ..."
#
# Run in the tree to change (check-deb runs it in a copy for its upgrade
# test).  DEBFULLNAME and DEBEMAIL name the entry's author (default: the
# Maintainer of tools/debian/control); SOURCE_DATE_EPOCH its date.
set -eu
cd "$(dirname "$0")/../.."
[ $# -ge 2 ] || { sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
version=$1
shift
case $version in
[0-9]*.[0-9]*.[0-9]*) ;;
*) echo "new-version: '$version' is not MAJOR.MINOR.PATCH[~+suffix]" >&2; exit 2 ;;
esac
old=$(dpkg-parsechangelog -l tools/debian/changelog -S Version)
dpkg --compare-versions "$version" gt "$old" ||
	{ echo "new-version: $version is not newer than $old" >&2; exit 1; }

maintainer=$(sed -n 's/^Maintainer: //p' tools/debian/control)
if [ -n "${DEBFULLNAME:-}" ] && [ -n "${DEBEMAIL:-}" ]; then
	maintainer="$DEBFULLNAME <$DEBEMAIL>"
fi
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
	date=$(date -R -u -d "@$SOURCE_DATE_EPOCH")
else
	date=$(date -R)
fi

sed -i "s/^PACKAGE_VERSION=\".*\"/PACKAGE_VERSION=\"$version\"/" dkms.conf
sed -i "s/^__version__ = \".*\"/__version__ = \"$version\"/" runtime/python/aimc/_version.py
{
	echo "aimc ($version) bookworm; urgency=medium"
	echo
	for change in "$@"; do
		printf '%s\n' "$change" | fold -s -w 70 | sed '1s/^/  * /; 2,$s/^/    /; s/ *$//'
	done
	echo
	echo " -- $maintainer  $date"
	echo
	cat tools/debian/changelog
} >tools/debian/changelog.new
mv tools/debian/changelog.new tools/debian/changelog
echo "new-version: $old -> $version (dkms.conf, runtime/python/aimc/_version.py, tools/debian/changelog)"
