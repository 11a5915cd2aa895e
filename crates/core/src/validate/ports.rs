//! Port rules.

use super::Check;

/// A TCP/UDP port: 1..=65535.
pub fn port(value: i64) -> Check {
    if (1..=65535).contains(&value) {
        Ok(())
    } else {
        Err(format!("must be a port in 1..=65535, got {value}"))
    }
}

crate::validate::field_rules! {
    port_field => port(i64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_table() {
        for good in [1, 80, 8080, 65535] {
            assert!(port(good).is_ok(), "{good} should pass");
        }
        for bad in [i64::MIN, -1, 0, 65536, i64::MAX] {
            assert!(port(bad).is_err(), "{bad} should fail");
        }
    }
}
