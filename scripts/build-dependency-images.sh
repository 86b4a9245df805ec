#!/usr/bin/env bash
# Redis and PostgreSQL images for machines without a registry (CI here), from Debian's packages on
# the local base (deploy/local-images/). compose.yaml, the Kubernetes dev overlay test and the
# testcontainers fixtures use them there; with a registry use docker.io/library/redis:7 and
# docker.io/library/postgres:16 instead.
#
#   scripts/build-dependency-images.sh        builds what is missing (FORCE=1: both again)
set -euo pipefail
cd "$(dirname "$0")/.."

BASE=localhost/meshwork-base:bookworm-node20
REDIS_IMAGE=${MESHWORK_REDIS_IMAGE:-localhost/meshwork-redis:7}
POSTGRES_IMAGE=${MESHWORK_POSTGRES_IMAGE:-localhost/meshwork-postgres:15}
say() { echo "[build-dependency-images] $*"; }

bash scripts/build-base-image.sh "$BASE"
build() {
  local image=$1 file=$2
  if [ "${FORCE:-0}" != 1 ] && podman image exists "$image"; then
    say "$image exists (FORCE=1 rebuilds it)"
    return
  fi
  local start
  start=$(date +%s)
  podman build --format docker --build-arg "BASE_IMAGE=$BASE" -t "$image" -f "deploy/local-images/$file" deploy/local-images \
    >"/tmp/meshwork-$file.log" 2>&1 || {
    tail -20 "/tmp/meshwork-$file.log" >&2
    echo "[build-dependency-images] ERROR: building $image failed" >&2
    exit 1
  }
  say "$image built in $(($(date +%s) - start)) s"
}
build "$REDIS_IMAGE" redis.Containerfile
build "$POSTGRES_IMAGE" postgres.Containerfile
