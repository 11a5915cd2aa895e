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
import shlex
import sys

from fuzz_api import NCS_QUERY, Api

api = Api(sys.argv[1])
ADMIN = sys.argv[2]
call = api.call


def admin(path, body):
    return call("POST", path, body, {"Authorization": f"Bearer {ADMIN}"})


out = {"PODGATE_FUZZ_ADMIN": ADMIN}

ns = admin("/admin/v1/ncs/namespaces", {})
out["PODGATE_FUZZ_NCS_NAMESPACE"] = ns["NamespaceId"]
out["PODGATE_FUZZ_NCS_TOKEN"] = ns["token"]
out["PODGATE_FUZZ_NCS_EIP"] = api.ncs_eip(ADMIN, "eip-fuzz")
ncs = {"Authorization": f"Bearer {ns['token']}"}
workload = api.ncs_workload(ns["NamespaceId"], ns["token"])
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
    out[f"PODGATE_FUZZ_IEF_CONFIGMAP_{use}"] = api.ief_configmap(project, ief, name)
    out[f"PODGATE_FUZZ_IEF_SECRET_{use}"] = api.ief_secret(project, ief, name)
    deployment, pod = api.ief_deployment(project, ief, name, out["PODGATE_FUZZ_IEF_NODE"])
    out[f"PODGATE_FUZZ_IEF_DEPLOYMENT_{use}"] = deployment
    out[f"PODGATE_FUZZ_IEF_POD_{use}"] = pod

# The largest quota an order may have, so that a deploy's memory is rarely over it.
order = admin("/admin/v1/vkube/orders", {"serviceOptions": {"resourceUnit": "1000000-Unit-Resource"}})
out["PODGATE_FUZZ_VKUBE_SECRET"] = order["secret"]
call("POST", "/k8s/deploy", {"nodeSelector": {"region": "region1"}, "containers": [
    {"name": "web", "imageName": "nginx", "resource": {"memory": "64Mi"}}]}, {"secret": order["secret"]})

for use in ("KEPT", "DELETED"):
    out[f"PODGATE_FUZZ_POOL_{use}"] = api.pool(f"fuzzpool-{use.lower()}")

# The simulator's faults: a container of the NCS workload's pod to crash (zero delays:
# it runs again at once), and a node nothing provisioned here runs on, to lose and
# restore without taking anything from under the other operations.
cluster = call("GET", "/admin/v1/cluster", None, {"Authorization": f"Bearer {ADMIN}"})
pod = next((p for p in cluster["pods"] if p["workload"] == int(workload)), None)
assert pod, f"the NCS workload {workload} has no pod: {cluster['pods']}"
out["PODGATE_FUZZ_SIM_POD"] = pod["id"]
out["PODGATE_FUZZ_SIM_CONTAINER"] = pod["containers"][0]
busy = {p["node"] for p in cluster["pods"]} | {out["PODGATE_FUZZ_IEF_NODE"]}
spare = [n["name"] for n in cluster["nodes"] if n["name"] not in busy]
assert spare, f"every node runs something: {busy}"
out["PODGATE_FUZZ_SIM_NODE"] = spare[-1]

for key, value in out.items():
    print(f"export {key}={shlex.quote(str(value))}")
