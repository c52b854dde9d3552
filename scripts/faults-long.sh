#!/bin/sh
# The fault-injection suite with its long variants (loss scenarios run three minutes each).
# Needs root, iproute2 and nftables (it creates and removes its own network namespaces).
# Usage: scripts/faults-long.sh [extra mvn arguments]
set -eu
cd "$(dirname "$0")/.."
exec mvn -B -pl havip-vrrp -am verify -Dhavip.faults.long=true \
    -Dit.test='io.havip.vrrp.faults.*IT' -Dfailsafe.failIfNoSpecifiedTests=false \
    -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false "$@"
