//! Field rules declared on request types with `validator`, and the first rule a value
//! breaks in the order its fields are declared, which is the vendor document's order.
//!
//! A request type derives `validator::Validate` and states each field's rules where the
//! field is: `required`, `length`, `range`, and `custom` with the rules of this module
//! for names, ports, paths and quantities. Its dialect calls [`first_broken`] and turns
//! the answer into the vendor's error naming the field. Values nested in a request are
//! checked by their own call, so that each level keeps its own order and the dialect
//! names the path (`containers[0].ports[1].hostPort`). Rules across fields or against
//! the state (a name used twice, a quota) stay hand-written in the dialect's
//! `request.rs`.

use std::borrow::Cow;

use serde::Deserialize;
use validator::{Validate, ValidationError, ValidationErrorsKind};

use super::Check;

/// The first rule a field broke: the field, by its wire name, and the rule's code
/// (`required`, `length`, `range`, or [`RULE`] for the shared and vendor rules) and
/// reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The field's name on the wire.
    pub field: &'static str,
    /// validator's code of the rule.
    pub code: Cow<'static, str>,
    /// Why, when the rule says (the shared and vendor rules always do).
    pub reason: Option<Cow<'static, str>>,
    /// The value the rule refused, as JSON (`custom`, `length` and `range` rules keep
    /// it).
    pub value: Option<serde_json::Value>,
}

impl Broken {
    /// Whether the field was absent (or empty where the rule counts empty as absent).
    pub fn is_missing(&self) -> bool {
        self.code == "required"
    }

    /// The refused value as text: a string as it is, anything else as JSON.
    pub fn value_text(&self) -> String {
        match &self.value {
            Some(serde_json::Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        }
    }
}

/// The code of a rule written as a [`Check`] (see [`rule`]).
pub const RULE: &str = "rule";

/// The code of a rule that refuses a value without saying why (see [`bad_value`]).
pub const VALUE: &str = "value";

/// A refusal of the value itself, for a vendor that answers with the value rather than
/// a reason.
pub fn bad_value() -> ValidationError {
    ValidationError::new(VALUE)
}

/// A [`Check`] as a validator rule for `#[validate(custom(function = ...))]`: its reason
/// becomes the error's message.
pub fn rule(check: Check) -> Result<(), ValidationError> {
    check.map_err(|reason| ValidationError::new(RULE).with_message(Cow::Owned(reason)))
}

/// Field rules for `#[validate(custom(function = ...))]` made from [`Check`] rules:
/// `name => rule(Type)` defines `pub fn name(value: Type)`, whose error carries the
/// rule's reason.
macro_rules! field_rules {
    ($($name:ident => $rule:ident($ty:ty);)+) => {
        $(
            #[doc = concat!("[`", stringify!($rule), "`] as a field rule.")]
            pub fn $name(value: $ty) -> Result<(), validator::ValidationError> {
                $crate::validate::rule($rule(value))
            }
        )+
    };
}
pub(crate) use field_rules;

/// The first field of `value`, in declaration order, that breaks one of its rules, and
/// the first rule it breaks; `None` when every field keeps its rules. Fields that hold
/// nested values are the caller's to check, each with its own call.
pub fn first_broken<'de, T: Validate + Deserialize<'de>>(value: &T) -> Option<Broken> {
    all_broken(value).into_iter().next()
}

/// Every rule `value`'s fields break, field by field in declaration order, each
/// field's in the order its rules are declared (for a vendor that lists them all).
pub fn all_broken<'de, T: Validate + Deserialize<'de>>(value: &T) -> Vec<Broken> {
    let Err(errors) = value.validate() else {
        return Vec::new();
    };
    let order = serde_aux::serde_introspection::serde_introspect::<T>();
    // validator names a field by its Rust name, serde by its wire name. They differ in
    // case and underscores (`pod_affinity` is `podAffinity`, `image` `Image`) and for a
    // keyword (`type_` or `r#type` is `type`), so they are compared without either.
    let loose = |name: &'static str| {
        name.trim_start_matches("r#")
            .chars()
            .filter(|c| *c != '_')
            .map(|c| c.to_ascii_lowercase())
    };
    let wire_name = |key: &'static str| {
        order
            .iter()
            .position(|wire| key == *wire)
            .or_else(|| order.iter().position(|wire| loose(key).eq(loose(wire))))
    };
    let mut fields: Vec<(usize, &'static str, &[ValidationError])> = errors
        .errors()
        .iter()
        .filter_map(|(key, kind)| match (key, kind) {
            (Cow::Borrowed(key), ValidationErrorsKind::Field(broken)) => {
                // A field serde does not list (none in the dialects) comes last, by name,
                // so that a broken rule is never lost.
                let at = wire_name(key);
                let field = at.and_then(|i| order.get(i).copied()).unwrap_or(key);
                Some((at.unwrap_or(usize::MAX), field, broken.as_slice()))
            }
            _ => None,
        })
        .collect();
    fields.sort_unstable_by_key(|&(at, field, _)| (at, field));
    fields
        .into_iter()
        .flat_map(|(_, field, broken)| {
            broken.iter().map(move |error| Broken {
                field,
                code: error.code.clone(),
                reason: error.message.clone(),
                value: error.params.get("value").cloned(),
            })
        })
        .collect()
}

/// [`Check`]s of each item of a list as one field rule: the first refused item's reason,
/// named by its index (`[1] must be an absolute path`).
pub fn each<T>(items: &[T], check: impl Fn(&T) -> Check) -> Result<(), ValidationError> {
    rule(
        items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| check(item).map_err(|reason| format!("[{i}] {reason}"))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn even(value: i64) -> Result<(), ValidationError> {
        rule(if value % 2 == 0 {
            Ok(())
        } else {
            Err(format!("must be even, got {value}"))
        })
    }

    #[derive(Deserialize, Validate)]
    struct Request {
        #[validate(required)]
        zeta: Option<String>,
        #[validate(custom(function = "even"))]
        alpha: Option<i64>,
        #[validate(length(min = 1, max = 3))]
        middle: Option<String>,
    }

    #[test]
    fn the_first_broken_field_is_the_first_declared() {
        let all_bad = Request {
            zeta: None,
            alpha: Some(3),
            middle: Some("long".into()),
        };
        let broken = first_broken(&all_bad).unwrap();
        assert_eq!((broken.field, broken.is_missing()), ("zeta", true));
        let two_bad = Request {
            zeta: Some("z".into()),
            ..all_bad
        };
        let broken = first_broken(&two_bad).unwrap();
        assert_eq!(broken.field, "alpha");
        assert_eq!(broken.code, RULE);
        assert_eq!(broken.reason.as_deref(), Some("must be even, got 3"));
        let one_bad = Request {
            alpha: Some(2),
            ..two_bad
        };
        let broken = first_broken(&one_bad).unwrap();
        assert_eq!((broken.field, broken.code.as_ref()), ("middle", "length"));
        let good = Request {
            middle: None,
            ..one_bad
        };
        assert_eq!(first_broken(&good), None);
        assert!(all_broken(&good).is_empty());
    }

    #[derive(Deserialize, Validate)]
    struct Renamed {
        #[serde(rename = "type")]
        #[validate(required)]
        type_: Option<String>,
    }

    #[test]
    fn a_keyword_field_is_named_as_on_the_wire() {
        let broken = first_broken(&Renamed { type_: None }).unwrap();
        assert_eq!((broken.field, broken.is_missing()), ("type", true));
    }

    #[test]
    fn each_names_the_first_refused_item_by_its_index() {
        let positive = |n: &i64| {
            if *n > 0 {
                Ok(())
            } else {
                Err(format!("must be positive, got {n}"))
            }
        };
        assert!(each(&[1, 2], positive).is_ok());
        let refused = each(&[1, 0, -1], positive).unwrap_err();
        assert_eq!(refused.code, RULE);
        assert_eq!(
            refused.message.as_deref(),
            Some("[1] must be positive, got 0")
        );
    }

    #[test]
    fn all_broken_rules_come_in_declaration_order() {
        let all_bad = Request {
            zeta: None,
            alpha: Some(3),
            middle: Some("long".into()),
        };
        let fields: Vec<_> = all_broken(&all_bad).iter().map(|b| b.field).collect();
        assert_eq!(fields, ["zeta", "alpha", "middle"]);
    }
}
