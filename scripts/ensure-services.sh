#!/usr/bin/env bash
# Makes sure the servers the tests talk to are installed and running:
#   redis-server + redis-cli (tests spawn their own instances; some use 127.0.0.1:6379),
#   PostgreSQL on 127.0.0.1:5432 with trust auth for local connections,
#   prometheus + promtool (tests start their own prometheus on a free port; none left on 9090),
#   Chromium for the dashboard's browser test,
#   kubectl for the Kubernetes manifest test (it cannot be installed here: it says how).
# Installs them with apt-get when it can (root, Debian/Ubuntu); otherwise stops with the exact
# command to run. It never lets the tests skip silently.
set -euo pipefail

REDIS_PORT=${TEST_REDIS_PORT:-6379}
PG_HOST=${PGHOST:-127.0.0.1}
PG_PORT=${PGPORT:-5432}

say() { echo "[ensure-services] $*"; }
die() { echo "[ensure-services] ERROR: $*" >&2; exit 1; }

can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }
apt_updated=0
apt_install() {
  if ! can_apt; then
    die "$1 is missing. Install it with: sudo apt-get update && sudo apt-get install -y $*"
  fi
  if [ $apt_updated = 0 ]; then
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    apt_updated=1
  fi
  say "apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- Redis -------------------------------------------------------------------------------------
if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  apt_install redis-server
fi
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  say "starting redis-server on 127.0.0.1:$REDIS_PORT"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --dir /tmp --logfile "/tmp/redis-$REDIS_PORT.log"
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 || die "redis-server did not start on port $REDIS_PORT"
fi
say "redis $(redis-server --version | awk '{print $3}') ready on 127.0.0.1:$REDIS_PORT"

# --- PostgreSQL --------------------------------------------------------------------------------
pg_ready() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" >/dev/null 2>&1; }
if ! command -v pg_isready >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  if ! pg_ready 2>/dev/null; then apt_install postgresql postgresql-client; fi
fi
if ! pg_ready; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    version=$(ls /etc/postgresql | sort -V | tail -1)
    say "starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 100); do pg_ready && break; sleep 0.1; done
  fi
fi
pg_ready || die "PostgreSQL is not accepting connections on $PG_HOST:$PG_PORT. Start it with: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start"
if ! psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  die "PostgreSQL on $PG_HOST:$PG_PORT refuses user 'postgres' without a password. Allow trust auth for local test connections (pg_hba.conf: 'host all all 127.0.0.1/32 trust') or set PGUSER/PGPASSWORD."
fi
say "postgresql ready on $PG_HOST:$PG_PORT"

# --- Chromium (the dashboard's browser test drives it with playwright-core) ----------------------
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  apt_install chromium
fi
[ -x "$CHROMIUM" ] || die "Chromium is not at $CHROMIUM. Install it with: sudo apt-get install -y chromium (or set CHROMIUM_PATH)"
say "chromium $("$CHROMIUM" --version 2>/dev/null | awk '{print $2}') at $CHROMIUM"

# --- Prometheus (a test scrapes a mesh with it; promtool checks and unit-tests deploy/prometheus) --
if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
  # Without recommends: no node exporter. The package enables a service; the tests run their own
  # prometheus on a free port, so a service started by the install is stopped and disabled.
  if ! can_apt; then
    die "prometheus is missing. Install it with: sudo apt-get update && sudo apt-get install -y --no-install-recommends prometheus"
  fi
  apt_install --no-install-recommends prometheus
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
    say "stopping the prometheus service the package started"
    systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi
command -v promtool >/dev/null 2>&1 || die "promtool is missing. Install it with: sudo apt-get install -y --no-install-recommends prometheus"
say "prometheus $(prometheus --version 2>&1 | awk 'NR==1{print $3}') at $(command -v prometheus)"

# --- kubectl (the Kubernetes manifest test renders deploy/kubernetes with `kubectl kustomize`, offline) --
command -v kubectl >/dev/null 2>&1 || die "kubectl is missing (1.21 or newer; only its offline 'kubectl kustomize' is used). Install it: https://kubernetes.io/docs/tasks/tools/"
say "kubectl $(kubectl version --client 2>/dev/null | awk '/Client Version/ {print $3}')"
