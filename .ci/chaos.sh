#!/usr/bin/env bash
# The chaos run: tasks over RabbitMQ + PostgreSQL with two Workers, failing and slow simulators, a Worker killed
# with SIGKILL and started again while RabbitMQ is down, PostgreSQL restarted mid-run; then the saga table is
# reconciled against the ledger. Fails unless every task is final, at least 95 % Completed, nothing over budget,
# charged twice or mismatched, and the harness itself met no failure. Arguments: number of tasks (default 300),
# then how many runs in a row (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/services.sh
dotnet build Orchestrator.sln -c Release --nologo -v q
for run in $(seq 1 "${2:-1}"); do
  echo "== chaos run $run of ${2:-1}: ${1:-300} tasks"
  dotnet run -c Release --no-build --project tests/Orchestrator.Benchmarks -- chaos "${1:-300}"
done
