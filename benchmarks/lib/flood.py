#!/usr/bin/env python3
"""Advert flood, side by side with keepalived: what a flood of VRRP adverts costs the master.

Run through benchmarks/failover.sh --flood RATES (which installs what is missing, builds havip
and removes whatever a killed run leaves). RATES is a comma-separated list of packets per
second, e.g. 40000,140000 (0: as fast as one sender goes).

Per rate, kind and implementation a fresh testbed (failover.py's bridge namespace, node1
198.51.100.11 priority 150, node2 198.51.100.12 priority 100, one keepalived.conf per node:
VRRPv3, multicast, advert_int --interval, VIP 198.51.100.50) plus an attacker namespace
(198.51.100.66 on the same bridge). Once node1 has held the VIP alone for a few intervals:

  before  --quiet seconds without flood: CPU and VmRSS of the master's processes
  flood   the attacker sends --seconds of adverts at RATE to 224.0.0.18 (--senders Python
          processes with a raw socket each, paced, RATE / senders each): kind `lower` (our VRID, priority 50, our VIP: a master answers it),
          `broken` (our VRID, priority 254, wrong checksum) or `other` (VRID 52)
  after   --after seconds later, VmRSS again

Figures: the rate really sent; the master's CPU during the flood (utime + stime from /proc,
keepalived's parent and VRRP child, havipd's JVM, as a share of one core) and per 1000
packets; VmRSS before, at its highest during the flood and after; advert lateness, the longest
gap between the master's adverts captured on its bridge port during the flood (tcpdump,
filtered in the kernel), against the advert interval; adverts the master sent during the flood
against the interval's count (answers to a lower-priority flood show as extra adverts); lines
the master logged during the flood; holder changes (target 0).

Everything started is tracked by PID and stopped by PID; every namespace is deleted, also on
Ctrl-C or an error.
"""
import argparse
import datetime
import json
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import time

import failover as fo
from probe import checksum  # the Internet checksum (RFC 1071), one copy for the probes and the flood
import scale as sc

ATTACKER_IP = "198.51.100.66"
ATTACKER_MAC = "02:00:5e:10:00:66"
GROUP = "224.0.0.18"
VRID = 51
KINDS = ["lower", "broken", "other"]


def conf(node, interval, include_dir):
    adv = "%d" % interval if interval >= 1 else ("%g" % interval)
    return """global_defs {
    router_id flood-node%d
}
vrrp_instance VI_FLOOD {
    state BACKUP
    interface eth0
    virtual_router_id %d
    priority %d
    advert_int %s
    version 3
    virtual_ipaddress {
        %s/24
    }
}
include %s/*.conf
""" % (node, VRID, 150 if node == 1 else 100, adv, fo.VIP, include_dir)


def advert(kind, interval):
    """A VRRPv3 advert from the attacker: RFC 5798 section 5.2, checksum over the IPv4 pseudo-header."""
    vrid, prio, vip = (VRID, 50, fo.VIP) if kind == "lower" else (VRID, 254, fo.VIP) if kind == "broken" \
        else (52, 254, "203.0.113.9")
    cs_interval = max(1, int(round(interval * 100)))
    body = struct.pack("!BBBBH", 0x31, vrid, prio, 1, cs_interval & 0x0FFF) + b"\0\0" + socket.inet_aton(vip)
    pseudo = socket.inet_aton(ATTACKER_IP) + socket.inet_aton(GROUP) + struct.pack("!BBH", 0, 112, len(body))
    cs = checksum(pseudo + body)
    if kind == "broken":
        cs ^= 0x5A5A
    return body[:6] + struct.pack("!H", cs) + body[8:]


def send(kind, rate, seconds, interval, out):
    """The attacker (run in its namespace): sends for `seconds` at `rate` per second, writes the count to `out`."""
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 112)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 255)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    s.bind((ATTACKER_IP, 0))
    pkt = advert(kind, interval)
    dst = (GROUP, 0)
    sent, start = 0, time.monotonic()
    end = start + seconds
    chunk = 64
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if rate > 0:
            due = int((now - start) * rate)
            if sent >= due:
                time.sleep(min(0.0005, end - now))
                continue
            n = min(chunk, due - sent)
        else:
            n = chunk
        for _ in range(n):
            try:
                s.sendto(pkt, dst)
                sent += 1
            except OSError:  # ENOBUFS under pressure: the packet is lost, as a real flood's would be
                pass
    wall = time.monotonic() - start
    with open(out, "w") as f:
        json.dump(dict(sent=sent, seconds=wall), f)


def add_attacker(tb):
    ns = "hvb-at-" + tb.br.split("-")[-1]
    fo.register("netns", ns)
    fo.sh("ip", "netns", "add", ns)
    fo.namespaces.append(ns)
    fo.sh("ip", "-n", ns, "link", "set", "lo", "up")
    fo.sh("ip", "-n", tb.br, "link", "add", "pa", "type", "veth", "peer", "name", "eth0", "netns", ns)
    fo.sh("ip", "-n", tb.br, "link", "set", "pa", "master", "br0", "up")
    fo.sh("ip", "-n", ns, "link", "set", "eth0", "address", ATTACKER_MAC, "up")
    fo.sh("ip", "-n", ns, "addr", "add", ATTACKER_IP + "/24", "dev", "eth0")
    return ns


def cpu_ticks(n):
    return sum(sc.ticks(p) for p in sc.pids(n))


def thread_ticks(pid):
    """{thread name: utime + stime} of every thread of `pid` (/proc/PID/task/*/stat)."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                text = f.read()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        out[name] = out.get(name, 0) + int(fields[11]) + int(fields[12])
    return out


def rss_mb(n):
    return sum(sc.status(p, "VmRSS") for p in sc.pids(n)) / 1024.0


def log_lines(n):
    try:
        with open(n.proc.logfile.name, "rb") as f:
            return sum(1 for _ in f)
    except OSError:
        return 0


def run_once(impl, kind, rate, args, outdir):
    workdir = os.path.join(outdir, "%s-%s-%d" % (impl, kind, rate))
    os.makedirs(workdir)
    tb = fo.Testbed(workdir)
    attacker = None
    nodes, cap, flooders = {}, None, []
    res = dict(impl=impl, kind=kind, rate=rate, interval=args.interval)
    iv = args.interval
    try:
        attacker = add_attacker(tb)
        for k in (1, 2):
            path = os.path.join(workdir, "node%d.conf" % k)
            include_dir = os.path.join(workdir, "node%d.d" % k)
            os.makedirs(include_dir)
            with open(path, "w") as f:
                f.write(conf(k, iv, include_dir))
            nodes[k] = fo.Node(impl, tb, k, path, args)
        settle, deadline = max(3.0, 10 * iv), time.monotonic() + 90
        since = time.monotonic()
        while time.monotonic() - since < settle:
            if time.monotonic() > deadline:
                raise RuntimeError("node1 did not hold the VIP alone within 90 s (holders %s)" % tb.holders())
            time.sleep(0.1)
            if tb.holders() != [1]:
                since = time.monotonic()
        if not all(n.alive() for n in nodes.values()):
            raise RuntimeError("a node died; see %s" % workdir)
        master = nodes[1]
        pcap = os.path.join(workdir, "p1.pcap")
        cap = fo.start(tb.ns_exec(tb.br, "tcpdump", "-i", "p1", "-n", "-U", "--immediate-mode", "-s", "64", "-w",
                                  pcap, "ip proto 112 and src host %s" % fo.NODE_IP[1]),
                       os.path.join(workdir, "tcpdump.log"))
        if not fo.wait_for(lambda: "listening on" in open(cap.logfile.name).read(), 10):
            raise RuntimeError("tcpdump did not start; see %s" % workdir)
        # before: a quiet window
        t0, c0 = time.monotonic(), cpu_ticks(master)
        time.sleep(args.quiet)
        res["cpu_quiet"] = 100.0 * (cpu_ticks(master) - c0) / sc.CLK_TCK / (time.monotonic() - t0)
        res["rss_before"] = rss_mb(master)
        # flood
        counts = os.path.join(workdir, "sent.json")
        lines0 = log_lines(master)
        c0, w0, tf0 = cpu_ticks(master), time.monotonic(), time.time()
        th0 = thread_ticks(master.proc.pid)
        flooders = [fo.start(tb.ns_exec(attacker, sys.executable, os.path.abspath(__file__), "send", kind,
                                        str(rate // args.senders), str(args.seconds), str(iv), "%s.%d" % (counts, i)),
                             os.path.join(workdir, "flooder%d.log" % i)) for i in range(args.senders)]
        rss_peak, changes = res["rss_before"], 0
        while any(f.poll() is None for f in flooders):
            time.sleep(0.25)
            rss_peak = max(rss_peak, rss_mb(master))
            if tb.holders() != [1]:
                changes += 1
        wall, tf1 = time.monotonic() - w0, time.time()
        res["cpu_flood"] = 100.0 * (cpu_ticks(master) - c0) / sc.CLK_TCK / wall
        th1 = thread_ticks(master.proc.pid)
        busiest = sorted(((th1[k] - th0.get(k, 0), k) for k in th1), reverse=True)[:4]
        res["cpu_threads"] = {k: round(100.0 * t / sc.CLK_TCK / wall, 1) for t, k in busiest if t > 0}
        res["log_lines"] = log_lines(master) - lines0
        for f in flooders:
            fo.stop(f)
        flooders = []
        sent = []
        for i in range(args.senders):
            with open("%s.%d" % (counts, i)) as f:
                sent.append(json.load(f))
        res["pps"] = sum(x["sent"] for x in sent) / max(x["seconds"] for x in sent)
        res["rss_peak"] = rss_peak
        res["holder_samples_off"] = changes
        # after
        time.sleep(args.after)
        res["rss_after"] = rss_mb(master)
        res["alive"] = all(n.alive() for n in nodes.values())
        fo.stop(cap)
        cap = None
        adverts = [t for t, k, f in fo.read_pcap(pcap) if k == "vrrp" and tf0 <= t <= tf1]
        gaps = [b - a for a, b in zip(adverts, adverts[1:])]
        res["max_gap_ms"] = 1000 * max(gaps) if gaps else None
        res["adverts"] = len(adverts)
        res["adverts_expected"] = int((tf1 - tf0) / iv)
        return res
    finally:
        for p in flooders + [cap]:
            if p is not None:
                fo.stop(p, wait=3.0)
        for n in nodes.values():
            n.stop()
        tb.destroy()
        if attacker is not None:
            fo.sh("ip", "netns", "del", attacker, check=False)
            if attacker in fo.namespaces:
                fo.namespaces.remove(attacker)


def table(results):
    rows = ["| implementation | flood | packets/s sent | CPU quiet | CPU in the flood | CPU ms per 1000 packets "
            "| RSS MB before / peak / after | longest advert gap (interval) | adverts sent / expected "
            "| log lines | VIP off node1 (samples) |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        if "error" in r:
            rows.append("| %s | %s %d/s | error: %s | | | | | | | | |" % (r["impl"], r["kind"], r["rate"], r["error"]))
            continue
        per = r["cpu_flood"] * 10.0 / (r["pps"] / 1000.0) if r["pps"] else 0  # % of a core = 10 ms per second
        gap = "-" if r["max_gap_ms"] is None else "%.0f ms" % r["max_gap_ms"]
        rows.append("| %s | %s | %.0f | %.1f %% | %.1f %% | %.2f | %.0f / %.0f / %.0f | %s (%.0f ms) | %d / %d | %d | %d |" % (
            r["impl"], r["kind"], r["pps"], r["cpu_quiet"], r["cpu_flood"], per, r["rss_before"], r["rss_peak"],
            r["rss_after"], gap, r["interval"] * 1000, r["adverts"], r["adverts_expected"], r["log_lines"],
            r["holder_samples_off"]))
    return "\n".join(rows)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "send":
        kind, rate, seconds, interval, out = sys.argv[2:7]
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
        send(kind, int(rate), float(seconds), float(interval), out)
        return 0
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("rates", help="packets per second, comma-separated, e.g. 40000,140000 (0: as fast as it goes)")
    p.add_argument("--kinds", default="lower", help="comma-separated of " + ",".join(KINDS))
    p.add_argument("--seconds", type=float, default=10.0, help="flood duration")
    p.add_argument("--quiet", type=float, default=5.0, help="quiet window before the flood")
    p.add_argument("--after", type=float, default=10.0, help="wait after the flood before the last RSS reading")
    p.add_argument("--interval", type=float, default=0.1, help="advert_int of the routers")
    p.add_argument("--senders", type=int, default=1, help="sender processes (one Python sender reaches ~40k/s)")
    p.add_argument("--impls", default=",".join(fo.IMPLS))
    p.add_argument("--havip-cmd", default="")
    p.add_argument("--out", default=None)
    args = p.parse_args()
    for k in args.kinds.split(","):
        if k not in KINDS:
            p.error("unknown kind %s (one of %s)" % (k, ",".join(KINDS)))
    args.havip_cmd = args.havip_cmd.split()
    random.seed()
    outdir = args.out or os.path.join(fo.HERE, "..", "out", "flood-" + datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    os.makedirs(outdir, exist_ok=True)
    runs = ((dict(impl=impl, kind=kind, rate=rate),
             lambda impl=impl, kind=kind, rate=rate: run_once(impl, kind, rate, args, outdir))
            for rate in (int(r) for r in args.rates.split(","))
            for kind in args.kinds.split(",")
            for impl in args.impls.split(","))
    return fo.run_series(outdir, runs, table)

if __name__ == "__main__":
    sys.exit(main())
