//! Query strings (`application/x-www-form-urlencoded`), decoded by `form_urlencoded`
//! (the decoder under `serde_urlencoded` and axum's `Query`) into a JSON object of
//! strings: the one shape every dialect reads its parameters from, whether they came in
//! the query or (NCS) also in a body.

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The pairs of `query` as a JSON object of strings: `+` is a space, `%XX` a byte, bytes
/// that are not UTF-8 replaced, and of a repeated key only the last counts.
pub(crate) fn pairs(query: Option<&str>) -> Map<String, Value> {
    let mut object = Map::new();
    for (key, value) in split(query) {
        object.insert(key.into_owned(), Value::String(value.into_owned()));
    }
    object
}

/// The decoded pairs of `query` in order (`serde_urlencoded`'s own decoder): borrowed
/// where nothing needed decoding.
pub(crate) fn split(query: Option<&str>) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    let query = query.unwrap_or_default();
    // A query with no `%` and no `+` has nothing to decode, and is split as it is: the
    // same pairs, without the decoder's three passes over each one. This is most
    // queries; it takes NCS's describe over HTTP, in process, from 3.1 to 2.9-3.0 µs
    // (`cargo bench --bench http_load`; 2.8-2.9 µs with the hand-written parser this
    // module replaced).
    let plain = !query.bytes().any(|b| b == b'%' || b == b'+');
    let as_is = query
        .split('&')
        .filter(move |pair| plain && !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (Cow::Borrowed(key), Cow::Borrowed(value))
        });
    let decoded = form_urlencoded::parse(if plain { &[] } else { query.as_bytes() });
    as_is.chain(decoded)
}

/// The parameters `T` the query carries, read as [`pairs`]' object; the error says which
/// field is wrong and why.
pub(crate) fn decode<T: DeserializeOwned>(query: Option<&str>) -> serde_json::Result<T> {
    T::deserialize(&Value::Object(pairs(query)))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[test]
    fn pairs_decode_and_the_last_of_a_repeated_key_counts() {
        let pairs = pairs(Some("a=1&b=x+y%21&a=2&&c&d=e=f&%FF=z"));
        assert_eq!(pairs.get("a"), Some(&Value::from("2")));
        assert_eq!(pairs.get("b"), Some(&Value::from("x y!")));
        assert_eq!(pairs.get("c"), Some(&Value::from("")));
        assert_eq!(pairs.get("d"), Some(&Value::from("e=f")));
        assert_eq!(pairs.get("\u{FFFD}"), Some(&Value::from("z")));
        assert_eq!(pairs.len(), 5);
        assert!(super::pairs(None).is_empty());
    }

    #[test]
    fn queries_with_nothing_to_decode_split_as_the_decoder_would() {
        for query in [
            "Action=DescribeStatefulWorkloadInfo&Version=2017-11-16&NamespaceId=7",
            "a=1&&b&c=d=e&=x&y=&",
            "&&",
            "",
            "k\u{e9}=v\u{e9}",
        ] {
            let ours: Vec<_> = split(Some(query)).collect();
            let decoder: Vec<_> = form_urlencoded::parse(query.as_bytes()).collect();
            assert_eq!(ours, decoder, "{query:?}");
        }
        let decoded: Vec<_> = split(Some("a=x+y&b=%21")).collect();
        assert_eq!(
            decoded,
            [("a".into(), "x y".into()), ("b".into(), "!".into())]
        );
    }

    #[test]
    fn parameters_are_strings_and_absent_ones_none() {
        #[derive(Debug, Deserialize, PartialEq)]
        #[serde(deny_unknown_fields)]
        struct Params {
            name: Option<String>,
            limit: Option<String>,
        }
        let got: Params = decode(Some("limit=5")).unwrap();
        assert_eq!(
            got,
            Params {
                name: None,
                limit: Some("5".into())
            }
        );
        let refused = decode::<Params>(Some("other=1")).unwrap_err();
        assert!(
            refused.to_string().contains("unknown field `other`"),
            "{refused}"
        );
    }
}
