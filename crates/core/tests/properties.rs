//! Property tests for the parsers: quantities, names, newline splitting, page
//! arithmetic. None may panic on any input, and each agrees with a plain reference.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use podgate_core::dialects::ief::rules::container_name as ief_container_name;
use podgate_core::dialects::ief::wire::NumOrText;
use podgate_core::dialects::vkube::rules::split_lines as vkube_split_lines;
use podgate_core::dialects::yuanrong::rules::pool_id as yr_pool_id;
use podgate_core::model::PageRequest;
use podgate_core::validate::{dns1123_label, mebi_or_gibi, quantity};
use proptest::prelude::*;

fn reference_dns1123(s: &str) -> bool {
    let b = s.as_bytes();
    let ok = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && b.len() <= 63
        && ok(&b[0])
        && ok(&b[b.len() - 1])
        && b.iter().all(|c| ok(c) || *c == b'-')
}

proptest! {
    #[test]
    fn quantities_never_panic(s in "\\PC{0,24}") {
        let _ = quantity(&s);
        let _ = mebi_or_gibi(&s);
    }

    #[test]
    fn binary_quantities_are_exact(n in 0u64..1_000_000, suffix in prop::sample::select(vec![("Ki", 10u32), ("Mi", 20), ("Gi", 30), ("Ti", 40)])) {
        let q = quantity(&format!("{n}{}", suffix.0)).unwrap();
        prop_assert_eq!(q.milli, u128::from(n) * (1u128 << suffix.1) * 1000);
    }

    #[test]
    fn millicores_are_exact(n in 0u64..10_000_000) {
        prop_assert_eq!(quantity(&format!("{n}m")).unwrap().milli, u128::from(n));
        prop_assert_eq!(quantity(&format!("{n}")).unwrap().milli, u128::from(n) * 1000);
    }

    #[test]
    fn decimal_fractions_round_up(whole in 0u64..1000, frac in 0u64..1000) {
        let q = quantity(&format!("{whole}.{frac:03}")).unwrap();
        prop_assert_eq!(q.milli, u128::from(whole) * 1000 + u128::from(frac));
    }

    #[test]
    fn dns1123_agrees_with_the_reference(s in "[a-z0-9A-Z._-]{0,70}") {
        prop_assert_eq!(dns1123_label(&s).is_ok(), reference_dns1123(&s));
    }

    #[test]
    fn generated_labels_pass(s in "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?") {
        prop_assert!(dns1123_label(&s).is_ok());
        prop_assert!(ief_container_name(&s).is_ok() == (s.len() <= 32));
        prop_assert!(yr_pool_id(&s).is_ok() == (s.len() <= 40));
    }

    #[test]
    fn names_never_panic(s in "\\PC{0,80}") {
        let _ = dns1123_label(&s);
        let _ = ief_container_name(&s);
        let _ = yr_pool_id(&s);
    }

    #[test]
    fn newline_splitting_round_trips(parts in prop::collection::vec("[^\\n\\r]{0,12}", 1..8)) {
        let joined = parts.join("\n");
        let mut expected = parts;
        if expected.last().is_some_and(String::is_empty) {
            expected.pop();
        }
        if joined.is_empty() {
            expected.clear();
        }
        prop_assert_eq!(vkube_split_lines(&joined), expected);
    }

    #[test]
    fn page_ranges_stay_in_bounds(offset in any::<u64>(), limit in any::<u64>(), total in 0usize..10_000) {
        let r = PageRequest::new(offset, limit).range(total);
        prop_assert!(r.start <= r.end && r.end <= total);
        prop_assert!((r.end - r.start) as u64 <= limit);
    }

    #[test]
    fn ief_paging_never_panics(limit in any::<f64>(), offset in any::<f64>(), text in "\\PC{0,20}") {
        let _ = podgate_core::dialects::ief::page(Some(&NumOrText::Num(limit)), Some(&NumOrText::Num(offset)), 10, 1000);
        let _ = podgate_core::dialects::ief::page(Some(&NumOrText::Text(text.clone())), Some(&NumOrText::Text(text)), 10, 1000);
    }
}
