#!/usr/bin/env bash
# Installs (Debian packages) and starts the real services the integration tests use, as root, without systemd:
# RabbitMQ on 5672 (management on 15672) and a throw-away PostgreSQL on 127.0.0.1:5433; Chromium for the browser test;
# the Node programs of tests/node-tools and the x402 seller of tests/x402-seller (exact versions from their
# package-lock.json files).
# Idempotent: what is already running is left alone. Source it to get the connection settings exported.
set -euo pipefail

PG_PORT="${PG_PORT:-5433}"
PG_DIR="${PG_DIR:-/tmp/orchestrator-pg}"
PG_BIN=/usr/lib/postgresql/15/bin
# The tests' server trades durability for speed; the benchmark starts its own with these empty (the defaults: on).
PG_SPEED_OPTIONS="${PG_SPEED_OPTIONS--c fsync=off -c synchronous_commit=off}"

install_packages() {
  local missing=()
  command -v rabbitmq-server >/dev/null || missing+=(rabbitmq-server)
  [ -x "$PG_BIN/initdb" ] || missing+=(postgresql)
  /usr/bin/python3 -c 'import pika' 2>/dev/null || missing+=(python3-pika)
  # The dashboard's browser test drives Debian's Chromium (Playwright cannot download its own browser here).
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ ${#missing[@]} -eq 0 ] && return
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

start_rabbitmq() {
  if rabbitmqctl -q status >/dev/null 2>&1; then return; fi
  getent hosts "$(hostname -s)" >/dev/null || export RABBITMQ_NODENAME=rabbit@localhost
  rabbitmq-plugins enable --offline rabbitmq_management >/dev/null
  rabbitmq-server -detached
  for _ in $(seq 1 90); do
    rabbitmqctl await_startup --timeout 60 >/dev/null 2>&1 && return
    sleep 1
  done
  echo "RabbitMQ did not start" >&2
  exit 1
}

start_postgres() {
  if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then return; fi
  rm -rf "$PG_DIR"
  install -d -o postgres -g postgres "$PG_DIR"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >/dev/null
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 $PG_SPEED_OPTIONS" start >/dev/null
  # The statements go in on standard input, so that no password is on a command line `ps` shows.
  runuser -u postgres -- psql -q -h "$PG_DIR" -p "$PG_PORT" -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE ROLE app LOGIN PASSWORD 'app_pw' CREATEDB;
CREATE DATABASE appdb OWNER app;
SQL
}

# npm ci of one folder under tests/ (exact versions from its package-lock.json), unless already installed from it.
install_node_folder() {
  local folder
  folder="$(cd "$(dirname "${BASH_SOURCE[0]}")/../tests/$1" && pwd)"
  if [ -d "$folder/node_modules" ] && [ "$folder/node_modules/.package-lock.json" -nt "$folder/package-lock.json" ]; then return; fi
  npm ci --prefix "$folder" --no-audit --no-fund --loglevel=error >/dev/null
}

install_node_tools() {
  install_node_folder node-tools
  # The x402 seller the x402 tests start as a process of their own (node server.js).
  install_node_folder x402-seller
}

install_packages
install_node_tools
start_rabbitmq
start_postgres

export ORCHESTRATOR_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=app;Password=app_pw;Database=appdb"
export ORCHESTRATOR_TEST_RABBITMQ="localhost"
echo "RabbitMQ on localhost:5672, PostgreSQL on 127.0.0.1:$PG_PORT"
