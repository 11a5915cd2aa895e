//! What the NCS service remembers between calls: parsed definitions by template, and
//! rendered `DescribeStatefulWorkloadInfo` replies by workload. Both hold at most
//! [`CAPACITY`] entries and start over when full.

use std::sync::{Arc, PoisonError, RwLock, Weak};

use serde::Serialize;

use super::definition::NcsDefinition;
use super::wire::InfoReply;
use crate::model::{PodTemplate, Workload, WorkloadId};

/// How many entries each cache holds before it starts over.
const CAPACITY: usize = 4096;

/// Parsed definitions by the template they came from, so that describing a workload
/// whose template a backend shares (the simulator interns them) parses it once.
#[derive(Debug, Default)]
pub(super) struct DefinitionCache(RwLock<foldhash::HashMap<usize, CachedDefinition>>);

/// A parsed definition and the template it was parsed from.
type CachedDefinition = (Weak<PodTemplate>, Arc<NcsDefinition>);

impl DefinitionCache {
    /// The definition `template` carries.
    pub(super) fn get(&self, template: &Arc<PodTemplate>) -> crate::Result<Arc<NcsDefinition>> {
        // Keyed by the template's address: an entry's weak reference keeps that
        // allocation, so no other template can take the address while the entry stands,
        // and a hit needs no upgrade (an atomic write) to be trusted.
        let key = Arc::as_ptr(template) as usize;
        {
            let map = self.0.read().unwrap_or_else(PoisonError::into_inner);
            if let Some((_, def)) = map.get(&key) {
                return Ok(def.clone());
            }
        }
        let def = Arc::new(NcsDefinition::from_template(template)?);
        let mut map = self.0.write().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= CAPACITY {
            map.clear();
        }
        map.insert(key, (Arc::downgrade(template), def.clone()));
        Ok(def)
    }
}

/// Rendered `DescribeStatefulWorkloadInfo` replies by workload, each up to its
/// `RequestId`. A reply is a function of the workload as the backend reads it (and of
/// the service's settings, which do not change), so an entry serves exactly while the
/// workload reads equal to the one it was rendered from.
#[derive(Debug, Default)]
pub(super) struct InfoCache(RwLock<foldhash::HashMap<WorkloadId, (Workload, Arc<str>)>>);

impl InfoCache {
    /// The rendered reply of `workload`, if it reads as when it was rendered.
    pub(super) fn get(&self, workload: &Workload) -> Option<Arc<str>> {
        let map = self.0.read().unwrap_or_else(PoisonError::into_inner);
        map.get(&workload.id)
            .filter(|(seen, _)| seen == workload)
            .map(|(_, head)| head.clone())
    }

    /// Remembers the rendered reply of `workload`.
    pub(super) fn put(&self, workload: Workload, head: Arc<str>) {
        let mut map = self.0.write().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= CAPACITY && !map.contains_key(&workload.id) {
            map.clear();
        }
        map.insert(workload.id, (workload, head));
    }
}

/// A `DescribeStatefulWorkloadInfo` reply already rendered as JSON: the workload's part,
/// shared with every other reply about the workload as it is, and this reply's
/// `RequestId`, written last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedInfo {
    /// The JSON text up to and including `"RequestId":`.
    head: Arc<str>,
    request_id: String,
}

impl RenderedInfo {
    /// Renders `reply`, whose `RequestId` is empty, into the head every later reply
    /// about the same workload reuses; `None` if it does not render as expected.
    pub(super) fn head(reply: &InfoReply) -> Option<Arc<str>> {
        let text = serde_json::to_string(reply).ok()?;
        text.strip_suffix("\"\"}").map(Arc::from)
    }

    /// The reply made of `head` and `request_id` (which needs no escaping: a UUID).
    pub(super) fn new(head: Arc<str>, request_id: String) -> Self {
        Self { head, request_id }
    }

    /// Appends the reply's JSON text to `out`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.reserve(self.head.len() + self.request_id.len() + 3);
        out.extend_from_slice(self.head.as_bytes());
        out.push(b'"');
        out.extend_from_slice(self.request_id.as_bytes());
        out.extend_from_slice(b"\"}");
    }

    /// The reply, typed.
    pub fn reply(&self) -> serde_json::Result<InfoReply> {
        let mut text = Vec::new();
        self.write_json(&mut text);
        serde_json::from_slice(&text)
    }
}

/// Serialised as the typed reply it renders, so that any serializer sees the same
/// fields in the same order as [`RenderedInfo::write_json`] writes.
impl Serialize for RenderedInfo {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.reply()
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}
