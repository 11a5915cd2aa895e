//! openYuanrong pool bodies, created and updated, with their Kubernetes fields given as
//! JSON strings (volumes, mounts, affinities, probes, ...).
//!
//! Input: one byte choosing create or update, then the body.

#![no_main]

use libfuzzer_sys::fuzz_target;
use podgate_fuzz::harness;

fuzz_target!(|data: &[u8]| {
    let [route, body @ ..] = data else {
        return;
    };
    let h = harness();
    let (method, uri) = match route % 2 {
        0 => ("POST", "/serverless/v1/podpools".to_owned()),
        _ => ("PUT", format!("/serverless/v1/podpools/{}", h.tenants.pool)),
    };
    h.send(method, &uri, &[], body.to_vec());
});
