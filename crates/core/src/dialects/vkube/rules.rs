//! V-Kube value rules (SPEC §3).

use validator::ValidationError;

use crate::validate::{self, Check};

/// An image name for the image check: registry, path and name characters, no tag.
pub fn image_name(value: &str) -> Check {
    let ok = !value.is_empty()
        && value.len() <= 255
        && !value.starts_with(['/', ':', '.', '-'])
        && !value.ends_with(['/', ':'])
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._/-:".contains(&b))
        // A colon only separates a registry's port, never a tag.
        && value.rsplit_once(':').is_none_or(|(_, after)| after.contains('/'));
    if ok {
        Ok(())
    } else {
        Err(format!("must be an image name, got {value:?}"))
    }
}

/// An image tag: 1–128 of letters, digits, `_`, `.`, `-`, not starting with `.` or `-`.
pub fn image_tag(value: &str) -> Check {
    let ok = !value.is_empty()
        && value.len() <= 128
        && !value.starts_with(['.', '-'])
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!("must be an image tag, got {value:?}"))
    }
}

/// A deploy's memory: `Mi` or `Gi`, more than 0.
pub fn memory(value: &str) -> Result<u64, String> {
    match validate::mebi_or_gibi(value)? {
        0 => Err("must be more than 0".to_owned()),
        mib => Ok(mib),
    }
}

/// [`memory`] as a field rule.
pub fn memory_field(value: &str) -> Result<(), ValidationError> {
    validate::rule(memory(value).map(drop))
}

/// Splits a newline-separated command or args string into its parts, dropping a
/// trailing empty part (`"a\nb\n"` → `["a", "b"]`); an empty string gives none.
pub fn split_lines(value: &str) -> Vec<String> {
    let mut parts: Vec<String> = value
        .split('\n')
        .map(|s| s.strip_suffix('\r').unwrap_or(s).to_owned())
        .collect();
    if parts.last().is_some_and(String::is_empty) {
        parts.pop();
    }
    parts
}

/// `resourceUnit`: `N-Unit-Resource` with N in 1..=1000000, written in plain digits
/// (no sign, no leading zero); returns N.
pub fn resource_unit(value: &str) -> Result<u64, String> {
    let n = value
        .strip_suffix("-Unit-Resource")
        .filter(|n| n.bytes().all(|b| b.is_ascii_digit()) && !n.starts_with('0'))
        .and_then(|n| n.parse::<u64>().ok())
        .filter(|n| (1..=1_000_000).contains(n));
    n.ok_or_else(|| format!("must be N-Unit-Resource with N in 1..=1000000, got {value:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_rules() {
        for good in [
            "nginx",
            "library/nginx",
            "docker.io/library/nginx",
            "10.185.8.133:5000/ncetest/cat",
        ] {
            assert!(image_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "Nginx",
            "nginx:",
            "/nginx",
            "ngi nx",
            "a$b",
            "nginx:stable",
            "host:5000/img:v1",
        ] {
            assert!(image_name(bad).is_err(), "{bad:?}");
        }
        for good in ["stable", "1.25.3", "latest", "v1_alpha-2"] {
            assert!(image_tag(good).is_ok(), "{good}");
        }
        for bad in ["", "-x", ".x", "a:b", &"t".repeat(129)] {
            assert!(image_tag(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn line_splitting() {
        assert_eq!(
            split_lines("/bin/sh\n-c\ntail -f /dev/null"),
            vec!["/bin/sh", "-c", "tail -f /dev/null"]
        );
        assert_eq!(split_lines(""), Vec::<String>::new());
        assert_eq!(split_lines("a\n"), vec!["a"]);
        assert_eq!(split_lines("a\r\nb"), vec!["a", "b"]);
        assert_eq!(split_lines("a\n\nb"), vec!["a", "", "b"]);
    }

    #[test]
    fn resource_unit_rule() {
        assert_eq!(resource_unit("2-Unit-Resource"), Ok(2));
        assert_eq!(resource_unit("1-Unit-Resource"), Ok(1));
        for bad in [
            "0-Unit-Resource",
            "x-Unit-Resource",
            "2-Unit",
            "",
            "-1-Unit-Resource",
        ] {
            assert!(resource_unit(bad).is_err(), "{bad:?}");
        }
    }
}
