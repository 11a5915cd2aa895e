//! Schemas for the OpenAPI document that a field's own attributes cannot state: a rule
//! spanning a type's fields (the type's component, held to exactly one of the shapes
//! it may take: a probe checks one way, a variable takes its value from one place), and
//! an IP address.

use utoipa::openapi::schema::{AllOfBuilder, ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
use utoipa::openapi::{Ref, RefOr, Schema};

/// A shape: `key` is given, as a `kind` (not null).
pub(crate) fn given(key: &str, kind: Type) -> ObjectBuilder {
    ObjectBuilder::new()
        .property(key, ObjectBuilder::new().schema_type(kind))
        .required(key)
}

/// Only null: with [`ObjectBuilder::property`], a key that is absent or null.
pub(crate) fn null() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Null)
}

/// A shape: `key` is absent or null.
pub(crate) fn absent(key: &str) -> ObjectBuilder {
    ObjectBuilder::new().property(key, null())
}

/// The component named `component`, in exactly one of `shapes`.
pub(crate) fn one_shape(
    component: &str,
    shapes: impl IntoIterator<Item = ObjectBuilder>,
) -> RefOr<Schema> {
    let shapes = shapes
        .into_iter()
        .fold(OneOfBuilder::new(), |any, shape| any.item(shape));
    AllOfBuilder::new()
        .item(Ref::from_schema_name(component))
        .item(shapes)
        .into()
}

/// `schema`, or null (an optional field).
pub(crate) fn or_null(schema: impl Into<RefOr<Schema>>, description: &str) -> Schema {
    OneOfBuilder::new()
        .item(null())
        .item(schema)
        .description(Some(description))
        .into()
}

/// A list of `item`s, or null (an optional list).
pub(crate) fn list_or_null(item: impl Into<RefOr<Schema>>, description: &str) -> Schema {
    or_null(ArrayBuilder::new().items(item.into()), description)
}

/// An IPv4 or IPv6 address, as `std::net::IpAddr` reads one.
pub fn ip_address() -> Schema {
    use utoipa::openapi::schema::{KnownFormat, SchemaFormat};
    let format = |known| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(known)))
    };
    OneOfBuilder::new()
        .item(format(KnownFormat::Ipv4))
        .item(format(KnownFormat::Ipv6))
        .description(Some("An IPv4 or IPv6 address."))
        .into()
}
