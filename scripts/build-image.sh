#!/usr/bin/env bash
# Builds the meshwork image with podman (docker works the same: `docker build -f Containerfile .`).
#
#   scripts/build-image.sh [IMAGE]           default localhost/meshwork:dev
#   BASE_IMAGE=docker.io/library/node:20-bookworm-slim scripts/build-image.sh   with a registry
#
# Without BASE_IMAGE the local base is used, built first by scripts/build-base-image.sh when
# missing (no registry needed). The machine's extra CA certificates (a TLS-intercepting proxy in
# front of the npm registry) go to the build as a secret, and npm's cache on this machine is
# lent to it, so packages the host already downloaded are not fetched again.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${1:-localhost/meshwork:dev}
LOCAL_BASE=localhost/meshwork-base:bookworm-node20
BASE_IMAGE=${BASE_IMAGE:-$LOCAL_BASE}
say() { echo "[build-image] $*"; }

if [ "$BASE_IMAGE" = "$LOCAL_BASE" ]; then bash scripts/build-base-image.sh "$LOCAL_BASE"; fi

args=(${BUILD_FLAGS:-} --format docker --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$IMAGE" -f Containerfile)
extra_ca=$(mktemp)
trap 'rm -f "$extra_ca"' EXIT
cat /usr/local/share/ca-certificates/*.crt >"$extra_ca" 2>/dev/null || true
[ -s "$extra_ca" ] && args+=(--secret "id=npm_ca,src=$extra_ca")
npm_cache=$(npm config get cache 2>/dev/null || true)
if [ -n "$npm_cache" ] && [ -d "$npm_cache/_cacache" ]; then args+=(--volume "$npm_cache:/root/.npm"); fi

start=$(date +%s)
podman build "${args[@]}" . >/tmp/meshwork-image-build.log 2>&1 || {
  tail -30 /tmp/meshwork-image-build.log >&2
  echo "[build-image] ERROR: podman build failed (log above; whole log in /tmp/meshwork-image-build.log)" >&2
  exit 1
}
say "$IMAGE built in $(($(date +%s) - start)) s: $(podman image inspect "$IMAGE" --format '{{.Size}}' | awk '{printf "%d MB", $1/1000000}') (base $BASE_IMAGE)"
