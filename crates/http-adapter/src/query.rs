//! Query strings, decoded once into their pairs: read by key, as a JSON object of
//! strings, or as a serde source that means exactly what that JSON object means.

use std::borrow::Cow;

use serde::de::value::{Error, MapDeserializer};
use serde::de::{Deserializer, IntoDeserializer, Visitor};
use serde_json::{Map, Value};

/// A query string's pairs (`application/x-www-form-urlencoded`: `+` is a space, `%XX`
/// a byte, bytes that are not UTF-8 replaced); of a repeated key only the last counts.
#[derive(Debug, Default)]
pub(crate) struct Query<'a> {
    pairs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> Query<'a> {
    /// The pairs of `query`. Pieces without `%` or `+` are borrowed, not copied.
    pub(crate) fn parse(query: Option<&'a str>) -> Self {
        // Room for what an NCS GET carries (Action, Version and a few parameters).
        let mut pairs: Vec<(Cow<'a, str>, Cow<'a, str>)> = Vec::with_capacity(8);
        for piece in pieces(query.unwrap_or_default()) {
            let (key, value) = if piece.plain {
                (Cow::Borrowed(piece.key), Cow::Borrowed(piece.value))
            } else {
                (decode(piece.key), decode(piece.value))
            };
            pairs.retain(|(seen, _)| *seen != key);
            pairs.push((key, value));
        }
        Self { pairs }
    }

    /// The value of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_ref())
    }

    /// The pairs but those named in `skip`, as a JSON object of strings.
    pub(crate) fn to_json(&self, skip: &[&str]) -> Map<String, Value> {
        self.pairs
            .iter()
            .filter(|(k, _)| !skip.contains(&k.as_ref()))
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect()
    }

    /// The pairs as a serde source: what deserialising [`Query::to_json`]'s object
    /// gives, without building it (every value is a string, present or not). Cloning
    /// it copies nothing.
    pub(crate) fn deserializer(
        &self,
    ) -> MapDeserializer<'_, impl Iterator<Item = (&str, Text<'_>)> + Clone, Error> {
        MapDeserializer::new(
            self.pairs
                .iter()
                .map(|(k, v)| (k.as_ref(), Text(v.as_ref()))),
        )
    }
}

/// A piece of a query string, split at its first `=`.
struct Piece<'a> {
    key: &'a str,
    value: &'a str,
    /// Neither side holds a `%` or `+`: nothing to decode.
    plain: bool,
}

/// The non-empty `&`-separated pieces of `query`, each split at its first `=` (a piece
/// without one has the empty value), not decoded; each found in one pass over its
/// bytes (on pieces this short a byte loop beats the `memchr` a `char` pattern sets
/// up).
fn pieces(query: &str) -> impl Iterator<Item = Piece<'_>> {
    let mut rest = query;
    std::iter::from_fn(move || {
        loop {
            if rest.is_empty() {
                return None;
            }
            let mut end = rest.len();
            let mut equals = None;
            let mut plain = true;
            for (at, byte) in rest.bytes().enumerate() {
                match byte {
                    b'&' => {
                        end = at;
                        break;
                    }
                    b'=' if equals.is_none() => equals = Some(at),
                    b'%' | b'+' => plain = false,
                    _ => {}
                }
            }
            // `&` and `=` are ASCII, whole characters: every cut below is on a
            // character boundary.
            let piece = rest.get(..end).unwrap_or_default();
            rest = rest.get(end + 1..).unwrap_or_default();
            if piece.is_empty() {
                continue;
            }
            let (key, value) = match equals {
                Some(at) => (
                    piece.get(..at).unwrap_or_default(),
                    piece.get(at + 1..).unwrap_or_default(),
                ),
                None => (piece, ""),
            };
            return Some(Piece { key, value, plain });
        }
    })
}

/// `+` as a space, then percent-decoding; borrowed when there is nothing to decode.
fn decode(piece: &str) -> Cow<'_, str> {
    if !piece.bytes().any(|b| b == b'%' || b == b'+') {
        return Cow::Borrowed(piece);
    }
    let spaced = piece.replace('+', " ");
    Cow::Owned(
        percent_encoding::percent_decode_str(&spaced)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

/// A query value: a string to every visitor, and `Some` string to an `Option`, as a
/// JSON string is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Text<'a>(&'a str);

impl<'de> IntoDeserializer<'de, Error> for Text<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> Deserializer<'de> for Text<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_borrowed_str(self.0)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    use super::*;

    #[test]
    fn pairs_decode_and_the_last_of_a_repeated_key_counts() {
        let q = Query::parse(Some("a=1&&x=a%20b+c&a=2&flag&bad=%FF&e="));
        assert_eq!(q.get("a"), Some("2"));
        assert_eq!(q.get("x"), Some("a b c"));
        assert_eq!(q.get("flag"), Some(""));
        assert_eq!(q.get("bad"), Some("\u{FFFD}"));
        assert_eq!(q.get("e"), Some(""));
        assert_eq!(q.get("missing"), None);
        assert_eq!(
            Value::Object(q.to_json(&["flag"])),
            serde_json::json!({"x": "a b c", "a": "2", "bad": "\u{FFFD}", "e": ""})
        );
        assert!(Query::parse(None).to_json(&[]).is_empty());
    }

    #[test]
    fn pieces_split_at_the_first_equals_and_skip_empty_pieces() {
        let pairs: Vec<_> = pieces("&a=1=2&=v&b&&c=%41&d=+")
            .map(|p| (p.key, p.value, p.plain))
            .collect();
        assert_eq!(
            pairs,
            [
                ("a", "1=2", true),
                ("", "v", true),
                ("b", "", true),
                ("c", "%41", false),
                ("d", "+", false)
            ]
        );
        assert_eq!(pieces("").count(), 0);
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Params {
        name: Option<String>,
        count: Option<u32>,
        tags: Option<BTreeMap<String, String>>,
        #[serde(default)]
        given: String,
    }

    /// The serde source and the JSON object it stands for decode alike, successes and
    /// failures both.
    #[test]
    fn the_serde_source_means_what_the_json_object_means() {
        for query in [
            "name=web&given=x",
            "name=a%2Bb&unknown=1",
            "count=3",
            "tags=x",
            "",
            "name=1&name=2",
        ] {
            let direct = Params::deserialize(Query::parse(Some(query)).deserializer());
            let via_json: Result<Params, _> =
                serde_json::from_value(Value::Object(Query::parse(Some(query)).to_json(&[])));
            match (direct, via_json) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{query}"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{query}"),
                (a, b) => panic!("{query}: {a:?} / {b:?}"),
            }
        }
    }
}
