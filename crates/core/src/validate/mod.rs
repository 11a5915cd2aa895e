//! The rules every dialect shares (names, images, quantities, ports, paths), one
//! function per rule, and the way request types declare their field rules (`validator`,
//! see [`first_broken`]). Each rule returns `Err(reason)` for a bad value; callers attach the
//! field name and map to their dialect's error. A vendor's own rules live with its
//! dialect (`dialects::<dialect>::rules`).

mod fields;
mod images;
pub(crate) mod names;
mod paths;
mod ports;
mod quantity;
#[cfg(feature = "openapi")]
pub(crate) mod shapes;
#[cfg(feature = "openapi")]
pub use shapes::ip_address as ip_address_schema;
pub(crate) mod strict;

pub(crate) use fields::field_rules;
pub use fields::{Broken, RULE, VALUE, all_broken, bad_value, each, first_broken, rule};
#[cfg(feature = "openapi")]
pub use images::image_reference_schema;
pub use images::{image_reference, image_reference_field};
#[cfg(feature = "openapi")]
pub(crate) use names::dns1123_label_schema;
pub use names::{dns1123_label, dns1123_label_field};
pub use paths::{absolute_path, absolute_path_field};
pub use ports::{port, port_field};
pub use quantity::{Quantity, cpu_quantity, mebi_or_gibi, quantity};
pub use strict::from_value as strict_from_value;

/// The outcome of one rule: `Err` carries the reason, in English, without the field name.
pub type Check = Result<(), String>;
