#!/usr/bin/env bash
# The mesh's certificates as Kubernetes Secrets, without cert-manager: issues (or keeps, when still
# fit) a CA and one certificate per service in DIR with composition/pki/issue-certificates.ts, then
# prints one Secret `meshwork-tls-<service>` per service (type kubernetes.io/tls; ca.crt, tls.crt,
# tls.key: the layout cert-manager writes and the Deployments mount). Offline; needs kubectl.
#
#   scripts/kubernetes-tls-secrets.sh DIR [NAMESPACE] | kubectl apply -f -
#
# Keep DIR (the CA key is in DIR/ca/key.pem) to renew: run it again before the certificates expire.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:?usage: scripts/kubernetes-tls-secrets.sh DIR [NAMESPACE]}
NAMESPACE=${2:-}

if [ -f dist/composition/pki/issue-certificates.js ]; then
  node dist/composition/pki/issue-certificates.js --dir "$DIR" >&2
else
  node --import tsx composition/pki/issue-certificates.ts --dir "$DIR" >&2
fi
for service in api-gateway auth project simulation; do
  echo '---'
  kubectl create secret generic "meshwork-tls-$service" ${NAMESPACE:+--namespace "$NAMESPACE"} --type=kubernetes.io/tls \
    --from-file=ca.crt="$DIR/ca/cert.pem" --from-file=tls.crt="$DIR/$service/cert.pem" --from-file=tls.key="$DIR/$service/key.pem" \
    --dry-run=client -o yaml
done
