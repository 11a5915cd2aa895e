//! Strict decoding of request bodies: like `serde_json::from_value`, except that a JSON
//! array is never taken for a struct. serde's derived struct deserializers also accept a
//! sequence of the fields in order (`"resources": [null, null]` would be a `Resources`
//! with both fields absent); an API must refuse that.
//!
//! One rule is looser, to match the OpenAPI document: an integer field takes a number
//! written with a fraction of zero (`93.0`, `1e2`), which JSON Schema's `integer` counts
//! as an integer and serde's integers refuse. Any other fraction is refused as before.
//!
//! [`Deserializer`] wraps any deserializer and forwards every call to it, wrapping the
//! visitor, and through it every nested deserializer, `SeqAccess`, `MapAccess`,
//! `EnumAccess` and `VariantAccess`, so the rule holds at any depth (the way
//! `serde_path_to_error` is built). Only a struct, or an enum's struct variant, refuses a
//! sequence, with serde's own message (`invalid type: sequence, expected struct X`);
//! every other input meets the inner deserializer as it would have unwrapped, so its
//! errors read the same.
//!
//! Limit: what serde buffers before choosing how to read it (the variants of an
//! `#[serde(untagged)]` enum, `#[serde(flatten)]` fields) is read back by serde's own
//! deserializer, out of reach of the wrapper: a struct inside those still accepts an
//! array.

use std::fmt;

use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};

/// Decodes `value` as `T` like `serde_json::from_value`, but refuses a JSON array where a
/// struct is expected, at any depth.
///
/// # Errors
///
/// Whatever `serde_json::from_value` refuses, with the same message, and any array given
/// for a struct (`invalid type: sequence, expected struct X`).
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, serde_json::Error> {
    T::deserialize(Deserializer::new(value))
}

/// A deserializer that reads like the one it wraps, except that no struct is read from a
/// sequence. Wrap it in `serde_path_to_error` to learn where decoding failed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deserializer<D>(D);

impl<D> Deserializer<D> {
    /// Wraps `inner`.
    pub(crate) const fn new(inner: D) -> Self {
        Self(inner)
    }
}

/// Forwards `deserialize_*` methods to the inner deserializer, the visitor wrapped to
/// expect what the method reads.
macro_rules! forward_deserialize {
    ($expect:ident: $($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            self.0.$method($($arg,)* Wrap { inner: visitor, expect: Expect::$expect })
        }
    )*};
}

impl<'de, D: de::Deserializer<'de>> de::Deserializer<'de> for Deserializer<D> {
    type Error = D::Error;

    forward_deserialize! {
        Integer:
        deserialize_i8();
        deserialize_i16();
        deserialize_i32();
        deserialize_i64();
        deserialize_i128();
        deserialize_u8();
        deserialize_u16();
        deserialize_u32();
        deserialize_u64();
        deserialize_u128();
    }

    forward_deserialize! {
        Any:
        deserialize_any();
        deserialize_bool();
        deserialize_f32();
        deserialize_f64();
        deserialize_char();
        deserialize_str();
        deserialize_string();
        deserialize_bytes();
        deserialize_byte_buf();
        deserialize_option();
        deserialize_unit();
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_seq();
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_map();
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
        deserialize_identifier();
        deserialize_ignored_any();
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0
            .deserialize_struct(name, fields, Wrap::of_struct(visitor))
    }

    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// What a wrapped visitor reads, as far as the strict rules care.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A struct: a sequence is refused.
    Struct,
    /// An integer: a number with a zero fraction is taken as that integer.
    Integer,
    /// Anything else: handed on unchanged.
    Any,
}

/// A visitor passed on to the inner deserializer: it hands what it is given, wrapped, to
/// the visitor it wraps, and applies the strict rules for what it expects.
struct Wrap<V> {
    /// The visitor wrapped.
    inner: V,
    /// What the wrapped visitor reads.
    expect: Expect,
}

impl<V> Wrap<V> {
    /// Wraps the visitor of anything but a struct or an integer.
    const fn lenient(inner: V) -> Self {
        Self {
            inner,
            expect: Expect::Any,
        }
    }

    /// Wraps the visitor of a struct.
    const fn of_struct(inner: V) -> Self {
        Self {
            inner,
            expect: Expect::Struct,
        }
    }
}

/// `v` as an integer when it is one written with a zero fraction, and no larger than
/// 2^53 either way. Beyond that a double holds the integer in the text only rounded
/// (`-9223372036854775809` reads as -2^63), so it stays a float and is refused.
#[allow(clippy::cast_possible_truncation)]
fn integral(v: f64) -> Option<i64> {
    // 2^53: every integer up to it is exact in a double, and the cast below too.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    (v.fract() == 0.0 && v.abs() <= EXACT).then_some(v as i64)
}

/// Forwards `visit_*` methods of a plain value to the inner visitor, unchanged.
macro_rules! forward_visit {
    ($($method:ident($ty:ty);)*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
            self.inner.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    forward_visit! {
        visit_bool(bool);
        visit_i8(i8);
        visit_i16(i16);
        visit_i32(i32);
        visit_i64(i64);
        visit_i128(i128);
        visit_u8(u8);
        visit_u16(u16);
        visit_u32(u32);
        visit_u64(u64);
        visit_u128(u128);
        visit_f32(f32);
        visit_char(char);
        visit_str(&str);
        visit_borrowed_str(&'de str);
        visit_string(String);
        visit_bytes(&[u8]);
        visit_borrowed_bytes(&'de [u8]);
        visit_byte_buf(Vec<u8>);
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<V::Value, E> {
        match integral(v) {
            Some(n) if self.expect == Expect::Integer => self.inner.visit_i64(n),
            _ => self.inner.visit_f64(v),
        }
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(Deserializer(deserializer))
    }

    fn visit_newtype_struct<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(Deserializer(deserializer))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        if self.expect == Expect::Struct {
            return Err(de::Error::invalid_type(Unexpected::Seq, &self));
        }
        self.inner.visit_seq(Seq(seq))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.inner.visit_map(Map(map))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.inner.visit_enum(Enum(data))
    }
}

/// A seed passed on to the inner deserializer: it reads through a wrapped deserializer.
struct Seed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<S> {
    type Value = S::Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Deserializer(deserializer))
    }
}

/// A sequence's elements, each read through a wrapped deserializer.
struct Seq<A>(A);

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Seq<A> {
    type Error = A::Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        self.0.next_element_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

/// A map's keys and values, each read through a wrapped deserializer.
struct Map<A>(A);

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Map<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(Seed(seed))
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.0.next_value_seed(Seed(seed))
    }

    fn next_entry_seed<K: DeserializeSeed<'de>, S: DeserializeSeed<'de>>(
        &mut self,
        key: K,
        value: S,
    ) -> Result<Option<(K::Value, S::Value)>, A::Error> {
        self.0.next_entry_seed(Seed(key), Seed(value))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

/// An enum: its variant's name, then its content, read through wrappers.
struct Enum<A>(A);

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for Enum<A> {
    type Error = A::Error;
    type Variant = Variant<A::Variant>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        self.0
            .variant_seed(Seed(seed))
            .map(|(value, variant)| (value, Variant(variant)))
    }
}

/// An enum variant's content, read through wrappers; a struct variant refuses a sequence
/// as a struct does.
struct Variant<A>(A);

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Variant<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, A::Error> {
        self.0.newtype_variant_seed(Seed(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Wrap::lenient(visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(fields, Wrap::of_struct(visitor))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;
    use serde_json::{Value, json};

    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Resources {
        #[serde(default)]
        limits: Option<BTreeMap<String, String>>,
        #[serde(default)]
        requests: Option<BTreeMap<String, String>>,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Plain,
        Sized { size: u32 },
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        resources: Option<Resources>,
        #[serde(default)]
        containers: Option<Vec<Resources>>,
        #[serde(default)]
        by_name: Option<BTreeMap<String, Resources>>,
        #[serde(default)]
        command: Option<OneOrMany>,
        #[serde(default)]
        kind: Option<Kind>,
        #[serde(default)]
        pair: Option<(u8, u8)>,
    }

    /// The errors serde_json's decoder and the strict one give for `value` (`None`: accepted).
    fn errors<T: DeserializeOwned>(value: &Value) -> (Option<String>, Option<String>) {
        let loose = serde_json::from_value::<T>(value.clone()).err();
        let strict = from_value::<T>(value.clone()).err();
        (loose.map(|e| e.to_string()), strict.map(|e| e.to_string()))
    }

    #[test]
    fn an_array_for_a_struct_is_refused_at_the_top() {
        let value = json!([null, null]);
        assert!(serde_json::from_value::<Resources>(value.clone()).is_ok());
        let error = from_value::<Resources>(value).unwrap_err().to_string();
        assert_eq!(error, "invalid type: sequence, expected struct Resources");
        let error = from_value::<Body>(json!([])).unwrap_err().to_string();
        assert_eq!(error, "invalid type: sequence, expected struct Body");
    }

    #[test]
    fn an_array_for_a_nested_struct_is_refused() {
        for value in [
            json!({"resources": [null, null]}),
            json!({"resources": []}),
            json!({"containers": [{}, [null]]}),
            json!({"by_name": {"a": {"limits": {}}, "b": [null, null]}}),
        ] {
            assert!(
                serde_json::from_value::<Body>(value.clone()).is_ok(),
                "{value}"
            );
            let error = from_value::<Body>(value.clone()).unwrap_err().to_string();
            assert!(
                error.starts_with("invalid type: sequence, expected struct"),
                "{value}: {error}"
            );
        }
    }

    #[test]
    fn the_path_to_a_refused_array_is_tracked() {
        let value = json!({"containers": [{}, [null]]});
        let error =
            serde_path_to_error::deserialize::<_, Body>(Deserializer::new(&value)).unwrap_err();
        assert_eq!(error.path().to_string(), "containers[1]");
        assert_eq!(
            error.inner().to_string(),
            "invalid type: sequence, expected struct Resources"
        );
    }

    #[test]
    fn objects_decode_as_serde_json_decodes_them() {
        let value = json!({
            "name": "web",
            "resources": {"limits": {"cpu": "1"}},
            "containers": [{}, {"requests": {"memory": "1Gi"}}],
            "by_name": {"a": {"limits": null}},
            "command": ["sh", "-c"],
            "kind": {"sized": {"size": 4}},
            "pair": [1, 2],
        });
        let strict: Body = from_value(value.clone()).unwrap();
        assert_eq!(strict, serde_json::from_value(value).unwrap());
        assert_eq!(strict.kind, Some(Kind::Sized { size: 4 }));
        assert_eq!(strict.pair, Some((1, 2)));
        let plain: Body = from_value(json!({"kind": "plain", "name": null})).unwrap();
        assert_eq!(plain.kind, Some(Kind::Plain));
        assert_eq!(plain.name, None);
    }

    #[test]
    fn an_untagged_enum_still_decodes() {
        assert_eq!(
            from_value::<OneOrMany>(json!("ls")).unwrap(),
            OneOrMany::One("ls".to_owned())
        );
        assert_eq!(
            from_value::<OneOrMany>(json!(["ls", "-l"])).unwrap(),
            OneOrMany::Many(vec!["ls".to_owned(), "-l".to_owned()])
        );
        let (loose, strict) = errors::<OneOrMany>(&json!(7));
        assert!(strict.is_some());
        assert_eq!(loose, strict);
    }

    #[test]
    fn unknown_fields_are_still_refused() {
        for value in [json!({"nme": "web"}), json!({"resources": {"limit": {}}})] {
            let (loose, strict) = errors::<Body>(&value);
            assert!(
                strict
                    .as_deref()
                    .is_some_and(|e| e.starts_with("unknown field"))
            );
            assert_eq!(loose, strict);
        }
    }

    #[test]
    fn other_errors_read_as_serde_json_writes_them() {
        for value in [
            json!({"name": 7}),
            json!({"name": ["web"]}),
            json!({"resources": "none"}),
            json!({"resources": 1.5}),
            json!({"containers": {}}),
            json!({"by_name": []}),
            json!({"by_name": {"a": {"limits": {"cpu": 1}}}}),
            json!({"kind": "other"}),
            json!({"kind": {"sized": {"size": -1}}}),
            json!({"kind": {"sized": [4]}}),
            json!({"pair": [1]}),
            json!({"pair": [1, 300]}),
            json!("body"),
            json!(null),
            json!(true),
        ] {
            let (loose, strict) = errors::<Body>(&value);
            assert!(strict.is_some(), "{value}");
            assert_eq!(loose, strict, "{value}");
        }
        assert_eq!(
            from_value::<Body>(json!({"name": 7}))
                .unwrap_err()
                .to_string(),
            "invalid type: integer `7`, expected a string"
        );
    }

    #[test]
    fn an_integer_may_be_written_with_a_zero_fraction() {
        let body: Body =
            from_value(json!({"kind": {"sized": {"size": 4.0}}, "pair": [1e0, 2e2]})).unwrap();
        assert_eq!(body.kind, Some(Kind::Sized { size: 4 }));
        assert_eq!(body.pair, Some((1, 200)));
        assert_eq!(from_value::<i64>(json!(-13320.0)).unwrap(), -13_320);
        assert_eq!(
            from_value::<u64>(json!(9_007_199_254_740_992.0)).unwrap(),
            1 << 53
        );
        assert_eq!(
            from_value::<i64>(json!(-9_007_199_254_740_992.0)).unwrap(),
            -(1 << 53)
        );
        assert_eq!(
            from_value::<Option<u16>>(json!(64608.0)).unwrap(),
            Some(64_608)
        );
        // A number field still reads the number as written.
        assert!((from_value::<f64>(json!(2.5)).unwrap() - 2.5).abs() < f64::EPSILON);
        assert!((from_value::<f64>(json!(3.0)).unwrap() - 3.0).abs() < f64::EPSILON);
    }

    #[test]
    fn an_integer_with_a_fraction_or_out_of_range_is_refused() {
        for (value, error) in [
            (
                json!({"kind": {"sized": {"size": 4.5}}}),
                "invalid type: floating point `4.5`, expected u32",
            ),
            (
                json!({"kind": {"sized": {"size": -1.0}}}),
                "invalid value: integer `-1`, expected u32",
            ),
            (
                json!({"pair": [1, 300.0]}),
                "invalid value: integer `300`, expected u8",
            ),
            (
                json!({"kind": {"sized": {"size": 1e300}}}),
                "invalid type: floating point `1e+300`, expected u32",
            ),
        ] {
            assert_eq!(
                from_value::<Body>(value.clone()).unwrap_err().to_string(),
                error,
                "{value}"
            );
        }
        // Beyond 2^53 the text's integer may have been rounded: one past i64's range
        // reads as -2^63, which must not pass for it.
        let past_i64: Value = serde_json::from_str("-9223372036854775809").unwrap();
        assert_eq!(past_i64.as_f64(), Some(-9_223_372_036_854_775_808.0));
        assert!(from_value::<i64>(past_i64).is_err());
        assert!(from_value::<u64>(json!(1.8e19)).is_err());
        assert!(from_value::<i64>(json!(f64::MIN)).is_err());
    }
}
