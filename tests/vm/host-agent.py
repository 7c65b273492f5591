#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The host side of the QEMU lane's guest-to-host requests.

A guest test that needs something only the host can do (unplug a card
with QMP's device_del, plug one back, inject a PCIe error) writes one
request line to its second serial port (/dev/ttyS1, tests/vm/guest/
host-request.sh); QEMU connects that port to AGENT_SOCKET, this agent
reads the line, runs the matching QMP commands on QMP_SOCKET and answers
one line: "ok [detail]" or "error <why>".  Only these requests exist (the
guest cannot run arbitrary monitor commands):

  ping                      ok pong
  device_del ID|PCI-ADDR    QMP device_del of the device with that id, or
                            at that guest PCI address (0000:01:00.0,
                            resolved with query-pci); "ok ID" once QEMU
                            reports DEVICE_DELETED (the guest ejected it)
  device_add NAME           QMP device_add of the card NAME (a --device
                            given on this command line); ok once added
  aer ID|PCI-ADDR ERROR [-c] [-a]
                            HMP pcie_aer_inject_error [-a] [-c] ID ERROR
                            (ERROR as HMP takes it, e.g. CMPLT_TO,
                            POISON_TLP; -c: correctable); "ok ID"

Usage: host-agent.py QMP_SOCKET AGENT_SOCKET LOG [--device NAME=DRIVER,K=V,...]...
Started by tests/vm/run.sh when VM_AGENT_DEVICES is set; it exits when
QEMU closes the sockets.
"""
import json
import os
import socket
import sys
import time

EVENT_TIMEOUT_S = 60


class Qmp:
    def __init__(self, path, log):
        self.log = log
        self.sock = connect(path)
        self.buf = b""
        self.events = []
        greeting = self.recv()
        self.log.write("qmp: %s\n" % json.dumps(greeting))
        self.command("qmp_capabilities")

    def recv(self, timeout=None):
        self.sock.settimeout(timeout)
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("QMP closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def command(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.log.write("qmp> %s\n" % json.dumps(msg))
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self.recv()
            if "event" in reply:
                self.log.write("qmp< event %s\n" % json.dumps(reply))
                self.events.append(reply)
                continue
            self.log.write("qmp< %s\n" % json.dumps(reply))
            if "error" in reply:
                raise RuntimeError(reply["error"].get("desc", "QMP error"))
            return reply.get("return")

    def wait_event(self, name, match, timeout):
        end = time.monotonic() + timeout
        while True:
            for i, ev in enumerate(self.events):
                if ev["event"] == name and match(ev.get("data", {})):
                    del self.events[i]
                    return ev
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("no %s event within %d s" % (name, timeout))
            try:
                ev = self.recv(left)
            except socket.timeout:
                continue
            self.log.write("qmp< event %s\n" % json.dumps(ev))
            if "event" in ev:
                self.events.append(ev)


def connect(path, wait_s=30):
    end = time.monotonic() + wait_s
    while True:
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(path)
            return sock
        except OSError:
            sock.close()
            if time.monotonic() > end:
                raise
            time.sleep(0.05)


def parse_device(spec):
    name, _, rest = spec.partition("=")
    fields = rest.split(",")
    args = {"driver": fields[0]}
    for kv in fields[1:]:
        k, _, v = kv.partition("=")
        args[k] = v
    return name, args


def pci_qdev_id(qmp, addr):
    """The id of the device at guest PCI address DDDD:BB:SS.F, or None."""
    try:
        dom, bus, slotfn = addr.split(":")
        slot, fn = slotfn.split(".")
        want = (int(dom, 16), int(bus, 16), int(slot, 16), int(fn, 16))
    except ValueError:
        return None
    if want[0] != 0:
        return None

    def walk(devices):
        for d in devices:
            if (0, d["bus"], d["slot"], d["function"]) == want:
                return d.get("qdev_id") or None
            bridge = d.get("pci_bridge")
            if bridge:
                found = walk(bridge.get("devices", []))
                if found:
                    return found
        return None

    for bus in qmp.command("query-pci"):
        found = walk(bus["devices"])
        if found:
            return found
    return None


def handle(qmp, devices, words):
    if words == ["ping"]:
        return "ok pong"
    if len(words) >= 2 and words[0] in ("device_del", "aer") and ":" in words[1]:
        qdev = pci_qdev_id(qmp, words[1])
        if not qdev:
            return "error no device with an id at %s" % words[1]
        words = [words[0], qdev] + words[2:]
    if len(words) == 2 and words[0] == "device_del":
        qdev = words[1]
        qmp.command("device_del", id=qdev)
        qmp.wait_event("DEVICE_DELETED", lambda d: d.get("device") == qdev,
                       EVENT_TIMEOUT_S)
        return "ok %s" % qdev
    if len(words) == 2 and words[0] == "device_add":
        if words[1] not in devices:
            return "error no card named %s" % words[1]
        qmp.command("device_add", **devices[words[1]])
        return "ok"
    if len(words) >= 3 and words[0] == "aer":
        flags = [w for w in words[3:] if w in ("-a", "-c")]
        if len(flags) != len(words) - 3:
            return "error aer takes ID ERROR [-c] [-a]"
        out = qmp.command("human-monitor-command", **{
            "command-line": "pcie_aer_inject_error %s %s %s" % (
                " ".join(flags), words[1], words[2])})
        out = (out or "").strip().replace("\r", "").replace("\n", " ")
        # HMP answers "OK id: ID root bus: ..." when it injected the error.
        if not out.startswith("OK id: "):
            return "error %s" % out
        return "ok %s" % words[1]
    return "error unknown request: %s" % " ".join(words)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    qmp_path, agent_path, log_path = sys.argv[1:4]
    devices = {}
    args = sys.argv[4:]
    while args:
        if args[0] != "--device" or len(args) < 2:
            sys.exit("host-agent: bad argument %s" % args[0])
        name, spec = parse_device(args[1])
        devices[name] = spec
        args = args[2:]
    log = open(log_path, "w", buffering=1)
    qmp = Qmp(qmp_path, log)
    chan = connect(agent_path)
    rfile = chan.makefile("rb")
    for raw in rfile:
        line = raw.decode("ascii", "replace").strip()
        if not line:
            continue
        log.write("guest> %s\n" % line)
        try:
            reply = handle(qmp, devices, line.split())
        except EOFError:
            break
        except Exception as e:  # the guest gets every failure as a reply
            reply = "error %s" % e
        log.write("guest< %s\n" % reply)
        chan.sendall(reply.encode() + b"\n")
    log.write("agent: QEMU closed the channel\n")


if __name__ == "__main__":
    try:
        main()
    except (EOFError, ConnectionError, BrokenPipeError):
        pass
