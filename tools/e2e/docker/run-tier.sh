#!/usr/bin/env bash
# The docker tier: the Dockerfile and compose files built and run on a real Docker engine
# (test/docker/compose-stack.test.ts). Uses the engine at DOCKER_HOST (or /var/run/docker.sock);
# where none answers and this is root, installs Debian's docker.io and docker-compose when they
# are missing and starts a dockerd of its own (own data root and socket, iptables left alone),
# stopped by its pid at the end. Everything the tier made is removed on exit, failed or not.
#
# DOCKER_TIER: `required` (default): no engine at all fails the tier in one line; `optional`: no
# engine is expected on this machine, and says so in one line; `skip`: not run (one line says so;
# .ci/run's second pass on another Node.js sets it, the images carry their own Node). BASE_IMAGE_CACHE (default /var/cache/gift-deliveries-docker) keeps the
# stand-in base image between runs (docker/base-image.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(cd ../.. && pwd)
export DOCKER_TIER_PROJECT=${DOCKER_TIER_PROJECT:-gift-deliveries-tier}
started=$SECONDS
own_pid=''
own_dir=''
tests_pid=''
step() { printf '[docker tier] %s (%d s)\n' "$*" "$((SECONDS - started))"; }
mode=${DOCKER_TIER:-required}
case "$mode" in
  required | optional) ;;
  skip) printf '[docker tier] SKIPPED: DOCKER_TIER=skip\n'; exit 0 ;;
  *) printf '[docker tier] FAILED: DOCKER_TIER=%s is not required, optional or skip\n' "$mode" >&2; exit 1 ;;
esac
no_engine() {
  if [ "$mode" = optional ]; then
    printf '[docker tier] SKIPPED: no Docker engine: %s (DOCKER_TIER=optional)\n' "$*"
    exit 0
  fi
  printf '[docker tier] FAILED: no Docker engine: %s\n' "$*" >&2
  exit 1
}

cleanup() {
  local status=$?
  set +e
  [ -z "$tests_pid" ] || kill "$tests_pid" 2> /dev/null
  if [ -n "${DOCKER_HOST:-}" ] || [ -S /var/run/docker.sock ]; then
    for project in "$DOCKER_TIER_PROJECT" "$DOCKER_TIER_PROJECT-production" "$DOCKER_TIER_PROJECT-scale"; do
      local filter="label=com.docker.compose.project=$project"
      docker ps -aq --filter "$filter" 2> /dev/null | xargs -r docker rm -f > /dev/null 2>&1
      docker volume ls -q --filter "$filter" 2> /dev/null | xargs -r docker volume rm > /dev/null 2>&1
      docker network ls -q --filter "$filter" 2> /dev/null | xargs -r docker network rm > /dev/null 2>&1
    done
  fi
  if [ -n "$own_pid" ]; then
    step "stopping our dockerd (pid $own_pid)"
    kill "$own_pid" 2> /dev/null
    for _ in $(seq 60); do kill -0 "$own_pid" 2> /dev/null || break; sleep 0.5; done
    kill -9 "$own_pid" 2> /dev/null
    # Mounts a killed engine may leave under its data root, innermost first.
    awk -v dir="$own_dir" 'index($2, dir) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r umount -l
    rm -rf "$own_dir"
  fi
  step "finished with exit code $status"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. An engine: the one there, or our own.
if command -v docker > /dev/null && docker info > /dev/null 2>&1; then
  step "using the engine at ${DOCKER_HOST:-unix:///var/run/docker.sock}"
else
  [ "$(id -u)" = 0 ] || no_engine "none answers at ${DOCKER_HOST:-/var/run/docker.sock}, and only root can start one"
  if ! command -v dockerd > /dev/null || ! command -v docker-compose > /dev/null || ! command -v debootstrap > /dev/null; then
    command -v apt-get > /dev/null || no_engine 'none answers, dockerd is not installed, and there is no apt-get to install it'
    step 'installing docker.io, docker-compose and debootstrap (Debian packages)'
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose debootstrap; } > /tmp/docker-tier-apt.log 2>&1 \
      || { tail -5 /tmp/docker-tier-apt.log >&2; no_engine 'apt-get install docker.io docker-compose failed (log above)'; }
  fi
  own_dir=$(mktemp -d /tmp/docker-tier.XXXXXX)
  # No docker0 bridge and a pool of its own: another engine on this machine keeps its networks.
  dockerd --iptables=false --bridge=none --storage-driver=overlay2 \
    --default-address-pool base=10.213.0.0/16,size=24 \
    --data-root "$own_dir/data" --exec-root "$own_dir/exec" --pidfile "$own_dir/dockerd.pid" \
    --host "unix://$own_dir/docker.sock" > "$own_dir/dockerd.log" 2>&1 &
  own_pid=$!
  export DOCKER_HOST="unix://$own_dir/docker.sock"
  for _ in $(seq 60); do docker info > /dev/null 2>&1 && break; kill -0 "$own_pid" 2> /dev/null || break; sleep 0.5; done
  docker info > /dev/null 2>&1 || { tail -5 "$own_dir/dockerd.log" >&2; no_engine 'dockerd did not start (its log above)'; }
  step "started our dockerd $(docker version --format '{{.Server.Version}}') (pid $own_pid, $DOCKER_HOST)"
fi

# 2. Compose: the v2 plugin, else Debian's v1.
if docker compose version > /dev/null 2>&1; then export COMPOSE='docker compose'
elif command -v docker-compose > /dev/null; then export COMPOSE=docker-compose
else no_engine 'neither `docker compose` nor `docker-compose` is installed'; fi
step "compose: $COMPOSE $($COMPOSE version --short)"

# 3. The ports docker-compose.yml publishes must be free.
for port in 4000 7001 7002; do
  if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
    printf '[docker tier] FAILED: port %s is already in use on this machine (docker-compose.yml publishes it)\n' "$port" >&2
    exit 1
  fi
done

# 4. The base image the Dockerfile names.
base=$(sed -n 's/^FROM \(node:[^ ]*\).*/\1/p' "$root/Dockerfile" | head -1)
step "base image $base"
BASE_IMAGE="$base" bash docker/base-image.sh

# 5. The images docker-compose.scale.yml runs as they are (PostgreSQL, Redis, HAProxy).
for image in $(sed -n 's/^ *image: *//p' "$root/docker-compose.scale.yml"); do
  step "image $image"
  BASE_IMAGE="$image" bash docker/base-image.sh
done

# 6. The tests: build, run, durability, production, scaled (each step logs a progress line).
step 'running test/docker/compose-stack.test.ts'
# In the background, so that a signal to this script cleans up at once instead of after the tests.
npx vitest run --config vitest.docker.config.ts &
tests_pid=$!
wait "$tests_pid"
tests_pid=''
