"""The podgate calls scripts/fuzz_tenants.py and scripts/fuzz_hooks.py make: JSON over
HTTP to one server, and the objects the HTTP fuzz run names, each made the one way."""
import json
import pathlib
import urllib.request

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "shared" / "fixtures"
NCS_QUERY = "/ncs?Version=2017-11-16&Action="


class Api:
    """A podgate server at `base`."""

    def __init__(self, base):
        self.base = base.rstrip("/")

    def call(self, method, path, body=None, headers=None):
        req = urllib.request.Request(self.base + path, method=method, headers=headers or {},
                                     data=json.dumps(body).encode() if body is not None else None)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read() or b"null")

    @staticmethod
    def ncs_example():
        """The vendor's create example."""
        with open(FIXTURES / "ncs" / "create_request.json", encoding="utf-8") as f:
            return json.load(f)

    def ncs_workload(self, namespace, token, name=None, body=None):
        """A workload made from `body`, by default the vendor's create example: its id."""
        body = body or self.ncs_example()
        body["NamespaceId"] = int(namespace)
        if name is not None:
            body["Name"] = name
        made = self.call("POST", NCS_QUERY + "CreateStatefulWorkload", body,
                         {"Authorization": f"Bearer {token}"})
        return made["StatefulWorkloadId"]

    def ncs_eip(self, admin, eip):
        """An EIP NCS namespaces may associate: its id."""
        self.call("POST", "/admin/v1/ncs/eips", {"EipId": eip, "Address": "203.0.113.7"},
                  {"Authorization": f"Bearer {admin}"})
        return eip

    def ief_configmap(self, project, ief, name):
        made = self.call("POST", f"/v2/{project}/edgemgr/configmaps",
                         {"configmap": {"name": name, "configs": {"k": "v"}}}, ief)
        return made["configmap"]["id"]

    def ief_secret(self, project, ief, name):
        made = self.call("POST", f"/v2/{project}/edgemgr/secrets",
                         {"secret": {"name": name, "secrets": {"k": "dg=="}}}, ief)
        return made["secret"]["id"]

    def ief_deployment(self, project, ief, name, node):
        """A one-pod deployment on `node`: its id and its pod's name."""
        made = self.call("POST", f"/v3/{project}/edgemgr/deployments", {
            "name": name, "node_ids": [node], "deployment": {"replicas": 1, "template": {
                "containers": [{"name": "c", "image_url": "nginx", "version": "stable"}]}}}, ief)
        pods = self.call("GET", f"/v3/{project}/edgemgr/pods?deployment_id={made['id']}", None, ief)
        return made["id"], pods["pods"][0]["name"]

    def pool(self, name):
        self.call("POST", "/serverless/v1/podpools",
                  {"pools": [{"id": name, "size": 1, "image": "nginx:stable"}]})
        return name
