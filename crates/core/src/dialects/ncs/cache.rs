//! What the NCS service remembers between calls: parsed definitions by template, and
//! `DescribeStatefulWorkloadInfo` replies by workload. Both hold at most [`CAPACITY`]
//! entries and start over when full.

use std::sync::{Arc, PoisonError, RwLock, Weak};

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

/// `DescribeStatefulWorkloadInfo` replies by workload. A reply is a function of the
/// workload as the backend reads it (and of the service's settings, which do not
/// change), so an entry serves exactly while the workload reads equal to the one it was
/// built from.
#[derive(Debug, Default)]
pub(super) struct InfoCache(RwLock<foldhash::HashMap<WorkloadId, (Workload, InfoReply)>>);

impl InfoCache {
    /// The reply about `workload` for the request `request_id` names, if the workload
    /// reads as when the reply was built (the kept reply's own id is not copied).
    pub(super) fn get(
        &self,
        workload: &Workload,
        request_id: impl FnOnce() -> String,
    ) -> Option<InfoReply> {
        let map = self.0.read().unwrap_or_else(PoisonError::into_inner);
        map.get(&workload.id)
            .filter(|(seen, _)| seen == workload)
            .map(|(_, reply)| reply.with_request_id(request_id()))
    }

    /// Remembers the reply about `workload`.
    pub(super) fn put(&self, workload: Workload, reply: InfoReply) {
        let mut map = self.0.write().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= CAPACITY && !map.contains_key(&workload.id) {
            map.clear();
        }
        map.insert(workload.id, (workload, reply));
    }
}
