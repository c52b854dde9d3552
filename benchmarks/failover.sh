#!/usr/bin/env bash
# Side-by-side failover benchmark: keepalived 2.2.x and havip on one namespace testbed.
#
#   benchmarks/failover.sh [--quick] [--reps N] [--variants v2-1s,v3-100ms,v3-10ms]
#                          [--faults isolate,crash,graceful,appcrash] [--impls keepalived,havip]
#                          [--havip-cmd "java -jar .../havipd.jar -f {conf}"] [--no-build] [--seed N]
#   benchmarks/failover.sh --scale 255:1,50:0.01 [--seconds 30] [--warmup 90] [--impls ...] [--no-build]
#   benchmarks/failover.sh --flood 40000,140000 [--kinds lower,broken,other] [--seconds 10]
#                          [--interval 0.1] [--after 10] [--senders 4] [--impls ...] [--no-build]
#
# Needs root (network namespaces, nftables, raw sockets). Installs what is missing with apt-get
# (keepalived, tcpdump, nftables, iproute2, python3, a JDK 17 and Maven), builds havip with
# -Pbench, runs every variant x fault x repetition x implementation on a fresh testbed, and
# prints one table (also in benchmarks/out/<time>/table.md, raw figures in results.jsonl).
# --quick: 2 repetitions (default 5). --scale ROUTERS:INTERVAL,...: instead of failovers, many
# virtual routers per node from one keepalived.conf, keepalived and havipd side by side: CPU,
# memory, threads and holder changes over --seconds (lib/scale.py); CPU both right after the
# settle and --warmup seconds later (the JVM's JIT warm-up; default 90). --flood RATE,...: an attacker
# namespace floods the segment with VRRP adverts at each rate (packets/s) for --seconds while
# keepalived or havipd is master: the master's CPU, RSS before / peak / after, the longest gap
# between its adverts on the wire, its adverts and log lines during the flood (lib/flood.py).
#
# Everything it creates carries a random suffix and is listed in a registry file; on any exit
# (Ctrl-C included) the processes it started are stopped by PID and the namespaces removed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
reps=5 build=1 havip_cmd="" pass=() scale="" flood="" seconds="" warmup=90
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) reps=2 ;;
    --reps) reps=$2; shift ;;
    --no-build) build=0 ;;
    --havip-cmd) havip_cmd=$2; shift ;;
    --scale) scale=$2; shift ;;
    --flood) flood=$2; shift ;;
    --kinds|--interval|--after|--quiet|--senders) pass+=("$1" "$2"); shift ;;
    --seconds) seconds=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --variants|--faults|--impls|--seed|--out) pass+=("$1" "$2"); shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ "$(id -u)" != 0 ]; then
  echo "failover.sh needs root (network namespaces, nftables, raw sockets); run it with sudo" >&2
  exit 1
fi

# ------------------------------------------------------------------ tools
need=()
command -v keepalived >/dev/null || need+=(keepalived)
command -v tcpdump >/dev/null || need+=(tcpdump)
command -v nft >/dev/null || need+=(nftables)
command -v ip >/dev/null || need+=(iproute2)
command -v python3 >/dev/null || need+=(python3)
if [ "$build" = 1 ]; then
  command -v java >/dev/null || need+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null || need+=(maven)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# keepalived is only run in our namespaces: do not let the package's service run in the root one
if systemctl is-active --quiet keepalived 2>/dev/null; then
  echo "note: a keepalived service is active in the root namespace; it is left alone" >&2
fi

# ------------------------------------------------------------------ havip
if [ "$build" = 1 ]; then
  echo "building havip (mvn -Pbench package, tests skipped)"
  (cd "$repo" && mvn -B -q -Pbench -DskipTests -Dhavip.skipLinuxTests=true package)
fi
if [ -z "$havip_cmd" ]; then
  if [ -f "$repo/havip-examples/target/havipd.jar" ]; then
    havip_cmd="java -jar $repo/havip-examples/target/havipd.jar -f {conf}"
  else
    havip_cmd="java -cp $here/havip-benchmarks/target/benchmarks.jar io.havip.bench.BenchNode -f {conf}"
  fi
fi
echo "havip runs as: $havip_cmd"
echo "keepalived: $(keepalived -v 2>&1 | head -1)"

# ------------------------------------------------------------------ run, with a safety net
registry=$(mktemp /tmp/hvb-registry.XXXXXX)
py_pid=""
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$py_pid" ] && kill -0 "$py_pid" 2>/dev/null; then
    kill -TERM "$py_pid" 2>/dev/null || true   # it stops its children and removes its namespaces
    wait "$py_pid" 2>/dev/null || true
  fi
  # whatever it could not remove (it was killed hard): only what the registry names
  while read -r kind value; do
    case "$kind" in
      pid)
        if kill -0 "$value" 2>/dev/null && grep -qaE 'keepalived|java|tcpdump|probe.py|flood.py' "/proc/$value/cmdline" 2>/dev/null; then
          kill -KILL "$value" 2>/dev/null || true
        fi ;;
      netns)
        if ip netns list | grep -qw "^$value"; then ip netns del "$value" 2>/dev/null || true; fi ;;
    esac
  done < "$registry"
  rm -f "$registry"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -n "$scale" ]; then
  HVB_REGISTRY=$registry python3 "$here/lib/scale.py" "$scale" --seconds "${seconds:-30}" --warmup "$warmup" --havip-cmd "$havip_cmd" \
    ${pass[@]+"${pass[@]}"} &
elif [ -n "$flood" ]; then
  HVB_REGISTRY=$registry python3 "$here/lib/flood.py" "$flood" --seconds "${seconds:-10}" --havip-cmd "$havip_cmd" \
    ${pass[@]+"${pass[@]}"} &
else
  HVB_REGISTRY=$registry python3 "$here/lib/failover.py" --reps "$reps" --havip-cmd "$havip_cmd" \
    ${pass[@]+"${pass[@]}"} &
fi
py_pid=$!
wait "$py_pid"
