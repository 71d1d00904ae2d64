#!/usr/bin/env bash
# The test command: checks formatting and code style, starts RabbitMQ and PostgreSQL (installing them if needed),
# runs every test, then the short form of the chaos run (60 tasks; .ci/chaos.sh runs the long form) 5 times in a
# row: a fault that lets one run in two pass would pass all five once in 32. Arguments go to dotnet test, and then
# the chaos run is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
export CI="${CI:-true}"
# Formatting and code style as .editorconfig says, before anything starts (the build checks the analyzers; the
# generated migrations are left as EF Core writes them). `dotnet format` from the repository root fixes what it finds.
dotnet restore Orchestrator.sln --nologo -v q
dotnet format whitespace Orchestrator.sln --verify-no-changes --no-restore --exclude Orchestrator.Sagas/Persistence/Migrations
dotnet format style Orchestrator.sln --verify-no-changes --no-restore --exclude Orchestrator.Sagas/Persistence/Migrations
source .ci/services.sh
dotnet test Orchestrator.sln --nologo "$@"
if [ $# -eq 0 ]; then
  .ci/chaos.sh 60 "${CHAOS_RUNS:-5}"
fi
