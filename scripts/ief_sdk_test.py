#!/usr/bin/env python3
"""Drives podgate's IEF HTTP API with Huawei's own, unchanged Python SDK (huaweicloudsdkief).

    ief_sdk_test.py BASE_URL ADMIN_TOKEN

scripts/ief-sdk.sh runs it against a fresh in-memory server on the simulator (default
topology: node-1..node-6; node-1,2 in group-a, node-3,4 in group-b, node-5 in group-c,
node-6 in none; 16 cores and 64 GiB each). Every operation goes through IefClient;
every reply is deserialised into the SDK's models and compared field by field with what
was sent plus the defaults docs/ief.md documents; the reply's JSON must carry no field
the model would drop and no value of another type than the model's; every documented
error must come back as the SDK's ClientRequestException with its status and error_code,
and change nothing. Exits 1 on any failure.
"""
import copy
import json
import re
import sys
import traceback
import urllib.request
import uuid
from collections import Counter
from importlib.metadata import version

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.http.http_handler import HttpHandler
from huaweicloudsdkcore.utils.http_utils import sanitize_for_serialization
from huaweicloudsdkief.v1 import *  # noqa: F401,F403 (the SDK's client and request models)
import huaweicloudsdkief.v1.model as models

BASE, ADMIN = sys.argv[1].rstrip("/"), sys.argv[2]
NODES = ["node-1", "node-2", "node-3", "node-4", "node-5", "node-6"]
GROUP_OF = {"node-1": "group-a", "node-2": "group-a", "node-3": "group-b",
            "node-4": "group-b", "node-5": "group-c", "node-6": None}

# ---------------------------------------------------------------------------------
# Bookkeeping: checks, failures, the operations exercised.
# ---------------------------------------------------------------------------------
PASSED = 0
FAILURES = []          # (group, message)
GROUP = "setup"
EXERCISED = Counter()  # SDK operation -> calls


def check(cond, message):
    global PASSED
    if cond:
        PASSED += 1
    else:
        FAILURES.append((GROUP, message))
    return bool(cond)


class NotRun(Exception):
    """A group needs what an earlier group failed to make."""


def need(*keys):
    missing = [k for k in keys if k not in S]
    if missing:
        raise NotRun(f"not run: {', '.join(missing)} was not made by an earlier group")


def short(value, limit=400):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


# ---------------------------------------------------------------------------------
# Admin API (plain HTTP): projects and the simulated clock.
# ---------------------------------------------------------------------------------
def admin(path, body):
    req = urllib.request.Request(
        BASE + path, data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, json.loads(resp.read() or b"null")


def create_project(project_id):
    status, reply = admin("/admin/v1/ief/projects", {"project_id": project_id})
    check(status == 201, f"POST /admin/v1/ief/projects answered {status}, not 201")
    check(reply.get("project_id") == project_id and reply.get("token"),
          f"POST /admin/v1/ief/projects reply {short(reply)}")
    return reply["token"]


def advance(seconds):
    status, _ = admin("/admin/v1/sim/clock", {"advance_seconds": seconds})
    check(status == 200, f"POST /admin/v1/sim/clock answered {status}")


# ---------------------------------------------------------------------------------
# The SDK client: AK/SK signing swapped for X-Auth-Token by a request hook.
# ---------------------------------------------------------------------------------
def ief_client(project_id, token):
    def swap_signature_for_token(**kwargs):
        headers = kwargs["request"].header_params
        for name in ("Authorization", "X-Sdk-Date", "X-Sdk-Content-Sha256"):
            headers.pop(name, None)
        if token is not None:
            headers["X-Auth-Token"] = token

    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = True
    config.retry_times = 0
    config.timeout = (5, 60)
    # project_id given, no region: the SDK never asks IAM for anything.
    return (IefClient.new_builder()
            .with_credentials(BasicCredentials("podgate-ak", "podgate-sk", project_id))
            .with_endpoints([BASE])
            .with_http_config(config)
            .with_http_handler(HttpHandler().add_request_handler(swap_signature_for_token))
            .build())


def sdk(client, op, request):
    EXERCISED[op] += 1
    return getattr(client, op)(request)


# ---------------------------------------------------------------------------------
# Models: built from their wire form, and compared in it.
# ---------------------------------------------------------------------------------
PRIMITIVES = {"str": str, "int": int, "float": (int, float), "bool": bool}


def model(type_name, value):
    """The SDK model `type_name` holding `value` (its JSON form); a key the model lacks is
    an error here, so nothing meant to be sent is silently dropped."""
    if value is None:
        return None
    m = re.fullmatch(r"list\[(.*)\]", type_name)
    if m:
        return [model(m.group(1), v) for v in value]
    m = re.fullmatch(r"dict\(([^,]*), (.*)\)", type_name)
    if m:
        return {k: model(m.group(2), v) for k, v in value.items()}
    if type_name in PRIMITIVES or type_name == "object":
        return value
    klass = getattr(models, type_name)
    attr_of = {wire: attr for attr, wire in klass.attribute_map.items()}
    unknown = sorted(set(value) - set(attr_of))
    if unknown:
        raise ValueError(f"the SDK's {type_name} has no field {unknown}")
    built = klass(**{attr_of[k]: model(klass.openapi_types[attr_of[k]], v) for k, v in value.items()})
    assert wire(built) == value, f"{type_name} does not serialise back to {value}"
    return built


def wire(obj):
    """A model as the SDK puts it on the wire: JSON keys, None fields left out."""
    return sanitize_for_serialization(obj)


# The seed's pod list (SPEC §2 "PodResponse fields [seed]", fixtures/ief/list_pods_response.json)
# has these, which the SDK's PodResp lacks: the seed outranks the SDK, so they are reported
# as notes (an SDK user does not see them), not failures. Nothing else is let through.
SEED_ONLY_FIELDS = {("PodResp", "description"), ("PodResp", "affinity"), ("PodResp", "updated_at")}
NOTES = set()


def wire_problems(raw, type_name, path):
    """Where the reply's JSON breaks the SDK model: a field the model does not have (the SDK
    drops it), or a value of another JSON type than the model's (the SDK coerces it)."""
    if raw is None:
        return []
    m = re.fullmatch(r"list\[(.*)\]", type_name)
    if m:
        if not isinstance(raw, list):
            return [f"{path}: the model wants a list, the reply has {short(raw)}"]
        return [p for i, v in enumerate(raw) for p in wire_problems(v, m.group(1), f"{path}[{i}]")]
    m = re.fullmatch(r"dict\(([^,]*), (.*)\)", type_name)
    if m:
        if not isinstance(raw, dict):
            return [f"{path}: the model wants a map, the reply has {short(raw)}"]
        return [p for k, v in raw.items() for p in wire_problems(v, m.group(2), f"{path}.{k}")]
    if type_name in PRIMITIVES:
        ok = isinstance(raw, PRIMITIVES[type_name]) and (type_name == "bool" or not isinstance(raw, bool))
        return [] if ok else [f"{path}: the model wants {type_name}, the reply has {short(raw)}"]
    if type_name == "object":
        return []
    klass = getattr(models, type_name)
    if not isinstance(raw, dict):
        if list(klass.attribute_map.values()) == ["body"]:
            return wire_problems(raw, klass.openapi_types["body"], path)
        return [f"{path}: the model {type_name} wants an object, the reply has {short(raw)}"]
    attr_of = {w: a for a, w in klass.attribute_map.items()}
    NOTES.update(f"{type_name}.{k}" for k in raw if (type_name, k) in SEED_ONLY_FIELDS)
    problems = [f"{path}.{k}: not a field of the SDK's {type_name}, so the SDK drops it (value {short(v, 120)})"
                for k, v in raw.items() if k not in attr_of and (type_name, k) not in SEED_ONLY_FIELDS]
    for k, v in raw.items():
        if k in attr_of:
            problems += wire_problems(v, klass.openapi_types[attr_of[k]], f"{path}.{k}")
    return problems


class Maybe:
    """The field may be left out; when it is there it must match `value`."""

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return f"absent or {self.value!r}"


class Pred:
    def __init__(self, desc, fn):
        self.desc, self.fn = desc, fn

    def __repr__(self):
        return self.desc


NONEMPTY = Pred("a non-empty string", lambda v: isinstance(v, str) and v != "")
STRING = Pred("a string", lambda v: isinstance(v, str))
INT = Pred("an integer", lambda v: isinstance(v, int) and not isinstance(v, bool))
TIME = Pred("an RFC 3339 UTC time with milliseconds",
            lambda v: isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", v))
UUID = Pred("a uuid", lambda v: isinstance(v, str) and re.fullmatch(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", v))


def diff(expected, actual, path="$", extra_ok=False):
    """The first difference between `expected` and `actual` (both in JSON form), as
    'path: what', or None. A key in `actual` that `expected` lacks is a difference unless
    extra_ok."""
    if isinstance(expected, Pred):
        return None if expected.fn(actual) else f"{path}: expected {expected.desc}, got {short(actual)}"
    if isinstance(expected, Maybe):
        return diff(expected.value, actual, path, extra_ok)
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{path}: expected an object, got {short(actual)}"
        for key, want in expected.items():
            if key not in actual:
                if isinstance(want, Maybe):
                    continue
                return f"{path}.{key}: missing (None in the SDK's model), expected {short(want)}"
            found = diff(want, actual[key], f"{path}.{key}", extra_ok)
            if found:
                return found
        extra = {k: v for k, v in actual.items() if k not in expected}
        if extra and not extra_ok:
            return f"{path}: unexpected field(s) {short(extra)}"
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return f"{path}: expected a list, got {short(actual)}"
        if len(expected) != len(actual):
            return f"{path}: expected {len(expected)} item(s), got {len(actual)}: {short(actual)}"
        for i, (want, got) in enumerate(zip(expected, actual)):
            found = diff(want, got, f"{path}[{i}]", extra_ok)
            if found:
                return found
        return None
    if type(expected) is not type(actual) or expected != actual:
        return f"{path}: expected {short(expected)}, got {short(actual)}"
    return None


def verify(reply, expected, what, extra_ok=False):
    """Checks one SDK reply: its raw JSON against the model, then the model field by field."""
    raw = json.loads(reply.raw_content) if reply.raw_content else None
    for problem in wire_problems(raw, type(reply).__name__, "$"):
        check(False, f"{what}: {problem}")
    found = diff(expected, wire(reply), "$", extra_ok)
    check(found is None, f"{what}: {found}")


def expect_status(reply, status, what):
    check(reply.status_code == status, f"{what}: answered {reply.status_code}, expected {status}")


# ---------------------------------------------------------------------------------
# Errors: the SDK's ClientRequestException, and nothing changed.
# ---------------------------------------------------------------------------------
def snapshot(c):
    """What a refused call must leave as it was: deployments, config maps, secrets, pods."""
    state = {}
    try:
        deps = sdk(c, "list_deployments", ListDeploymentsRequest(limit=100))
        state["deployments"] = (deps.count, sorted(
            (d.name, d.replicas, d.description, d.updated_at) for d in deps.deployments or []))
        cms = sdk(c, "list_config_maps", ListConfigMapsRequest())
        state["configmaps"] = (cms.count, sorted((m.name, m.updated_at) for m in cms.configmaps or []))
        secs = sdk(c, "list_secrets", ListSecretsRequest())
        state["secrets"] = (secs.count, sorted((s.name, s.updated_at) for s in secs.secrets or []))
        state["pods"] = sorted(p.name for n in NODES
                               for p in sdk(c, "list_pods", ListPodsRequest(node_id=n, limit=1000)).pods or [])
    except Exception as e:  # noqa: BLE001 (reported through the comparison)
        state["error"] = describe(e)
    return state


def describe(e):
    if isinstance(e, ClientRequestException):
        return f"{e.status_code} {e.error_code} {e.error_msg!r}"
    return f"{type(e).__name__}: {e}"


def expect_error(what, client, op, request, status, code, in_message=None, watch=None):
    """`op` must fail with `status` and `code` and leave the project `watch` sees unchanged."""
    watch = watch or A
    before = snapshot(watch)
    try:
        reply = sdk(client, op, request)
    except ClientRequestException as e:
        check(e.status_code == status and e.error_code == code,
              f"{what}: expected {status} {code}, got {describe(e)}")
        check(bool(e.error_msg), f"{what}: the error has no error_msg")
        if in_message:
            check(in_message in (e.error_msg or ""), f"{what}: error_msg {e.error_msg!r} does not name {in_message!r}")
        after = snapshot(watch)
        check(before == after, f"{what}: the refused call changed the project: {short(before, 800)} -> {short(after, 800)}")
        return e
    check(False, f"{what}: expected {status} {code}, the call succeeded with {reply.status_code} {short(reply.raw_content)}")
    if op == "create_deployments" and getattr(reply, "id", None):  # keep later groups' counts right
        sdk(client, "delete_deployment", DeleteDeploymentRequest(deployment_id=reply.id))
    return None


# ---------------------------------------------------------------------------------
# What podgate shows back (docs/ief.md): what was sent plus the documented defaults.
# ---------------------------------------------------------------------------------
def shown_container(c):
    c = copy.deepcopy(c)
    c.setdefault("privileged", Maybe(False))
    c.setdefault("npu_type", Maybe(""))
    for key in ("args", "command", "envs", "ports", "volumes"):
        c.setdefault(key, Maybe([]))
    for probe in ("liveness_probe", "readiness_probe"):
        if probe in c:
            c[probe].setdefault("initial_delay_seconds", 10)
            c[probe].setdefault("timeout_seconds", 1)
            if "http_get" in c[probe]:
                c[probe]["http_get"].setdefault("scheme", "HTTP")
    for vol in c["volumes"] if isinstance(c["volumes"], list) else []:
        if vol["type"] in ("configMap", "secret"):
            vol.setdefault("read_only", True)
            vol.setdefault("default_mode", 420)
        else:
            vol.setdefault("read_only", Maybe(False))
            vol.setdefault("default_mode", Maybe(420))
    return c


def shown_template(t, group):
    t = copy.deepcopy(t)
    cfg = t.setdefault("configs", {})
    cfg.setdefault("restart_policy", "Always")
    cfg.setdefault("dns_policy", "Default")
    cfg.setdefault("host_network", Maybe(False))
    cfg.setdefault("host_pid", Maybe(False))
    cfg.setdefault("migration", Maybe(False))
    if group:
        cfg.setdefault("toleration_seconds", 300)
    t.setdefault("affinity", Maybe({}))
    t["init_containers"] = [shown_container(c) for c in t.get("init_containers", [])] or Maybe([])
    t["containers"] = [shown_container(c) for c in t["containers"]]
    return t


def shown_deployment(body, project_id, with_annotations=True, **changed):
    """DeploymentResp for `body` (a create body), with `changed` fields replaced."""
    d = body["deployment"]
    group = "group_id" in body
    shown = {
        "id": NONEMPTY, "name": body["name"], "replicas": d["replicas"], "ready_replicas": INT,
        "description": body.get("description", Maybe("")),
        "group_id": body.get("group_id", ""),
        "node_ids": Maybe(Pred("a list of node names", lambda v: isinstance(v, list)))
        if group else body["node_ids"],
        "tags": body.get("tags", Maybe([])),
        "api_version": "v3", "source": body.get("source", ""), "project_id": project_id,
        "created_at": TIME, "updated_at": TIME,
        "template": shown_template(d["template"], group),
        "state": "", "source_id": "",
    }
    if with_annotations:
        shown["annotations"] = d.get("annotations") or Maybe({})
    for key, value in changed.items():
        shown[key] = shown_template(value, group) if key == "template" else value
    return shown


def shown_pod(template, deployment_id, project_id, node=None, group=False):
    """PodResp of a running pod of a deployment with `template`."""
    t = shown_template(template, group)

    def container(c, init):
        sent_envs = c.get("envs") if isinstance(c.get("envs"), list) else []
        literal = {e["name"]: e["value"] for e in sent_envs if "value" in e}
        shown = {k: c[k] for k in ("name", "image_url", "args", "command", "liveness_probe",
                                   "readiness_probe", "resources", "volumes", "privileged",
                                   "npu_type", "version") if k in c}
        shown["envs"] = Pred(f"env vars named {[e['name'] for e in sent_envs]} with {literal}", lambda v: (
            isinstance(v, list) and [e.get("name") for e in v] == [e["name"] for e in sent_envs]
            and all(e.get("value") == literal[e["name"]] for e in v if e.get("name") in literal)
        )) if sent_envs else Maybe([])
        shown["ports"] = [{k: p[k] for k in ("container_port", "host_port", "host_ip") if k in p}
                          for p in c["ports"]] if isinstance(c.get("ports"), list) and c["ports"] else Maybe([])
        shown["restarts"] = 0
        shown["is_ready"] = Pred('"true" or "false"', lambda v: v in ("true", "false")) if init else "true"
        shown["state"] = Pred("terminated or running", lambda v: v in ("terminated", "running")) if init else "running"
        shown["container_id"] = Maybe(NONEMPTY) if init else NONEMPTY
        shown["reason"] = Maybe(STRING)
        shown["message"] = Maybe(STRING)
        return shown

    inits = [container(c, True) for c in t["init_containers"]] if isinstance(t["init_containers"], list) else []
    return {
        "id": UUID, "name": NONEMPTY, "configs": t["configs"],
        "init_containers": inits or Maybe([]),
        "containers": [container(c, False) for c in t["containers"]],
        "node_id": node or Pred("a node", lambda v: v in NODES),
        "deployment_id": deployment_id, "project_id": project_id,
        "reason": Maybe(STRING), "message": Maybe(STRING),
        "created_at": TIME, "state": "RUNNING",
    }


def shown_node(name, deployment_num=INT):
    group = GROUP_OF[name]
    return {
        "id": name, "name": name, "state": "RUNNING", "cpu": 16, "memory": 65536, "gpu_num": 0,
        "group_ids": [group] if group else Maybe([]), "deployment_num": deployment_num,
        "os_type": "linux",
    }


# ---------------------------------------------------------------------------------
# The objects the test makes.
# ---------------------------------------------------------------------------------
CM_CONFIGS = {"k1": "v1", "app.properties": "color=blue\nsize=10", "extra": "x"}
SECRET_VALUES = {"password": "czNjcmV0", "user": "YWRtaW4="}  # base64 of s3cret, admin
RESOURCES = {"limits": {"cpu": "0.5", "memory": "256"}, "requests": {"cpu": "0.25", "memory": "128"}}


def web_body():
    """A node deployment with every field the SDK can send."""
    return {
        "name": "web", "description": "the web front end, version 1.", "source": "podgate-sdk-tier",
        "node_ids": ["node-1"],
        "tags": [{"key": "team", "value": "edge"}, {"key": "tier", "value": "web"}],
        "deployment": {
            "replicas": 1,
            "template": {
                "configs": {"restart_policy": "Always", "host_network": False, "host_pid": False,
                            "dns_policy": "ClusterFirst"},
                "init_containers": [{
                    "name": "init-perms", "image_url": "busybox", "version": "latest",
                    "command": ["sh", "-c"], "args": ["true"], "privileged": True,
                    "resources": {"limits": {"cpu": "0.1", "memory": "64"},
                                  "requests": {"cpu": "0.1", "memory": "64"}},
                }],
                "containers": [{
                    "name": "web", "image_url": "nginx", "version": "stable",
                    "command": ["nginx"], "args": ["-g", "daemon off;"],
                    "resources": RESOURCES,
                    "envs": [
                        {"name": "GREETING", "value": "hello"},
                        {"name": "CM_VALUE", "value_from": {"configmap": {"name": "app-config", "key": "k1"}}},
                        {"name": "DB_PASSWORD", "value_from": {"secret": {"name": "db-secret", "key": "password"}}},
                        {"name": "HOST_IP", "field_path": "status.hostIP"},
                    ],
                    "ports": [
                        {"container_port": 80, "host_port": 8080, "host_ip": "0.0.0.0"},
                        {"container_port": 443, "host_port_range": {"min_port": 30000, "max_port": 30010}},
                    ],
                    "privileged": False, "run_as_user": 1000,
                    "liveness_probe": {"http_get": {"path": "/healthz", "port": 80, "scheme": "HTTP"},
                                       "initial_delay_seconds": 15, "timeout_seconds": 3},
                    "readiness_probe": {"exec": {"command": "cat /tmp/ready"}},
                    "volumes": [
                        {"name": "host-log", "type": "hostPath", "source": "/var/log/web",
                         "destination": "/host-log", "read_only": True},
                        {"name": "scratch", "type": "emptyDir", "source": "memory", "destination": "/scratch"},
                        {"name": "cfg", "type": "configMap", "source": "app-config", "destination": "/etc/cfg"},
                        {"name": "sec", "type": "secret", "source": "db-secret", "destination": "/etc/sec",
                         "default_mode": 256},
                    ],
                    "npu_type": "",
                }],
            },
        },
    }


def grp_template(version="latest", greeting="group"):
    return {
        "configs": {"migration": True, "toleration_seconds": 60, "restart_policy": "Always",
                    "dns_policy": "ClusterFirst"},
        "affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{
            "weight": 50,
            "preference": {"matchExpressions": [
                {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["cn-east-1a"]}]},
        }]}},
        "containers": [{
            "name": "app", "image_url": "nginx", "version": version, "resources": RESOURCES,
            "envs": [{"name": "GREETING", "value": greeting}],
            "ports": [{"container_port": 80}],
        }],
    }


def grp_body():
    """A group deployment with two replicas."""
    return {
        "name": "grp", "description": "group deployment", "group_id": "group-a",
        "tags": [{"key": "team", "value": "edge"}],
        "deployment": {"replicas": 2, "template": grp_template(),
                       "annotations": {"autonomy_edge_selector": "group-a"}},
    }


def mini_body():
    """A node deployment sending only what is required: the defaults show."""
    return {
        "name": "mini", "node_ids": ["node-3"],
        "deployment": {"replicas": 1, "template": {"containers": [{
            "name": "app", "image_url": "nginx", "resources": RESOURCES,
            "liveness_probe": {"http_get": {"path": "/", "port": 80}},
            "volumes": [{"name": "cache", "type": "emptyDir", "source": "disk", "destination": "/cache"}],
        }]}},
    }


def create(client, body):
    return sdk(client, "create_deployments", CreateDeploymentsRequest(body=model("Deployment", body)))


def pods_of(client, deployment_id):
    return sdk(client, "list_pods", ListPodsRequest(deployment_id=deployment_id, limit=1000)).pods or []


S = {}  # ids of what was made: S["web"], S["cm"], ...


# ---------------------------------------------------------------------------------
# Operation groups.
# ---------------------------------------------------------------------------------
def test_auth_and_tenancy():
    expect_error("list_deployments without X-Auth-Token", ief_client(PA, None),
                 "list_deployments", ListDeploymentsRequest(), 401, "IEF.011005")
    expect_error("list_deployments with an unknown token", ief_client(PA, "not-a-token"),
                 "list_deployments", ListDeploymentsRequest(), 401, "IEF.011005")
    foreign = expect_error("list_deployments on another tenant's project", ief_client(PB, TA),
                           "list_deployments", ListDeploymentsRequest(), 400, "IEF.100001")
    unknown = expect_error("list_deployments on an unknown project", ief_client(uuid.uuid4().hex, TA),
                           "list_deployments", ListDeploymentsRequest(), 400, "IEF.100001")
    if foreign and unknown:
        check(foreign.error_msg == unknown.error_msg,
              f"a foreign project answers unlike an unknown one: {foreign.error_msg!r} vs {unknown.error_msg!r}")
    expect_error("list_pods on another tenant's project", ief_client(PB, TA),
                 "list_pods", ListPodsRequest(node_id="node-1"), 400, "IEF.100001")
    expect_error("list_edge_nodes without X-Auth-Token", ief_client(PA, None),
                 "list_edge_nodes", ListEdgeNodesRequest(), 401, "IEF.011005")
    expect_error("list_config_maps on another tenant's project", ief_client(PB, TA),
                 "list_config_maps", ListConfigMapsRequest(), 400, "IEF.100001")
    reply = sdk(ief_client(PA, ADMIN), "list_deployments", ListDeploymentsRequest())
    verify(reply, {"count": 0, "deployments": Maybe([])}, "list_deployments with the admin token")


def test_config_maps():
    def shown(name, description, configs):
        return {"configmap": {"id": NONEMPTY, "name": name, "description": description, "configs": configs,
                              "project_id": PA, "created_at": TIME, "updated_at": TIME}}

    body = {"configmap": {"name": "app-config", "description": "settings of the web app", "configs": CM_CONFIGS}}
    reply = sdk(A, "create_config_map", CreateConfigMapRequest(body=model("ConfigMaps", body)))
    expect_status(reply, 201, "create_config_map")
    verify(reply, shown("app-config", "settings of the web app", CM_CONFIGS), "create_config_map")
    S["cm"] = reply.configmap.id
    created = wire(reply)

    advance(1)
    spare = {"configmap": {"name": "spare-config", "description": "", "configs": {"a": "1"}}}
    reply = sdk(A, "create_config_map", CreateConfigMapRequest(body=model("ConfigMaps", spare)))
    verify(reply, shown("spare-config", "", {"a": "1"}), "create_config_map (spare)")
    S["spare_cm"] = reply.configmap.id

    reply = sdk(A, "show_config_map", ShowConfigMapRequest(configmap_id=S["cm"]))
    expect_status(reply, 200, "show_config_map")
    verify(reply, created, "show_config_map")

    reply = sdk(A, "list_config_maps", ListConfigMapsRequest())
    verify(reply, {"configmaps": [created["configmap"], Pred("spare-config", lambda v: v.get("name") == "spare-config")],
                   "count": 2}, "list_config_maps")
    reply = sdk(A, "list_config_maps", ListConfigMapsRequest(name="spare"))
    check([m.name for m in reply.configmaps or []] == ["spare-config"] and reply.count == 1,
          f"list_config_maps name=spare: {short(wire(reply))}")
    reply = sdk(A, "list_config_maps", ListConfigMapsRequest(limit="1", offset="1"))
    check([m.name for m in reply.configmaps or []] == ["spare-config"] and reply.count == 2,
          f"list_config_maps limit=1 offset=1: {short(wire(reply))}")

    # Update: description and configs replace the current ones; a null value drops its key.
    update = {"configmap": {"description": "settings, updated", "configs": {"k1": "v1-new", "app.properties": None}}}
    advance(1)
    reply = sdk(A, "update_config_map", UpdateConfigMapRequest(
        configmap_id=S["cm"], body=model("UpdateConfigMaps", update)))
    expect_status(reply, 200, "update_config_map")
    expected = shown("app-config", "settings, updated", {"k1": "v1-new"})
    verify(reply, expected, "update_config_map (configs replaced, a null value drops its key)")
    check(reply.configmap.created_at == created["configmap"]["created_at"]
          and (reply.configmap.updated_at or "") > created["configmap"]["updated_at"],
          f"update_config_map: created_at kept and updated_at moved on: {short(wire(reply))}")
    verify(sdk(A, "show_config_map", ShowConfigMapRequest(configmap_id=S["cm"])), expected,
           "show_config_map after update")

    expect_error("create_config_map with a taken name", A, "create_config_map", CreateConfigMapRequest(
        body=model("ConfigMaps", body)), 409, "IEF.100409")
    expect_error("create_config_map with a bad name", A, "create_config_map", CreateConfigMapRequest(
        body=model("ConfigMaps", {"configmap": {"name": "Bad_Name", "configs": {"a": "b"}}})), 400, "IEF.100012")
    expect_error("show_config_map of an unknown id", A, "show_config_map",
                 ShowConfigMapRequest(configmap_id=str(uuid.uuid4())), 404, "IEF.100404")
    expect_error("show_config_map of another tenant's config map", B, "show_config_map",
                 ShowConfigMapRequest(configmap_id=S["cm"]), 404, "IEF.100404")

    reply = sdk(A, "delete_config_map", DeleteConfigMapRequest(configmap_id=S["spare_cm"]))
    expect_status(reply, 204, "delete_config_map")
    check(reply.raw_content in (b"", None), f"delete_config_map: a 204 with a body {reply.raw_content!r}")
    expect_error("show_config_map after delete", A, "show_config_map",
                 ShowConfigMapRequest(configmap_id=S["spare_cm"]), 404, "IEF.100404")
    expect_error("delete_config_map twice", A, "delete_config_map",
                 DeleteConfigMapRequest(configmap_id=S["spare_cm"]), 404, "IEF.100404")


def test_secrets():
    def shown(name, description, secrets):
        return {"secret": {"id": NONEMPTY, "name": name, "description": description, "secrets": secrets,
                           "project_id": PA, "created_at": TIME, "updated_at": TIME, "type": "Opaque"}}

    body = {"secret": {"name": "db-secret", "type": "Opaque", "description": "database login",
                       "secrets": SECRET_VALUES}}
    reply = sdk(A, "create_secret", CreateSecretRequest(body=model("Secret", body)))
    expect_status(reply, 201, "create_secret")
    verify(reply, shown("db-secret", "database login", SECRET_VALUES), "create_secret")
    S["secret"] = reply.secret.id
    created = wire(reply)

    advance(1)
    spare = {"secret": {"name": "spare-secret", "description": "no type given", "secrets": {"k": "dg=="}}}
    reply = sdk(A, "create_secret", CreateSecretRequest(body=model("Secret", spare)))
    verify(reply, shown("spare-secret", "no type given", {"k": "dg=="}), "create_secret without type (Opaque)")
    S["spare_secret"] = reply.secret.id

    verify(sdk(A, "show_secret", ShowSecretRequest(secret_id=S["secret"])), created, "show_secret")
    reply = sdk(A, "list_secrets", ListSecretsRequest())
    check(reply.count == 2 and sorted(s.name for s in reply.secrets or []) == ["db-secret", "spare-secret"],
          f"list_secrets: {short(wire(reply))}")
    verify(reply, {"secrets": Pred("two secrets", lambda v: len(v) == 2), "count": 2}, "list_secrets")
    for item in wire(reply).get("secrets", []):
        if item.get("name") == "db-secret":
            check(diff(created["secret"], item) is None, f"list_secrets item: {diff(created['secret'], item)}")
    for sort, names in (("name:asc", ["db-secret", "spare-secret"]), ("name:desc", ["spare-secret", "db-secret"]),
                        ("created_at:desc", ["spare-secret", "db-secret"])):
        reply = sdk(A, "list_secrets", ListSecretsRequest(sort=sort))
        check([s.name for s in reply.secrets or []] == names, f"list_secrets sort={sort}: {short(wire(reply))}")
    reply = sdk(A, "list_secrets", ListSecretsRequest(name="db", limit="10", offset="0"))
    check([s.name for s in reply.secrets or []] == ["db-secret"] and reply.count == 1,
          f"list_secrets name=db: {short(wire(reply))}")

    update = {"secret": {"description": "database login, rotated", "secrets": {"password": "bmV3LXMzY3JldA=="}}}
    advance(1)
    reply = sdk(A, "update_secret", UpdateSecretRequest(secret_id=S["secret"], body=model("UpdateSecret", update)))
    expect_status(reply, 200, "update_secret")
    expected = shown("db-secret", "database login, rotated", {"password": "bmV3LXMzY3JldA=="})
    verify(reply, expected, "update_secret (secrets replaced)")
    verify(sdk(A, "show_secret", ShowSecretRequest(secret_id=S["secret"])), expected, "show_secret after update")

    expect_error("create_secret with a taken name", A, "create_secret",
                 CreateSecretRequest(body=model("Secret", body)), 409, "IEF.100409")
    expect_error("create_secret with a bad name", A, "create_secret", CreateSecretRequest(
        body=model("Secret", {"secret": {"name": "-bad", "secrets": {"k": "dg=="}}})), 400, "IEF.100012")
    expect_error("create_secret with a value that is not base64", A, "create_secret", CreateSecretRequest(
        body=model("Secret", {"secret": {"name": "not-base64", "secrets": {"k": "not base64!"}}})),
        400, "IEF.100002")
    expect_error("show_secret of another tenant's secret", B, "show_secret",
                 ShowSecretRequest(secret_id=S["secret"]), 404, "IEF.100404")

    reply = sdk(A, "delete_secret", DeleteSecretRequest(secret_id=S["spare_secret"]))
    expect_status(reply, 204, "delete_secret")
    expect_error("show_secret after delete", A, "show_secret",
                 ShowSecretRequest(secret_id=S["spare_secret"]), 404, "IEF.100404")


def test_create_deployments():
    for key, body in (("web", web_body()), ("grp", grp_body()), ("mini", mini_body())):
        advance(1)  # distinct created_at, so the sort order is defined
        reply = create(A, body)
        expect_status(reply, 201, f"create_deployments {key}")
        verify(reply, shown_deployment(body, PA), f"create_deployments {key}")
        S[key] = reply.id
        S[key + "_reply"] = wire(reply)
    advance(5)
    for key, body in (("web", web_body()), ("grp", grp_body()), ("mini", mini_body())):
        reply = sdk(A, "show_deployment", ShowDeploymentRequest(deployment_id=S[key]))
        expect_status(reply, 200, f"show_deployment {key}")
        verify(reply, shown_deployment(body, PA, ready_replicas=body["deployment"]["replicas"]),
               f"show_deployment {key} (ready)")
        for field in ("id", "created_at"):
            check(getattr(reply, field) == S[key + "_reply"].get(field),
                  f"show_deployment {key}: {field} {getattr(reply, field)!r} differs from the create reply's")


def test_list_deployments():
    need("web", "grp", "mini")
    order = ["web", "grp", "mini"]

    def names(reply):
        return [d.name for d in reply.deployments or []]

    reply = sdk(A, "list_deployments", ListDeploymentsRequest())
    check(reply.count == 3 and names(reply) == order[::-1],
          f"list_deployments (default sort created_at:desc): {names(reply)} count {reply.count}")
    bodies = {"web": web_body(), "grp": grp_body(), "mini": mini_body()}
    verify(reply, {"count": 3, "deployments": [
        shown_deployment(bodies[k], PA, ready_replicas=bodies[k]["deployment"]["replicas"]) for k in order[::-1]]},
        "list_deployments")
    reply = sdk(A, "list_deployments", ListDeploymentsRequest(sort="created_at:asc"))
    check(names(reply) == order, f"list_deployments sort=created_at:asc: {names(reply)}")
    reply = sdk(A, "list_deployments", ListDeploymentsRequest(sort="created_at:desc"))
    check(names(reply) == order[::-1], f"list_deployments sort=created_at:desc: {names(reply)}")
    reply = sdk(A, "list_deployments", ListDeploymentsRequest(sort="created_at:asc", limit=1, offset=1))
    check(names(reply) == ["grp"] and reply.count == 3,
          f"list_deployments limit=1 offset=1: {names(reply)} count {reply.count}")
    reply = sdk(A, "list_deployments", ListDeploymentsRequest(offset=3))
    check(names(reply) == [] and reply.count == 3, f"list_deployments offset=3: {names(reply)} count {reply.count}")
    reply = sdk(A, "list_deployments", ListDeploymentsRequest(name="we"))
    check(names(reply) == ["web"] and reply.count == 1, f"list_deployments name=we: {names(reply)}")
    reply = sdk(A, "list_deployments", ListDeploymentsRequest(name="i"))
    check(sorted(names(reply)) == ["mini"] and reply.count == 1, f"list_deployments name=i: {names(reply)}")
    reply = sdk(A, "list_deployments", ListDeploymentsRequest(node_id="node-3"))
    check(names(reply) == ["mini"] and reply.count == 1, f"list_deployments node_id=node-3: {names(reply)}")
    reply = sdk(A, "list_deployments", ListDeploymentsRequest(node_id="node-1"))
    check("web" in names(reply) and "mini" not in names(reply), f"list_deployments node_id=node-1: {names(reply)}")
    reply = sdk(A, "list_deployments", ListDeploymentsRequest(group_id="group-a"))
    check(names(reply) == ["grp"] and reply.count == 1, f"list_deployments group_id=group-a: {names(reply)}")
    reply = sdk(A, "list_deployments", ListDeploymentsRequest(group_id="group-b"))
    check(names(reply) == [] and reply.count == 0, f"list_deployments group_id=group-b: {names(reply)}")
    reply = sdk(B, "list_deployments", ListDeploymentsRequest())
    check(reply.count == 0 and names(reply) == [], f"list_deployments of project B sees A's: {names(reply)}")


def test_deployment_errors():
    def refused(what, body, status, code, in_message=None):
        expect_error(f"create_deployments {what}", A, "create_deployments",
                     CreateDeploymentsRequest(body=model("Deployment", body)), status, code, in_message)

    body = mini_body()
    body["name"] = "Bad_Name"
    refused("with a bad name", body, 400, "IEF.100012")
    body["name"] = "a" * 33
    refused("with a 33-character name", body, 400, "IEF.100012")
    body = mini_body()
    body["name"] = "missing-cm"
    body["deployment"]["template"]["containers"][0]["volumes"] = [
        {"name": "cfg", "type": "configMap", "source": "no-such-config", "destination": "/etc/cfg"}]
    refused("with a volume naming a missing config map", body, 400, "IEF.100009", "volumes[0]")
    body = mini_body()
    body["name"] = "missing-secret"
    body["deployment"]["template"]["containers"][0]["envs"] = [
        {"name": "PW", "value_from": {"secret": {"name": "no-such-secret", "key": "k"}}}]
    refused("with an env naming a missing secret", body, 400, "IEF.100013", "envs[0]")
    body = mini_body()
    body["name"] = "nowhere"
    body["node_ids"] = ["node-99"]
    refused("on an unknown node", body, 400, "IEF.100014")
    body = mini_body()
    body["name"] = "both"
    body["group_id"] = "group-a"
    body["deployment"]["template"]["configs"] = {"migration": False}
    refused("with both node_ids and group_id", body, 400, "IEF.100002")

    for limit in (0, 101):
        expect_error(f"list_deployments limit={limit}", A, "list_deployments",
                     ListDeploymentsRequest(limit=limit), 400, "IEF.100005")
    expect_error("list_deployments offset=-1", A, "list_deployments",
                 ListDeploymentsRequest(offset=-1), 400, "IEF.100004")
    expect_error("list_deployments node_id and group_id", A, "list_deployments",
                 ListDeploymentsRequest(node_id="node-1", group_id="group-a"), 400, "IEF.100002")

    need("web", "grp", "mini")
    refused("with a taken name", web_body(), 409, "IEF.100409")
    unknown = str(uuid.uuid4())
    expect_error("show_deployment of an unknown id", A, "show_deployment",
                 ShowDeploymentRequest(deployment_id=unknown), 404, "IEF.100404")
    expect_error("show_deployment of another tenant's deployment", B, "show_deployment",
                 ShowDeploymentRequest(deployment_id=S["web"]), 404, "IEF.100404")
    expect_error("update_deployment of an unknown id", A, "update_deployment", UpdateDeploymentRequest(
        deployment_id=unknown, body=model("UpdateDeployment", {"description": "x"})), 404, "IEF.100404")
    expect_error("update_deployment of another tenant's deployment", B, "update_deployment", UpdateDeploymentRequest(
        deployment_id=S["web"], body=model("UpdateDeployment", {"description": "x"})), 404, "IEF.100404")
    expect_error("update_deployment with nothing in it", A, "update_deployment", UpdateDeploymentRequest(
        deployment_id=S["web"], body=model("UpdateDeployment", {})), 400, "IEF.100002")
    template = grp_template()
    template["containers"][0]["volumes"] = [
        {"name": "cfg", "type": "configMap", "source": "no-such-config", "destination": "/etc/cfg"}]
    expect_error("update_deployment with a template naming a missing config map", A, "update_deployment",
                 UpdateDeploymentRequest(deployment_id=S["grp"], body=model("UpdateDeployment", {
                     "deployment": {"template": template}})), 400, "IEF.100009")
    expect_error("delete_deployment of an unknown id", A, "delete_deployment",
                 DeleteDeploymentRequest(deployment_id=unknown), 404, "IEF.100404")
    expect_error("delete_deployment of another tenant's deployment", B, "delete_deployment",
                 DeleteDeploymentRequest(deployment_id=S["web"]), 404, "IEF.100404")
    expect_error("delete_deployment force_delete=maybe", A, "delete_deployment",
                 DeleteDeploymentRequest(deployment_id=S["mini"], force_delete="maybe"), 400, "IEF.100100")
    expect_error("restart_deployments_pod of an unknown pod", A, "restart_deployments_pod",
                 RestartDeploymentsPodRequest(deployment_id=S["web"], pod_name="no-such-pod"), 404, "IEF.100404")
    grp_pod = (pods_of(A, S["grp"]) or [None])[0]
    if check(grp_pod is not None, "list_pods deployment_id=grp: no pod"):
        expect_error("restart_deployments_pod of a pod of another deployment", A, "restart_deployments_pod",
                     RestartDeploymentsPodRequest(deployment_id=S["web"], pod_name=grp_pod.name), 404, "IEF.100404")
        expect_error("delete_pod of a pod of another deployment", A, "delete_pod",
                     DeletePodRequest(deployment_id=S["web"], pod_name=grp_pod.name), 404, "IEF.100404")
        expect_error("delete_pod of another tenant's pod", B, "delete_pod",
                     DeletePodRequest(deployment_id=S["grp"], pod_name=grp_pod.name), 404, "IEF.100404")


def test_list_pods():
    need("web", "grp", "mini")
    web, grp, mini = S["web"], S["grp"], S["mini"]
    reply = sdk(A, "list_pods", ListPodsRequest(deployment_id=web))
    verify(reply, {"count": 1, "pods": [shown_pod(web_body()["deployment"]["template"], web, PA, "node-1")]},
           "list_pods deployment_id=web")
    reply = sdk(A, "list_pods", ListPodsRequest(deployment_id=grp))
    verify(reply, {"count": 2, "pods": [shown_pod(grp_template(), grp, PA, group=True)] * 2},
           "list_pods deployment_id=grp")
    check(all(GROUP_OF.get(p.node_id) == "group-a" for p in reply.pods or []),
          f"list_pods deployment_id=grp: pods outside group-a: {[p.node_id for p in reply.pods or []]}")
    reply = sdk(A, "list_pods", ListPodsRequest(node_id="node-3"))
    verify(reply, {"count": 1, "pods": [shown_pod(mini_body()["deployment"]["template"], mini, PA, "node-3")]},
           "list_pods node_id=node-3")
    reply = sdk(A, "list_pods", ListPodsRequest(node_id="node-6"))
    verify(reply, {"count": 0, "pods": Maybe([])}, "list_pods node_id=node-6")
    reply = sdk(A, "list_pods", ListPodsRequest(group_id="group-a"))
    grp_names = sorted(p.name for p in pods_of(A, grp))
    check(set(grp_names) <= {p.name for p in reply.pods or []} and reply.count == len(reply.pods or []),
          f"list_pods group_id=group-a: {short(wire(reply))} lacks grp's pods {grp_names}")
    reply = sdk(A, "list_pods", ListPodsRequest(group_id="group-b"))
    check([p.deployment_id for p in reply.pods or []] == [mini], f"list_pods group_id=group-b: {short(wire(reply))}")
    all_ids = f"{web},{grp},{mini}"
    everything = sdk(A, "list_pods", ListPodsRequest(deployment_ids=all_ids, limit=1000))
    check(everything.count == 4 and len(everything.pods or []) == 4,
          f"list_pods deployment_ids=web,grp,mini: count {everything.count}, {len(everything.pods or [])} pods")
    reply = sdk(A, "list_pods", ListPodsRequest(deployment_ids=f"{web},{mini}"))
    check(reply.count == 2 and sorted(p.deployment_id for p in reply.pods or []) == sorted([web, mini]),
          f"list_pods deployment_ids=web,mini: {short(wire(reply))}")
    reply = sdk(A, "list_pods", ListPodsRequest(deployment_ids=all_ids, limit=2, offset=1))
    check(reply.count == 4 and [p.name for p in reply.pods or []] == [p.name for p in everything.pods or []][1:3],
          f"list_pods limit=2 offset=1: {[p.name for p in reply.pods or []]} count {reply.count}, "
          f"all: {[p.name for p in everything.pods or []]}")
    reply = sdk(A, "list_pods", ListPodsRequest(deployment_ids=all_ids, limit=10, offset=4))
    check(reply.count == 4 and not reply.pods, f"list_pods offset=4: {short(wire(reply))}")
    reply = sdk(A, "list_pods", ListPodsRequest(deployment_id=web, plugin_instance_name="some-plugin"))
    verify(reply, {"count": 0, "pods": Maybe([])}, "list_pods plugin_instance_name (podgate runs no plugins)")
    reply = sdk(A, "list_pods", ListPodsRequest(deployment_id=str(uuid.uuid4())))
    verify(reply, {"count": 0, "pods": Maybe([])}, "list_pods of an unknown deployment")
    reply = sdk(B, "list_pods", ListPodsRequest(deployment_id=web))
    verify(reply, {"count": 0, "pods": Maybe([])}, "list_pods of another tenant's deployment")
    reply = sdk(B, "list_pods", ListPodsRequest(node_id="node-1"))
    verify(reply, {"count": 0, "pods": Maybe([])}, "list_pods node_id=node-1 in project B")

    expect_error("list_pods with node_id and group_id", A, "list_pods",
                 ListPodsRequest(node_id="node-1", group_id="group-a"), 400, "IEF.100006")
    expect_error("list_pods with deployment_id and deployment_ids", A, "list_pods",
                 ListPodsRequest(deployment_id=web, deployment_ids=web), 400, "IEF.100006")
    expect_error("list_pods with no filter", A, "list_pods", ListPodsRequest(), 400, "IEF.100006")
    for limit in (0, 1001):
        expect_error(f"list_pods limit={limit}", A, "list_pods",
                     ListPodsRequest(node_id="node-1", limit=limit), 400, "IEF.100005")
    expect_error("list_pods offset=-1", A, "list_pods",
                 ListPodsRequest(node_id="node-1", offset=-1), 400, "IEF.100004")


def test_nodes():
    reply = sdk(A, "list_edge_nodes", ListEdgeNodesRequest())
    expect_status(reply, 200, "list_edge_nodes")
    check(sorted(n.id for n in reply.nodes or []) == NODES and reply.count == 6,
          f"list_edge_nodes: {[n.id for n in reply.nodes or []]} count {reply.count}")
    per_node = {"node-3": 1, "node-4": 0, "node-5": 0, "node-6": 0}
    by_name = {n.get("name"): n for n in wire(reply).get("nodes", [])}
    for name in NODES:
        found = diff(shown_node(name, per_node.get(name, INT)), by_name.get(name), f"$.nodes[{name}]", extra_ok=True)
        check(found is None, f"list_edge_nodes: {found}")
    verify(reply, {"nodes": Pred("six nodes", lambda v: len(v) == 6), "count": 6}, "list_edge_nodes")
    check(by_name.get("node-1", {}).get("deployment_num", 0) >= 1,
          f"list_edge_nodes: node-1 runs web but deployment_num is {by_name.get('node-1', {}).get('deployment_num')}")

    reply = sdk(A, "list_edge_nodes", ListEdgeNodesRequest(sort="name:desc"))
    check([n.id for n in reply.nodes or []] == NODES[::-1], f"list_edge_nodes sort=name:desc: {[n.id for n in reply.nodes or []]}")
    reply = sdk(A, "list_edge_nodes", ListEdgeNodesRequest(sort="name:asc", limit="2", offset="2"))
    check([n.id for n in reply.nodes or []] == ["node-3", "node-4"] and reply.count == 6,
          f"list_edge_nodes limit=2 offset=2: {[n.id for n in reply.nodes or []]} count {reply.count}")
    reply = sdk(A, "list_edge_nodes", ListEdgeNodesRequest(name="node-5"))
    check([n.id for n in reply.nodes or []] == ["node-5"] and reply.count == 1, f"list_edge_nodes name=node-5: {short(wire(reply))}")
    reply = sdk(A, "list_edge_nodes", ListEdgeNodesRequest(name="ode-"))
    check(reply.count == 6, f"list_edge_nodes name=ode- (substring): count {reply.count}")
    reply = sdk(A, "list_edge_nodes", ListEdgeNodesRequest(group_id="group-b"))
    check(sorted(n.id for n in reply.nodes or []) == ["node-3", "node-4"] and reply.count == 2,
          f"list_edge_nodes group_id=group-b: {[n.id for n in reply.nodes or []]}")
    reply = sdk(A, "list_edge_nodes", ListEdgeNodesRequest(state="RUNNING"))
    check(reply.count == 6, f"list_edge_nodes state=RUNNING: count {reply.count}")
    reply = sdk(A, "list_edge_nodes", ListEdgeNodesRequest(state="UNCONNECTED"))
    check(reply.count == 0 and not reply.nodes, f"list_edge_nodes state=UNCONNECTED: {short(wire(reply))}")
    reply = sdk(B, "list_edge_nodes", ListEdgeNodesRequest(name="node-3"))
    check(reply.nodes and reply.nodes[0].deployment_num == 0,
          f"list_edge_nodes in project B counts A's deployments: {short(wire(reply))}")

    for name in ("node-3", "node-6"):
        reply = sdk(A, "show_edge_node_detail", ShowEdgeNodeDetailRequest(node_id=name))
        expect_status(reply, 200, f"show_edge_node_detail {name}")
        verify(reply, {"node": shown_node(name, per_node[name])}, f"show_edge_node_detail {name}", extra_ok=True)
        raw = json.loads(reply.raw_content)
        check(list(raw) == ["node"], f"show_edge_node_detail {name}: the reply is not {{\"node\": ...}}: {list(raw)}")
    expect_error("show_edge_node_detail of an unknown node", A, "show_edge_node_detail",
                 ShowEdgeNodeDetailRequest(node_id="node-99"), 404, "IEF.100404")


def test_groups():
    need("grp")
    grp_deployment = {"id": S["grp"], "name": "grp", "description": "group deployment", "project_id": PA,
                      "created_at": S["grp_reply"].get("created_at"), "updated_at": TIME}
    expected = {
        "group-a": {"id": "group-a", "name": "group-a", "cpu": 32, "memory": 131072, "gpu_num": 0,
                    "nodes": [shown_node("node-1"), shown_node("node-2")], "deployments": [grp_deployment]},
        "group-b": {"id": "group-b", "name": "group-b", "cpu": 32, "memory": 131072, "gpu_num": 0,
                    "nodes": [shown_node("node-3", 1), shown_node("node-4", 0)], "deployments": Maybe([])},
        "group-c": {"id": "group-c", "name": "group-c", "cpu": 16, "memory": 65536, "gpu_num": 0,
                    "nodes": [shown_node("node-5", 0)], "deployments": Maybe([])},
    }
    reply = sdk(A, "list_edge_groups", ListEdgeGroupsRequest())
    expect_status(reply, 200, "list_edge_groups")
    verify(reply, {"count": 3, "edge_groups": Pred("three groups", lambda v: len(v) == 3)}, "list_edge_groups")
    by_name = {g.get("name"): g for g in wire(reply).get("edge_groups", [])}
    check(sorted(by_name) == ["group-a", "group-b", "group-c"], f"list_edge_groups: {sorted(by_name)}")
    for name, want in expected.items():
        found = diff(want, by_name.get(name), f"$.edge_groups[{name}]", extra_ok=True)
        check(found is None, f"list_edge_groups: {found}")
    reply = sdk(A, "list_edge_groups", ListEdgeGroupsRequest(name="group-b"))
    check([g.id for g in reply.edge_groups or []] == ["group-b"] and reply.count == 1,
          f"list_edge_groups name=group-b: {short(wire(reply))}")
    reply = sdk(A, "list_edge_groups", ListEdgeGroupsRequest(name="group"))
    check(reply.count == 0, f"list_edge_groups name=group (exact match): count {reply.count}")
    reply = sdk(A, "list_edge_groups", ListEdgeGroupsRequest(sort="name:asc", limit=1, offset=1))
    check([g.id for g in reply.edge_groups or []] == ["group-b"] and reply.count == 3,
          f"list_edge_groups limit=1 offset=1: {[g.id for g in reply.edge_groups or []]} count {reply.count}")
    reply = sdk(A, "list_edge_groups", ListEdgeGroupsRequest(sort="name:desc"))
    check([g.id for g in reply.edge_groups or []] == ["group-c", "group-b", "group-a"],
          f"list_edge_groups sort=name:desc: {[g.id for g in reply.edge_groups or []]}")

    reply = sdk(A, "show_edge_group_detail", ShowEdgeGroupDetailRequest(group_id="group-a"))
    expect_status(reply, 200, "show_edge_group_detail")
    verify(reply, expected["group-a"], "show_edge_group_detail group-a", extra_ok=True)
    reply = sdk(B, "show_edge_group_detail", ShowEdgeGroupDetailRequest(group_id="group-a"))
    verify(reply, dict(expected["group-a"], deployments=Maybe([]),
                       nodes=[shown_node("node-1", 0), shown_node("node-2", 0)]),
           "show_edge_group_detail group-a in project B (none of A's deployments)", extra_ok=True)
    expect_error("show_edge_group_detail of an unknown group", A, "show_edge_group_detail",
                 ShowEdgeGroupDetailRequest(group_id="group-z"), 404, "IEF.100404")


def test_update_deployments():
    need("web", "grp")
    # Description only: only the description changes, and no pod.
    pods_before = sorted(p.name for p in pods_of(A, S["web"]))
    advance(1)
    reply = sdk(A, "update_deployment", UpdateDeploymentRequest(
        deployment_id=S["web"], body=model("UpdateDeployment", {"description": "the web front end, version 2."})))
    expect_status(reply, 200, "update_deployment description")
    expected = shown_deployment(web_body(), PA, with_annotations=False, description="the web front end, version 2.",
                                id=S["web"], created_at=S["web_reply"]["created_at"])
    verify(reply, expected, "update_deployment description only")
    check((reply.updated_at or "") > S["web_reply"]["updated_at"],
          f"update_deployment: updated_at {reply.updated_at} not after {S['web_reply']['updated_at']}")
    advance(5)
    check(sorted(p.name for p in pods_of(A, S["web"])) == pods_before,
          f"update_deployment description only replaced pods: {pods_before} -> {[p.name for p in pods_of(A, S['web'])]}")
    verify(sdk(A, "show_deployment", ShowDeploymentRequest(deployment_id=S["web"])),
           dict(shown_deployment(web_body(), PA, description="the web front end, version 2."), ready_replicas=1),
           "show_deployment after the description update")

    # A new template: the pods roll to it.
    before = sorted(p.name for p in pods_of(A, S["grp"]))
    new_template = grp_template(version="stable", greeting="rolled")
    reply = sdk(A, "update_deployment", UpdateDeploymentRequest(deployment_id=S["grp"], body=model(
        "UpdateDeployment", {"deployment": {"template": new_template}})))
    verify(reply, shown_deployment(grp_body(), PA, with_annotations=False, template=new_template,
                                   id=S["grp"]), "update_deployment template")
    advance(30)
    after = pods_of(A, S["grp"])
    check(len(after) == 2 and not set(before) & {p.name for p in after},
          f"update_deployment template: pods did not roll: {before} -> {[p.name for p in after]}")
    verify(sdk(A, "list_pods", ListPodsRequest(deployment_id=S["grp"])),
           {"count": 2, "pods": [shown_pod(new_template, S["grp"], PA, group=True)] * 2},
           "list_pods after the template update")
    verify(sdk(A, "show_deployment", ShowDeploymentRequest(deployment_id=S["grp"])),
           shown_deployment(grp_body(), PA, template=new_template, ready_replicas=2),
           "show_deployment after the template update")

    # Replicas: scale from 2 to 3. The SDK's UpdatePodDeployment requires a template, so
    # the template goes along as show_deployment returned it: the pods stay, one is added.
    shown = sdk(A, "show_deployment", ShowDeploymentRequest(deployment_id=S["grp"]))
    before = sorted(p.name for p in pods_of(A, S["grp"]))
    reply = sdk(A, "update_deployment", UpdateDeploymentRequest(deployment_id=S["grp"], body=UpdateDeployment(
        deployment=UpdatePodDeployment(replicas=3, template=shown.template))))
    verify(reply, shown_deployment(grp_body(), PA, with_annotations=False, template=new_template, replicas=3),
           "update_deployment replicas")
    advance(5)
    verify(sdk(A, "show_deployment", ShowDeploymentRequest(deployment_id=S["grp"])),
           shown_deployment(grp_body(), PA, template=new_template, replicas=3, ready_replicas=3),
           "show_deployment after scaling to 3")
    after = sorted(p.name for p in pods_of(A, S["grp"]))
    check(len(after) == 3 and set(before) <= set(after),
          f"update_deployment replicas=3 with the same template: pods {before} -> {after}")

    # Read-modify-write: the template show_deployment returned goes back as it is.
    shown = sdk(A, "show_deployment", ShowDeploymentRequest(deployment_id=S["web"]))
    try:
        reply = sdk(A, "update_deployment", UpdateDeploymentRequest(deployment_id=S["web"], body=UpdateDeployment(
            deployment=UpdatePodDeployment(replicas=shown.replicas, template=shown.template))))
        check(wire(reply.template) == wire(shown.template),
              f"update_deployment with the template as shown: {diff(wire(shown.template), wire(reply.template))}")
    except ClientRequestException as e:
        check(False, f"update_deployment with the template show_deployment returned (read-modify-write) "
                     f"is refused: {describe(e)}")
    advance(30)


def test_pod_restart_and_delete():
    need("web", "grp")
    old = [p.name for p in pods_of(A, S["web"])]
    if not check(len(old) == 1, f"web has {len(old)} pods, expected 1"):
        return
    reply = sdk(A, "restart_deployments_pod", RestartDeploymentsPodRequest(deployment_id=S["web"], pod_name=old[0]))
    expect_status(reply, 202, "restart_deployments_pod")
    check(reply.raw_content == b'""', f"restart_deployments_pod: body {reply.raw_content!r}, expected the JSON string \"\"")
    advance(30)
    now = pods_of(A, S["web"])
    check(len(now) == 1 and now[0].name != old[0] and now[0].state == "RUNNING",
          f"restart_deployments_pod: pods {old} -> {[(p.name, p.state) for p in now]}")

    old = [p.name for p in pods_of(A, S["grp"])]
    reply = sdk(A, "delete_pod", DeletePodRequest(deployment_id=S["grp"], pod_name=old[0]))
    expect_status(reply, 204, "delete_pod")
    check(reply.raw_content in (b"", None), f"delete_pod: a 204 with a body {reply.raw_content!r}")
    advance(30)
    now = pods_of(A, S["grp"])
    check(len(now) == len(old) and old[0] not in {p.name for p in now} and all(p.state == "RUNNING" for p in now),
          f"delete_pod: the deployment did not make a new pod: {old} -> {[(p.name, p.state) for p in now]}")
    expect_error("delete_pod of the deleted pod", A, "delete_pod",
                 DeletePodRequest(deployment_id=S["grp"], pod_name=old[0]), 404, "IEF.100404")


def test_objects_in_use():
    need("cm", "secret", "web")
    expect_error("delete_config_map in use by a deployment", A, "delete_config_map",
                 DeleteConfigMapRequest(configmap_id=S["cm"]), 409, "IEF.100015")
    expect_error("delete_secret in use by a deployment", A, "delete_secret",
                 DeleteSecretRequest(secret_id=S["secret"]), 409, "IEF.100015")


def test_delete_deployments():
    need("web", "grp", "mini", "cm", "secret")
    reply = sdk(A, "delete_deployment", DeleteDeploymentRequest(deployment_id=S["mini"], force_delete="true"))
    expect_status(reply, 204, "delete_deployment force_delete=true")
    check(reply.raw_content in (b"", None), f"delete_deployment: a 204 with a body {reply.raw_content!r}")
    expect_error("show_deployment after delete", A, "show_deployment",
                 ShowDeploymentRequest(deployment_id=S["mini"]), 404, "IEF.100404")
    advance(30)
    verify(sdk(A, "list_pods", ListPodsRequest(deployment_id=S["mini"])), {"count": 0, "pods": Maybe([])},
           "list_pods of the deleted deployment")
    # The name is free at once.
    reply = create(A, mini_body())
    verify(reply, shown_deployment(mini_body(), PA), "create_deployments mini again")
    check(reply.id != S["mini"], "create_deployments mini again: the new deployment has the old id")
    reply = sdk(A, "delete_deployment", DeleteDeploymentRequest(deployment_id=reply.id, force_delete="false"))
    expect_status(reply, 204, "delete_deployment force_delete=false")

    for key in ("web", "grp"):
        expect_status(sdk(A, "delete_deployment", DeleteDeploymentRequest(deployment_id=S[key])), 204,
                      f"delete_deployment {key}")
    expect_error("delete_deployment twice", A, "delete_deployment",
                 DeleteDeploymentRequest(deployment_id=S["web"]), 404, "IEF.100404")
    advance(30)
    reply = sdk(A, "list_deployments", ListDeploymentsRequest())
    verify(reply, {"count": 0, "deployments": Maybe([])}, "list_deployments after deleting everything")
    for node in NODES:
        reply = sdk(A, "list_pods", ListPodsRequest(node_id=node))
        check(reply.count == 0, f"list_pods node_id={node} after deleting everything: {short(wire(reply))}")

    # Nothing reads them any more: they go.
    expect_status(sdk(A, "delete_config_map", DeleteConfigMapRequest(configmap_id=S["cm"])), 204,
                  "delete_config_map no longer in use")
    expect_status(sdk(A, "delete_secret", DeleteSecretRequest(secret_id=S["secret"])), 204,
                  "delete_secret no longer in use")
    reply = sdk(A, "list_config_maps", ListConfigMapsRequest())
    verify(reply, {"configmaps": Maybe([]), "count": 0}, "list_config_maps at the end")
    reply = sdk(A, "list_secrets", ListSecretsRequest())
    verify(reply, {"secrets": Maybe([]), "count": 0}, "list_secrets at the end")


GROUPS = [test_auth_and_tenancy, test_config_maps, test_secrets, test_create_deployments,
          test_list_deployments, test_deployment_errors, test_list_pods, test_nodes, test_groups,
          test_update_deployments, test_pod_restart_and_delete, test_objects_in_use,
          test_delete_deployments]


def main():
    global GROUP, PA, PB, TA, TB, A, B
    sdk_version = f"huaweicloudsdkief {version('huaweicloudsdkief')}, huaweicloudsdkcore {version('huaweicloudsdkcore')}"
    print(f"ief-sdk: {sdk_version} against {BASE}", flush=True)
    PA, PB = uuid.uuid4().hex, uuid.uuid4().hex
    TA, TB = create_project(PA), create_project(PB)
    A, B = ief_client(PA, TA), ief_client(PB, TB)

    results = []
    for group in GROUPS:
        GROUP = group.__name__[len("test_"):]
        failed_before = len(FAILURES)
        try:
            group()
        except NotRun as e:
            check(False, str(e))
        except Exception as e:  # noqa: BLE001 (an unexpected error is this group's failure)
            mine = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == __file__ and f.name != "sdk"]
            where = f" at line {mine[-1].lineno}: {mine[-1].line}" if mine else ""
            check(False, f"unexpected {describe(e)}{where}")
        failed = FAILURES[failed_before:]
        results.append((GROUP, len(failed)))
        print(f"{'PASS' if not failed else 'FAIL'} {GROUP}" + (f" ({len(failed)} failure(s))" if failed else ""))
        for _, message in failed:
            print(f"    {message}")
        sys.stdout.flush()

    print()
    print(f"SDK: {sdk_version}")
    print(f"operations exercised through IefClient ({len(EXERCISED)}): "
          + ", ".join(f"{op} x{n}" for op, n in sorted(EXERCISED.items())))
    if NOTES:
        print("notes: fields of the seed's pod list that the SDK's models drop (an SDK user does not see them): "
              + ", ".join(sorted(NOTES)))
    print(f"groups: {sum(1 for _, f in results if not f)} passed, {sum(1 for _, f in results if f)} failed"
          + ("" if not FAILURES else " (" + ", ".join(g for g, f in results if f) + ")"))
    print(f"ief-sdk: {PASSED} passed, {len(FAILURES)} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
