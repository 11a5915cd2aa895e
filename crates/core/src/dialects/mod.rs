//! The vendor dialects: wire types, use-cases and error mapping, one module each.

pub mod ief;
pub mod ncs;
pub mod vkube;
pub mod yuanrong;
