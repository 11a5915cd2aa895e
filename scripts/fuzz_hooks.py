"""schemathesis hooks for scripts/fuzz-http.sh: what the OpenAPI document cannot say.

- Rules across query parameters: IEF's pod list takes exactly one of its four filters,
  and its deployment list a node or a group, not both. Generated queries that break
  them are mended (one filter kept, or the kept deployment's added), so the cases the
  schema calls valid are valid.
- Where each rule names something that exists: a deployment's node or group, a V-Kube
  pod's region, the container a simulated crash names, an NCS body's namespace, workload, zone and spec type (and a name of
  its own); an NCS paging parameter only for the Action that pages.
- Rules across fields: NCS's POST body is one Action's parameters, and the query's
  Action must be that one; a pod's containers have names of their own, as have a
  container's variables and volumes, a deployment's tags and each new deployment; a
  host port range ends above its start; a group's deployment says whether it migrates.
- What an IEF deployment reads: a config map's or secret's key, or a volume's config,
  is one that exists (`fuzz-refs`, key `k`).
- Objects to remove or bind: outside the stateful phase, a delete (or a restart,
  which replaces the pod, or an EIP association) can succeed only once per object, so
  each valid case that removes or binds one gets an object of its own, made through
  the API (scripts/fuzz_api.py) just before the call.

The tenants come from the environment fuzz_tenants.py set up.
"""
import os

import schemathesis
from jsonschema_rs import Draft202012Validator
from schemathesis import GenerationMode

from fuzz_api import NCS_QUERY, Api

ENV = os.environ.get
API = Api(ENV("PODGATE_FUZZ_BASE", ""))
PROJECT = ENV("PODGATE_FUZZ_IEF_PROJECT", "")
IEF = {"X-Auth-Token": ENV("PODGATE_FUZZ_IEF_TOKEN", "")}
POD_FILTERS = ("node_id", "group_id", "deployment_id", "deployment_ids")
NCS_ACTIONS = {"RedeployStatefulWorkload", "RestartContainer", "RestartStatefulWorkloadInstance",
               "DeleteStatefulWorkload", "DescribeStatefulWorkloads", "DescribeStatefulWorkloadInfo",
               "DescribeStatefulWorkloadInstances", "DescribeStatefulWorkloadImages",
               "AssociateEipOfStatefulWorkload", "UnAssociateEipOfStatefulWorkload",
               "CreateStatefulWorkload", "ResetStatefulWorkloadSpecType", "ModifyStatefulWorkload"}
PAGES = "DescribeStatefulWorkloadsAllNamespaces"
ASSOCIATION = ("AssociateEipOfStatefulWorkload", "UnAssociateEipOfStatefulWorkload")
# The catalogue's largest spec type (NcsConfig's default), which most containers fit.
SPEC_TYPE = "ncs.n1.xlarge32"


@schemathesis.hook("map_query").apply_to(method="GET", path_regex=r"/edgemgr/pods$")
def one_pod_filter(ctx, query):
    query = dict(query or {})
    given = [key for key in POD_FILTERS if key in query]
    for key in given[1:]:
        del query[key]
    if not given:
        query["deployment_id"] = os.environ.get("PODGATE_FUZZ_IEF_DEPLOYMENT_KEPT", "")
    return query


@schemathesis.hook("map_query").apply_to(method="GET", path_regex=r"/edgemgr/deployments$")
def node_or_group(ctx, query):
    query = dict(query or {})
    if "node_id" in query:
        query.pop("group_id", None)
    return query


_made = 0


def fresh_name(kind):
    global _made
    _made += 1
    return f"fuzz-{kind}-{_made}"


def deployment():
    return API.ief_deployment(PROJECT, IEF, fresh_name("d"), ENV("PODGATE_FUZZ_IEF_NODE"))


def fresh_objects(case):
    """The path and query of a case that removes an object, pointed at a new one (and a
    V-Kube log's container at one the pod has)."""
    path = case.operation.path
    if case.method == "DELETE" and path == "/serverless/v1/podpools":
        case.query = {**(case.query or {}), "id": API.pool(fresh_name("pool"))}
    elif case.method == "DELETE" and path.endswith("/edgemgr/configmaps/{id}"):
        case.path_parameters["id"] = API.ief_configmap(PROJECT, IEF, fresh_name("cm"))
    elif case.method == "DELETE" and path.endswith("/edgemgr/secrets/{id}"):
        case.path_parameters["id"] = API.ief_secret(PROJECT, IEF, fresh_name("s"))
    elif case.method == "DELETE" and path.endswith("/edgemgr/deployments/{id}"):
        case.path_parameters["id"], _ = deployment()
    elif path == "/ncs" and (case.query or {}).get("Action") == "DeleteStatefulWorkload":
        case.query["StatefulWorkloadId"] = str(API.ncs_workload(
            ENV("PODGATE_FUZZ_NCS_NAMESPACE"), ENV("PODGATE_FUZZ_NCS_TOKEN"), fresh_name("w")))
    elif path == "/ncs" and (case.query or {}).get("Action") in ASSOCIATION:
        # A workload holds one EIP, and an EIP one workload: an association gets a new
        # workload and a new EIP, a release the two associated just before.
        namespace, token = ENV("PODGATE_FUZZ_NCS_NAMESPACE"), ENV("PODGATE_FUZZ_NCS_TOKEN")
        workload = API.ncs_workload(namespace, token, fresh_name("w"))
        eip = API.ncs_eip(ENV("PODGATE_FUZZ_ADMIN"), fresh_name("eip"))
        if case.query["Action"] == "UnAssociateEipOfStatefulWorkload":
            API.call("GET", f"{NCS_QUERY}AssociateEipOfStatefulWorkload&NamespaceId={namespace}"
                     f"&StatefulWorkloadId={workload}&EipId={eip}", None,
                     {"Authorization": f"Bearer {token}"})
        named = {"NamespaceId": namespace, "StatefulWorkloadId": str(workload), "EipId": eip}
        case.query.update(named)
        if isinstance(case.body, dict):
            case.body.update({k: v for k, v in named.items() if k in case.body})
    elif path.endswith("/pods/{pod_name}") or path.endswith("/pods/{pod_name}/restart"):
        case.path_parameters["id"], case.path_parameters["pod_name"] = deployment()
    elif path.endswith("/k8s/pod/log") and "container" in (case.query or {}):
        # Deploys replace the order's pod: name a container the pod has now.
        status = API.call("GET", "/k8s/pod/status", None, {"secret": ENV("PODGATE_FUZZ_VKUBE_SECRET")})
        case.query["container"] = status["podSpec"]["containers"][0]["name"]


def ncs_paging(case, positive):
    """NCS's one path takes every Action, and only one of them pages: a valid case keeps
    Limit and Offset for it alone, and an invalid one sends them to it."""
    query = case.query if case.query is not None else {}
    action = query.get("Action")
    if case.operation.path != "/ncs" or action == PAGES:
        return
    if positive:
        query.pop("Limit", None)
        query.pop("Offset", None)
    elif isinstance(action, str) and action in NCS_ACTIONS and ("Limit" in query or "Offset" in query):
        query["Action"] = PAGES


# NCS's POST body is one of the Actions' request types (ncs.ActionBody); each Action
# takes its own, over the query's parameters. Tried in this order, the first that fits
# a body is its Action.
NCS_BODIES = {"CreateStatefulWorkload": "ncs.CreateRequest",
              "ResetStatefulWorkloadSpecType": "ncs.ResetSpecTypeRequest",
              "ModifyStatefulWorkload": "ncs.ModifyRequest"}
NCS_ORDER = [*NCS_BODIES, *sorted(NCS_ACTIONS - set(NCS_BODIES)), PAGES]
_fits = {}


def ncs_fits(case, action, params):
    """Whether `params` are valid parameters of `action`, by the document."""
    name = NCS_BODIES.get(action, "ncs.ListAllParams" if action == PAGES else "ncs.WorkloadParams")
    if name not in _fits:
        root = {"$ref": f"#/components/schemas/{name}",
                "components": case.operation.schema.raw_schema["components"]}
        _fits[name] = Draft202012Validator(root).is_valid
    return _fits[name](params)


def ncs_action_for_body(case):
    """A valid POST's Action is the one whose parameters its body holds (none: the
    query's), with the query's: the query's own Action when they are its, else the
    first that takes them."""
    if case.method != "POST" or case.operation.path != "/ncs":
        return
    body = case.body if isinstance(case.body, dict) else {}
    query = case.query if case.query is not None else {}
    # A parameter the body gives is the body's (the server refuses two different values).
    for key in body:
        if key not in ("Action", "Version"):
            query.pop(key, None)
    params = {**{k: v for k, v in query.items() if k not in ("Action", "Version")}, **body}
    if query.get("Action") in NCS_ORDER and ncs_fits(case, query["Action"], params):
        return
    query["Action"] = next(a for a in NCS_ORDER if ncs_fits(case, a, params))
    case.query = query


def ncs_names(case):
    """What a valid NCS body names, pointed at what exists: the tenant's namespace,
    workload, container and EIP, a zone and the catalogue's largest spec type, and a
    name of its own; a modify or a spec-type reset gets a workload of its own, its container
    named as the workload's."""
    body = case.body
    if case.method != "POST" or case.operation.path != "/ncs" or not isinstance(body, dict):
        return
    action = (case.query or {}).get("Action")
    namespace, token = ENV("PODGATE_FUZZ_NCS_NAMESPACE"), ENV("PODGATE_FUZZ_NCS_TOKEN")
    for key, env in (("NamespaceId", namespace), ("StatefulWorkloadId", ENV("PODGATE_FUZZ_NCS_WORKLOAD")),
                     ("ContainerId", ENV("PODGATE_FUZZ_NCS_CONTAINER")), ("EipId", ENV("PODGATE_FUZZ_NCS_EIP"))):
        if key in body:
            body[key] = int(env) if key.endswith("Id") and env.isdigit() else env
    example = Api.ncs_example()
    if action == "CreateStatefulWorkload":
        body["Name"] = fresh_name("w")
        zones = (body.get("Placement") or {}).get("ZoneId")
        if isinstance(zones, list):
            body["Placement"]["ZoneId"] = example["Placement"]["ZoneId"][:len(zones)]
    if "SpecType" in body or (action == "CreateStatefulWorkload" and body.get("PayType") != "PrePaid"):
        body["SpecType"] = SPEC_TYPE
    if action in ("ModifyStatefulWorkload", "ResetStatefulWorkloadSpecType"):
        # One container with no log directories, disks or volumes: a modify keeps the
        # number of each.
        example["Containers"] = [{"Name": "c", "Image": "nginx"}]
        example["SpecType"] = SPEC_TYPE
        body["StatefulWorkloadId"] = API.ncs_workload(namespace, token, fresh_name("w"), example)
        containers = body.get("Containers")
        if isinstance(containers, list) and containers and isinstance(containers[0], dict):
            containers[0]["Name"] = "c"


def deployment_template(case):
    """The template of an IEF deployment create or update body, or None."""
    body = case.body
    if case.method not in ("POST", "PUT") or "/edgemgr/deployments" not in case.operation.path \
            or not isinstance(body, dict) or not isinstance(body.get("deployment"), dict):
        return None
    template = body["deployment"].get("template")
    return template if isinstance(template, dict) else None


def unique(items, key, limit, dash="-"):
    """Gives each dict in `items` whose `key` is a name met before a suffix (within
    `limit` characters, joined by `dash`, so that the name rule still holds)."""
    seen = set()
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict) or not isinstance(item.get(key), str):
            continue
        if item[key] in seen:
            suffix = f"{dash}u{i}"
            item[key] = item[key][:limit - len(suffix)] + suffix
        seen.add(item[key])


def containers(template):
    return [c for key in ("init_containers", "containers")
            for c in (template.get(key) or []) if isinstance(c, dict)]


_names = set()


def ief_deployment_fields(case):
    """Names of its own for a new deployment, its containers (across init and main
    containers), each container's variables and volumes, and its tags; host port
    ranges that end above their start."""
    template = deployment_template(case)
    if template is None:
        return
    body = case.body
    if case.method == "POST" and isinstance(body.get("name"), str):
        name = body["name"]
        if name in _names:
            suffix = f"-n{len(_names)}"
            name = name[:32 - len(suffix)] + suffix
        body["name"] = name
        _names.add(name)
    unique(body.get("tags"), "key", 128)
    every = containers(template)
    unique(every, "name", 32)
    for container in every:
        unique(container.get("envs"), "name", 2048, dash="_")
        unique(container.get("volumes"), "name", 63)
        for port in container.get("ports") or []:
            span = port.get("host_port_range") if isinstance(port, dict) else None
            if isinstance(span, dict) and isinstance(span.get("min_port"), (int, float)) \
                    and isinstance(span.get("max_port"), (int, float)) \
                    and span["max_port"] <= span["min_port"]:
                if span["min_port"] < 65535:
                    span["max_port"] = span["min_port"] + 1
                else:
                    span["min_port"] = span["max_port"] - 1


_refs = []


def refs():
    """The config map and secret every deployment's references name (made once)."""
    if not _refs:
        API.ief_configmap(PROJECT, IEF, "fuzz-refs")
        API.ief_secret(PROJECT, IEF, "fuzz-refs")
        _refs.append("fuzz-refs")
    return _refs[0]


def ief_references(case):
    """A deployment's variables and volumes read a config map or secret that exists,
    and a key it has."""
    template = deployment_template(case)
    if template is None:
        return
    for container in containers(template):
        for env in container.get("envs") or []:
            source = env.get("value_from") if isinstance(env, dict) else None
            for kind in ("configmap", "secret"):
                if isinstance(source, dict) and isinstance(source.get(kind), dict):
                    source[kind].update({"name": refs(), "key": "k"})
        for volume in container.get("volumes") or []:
            if isinstance(volume, dict) and volume.get("type") in ("configMap", "secret"):
                volume["source"] = refs()


def sim_fault_target(case):
    """A crash names a container the pod has."""
    if case.operation.path == "/admin/v1/sim/pods/{pod}/crash" and isinstance(case.body, dict):
        case.body["container"] = ENV("PODGATE_FUZZ_SIM_CONTAINER")


def where_to_deploy(case):
    """A deployment goes to exactly one node, or to a group, that exists (a group when
    it names a group's settings), and names a group that exists; an update of the kept
    deployment, on a node, names no group-only setting; a V-Kube pod goes to a region
    that exists."""
    body = case.body
    if case.method == "POST" and case.operation.path.endswith("/k8s/deploy") \
            and isinstance(body, dict) and isinstance(body.get("nodeSelector"), dict):
        body["nodeSelector"]["region"] = "region1"
    template = deployment_template(case)
    if case.method == "PUT" and template is not None and isinstance(template.get("configs"), dict):
        # The deployment updated runs on a node, which takes no group-only setting.
        template["configs"].pop("toleration_seconds", None)
    if case.method == "POST" and case.operation.path.endswith("/edgemgr/deployments") \
            and isinstance(body, dict):
        spec = body.get("deployment") if isinstance(body.get("deployment"), dict) else {}
        template = spec.get("template") if isinstance(spec.get("template"), dict) else {}
        configs = template.get("configs") if isinstance(template.get("configs"), dict) else {}
        # Settings only a node group's deployment takes say where it goes.
        for_group = any(configs.get(k) is not None for k in ("migration", "toleration_seconds"))
        if body.get("group_id") is not None or for_group:
            body["group_id"], body["node_ids"] = ENV("PODGATE_FUZZ_IEF_GROUP"), None
            # A group's deployment says whether its pods migrate.
            if isinstance(template, dict) and configs.get("migration") is None:
                template["configs"] = {**configs, "migration": False}
        else:
            body["node_ids"] = [ENV("PODGATE_FUZZ_IEF_NODE")]
        annotations = spec.get("annotations")
        if isinstance(annotations, dict) and annotations.get("autonomy_edge_selector") is not None:
            annotations["autonomy_edge_selector"] = ENV("PODGATE_FUZZ_IEF_GROUP")


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    meta = case.meta
    if meta is None:
        return
    positive = meta.generation.mode == GenerationMode.POSITIVE
    if positive:
        ncs_action_for_body(case)
    ncs_paging(case, positive)
    # The stateful phase's cases name what earlier steps made: they keep their ids.
    if positive and "stateful" not in str(meta.phase.name).lower():
        where_to_deploy(case)
        ief_deployment_fields(case)
        ief_references(case)
        sim_fault_target(case)
        ncs_names(case)
        fresh_objects(case)
