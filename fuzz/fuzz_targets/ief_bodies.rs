//! IEF request bodies: deployments, config maps and secrets, created and updated.
//!
//! Input: one byte choosing the route, then the body.

#![no_main]

use libfuzzer_sys::fuzz_target;
use podgate_fuzz::harness;

fuzz_target!(|data: &[u8]| {
    let [route, body @ ..] = data else {
        return;
    };
    let h = harness();
    let t = &h.tenants;
    let (v2, v3) = (
        format!("/v2/{}/edgemgr", t.ief_project),
        format!("/v3/{}/edgemgr", t.ief_project),
    );
    let (method, uri) = match route % 6 {
        0 => ("POST", format!("{v3}/deployments")),
        1 => ("PUT", format!("{v3}/deployments/{}", t.ief_deployment)),
        2 => ("POST", format!("{v2}/configmaps")),
        3 => ("PUT", format!("{v2}/configmaps/{}", t.ief_configmap)),
        4 => ("POST", format!("{v2}/secrets")),
        _ => ("PUT", format!("{v2}/secrets/{}", t.ief_secret)),
    };
    h.send(
        method,
        &uri,
        &[("x-auth-token", &t.ief_token)],
        body.to_vec(),
    );
});
