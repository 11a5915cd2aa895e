//! Path rules.

use super::Check;

/// An absolute path in a container: starts with `/`, at most 4096 bytes, no NUL, no
/// `..` segment.
pub fn absolute_path(path: &str) -> Check {
    if !path.starts_with('/') {
        return Err(format!("must be an absolute path, got {path:?}"));
    }
    if path.len() > 4096 || path.contains('\0') || path.split('/').any(|s| s == "..") {
        return Err(format!("must be a plain absolute path, got {path:?}"));
    }
    Ok(())
}

crate::validate::field_rules! {
    absolute_path_field => absolute_path(&str);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_path_table() {
        for good in ["/", "/abc", "/var/log/test/", "/disk01b/", "/a.b/c_d-e"] {
            assert!(absolute_path(good).is_ok(), "{good:?} should pass");
        }
        let too_long = format!("/{}", "a".repeat(4096));
        for bad in ["", "abc", "./a", "/a/../b", "/a\0b", too_long.as_str()] {
            assert!(absolute_path(bad).is_err(), "{bad:?} should fail");
        }
    }
}
