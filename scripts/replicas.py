#!/usr/bin/env python3
"""Several podgate replicas on one real cluster: every race has exactly one winner.

    replicas.py ADMIN_TOKEN BASE_URL [BASE_URL ...]

scripts/replicas.sh starts the replicas (`podgate serve --backend k8s`, one cluster)
and runs this. Requests are spread over the replicas round robin and sent at once
from a thread pool. Each race is checked against what the cluster holds afterwards,
read back through the APIs. Exits 1 on any failure.
"""
import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

ADMIN, BASES = sys.argv[1], sys.argv[2:]
FAILURES = []
PASSED = 0


def check(cond, message):
    global PASSED
    if cond:
        PASSED += 1
    else:
        FAILURES.append(message)
        print("  FAIL", message, flush=True)
    return cond


def _call(base, method, path, headers=None, body=None, timeout=60):
    """One request: (status, JSON or text)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            status = resp.status
    except urllib.error.HTTPError as e:
        raw, status = e.read(), e.code
    try:
        return status, json.loads(raw or b"null")
    except ValueError:
        return status, raw.decode(errors="replace")


def call(base, method, path, headers=None, body=None, timeout=60):
    """One request: (status, JSON or text); a connection that fails is status 0."""
    try:
        return _call(base, method, path, headers, body, timeout)
    except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
        return 0, repr(e)


def at_once(calls):
    """Runs every `(method, path, headers, body)` at once, the i-th on replica i % n."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [
            pool.submit(call, BASES[i % len(BASES)], *c) for i, c in enumerate(calls)
        ]
        return [f.result() for f in futures]


def admin(path, body):
    status, reply = call(BASES[0], "POST", path, {"Authorization": f"Bearer {ADMIN}"}, body)
    if status != 201:
        raise RuntimeError(f"{path}: {status} {reply}")
    return reply


def wait_for(fn, timeout=120):
    """Calls `fn` until it returns a true value; the last value after `timeout` s."""
    deadline = time.time() + timeout
    while True:
        value = fn()
        if value or time.time() > deadline:
            return value
        time.sleep(0.5)


def kubectl(*args):
    """kubectl on the cluster KUBECONFIG names; its output."""
    return subprocess.run(["kubectl", *args], check=True, capture_output=True, text=True).stdout


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


NCS = "/ncs?Action={}&Version=2017-11-16"


def ncs_body(ns, name):
    return {"NamespaceId": ns, "Name": name, "SpecType": "ncs.n1.small1", "ContainerType": "Standard",
            "Placement": {"ZoneId": ["cn-east-1a"]}, "VirtualPrivateCloud": {"VpcId": "v", "SubnetId": "None"},
            "Containers": [{"Name": "app", "Image": "nginx:stable",
                            "ResourceRequirements": {"Limits": {"Cpu": 10, "Memory": 16}}}]}


def ncs_namespace():
    ns = admin("/admin/v1/ncs/namespaces", {})
    return ns["NamespaceId"], {"Authorization": f"Bearer {ns['token']}"}


def ncs_list(ns, auth):
    status, reply = call(BASES[0], "GET", NCS.format("DescribeStatefulWorkloads") + f"&NamespaceId={ns}",
                         auth)
    return reply.get("StatefulWorkloads", []) if status == 200 else None


def race_ncs_one_name():
    print("64 NCS creates of one name", flush=True)
    ns, auth = ncs_namespace()
    results = at_once([("POST", NCS.format("CreateStatefulWorkload"), auth, ncs_body(ns, "same"))] * 64)
    won = [r for s, r in results if s == 200]
    lost = [r for s, r in results if s != 200]
    check(len(won) == 1, f"exactly one create wins, got {len(won)}")
    check(all(r.get("Code") == "DuplicateNameError" for r in lost),
          f"the others are DuplicateNameError: {sorted({r.get('Code') for r in lost})}")
    listed = ncs_list(ns, auth)
    check(listed is not None and len(listed) == 1, f"one workload exists: {listed}")


def race_ncs_distinct_names():
    print("64 NCS creates of distinct names", flush=True)
    ns, auth = ncs_namespace()
    results = at_once([("POST", NCS.format("CreateStatefulWorkload"), auth, ncs_body(ns, f"w{i}"))
                       for i in range(64)])
    ok = [r for s, r in results if s == 200]
    check(len(ok) == 64, f"all 64 succeed: {[r for s, r in results if s != 200][:3]}")
    ids = [r["StatefulWorkloadId"] for r in ok]
    check(len(set(ids)) == len(ids), "their ids are unique")
    listed = ncs_list(ns, auth)
    check(listed is not None and len(listed) == 64, f"64 workloads exist: {len(listed or [])}")


def race_one_eip():
    print("one EIP associated by 8 workloads", flush=True)
    ns, auth = ncs_namespace()
    ids = []
    for i in range(8):
        status, reply = call(BASES[i % len(BASES)], "POST", NCS.format("CreateStatefulWorkload"), auth,
                             ncs_body(ns, f"e{i}"))
        check(status == 200, f"create e{i}: {reply}")
        ids.append(reply.get("StatefulWorkloadId"))
    eip = unique("eip")
    admin("/admin/v1/ncs/eips", {"EipId": eip, "Address": "203.0.113.9"})
    results = at_once([("GET", NCS.format("AssociateEipOfStatefulWorkload")
                        + f"&NamespaceId={ns}&StatefulWorkloadId={w}&EipId={eip}", auth, None) for w in ids])
    won = [i for i, (s, _) in enumerate(results) if s == 200]
    check(len(won) == 1, f"exactly one holds the EIP: {[r for _, r in results]}")
    holders = []
    for w in ids:
        status, info = call(BASES[0], "GET", NCS.format("DescribeStatefulWorkloadInfo")
                            + f"&NamespaceId={ns}&StatefulWorkloadId={w}", auth)
        if info.get("EipId") == eip:
            holders.append(w)
    check(len(holders) == 1 and won and holders[0] == ids[won[0]],
          f"the winner, and only it, shows the EIP: {holders}")


def race_one_pool():
    print("64 creates of one openYuanrong pool id", flush=True)
    pool = unique("pool")
    body = {"pools": [{"id": pool, "size": 1, "image": "nginx:stable"}]}
    results = at_once([("POST", "/serverless/v1/podpools", {}, body)] * 64)
    made = [r for s, r in results if s == 200 and r.get("code") == 0]
    check(len(made) == 1, f"one create makes it: {len(made)}")
    status, reply = call(BASES[0], "GET", f"/serverless/v1/podpools?id={pool}")
    check(status == 200 and reply["result"]["count"] == 1, f"one pool: {reply}")
    call(BASES[0], "DELETE", f"/serverless/v1/podpools?id={pool}")


def race_vkube_deploys():
    print("16 V-Kube deploys of one order", flush=True)
    order = admin("/admin/v1/vkube/orders", {"serviceOptions": {"resourceUnit": "1-Unit-Resource"}})
    auth = {"secret": order["secret"]}
    body = {"nodeSelector": {"region": "region2"},
            "containers": [{"name": "web", "imageName": "nginx", "resource": {"memory": "64Mi"}}]}
    results = at_once([("POST", "/k8s/deploy", auth, body)] * 16)
    check(all(s == 200 for s, _ in results), f"every deploy answers 200: {[(s, r) for s, r in results if s != 200][:3]}")
    acknowledged = {r["name"] for s, r in results if s == 200}
    check(acknowledged, "some deploys are acknowledged")

    def settled():
        status, pod = call(BASES[0], "GET", "/k8s/pod/status", auth)
        return pod if status == 200 and pod["podStatus"].get("phase") == "Running" else None

    pod = wait_for(settled)
    check(pod and pod["name"] in acknowledged, f"the pod is one of the acknowledged deploys: {pod and pod['name']}")
    if pod:
        # The cluster itself: the order's namespace holds that one pod, no other live one.
        ns = kubectl("get", "pods", "-A", "--field-selector", f"metadata.name={pod['name']}",
                     "-o", "jsonpath={.items[0].metadata.namespace}")

        def alone():
            listed = json.loads(kubectl("get", "pods", "-n", ns, "-l", "podgate.io/single-pod=true",
                                        "-o", "json"))
            live = [p["metadata"]["name"] for p in listed["items"]
                    if not p["metadata"].get("deletionTimestamp")]
            return live if live == [pod["name"]] else None

        check(wait_for(alone, timeout=60), f"one live pod in the order's namespace {ns}")


def race_host_port():
    print("8 orders taking one host port in a region", flush=True)
    port = 30000 + uuid.uuid4().int % 2000
    orders = [admin("/admin/v1/vkube/orders", {"serviceOptions": {"resourceUnit": "1-Unit-Resource"}})
              for _ in range(8)]
    body = {"nodeSelector": {"region": "region3"},
            "containers": [{"name": "web", "imageName": "nginx", "resource": {"memory": "64Mi"},
                            "ports": [{"containerPort": 80, "hostPort": port}]}]}
    results = at_once([("POST", "/k8s/deploy", {"secret": o["secret"]}, body) for o in orders])
    won = [i for i, (s, _) in enumerate(results) if s == 200]
    check(all(s < 500 for s, _ in results), f"no 5xx: {[r for s, r in results if s >= 500][:3]}")
    check(len(won) == 1, f"one order in the region holds the port (V-Kube's rule): {len(won)}")
    status, reply = call(BASES[0], "POST", "/k8s/checkports", {}, {"region": "region3", "ports": [port]})
    check(status == 200 and reply.get("occupied") == [port], f"check ports sees it taken: {reply}")


def race_ief_name():
    print("16 IEF deployments of one name", flush=True)
    project = "r" + uuid.uuid4().hex[:12]
    token = admin("/admin/v1/ief/projects", {"project_id": project})["token"]
    auth = {"X-Auth-Token": token}
    body = {"name": "same", "node_ids": ["node-2"], "deployment": {"replicas": 1, "template": {
        "containers": [{"name": "c", "image_url": "nginx", "version": "stable"}]}}}
    results = at_once([("POST", f"/v3/{project}/edgemgr/deployments", auth, body)] * 16)
    won = [r for s, r in results if s == 201]
    check(len(won) == 1, f"exactly one wins: {len(won)}")
    check(all(r.get("error_code") == "IEF.100409" for s, r in results if s != 201),
          f"the others are IEF.100409: {sorted({r.get('error_code') for s, r in results if s != 201})}")
    status, reply = call(BASES[0], "GET", f"/v3/{project}/edgemgr/deployments", auth)
    check(status == 200 and reply["count"] == 1, f"one deployment: {reply.get('count')}")


# ---- faults --------------------------------------------------------------------

CLUSTER = os.environ.get("PODGATE_CLUSTER_DIR", "")
PIDS = [int(p) for p in os.environ.get("PODGATE_REPLICA_PIDS", "").split()]
STALE_AND_SWEEP = 10 + 5  # the replicas' --stale-claims-seconds and --sweep-seconds


class Load:
    """NCS creates of distinct names (and describes of one workload), from `threads`
    threads over `bases`, until stopped; every reply kept."""

    def __init__(self, ns, auth, bases, threads=6, known=None):
        self.ns, self.auth, self.bases, self.known = ns, auth, bases, known
        self.replies = []  # (answered at, op, status, reply, name, sent at)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(threads)]

    def run(self, i):
        n = 0
        while not self.stop.is_set():
            base = self.bases[(i + n) % len(self.bases)]
            sent = time.time()
            if self.known is not None and n % 2:
                op, name = "describe", self.known[1]
                status, reply = call(base, "GET", NCS.format("DescribeStatefulWorkloadInfo")
                                     + f"&NamespaceId={self.ns}&StatefulWorkloadId={self.known[0]}",
                                     self.auth, timeout=90)
            else:
                op, name = "create", f"l{i}-{n}-{uuid.uuid4().hex[:6]}"
                status, reply = call(base, "POST", NCS.format("CreateStatefulWorkload"), self.auth,
                                     ncs_body(self.ns, name), timeout=90)
            with self.lock:
                self.replies.append((time.time(), op, status, reply, name, sent))
            n += 1

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join()

    def acknowledged(self):
        return {name: r["StatefulWorkloadId"] for _, op, s, r, name, _ in self.replies
                if op == "create" and s == 200}


def nothing_lost(ns, auth, acknowledged, base):
    """Every acknowledged create is there, as acknowledged."""
    missing = []
    for name, wid in acknowledged.items():
        status, info = call(base, "GET", NCS.format("DescribeStatefulWorkloadInfo")
                            + f"&NamespaceId={ns}&StatefulWorkloadId={wid}", auth)
        if status != 200 or info.get("Name") != name:
            missing.append((name, wid, status))
    check(not missing, f"every acknowledged create is there ({len(acknowledged)}): missing {missing[:5]}")


def nothing_half_made(ns):
    """In the namespace, every name claim's workload exists and every workload has its
    claim (after the survivors' sweep)."""
    namespace = f"podgate-namespace-{ns}"

    def consistent():
        claims = json.loads(kubectl("get", "configmaps", "-n", namespace, "-l", "podgate.io/claim=name",
                                    "-o", "json"))["items"]
        sets = json.loads(kubectl("get", "statefulsets", "-n", namespace, "-o", "json"))["items"]
        held = {c["data"]["workload"] for c in claims}
        ids = {s["metadata"]["labels"]["podgate.io/workload-id"] for s in sets}
        return (held, ids) if held == ids else None

    found = wait_for(consistent, timeout=STALE_AND_SWEEP + 60)
    check(found is not None, f"claims and workloads of {namespace} match after the sweep")


def fault_killed_replica():
    print("a replica killed (SIGKILL) under write load", flush=True)
    ns, auth = ncs_namespace()
    with Load(ns, auth, BASES) as load:
        time.sleep(3)
        os.kill(PIDS[-1], signal.SIGKILL)
        time.sleep(4)
    survivors = BASES[:-1]
    ack = load.acknowledged()
    on_dead = sum(1 for _, _, s, _, _, _ in load.replies if s == 0)
    print(f"  {len(ack)} creates acknowledged, {on_dead} requests found the killed replica gone",
          flush=True)
    check(len(ack) > 10, "the load got through")
    check(all(s in (0, 200) for _, _, s, _, _, _ in load.replies),
          f"only successes, or a replica gone: {[(s, r) for _, _, s, r, _, _ in load.replies if s not in (0, 200)][:3]}")
    nothing_lost(ns, auth, ack, survivors[0])
    nothing_half_made(ns)
    return survivors


def fault_outage(component, bases, down_for):
    """`component` down for `down_for` s under load: every reply meanwhile is right or a
    clean temporary error, some come while it is down (podgate does not hang on), and
    requests go through again after, without restarting podgate."""
    print(f"{component} stopped for {down_for} s and started again under load", flush=True)
    ns, auth = ncs_namespace()
    status, known = call(bases[0], "POST", NCS.format("CreateStatefulWorkload"), auth, ncs_body(ns, "known"))
    check(status == 200, f"a workload to describe: {known}")
    with Load(ns, auth, bases, threads=4, known=(known["StatefulWorkloadId"], "known")) as load:
        time.sleep(2)
        subprocess.run(["bash", "scripts/cluster.sh", "down", CLUSTER, component], check=True)
        down_at = time.time()
        time.sleep(down_for)
        subprocess.run(["bash", "scripts/cluster.sh", "up", CLUSTER, component], check=True)
        up_at = time.time()
        # Load on until requests have gone through again for a while: 10 s, as an API
        # server answers a few requests with errors while it reconnects to a restarted
        # etcd (a server that does not serve again never gets there, and fails below).
        deadline = up_at + 90
        while time.time() < deadline:
            time.sleep(1)
            with load.lock:
                recent = [s for t, _, s, _, _, _ in load.replies if t > time.time() - 10]
            if time.time() > up_at + 10 and recent and all(s == 200 for s in recent):
                break
        # A few more seconds of load: a request sent while the cluster was recovering
        # may still be in flight and end with a clean temporary error; the requests
        # sent last must be ones sent after it, or the check below reads that straggler
        # as the server not serving again.
        time.sleep(5)
    wrong = []
    temporary = 0
    for t, op, s, r, name, _ in load.replies:
        if s == 200:
            if op == "describe" and (r.get("Name") != "known"
                                     or r.get("StatefulWorkloadId") != known["StatefulWorkloadId"]):
                wrong.append((op, s, r))
        elif s in (500, 504) and isinstance(r, dict) and r.get("Code") == "InternalServerError":
            # NCS's own error: the cluster failed (500), or the request outlasted the
            # server's limit (504, 30 s; its outcome is unknown, as a client's timeout).
            temporary += 1
        else:
            wrong.append((op, s, r))
    during = [s for t, _, s, _, _, _ in load.replies if down_at <= t <= up_at]
    print(f"  {len(load.replies)} requests, {temporary} clean temporary errors, "
          f"{len(during)} answered while {component} was down", flush=True)
    check(not wrong, f"never a wrong answer: {wrong[:3]}")
    check(during, f"answers while {component} is down")
    # The last requests sent, not the last answered: one sent while the cluster was
    # still recovering may be answered (with a clean temporary error) after later ones.
    with load.lock:
        by_sending = sorted(load.replies, key=lambda reply: reply[5])
        last = [reply[2] for reply in by_sending[-8:]]
    check(last and all(s == 200 for s in last), f"served again without a restart: {last}")
    nothing_lost(ns, auth, load.acknowledged(), bases[0])
    nothing_half_made(ns)


def main():
    for race in [race_ncs_one_name, race_ncs_distinct_names, race_one_eip, race_one_pool,
                 race_vkube_deploys, race_host_port, race_ief_name]:
        try:
            race()
        except Exception as e:  # noqa: BLE001 (a race that cannot run is a failure)
            check(False, f"{race.__name__} did not run: {e!r}")
    if CLUSTER and len(PIDS) == len(BASES) > 1:
        try:
            survivors = fault_killed_replica()
            # The API server refuses connections at once; with etcd gone it holds
            # calls, which podgate gives up on after its budget (15 s).
            fault_outage("kube-apiserver", survivors, 8)
            fault_outage("etcd", survivors, 30)
        except Exception as e:  # noqa: BLE001
            check(False, f"the faults did not run: {e!r}")
    print(f"replicas: {len(BASES)} replicas, {PASSED} checks passed, {len(FAILURES)} failed", flush=True)
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
