#!/usr/bin/env bash
# Builds the local base image of the meshwork image where no container registry is reachable:
# Debian bookworm from the machine's own Debian mirror (debootstrap --variant=minbase) plus this
# machine's Node.js and npm, laid out as the public node:20-bookworm-slim image is (node and npm
# in /usr/local, a user `node` with uid and gid 1000), so the Containerfile builds on either.
# With a registry, skip this script: the Containerfile's default base is node:20-bookworm-slim.
#
#   scripts/build-base-image.sh [IMAGE]      default localhost/meshwork-base:bookworm-node20
#   FORCE=1 scripts/build-base-image.sh      rebuild even when the image exists
#
# Needs root, podman and debootstrap (scripts/ensure-containers.sh installs them). About 40 s.
set -euo pipefail

IMAGE=${1:-localhost/meshwork-base:bookworm-node20}
say() { echo "[build-base-image] $*"; }
die() { echo "[build-base-image] ERROR: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "debootstrap needs root: sudo $0 $*"
command -v debootstrap >/dev/null || die "debootstrap is missing: apt-get install -y debootstrap"
command -v podman >/dev/null || die "podman is missing: apt-get install -y podman"
if [ "${FORCE:-0}" != 1 ] && podman image exists "$IMAGE"; then
  say "$IMAGE exists (FORCE=1 rebuilds it)"
  exit 0
fi

NODE=$(command -v node) || die "node is missing on this machine"
NODE_VERSION=$("$NODE" --version)
case "$NODE_VERSION" in v20.*|v22.*) ;; *) die "node $NODE_VERSION: the image needs Node 20 or 22" ;; esac
NPM_DIR=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
[ -f "$NPM_DIR/package.json" ] || die "cannot find npm's package next to $(command -v npm)"

# The mirror apt uses here (deb822 or one-line sources), else Debian's own.
MIRROR=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$MIRROR" ] || MIRROR=$(awk '/^deb / && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
MIRROR=${MIRROR:-http://deb.debian.org/debian}

ROOT=$(mktemp -d /tmp/meshwork-base-XXXXXX)
trap 'rm -rf "$ROOT"' EXIT
say "debootstrap bookworm from $MIRROR"
debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >"$ROOT.log" 2>&1 || {
  tail -20 "$ROOT.log" >&2
  die "debootstrap failed (log above)"
}
rm -f "$ROOT.log"

say "node $NODE_VERSION and npm $(node "$NPM_DIR/bin/npm-cli.js" --version) into /usr/local"
install -m 0755 "$NODE" "$ROOT/usr/local/bin/node"
mkdir -p "$ROOT/usr/local/lib/node_modules"
cp -a "$NPM_DIR" "$ROOT/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ROOT/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ROOT/usr/local/bin/npx"
chroot "$ROOT" groupadd --gid 1000 node
chroot "$ROOT" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
chroot "$ROOT" /usr/local/bin/node --version >/dev/null || die "node does not run inside the new root"
# What debootstrap leaves that an image need not carry.
rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/* "$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/*

tar -C "$ROOT" -c . | podman import --quiet \
  --change 'ENV NODE_VERSION='"${NODE_VERSION#v}" \
  --change 'CMD ["node"]' - "$IMAGE" >/dev/null
say "$IMAGE ready ($(podman image inspect "$IMAGE" --format '{{.Size}}' | awk '{printf "%d MB", $1/1000000}'))"
