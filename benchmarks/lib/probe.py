#!/usr/bin/env python3
"""Fixed-rate client probes for the failover harness.

  probe.py icmp VIP OUT [--interval-ms 1]
  probe.py tcp  VIP PORT OUT [--interval-ms 1]
  probe.py serve PORT              (the TCP accept service run in each node namespace)

The probers send on a fixed schedule whatever happens to the answers (iputils ping backs
off while replies are missing, which hides the length of an outage), and write every probe
with its send and answer wall-clock times (time.time(), the clock tcpdump stamps packets
with) to OUT when they get SIGTERM or SIGINT. A TCP probe starts a non-blocking connect every interval; an answer is
a completed handshake, after which the socket is reset (SO_LINGER 0) so no TIME_WAIT piles up.
Connects that have not completed after --give-up-ms are dropped.
"""
import argparse
import errno
import os
import resource
import select
import signal
import socket
import struct
import sys
import time

stop = False


def on_signal(signum, frame):
    global stop
    stop = True


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def icmp(vip, out, interval):
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sock.setblocking(False)
    ident = os.getpid() & 0xFFFF
    ep = select.epoll()
    ep.register(sock.fileno(), select.EPOLLIN)
    sends, answers, seq = [], [], 0
    nxt = time.monotonic()
    while not stop:
        now = time.monotonic()
        if now >= nxt:
            seq = (seq + 1) & 0xFFFF
            hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
            payload = struct.pack("!d", time.time())
            pkt = struct.pack("!BBHHH", 8, 0, checksum(hdr + payload), ident, seq) + payload
            sends.append(time.time())
            try:
                sock.sendto(pkt, (vip, 0))
            except OSError:
                pass  # EHOSTUNREACH after failed neighbour resolution: a lost probe
            nxt += interval
            if nxt < now - 0.1:  # fell far behind (descheduled): skip slots, never burst
                nxt = now + interval
        try:
            ep.poll(max(0.0, nxt - time.monotonic()))
        except InterruptedError:
            continue
        while True:
            try:
                data = sock.recv(2048)
            except (BlockingIOError, InterruptedError):
                break
            ihl = (data[0] & 0x0F) * 4
            if len(data) >= ihl + 8 and data[ihl] == 0:
                _, _, _, rid, rseq = struct.unpack("!BBHHH", data[ihl:ihl + 8])
                if rid == ident:
                    # seq wraps at 65536 probes (65 s at 1 ms): map it to the latest send with that seq
                    n = len(sends) - ((len(sends) - rseq) & 0xFFFF)
                    if 0 < n <= len(sends):
                        answers.append((n - 1, time.time()))
    write(out, sends, answers)


def tcp(vip, port, out, interval, give_up):
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    ep = select.epoll()
    pending = {}  # fd -> (socket, probe number)
    sends, answers = [], []
    linger = struct.pack("ii", 1, 0)
    nxt = time.monotonic()
    while not stop:
        now = time.monotonic()
        if now >= nxt:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            sends.append(time.time())
            rc = s.connect_ex((vip, port))
            if rc in (0, errno.EINPROGRESS):
                pending[s.fileno()] = (s, len(sends) - 1)
                ep.register(s.fileno(), select.EPOLLOUT)
            else:
                s.close()
            nxt += interval
            if nxt < now - 0.1:
                nxt = now + interval
            t = time.time()
            for fd, (s, n) in list(pending.items()):
                if t - sends[n] > give_up:
                    ep.unregister(fd)
                    s.close()
                    del pending[fd]
        try:
            events = ep.poll(max(0.0, nxt - time.monotonic()))
        except InterruptedError:
            continue
        for fd, _ in events:
            s, n = pending.pop(fd)
            ep.unregister(fd)
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                answers.append((n, time.time()))
            s.close()
    write(out, sends, answers)


def serve(port):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(4096)
    while not stop:
        try:
            c, _ = srv.accept()
            c.close()
        except InterruptedError:
            continue
        except OSError:
            if stop:
                break
            raise


def write(out, sends, answers):
    """One line per probe: its number, send time and answer time (empty when unanswered)."""
    answered = dict(answers)
    with open(out, "w") as f:
        f.write("# probe send answer; sent %d answered %d\n" % (len(sends), len(answered)))
        for n, t in enumerate(sends):
            a = answered.get(n)
            f.write("%d %.6f %s\n" % (n, t, "" if a is None else "%.6f" % a))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["icmp", "tcp", "serve"])
    p.add_argument("args", nargs="+")
    p.add_argument("--interval-ms", type=float, default=1.0)
    p.add_argument("--give-up-ms", type=float, default=1000.0)
    a = p.parse_args()
    iv = a.interval_ms / 1000.0
    if a.mode != "serve":  # the service just dies on SIGTERM; the probers write their answers first
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    if a.mode == "icmp":
        icmp(a.args[0], a.args[1], iv)
    elif a.mode == "tcp":
        tcp(a.args[0], int(a.args[1]), a.args[2], iv, a.give_up_ms / 1000.0)
    else:
        serve(int(a.args[0]))


if __name__ == "__main__":
    sys.exit(main())
