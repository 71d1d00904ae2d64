#!/usr/bin/env bash
# The chaos run: tasks over RabbitMQ + PostgreSQL with two Workers, failing and slow simulators, a Worker killed
# with SIGKILL, RabbitMQ restarted; then the saga table is reconciled against the ledger. Fails unless every task
# is final with nothing over budget, charged twice or mismatched. Argument: number of tasks (default 300).
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/services.sh
dotnet build Orchestrator.sln -c Release --nologo -v q
dotnet run -c Release --no-build --project tests/Orchestrator.Benchmarks -- chaos "${1:-300}"
