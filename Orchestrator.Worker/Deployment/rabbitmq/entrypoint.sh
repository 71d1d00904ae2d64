#!/bin/bash
# Entrypoint of the `rabbitmq` service (the official rabbitmq:3-management image): starts the broker as the image
# does and, once it runs, gives the two users their passwords and their rights.
#
#   orchestrator  the Api and the Workers: configure, write and read on vhost "/" (MassTransit declares its own
#                 exchanges and queues); no tags, so no management UI
#   publisher     write on the exchange Orchestrator.Contracts:TaskSubmitted only; configure and read nothing
#
# Not `load_definitions` in a rabbitmq.conf: a definitions file holds password hashes, not variables, and the broker
# imports it again at every boot. So the passwords come from the environment (APP_PASSWORD, PUBLISHER_PASSWORD) through
# rabbitmqctl, at every start (a changed variable is a rotated password), and definitions.json, imported after, holds
# only what each user may do. No administrator and no `guest`: `docker compose exec rabbitmq rabbitmqctl ...` is the
# way in. The service's healthcheck passes only once this is done, so the Api and the Workers start after it; if it
# fails, the broker stays unhealthy and they never start.
set -euo pipefail

: "${APP_PASSWORD:?APP_PASSWORD is required}" "${PUBLISHER_PASSWORD:?PUBLISHER_PASSWORD is required}"
definitions="$(dirname "$0")/definitions.json"
ready=/tmp/orchestrator-users-ready
rm -f "$ready"

set_user() {
  # The password goes in on standard input (printf is a shell builtin), never as an argument that `ps` would show;
  # change_password takes it only as an argument, so a user that exists is made again (its rights come back with the
  # definitions imported after; nothing is connected yet).
  rabbitmqctl -q delete_user "$1" >/dev/null 2>&1 || true
  printf '%s' "$2" | rabbitmqctl -q add_user "$1"
  rabbitmqctl -q set_user_tags "$1"
}

configure() {
  # rabbitmqctl needs the Erlang cookie that the broker writes on its first boot; called before, it would write one of
  # its own (root's) that the broker could not read.
  until [ -s /var/lib/rabbitmq/.erlang.cookie ]; do sleep 1; done
  until rabbitmqctl -q await_startup --timeout 10 >/dev/null 2>&1; do sleep 2; done
  set_user orchestrator "$APP_PASSWORD"
  set_user publisher "$PUBLISHER_PASSWORD"
  rabbitmqctl -q import_definitions "$definitions"
  rabbitmqctl -q delete_user guest >/dev/null 2>&1 || true
  touch "$ready"
  echo "users orchestrator and publisher configured"
}

configure &
exec docker-entrypoint.sh rabbitmq-server
