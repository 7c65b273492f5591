# Helpers of the guest scripts guest-tests.sh (aimc_emu cards) and
# guest-tests-pci.sh (aimc-pci cards) (sourced, not run): TAP lines, the
# Check suites, the node kind, the kws example, the Python suite, the
# card's energy through aimc-run.
modprobe=/sbin/modprobe	# kmod's, not busybox's applet
rmmod=/sbin/rmmod
failures=0
step=0
skipped=0

ok() { step=$((step + 1)); echo "ok $step - $*"; }
not_ok() { step=$((step + 1)); failures=$((failures + 1)); echo "not ok $step - $*"; }
skip() { step=$((step + 1)); skipped=$((skipped + 1)); echo "ok $step - $* # SKIP"; }
# run DESCRIPTION COMMAND...: exit 0 passes, 4 (kselftest's KSFT_SKIP)
# does not apply here, anything else fails.
run() {
	desc=$1
	shift
	"$@"
	rc=$?
	case $rc in
	0) ok "$desc" ;;
	4) skip "$desc" ;;
	*) not_ok "$desc (exit $rc)" ;;
	esac
}

# check_runner DESCRIPTION RUNNER [VAR=VALUE...]: a Check runner as one
# step; it lists the tests that do not apply to this card or phase as
# "SKIP: test: why" (tests/check_skip.h).
check_runner() {
	desc=$1
	runner=$2
	shift 2
	run "$desc" env "$@" "$runner"
}

# suites DESCRIPTION [VAR=VALUE...]: the guest Check suites (aimc-vm-tests)
suites() {
	desc=$1
	shift
	check_runner "$desc" aimc-vm-tests "$@"
}

# The Python package's pytest suite against the card (tests/python with
# AIMC_TEST_BACKEND=drm: what only the sim has skips), from the source
# tree initramfs-python.sh put in; a skip without python3 there.
# "python_suite noise-free": the card has no programming noise, and the
# tests that need some skip.
python_suite() {
	noise_free=0
	[ "${1:-}" = noise-free ] && noise_free=1
	tree=/usr/share/aimc/tree
	if [ ! -x /usr/bin/python3 ] || [ ! -d $tree/tests/python ]; then
		echo "no python3 and aimc package in this initramfs (VM_PYTHON=no, or none on the host)"
		return 4
	fi
	(cd $tree && AIMC_TEST_BACKEND=drm AIMC_TEST_CARD_NOISE_FREE=$noise_free \
		AIMC_LIBRARY=/lib/x86_64-linux-gnu/libaimc.so.2 \
		python3 -m pytest -q -p no:cacheprovider -rs tests/python)
}

. /usr/share/aimc/aimc-node.sh

# The node kind run.sh expects from this kernel's config, and no other.
node_kind_is() {
	case ${AIMC_NODE_KIND:-} in
	accel) other=render ;;
	render) other=accel ;;
	*) echo "AIMC_NODE_KIND is '${AIMC_NODE_KIND:-}', not accel or render"; return 1 ;;
	esac
	echo "aimc's $AIMC_NODE_KIND nodes: $(aimc_nodes "$AIMC_NODE_KIND" | tr '\n' ' ')"
	[ "$(aimc_nodes "$AIMC_NODE_KIND")" = "$1" ] && [ -c "$1" ] &&
		[ -z "$(aimc_nodes $other)" ]
}

# The keyword-spotting example through the driver: the shipped model
# streams ten held-out-accent words frame by frame (one is known to be
# misheard on the sim card too).
kws_words() {
	kws=/usr/share/aimc/kws
	aimc-kws $kws/kws-qat4-pruned.safetensors $kws/heldout-digits.wav \
		--device drm > /tmp/kws.out 2>&1 || { cat /tmp/kws.out; return 1; }
	cat /tmp/kws.out
	right=0
	i=1
	for word in zero one two three four five six seven eight nine; do
		[ "$(sed -n "${i}s/.*: //p" /tmp/kws.out)" = "$word" ] && right=$((right + 1))
		i=$((i + 1))
	done
	echo "kws: $right of 10 words right"
	[ $right -ge 9 ]
}

# aimc-run's summaries for the shipped digits model on the first 20 test
# sequences: on the card (its energy from telemetry/energy_nj) and on a
# noise-free sim card, printed side by side; the card's must report its
# energy per inference.  (tests/vm/test_energy.c holds the card to the
# sim's count.)
card_energy() {
	d=/usr/share/aimc/digits
	head -n 21 $d/digits-test.txt > /tmp/digits20.txt
	for dev in drm sim; do
		opt=
		[ $dev = sim ] && opt=--noise-free
		aimc-run $d/digits-qat4-pruned.safetensors --input /tmp/digits20.txt \
			--device $dev $opt --quiet > /tmp/run-$dev.out 2>&1 ||
			{ cat /tmp/run-$dev.out; return 1; }
		echo "aimc-run --device $dev $opt:"
		grep -e '^programming energy' -e '^summary' -e '^energy' /tmp/run-$dev.out
	done
	grep -q '^energy: [0-9.]* nJ per inference' /tmp/run-drm.out
}

# The kernel is tainted by nothing but out-of-tree/unsigned modules.
taint_check() {
	tainted=$(cat /proc/sys/kernel/tainted)
	# Allowed: O (out-of-tree module, 4096) and E (unsigned module, 8192).
	if [ $((tainted & ~(4096 | 8192))) -eq 0 ]; then
		ok "kernel taint $tainted is out-of-tree/unsigned only"
	else
		not_ok "kernel tainted $tainted"
	fi
}

guest_done() {
	echo "guest: $((step - failures - skipped)) passed, $failures failed, $skipped skipped"
	[ $failures -eq 0 ]
}
