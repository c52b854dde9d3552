#!/usr/bin/env bash
# The ZooKeeper guard benchmark (BENCHMARKS.md, issue 14): failover time after node loss and after
# a process crash, and the overlap (time with two holders, time with two MACs answering ARP for the
# VIP) in each partition scenario, for VRRP alone, the quorum guard and lease only, side by side.
#
#   benchmarks/zookeeper.sh [--reps N] [--no-build]
#
# Runs havip-zookeeper's namespace ITs (VrrpAloneSplitBrainIT, GuardSplitBrainIT, LeaseOnlyIT: two
# havip nodes, a client and a real 3-server ZooKeeper ensemble, each in its own network namespace,
# 100 ms adverts, 2 s ZooKeeper sessions) N times (default 3), collects the BENCH lines they print
# and prints one table of medians (min-max) in milliseconds; raw lines in benchmarks/out/zk-<time>/.
# Needs root, nftables, tshark, a JDK 17 and Maven. Everything the tests create (namespaces, JVMs,
# ZooKeeper servers) is theirs and removed by them, also on failure. Run it on a quiet machine.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
reps=3 offline=()
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps=$2; shift ;;
    --no-build) offline=(-o) ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ "$(id -u)" != 0 ]; then
  echo "zookeeper.sh needs root (network namespaces, nftables, raw sockets); run it with sudo" >&2
  exit 1
fi

out="$here/out/zk-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
for i in $(seq 1 "$reps"); do
  echo "run $i of $reps"
  (cd "$repo" && mvn -B -q ${offline[@]+"${offline[@]}"} verify -pl havip-zookeeper -am -Djacoco.skip=true \
      -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
      -Dit.test='VrrpAloneSplitBrainIT,GuardSplitBrainIT,LeaseOnlyIT') >"$out/run$i.log" 2>&1 \
    || echo "  run $i had failures (see $out/run$i.log); its figures are kept"
  grep -h '^BENCH ' "$out/run$i.log" | sed 's/^BENCH //' >>"$out/bench.txt" || true
  grep -h '^MEASURED ' "$out/run$i.log" >>"$out/measured.txt" || true
done

python3 - "$out/bench.txt" <<'PY' | tee "$out/table.md"
import collections, statistics, sys
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    mode, scenario, metric, value = line.rstrip("\n").split("|")
    rows.setdefault((scenario, metric), {}).setdefault(mode, []).append(int(value))
modes = ["vrrp", "guard", "lease"]
names = {"vrrp": "VRRP alone", "guard": "quorum guard", "lease": "lease only"}
def cell(v):
    if not v:
        return "-"
    m = statistics.median(v)
    return f"{m:.0f}" if len(v) == 1 else f"{m:.0f} ({min(v)}-{max(v)})"
order = lambda k: (not k[0].startswith(("node", "process")), k[0], k[1])
print("| scenario | figure | " + " | ".join(names[m] for m in modes) + " |")
print("|---|---|" + "---|" * len(modes))
for (scenario, metric) in sorted(rows, key=order):
    print(f"| {scenario} | {metric} | " + " | ".join(cell(rows[(scenario, metric)].get(m, [])) for m in modes) + " |")
PY
echo "raw figures: $out/bench.txt, the tests' own sentences: $out/measured.txt"
