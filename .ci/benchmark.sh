#!/usr/bin/env bash
# The benchmark: starts RabbitMQ (installing it if needed), builds in Release and prints the table of
# docs/performance.md.
# Arguments pick modes: intake, embedded, embedded-slow, rabbitmq-1, rabbitmq-2 (default: all five); "watch [modes]"
# runs the burst with 1,000 progress streams open instead.
# The distributed modes run on a PostgreSQL cluster of their own, as a production one runs: fsync and
# synchronous_commit on (the tests' server on 5433 turns both off for speed). It is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/services.sh

BENCH_PG_PORT=5434
BENCH_PG_DIR=/tmp/orchestrator-bench-pg

distributed() {
  [ $# -eq 0 ] && return 0
  [ "$*" = watch ] && return 0
  for mode in "$@"; do [[ $mode == rabbitmq* ]] && return 0; done
  return 1
}

if distributed "$@"; then
  PG_PORT=$BENCH_PG_PORT PG_DIR=$BENCH_PG_DIR PG_SPEED_OPTIONS="" start_postgres
  trap 'runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$BENCH_PG_DIR/data" -m fast -w stop >/dev/null' EXIT
  durability=$(runuser -u postgres -- psql -qtA -h "$BENCH_PG_DIR" -p "$BENCH_PG_PORT" -c "SELECT current_setting('fsync') || ',' || current_setting('synchronous_commit')")
  if [ "$durability" != "on,on" ]; then
    echo "The benchmark's PostgreSQL runs with fsync,synchronous_commit = $durability, not on,on" >&2
    exit 1
  fi
  export ORCHESTRATOR_TEST_POSTGRES="Host=127.0.0.1;Port=$BENCH_PG_PORT;Username=app;Password=app_pw;Database=appdb"
  echo "Benchmark PostgreSQL on 127.0.0.1:$BENCH_PG_PORT (fsync and synchronous_commit on)"
fi

dotnet build Orchestrator.sln -c Release --nologo -v q
dotnet run -c Release --no-build --project tests/Orchestrator.Benchmarks -- "$@"
