#!/usr/bin/env bash
# Starts the machine's PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) for the tests, each
# only when it does not answer already. Safe to run any number of times; .ci/run calls it first.
set -euo pipefail

if pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "ensure-services: PostgreSQL already answers on 127.0.0.1:5432"
else
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  echo "ensure-services: starting PostgreSQL ${version}"
  pg_ctlcluster --skip-systemctl-redirect "${version}" main start
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 1
  done
  pg_isready -h 127.0.0.1 -p 5432
fi

if [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; then
  echo "ensure-services: Redis already answers on 127.0.0.1:6379"
else
  echo "ensure-services: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do
    [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ] && break
    sleep 0.2
  done
  [ "$(redis-cli -h 127.0.0.1 -p 6379 ping)" = "PONG" ]
fi
