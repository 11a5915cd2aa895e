"""schemathesis hooks for scripts/fuzz-http.sh: what the OpenAPI document cannot say.

- Rules across query parameters: IEF's pod list takes exactly one of its four filters,
  and its deployment list a node or a group, not both. Generated queries that break
  them are mended (one filter kept, or the kept deployment's added), so the cases the
  schema calls valid are valid.
- Where each rule names something that exists: a deployment's node or group, a V-Kube
  pod's region, an NCS
  paging parameter only for the Action that pages.
- Objects to remove: outside the stateful phase, a delete (or a restart, which
  replaces the pod) can succeed only once per object, so each valid case that removes
  one gets an object of its own, made through the API (scripts/fuzz_api.py) just
  before the call.

The tenants come from the environment fuzz_tenants.py set up.
"""
import os

import schemathesis
from schemathesis import GenerationMode

from fuzz_api import Api

ENV = os.environ.get
API = Api(ENV("PODGATE_FUZZ_BASE", ""))
PROJECT = ENV("PODGATE_FUZZ_IEF_PROJECT", "")
IEF = {"X-Auth-Token": ENV("PODGATE_FUZZ_IEF_TOKEN", "")}
POD_FILTERS = ("node_id", "group_id", "deployment_id", "deployment_ids")


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
    elif path.endswith("/pods/{pod_name}") or path.endswith("/pods/{pod_name}/restart"):
        case.path_parameters["id"], case.path_parameters["pod_name"] = deployment()
    elif path.endswith("/k8s/pod/log") and "container" in (case.query or {}):
        # Deploys replace the order's pod: name a container the pod has now.
        status = API.call("GET", "/k8s/pod/status", None, {"secret": ENV("PODGATE_FUZZ_VKUBE_SECRET")})
        case.query["container"] = status["podSpec"]["containers"][0]["name"]


NCS_ACTIONS = {"RedeployStatefulWorkload", "RestartContainer", "RestartStatefulWorkloadInstance",
               "DeleteStatefulWorkload", "DescribeStatefulWorkloads", "DescribeStatefulWorkloadInfo",
               "DescribeStatefulWorkloadInstances", "DescribeStatefulWorkloadImages",
               "AssociateEipOfStatefulWorkload", "UnAssociateEipOfStatefulWorkload",
               "CreateStatefulWorkload", "ResetStatefulWorkloadSpecType", "ModifyStatefulWorkload"}
PAGES = "DescribeStatefulWorkloadsAllNamespaces"


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


def where_to_deploy(case):
    """A deployment goes to exactly one node, or to a group, that exists; a V-Kube pod
    to a region that exists."""
    body = case.body
    if case.method == "POST" and case.operation.path.endswith("/k8s/deploy") \
            and isinstance(body, dict) and isinstance(body.get("nodeSelector"), dict):
        body["nodeSelector"]["region"] = "region1"
    if case.method == "POST" and case.operation.path.endswith("/edgemgr/deployments") \
            and isinstance(body, dict):
        if body.get("group_id") is not None:
            body["group_id"], body["node_ids"] = ENV("PODGATE_FUZZ_IEF_GROUP"), None
        else:
            body["node_ids"] = [ENV("PODGATE_FUZZ_IEF_NODE")]


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    meta = case.meta
    if meta is None:
        return
    positive = meta.generation.mode == GenerationMode.POSITIVE
    ncs_paging(case, positive)
    # The stateful phase's cases name what earlier steps made: they keep their ids.
    if positive and "stateful" not in str(meta.phase.name).lower():
        where_to_deploy(case)
        fresh_objects(case)
