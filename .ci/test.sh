#!/usr/bin/env bash
# The test command: starts RabbitMQ and PostgreSQL (installing them if needed), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
export CI="${CI:-true}"
source .ci/services.sh
dotnet test Orchestrator.sln --nologo "$@"
