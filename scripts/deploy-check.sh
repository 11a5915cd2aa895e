#!/usr/bin/env bash
# What operators deploy (deploy/), checked against a real API server: every manifest
# passes its validation (a server-side dry run), and one podgate replica serving every
# dialect end to end as podgate's own ServiceAccount, with only the permissions
# deploy/ grants, shows they are enough; a few requests beyond them show they are all.
#
#   scripts/deploy-check.sh DIR     (DIR from `scripts/cluster.sh start DIR`)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:?usage: scripts/deploy-check.sh DIR}
# kubectl: the cluster's own, built at its version.
eval "$(bash scripts/cluster.sh env "$DIR")"
SA=system:serviceaccount:podgate-system:podgate

log() { printf '[deploy-check] %s\n' "$*" >&2; }

# The namespace first: a server-side dry run of the objects in it needs it to exist.
log "server-side dry run of deploy/"
kubectl apply -f deploy/00-namespace.yaml >/dev/null
kubectl apply --dry-run=server -f deploy/ >/dev/null

log "applying the namespace and the permissions"
kubectl apply -f deploy/00-namespace.yaml -f deploy/10-rbac.yaml >/dev/null

# Nothing broader than deploy/ says: no secrets outside its namespaces, no namespaces
# not its own (the admission policy), no binding of any other role.
refused() {
  if kubectl "$@" >/dev/null 2>&1; then
    log "FAIL: podgate's ServiceAccount may: kubectl $*"
    exit 1
  fi
}
[ "$(kubectl auth can-i list secrets --all-namespaces --as="$SA")" = no ] || {
  log "FAIL: podgate may read every namespace's secrets"
  exit 1
}
[ "$(kubectl auth can-i create deployments -n default --as="$SA")" = no ] || {
  log "FAIL: podgate may write outside its namespaces"
  exit 1
}
# The admission policy is enforced once the API server has loaded it, a moment after
# it is applied: wait for that, then check (dry runs: nothing is made either way).
for _ in $(seq 1 60); do
  kubectl create namespace "not-podgate-$RANDOM" --as="$SA" --dry-run=server >/dev/null 2>&1 || break
  sleep 0.5
done
refused create namespace "not-podgate-$RANDOM" --as="$SA" --dry-run=server
kubectl create namespace "podgate-deploy-check-$RANDOM" --as="$SA" --dry-run=server >/dev/null
refused create rolebinding x --clusterrole=cluster-admin --user=x -n podgate-system --as="$SA" \
  --dry-run=server
log "the ServiceAccount holds no more than deploy/ grants"

# A kubeconfig that is podgate's ServiceAccount: a token for it, the cluster's CA.
TOKEN=$(kubectl -n podgate-system create token podgate --duration=2h)
SERVER=$(kubectl config view --raw -o jsonpath='{.clusters[0].cluster.server}')
CA=$(kubectl config view --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')
SA_CONFIG="$DIR/podgate-sa.kubeconfig"
cat > "$SA_CONFIG" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: cluster
  cluster:
    server: $SERVER
    certificate-authority-data: $CA
users:
- name: podgate
  user:
    token: $TOKEN
contexts:
- name: podgate
  context: {cluster: cluster, user: podgate}
current-context: podgate
EOF
chmod 600 "$SA_CONFIG"

log "every dialect end to end as $SA (--tenant-role podgate-tenant)"
KUBECONFIG="$SA_CONFIG" PODGATE_TENANT_ROLE=podgate-tenant \
  cargo test -p podgate-http --features server --test k8s -- --ignored
