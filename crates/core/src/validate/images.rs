//! Image rules.

use super::Check;

/// An image reference a container runs: 1–255 characters, no whitespace (the registry
/// says whether it exists).
pub fn image_reference(value: &str) -> Check {
    if value.is_empty() || value.len() > 255 || value.chars().any(char::is_whitespace) {
        Err(format!(
            "must be 1-255 characters without whitespace, got {value:?}"
        ))
    } else {
        Ok(())
    }
}

crate::validate::field_rules! {
    image_reference_field => image_reference(&str);
}

/// [`image_reference`] for the OpenAPI document: 1–255 characters, none of them
/// whitespace.
#[cfg(feature = "openapi")]
pub fn image_reference_schema() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .min_length(Some(1))
        .max_length(Some(255))
        .pattern(Some(r"^\S+$"))
        .description(Some("An image: 1-255 characters, no whitespace."))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_reference_table() {
        let long_image = "a".repeat(256);
        for good in [
            "nginx",
            "nginx:stable",
            "10.185.8.133:5000/ncetest/cat:s20170301m1",
        ] {
            assert!(image_reference(good).is_ok(), "{good}");
        }
        for bad in ["", "nginx stable", "nginx\t", long_image.as_str()] {
            assert!(image_reference(bad).is_err(), "{bad:?}");
        }
    }
}
