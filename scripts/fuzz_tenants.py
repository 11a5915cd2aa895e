#!/usr/bin/env python3
"""Provisions what scripts/fuzz-http.sh fuzzes against, on a fresh podgate server, and
prints it as shell `export` lines for scripts/schemathesis.toml to hand out:

    fuzz_tenants.py BASE_URL ADMIN_TOKEN

one tenant of each dialect with its credential (an NCS namespace with an EIP and a
workload made from the vendor's create example, an IEF
project, a V-Kube order with its pod deployed), and in them one object of each kind
the API's paths name (IEF config maps, secrets and deployments, an openYuanrong pool):
one that operations read and change, and one that deletes may remove.
"""
import json
import pathlib
import shlex
import sys
import urllib.request

BASE, ADMIN = sys.argv[1].rstrip("/"), sys.argv[2]
FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "shared" / "fixtures"


def call(method, path, body=None, headers=None):
    req = urllib.request.Request(BASE + path, method=method, headers=headers or {},
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read() or b"null")


def admin(path, body):
    return call("POST", path, body, {"Authorization": f"Bearer {ADMIN}"})


out = {"PODGATE_FUZZ_ADMIN": ADMIN}

ns = admin("/admin/v1/ncs/namespaces", {})
out["PODGATE_FUZZ_NCS_NAMESPACE"] = ns["NamespaceId"]
out["PODGATE_FUZZ_NCS_TOKEN"] = ns["token"]
admin("/admin/v1/ncs/eips", {"EipId": "eip-fuzz", "Address": "203.0.113.7"})
out["PODGATE_FUZZ_NCS_EIP"] = "eip-fuzz"
with open(FIXTURES / "ncs" / "create_request.json", encoding="utf-8") as f:
    NCS_WORKLOAD = json.load(f)
NCS_WORKLOAD["NamespaceId"] = ns["NamespaceId"]
ncs = {"Authorization": f"Bearer {ns['token']}"}
NCS_QUERY = "/ncs?Version=2017-11-16&Action="
workload = call("POST", NCS_QUERY + "CreateStatefulWorkload", NCS_WORKLOAD, ncs)["StatefulWorkloadId"]
out["PODGATE_FUZZ_NCS_WORKLOAD"] = workload
pods = call("GET", f"{NCS_QUERY}DescribeStatefulWorkloadInstances&NamespaceId={ns['NamespaceId']}"
            f"&StatefulWorkloadId={workload}", None, ncs)["Pods"]
out["PODGATE_FUZZ_NCS_CONTAINER"] = pods[0]["Containers"][0]["DockerContainerId"]

project = "fuzzproject"
ief = {"X-Auth-Token": admin("/admin/v1/ief/projects", {"project_id": project})["token"]}
out["PODGATE_FUZZ_IEF_PROJECT"] = project
out["PODGATE_FUZZ_IEF_TOKEN"] = ief["X-Auth-Token"]
edge = f"/v2/{project}/edgemgr"
out["PODGATE_FUZZ_IEF_NODE"] = call("GET", f"{edge}/nodes", None, ief)["nodes"][0]["id"]
out["PODGATE_FUZZ_IEF_GROUP"] = call("GET", f"{edge}/groups", None, ief)["edge_groups"][0]["id"]
for use in ("KEPT", "DELETED"):
    name = f"fuzz-{use.lower()}"
    cm = call("POST", f"{edge}/configmaps", {"configmap": {"name": name, "configs": {"k": "v"}}}, ief)
    out[f"PODGATE_FUZZ_IEF_CONFIGMAP_{use}"] = cm["configmap"]["id"]
    secret = call("POST", f"{edge}/secrets", {"secret": {"name": name, "secrets": {"k": "dg=="}}}, ief)
    out[f"PODGATE_FUZZ_IEF_SECRET_{use}"] = secret["secret"]["id"]
    deployment = call("POST", f"/v3/{project}/edgemgr/deployments", {
        "name": name, "node_ids": ["node-1"], "deployment": {"replicas": 1, "template": {
            "containers": [{"name": "c", "image_url": "nginx", "version": "stable"}]}}}, ief)
    out[f"PODGATE_FUZZ_IEF_DEPLOYMENT_{use}"] = deployment["id"]
    pods = call("GET", f"/v3/{project}/edgemgr/pods?deployment_id={deployment['id']}", None, ief)
    out[f"PODGATE_FUZZ_IEF_POD_{use}"] = pods["pods"][0]["name"]

order = admin("/admin/v1/vkube/orders", {"serviceOptions": {"resourceUnit": "4-Unit-Resource"}})
out["PODGATE_FUZZ_VKUBE_SECRET"] = order["secret"]
call("POST", "/k8s/deploy", {"nodeSelector": {"region": "region1"}, "containers": [
    {"name": "web", "imageName": "nginx", "resource": {"memory": "64Mi"}}]}, {"secret": order["secret"]})

for use in ("KEPT", "DELETED"):
    pool = f"fuzzpool-{use.lower()}"
    call("POST", "/serverless/v1/podpools", {"pools": [{"id": pool, "size": 1, "image": "nginx:stable"}]})
    out[f"PODGATE_FUZZ_POOL_{use}"] = pool

for key, value in out.items():
    print(f"export {key}={shlex.quote(str(value))}")
