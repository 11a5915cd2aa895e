//! openYuanrong pod pool rules (SPEC §1).

use crate::validate::Check;

fn id_like(value: &str, lower_only: bool) -> bool {
    let bytes = value.as_bytes();
    let alnum = |b: &u8| {
        if lower_only {
            b.is_ascii_lowercase() || b.is_ascii_digit()
        } else {
            b.is_ascii_alphanumeric()
        }
    };
    matches!((bytes.first(), bytes.last()), (Some(f), Some(l)) if alnum(f) && alnum(l))
        && bytes.len() <= 40
        && bytes.iter().all(|b| alnum(b) || *b == b'-')
}

/// A pool id: `^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$`.
pub fn pool_id(value: &str) -> Check {
    if id_like(value, true) {
        Ok(())
    } else {
        Err(format!(
            "id must match ^[a-z0-9]([-a-z0-9]{{0,38}}[a-z0-9])?$, got {value:?}"
        ))
    }
}

/// A pool group: `^[a-zA-Z0-9]([-a-zA-Z0-9]{0,38}[a-zA-Z0-9])?$`.
pub fn pool_group(value: &str) -> Check {
    if id_like(value, false) {
        Ok(())
    } else {
        Err(format!(
            "group must match ^[a-zA-Z0-9]([-a-zA-Z0-9]{{0,38}}[a-zA-Z0-9])?$, got {value:?}"
        ))
    }
}

/// Sizes: `size >= 0` and `max_size >= size` (after `max_size` defaulted to `size`).
pub fn sizes(size: i64, max_size: i64) -> Check {
    if size < 0 {
        Err(format!("size must be >= 0, got {size}"))
    } else if max_size < size {
        Err(format!(
            "max_size must be >= size, got max_size {max_size} and size {size}"
        ))
    } else {
        Ok(())
    }
}

/// An idle recycle time: `>= -1` (-1 never, 0 not configured).
pub fn idle_time(value: i64) -> Check {
    if value >= -1 {
        Ok(())
    } else {
        Err(format!("idle_recycle_time must be >= -1, got {value}"))
    }
}

/// A string field of at most `max` characters.
pub fn max_len(value: &str, max: usize, field: &str) -> Check {
    if value.chars().count() <= max {
        Ok(())
    } else {
        Err(format!("{field} must be at most {max} characters"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_and_group_rules() {
        let max = "a".repeat(40);
        let over = "a".repeat(41);
        for good in ["pool1", "a", "a-b", "0", max.as_str()] {
            assert!(pool_id(good).is_ok(), "{good}");
        }
        for bad in ["", "-a", "a-", "Pool1", "a_b", over.as_str()] {
            assert!(pool_id(bad).is_err(), "{bad:?}");
        }
        for good in ["rg1", "RG-1", "default", max.as_str()] {
            assert!(pool_group(good).is_ok(), "{good}");
        }
        for bad in ["", "-rg", "rg_1", over.as_str()] {
            assert!(pool_group(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn size_and_time_rules() {
        assert!(sizes(0, 0).is_ok());
        assert!(sizes(1, 3).is_ok());
        assert!(sizes(-1, 0).is_err());
        assert!(sizes(3, 1).is_err());
        assert!(idle_time(-1).is_ok());
        assert!(idle_time(0).is_ok());
        assert!(idle_time(80).is_ok());
        assert!(idle_time(-2).is_err());
        assert!(max_len("abc", 3, "image").is_ok());
        assert!(max_len("abcd", 3, "image").is_err());
    }
}
