#!/usr/bin/env bash
# Makes sure the deployment tests (scripts/test-deploy.sh, docs/deploy.md) can run here:
#   podman + podman-compose + debootstrap (and what podman needs on a machine like CI's),
#   Podman's Docker-compatible API on unix:///run/podman/podman.sock (for testcontainers),
#   the local base image, the meshwork image, and the Redis and PostgreSQL images built here,
#   kubectl (1.21 or newer) for `kubectl kustomize`.
# Installs with apt-get when it can (root, Debian/Ubuntu); otherwise stops with the exact command
# to run. Never lets a test skip silently. Set MESHWORK_REBUILD_IMAGE=1 to rebuild the meshwork image.
set -euo pipefail
cd "$(dirname "$0")/.."

export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/scripts/podman/containers.conf}
SOCKET=/run/podman/podman.sock
say() { echo "[ensure-containers] $*"; }
die() { echo "[ensure-containers] ERROR: $*" >&2; exit 1; }
can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

PACKAGES="podman podman-compose buildah debootstrap runc netavark aardvark-dns iptables iproute2"
missing=""
for tool in podman podman-compose buildah debootstrap runc ip iptables; do command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"; done
[ -x /usr/lib/podman/netavark ] || missing="$missing netavark"
if [ -n "$missing" ]; then
  can_apt || die "missing:$missing. Install them with: sudo apt-get update && sudo apt-get install -y $PACKAGES"
  say "apt-get install -y $PACKAGES (missing:$missing)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $PACKAGES >/dev/null
fi
[ "$(id -u)" = 0 ] || die "the deployment tests run podman as root and make network namespaces: run them as root (sudo npm test)"
say "$(podman --version), podman-compose $(podman-compose --version 2>/dev/null | awk '/podman-compose/ {print $3}')"

if ! command -v kubectl >/dev/null 2>&1; then
  die "kubectl is missing (1.21 or newer; only its offline 'kubectl kustomize' is used). Install it: https://kubernetes.io/docs/tasks/tools/"
fi
say "kubectl $(kubectl version --client 2>/dev/null | awk '/Client Version/ {print $3}')"

# Podman's Docker-compatible API for testcontainers.
if ! curl -sf --unix-socket "$SOCKET" http://d/_ping >/dev/null 2>&1; then
  mkdir -p "$(dirname "$SOCKET")"
  say "starting podman system service on unix://$SOCKET"
  # From /: the service outlives this checkout, and conmon fails every container start ("write child:
  # broken pipe") once the directory the service was started in is gone.
  (cd / && exec setsid nohup podman system service --time=0 "unix://$SOCKET") >/tmp/meshwork-podman-service.log 2>&1 &
  for _ in $(seq 1 50); do curl -sf --unix-socket "$SOCKET" http://d/_ping >/dev/null 2>&1 && break; sleep 0.1; done
  curl -sf --unix-socket "$SOCKET" http://d/_ping >/dev/null 2>&1 || die "podman system service did not answer on $SOCKET (log: /tmp/meshwork-podman-service.log)"
fi
say "podman API on unix://$SOCKET"

# Images: the local base (debootstrap), Redis and PostgreSQL from Debian on it, and meshwork.
bash scripts/build-dependency-images.sh
if [ "${MESHWORK_REBUILD_IMAGE:-1}" = 1 ] || ! podman image exists localhost/meshwork:dev; then
  bash scripts/build-image.sh localhost/meshwork:dev
fi
