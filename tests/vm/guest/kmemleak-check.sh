#!/bin/sh
# Runs in the guest after the tests on a kernel with kmemleak (the debug
# lane): print kmemleak's report on the console and fail if it names any
# leaked object.  kmemleak reports only objects older than about 5 s and
# confirms a leak over two scans: scan, wait, scan, then read.
leaks=/sys/kernel/debug/kmemleak
echo scan >"$leaks"
sleep 6
echo scan >"$leaks"
report=$(cat "$leaks")
if [ -n "$report" ]; then
	printf '%s\n' "$report"
	echo "guest: kmemleak reports leaks (above)"
	exit 1
fi
echo "guest: kmemleak: no leaks"
