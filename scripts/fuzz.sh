#!/usr/bin/env bash
# Fuzzes one Jazzer harness (or all of them, one after the other) for SECONDS each.
#   scripts/fuzz.sh TARGET SECONDS        e.g. scripts/fuzz.sh vrrp-decode 120
#   scripts/fuzz.sh all SECONDS
# Without JAZZER_FUZZ the same @FuzzTest methods only replay their committed inputs
# (src/test/resources/<package>/<Class>Inputs/<method>/) in the normal `mvn -B verify`.
# A finding is written into that inputs directory, so it replays from then on; commit it
# together with the fix. Jazzer's working corpus goes to <module>/.cifuzz-corpus/ (ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A TARGETS=(
  [vrrp-decode]="havip-vrrp io.havip.vrrp.fuzz.VrrpCodecFuzzTest#decode"
  [vrrp-machine]="havip-vrrp io.havip.vrrp.fuzz.VrrpMachineFuzzTest#onPacket"
  [cluster]="havip-vrrp io.havip.vrrp.sim.ClusterFuzzTest#forgedPackets"
  [config]="havip-vrrp io.havip.vrrp.fuzz.KeepalivedConfigFuzzTest#parse"
  [arp]="havip-arp io.havip.arp.fuzz.PacketDecodeFuzzTest#arp"
  [ethernet]="havip-arp io.havip.arp.fuzz.PacketDecodeFuzzTest#ethernet"
  [na]="havip-arp io.havip.arp.fuzz.PacketDecodeFuzzTest#neighborAdvertisement"
  [netlink]="havip-arp io.havip.arp.linux.NetlinkParsingFuzzTest#replies"
)
ORDER=(vrrp-decode vrrp-machine cluster config arp ethernet na netlink)

usage() {
  echo "usage: $0 TARGET|all SECONDS   (TARGET: ${ORDER[*]})" >&2
  exit 2
}
[[ $# -eq 2 && $2 =~ ^[0-9]+$ && $2 -gt 0 ]] || usage

fuzz() {
  local target=$1 seconds=$2
  [[ -n ${TARGETS[$target]:-} ]] || usage
  read -r module test <<<"${TARGETS[$target]}"
  local log="$module/target/fuzz-$target.log"
  mkdir -p "$module/target"
  echo "== fuzzing $target ($test) for ${seconds}s; log: $log"
  # jazzer.hooks=true overrides the regression-mode default in src/test/resources/junit-platform.properties;
  # @Timeout becomes libFuzzer's per-input -timeout; JUnit must not apply it to the whole fuzzing run.
  # -am builds the modules it depends on from this tree (never stale jars from ~/.m2).
  local rc=0
  JAZZER_FUZZ=1 mvn -B -pl "$module" -am test ${MAVEN_OFFLINE:+-o} \
    -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false -Dhavip.skipLinuxTests=true \
    -DargLine="-Djazzer.hooks=true -Djazzer.max_duration=${seconds}s -Djunit.jupiter.execution.timeout.mode=disabled" >"$log" 2>&1 || rc=$?
  grep -aE '^#[0-9]+ +(DONE|pulse)' "$log" | tail -1 || true
  grep -aE '^Done [0-9]+ runs' "$log" || true
  if [[ $rc -ne 0 ]]; then
    echo "!! $target: finding or build failure (exit $rc); see $log and the new file in the Inputs directory"
    grep -aE 'FuzzTestFindingException|== Java Exception|Caused by|crash-|timeout-' "$log" | head -10 || true
  fi
  return $rc
}

if [[ $1 == all ]]; then
  failed=()
  for t in "${ORDER[@]}"; do fuzz "$t" "$2" || failed+=("$t"); done
  [[ ${#failed[@]} -eq 0 ]] || { echo "findings or failures in: ${failed[*]}"; exit 1; }
else
  fuzz "$1" "$2"
fi
