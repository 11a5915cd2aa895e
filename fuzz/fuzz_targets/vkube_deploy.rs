//! V-Kube deploy and port-check bodies, under both of V-Kube's prefixes.
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
    let uri = match route % 4 {
        0 => "/k8s/deploy",
        1 => "/api/v1/k8s/deploy",
        2 => "/k8s/checkports",
        _ => "/api/v1/k8s/checkports",
    };
    h.send(
        "POST",
        uri,
        &[("secret", &h.tenants.vkube_secret)],
        body.to_vec(),
    );
});
