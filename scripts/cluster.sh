#!/usr/bin/env bash
# A real, local Kubernetes control plane on loopback for podgate's Kubernetes backend
# tests: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, and KWOK for
# six fake nodes (podgate's default simulator topology). Everything is built from Go
# modules at the versions pinned below, once, and cached outside the repository.
#
#   scripts/cluster.sh build          build the binaries (if not cached) and exit
#   scripts/cluster.sh start DIR      build if needed, start a fresh cluster with its
#                                     state in DIR; returns once /readyz answers ok and
#                                     every node is Ready; writes DIR/kubeconfig
#   scripts/cluster.sh stop DIR       stop what `start DIR` started (idempotent)
#   scripts/cluster.sh status DIR     which components run (exit 1 if any is down)
#   scripts/cluster.sh env DIR        print KUBECONFIG and PATH exports (eval them)
#   scripts/cluster.sh down DIR NAME  stop one component (SIGTERM), the rest running
#   scripts/cluster.sh up DIR NAME    start it again as it was; returns once it serves
#   scripts/cluster.sh bin            print the directory holding the binaries
#
# Environment: PODGATE_CACHE (default ~/.cache/podgate) holds the binaries and Go's
# module and build caches. See docs/cluster.md.
set -euo pipefail

# ---------------------------------------------------------------------------------
# Pinned versions: change them here (and nowhere else); the cache key follows.
# ---------------------------------------------------------------------------------
K8S_VERSION=v1.36.3   # k8s.io/kubernetes; k8s-openapi 0.28's newest API is v1_36
ETCD_VERSION=v3.6.8   # go.etcd.io/etcd/server/v3: what Kubernetes 1.36.3 ships with
                      # (build/dependencies.yaml, kubeadm's DefaultEtcdVersion)
KWOK_VERSION=v0.8.0   # sigs.k8s.io/kwok: built against k8s.io/* v0.36.1
RECIPE=1              # bump when the build recipe below changes

# The fake nodes: name region zone group ("-" for none). podgate's default simulator
# topology (crates/backend-sim/src/config.rs, default_topology()).
NODES=(
  "node-1 region1 cn-east-1a group-a"
  "node-2 region1 cn-east-1b group-a"
  "node-3 region2 cn-east-1a group-b"
  "node-4 region2 cn-east-1b group-b"
  "node-5 region3 cn-east-1a group-c"
  "node-6 region3 cn-east-1b -"
)
NODE_CPU=16
NODE_MEMORY=64Gi
# Pods per node; a benchmark that places more pods than the default topology holds
# sets PODGATE_CLUSTER_NODE_PODS (its simulator then uses the same).
NODE_PODS=${PODGATE_CLUSTER_NODE_PODS:-110}

# How long a deleted pod stays Terminating (at most its grace period).
POD_TERMINATION_SECONDS=3

# How long start waits for each step.
READY_TIMEOUT=${PODGATE_CLUSTER_TIMEOUT:-180}

# ---------------------------------------------------------------------------------

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ASSETS="$SCRIPT_DIR/cluster"
CACHE=${PODGATE_CACHE:-$HOME/.cache/podgate}
KEY="k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}_r${RECIPE}"
BUILD_ROOT="$CACHE/cluster/$KEY"
BIN="$BUILD_ROOT/bin"
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

log() { printf '[cluster] %s\n' "$*" >&2; }
die() { printf '[cluster] error: %s\n' "$*" >&2; exit 1; }

need() {
  local tool=$1 hint=$2
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is required but not found ($hint)"
}

# ---------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------

go_env() {
  # Go's caches live with the binaries so that CI caches one directory. -modcacherw
  # keeps the module cache deletable. GOFLAGS from the caller is not inherited.
  export GOMODCACHE="$CACHE/go/mod"
  export GOCACHE="$CACHE/go/build"
  export GOFLAGS="-modcacherw -buildvcs=false"
  export CGO_ENABLED=0
  unset GOOS GOARCH GOWORK || true
  export GOWORK=off
}

built() {
  local b
  for b in "${COMPONENTS[@]}" kubectl; do
    [[ -x "$BIN/$b" ]] || return 1
  done
  [[ -f "$BIN/.complete" ]]
}

build_etcd() {
  local src="$BUILD_ROOT/src/etcd"
  rm -rf "$src" && mkdir -p "$src"
  cp "$ASSETS/etcd/main.go" "$ASSETS/etcd/go.mod" "$ASSETS/etcd/go.sum" "$src/"
  # The tiny main's go.mod pins the server module; keep it in step with ETCD_VERSION.
  grep -q "go.etcd.io/etcd/server/v3 $ETCD_VERSION\$" "$src/go.mod" ||
    die "scripts/cluster/etcd/go.mod does not require go.etcd.io/etcd/server/v3 $ETCD_VERSION; run: (cd scripts/cluster/etcd && go get go.etcd.io/etcd/server/v3@$ETCD_VERSION && go mod tidy)"
  log "building etcd $ETCD_VERSION"
  (cd "$src" && go build -mod=readonly -trimpath \
    -ldflags "-s -w" -o "$BIN/etcd" .)
}

build_kubernetes() {
  local src="$BUILD_ROOT/src/kubernetes"
  rm -rf "$src" && mkdir -p "$src"
  log "fetching k8s.io/kubernetes $K8S_VERSION"
  local gomod
  gomod=$(cd "$src" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
  [[ -f "$gomod" ]] || die "could not download k8s.io/kubernetes@$K8S_VERSION"
  local kdir info
  kdir=$(cd "$src" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  info=${gomod%.mod}.info

  # k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with
  # ./staging/src/...; outside its repository each must be replaced by the published
  # module of the same release: v1.X.Y -> v0.X.Y.
  local staging_version="v0.${K8S_VERSION#v1.}"
  local staged
  staged=$(awk '
    /^replace \(/ { inrep = 1; next }
    inrep && /^\)/ { inrep = 0; next }
    inrep && $2 == "=>" && $3 ~ /^\.\/staging\// { print $1 }
  ' "$gomod")
  [[ -n "$staged" ]] || die "no staging replace block found in $gomod"
  {
    echo "module podgate.invalid/cluster/kubernetes"
    echo
    echo "go $(awk '$1 == "go" { print $2; exit }' "$gomod")"
    echo
    echo "godebug default=go1.$(awk '$1 == "go" { split($2, v, "."); print v[2]; exit }' "$gomod")"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    local m
    for m in $staged; do
      # Only the staging modules k8s.io/kubernetes itself requires (the sample
      # plugins it does not require are not all published).
      if grep -qE "^[[:space:]]+$m v0\.0\.0([[:space:]]|$)" "$gomod"; then
        echo "	$m => $m $staging_version"
      fi
    done
    echo ")"
  } >"$src/go.mod"
  # Kubernetes' own go.sum covers every third-party module it pins.
  cp "$kdir/go.sum" "$src/go.sum"
  chmod u+w "$src/go.sum"

  local minor=${K8S_VERSION#v1.}
  minor=${minor%%.*}
  # The release's tag time (from the module proxy) as the build date: the same
  # binaries whenever they are built. The proxy does not give the commit hash, so
  # gitCommit keeps its unset placeholder.
  local date
  date=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$info")
  [[ -n "$date" ]] || date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  local ldflags="-s -w" pkg kv key val
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    for kv in "gitVersion=$K8S_VERSION" "gitMajor=1" "gitMinor=$minor" \
      "gitTreeState=clean" "buildDate=$date"; do
      key=${kv%%=*} val=${kv#*=}
      ldflags+=" -X $pkg.$key=$val"
    done
  done
  log "building kube-apiserver, kube-controller-manager, kube-scheduler, kubectl $K8S_VERSION (the long part)"
  (cd "$src" && go build -mod=mod -trimpath -ldflags "$ldflags" -o "$BIN/" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler \
    k8s.io/kubernetes/cmd/kubectl)
}

build_kwok() {
  log "building kwok $KWOK_VERSION"
  # kwok's go.mod has no replace directives: `go install pkg@version` builds it with
  # exactly the versions it pins.
  GOBIN="$BIN" go install -trimpath \
    -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}" \
    "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
}

build() {
  need go "install Go >= 1.26"
  need flock "apt-get install util-linux"
  if built; then return 0; fi
  mkdir -p "$CACHE/cluster"
  local lock="$CACHE/cluster/$KEY.lock"
  exec 9>"$lock"
  if ! flock -n 9; then
    log "another build of $KEY is running; waiting for it"
    flock 9
  fi
  if built; then exec 9>&-; return 0; fi
  go_env
  local start=$SECONDS
  log "building $KEY into $BIN (GOMODCACHE=$GOMODCACHE GOCACHE=$GOCACHE)"
  rm -rf "$BIN" && mkdir -p "$BIN"
  build_etcd
  build_kwok
  build_kubernetes
  {
    echo "kubernetes $K8S_VERSION"
    echo "etcd $ETCD_VERSION"
    echo "kwok $KWOK_VERSION"
    echo "go $(go env GOVERSION)"
    echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $((SECONDS - start))s"
  } >"$BIN/.complete"
  log "built in $((SECONDS - start))s"
  exec 9>&-
}

# ---------------------------------------------------------------------------------
# Cluster state helpers
# ---------------------------------------------------------------------------------

# Whether process $1 runs (a zombie does not: once its parent, this script, is gone,
# an exited component stays a zombie until init reaps it).
running() {
  local state
  state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# Whether pid file $1 names a live process started from our bin directory.
alive() {
  local pidfile=$1 pid
  [[ -f "$pidfile" ]] || return 1
  pid=$(<"$pidfile")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  running "$pid" || return 1
  # Guard against a recycled pid: the process must be one of our binaries.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "/cluster/" || return 1
}

# Ports in use on this machine (any state), from /proc.
used_ports() {
  local hex
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
    awk '$2 ~ /:/ { n = split($2, a, ":"); print a[n] }' |
    while read -r hex; do echo $((16#$hex)); done | sort -un
}

# A free TCP port on 127.0.0.1 below the ephemeral range, not in $TAKEN.
TAKEN=" "
free_port() {
  local used port tries=0
  used=" $(used_ports | tr '\n' ' ') "
  while :; do
    port=$((20000 + RANDOM % 12000))
    if [[ "$used" != *" $port "* && "$TAKEN" != *" $port "* ]]; then
      TAKEN+="$port "
      echo "$port"
      return 0
    fi
    tries=$((tries + 1))
    ((tries < 1000)) || die "no free port found"
  done
}

# ---------------------------------------------------------------------------------
# Certificates and kubeconfigs
# ---------------------------------------------------------------------------------

# sign NAME CN ORG USAGE [SAN]: an EC P-256 key and a certificate signed by the CA
# (by $CA when set).
sign() {
  local name=$1 cn=$2 org=$3 usage=$4 san=${5:-}
  local pki="$DIR/pki"
  local subj="/CN=$cn"
  [[ -n "$org" ]] && subj="/O=$org$subj"
  openssl ecparam -name prime256v1 -genkey -noout -out "$pki/$name.key" 2>/dev/null
  openssl req -new -key "$pki/$name.key" -subj "$subj" -out "$pki/$name.csr" 2>/dev/null
  {
    echo "basicConstraints = critical, CA:FALSE"
    echo "keyUsage = critical, digitalSignature, keyEncipherment"
    echo "extendedKeyUsage = $usage"
    [[ -n "$san" ]] && echo "subjectAltName = $san"
  } >"$pki/$name.ext"
  local ca=${CA:-ca}
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/$ca.crt" -CAkey "$pki/$ca.key" \
    -CAcreateserial -days 3650 -sha256 -extfile "$pki/$name.ext" \
    -out "$pki/$name.crt" 2>/dev/null
  rm -f "$pki/$name.csr" "$pki/$name.ext"
}

make_pki() {
  local pki="$DIR/pki"
  mkdir -p "$pki"
  chmod 700 "$pki"
  openssl ecparam -name prime256v1 -genkey -noout -out "$pki/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$pki/ca.key" -subj "/CN=podgate-cluster-ca" -days 3650 \
    -sha256 -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$pki/ca.crt" 2>/dev/null
  sign apiserver kube-apiserver "" serverAuth \
    "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.96.0.1"
  # What the API server presents to kubelets (here: kwok's server) for logs.
  sign apiserver-kubelet-client kube-apiserver-kubelet-client "" clientAuth
  sign admin podgate-admin system:masters clientAuth
  sign controller-manager system:kube-controller-manager "" clientAuth
  sign scheduler system:kube-scheduler "" clientAuth
  # kwok acts for every fake node's kubelet at once: it patches pod and node status,
  # deletes pods and holds node leases, so it runs as an administrator, as kwokctl
  # runs it.
  sign kwok kwok-controller system:masters clientAuth
  # The "kubelet" serving certificate: the API server reaches nodes at their
  # InternalIP 127.0.0.1 and checks this against the CA (--kubelet-certificate-authority).
  sign kwok-serving kwok-kubelet "" serverAuth "DNS:localhost,IP:127.0.0.1"
  # The aggregation layer's front proxy (requestheader authentication), as kubeadm
  # sets it up: without it every component logs a missing requestheader CA bundle.
  openssl ecparam -name prime256v1 -genkey -noout -out "$pki/front-proxy-ca.key" 2>/dev/null
  openssl req -x509 -new -key "$pki/front-proxy-ca.key" -subj "/CN=podgate-front-proxy-ca" \
    -days 3650 -sha256 -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$pki/front-proxy-ca.crt" 2>/dev/null
  CA=front-proxy-ca sign front-proxy-client front-proxy-client "" clientAuth
  # Service account token signing pair.
  openssl ecparam -name prime256v1 -genkey -noout -out "$pki/sa.key" 2>/dev/null
  openssl ec -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
  chmod 600 "$pki"/*.key
}

b64() { base64 -w0 <"$1"; }

# kubeconfig FILE USER CERTNAME
kubeconfig() {
  local file=$1 user=$2 cert=$3
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: podgate
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority-data: $(b64 "$DIR/pki/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(b64 "$DIR/pki/$cert.crt")
    client-key-data: $(b64 "$DIR/pki/$cert.key")
contexts:
- name: $user@podgate
  context:
    cluster: podgate
    user: $user
current-context: $user@podgate
EOF
  chmod 600 "$file"
}

# ---------------------------------------------------------------------------------
# KWOK configuration and nodes
# ---------------------------------------------------------------------------------

kwok_config() {
  local out="$DIR/kwok/kwok.yaml" f
  : >"$out"
  for f in "$ASSETS"/kwok/stages/*.yaml; do
    echo "---" >>"$out"
    sed "s/@POD_TERMINATION_SECONDS@/$POD_TERMINATION_SECONDS/g" "$f" >>"$out"
  done
  # Every container of every pod serves this log (CRI log format, what kubelets
  # keep on disk): kwok's server reads it for GET pods/log.
  local now
  now=$(date -u +%Y-%m-%dT%H:%M:%S)
  {
    echo "${now}.000000000Z stdout F podgate fake container started (kwok)"
    echo "${now}.100000000Z stdout F listening on :80"
    echo "${now}.200000000Z stderr F a line on stderr"
    echo "${now}.300000000Z stdout F ready"
  } >"$DIR/kwok/container.log"
  cat >>"$out" <<EOF
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: ClusterLogs
metadata:
  name: podgate-all-pods
spec:
  selector: {}
  logs:
  - logsFile: $DIR/kwok/container.log
    follow: false
EOF
}

# The StorageClasses of NCS's disk types (podgate's default mapping, docs/k8s-mapping.md),
# provisioned by the controller-manager's own host-path provisioner: claims bind for
# real, to directories under /tmp, and go when they are deleted.
STORAGE_CLASSES=(cloud-ssd cloud-high-performance-ssd cloud-local)

storage_classes_yaml() {
  local class
  for class in "${STORAGE_CLASSES[@]}"; do
    cat <<EOF
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: $class
provisioner: kubernetes.io/host-path
reclaimPolicy: Delete
volumeBindingMode: Immediate
EOF
  done
}

# The audit log (DIR/logs/audit.log, JSON lines) records every request podgate makes,
# with its identity: the admin client (podgate-admin, as the tests run it) and any
# ServiceAccount of podgate-system (as it runs in a pod). What the cluster's own parts
# ask is left out. It is how API requests per operation are counted on the server.
audit_policy_yaml() {
  cat <<EOF
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
  users: [podgate-admin]
- level: Metadata
  userGroups: [system:serviceaccounts:podgate-system]
- level: None
EOF
}

nodes_yaml() {
  local spec name region zone group
  for spec in "${NODES[@]}"; do
    read -r name region zone group <<<"$spec"
    cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: $name
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    type: kwok
    kubernetes.io/hostname: $name
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    topology.kubernetes.io/region: $region
    topology.kubernetes.io/zone: $zone
EOF
    if [[ "$group" != "-" ]]; then
      echo "    podgate.io/node-group: $group"
    fi
    cat <<EOF
status:
  capacity:
    cpu: "$NODE_CPU"
    memory: $NODE_MEMORY
    pods: "$NODE_PODS"
  allocatable:
    cpu: "$NODE_CPU"
    memory: $NODE_MEMORY
    pods: "$NODE_PODS"
  nodeInfo:
    architecture: amd64
    operatingSystem: linux
    kubeletVersion: $K8S_VERSION
    kubeProxyVersion: $K8S_VERSION
    containerRuntimeVersion: kwok://$KWOK_VERSION
EOF
  done
}

# ---------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------

# launch NAME ARGS...: starts $BIN/NAME in its own session, output to DIR/logs.
launch() {
  local name=$1
  shift
  local pidfile="$DIR/pids/$name"
  # Its command line, for `up` to start it again the same way.
  printf '%s\0' "$@" >"$DIR/pids/$name.args"
  # The child writes its own pid, then execs: the pid file names the component
  # itself, whatever setsid does.
  # shellcheck disable=SC2016 # expanded by the child shell
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$BIN/$name" "$@" \
    </dev/null >"$DIR/logs/$name.log" 2>&1 &
  for _ in $(seq 50); do
    [[ -s "$pidfile" ]] && return 0
    sleep 0.1
  done
  fail "$name" "did not start"
}

# fail NAME MESSAGE: explain, show the component's log tail, stop everything.
fail() {
  local name=$1 msg=$2
  printf '[cluster] error: %s %s\n' "$name" "$msg" >&2
  if [[ -f "$DIR/logs/$name.log" ]]; then
    printf '[cluster] last lines of %s:\n' "$DIR/logs/$name.log" >&2
    tail -n 40 "$DIR/logs/$name.log" | sed 's/^/    /' >&2
  fi
  stop_all >/dev/null 2>&1 || true
  exit 1
}

# wait_for NAME DESCRIPTION COMMAND...: polls COMMAND until it succeeds; fails when
# the component dies or READY_TIMEOUT passes.
wait_for() {
  local name=$1 what=$2
  shift 2
  local deadline=$((SECONDS + READY_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    alive "$DIR/pids/$name" || fail "$name" "exited while waiting for $what"
    ((SECONDS < deadline)) || fail "$name" "not ready after ${READY_TIMEOUT}s ($what)"
    sleep 0.2
  done
}

port_open() { (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

kubectl_admin() { "$BIN/kubectl" --kubeconfig "$DIR/kubeconfig" "$@"; }

# healthz PORT: a component's /healthz over TLS. Its serving certificate is
# self-signed; the admin client certificate keeps kubectl from prompting for a
# password.
healthz() {
  [[ "$("$BIN/kubectl" --kubeconfig /dev/null --server "https://127.0.0.1:$1" \
    --insecure-skip-tls-verify=true --client-certificate="$DIR/pki/admin.crt" \
    --client-key="$DIR/pki/admin.key" get --raw /healthz 2>/dev/null </dev/null)" == ok ]]
}

apiserver_ready() { [[ "$(kubectl_admin get --raw /readyz 2>/dev/null)" == ok ]]; }

nodes_ready() {
  local ready
  ready=$(kubectl_admin get nodes -l type=kwok -o \
    jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' |
    grep -c '^True$' || true)
  [[ "$ready" -eq "${#NODES[@]}" ]]
}

default_sa() { kubectl_admin -n default get serviceaccount default; }

# stop_one NAME: SIGTERM, then SIGKILL after 15 s; true if it was running.
stop_one() {
  local name=$1 pidfile="$DIR/pids/$1" pid was=1
  if alive "$pidfile"; then
    pid=$(<"$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 300); do
      running "$pid" || break
      sleep 0.05
    done
    if running "$pid"; then
      log "$name ($pid) ignored SIGTERM for 15s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 100); do
        running "$pid" || break
        sleep 0.05
      done
    fi
    was=0
  fi
  rm -f "$pidfile"
  return $was
}

# ready NAME: waits until a (re)started component serves.
ready() {
  # shellcheck disable=SC1091 # written by start
  source "$DIR/ports.env"
  case "$1" in
    etcd) wait_for etcd "its client port $ETCD_PORT" port_open "$ETCD_PORT" ;;
    kube-apiserver) wait_for kube-apiserver "/readyz" apiserver_ready ;;
    kube-controller-manager) wait_for "$1" "/healthz on $KCM_PORT" healthz "$KCM_PORT" ;;
    kube-scheduler) wait_for "$1" "/healthz on $SCHED_PORT" healthz "$SCHED_PORT" ;;
    kwok) wait_for kwok "its server on $KWOK_PORT" port_open "$KWOK_PORT" ;;
  esac
}

stop_all() {
  local name stopped=()
  [[ -d "$DIR/pids" ]] || return 0
  # Reverse start order: the node and pod actors first, etcd last.
  for name in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
    if stop_one "$name"; then
      stopped+=("$name")
    fi
  done
  if ((${#stopped[@]})); then
    log "stopped: ${stopped[*]}"
  else
    log "nothing was running in $DIR"
  fi
}

# ---------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------

set_dir() {
  [[ -n "${1:-}" ]] || die "usage: $0 $CMD DIR"
  mkdir -p "$1"
  DIR=$(cd "$1" && pwd)
}

cmd_start() {
  set_dir "${1:-}"
  need openssl "apt-get install openssl"
  need setsid "apt-get install util-linux"
  need base64 "apt-get install coreutils"
  local name
  for name in "${COMPONENTS[@]}"; do
    if alive "$DIR/pids/$name"; then
      die "a cluster is already running in $DIR ($name pid $(<"$DIR/pids/$name")); run: $0 stop $DIR"
    fi
  done
  build
  local t0=$SECONDS

  # A fresh cluster every time: only the paths this script owns are reset.
  rm -rf "$DIR/etcd" "$DIR/pki" "$DIR/logs" "$DIR/pids" "$DIR/kwok" \
    "$DIR/kubeconfig" "$DIR"/*.kubeconfig "$DIR/ports.env" "$DIR/nodes.yaml" \
    "$DIR/audit-policy.yaml"
  mkdir -p "$DIR/logs" "$DIR/pids" "$DIR/kwok"

  ETCD_PORT=$(free_port)
  ETCD_PEER_PORT=$(free_port)
  API_PORT=$(free_port)
  KCM_PORT=$(free_port)
  SCHED_PORT=$(free_port)
  KWOK_PORT=$(free_port)
  cat >"$DIR/ports.env" <<EOF
ETCD_PORT=$ETCD_PORT
ETCD_PEER_PORT=$ETCD_PEER_PORT
API_PORT=$API_PORT
KCM_PORT=$KCM_PORT
SCHED_PORT=$SCHED_PORT
KWOK_PORT=$KWOK_PORT
EOF

  make_pki
  kubeconfig "$DIR/kubeconfig" admin admin
  kubeconfig "$DIR/controller-manager.kubeconfig" system:kube-controller-manager controller-manager
  kubeconfig "$DIR/scheduler.kubeconfig" system:kube-scheduler scheduler
  kubeconfig "$DIR/kwok.kubeconfig" kwok-controller kwok
  kwok_config
  nodes_yaml >"$DIR/nodes.yaml"
  audit_policy_yaml >"$DIR/audit-policy.yaml"

  local pki="$DIR/pki"
  launch etcd \
    --name=podgate \
    --data-dir="$DIR/etcd" \
    --listen-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="podgate=http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster-state=new \
    --auto-compaction-retention=1 \
    --quota-backend-bytes=$((2 * 1024 * 1024 * 1024)) \
    --unsafe-no-fsync \
    --log-level=warn
  ready etcd

  launch kube-apiserver \
    --audit-policy-file="$DIR/audit-policy.yaml" \
    --audit-log-path="$DIR/logs/audit.log" \
    --audit-log-format=json \
    --audit-log-maxsize=512 \
    --bind-address=127.0.0.1 \
    --secure-port="$API_PORT" \
    --advertise-address=127.0.0.1 \
    --endpoint-reconciler-type=none \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --tls-cert-file="$pki/apiserver.crt" \
    --tls-private-key-file="$pki/apiserver.key" \
    --client-ca-file="$pki/ca.crt" \
    --authorization-mode=Node,RBAC \
    --enable-admission-plugins=NodeRestriction \
    --allow-privileged=true \
    --service-cluster-ip-range=10.96.0.0/12 \
    --service-node-port-range=30000-32767 \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$pki/sa.pub" \
    --service-account-signing-key-file="$pki/sa.key" \
    --kubelet-client-certificate="$pki/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$pki/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$pki/ca.crt" \
    --kubelet-preferred-address-types=InternalIP \
    --requestheader-client-ca-file="$pki/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User \
    --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$pki/front-proxy-client.crt" \
    --proxy-client-key-file="$pki/front-proxy-client.key" \
    --profiling=false
  ready kube-apiserver

  launch kube-controller-manager \
    --kubeconfig="$DIR/controller-manager.kubeconfig" \
    --authentication-kubeconfig="$DIR/controller-manager.kubeconfig" \
    --authorization-kubeconfig="$DIR/controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 \
    --secure-port="$KCM_PORT" \
    --leader-elect=false \
    --use-service-account-credentials=true \
    --service-account-private-key-file="$pki/sa.key" \
    --root-ca-file="$pki/ca.crt" \
    --cluster-signing-cert-file="$pki/ca.crt" \
    --cluster-signing-key-file="$pki/ca.key" \
    --cluster-name=podgate \
    --service-cluster-ip-range=10.96.0.0/12 \
    --enable-hostpath-provisioner=true \
    --profiling=false
  launch kube-scheduler \
    --kubeconfig="$DIR/scheduler.kubeconfig" \
    --authentication-kubeconfig="$DIR/scheduler.kubeconfig" \
    --authorization-kubeconfig="$DIR/scheduler.kubeconfig" \
    --bind-address=127.0.0.1 \
    --secure-port="$SCHED_PORT" \
    --leader-elect=false \
    --profiling=false
  # HOME: kwok also loads ~/.kwok/kwok.yaml when it exists; keep it to ours.
  HOME="$DIR/kwok" launch kwok \
    --kubeconfig="$DIR/kwok.kubeconfig" \
    --config="$DIR/kwok/kwok.yaml" \
    --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-ip=127.0.0.1 \
    --node-port="$KWOK_PORT" \
    --server-address="127.0.0.1:$KWOK_PORT" \
    --tls-cert-file="$pki/kwok-serving.crt" \
    --tls-private-key-file="$pki/kwok-serving.key" \
    --node-lease-duration-seconds=40 \
    --cidr=10.244.0.0/16

  ready kube-controller-manager
  ready kube-scheduler
  ready kwok

  kubectl_admin apply -f "$DIR/nodes.yaml" >"$DIR/logs/nodes.log" 2>&1 ||
    fail nodes "could not be created"
  storage_classes_yaml | kubectl_admin apply -f - >"$DIR/logs/storage.log" 2>&1 ||
    fail storage "classes could not be created"
  wait_for kwok "all ${#NODES[@]} nodes Ready" nodes_ready
  # Pods are refused until their namespace's default ServiceAccount exists.
  wait_for kube-controller-manager "the default ServiceAccount" default_sa

  log "cluster up in $((SECONDS - t0))s: https://127.0.0.1:$API_PORT"
  log "export KUBECONFIG=$DIR/kubeconfig"
}

cmd_stop() {
  set_dir "${1:-}"
  stop_all
}

cmd_env() {
  set_dir "${1:-}"
  [[ -f "$DIR/kubeconfig" ]] || die "no cluster in $DIR (run: $0 start $DIR)"
  echo "export KUBECONFIG=$DIR/kubeconfig"
  echo "export PATH=$BIN:\$PATH"
}

# component NAME: NAME if it is one of the cluster's, else the usage error.
component() {
  local name
  for name in "${COMPONENTS[@]}"; do
    [[ "$name" == "${1:-}" ]] && return 0
  done
  die "usage: $0 $CMD DIR {${COMPONENTS[*]}}"
}

cmd_down() {
  set_dir "${1:-}"
  component "${2:-}"
  stop_one "$2" || die "$2 is not running in $DIR"
  log "$2 stopped"
}

cmd_up() {
  set_dir "${1:-}"
  component "${2:-}"
  local name=$2 args=()
  alive "$DIR/pids/$name" && die "$name is running in $DIR already"
  [[ -f "$DIR/pids/$name.args" ]] || die "$name was never started in $DIR"
  mapfile -d '' args <"$DIR/pids/$name.args"
  # Its log goes on where it stopped.
  mv "$DIR/logs/$name.log" "$DIR/logs/$name.log.$(date +%s)" 2>/dev/null || true
  if [[ "$name" == kwok ]]; then
    HOME="$DIR/kwok" launch "$name" "${args[@]}"
  else
    launch "$name" "${args[@]}"
  fi
  ready "$name"
  log "$name started again"
}

cmd_status() {
  set_dir "${1:-}"
  local name rc=0
  for name in "${COMPONENTS[@]}"; do
    if alive "$DIR/pids/$name"; then
      echo "$name running (pid $(<"$DIR/pids/$name"))"
    else
      echo "$name stopped"
      rc=1
    fi
  done
  [[ -f "$DIR/ports.env" ]] && sed 's/^/  /' "$DIR/ports.env"
  return $rc
}

CMD=${1:-}
shift || true
case "$CMD" in
  build) build; echo "$BIN" ;;
  bin) echo "$BIN" ;;
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  status) cmd_status "$@" ;;
  env) cmd_env "$@" ;;
  down) cmd_down "$@" ;;
  up) cmd_up "$@" ;;
  *)
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
