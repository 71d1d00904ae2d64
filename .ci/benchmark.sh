#!/usr/bin/env bash
# The benchmark: starts RabbitMQ and PostgreSQL (installing them if needed), builds in Release and prints the
# README's table. Arguments pick modes: embedded, rabbitmq-1, rabbitmq-2 (default: all three); "watch [modes]"
# runs the burst with 1,000 progress streams open instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/services.sh
dotnet build Orchestrator.sln -c Release --nologo -v q
dotnet run -c Release --no-build --project tests/Orchestrator.Benchmarks -- "$@"
