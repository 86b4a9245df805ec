#!/usr/bin/env bash
# The deployment tests, after the unit and contract tests (part of `npm test`, docs/deploy.md):
# prepares podman and the images, then runs, one at a time and timed,
#   a Podman network's bridge pinned to its address, compose.yaml under podman-compose, the Kubernetes dev overlay under podman kube play,
#   the mesh on three hosts (network namespaces), and the contract suites of Redis and
#   PostgreSQL once more with their servers started by testcontainers on Podman.
# MESHWORK_TIMINGS=<file> collects "<step>\t<seconds>" lines (.ci/run prints them).
set -euo pipefail
cd "$(dirname "$0")/.."

export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/scripts/podman/containers.conf}
timed() {
  local name=$1 start
  shift
  start=$(date +%s)
  echo "== $name"
  "$@"
  local seconds=$(($(date +%s) - start))
  echo "[test-deploy] $name: ${seconds} s"
  if [ -n "${MESHWORK_TIMINGS:-}" ]; then printf '%s\t%s\n' "$name" "$seconds" >>"$MESHWORK_TIMINGS"; fi
}

timed "podman, images (base, redis, postgres, meshwork)" bash scripts/ensure-containers.sh
timed "podman bridge keeps its address when a container leaves" npx vitest run -c vitest.deploy.config.ts contract-tests/deploy/bridge-address.e2e.test.ts
timed "compose: flows + auth container killed" npx vitest run -c vitest.deploy.config.ts contract-tests/deploy/compose.e2e.test.ts
timed "kubernetes: kube play of the dev overlay" npx vitest run -c vitest.deploy.config.ts contract-tests/deploy/kube-play.e2e.test.ts
timed "three hosts: flows + a host killed" npx vitest run -c vitest.deploy.config.ts contract-tests/deploy/three-hosts.e2e.test.ts

# The Redis and PostgreSQL contract suites, their servers in containers (docs/adr/0060), with the
# fault tests that SIGKILL the Redis container and start it again.
timed "contract suites on testcontainers (Podman)" env \
  DOCKER_HOST=unix:///run/podman/podman.sock TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1 \
  TEST_SERVERS=containers TEST_REDIS_IMAGE=localhost/meshwork-redis:7 TEST_POSTGRES_IMAGE=localhost/meshwork-postgres:15 \
  npx vitest run \
  contract-tests/messaging/redis.test.ts contract-tests/messaging/redis-faults.test.ts contract-tests/gateway/redis.test.ts \
  contract-tests/auth/login-failure-log.redis.test.ts contract-tests/discovery/redis-discovery.test.ts \
  contract-tests/sql/postgres-auth.test.ts contract-tests/sql/postgres-project.test.ts contract-tests/sql/postgres-simulation.test.ts
