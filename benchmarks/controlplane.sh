#!/usr/bin/env bash
# The control plane benchmark (BENCHMARKS.md): ControlPlaneBench on the embedded H2 and on a
# throwaway PostgreSQL cluster (Debian's postgresql package, a temporary directory, removed on
# exit). Run on a quiet machine, as root or as a user who may run PostgreSQL.
#   benchmarks/controlplane.sh [HAVIPS]      (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
HAVIPS="${1:-100000}"
mvn -B -q -Pbench -pl benchmarks/havip-benchmarks -am package -DskipTests
JAR=benchmarks/havip-benchmarks/target/benchmarks.jar

echo "== H2 (embedded, file)"
java -cp "$JAR" io.havip.bench.ControlPlaneBench --havips "$HAVIPS"

BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
DIR=$(mktemp -d /tmp/havip-bench-pg-XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
AS=()
if [ "$(id -u)" = 0 ]; then chown postgres: "$DIR"; AS=(runuser -u postgres --); fi
cleanup() { "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT
"${AS[@]}" "$BIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 --locale=C >/dev/null
# durable settings (fsync on), unlike the tests: these numbers are meant to mean something
"${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1" start >/dev/null
echo "== PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') (local, fsync on)"
java -cp "$JAR" io.havip.bench.ControlPlaneBench --jdbc-url "jdbc:postgresql://127.0.0.1:$PORT/postgres?user=postgres" \
  --havips "$HAVIPS"
