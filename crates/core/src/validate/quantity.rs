//! Kubernetes resource quantities (`600m`, `512Mi`, `1.5Gi`, `2`, `1e3`, `100M`).

use super::Check;

/// A parsed quantity as an exact fraction: `numerator / 1000` of the base unit
/// (so `600m` is 600 and `1` is 1000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity {
    /// Thousandths of the base unit (cores, bytes).
    pub milli: u128,
}

impl Quantity {
    /// In thousandths, rounded up (CPU millicores).
    pub fn millis(self) -> u128 {
        self.milli
    }

    /// In whole units, rounded up (bytes).
    pub fn units_ceil(self) -> u128 {
        self.milli.div_ceil(1000)
    }
}

/// Parses a Kubernetes quantity: an optionally signed decimal number, then a binary
/// suffix (`Ki` … `Ei`), a decimal suffix (`n`, `u`, `m`, `k`, `M`, `G`, `T`, `P`, `E`)
/// or a decimal exponent (`e3`, `E-2`). Negative quantities and values beyond 2^100
/// are refused.
pub fn quantity(text: &str) -> Result<Quantity, String> {
    let bad =
        || format!("must be a Kubernetes quantity such as 600m, 512Mi or 1.5Gi, got {text:?}");
    let body = text.strip_prefix('+').unwrap_or(text);
    if body.is_empty() || body.starts_with('-') {
        return Err(bad());
    }
    let split = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(body.len());
    let (number, suffix) = body.split_at(split);
    if number.is_empty() || number == "." || number.matches('.').count() > 1 || number.len() > 40 {
        return Err(bad());
    }
    let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
    // The number as digits × 10^-frac_len.
    let digits: String = format!("{int_part}{frac_part}");
    let mantissa: u128 = if digits.is_empty() {
        0
    } else {
        digits.parse().map_err(|_| bad())?
    };
    let mut exp10: i64 = -(frac_part.len() as i64);
    let mut mul: u128 = 1;
    match suffix {
        "" => {}
        "Ki" => mul = 1 << 10,
        "Mi" => mul = 1 << 20,
        "Gi" => mul = 1 << 30,
        "Ti" => mul = 1 << 40,
        "Pi" => mul = 1 << 50,
        "Ei" => mul = 1 << 60,
        "n" => exp10 -= 9,
        "u" => exp10 -= 6,
        "m" => exp10 -= 3,
        "k" => exp10 += 3,
        "M" => exp10 += 6,
        "G" => exp10 += 9,
        "T" => exp10 += 12,
        "P" => exp10 += 15,
        "E" => exp10 += 18,
        s if s.starts_with(['e', 'E']) => {
            let e: i64 = s.get(1..).unwrap_or_default().parse().map_err(|_| bad())?;
            if !(-30..=30).contains(&e) {
                return Err(bad());
            }
            exp10 += e;
        }
        _ => return Err(bad()),
    }
    // milli = mantissa × mul × 10^(exp10 + 3), rounded up.
    let shift = exp10 + 3;
    let scaled = mantissa.checked_mul(mul).ok_or_else(bad)?;
    let milli = if shift >= 0 {
        let factor = 10u128
            .checked_pow(u32::try_from(shift).map_err(|_| bad())?)
            .ok_or_else(bad)?;
        scaled.checked_mul(factor).ok_or_else(bad)?
    } else {
        let divisor = 10u128
            .checked_pow(u32::try_from(-shift).map_err(|_| bad())?)
            .ok_or_else(bad)?;
        scaled.div_ceil(divisor)
    };
    if milli > (1u128 << 110) {
        return Err(bad());
    }
    Ok(Quantity { milli })
}

/// A CPU quantity (e.g. `600m`, `2`).
pub fn cpu_quantity(text: &str) -> Check {
    quantity(text).map(|_| ())
}

/// A memory quantity in `Mi` or `Gi` (V-Kube's rule), e.g. `100Mi`, `1.5Gi`.
pub fn mebi_or_gibi(text: &str) -> Result<u64, String> {
    if !(text.ends_with("Mi") || text.ends_with("Gi")) {
        return Err(format!("must be a memory size in Mi or Gi, got {text:?}"));
    }
    let q = quantity(text)?;
    let mib = q.units_ceil().div_ceil(1 << 20);
    u64::try_from(mib).map_err(|_| format!("is too large, got {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantity_table() {
        let cases: &[(&str, u128)] = &[
            ("600m", 600),
            ("1", 1000),
            ("0.5", 500),
            ("2", 2000),
            ("1Ki", 1024 * 1000),
            ("512Mi", 512 * (1 << 20) * 1000),
            ("1.5Gi", 3 * (1 << 29) * 1000),
            ("100M", 100_000_000 * 1000),
            ("1k", 1_000_000),
            ("1e3", 1_000_000),
            ("1E-3", 1),
            ("100n", 1),
            ("+5", 5000),
            ("0", 0),
        ];
        for (text, milli) in cases {
            assert_eq!(quantity(text).map(|q| q.milli), Ok(*milli), "{text}");
        }
        for bad in [
            "", "-1", "abc", "1.2.3", "12Xi", "Mi", ".", "1e99", "m", "1 Mi", "1mi",
        ] {
            assert!(quantity(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn mebi_or_gibi_table() {
        assert_eq!(mebi_or_gibi("100Mi"), Ok(100));
        assert_eq!(mebi_or_gibi("2Gi"), Ok(2048));
        assert_eq!(mebi_or_gibi("0.5Gi"), Ok(512));
        assert!(mebi_or_gibi("100M").is_err());
        assert!(mebi_or_gibi("100").is_err());
        assert!(mebi_or_gibi("xMi").is_err());
    }
}
