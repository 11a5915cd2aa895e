//! Kubernetes quantities (`500m`, `1.5Gi`, `1e3`), as the shared rules read them: any
//! text gets an answer, and one read as a quantity reads the same again written in
//! thousandths (`{milli}m`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use podgate_core::validate::{mebi_or_gibi, quantity};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = mebi_or_gibi(text);
    if let Ok(q) = quantity(text) {
        let again = quantity(&format!("{}m", q.milli));
        assert_eq!(again, Ok(q), "{text:?} read as {q:?}");
    }
});
