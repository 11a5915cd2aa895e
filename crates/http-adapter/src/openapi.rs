//! `/openapi.json`: the document the routes' handlers declare (each its own
//! `#[utoipa::path]`), gathered as the router is built: one source per route.

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::get;
use podgate_core::dialects::{ief, ncs};
use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa_axum::router::OpenApiRouter;

use crate::extract::json_text;
use crate::state::AppState;

/// Every route with its documentation: the four dialects, the admin API and the
/// operational routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::ncs::router())
        .merge(crate::ief::router())
        .merge(crate::vkube::router())
        .merge(crate::yuanrong::router())
        .merge(crate::admin::router())
        .merge(crate::cluster::router())
        .merge(crate::sim::router())
        .merge(crate::feed::router())
        .merge(crate::ops::router())
}

/// The routes, with `/openapi.json` serving their document (rendered once).
pub(crate) fn router() -> Router<AppState> {
    let (router, doc) = routes().split_for_parts();
    let text = Bytes::from(render(&finish(doc)));
    router.merge(crate::console::router()).route(
        "/openapi.json",
        get(move || {
            let text = text.clone();
            async move { json_text(StatusCode::OK, text) }
        }),
    )
}

/// The OpenAPI document of the whole server. Serialised by serde, its links name their
/// fields as utoipa 5.5 does (`operation_id`); `/openapi.json` serves them as OpenAPI
/// names them (`operationId`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    finish(routes().split_for_parts().1)
}

/// `doc` as JSON text. utoipa 5.5 writes a response link's fields in snake case
/// (`operation_id`, `request_body`) where OpenAPI has them in camel case
/// (`operationId`, `requestBody`); they are renamed here, where the document is
/// rendered.
fn render(doc: &utoipa::openapi::OpenApi) -> Vec<u8> {
    let mut value = serde_json::to_value(doc).unwrap_or_default();
    camel_case_links(&mut value);
    serde_json::to_vec(&value).unwrap_or_default()
}

fn camel_case_links(value: &mut serde_json::Value) {
    let serde_json::Value::Object(object) = value else {
        return;
    };
    for (key, child) in object.iter_mut() {
        if key == "links"
            && let serde_json::Value::Object(links) = child
        {
            for link in links
                .values_mut()
                .filter_map(serde_json::Value::as_object_mut)
            {
                for (snake, camel) in [
                    ("operation_id", "operationId"),
                    ("operation_ref", "operationRef"),
                    ("request_body", "requestBody"),
                ] {
                    if let Some(field) = link.remove(snake) {
                        link.insert(camel.to_owned(), field);
                    }
                }
            }
        } else {
            camel_case_links(child);
        }
    }
}

/// The gathered document made valid: a route served under two prefixes (IEF's leading
/// double slash, V-Kube's `/api/v1`) is documented under both from one handler, so the
/// copy under the longer prefix has its operation id numbered (`get_configmap_2`), and
/// the shorter path, the one the vendor documents, keeps the handler's name that links
/// name.
fn finish(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let mut seen = std::collections::HashMap::<String, usize>::new();
    let mut items: Vec<_> = doc.paths.paths.iter_mut().collect();
    items.sort_by_key(|(path, _)| (path.len(), path.as_str()));
    for (_, item) in items {
        let operations: [&mut Option<Operation>; 5] = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let Some(id) = operation.operation_id.as_mut() else {
                continue;
            };
            let count = seen.entry(id.clone()).or_insert(0);
            *count += 1;
            if *count > 1 {
                *id = format!("{id}_{count}");
            }
        }
    }
    doc
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "podgate",
        description = "Four vendor container-management APIs over one core: NetEase NCS, Huawei IEF, V-Kube and openYuanrong pod pools, plus podgate's admin API."
    ),
    // The routes bring the schemas their handlers name. These they do not: NCS's
    // parameters and replies (its one route takes and answers any Action's, documented
    // as objects), the types whose fields state a rule around them (IEF's probe,
    // variable, its source, port, volume, selector requirement and amounts; NCS's
    // variable and volume) and the error bodies named only by the `IntoResponses` types.
    components(schemas(
        ief::wire::Probe,
        ief::wire::Env,
        ief::wire::Port,
        ief::wire::Volume,
        ief::wire::ValueFrom,
        ief::wire::NumOrText,
        ief::wire::MatchExpression,
        ncs::wire::Env,
        ncs::wire::Volume,
        ncs::wire::CreateRequest,
        ncs::wire::ModifyRequest,
        ncs::wire::ResetSpecTypeRequest,
        ncs::wire::WorkloadParams,
        ncs::wire::ListAllParams,
        ncs::wire::CreateReply,
        ncs::wire::RequestIdReply,
        ncs::wire::ListReply,
        ncs::wire::InfoReply,
        ncs::wire::InstancesReply,
        ncs::wire::ImagesReply,
        ncs::wire::ErrorReply,
        ief::wire::ErrorReply,
    ))
)]
struct ApiDoc;
