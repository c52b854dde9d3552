#!/usr/bin/env python3
"""Scale, side by side with keepalived: many virtual routers from one keepalived.conf.

Run through benchmarks/failover.sh --scale SPEC (which installs what is missing, builds havip
and removes whatever a killed run leaves). SPEC is a comma-separated list of ROUTERS:INTERVAL,
e.g. 255:1,50:0.01.

Per spec and implementation a fresh testbed (failover.py's: a bridge namespace, node1
198.51.100.11 and node2 198.51.100.12) runs ROUTERS vrrp_instances on each node, VRIDs 1..N,
VRRPv3 at INTERVAL seconds, unicast, VIP 203.0.113.VRID/32; node1 has priority 150 on odd
VRIDs and node2 on even ones, so each node is master of half the routers and backup of the
other half. Once every VIP has exactly one holder for a few intervals, the run measures for
--seconds: CPU of the implementation's processes (utime + stime from /proc, keepalived's
parent and VRRP child, havipd's JVM) as a share of one core, resident memory (VmRSS),
threads, and how many VIPs changed holder from the settle to the end (target 0).

CPU is measured twice: in the first --seconds after the settle ("first"), and in --seconds
that start --warmup seconds after the settle ("steady", the figure of a daemon that has run
for a while). A JVM spends its first minute compiling the hot path (the C2 compiler thread
alone takes 1-2 % of a core at 254 routers, and the loop runs slower code meanwhile);
keepalived has no warm-up, so its two figures agree. RSS, heap and threads are read at the end.
"""
import argparse
import datetime
import os
import random
import re
import subprocess
import sys
import time

import failover as fo

CLK_TCK = os.sysconf("SC_CLK_TCK")


def conf(node, routers, interval, include_dir):
    adv = "%d" % interval if interval >= 1 else ("%g" % interval)
    out = ["global_defs {\n    router_id scale-node%d\n}\n" % node]
    for vrid in range(1, routers + 1):
        prio = 150 if vrid % 2 == node % 2 else 100
        out.append("""vrrp_instance VI_%d {
    state BACKUP
    interface eth0
    virtual_router_id %d
    priority %d
    advert_int %s
    version 3
    unicast_src_ip %s
    unicast_peer {
        %s
    }
    virtual_ipaddress {
        203.0.113.%d/32
    }
}
""" % (vrid, vrid, prio, adv, fo.NODE_IP[node], fo.NODE_IP[3 - node], vrid))
    out.append("include %s/*.conf\n" % include_dir)
    return "".join(out)


def vips(tb, node):
    text = fo.sh("ip", "-n", tb.n[node], "-4", "-o", "addr", "show", "dev", "eth0", check=False)
    return {w.split("/")[0] for w in text.split() if w.startswith("203.0.113.")}


def holders(tb):
    return {1: vips(tb, 1), 2: vips(tb, 2)}


def settled(h, routers):
    return len(h[1]) + len(h[2]) == routers and not (h[1] & h[2])


def pids(n):
    ps = [n.proc.pid]
    if n.impl == "keepalived" and n.child() is not None:
        ps.append(n.vrrp_pid)
    return ps


def ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def status(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def heap_used_mb(pid):
    """The JVM's own figure: used heap from `jcmd PID GC.heap_info` (None if jcmd fails)."""
    r = subprocess.run(["jcmd", str(pid), "GC.heap_info"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=30)
    m = re.search(r"total \d+K, used (\d+)K", r.stdout)
    return int(m.group(1)) / 1024.0 if m else None


def cpu_ticks(nodes):
    return {k: sum(ticks(p) for p in pids(n)) for k, n in nodes.items()}


def run_once(impl, routers, interval, seconds, args, outdir):
    workdir = os.path.join(outdir, "%s-%d-%g" % (impl, routers, interval))
    os.makedirs(workdir)
    tb = fo.Testbed(workdir)
    nodes = {}
    res = dict(impl=impl, routers=routers, interval=interval, seconds=seconds)
    try:
        for k in (1, 2):
            path = os.path.join(workdir, "node%d.conf" % k)
            include_dir = os.path.join(workdir, "node%d.d" % k)
            os.makedirs(include_dir)
            with open(path, "w") as f:
                f.write(conf(k, routers, interval, include_dir))
            nodes[k] = fo.Node(impl, tb, k, path, args)
        settle_for = max(3.0, 5 * interval)
        deadline = time.monotonic() + 90 + 10 * interval
        h, since = holders(tb), time.monotonic()
        while time.monotonic() - since < settle_for:
            if time.monotonic() > deadline:
                raise RuntimeError("not settled within %.0f s: node1 %d VIPs, node2 %d" % (
                    90 + 10 * interval, len(h[1]), len(h[2])))
            time.sleep(0.2)
            now = holders(tb)
            if now != h or not settled(now, routers):
                h, since = now, time.monotonic()
        if not all(n.alive() for n in nodes.values()):
            raise RuntimeError("a node died; see %s" % workdir)
        changes, last = 0, h

        def window(start_after):
            """CPU share per node over --seconds that begin start_after seconds after the settle."""
            nonlocal changes, last

            def sample_holders_until(t):
                nonlocal changes, last
                while time.monotonic() < t:
                    time.sleep(1.0)
                    now = holders(tb)
                    changes += len(now[1] ^ last[1])
                    last = now

            sample_holders_until(settled_at + start_after)
            before, t0 = cpu_ticks(nodes), time.monotonic()
            sample_holders_until(t0 + seconds)
            wall = time.monotonic() - t0
            after = cpu_ticks(nodes)
            return {k: 100.0 * (after[k] - before[k]) / CLK_TCK / wall for k in nodes}

        settled_at = time.monotonic()
        res["cpu_first"] = window(0)
        res["cpu"] = window(max(args.warmup, seconds))
        res["rss_mb"] = {k: sum(status(p, "VmRSS") for p in pids(n)) / 1024.0 for k, n in nodes.items()}
        res["threads"] = {k: sum(status(p, "Threads") for p in pids(n)) for k, n in nodes.items()}
        res["holder_changes"] = changes
        if impl == "havip":
            res["heap_mb"] = {k: heap_used_mb(n.proc.pid) for k, n in nodes.items()}
        res["masters"] = {k: len(last[k]) for k in nodes}
        return res
    finally:
        for n in nodes.values():
            n.stop()
        tb.destroy()


def table(results):
    rows = ["| implementation | routers per node | interval | CPU, share of one core (node1 / node2), first "
            "| CPU, steady (after the warm-up) | CPU ms per router-second, steady | RSS MB (node1 / node2) | Java heap used MB | threads "
            "| VIPs that changed holder |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        if "error" in r:
            rows.append("| %s | %d | %g s | error: %s | | | | | | |" % (r["impl"], r["routers"], r["interval"],
                                                                     r["error"]))
            continue
        c, f, m, t = r["cpu"], r["cpu_first"], r["rss_mb"], r["threads"]
        per = (c["1"] + c["2"]) * 10.0 / (2 * r["routers"])  # % of a core = 10 ms of CPU per second
        heap = r.get("heap_mb")
        heap_text = "%.0f / %.0f" % (heap["1"] or 0, heap["2"] or 0) if heap else "-"
        rows.append("| %s | %d | %g s | %.1f %% / %.1f %% | %.1f %% / %.1f %% | %.2f | %.0f / %.0f | %s | %d / %d | %d |" % (
            r["impl"], r["routers"], r["interval"], f["1"], f["2"], c["1"], c["2"], per, m["1"], m["2"], heap_text, t["1"], t["2"],
            r["holder_changes"]))
    return "\n".join(rows)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("spec", help="ROUTERS:INTERVAL[,ROUTERS:INTERVAL...], e.g. 255:1,50:0.01")
    p.add_argument("--seconds", type=int, default=30)
    p.add_argument("--warmup", type=int, default=90,
                   help="seconds from the settle to the start of the steady CPU window (default 90)")
    p.add_argument("--impls", default=",".join(fo.IMPLS))
    p.add_argument("--havip-cmd", default="")
    p.add_argument("--out", default=None)
    args = p.parse_args()
    args.havip_cmd = args.havip_cmd.split()
    random.seed()
    outdir = args.out or os.path.join(fo.HERE, "..", "out", "scale-" + datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    os.makedirs(outdir, exist_ok=True)
    specs = [(int(item.split(":")[0]), float(item.split(":")[1])) for item in args.spec.split(",")]
    runs = ((dict(impl=impl, routers=routers, interval=interval),
             lambda impl=impl, routers=routers, interval=interval: run_once(impl, routers, interval, args.seconds,
                                                                         args, outdir))
            for routers, interval in specs
            for impl in args.impls.split(","))
    return fo.run_series(outdir, runs, table)

if __name__ == "__main__":
    sys.exit(main())
