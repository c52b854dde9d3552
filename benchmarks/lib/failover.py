#!/usr/bin/env python3
"""Side-by-side failover benchmark: keepalived and havip on the same namespace testbed.

Run through benchmarks/failover.sh (which installs what is missing and builds havip).

Per repetition a fresh testbed is made: a bridge in its own namespace (ports p1, p2, pc),
node1 198.51.100.11, node2 198.51.100.12, client 198.51.100.100, VIP 198.51.100.50, all names
with a random suffix. Both nodes run the same keepalived.conf (unicast, priority 100, nopreempt)
under one implementation; once one node holds the VIP the client probes start, and after a
random delay within one advert interval the master gets the fault:

  isolate   nftables (bridge family, in the bridge namespace) drops every frame to or from
            the master's bridge port: node loss as the others see it
  crash     SIGKILL (keepalived: parent stopped first, then the VRRP child and the parent
            killed, so nothing sends a goodbye)
  graceful  SIGTERM (keepalived's shutdown, havip's close(): priority-0 advert)
  appcrash  the application dies with its host up: SIGKILL of the node's TCP service and of
            the VRRP process together (the embedded case: the JVM holding the VIP is the
            service). havip nodes share a liveness secret (a `havip { }` block in an included
            file that only the havip run has), so the backup hears of the death from its
            kernel; keepalived waits out Master_Down_Interval while the old host answers RST.

After crash and appcrash the killed node's process is started again and the run notes whether
that node still holds the VIP a few advert intervals later (stale: 1), i.e. answers ARP for it.

Figures per run, from tcpdump on the new master's bridge port and the probers' answer times:
  detection   last advert of the old master delivered to the new one -> first advert of the new master
  garp        fault -> first gratuitous ARP for the VIP from the new master
  advert_to_garp  the new master's first advert -> its first gratuitous ARP
  stop_to_prio0   SIGTERM to the old master -> its priority-0 advert on the wire (graceful only)
  icmp / tcp  client outage: from the last answered probe before a run of unanswered ones to the
              next answered probe (send times; 1 ms probes; 0 = no probe lost)
  tcp_from_last_advert  the TCP outage plus the time from the old master's last advert to the
              fault: the outage as if the fault had hit right after an advert, so the random
              phase of the fault drops out (node loss, the isolate fault, only)

Everything started is tracked by PID and stopped by PID; every namespace is deleted, also on
Ctrl-C or an error.
"""
import argparse
import datetime
import json
import os
import random
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import time

VIP = "198.51.100.50"
NODE_IP = {1: "198.51.100.11", 2: "198.51.100.12"}
CLIENT_IP = "198.51.100.100"
MAC = {1: "02:00:5e:10:00:11", 2: "02:00:5e:10:00:12", "c": "02:00:5e:10:00:64"}
TCP_PORT = 7000
VARIANTS = {
    "v2-1s": dict(version=2, interval=1.0, auth=True),
    "v3-100ms": dict(version=3, interval=0.1, auth=False),
    "v3-10ms": dict(version=3, interval=0.01, auth=False),
}
FAULTS = ["isolate", "crash", "graceful", "appcrash"]
LIVENESS_SECRET = "hvbench-liveness-secret-0123456789"
IMPLS = ["keepalived", "havip"]
METRICS = ["detection", "garp", "advert_to_garp", "stop_to_prio0", "icmp", "tcp", "tcp_from_last_advert"]
HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- process and namespace tracking

procs = []        # every Popen we started, stopped by PID
namespaces = []   # every namespace we created
extra_pids = []   # keepalived VRRP children (started by our keepalived), stopped by PID


def sh(*cmd, check=True, quiet=False):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), r.returncode, r.stderr.strip()))
    return r.stdout


REGISTRY = os.environ.get("HVB_REGISTRY")  # failover.sh's safety net: what to remove if we die


def register(kind, value):
    if REGISTRY:
        with open(REGISTRY, "a") as f:
            f.write("%s %s\n" % (kind, value))


def start(cmd, log):
    f = open(log, "w")
    # own session: a Ctrl-C on the terminal reaches only us, and we stop the children in order
    p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    p.logfile = f
    procs.append(p)
    register("pid", p.pid)
    return p


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def stop(p, sig=signal.SIGTERM, wait=5.0):
    if p.poll() is None:
        try:
            os.kill(p.pid, sig)
        except ProcessLookupError:
            pass
        try:
            p.wait(wait)
        except subprocess.TimeoutExpired:
            os.kill(p.pid, signal.SIGKILL)
            p.wait()
    if p in procs:
        procs.remove(p)
    p.logfile.close()


def cleanup():
    for p in list(procs):
        stop(p, wait=3.0)
    for pid in list(extra_pids):
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
        extra_pids.remove(pid)
    for ns in list(namespaces):
        sh("ip", "netns", "del", ns, check=False)
        namespaces.remove(ns)


def on_signal(signum, frame):
    raise KeyboardInterrupt("signal %d" % signum)

# ---------------------------------------------------------------- testbed


class Testbed:
    def __init__(self, workdir):
        sfx = "%06x" % random.getrandbits(24)
        self.br, self.n = "hvb-br-" + sfx, {1: "hvb-n1-" + sfx, 2: "hvb-n2-" + sfx}
        self.cl = "hvb-cl-" + sfx
        self.workdir = workdir
        for ns in (self.br, self.n[1], self.n[2], self.cl):
            register("netns", ns)
            sh("ip", "netns", "add", ns)
            namespaces.append(ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "-n", self.br, "link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0")
        sh("ip", "-n", self.br, "link", "set", "br0", "up")
        for key, ns, port, ip in ((1, self.n[1], "p1", NODE_IP[1]), (2, self.n[2], "p2", NODE_IP[2]),
                                  ("c", self.cl, "pc", CLIENT_IP)):
            sh("ip", "-n", self.br, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns)
            sh("ip", "-n", self.br, "link", "set", port, "master", "br0", "up")
            sh("ip", "-n", ns, "link", "set", "eth0", "address", MAC[key], "up")
            sh("ip", "-n", ns, "addr", "add", ip + "/24", "dev", "eth0")

    def ns_exec(self, ns, *cmd):
        return ["ip", "netns", "exec", ns] + list(cmd)

    def holds_vip(self, node):
        return (VIP + "/") in sh("ip", "-n", self.n[node], "-4", "-o", "addr", "show", "dev", "eth0", check=False)

    def holders(self):
        return [k for k in (1, 2) if self.holds_vip(k)]

    def isolate(self, node):
        port = "p%d" % node
        rules = ("table bridge hvbench {\n  chain isolate {\n    type filter hook forward priority 0; policy accept;\n"
                 '    iifname "%s" drop\n    oifname "%s" drop\n  }\n}\n' % (port, port))
        r = subprocess.run(self.ns_exec(self.br, "nft", "-f", "-"), input=rules, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 0:
            raise RuntimeError("nft isolate %s failed: %s" % (port, r.stderr.strip()))

    def destroy(self):
        for ns in (self.cl, self.n[1], self.n[2], self.br):
            sh("ip", "netns", "del", ns, check=False)
            if ns in namespaces:
                namespaces.remove(ns)

# ---------------------------------------------------------------- configuration


def keepalived_conf(variant, node, include_dir):
    v = VARIANTS[variant]
    iv = v["interval"]
    adv = "%d" % iv if iv >= 1 else ("%g" % iv)
    auth = ("    authentication {\n        auth_type PASS\n        auth_pass hvbench1\n    }\n" if v["auth"] else "")
    return """global_defs {
    router_id bench-node%d
}
vrrp_instance VI_BENCH {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int %s
    version %d
    nopreempt
    unicast_src_ip %s
    unicast_peer {
        %s
    }
    virtual_ipaddress {
        %s/24
    }
%s}
include %s/*.conf
""" % (node, adv, v["version"], NODE_IP[node], NODE_IP[3 - node], VIP, auth, include_dir)


class Node:
    """One implementation process in one node namespace."""

    def __init__(self, impl, tb, node, conf, args):
        self.impl, self.tb, self.node = impl, tb, node
        d = tb.workdir
        log = os.path.join(d, "%s-node%d.log" % (impl, node))
        if impl == "keepalived":
            self.pidfile = os.path.join(d, "ka%d.pid" % node)
            self.vrrp_pidfile = os.path.join(d, "ka%d-vrrp.pid" % node)
            cmd = ["keepalived", "-n", "-l", "-D", "-P", "-f", conf, "-p", self.pidfile, "-r", self.vrrp_pidfile]
        else:
            cmd = [a.replace("{conf}", conf) for a in args.havip_cmd]
        self.proc = start(tb.ns_exec(tb.n[node], *cmd), log)
        self.vrrp_pid = None

    def child(self):
        if self.impl == "keepalived" and self.vrrp_pid is None:
            try:
                self.vrrp_pid = int(open(self.vrrp_pidfile).read().strip())
                extra_pids.append(self.vrrp_pid)
                register("pid", self.vrrp_pid)
            except (OSError, ValueError):
                pass
        return self.vrrp_pid

    def alive(self):
        if self.proc.poll() is not None:
            return False
        return self.impl != "keepalived" or (self.child() is not None and alive(self.vrrp_pid))

    def crash(self):
        if self.impl == "keepalived":
            child = self.child()
            os.kill(self.proc.pid, signal.SIGSTOP)  # no respawn, no goodbye relayed by the parent
            os.kill(child, signal.SIGKILL)
            os.kill(self.proc.pid, signal.SIGKILL)
        else:
            os.kill(self.proc.pid, signal.SIGKILL)

    def terminate(self):
        os.kill(self.proc.pid, signal.SIGTERM)

    def stop(self):
        stop(self.proc, wait=10.0)
        if self.vrrp_pid is not None:
            if alive(self.vrrp_pid):
                os.kill(self.vrrp_pid, signal.SIGKILL)
            if self.vrrp_pid in extra_pids:
                extra_pids.remove(self.vrrp_pid)

# ---------------------------------------------------------------- one run


def wait_for(pred, timeout, step=0.005):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return False


def master_down(interval):
    return 3 * interval + (256 - 100) / 256 * interval


def run_once(variant, fault, impl, rep, args, outdir):
    iv = VARIANTS[variant]["interval"]
    mdi = master_down(iv)
    workdir = os.path.join(outdir, "%s-%s-%s-%d" % (variant, fault, impl, rep))
    os.makedirs(workdir)
    tb = Testbed(workdir)
    res = dict(variant=variant, fault=fault, impl=impl, rep=rep)
    caps, probes, nodes, services = [], [], {}, []
    try:
        for k in (1, 2):
            pc = os.path.join(workdir, "p%d.pcap" % k)
            caps.append(start(tb.ns_exec(tb.br, "tcpdump", "-i", "p%d" % k, "-n", "-U", "--immediate-mode",
                                         "-s", "128", "-w", pc, "ip proto 112 or arp"),
                              os.path.join(workdir, "tcpdump-p%d.log" % k)))
        for k in (1, 2):
            services.append(start(tb.ns_exec(tb.n[k], sys.executable, os.path.join(HERE, "probe.py"), "serve",
                                             str(TCP_PORT)), os.path.join(workdir, "service%d.log" % k)))
        if not wait_for(lambda: all("listening on" in open(c.logfile.name).read() for c in caps), 10):
            raise RuntimeError("tcpdump did not start; see %s" % workdir)
        confs = {}
        for k in (1, 2):
            conf = os.path.join(workdir, "node%d.conf" % k)
            include_dir = os.path.join(workdir, "node%d.d" % k)
            os.makedirs(include_dir)
            with open(conf, "w") as f:
                f.write(keepalived_conf(variant, k, include_dir))
            if impl == "havip":  # only havipd hosts have the file (keepalived would reject the block)
                with open(os.path.join(include_dir, "liveness.conf"), "w") as f:
                    f.write('havip {\n    liveness_secret "%s"\n}\n' % LIVENESS_SECRET)
            confs[k] = conf
            nodes[k] = Node(impl, tb, k, conf, args)
        # steady: one and the same holder for a settle period (JVM warm-up can flap at 10 ms)
        settle, deadline = max(1.0, 10 * iv), time.monotonic() + 60 + 10 * mdi
        holders, since = tb.holders(), time.monotonic()
        while time.monotonic() - since < settle:
            if time.monotonic() > deadline:
                raise RuntimeError("no steady single VIP holder within %.0f s (holders %s)" % (60 + 10 * mdi, holders))
            time.sleep(0.02)
            now_holders = tb.holders()
            if now_holders != holders or len(holders) != 1:
                holders, since = now_holders, time.monotonic()
        if not all(n.alive() for n in nodes.values()):
            raise RuntimeError("a node died before the fault; see %s" % workdir)
        old = holders[0]
        new = 3 - old
        res.update(old=old)
        icmp_out, tcp_out = os.path.join(workdir, "icmp.txt"), os.path.join(workdir, "tcp.txt")
        probe = os.path.join(HERE, "probe.py")
        probes.append(start(tb.ns_exec(tb.cl, sys.executable, probe, "icmp", VIP, icmp_out),
                            os.path.join(workdir, "icmp.log")))
        probes.append(start(tb.ns_exec(tb.cl, sys.executable, probe, "tcp", VIP, str(TCP_PORT), tcp_out,
                                       "--give-up-ms", "900"),
                            os.path.join(workdir, "tcp.log")))
        time.sleep(0.5 + random.uniform(0, iv))  # probes running; random phase of the advert cycle
        t0 = time.time()
        if fault == "isolate":
            tb.isolate(old)
        elif fault == "crash":
            nodes[old].crash()
        elif fault == "appcrash":
            os.kill(services[old - 1].pid, signal.SIGKILL)
            nodes[old].crash()
        else:
            nodes[old].terminate()
        t1 = time.time()
        res.update(t_fault=(t0 + t1) / 2, fault_span=t1 - t0)
        took_over = wait_for(lambda: tb.holds_vip(new), 10 + 4 * mdi)
        res.update(took_over=took_over)
        time.sleep(max(1.2, 2 * iv) + 0.3)
        for p in probes:
            stop(p)
        probes.clear()
        time.sleep(0.05)
        for c in caps:
            stop(c)
        caps.clear()
        if fault in ("crash", "appcrash"):
            # The crashed process comes back: does its node still claim the VIP it was killed with?
            nodes[old].stop()
            nodes[old] = Node(impl, tb, old, confs[old], args)
            gone = wait_for(lambda: not tb.holds_vip(old), 3 + 4 * iv, step=0.05)
            res.update(stale=0 if gone and tb.holds_vip(new) else 1)
        for n in nodes.values():
            n.stop()
        res.update(analyse(workdir, res, new))
        return res
    finally:
        for p in probes + caps + services:
            stop(p, wait=3.0)
        for n in nodes.values():
            n.stop()
        tb.destroy()

# ---------------------------------------------------------------- analysis


def read_pcap(path):
    """(time, kind, fields) for each VRRP or ARP frame of a classic pcap file."""
    out = []
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return out
    magic = struct.unpack("<I", data[:4])[0]
    endian, nano = {0xa1b2c3d4: ("<", False), 0xa1b23c4d: ("<", True),
                    0xd4c3b2a1: (">", False), 0x4d3cb2a1: (">", True)}[magic]
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        frame = data[off:off + incl]
        off += incl
        t = sec + frac / (1e9 if nano else 1e6)
        if len(frame) < 14:
            continue
        src_mac = ":".join("%02x" % b for b in frame[6:12])
        etype = struct.unpack("!H", frame[12:14])[0]
        if etype == 0x0800 and len(frame) >= 34:
            ihl = (frame[14] & 0x0F) * 4
            if frame[23] == 112 and len(frame) >= 14 + ihl + 4:
                src = ".".join(str(b) for b in frame[26:30])
                out.append((t, "vrrp", dict(src=src, prio=frame[14 + ihl + 2], mac=src_mac)))
        elif etype == 0x0806 and len(frame) >= 42:
            op = struct.unpack("!H", frame[20:22])[0]
            spa = ".".join(str(b) for b in frame[28:32])
            tpa = ".".join(str(b) for b in frame[38:42])
            out.append((t, "arp", dict(op=op, spa=spa, tpa=tpa, mac=src_mac)))
    return out


def outage(path, t_fault, answer_within=0.9):
    """The client outage: the longest span from the send of an answered probe, across probes
    that got no answer within answer_within, to the send of the next answered probe. A stall of
    the prober itself (no probes sent) is not an outage; 0 means no probe was lost after the
    fault."""
    try:
        rows = [l.split() for l in open(path) if not l.startswith("#")]
    except OSError:
        return None
    probes = [(float(r[1]), len(r) > 2 and float(r[2]) - float(r[1]) <= answer_within) for r in rows]
    if probes:  # the last probes had no time to be answered before the prober stopped
        end = probes[-1][0] - answer_within - 0.05
        probes = [p for p in probes if p[0] <= end]
    worst, last_ok, lost = 0.0, None, False
    for t, ok in probes:
        if ok:
            if lost and last_ok is not None and t > t_fault - 0.05:
                worst = max(worst, t - last_ok)
            last_ok, lost = t, False
        else:
            lost = True
    if lost:
        return None  # never answered again
    return worst


def analyse(workdir, res, new):
    old = res["old"]
    tf = res["t_fault"]
    frames = read_pcap(os.path.join(workdir, "p%d.pcap" % new))
    new_adv = [t for t, k, f in frames if k == "vrrp" and f["src"] == NODE_IP[new] and t > tf - res["fault_span"]]
    m = {}
    if new_adv:
        old_adv = [t for t, k, f in frames if k == "vrrp" and f["src"] == NODE_IP[old] and t < new_adv[0]]
        if old_adv:
            m["detection"] = new_adv[0] - old_adv[-1]
    garps = [t for t, k, f in frames if k == "arp" and f["spa"] == VIP and f["tpa"] == VIP
             and f["mac"] == MAC[new] and t > tf - res["fault_span"]]
    if garps:
        m["garp"] = garps[0] - tf
        if new_adv:
            m["advert_to_garp"] = garps[0] - new_adv[0]
    if res["fault"] == "graceful":
        prio0 = [t for t, k, f in frames if k == "vrrp" and f["src"] == NODE_IP[old] and f["prio"] == 0 and t > tf]
        if prio0:
            m["stop_to_prio0"] = prio0[0] - tf
    m["icmp"] = outage(os.path.join(workdir, "icmp.txt"), tf)
    m["tcp"] = outage(os.path.join(workdir, "tcp.txt"), tf)
    # The fault lands at a random phase of the advert cycle, which alone moves a node-loss
    # outage by up to one interval: counted from the old master's last advert before the fault
    # instead, the outage no longer depends on that phase, and implementations compare run by run.
    before = [t for t, k, f in frames if k == "vrrp" and f["src"] == NODE_IP[old] and t <= tf]
    if res["fault"] == "isolate" and before and m["tcp"]:
        m["tcp_from_last_advert"] = m["tcp"] + (tf - before[-1])
    return m

# ---------------------------------------------------------------- table


def fmt(x):
    return "-" if x is None else ("%.1f" % (x * 1000) if x < 10 else "%.0f" % (x * 1000))


def table(results, variants, faults):
    rows = ["| variant | fault | figure (ms) | keepalived min / median / max | havip min / median / max "
            "| median ratio havip/keepalived | runs ka/havip |",
            "|---|---|---|---|---|---|---|"]
    for v in variants:
        for fl in faults:
            for met in METRICS:
                cells, med = [], {}
                counts = []
                for impl in IMPLS:
                    rs = [r for r in results if r["variant"] == v and r["fault"] == fl and r["impl"] == impl]
                    vals = [r[met] for r in rs if r.get(met) is not None]
                    counts.append("%d/%d" % (len(vals), len(rs)))
                    if vals:
                        med[impl] = statistics.median(vals)
                        cells.append("%s / %s / %s" % (fmt(min(vals)), fmt(med[impl]), fmt(max(vals))))
                    else:
                        cells.append("-")
                if not med:
                    continue  # a figure that does not apply to this fault (none of the runs has it)
                ratio = ("%.2f" % (med["havip"] / med["keepalived"])
                         if "havip" in med and med.get("keepalived") else "-")
                rows.append("| %s | %s | %s | %s | %s | %s | %s |" % (v, fl, met, cells[0], cells[1], ratio,
                                                                    " ".join(counts)))
    stale = []
    for v in variants:
        for fl in faults:
            cells = []
            for impl in IMPLS:
                rs = [r for r in results if r["variant"] == v and r["fault"] == fl and r["impl"] == impl
                      and "stale" in r]
                if rs:
                    cells.append("%d of %d" % (sum(r["stale"] for r in rs), len(rs)))
            if len(cells) == len(IMPLS):
                stale.append("| %s | %s | %s |" % (v, fl, " | ".join(cells)))
    if stale:
        rows += ["", "Stale holder (the crashed node still holds the VIP after its process is back):", "",
                 "| variant | fault | keepalived | havip |", "|---|---|---|---|"] + stale
    return "\n".join(rows)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--variants", default=",".join(VARIANTS))
    p.add_argument("--faults", default=",".join(FAULTS))
    p.add_argument("--impls", default=",".join(IMPLS))
    p.add_argument("--havip-cmd", default="", help="command line running havip; {conf} is the config file")
    p.add_argument("--out", default=None)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--table-only", help="print the table of an existing results.jsonl")
    p.add_argument("--reanalyse", help="recompute the figures of an existing output directory from its captures "
                                        "(written to DIR/reanalysed.jsonl)")
    args = p.parse_args()
    variants, faults, impls = args.variants.split(","), args.faults.split(","), args.impls.split(",")
    if args.reanalyse:
        results = [json.loads(l) for l in open(os.path.join(args.reanalyse, "results.jsonl"))]
        for r in results:
            if "error" not in r:
                wd = os.path.join(args.reanalyse, "%s-%s-%s-%d" % (r["variant"], r["fault"], r["impl"], r["rep"]))
                r.update(analyse(wd, r, 3 - r["old"]))
        with open(os.path.join(args.reanalyse, "reanalysed.jsonl"), "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in results)
        print(table(results, variants, faults))
        return 0
    if args.table_only:
        results = [json.loads(l) for l in open(args.table_only)]
        print(table(results, variants, faults))
        return 0
    args.havip_cmd = args.havip_cmd.split()
    random.seed(args.seed)
    outdir = args.out or os.path.join(HERE, "..", "out", datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    os.makedirs(outdir, exist_ok=True)
    signal.signal(signal.SIGTERM, on_signal)
    results = []
    resfile = os.path.join(outdir, "results.jsonl")
    try:
        for v in variants:
            for fl in faults:
                for rep in range(args.reps):
                    for impl in impls:
                        try:
                            r = run_once(v, fl, impl, rep, args, outdir)
                        except RuntimeError as e:
                            r = dict(variant=v, fault=fl, impl=impl, rep=rep, error=str(e))
                        results.append(r)
                        with open(resfile, "a") as f:
                            f.write(json.dumps(r) + "\n")
                        print("%-9s %-8s %-10s rep %d: %s" % (v, fl, impl, rep, r.get("error") or "  ".join(
                            "%s %s" % (m, fmt(r.get(m))) for m in METRICS)
                            + ("  stale %d" % r["stale"] if "stale" in r else "")), flush=True)
    except KeyboardInterrupt:
        print("interrupted; cleaning up", flush=True)
        return 130
    finally:
        cleanup()
    return publish(outdir, table(results, variants, faults))


def run_series(outdir, runs, table):
    """Runs each (keys, run) of `runs` in turn and publishes `table(results)`: a run that raises
    RuntimeError is recorded as its keys with the error; Ctrl-C stops the series; cleans up always."""
    signal.signal(signal.SIGTERM, on_signal)
    results = []
    try:
        for keys, run in runs:
            try:
                r = run()
            except RuntimeError as e:
                r = dict(keys, error=str(e))
            record(results, json.loads(json.dumps(r)), outdir)  # keys as the table reads them back
    except KeyboardInterrupt:
        print("interrupted; cleaning up", flush=True)
        return 130
    finally:
        cleanup()
    return publish(outdir, table(results))


def record(results, r, outdir):
    """Keeps one run's result: in the list, appended to results.jsonl, and printed as it comes."""
    results.append(r)
    with open(os.path.join(outdir, "results.jsonl"), "a") as f:
        f.write(json.dumps(r) + "\n")
    print(json.dumps(r), flush=True)


def publish(outdir, text):
    """Writes the table to OUTDIR/table.md and prints it with where the raw results are."""
    with open(os.path.join(outdir, "table.md"), "w") as f:
        f.write(text + "\n")
    print()
    print(text)
    print("\nraw results and logs: %s" % os.path.abspath(outdir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
