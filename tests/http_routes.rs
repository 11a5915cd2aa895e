//! Every route over HTTP (through `tower::ServiceExt::oneshot`, on the simulator):
//! each request example accepted, each reply shaped like its example, each error body
//! exactly as the vendors print it, and every kind of rejection in the dialect's own
//! shape.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use common::http::{ADMIN, Http, ncs_uri};
use common::{IEF, NCS, VKUBE, YUANRONG};
use podgate::core::ClusterBackend;
use podgate::core::dialects::ncs::{NcsCaller, NcsConfig, NcsDefinition, NcsService};
use podgate::core::model::{NamespaceId, PageRequest, TenantKey, WorkloadId, WorkloadSpec};
use podgate_http::HttpConfig;
use serde_json::{Value, json};
use tower::ServiceExt;

/// NCS namespace 1, made through the admin API; its `Authorization` header.
async fn namespace_one(h: &Http) -> String {
    let ns = h
        .admin("/admin/v1/ncs/namespaces", json!({"NamespaceId": 1}))
        .await;
    assert_eq!(ns["NamespaceId"], 1);
    format!("Bearer {}", ns["token"].as_str().unwrap())
}

/// The vendor's create example, made with `auth`; its reply.
async fn create_the_example(h: &Http, auth: &str) -> Value {
    let (status, created) = h
        .call(
            Method::POST,
            &ncs_uri("CreateStatefulWorkload", ""),
            &[("authorization", auth)],
            Some(NCS.fixture("create_request.json")),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    created
}

#[tokio::test]
async fn ncs_over_http() {
    let h = Http::new();
    let auth = namespace_one(&h).await;
    let a = [("authorization", auth.as_str())];

    let created = create_the_example(&h, &auth).await;
    NCS.assert_shape("create_response.json", &created);
    let id = created["StatefulWorkloadId"].as_u64().unwrap();
    h.advance();
    h.admin(
        "/admin/v1/ncs/eips",
        json!({"EipId": "eip-1", "Address": "203.0.113.7"}),
    )
    .await;
    let (status, reply) = h
        .call(
            Method::GET,
            &ncs_uri(
                "AssociateEipOfStatefulWorkload",
                &format!("NamespaceId=1&StatefulWorkloadId={id}&EipId=eip-1"),
            ),
            &a,
            None,
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    // A second workload with probes, like the running example.
    let mut probed = NCS.fixture("create_request.json");
    probed["Name"] = json!("probed");
    probed["Containers"][0]["LivenessProbe"] =
        json!({"Exec": {"Command": ["ls", "-l"]}, "PeriodSeconds": 10, "TimeoutSeconds": 1});
    probed["Containers"][0]["ReadinessProbe"] =
        json!({"Exec": {"Command": ["ls", "-l"]}, "PeriodSeconds": 10, "timeoutSeconds": 1});
    let (status, second) = h
        .call(
            Method::POST,
            &ncs_uri("CreateStatefulWorkload", ""),
            &a,
            Some(probed),
        )
        .await;
    assert_eq!(status, 200, "{second}");
    h.advance();
    let (status, running) = h
        .call(
            Method::GET,
            &ncs_uri(
                "DescribeStatefulWorkloadInfo",
                &format!(
                    "NamespaceId=1&StatefulWorkloadId={}",
                    second["StatefulWorkloadId"]
                ),
            ),
            &a,
            None,
        )
        .await;
    assert_eq!(status, 200);
    NCS.assert_shape("describe_info_response_running.json", &running);
    let q = format!("NamespaceId=1&StatefulWorkloadId={id}");
    for (action, example) in [
        (
            "DescribeStatefulWorkloadInfo",
            "describe_info_response.json",
        ),
        (
            "DescribeStatefulWorkloadInstances",
            "describe_instances_response.json",
        ),
        (
            "DescribeStatefulWorkloadImages",
            "describe_images_response.json",
        ),
    ] {
        let (status, reply) = h.call(Method::GET, &ncs_uri(action, &q), &a, None).await;
        assert_eq!(status, 200, "{action}: {reply}");
        NCS.assert_shape(example, &reply);
    }
    let (status, all) = h
        .call(
            Method::GET,
            &ncs_uri(
                "DescribeStatefulWorkloadsAllNamespaces",
                "Limit=10&Offset=0",
            ),
            &a,
            None,
        )
        .await;
    assert_eq!(status, 200);
    NCS.assert_shape("describe_all_namespaces_response.json", &all);
    let (status, _) = h
        .call(
            Method::GET,
            &ncs_uri("DescribeStatefulWorkloads", "NamespaceId=1"),
            &a,
            None,
        )
        .await;
    assert_eq!(status, 200);

    // The modify and reset examples name their own namespace and workload ids.
    let ops = NcsService::new(h.sim.clone(), NcsConfig::default());
    ops.create_namespace(Some(NamespaceId(134_412)), false)
        .await
        .unwrap();
    ops.create_namespace(Some(NamespaceId(17)), false)
        .await
        .unwrap();
    h.sim.skip_workload_ids_to(WorkloadId(5241)).unwrap();
    let reset_target: podgate::core::dialects::ncs::wire::CreateRequest = serde_json::from_value(json!({
        "NamespaceId": 17, "Name": "resize-me", "SpecType": "ncs.n1.medium2", "ContainerType": "Standard",
        "Placement": {"ZoneId": []}, "VirtualPrivateCloud": {}, "Containers": [{"Name": "container", "Image": "nginx:stable",
        "ResourceRequirements": {"Limits": {"Cpu": 1000, "Memory": 1024}}}]
    })).unwrap();
    assert_eq!(
        ops.create(&NcsCaller::Operator, &reset_target)
            .await
            .unwrap()
            .StatefulWorkloadId,
        5241
    );
    h.sim.skip_workload_ids_to(WorkloadId(275_041)).unwrap();
    let mut definition = NcsDefinition::from_template(
        &ops.backend()
            .get_workload(&TenantKey::Namespace(NamespaceId(17)), WorkloadId(5241))
            .await
            .unwrap()
            .spec
            .template,
    )
    .unwrap();
    definition.containers[0].name = "containerName".to_owned();
    definition.containers[0].log_dirs = vec!["/var/log/".to_owned()];
    let seeded = h
        .sim
        .create_workload(
            &TenantKey::Namespace(NamespaceId(134_412)),
            WorkloadSpec::stateful("modify-me", definition.to_shared_template().unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(seeded.id, WorkloadId(275_041));
    h.advance();
    let op = [("authorization", &*format!("Bearer {ADMIN}"))];
    let (status, reply) = h
        .call(
            Method::POST,
            &ncs_uri("ModifyStatefulWorkload", ""),
            &op,
            Some(NCS.fixture("modify_request.json")),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    NCS.assert_shape("modify_response.json", &reply);
    let (status, reply) = h
        .call(
            Method::POST,
            &ncs_uri("ResetStatefulWorkloadSpecType", ""),
            &op,
            Some(NCS.fixture("reset_spec_request.json")),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    NCS.assert_shape("reset_spec_response.json", &reply);
    let _ = ops
        .backend()
        .list_workloads(&Default::default(), PageRequest::ALL)
        .await
        .unwrap();
}

#[tokio::test]
async fn ncs_rejections_keep_the_vendor_shape() {
    let h = Http::new();
    let ns = h.admin("/admin/v1/ncs/namespaces", json!({})).await;
    let auth = format!("Bearer {}", ns["token"].as_str().unwrap());
    let a = [("authorization", auth.as_str())];
    let expect = |status: StatusCode, reply: &Value, want_status: u16, code: &str| {
        assert_eq!(status.as_u16(), want_status, "{reply}");
        assert_eq!(reply["Code"], code, "{reply}");
        assert!(uuid::Uuid::parse_str(reply["RequestId"].as_str().unwrap()).is_ok());
        assert!(reply["Message"].is_string());
    };
    let (s, r) = h
        .call(
            Method::GET,
            "/ncs?Action=DescribeStatefulWorkloads&NamespaceId=1",
            &a,
            None,
        )
        .await;
    expect(s, &r, 400, "MissingParameter");
    let (s, r) = h
        .call(
            Method::GET,
            "/ncs?Action=DescribeStatefulWorkloads&Version=2020-01-01",
            &a,
            None,
        )
        .await;
    expect(s, &r, 400, "InvalidParameterValue");
    let (s, r) = h
        .call(Method::GET, &ncs_uri("DropEverything", ""), &a, None)
        .await;
    expect(s, &r, 400, "InvalidParameterValue");
    let (s, r) = h
        .call(
            Method::GET,
            &ncs_uri("DescribeStatefulWorkloads", "NamespaceId=1"),
            &[],
            None,
        )
        .await;
    expect(s, &r, 401, "AuthFailure");
    let (s, r) = h
        .call(
            Method::GET,
            &ncs_uri(
                "DescribeStatefulWorkloadInfo",
                "NamespaceId=abc&StatefulWorkloadId=1",
            ),
            &a,
            None,
        )
        .await;
    expect(s, &r, 400, "InvalidParameterValue");
    let (s, r) = h
        .call(
            Method::GET,
            &ncs_uri(
                "DescribeStatefulWorkloadInfo",
                "NamespaceId=999&StatefulWorkloadId=1",
            ),
            &a,
            None,
        )
        .await;
    expect(s, &r, 404, "ResourceNotFound");
    let (s, _, _) = h
        .raw(
            Method::POST,
            &ncs_uri("CreateStatefulWorkload", ""),
            &a,
            Body::from("{not json"),
        )
        .await;
    assert_eq!(s, 400);
    let (s, r) = h
        .call(
            Method::POST,
            &ncs_uri("CreateStatefulWorkload", ""),
            &a,
            Some(json!({"Containers": "x"})),
        )
        .await;
    expect(s, &r, 400, "InvalidFormat");
    let (s, r) = h
        .call(
            Method::PUT,
            &ncs_uri("DescribeStatefulWorkloads", ""),
            &a,
            None,
        )
        .await;
    assert_eq!(s, 405);
    assert!(r["Code"].is_string() && r["RequestId"].is_string(), "{r}");
    // An oversized body is refused in the vendor's shape and the server stays healthy.
    let huge = vec![b' '; 2 << 20];
    let (s, bytes, _) = h
        .raw(
            Method::POST,
            &ncs_uri("CreateStatefulWorkload", ""),
            &a,
            Body::from(huge),
        )
        .await;
    assert_eq!(s, 400);
    let r: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(r["Code"].is_string());
    let (s, _) = h.call(Method::GET, "/healthz", &[], None).await;
    assert_eq!(s, 200);
    // The metrics name each request's known Action, answered or refused; a request
    // naming none (an unknown Action, or a wrong method the handler never saw) is
    // named by its route.
    let (_, bytes, _) = h.raw(Method::GET, "/metrics", &[], Body::empty()).await;
    let metrics = String::from_utf8(bytes).unwrap();
    for series in [
        r#"operation="DescribeStatefulWorkloads",status="400"} 2"#,
        r#"operation="DescribeStatefulWorkloadInfo",status="404"} 1"#,
        r#"operation="CreateStatefulWorkload",status="400"} 3"#,
        r#"operation="DescribeStatefulWorkloads",status="401"} 1"#,
        r#"operation="GET /ncs",status="400"} 1"#,
        r#"operation="PUT /ncs",status="405"} 1"#,
    ] {
        assert!(metrics.contains(series), "{series} in {metrics}");
    }
}

/// A GET Action's query parameters mean what the same parameters (as strings) mean in a
/// JSON body: decoded, percent-decoded, the last of a repeated one winning, and the same
/// error for the same bad value.
#[tokio::test]
async fn ncs_query_parameters_mean_what_a_json_body_means() {
    let h = Http::new();
    let auth = namespace_one(&h).await;
    let a = [("authorization", auth.as_str())];
    let created = create_the_example(&h, &auth).await;
    let id = created["StatefulWorkloadId"].to_string();
    let cases: [(&str, String, Value, u16); 6] = [
        (
            "DescribeStatefulWorkloadInfo",
            format!("NamespaceId=1&StatefulWorkloadId={id}"),
            json!({"NamespaceId": "1", "StatefulWorkloadId": id}),
            200,
        ),
        (
            "DescribeStatefulWorkloadInfo",
            format!("NamespaceId=%31&StatefulWorkloadId={id}&Unknown=x"),
            json!({"NamespaceId": "1", "StatefulWorkloadId": id, "Unknown": "x"}),
            200,
        ),
        (
            "DescribeStatefulWorkloadInfo",
            format!("NamespaceId=1&StatefulWorkloadId=999&StatefulWorkloadId={id}"),
            json!({"NamespaceId": "1", "StatefulWorkloadId": id}),
            200,
        ),
        (
            "DescribeStatefulWorkloadInfo",
            format!("NamespaceId=1&StatefulWorkloadId={id}&StatefulWorkloadId=999"),
            json!({"NamespaceId": "1", "StatefulWorkloadId": "999"}),
            404,
        ),
        (
            "DescribeStatefulWorkloadInfo",
            "NamespaceId=1&StatefulWorkloadId=1.5".to_owned(),
            json!({"NamespaceId": "1", "StatefulWorkloadId": "1.5"}),
            400,
        ),
        (
            "DescribeStatefulWorkloadsAllNamespaces",
            "Limit=abc".to_owned(),
            json!({"Limit": "abc"}),
            400,
        ),
    ];
    for (action, query, body, want) in cases {
        let (got_status, got) = h
            .call(Method::GET, &ncs_uri(action, &query), &a, None)
            .await;
        let (body_status, by_body) = h
            .call(Method::POST, &ncs_uri(action, ""), &a, Some(body))
            .await;
        assert_eq!(got_status.as_u16(), want, "{query}: {got}");
        assert_eq!(got_status, body_status, "{query}: {got} / {by_body}");
        if want == 200 {
            assert_eq!(got["StatefulWorkloadId"], created["StatefulWorkloadId"]);
        } else {
            assert_eq!(got["Code"], by_body["Code"], "{query}");
            assert_eq!(got["Message"], by_body["Message"], "{query}");
        }
    }
}

#[tokio::test]
async fn ncs_query_and_body_must_agree() {
    let h = Http::new();
    let auth = namespace_one(&h).await;
    let a = [("authorization", auth.as_str())];
    let describe = |query: &str| ncs_uri("DescribeStatefulWorkloads", query);
    // The same value, spelt as the query spells it or as JSON: one parameter.
    for body in [json!({"NamespaceId": 1}), json!({"NamespaceId": "1"})] {
        let (status, reply) = h
            .call(Method::POST, &describe("NamespaceId=1"), &a, Some(body))
            .await;
        assert_eq!(status, 200, "{reply}");
    }
    let before = h
        .call(Method::GET, &describe("NamespaceId=1"), &a, None)
        .await;
    let (status, reply) = h
        .call(
            Method::POST,
            &ncs_uri("DescribeStatefulWorkloadsAllNamespaces", "Limit=null"),
            &a,
            Some(json!({"Limit": 5})),
        )
        .await;
    assert_eq!(status, 400, "{reply}");
    assert_eq!(reply["Code"], "InvalidParameterValue");
    assert!(
        reply["Message"].as_str().unwrap().contains("Limit"),
        "{reply}"
    );
    let after = h
        .call(Method::GET, &describe("NamespaceId=1"), &a, None)
        .await;
    assert_eq!(before.1["TotalCount"], after.1["TotalCount"]);
}

#[tokio::test]
async fn ief_over_http() {
    let h = Http::new();
    let project = "bcd83056c918480f8f190844bd425b23";
    let created = h
        .admin("/admin/v1/ief/projects", json!({"project_id": project}))
        .await;
    assert_eq!(created["project_id"], project);
    let token = created["token"].as_str().unwrap().to_owned();
    let a = [("x-auth-token", token.as_str())];
    let v2 = format!("/v2/{project}/edgemgr");
    let v3 = format!("/v3/{project}/edgemgr");

    // Config maps and secrets: 201 wrapped, 200 to read, list, update.
    let (status, cm) = h
        .call(
            Method::POST,
            &format!("{v2}/configmaps"),
            &a,
            Some(json!({"configmap": {"name": "test-cm", "configs": {"key1": "val1"}}})),
        )
        .await;
    assert_eq!(status, 201, "{cm}");
    let cm_id = cm["configmap"]["id"].as_str().unwrap().to_owned();
    let (status, sec) = h
        .call(
            Method::POST,
            &format!("{v2}/secrets"),
            &a,
            Some(json!({"secret": {"name": "test-secret", "secrets": {"k": "dmFs"}}})),
        )
        .await;
    assert_eq!(status, 201, "{sec}");
    let sec_id = sec["secret"]["id"].as_str().unwrap().to_owned();
    for (method, path, body) in [
        (Method::GET, format!("{v2}/configmaps"), None),
        (Method::GET, format!("{v2}/configmaps/{cm_id}"), None),
        (
            Method::PUT,
            format!("{v2}/configmaps/{cm_id}"),
            Some(json!({"configmap": {"description": "d"}})),
        ),
        (Method::GET, format!("{v2}/secrets?sort=name:desc"), None),
        (Method::GET, format!("{v2}/secrets/{sec_id}"), None),
        (
            Method::PUT,
            format!("{v2}/secrets/{sec_id}"),
            Some(json!({"secret": {"description": "d"}})),
        ),
    ] {
        let (status, reply) = h.call(method, &path, &a, body).await;
        assert_eq!(status, 200, "{path}: {reply}");
    }

    // A deployment made of the example pod's containers (less what only a pod's state
    // shows) and configs, reading the config map.
    let example = IEF.fixture("list_pods_response.json");
    let mut container = example["pods"][0]["containers"][0].clone();
    for status in ["restarts", "message", "reason"] {
        container.as_object_mut().unwrap().remove(status);
    }
    container["image_url"] = json!("nginx");
    container["version"] = json!("stable");
    container["volumes"].as_array_mut().unwrap().push(
        json!({"name": "cm", "type": "configMap", "source": "test-cm", "destination": "/etc/cm"}),
    );
    let body = json!({"name": "app-test", "description": "this is a test pod", "group_id": "group-a",
        "deployment": {"replicas": 1, "template": {"containers": [container], "configs": example["pods"][0]["configs"]}}});
    let (status, d) = h
        .call(
            Method::POST,
            &format!("{v3}/deployments"),
            &a,
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, 201, "{d}");
    assert!(d.get("deployment").is_none(), "flat: {d}");
    let id = d["id"].as_str().unwrap().to_owned();
    h.advance();
    let (status, pods) = h
        .call(
            Method::GET,
            &format!("/{v3}/pods?deployment_ids={id},a71077f0-a491-4e1c-a41a-7d6910da26cb"),
            &a,
            None,
        )
        .await;
    assert_eq!(status, 200, "{pods}");
    IEF.assert_shape("list_pods_response.json", &pods);
    for path in [
        format!("{v3}/deployments?sort=created_at:asc&name=app"),
        format!("{v3}/deployments/{id}"),
        format!("{v2}/nodes?group_id=group-a"),
        format!("{v2}/nodes/node-1"),
        format!("{v2}/groups"),
        format!("{v2}/groups/group-a"),
    ] {
        let (status, reply) = h.call(Method::GET, &path, &a, None).await;
        assert_eq!(status, 200, "{path}: {reply}");
    }
    let pod = pods["pods"][0]["name"].as_str().unwrap().to_owned();
    let (status, reply) = h
        .call(
            Method::POST,
            &format!("{v3}/deployments/{id}/pods/{pod}/restart"),
            &a,
            None,
        )
        .await;
    assert_eq!((status.as_u16(), reply), (202, json!("")));
    h.advance();
    let (_, pods) = h
        .call(
            Method::GET,
            &format!("{v3}/pods?deployment_id={id}"),
            &a,
            None,
        )
        .await;
    let pod = pods["pods"][0]["name"].as_str().unwrap().to_owned();
    let (status, bytes, _) = h
        .raw(
            Method::DELETE,
            &format!("{v3}/deployments/{id}/pods/{pod}"),
            &a,
            Body::empty(),
        )
        .await;
    assert_eq!((status.as_u16(), bytes.len()), (204, 0));
    let (status, updated) = h
        .call(
            Method::PUT,
            &format!("{v3}/deployments/{id}"),
            &a,
            Some(
                json!({"deployment": {"replicas": 2, "template": body["deployment"]["template"]}}),
            ),
        )
        .await;
    assert_eq!(
        (status.as_u16(), &updated["replicas"]),
        (200, &json!(2)),
        "{updated}"
    );

    // Errors, each in IEF's shape.
    let (status, reply) = h
        .call(
            Method::GET,
            "/v3/no-such-project/edgemgr/pods?node_id=node-1",
            &a,
            None,
        )
        .await;
    assert_eq!(
        (status.as_u16(), &reply),
        (400, &IEF.fixture("error_400.json")),
        "exactly the example's body"
    );
    for (method, path, body, want, code) in [
        (Method::GET, format!("{v3}/pods"), None, 400, "IEF.100006"),
        (
            Method::GET,
            format!("{v3}/pods?node_id=x&limit=0"),
            None,
            400,
            "IEF.100005",
        ),
        (
            Method::GET,
            format!("{v3}/pods?node_id=x&offset=-3"),
            None,
            400,
            "IEF.100004",
        ),
        (
            Method::GET,
            format!("{v3}/deployments?limit=101"),
            None,
            400,
            "IEF.100005",
        ),
        (
            Method::GET,
            format!("{v3}/deployments?colour=red"),
            None,
            400,
            "IEF.100002",
        ),
        (
            Method::GET,
            format!("{v3}/deployments/a71077f0-a491-4e1c-a41a-7d6910da26cb"),
            None,
            404,
            "IEF.100404",
        ),
        (
            Method::DELETE,
            format!("{v3}/deployments/{id}?force_delete=maybe"),
            None,
            400,
            "IEF.100100",
        ),
        (
            Method::POST,
            format!("{v3}/deployments"),
            Some(body.clone()),
            409,
            "IEF.100409",
        ),
        (
            Method::GET,
            format!("{v2}/nodes/nowhere"),
            None,
            404,
            "IEF.100404",
        ),
        (
            Method::DELETE,
            format!("{v2}/configmaps/{cm_id}"),
            None,
            409,
            "IEF.100015",
        ),
        (
            Method::POST,
            format!("{v2}/secrets"),
            Some(json!({"secret": {"name": "bad", "secrets": {}}})),
            400,
            "IEF.100012",
        ),
    ] {
        let (status, reply) = h.call(method, &path, &a, body).await;
        assert_eq!(
            (status.as_u16(), reply["error_code"].as_str()),
            (want, Some(code)),
            "{path}: {reply}"
        );
    }
    let (status, reply) = h
        .call(Method::GET, &format!("{v3}/pods?node_id=x"), &[], None)
        .await;
    assert_eq!(
        (status.as_u16(), reply["error_code"].as_str()),
        (401, Some("IEF.011005"))
    );
    let (status, _, _) = h
        .raw(
            Method::POST,
            &format!("{v3}/deployments"),
            &a,
            Body::from("nope"),
        )
        .await;
    assert_eq!(status, 400);
    let (status, reply) = h
        .call(Method::PATCH, &format!("{v3}/deployments/{id}"), &a, None)
        .await;
    assert_eq!(status, 405);
    assert!(
        reply["error_code"].is_string() && reply["error_msg"].is_string(),
        "{reply}"
    );
    let (status, reply) = h
        .call(Method::GET, &format!("{v3}/nothing"), &a, None)
        .await;
    assert_eq!(status, 404);
    assert!(reply["error_code"].is_string(), "{reply}");
    let (status, _) = h
        .call(
            Method::DELETE,
            &format!("{v3}/deployments/{id}?force_delete=false"),
            &a,
            None,
        )
        .await;
    assert_eq!(status, 204);
    for path in [
        format!("{v2}/configmaps/{cm_id}"),
        format!("{v2}/secrets/{sec_id}"),
    ] {
        let (status, _) = h.call(Method::DELETE, &path, &a, None).await;
        assert_eq!(status, 204, "{path}");
    }
}

#[tokio::test]
async fn vkube_over_http() {
    let h = Http::new();
    // Another order binds 22 and 3306 in the region, as the check-ports example shows.
    let other = h
        .admin(
            "/admin/v1/vkube/orders",
            json!({"serviceOptions": {"resourceUnit": "1-Unit-Resource"}}),
        )
        .await;
    let binds = json!({"nodeSelector": {"region": "ausrine"}, "containers": [
        {"name": "ssh", "imageName": "nginx", "ports": [{"containerPort": 22, "hostPort": 22}], "resource": {"memory": "64Mi"}},
        {"name": "db", "imageName": "nginx", "ports": [{"containerPort": 3306, "hostPort": 3306}], "resource": {"memory": "64Mi"}}
    ]});
    let (status, _) = h
        .call(
            Method::POST,
            "/k8s/deploy",
            &[("secret", other["secret"].as_str().unwrap())],
            Some(binds),
        )
        .await;
    assert_eq!(status, 200);
    for prefix in ["/k8s", "/api/v1/k8s"] {
        let (status, regions) = h
            .call(Method::GET, &format!("{prefix}/regions"), &[], None)
            .await;
        assert_eq!(status, 200);
        VKUBE.assert_shape("regions_response.json", &regions);
        let (status, reply) = h
            .call(
                Method::GET,
                &format!("{prefix}/images?image=nginx&tag=stable"),
                &[],
                None,
            )
            .await;
        assert_eq!((status.as_u16(), reply), (200, json!({"status": "OK"})));
        let (status, reply) = h
            .call(
                Method::GET,
                &format!("{prefix}/images?image=nginx"),
                &[],
                None,
            )
            .await;
        assert_eq!(
            (status.as_u16(), reply),
            (400, VKUBE.fixture("image_bad_format_400.json"))
        );
        let (status, reply) = h
            .call(
                Method::GET,
                &format!("{prefix}/images?image=nginx&tag=never"),
                &[],
                None,
            )
            .await;
        assert_eq!(
            (status.as_u16(), reply),
            (404, VKUBE.fixture("image_not_found_404.json"))
        );
        let (status, reply) = h
            .call(
                Method::POST,
                &format!("{prefix}/checkports"),
                &[],
                Some(json!({"ports": [22]})),
            )
            .await;
        assert_eq!(
            (status.as_u16(), reply),
            (400, VKUBE.fixture("checkports_missing_field_400.json"))
        );
        let (status, reply) = h
            .call(
                Method::POST,
                &format!("{prefix}/checkports"),
                &[],
                Some(VKUBE.fixture("checkports_request.json")),
            )
            .await;
        assert_eq!(
            (status.as_u16(), reply),
            (200, VKUBE.fixture("checkports_response.json"))
        );
    }
    let order = h.admin("/admin/v1/vkube/orders", json!({"serviceOptions": {"resourceUnit": "2-Unit-Resource", "portSpecification": "User Specified Service Port"}, "duration": 100, "amount": 18000})).await;
    let secret = order["secret"].as_str().unwrap().to_owned();
    let s = [("secret", secret.as_str())];
    let (status, reply) = h.call(Method::GET, "/api/v1/k8s/order", &s, None).await;
    assert_eq!(status, 200);
    VKUBE.assert_shape("order_response.json", &reply);
    assert!(
        reply.get("secret").is_none(),
        "the secret is shown once, at provisioning"
    );
    let (status, reply) = h.call(Method::GET, "/k8s/pod/status", &s, None).await;
    assert_eq!(
        (status.as_u16(), reply),
        (
            404,
            json!({"error": {"code": 404, "message": "pod not found"}})
        )
    );
    let (status, reply) = h
        .call(
            Method::POST,
            "/api/v1/k8s/deploy",
            &s,
            Some(VKUBE.fixture("deploy_request.json")),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["status"], "OK");
    h.advance();
    let (status, reply) = h.call(Method::GET, "/k8s/pod/status", &s, None).await;
    assert_eq!(status, 200);
    VKUBE.assert_shape("pod_status_response.json", &reply);
    let (status, bytes, content_type) = h
        .raw(Method::GET, "/k8s/pod/log?tailLines=2", &s, Body::empty())
        .await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("application/json"));
    let log: String = serde_json::from_slice(&bytes).expect("a JSON string");
    assert_eq!(log.lines().count(), 2);
    let (status, reply) = h
        .call(Method::GET, "/k8s/order", &[("secret", "wrong")], None)
        .await;
    assert_eq!(
        (status.as_u16(), reply["error"]["code"].as_u64()),
        (401, Some(401))
    );
    let (status, reply) = h.call(Method::GET, "/k8s/order", &[], None).await;
    assert_eq!(status, 401, "{reply}");
    let (status, _, _) = h
        .raw(Method::POST, "/k8s/deploy", &s, Body::from("{"))
        .await;
    assert_eq!(status, 400);
    let (status, reply) = h.call(Method::DELETE, "/k8s/deploy", &s, None).await;
    assert_eq!(
        (status.as_u16(), reply["error"]["code"].as_u64()),
        (405, Some(405))
    );
}

#[tokio::test]
async fn yuanrong_over_http() {
    let h = Http::new();
    let example = YUANRONG.fixture("query_podpools_response.json");
    let mut pool = example["result"]["pools"][0].clone();
    for runtime in ["status", "msg", "ready_count"] {
        pool.as_object_mut().unwrap().remove(runtime);
    }
    let (status, reply) = h
        .call(
            Method::POST,
            "/serverless/v1/podpools",
            &[],
            Some(json!({"pools": [pool]})),
        )
        .await;
    assert_eq!(
        (status.as_u16(), &reply),
        (
            200,
            &json!({"code": 0, "message": "", "result": {"failed_pools": null}})
        )
    );
    h.advance();
    let (status, reply) = h
        .call(
            Method::GET,
            "/serverless/v1/podpools?id=pool1&group=rg1",
            &[],
            None,
        )
        .await;
    assert_eq!(status, 200);
    YUANRONG.assert_shape("query_podpools_response.json", &reply);
    assert_eq!(reply["result"]["pools"][0]["status"], 4);

    let (status, reply) = h
        .call(
            Method::POST,
            "/serverless/v1/podpools",
            &[],
            Some(json!({"pools": [{"id": "ok-pool", "size": 0}, {"id": "Bad_Id"}]})),
        )
        .await;
    assert_eq!(
        (status.as_u16(), reply["code"].as_i64()),
        (500, Some(4104)),
        "{reply}"
    );
    assert_eq!(reply["result"]["failed_pools"][0]["id"], "Bad_Id");
    let (status, reply) = h
        .call(Method::GET, "/serverless/v1/podpools?id=ok-pool", &[], None)
        .await;
    assert_eq!(
        (status.as_u16(), reply["result"]["count"].as_u64()),
        (200, Some(1)),
        "the good pool stays"
    );
    let (status, _, _) = h
        .raw(
            Method::POST,
            "/serverless/v1/podpools",
            &[],
            Body::from("{oops"),
        )
        .await;
    assert_eq!(status, 500);
    let (status, reply) = h
        .call(
            Method::POST,
            "/serverless/v1/podpools",
            &[],
            Some(json!({"pools": 5})),
        )
        .await;
    assert_eq!(
        (status.as_u16(), reply["code"].as_i64()),
        (500, Some(130_600))
    );
    let (status, reply) = h
        .call(Method::GET, "/serverless/v1/podpools?offset=abc", &[], None)
        .await;
    assert_eq!((status.as_u16(), reply["code"].as_i64()), (500, Some(4104)));
    assert!(
        reply["message"]
            .as_str()
            .unwrap()
            .ends_with("check input parameters")
    );
    let (status, reply) = h
        .call(Method::GET, "/serverless/v1/podpools?offset=-1", &[], None)
        .await;
    assert_eq!(
        (status.as_u16(), &reply["result"]),
        (200, &json!({"count": 0, "pools": []}))
    );
    let (status, reply) = h
        .call(
            Method::PUT,
            "/serverless/v1/podpools/ghost",
            &[],
            Some(json!({"size": 1})),
        )
        .await;
    assert_eq!(
        (status.as_u16(), &reply),
        (
            404,
            &json!({"code": 4120, "message": "pool does not exist or has been deleted. check input parameters"})
        )
    );
    let (status, reply) = h
        .call(
            Method::PUT,
            "/serverless/v1/podpools/pool1",
            &[],
            Some(json!({"size": 2})),
        )
        .await;
    assert_eq!(
        (status.as_u16(), &reply),
        (200, &json!({"code": 0, "message": ""}))
    );
    let (status, reply) = h
        .call(Method::DELETE, "/serverless/v1/podpools", &[], None)
        .await;
    assert_eq!((status.as_u16(), reply["code"].as_i64()), (500, Some(4104)));
    let (status, _) = h
        .call(
            Method::DELETE,
            "/serverless/v1/podpools?group=rg1",
            &[],
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, reply) = h
        .call(Method::PATCH, "/serverless/v1/podpools", &[], None)
        .await;
    assert_eq!(status, 405);
    assert!(reply["code"].is_number() && reply["message"].is_string());

    // With a token set, every call needs it.
    let mut config = HttpConfig::new(ADMIN);
    config.yuanrong_token = Some("yr-token".to_owned());
    let guarded = Http::with(config);
    let (status, _) = guarded
        .call(Method::GET, "/serverless/v1/podpools", &[], None)
        .await;
    assert_eq!(status, 401);
    let (status, _) = guarded
        .call(
            Method::GET,
            "/serverless/v1/podpools",
            &[("authorization", "Bearer yr-token")],
            None,
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn admin_api_and_operations() {
    let h = Http::new();
    for (method, path) in [
        (Method::GET, "/admin/v1/topology"),
        (Method::POST, "/admin/v1/ncs/namespaces"),
        (Method::POST, "/admin/v1/sim/clock"),
    ] {
        let (status, reply) = h
            .call(
                method.clone(),
                path,
                &[("authorization", "Bearer wrong")],
                Some(json!({})),
            )
            .await;
        assert_eq!(
            (status.as_u16(), reply["error"]["code"].as_u64()),
            (401, Some(401)),
            "{path}"
        );
    }
    let op = [("authorization", &*format!("Bearer {ADMIN}"))];
    let (status, nodes) = h.call(Method::GET, "/admin/v1/topology", &op, None).await;
    assert_eq!(status, 200);
    let first = &nodes[0];
    for field in ["name", "region", "zone", "group", "capacity"] {
        assert!(first.get(field).is_some(), "{field}: {first}");
    }
    let before = h.sim.now();
    let (status, reply) = h
        .call(
            Method::POST,
            "/admin/v1/sim/clock",
            &op,
            Some(json!({"advance_seconds": 90})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(reply["unix_ms"].as_i64().unwrap(), before.0 + 90_000);
    let eip = h
        .admin(
            "/admin/v1/ncs/eips",
            json!({"EipId": "eip-1", "Address": "203.0.113.7"}),
        )
        .await;
    assert_eq!(eip, json!({"EipId": "eip-1", "Address": "203.0.113.7"}));
    let (status, _) = h
        .call(
            Method::POST,
            "/admin/v1/ncs/eips",
            &op,
            Some(json!({"EipId": "eip-1", "Address": "203.0.113.7"})),
        )
        .await;
    assert_eq!(status, 409);
    let (status, _) = h
        .call(
            Method::POST,
            "/admin/v1/vkube/orders",
            &op,
            Some(json!({"duration": 1})),
        )
        .await;
    assert_eq!(status, 400, "resourceUnit is required");
    let (status, body) = h.call(Method::GET, "/healthz", &[], None).await;
    assert_eq!((status.as_u16(), body), (200, json!("ok")));
    let (status, _) = h.call(Method::GET, "/readyz", &[], None).await;
    assert_eq!(status, 200);
    let (status, bytes, _) = h.raw(Method::GET, "/metrics", &[], Body::empty()).await;
    assert_eq!(status, 200);
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.contains("podgate_http_requests_total{dialect=\"admin\""),
        "{text}"
    );
    assert!(
        text.contains("podgate_http_request_duration_seconds_bucket"),
        "{text}"
    );
    let (status, doc) = h.call(Method::GET, "/openapi.json", &[], None).await;
    assert_eq!(status, 200);
    for path in [
        "/ncs",
        "/v3/{project_id}/edgemgr/pods",
        "//v3/{project_id}/edgemgr/pods",
        "/k8s/deploy",
        "/api/v1/k8s/pod/status",
        "/serverless/v1/podpools",
        "/serverless/v1/podpools/{id}",
        "/admin/v1/sim/clock",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    // The path the vendor documents keeps the handler's name; the alias is numbered.
    let id = |path: &str, method: &str| doc["paths"][path][method]["operationId"].clone();
    assert_eq!(
        id("/v2/{project_id}/edgemgr/configmaps", "post"),
        "create_configmap"
    );
    assert_eq!(
        id("//v2/{project_id}/edgemgr/configmaps", "post"),
        "create_configmap_2"
    );
    assert_eq!(id("/k8s/deploy", "post"), "deploy");
    // Every link names, in OpenAPI's own words, an operation the document has.
    let ids: Vec<&serde_json::Value> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|operation| operation.get("operationId"))
        .collect();
    let links =
        &doc["paths"]["/v2/{project_id}/edgemgr/configmaps"]["post"]["responses"]["201"]["links"];
    assert_eq!(
        links["get"]["parameters"]["id"],
        "$response.body#/configmap/id"
    );
    let mut followed = 0;
    for item in doc["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            for response in operation["responses"]
                .as_object()
                .into_iter()
                .flat_map(|r| r.values())
            {
                for link in response["links"]
                    .as_object()
                    .into_iter()
                    .flat_map(|l| l.values())
                {
                    assert!(link.get("operation_id").is_none(), "{link}");
                    assert!(ids.contains(&&link["operationId"]), "{link}");
                    followed += 1;
                }
            }
        }
    }
    assert!(
        followed >= 13,
        "create links to read, change and delete: {followed}"
    );
    let (status, reply) = h.call(Method::GET, "/nowhere", &[], None).await;
    assert_eq!(
        (status.as_u16(), reply["error"]["code"].as_u64()),
        (404, Some(404))
    );
}

/// Every dialect reads bodies up to the configured limit and refuses a larger one in
/// its own shape, changing nothing; the server goes on answering.
#[tokio::test]
async fn every_dialect_refuses_an_oversized_body_in_its_own_shape() {
    let mut config = HttpConfig::new(ADMIN);
    config.body_limit = 1024;
    let h = Http::with(config);
    let ns = h.admin("/admin/v1/ncs/namespaces", json!({})).await;
    let ncs_auth = format!("Bearer {}", ns["token"].as_str().unwrap());
    let order = h
        .admin(
            "/admin/v1/vkube/orders",
            json!({"serviceOptions": {"resourceUnit": "1-Unit-Resource"}}),
        )
        .await;
    let admin_auth = format!("Bearer {ADMIN}");
    // Valid JSON, only too long: the limit, not the content, refuses it.
    let oversized = || Body::from(format!("{{\"pad\": \"{}\"}}", "x".repeat(2048)));
    let cases: [(&str, (&str, &str), u16, &str); 5] = [
        (
            "/ncs?Action=CreateStatefulWorkload&Version=2017-11-16",
            ("authorization", ncs_auth.as_str()),
            400,
            "Code",
        ),
        (
            "/v3/p1/edgemgr/deployments",
            ("x-auth-token", ADMIN),
            400,
            "error_code",
        ),
        (
            "/k8s/deploy",
            ("secret", order["secret"].as_str().unwrap()),
            413,
            "error",
        ),
        ("/serverless/v1/podpools", ("x-unused", ""), 500, "code"),
        (
            "/admin/v1/ncs/namespaces",
            ("authorization", admin_auth.as_str()),
            413,
            "error",
        ),
    ];
    for (path, header, status, field) in cases {
        let (s, bytes, _) = h
            .raw(
                Method::POST,
                path,
                &[header, ("content-type", "application/json")],
                oversized(),
            )
            .await;
        let reply: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(s.as_u16(), status, "{path}: {reply}");
        assert!(reply.get(field).is_some(), "{path}: {reply}");
        assert!(reply.to_string().contains("too large"), "{path}: {reply}");
    }
    // Nothing was made: the namespace has no workloads.
    let (_, listed) = h
        .call(
            Method::GET,
            &ncs_uri(
                "DescribeStatefulWorkloads",
                &format!("NamespaceId={}", ns["NamespaceId"]),
            ),
            &[("authorization", ncs_auth.as_str())],
            None,
        )
        .await;
    assert_eq!(listed["TotalCount"], 0, "{listed}");
    let (s, _) = h.call(Method::GET, "/healthz", &[], None).await;
    assert_eq!(s, 200);
}

/// An integer written with a zero fraction (`2.0`), which the OpenAPI document's
/// `integer` allows, is that integer in every dialect; any other fraction is refused.
#[tokio::test]
async fn every_dialect_takes_an_integer_written_with_a_zero_fraction() {
    let h = Http::new();
    // Admin: an NCS namespace numbered 7.0 is namespace 7.
    let ns = h
        .admin("/admin/v1/ncs/namespaces", json!({"NamespaceId": 7.0}))
        .await;
    assert_eq!(ns["NamespaceId"], 7);

    // openYuanrong: a pool of size 2.0.
    let (status, reply) = h
        .call(
            Method::POST,
            "/serverless/v1/podpools",
            &[],
            Some(json!({"pools": [{"id": "whole", "size": 2.0, "max_size": 3e0}]})),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    let (_, reply) = h
        .call(Method::GET, "/serverless/v1/podpools?id=whole", &[], None)
        .await;
    assert_eq!(reply["result"]["pools"][0]["size"], 2, "{reply}");
    assert_eq!(reply["result"]["pools"][0]["max_size"], 3, "{reply}");
    let (status, reply) = h
        .call(
            Method::POST,
            "/serverless/v1/podpools",
            &[],
            Some(json!({"pools": [{"id": "half", "size": 2.5}]})),
        )
        .await;
    assert_eq!(status, 500, "{reply}");

    // IEF: a deployment of 2.0 replicas.
    let project = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    let created = h
        .admin("/admin/v1/ief/projects", json!({"project_id": project}))
        .await;
    let token = created["token"].as_str().unwrap().to_owned();
    let a = [("x-auth-token", token.as_str())];
    let deployment = |replicas: Value| {
        json!({"name": "whole", "group_id": "group-a", "deployment": {"replicas": replicas,
            "template": {"containers": [{"name": "c", "image_url": "nginx", "version": "stable",
                "resources": {"limits": {"cpu": 0.5, "memory": 256}}}],
                "configs": {"migration": true, "toleration_seconds": 300.0}}}})
    };
    let path = format!("/v3/{project}/edgemgr/deployments");
    let (status, reply) = h
        .call(Method::POST, &path, &a, Some(deployment(json!(2.0))))
        .await;
    assert_eq!(status, 201, "{reply}");
    assert_eq!(reply["replicas"], 2, "{reply}");
    assert_eq!(
        reply["template"]["configs"]["toleration_seconds"], 300,
        "{reply}"
    );
    let (status, reply) = h
        .call(Method::POST, &path, &a, Some(deployment(json!(1.5))))
        .await;
    assert_eq!(status, 400, "{reply}");

    // V-Kube: a port 8080.0.
    let order = h
        .admin(
            "/admin/v1/vkube/orders",
            json!({"serviceOptions": {"resourceUnit": "1-Unit-Resource"}}),
        )
        .await;
    let body = json!({"nodeSelector": {"region": "ausrine"}, "containers": [
        {"name": "web", "imageName": "nginx", "ports": [{"containerPort": 8080.0}], "resource": {"memory": "64Mi"}}]});
    let (status, reply) = h
        .call(
            Method::POST,
            "/k8s/deploy",
            &[("secret", order["secret"].as_str().unwrap())],
            Some(body),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
}

/// The event feed over the admin API: each dialect request with its outcome and each
/// change, in order, with no token in it; bounded pages; the admin token required.
#[tokio::test]
async fn the_event_feed_records_requests_and_changes() {
    let h = Http::new();
    let admin = format!("Bearer {ADMIN}");
    let op = [("authorization", admin.as_str())];
    let ns = h.admin("/admin/v1/ncs/namespaces", json!({})).await;
    let token = ns["token"].as_str().unwrap().to_owned();
    let auth = format!("Bearer {token}");
    create_the_example(&h, &auth).await;
    // Refused: a bad parameter, in NCS's words.
    let (status, _) = h
        .call(
            Method::GET,
            &ncs_uri("DescribeStatefulWorkloads", "NamespaceId=abc"),
            &[("authorization", auth.as_str())],
            None,
        )
        .await;
    assert_eq!(status, 400);

    let (status, page) = h
        .call(
            Method::GET,
            "/admin/v1/events?since=0&limit=1000",
            &op,
            None,
        )
        .await;
    assert_eq!(status, 200, "{page}");
    let entries = page["entries"].as_array().unwrap();
    let requests: Vec<(&str, &str, u64, &Value)> = entries
        .iter()
        .filter(|e| e["kind"] == "request")
        .map(|e| {
            (
                e["operation"].as_str().unwrap(),
                e["tenant"].as_str().unwrap_or(""),
                e["status"].as_u64().unwrap(),
                &e["error_code"],
            )
        })
        .collect();
    let namespace = format!("namespace {}", ns["NamespaceId"]);
    assert_eq!(
        requests,
        [
            (
                "CreateStatefulWorkload",
                namespace.as_str(),
                200,
                &Value::Null
            ),
            (
                "DescribeStatefulWorkloads",
                namespace.as_str(),
                400,
                &json!("InvalidParameterValue")
            ),
        ]
    );
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    let at = |kind: &str| kinds.iter().position(|k| *k == kind).unwrap();
    assert!(at("tenant_created") < at("workload_created"), "{kinds:?}");
    assert!(at("workload_created") < at("pod"), "{kinds:?}");
    assert!(at("pod") < at("request"), "{kinds:?}");
    let seqs: Vec<u64> = entries.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
    assert_eq!(page["last"], *seqs.last().unwrap());
    // No tenant's token, nor the admin token, anywhere in it.
    let text = page.to_string();
    assert!(!text.contains(&token) && !text.contains(ADMIN));

    // Paging on from the last one seen; nothing beyond the end.
    let last = seqs.last().unwrap();
    let (_, beyond) = h
        .call(
            Method::GET,
            &format!("/admin/v1/events?since={last}"),
            &op,
            None,
        )
        .await;
    assert_eq!(beyond["entries"], json!([]));
    let (_, far) = h
        .call(
            Method::GET,
            "/admin/v1/events?since=9223372036854775807",
            &op,
            None,
        )
        .await;
    assert_eq!(far["entries"], json!([]));
    let (_, two) = h
        .call(Method::GET, "/admin/v1/events?since=1&limit=2", &op, None)
        .await;
    assert_eq!(two["entries"][0]["seq"], 2);
    assert_eq!(two["entries"].as_array().unwrap().len(), 2);

    // Bad input: a clear 400; no admin token or a wrong one: 401 (also on the stream).
    for query in [
        "limit=0",
        "limit=1001",
        "since=-1",
        "since=abc",
        "limit=1.5",
        "since=9223372036854775808",
    ] {
        let (status, reply) = h
            .call(Method::GET, &format!("/admin/v1/events?{query}"), &op, None)
            .await;
        assert_eq!(status, 400, "{query}: {reply}");
        assert!(reply["error"]["message"].is_string(), "{reply}");
    }
    for path in [
        "/admin/v1/events",
        "/admin/v1/events/stream",
        "/admin/v1/cluster",
    ] {
        for headers in [
            vec![],
            vec![("authorization", "Bearer wrong")],
            vec![("authorization", auth.as_str())],
        ] {
            let (status, _) = h.call(Method::GET, path, &headers, None).await;
            assert_eq!(status, 401, "{path} {headers:?}");
        }
    }
}

/// `GET /admin/v1/cluster`, as the operator.
async fn cluster_view(h: &Http) -> Value {
    let admin = format!("Bearer {ADMIN}");
    let (status, view) = h
        .call(
            Method::GET,
            "/admin/v1/cluster",
            &[("authorization", admin.as_str())],
            None,
        )
        .await;
    assert_eq!(status, 200, "{view}");
    view
}

/// The cluster as the console reads it, and the simulator's controls: the clock and
/// the faults, each answered in the admin API's shape.
#[tokio::test]
async fn the_console_reads_the_cluster_and_drives_the_simulator() {
    let h = Http::new();
    let admin = format!("Bearer {ADMIN}");
    let op = [("authorization", admin.as_str())];
    let auth = namespace_one(&h).await;
    create_the_example(&h, &auth).await;
    let view = cluster_view(&h).await;
    assert_eq!(view["simulated"], true);
    assert_eq!(view["clock"]["paused"], true);
    let pod = view["pods"][0].clone();
    assert_eq!(
        (
            pod["dialect"].as_str(),
            pod["phase"].as_str(),
            pod["tenant"].as_str()
        ),
        (Some("ncs"), Some("Pending"), Some("namespace 1")),
        "{pod}"
    );
    assert_eq!(view["workloads"][0]["dialect"], "ncs");
    assert!(
        view["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["used"]["pods"].is_u64())
    );
    assert!(
        !view
            .to_string()
            .contains(auth.trim_start_matches("Bearer "))
    );

    // The clock moves: the pod runs, and its node counts it.
    let (status, clock) = h
        .call(
            Method::POST,
            "/admin/v1/sim/clock",
            &op,
            Some(json!({"advance_seconds": 60})),
        )
        .await;
    assert_eq!(status, 200, "{clock}");
    assert!(clock["unix_ms"].as_i64().unwrap() > 0);
    let view = cluster_view(&h).await;
    let pod = view["pods"][0].clone();
    assert_eq!(pod["phase"], "Running", "{pod}");
    let node = pod["node"].as_str().unwrap();
    let used = view["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == node)
        .unwrap()["used"]["pods"]
        .clone();
    assert_eq!(used, 1);

    // A crash: restarts rise; a container that is not there, 404; one down, 409.
    let container = pod["containers"][0].as_str().unwrap();
    let crash = format!("/admin/v1/sim/pods/{}/crash", pod["id"]);
    let (status, reply) = h
        .call(
            Method::POST,
            &crash,
            &op,
            Some(json!({"container": container})),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    let (status, _) = h
        .call(
            Method::POST,
            &crash,
            &op,
            Some(json!({"container": container})),
        )
        .await;
    assert_eq!(status, 409);
    let (status, _) = h
        .call(
            Method::POST,
            &crash,
            &op,
            Some(json!({"container": "nope"})),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = h
        .call(
            Method::POST,
            "/admin/v1/sim/pods/x/crash",
            &op,
            Some(json!({"container": container})),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(cluster_view(&h).await["pods"][0]["restarts"], 1);

    // A node lost and restored; an unknown node, 404.
    for (path, ready) in [("lose", false), ("restore", true)] {
        let (status, _) = h
            .call(
                Method::POST,
                &format!("/admin/v1/sim/nodes/{node}/{path}"),
                &op,
                None,
            )
            .await;
        assert_eq!(status, 200);
        let view = cluster_view(&h).await;
        let state = view["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["name"] == node)
            .unwrap()["ready"]
            .clone();
        assert_eq!(state, ready);
    }
    let (status, _) = h
        .call(Method::POST, "/admin/v1/sim/nodes/nowhere/lose", &op, None)
        .await;
    assert_eq!(status, 404);

    // An image made unpullable, and back; bad input refused.
    for (body, status) in [
        (json!({"image": "redis:7", "pullable": false}), 200),
        (json!({"image": "redis:7", "pullable": false}), 404),
        (json!({"image": "redis:7", "pullable": true}), 200),
        (json!({"image": "has space", "pullable": true}), 400),
        (json!({"image": "redis:7"}), 400),
        (json!({}), 400),
    ] {
        let (got, reply) = h
            .call(
                Method::POST,
                "/admin/v1/sim/images",
                &op,
                Some(body.clone()),
            )
            .await;
        assert_eq!(got, status, "{body}: {reply}");
    }
    assert!(h.sim.has_image("redis:7"));
    for body in [json!({}), json!({"advance_seconds": 315_360_001_u64})] {
        let (status, _) = h
            .call(Method::POST, "/admin/v1/sim/clock", &op, Some(body))
            .await;
        assert_eq!(status, 400);
    }
}

/// The web console's page, script and style, served from the binary to anyone (they
/// hold no data: the page asks for the admin token), under a policy that lets them
/// load nothing from elsewhere.
#[tokio::test]
async fn the_console_is_served_from_the_binary() {
    let h = Http::new();
    for (path, kind, holds) in [
        ("/ui", "text/html", "podgate console"),
        (
            "/ui/console.js",
            "text/javascript",
            "/admin/v1/events/stream",
        ),
        ("/ui/console.css", "text/css", ".card"),
    ] {
        let (status, bytes, content_type) = h.raw(Method::GET, path, &[], Body::empty()).await;
        assert_eq!(status, 200, "{path}");
        assert!(content_type.starts_with(kind), "{path}: {content_type}");
        assert!(String::from_utf8(bytes).unwrap().contains(holds), "{path}");
    }
    let response = h
        .app
        .clone()
        .oneshot(axum::http::Request::get("/ui").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(policy.contains("default-src 'none'") && policy.contains("script-src 'self'"));
}
