//! Name rules.

use super::Check;

fn lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// Whether `value` is 1..=`max` lowercase letters, digits or `-`, starting and ending
/// with a letter or digit (DNS-1123 label characters).
pub(crate) fn lower_dashed(value: &str, max: usize) -> bool {
    let bytes = value.as_bytes();
    matches!((bytes.first(), bytes.last()), (Some(&f), Some(&l)) if lower_alnum(f) && lower_alnum(l))
        && bytes.len() <= max
        && bytes.iter().all(|&b| lower_alnum(b) || b == b'-')
}

/// A Kubernetes DNS-1123 label: 1–63 lowercase letters, digits or `-`, starting and
/// ending with a letter or digit.
pub fn dns1123_label(name: &str) -> Check {
    if lower_dashed(name, 63) {
        Ok(())
    } else {
        Err(format!(
            "must be 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit, got {name:?}"
        ))
    }
}

crate::validate::field_rules! {
    dns1123_label_field => dns1123_label(&str);
}

/// [`dns1123_label`] for the OpenAPI document.
#[cfg(feature = "openapi")]
pub(crate) fn dns1123_label_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .pattern(Some("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"))
        .description(Some(
            "A DNS-1123 label: 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit.",
        ))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns1123_label_table() {
        let long_ok = "a".repeat(63);
        let too_long = "a".repeat(64);
        for good in [
            "a",
            "test",
            "a-b",
            "0abc",
            "abc0",
            "sts0822test01",
            long_ok.as_str(),
        ] {
            assert!(dns1123_label(good).is_ok(), "{good:?} should pass");
        }
        for bad in [
            "",
            "-a",
            "a-",
            "A",
            "a_b",
            "a.b",
            "a b",
            "é",
            too_long.as_str(),
        ] {
            assert!(dns1123_label(bad).is_err(), "{bad:?} should fail");
        }
    }
}
