#!/bin/sh
# Ask the host for something only it can do (tests/vm/host-agent.py): one
# request line out of the guest's second serial port, one answer line back.
#   host-request.sh ping | device_del ID | device_add NAME | aer ID ERROR [-c] [-a]
# Exit status: 0 when the host answered "ok" (what follows the ok, e.g.
# the id of the card device_del removed, is printed), 1 when it answered
# an error (printed on stderr), 4 (kselftest's skip) when this VM runs
# without the agent.
set -u
port=/dev/ttyS1
if [ "${AIMC_HOST_AGENT:-0}" != 1 ]; then
	echo "host-request: no host agent in this VM (run.sh without VM_AGENT_DEVICES)" >&2
	exit 4
fi
[ $# -ge 1 ] || { echo "usage: host-request.sh REQUEST..." >&2; exit 2; }
# Raw: no echo, no line editing, lines end in \n both ways.
stty -F $port 115200 raw -echo -echoe -echok -echoctl -echoke -ixon 2>/dev/null
exec 3<>$port
echo "$*" >&3
if ! read -r -t "${HOST_REQUEST_TIMEOUT:-90}" reply <&3; then
	echo "host-request: no answer from the host to '$*'" >&2
	exit 1
fi
exec 3<&-
case $reply in
ok) exit 0 ;;
"ok "*) echo "${reply#ok }"; exit 0 ;;
*) echo "host-request: $*: $reply" >&2; exit 1 ;;
esac
