#!/bin/bash
# Runs one SQL file of this folder against the `sqlserver` service with the sqlcmd of the SQL Server image:
#   bash run-sql.sh logins.sql
# The login is SQLCMDUSER; its password is SQLCMDPASSWORD, which sqlcmd reads from the environment (not from the
# command line). The passwords of the logins that logins.sql creates come from MIGRATOR_PASSWORD and APP_PASSWORD,
# which sqlcmd also reads from the environment as scripting variables $(MIGRATOR_PASSWORD) and $(APP_PASSWORD): no
# password is ever an argument (`ps` would show it). They also go into connection strings, so ; ' and " are refused.
set -euo pipefail

for name in MIGRATOR_PASSWORD APP_PASSWORD; do
  case "${!name:-}" in
    *[\;\'\"]*) echo "$name must not contain ; ' or \"" >&2; exit 1 ;;
  esac
done

exec /opt/mssql-tools18/bin/sqlcmd -S sqlserver -C -b -l 30 -U "${SQLCMDUSER:?SQLCMDUSER is required}" \
  -i "$(dirname "$0")/$1"
