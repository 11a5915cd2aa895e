//! The event feed: what a backend changed and which requests it was asked, in order,
//! each with a sequence number that only grows.
//!
//! A [`Feed`] keeps the newest entries in a bounded ring. Whoever changes something
//! records it ([`Feed::record`]); readers page through it ([`Feed::since`]) or wait for
//! what comes next ([`Feed::subscribe`]). A store that keeps the feed across restarts
//! takes what it has not written yet with [`Feed::take_unsaved`] and gives it back to
//! [`Feed::restore`] when it opens.
//!
//! ```
//! use podgate_core::feed::{Feed, FeedEvent};
//! use podgate_core::model::Timestamp;
//!
//! let feed = Feed::new(2);
//! for node in ["a", "b", "c"] {
//!     feed.record(Timestamp(0), FeedEvent::NodeLost { node: node.to_owned() });
//! }
//! let page = feed.since(0, 10);
//! // The ring keeps the newest two; the first one is gone.
//! assert_eq!(page.entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [2, 3]);
//! assert_eq!((page.first, page.last), (2, 3));
//! ```

use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::model::{TenantKey, Timestamp};

/// A field's text: borrowed when it is one of a few fixed words (a phase, a dialect,
/// an operation), so that recording it allocates nothing.
pub type Text = Cow<'static, str>;

/// How many entries a feed keeps unless told otherwise.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// One entry of the feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = admin::FeedEntry))]
pub struct FeedEntry {
    /// Its place in the feed: 1 for the first entry ever, one more for each after.
    pub seq: u64,
    /// When it happened, on the backend's clock (simulated time on the simulator), in
    /// milliseconds since the Unix epoch.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub at: Timestamp,
    /// What happened.
    #[serde(flatten)]
    pub event: FeedEvent,
}

/// What happened. Tenants are written as `namespace 7`, `project p1`, `order o1` or
/// `system`; no entry carries a token, a secret's data or a config's values. Tenants
/// are kept as keys and names shared, so that recording an entry copies no text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = admin::FeedEvent))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FeedEvent {
    /// A dialect answered a request.
    Request {
        /// `ncs`, `ief`, `vkube` or `yuanrong`.
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        dialect: Text,
        /// The operation: an NCS Action, or `METHOD /route` for the others.
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        operation: Text,
        /// The tenant whose credential the request carried, if it carried a valid one
        /// (the operator's admin token names none).
        #[serde(with = "optional_tenant_text")]
        #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
        tenant: Option<TenantKey>,
        /// The HTTP status answered.
        status: u16,
        /// The vendor's error code, when the answer is an error.
        error_code: Option<String>,
    },
    /// A tenant was created.
    TenantCreated {
        /// The tenant.
        #[serde(with = "tenant_text")]
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        tenant: TenantKey,
    },
    /// A workload was created.
    WorkloadCreated {
        /// Its tenant.
        #[serde(with = "tenant_text")]
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        tenant: TenantKey,
        /// Its id.
        workload: u64,
        /// Its name.
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        name: Arc<str>,
    },
    /// A workload's spec was replaced.
    WorkloadUpdated {
        /// Its tenant.
        #[serde(with = "tenant_text")]
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        tenant: TenantKey,
        /// Its id.
        workload: u64,
        /// Its name.
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        name: Arc<str>,
    },
    /// A workload's deletion began (its pods go; a pool's after its grace period).
    WorkloadDeleted {
        /// Its tenant.
        #[serde(with = "tenant_text")]
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        tenant: TenantKey,
        /// Its id.
        workload: u64,
        /// Its name.
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        name: Arc<str>,
    },
    /// A pod was made, or what it shows changed: its phase, the reason it is not
    /// running, its restarts, its node.
    Pod {
        /// Its tenant.
        #[serde(with = "tenant_text")]
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        tenant: TenantKey,
        /// Its workload.
        workload: u64,
        /// Its id (its name is in `GET /admin/v1/cluster`).
        pod: u64,
        /// `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`.
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        phase: Text,
        /// Why it is not running: `Unschedulable`, `NodeLost`, or the first waiting
        /// container's reason (`ContainerCreating`, `ErrImagePull`,
        /// `CrashLoopBackOff`, ...).
        reason: Option<String>,
        /// Restarts of all its containers.
        restarts: u32,
        /// The node it is bound to.
        #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
        node: Option<Arc<str>>,
    },
    /// A pod is gone.
    PodRemoved {
        /// Its tenant.
        #[serde(with = "tenant_text")]
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        tenant: TenantKey,
        /// Its workload.
        workload: u64,
        /// Its id.
        pod: u64,
    },
    /// A pool pod was claimed by a function instance.
    PoolClaimed {
        /// The pool.
        pool: u64,
        /// The pod.
        pod: u64,
        /// The instance.
        instance: String,
    },
    /// A claimed pool pod was released.
    PoolReleased {
        /// The pool.
        pool: u64,
        /// The pod.
        pod: u64,
    },
    /// An EIP joined the inventory.
    EipCreated {
        /// Its id.
        eip: String,
    },
    /// An EIP was given to a workload.
    EipAssociated {
        /// The workload's tenant.
        #[serde(with = "tenant_text")]
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        tenant: TenantKey,
        /// The workload.
        workload: u64,
        /// The EIP.
        eip: String,
    },
    /// An EIP was taken back from a workload.
    EipUnassociated {
        /// The workload's tenant.
        #[serde(with = "tenant_text")]
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        tenant: TenantKey,
        /// The workload.
        workload: u64,
        /// The EIP.
        eip: String,
    },
    /// A config map or secret was created, changed or deleted.
    Config {
        /// Its tenant.
        #[serde(with = "tenant_text")]
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        tenant: TenantKey,
        /// `configmap` or `secret`.
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        config: Text,
        /// Its id.
        id: String,
        /// Its name.
        name: String,
        /// `created`, `updated` or `deleted`.
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        change: Text,
    },
    /// Fault: a node stopped answering.
    NodeLost {
        /// The node.
        node: String,
    },
    /// A lost node answers again.
    NodeRestored {
        /// The node.
        node: String,
    },
    /// Fault: a container crashed.
    ContainerCrashed {
        /// Its tenant.
        #[serde(with = "tenant_text")]
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        tenant: TenantKey,
        /// Its workload.
        workload: u64,
        /// The pod.
        pod: u64,
        /// The container.
        container: String,
    },
    /// An image can be pulled from now on.
    ImageAdded {
        /// The image reference.
        image: String,
    },
    /// Fault: an image can no longer be pulled.
    ImageRemoved {
        /// The image reference.
        image: String,
    },
    /// The simulated clock moved forward, or was paused or resumed.
    Clock {
        /// How far it moved, in milliseconds (0 for a pause or resume).
        advanced_ms: u64,
        /// Whether it stands still now.
        paused: bool,
    },
}

/// A tenant as the feed writes it (`namespace 7`, `project p1`, `order o1`,
/// `system`), and back.
mod tenant_text {
    use serde::{Deserialize, Deserializer, Serializer, de};

    use crate::model::{NamespaceId, TenantKey};

    pub(super) fn serialize<S: Serializer>(tenant: &TenantKey, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(tenant)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TenantKey, D::Error> {
        parse(&String::deserialize(d)?).ok_or_else(|| de::Error::custom("not a tenant"))
    }

    /// The tenant `text` names, as `TenantKey`'s `Display` writes it.
    pub(super) fn parse(text: &str) -> Option<TenantKey> {
        match text.split_once(' ') {
            None if text == "system" => Some(TenantKey::System),
            Some(("namespace", id)) => id
                .parse()
                .ok()
                .map(|id| TenantKey::Namespace(NamespaceId(id))),
            Some(("project", id)) => Some(TenantKey::Project(id.to_owned())),
            Some(("order", id)) => Some(TenantKey::Order(id.to_owned())),
            _ => None,
        }
    }
}

/// [`tenant_text`] for a tenant that may be absent.
mod optional_tenant_text {
    use serde::{Deserialize, Deserializer, Serializer, de};

    use crate::model::TenantKey;

    pub(super) fn serialize<S: Serializer>(
        tenant: &Option<TenantKey>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match tenant {
            Some(tenant) => s.collect_str(tenant),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<TenantKey>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| {
                super::tenant_text::parse(&text).ok_or_else(|| de::Error::custom("not a tenant"))
            })
            .transpose()
    }
}

/// One page of the feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = admin::FeedPage))]
pub struct FeedPage {
    /// The entries after the one asked for, oldest first.
    pub entries: Vec<FeedEntry>,
    /// The oldest entry the feed still holds (0: none yet). Entries before it have
    /// left the ring.
    pub first: u64,
    /// The newest entry (0: none yet); ask for `since=last` to read on from here.
    pub last: u64,
}

/// The ring and its counters.
#[derive(Debug)]
struct Ring {
    entries: VecDeque<FeedEntry>,
    /// The number the next entry gets.
    next: u64,
    /// The first sequence number a store has not written yet.
    unsaved_from: u64,
}

/// A bounded, ordered record of events; see the [module docs](self).
#[derive(Debug)]
pub struct Feed {
    ring: Mutex<Ring>,
    capacity: usize,
    newest: watch::Sender<u64>,
}

impl Feed {
    /// An empty feed that keeps the newest `capacity` entries (at least one).
    pub fn new(capacity: usize) -> Self {
        Self::restore(capacity, Vec::new())
    }

    /// A feed holding `entries` (oldest first, as a store kept them), numbering on
    /// after the last; they count as written.
    pub fn restore(capacity: usize, entries: Vec<FeedEntry>) -> Self {
        let capacity = capacity.max(1);
        let next = entries.last().map_or(1, |e| e.seq.saturating_add(1));
        let mut entries = VecDeque::from(entries);
        while entries.len() > capacity {
            entries.pop_front();
        }
        Self {
            ring: Mutex::new(Ring {
                entries,
                next,
                unsaved_from: next,
            }),
            capacity,
            newest: watch::Sender::new(next - 1),
        }
    }

    /// How many entries the ring keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    fn ring(&self) -> std::sync::MutexGuard<'_, Ring> {
        self.ring.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends `event`, which happened `at`; returns its sequence number. The oldest
    /// entry leaves when the ring is full.
    pub fn record(&self, at: Timestamp, event: FeedEvent) -> u64 {
        let (seq, _dropped) = {
            let mut ring = self.ring();
            let seq = ring.next;
            ring.next = seq.saturating_add(1);
            let dropped = if ring.entries.len() == self.capacity {
                ring.entries.pop_front()
            } else {
                None
            };
            ring.entries.push_back(FeedEntry { seq, at, event });
            // The entry that left is freed after the lock is let go.
            (seq, dropped)
        };
        // Waking costs a lock; only a feed someone waits on pays it.
        if self.newest.receiver_count() > 0 {
            self.newest.send_replace(seq);
        }
        seq
    }

    /// Up to `limit` entries after sequence number `after`, oldest first. After the
    /// newest (or beyond it) there is nothing: the page is empty.
    pub fn since(&self, after: u64, limit: usize) -> FeedPage {
        let ring = self.ring();
        let first = ring.entries.front().map_or(0, |e| e.seq);
        let last = ring.entries.back().map_or(0, |e| e.seq);
        // Sequence numbers in the ring are consecutive: skip straight to `after + 1`.
        let skip = after.saturating_add(1).saturating_sub(first);
        let entries = ring
            .entries
            .iter()
            .skip(usize::try_from(skip).unwrap_or(usize::MAX))
            .take(limit)
            .cloned()
            .collect();
        FeedPage {
            entries,
            first,
            last,
        }
    }

    /// The newest sequence number (0: nothing recorded yet).
    pub fn last(&self) -> u64 {
        self.ring().next - 1
    }

    /// A receiver that sees the newest sequence number change; read the entries with
    /// [`Feed::since`].
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.newest.subscribe()
    }

    /// The entries a store has not written yet, oldest first (those that already left
    /// the ring are lost to it); they count as written from now on.
    pub fn take_unsaved(&self) -> Vec<FeedEntry> {
        let mut ring = self.ring();
        let from = ring.unsaved_from;
        ring.unsaved_from = ring.next;
        ring.entries
            .iter()
            .filter(|e| e.seq >= from)
            .cloned()
            .collect()
    }

    /// Whether some entry waits to be written by a store.
    pub fn has_unsaved(&self) -> bool {
        let ring = self.ring();
        ring.unsaved_from < ring.next
    }
}

impl Default for Feed {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NamespaceId;

    fn lost(node: &str) -> FeedEvent {
        FeedEvent::NodeLost {
            node: node.to_owned(),
        }
    }

    fn seqs(page: &FeedPage) -> Vec<u64> {
        page.entries.iter().map(|e| e.seq).collect()
    }

    #[test]
    fn pages_read_on_from_where_the_last_ended() {
        let feed = Feed::new(100);
        assert_eq!(
            feed.since(0, 10),
            FeedPage {
                entries: vec![],
                first: 0,
                last: 0
            }
        );
        for i in 0..5 {
            assert_eq!(
                feed.record(Timestamp(i), lost("n")),
                u64::try_from(i).unwrap() + 1
            );
        }
        assert_eq!(seqs(&feed.since(0, 2)), [1, 2]);
        assert_eq!(seqs(&feed.since(2, 2)), [3, 4]);
        assert_eq!(seqs(&feed.since(4, 2)), [5]);
        // Beyond the end: nothing, and the bounds say where the feed stands.
        let beyond = feed.since(99, 10);
        assert!(beyond.entries.is_empty());
        assert_eq!((beyond.first, beyond.last), (1, 5));
        assert!(feed.since(u64::MAX, usize::MAX).entries.is_empty());
        assert_eq!(feed.since(0, 0).entries, []);
    }

    #[test]
    fn a_full_ring_drops_its_oldest() {
        let feed = Feed::new(3);
        for _ in 0..7 {
            feed.record(Timestamp(0), lost("n"));
        }
        let page = feed.since(0, 100);
        assert_eq!(seqs(&page), [5, 6, 7]);
        assert_eq!((page.first, page.last), (5, 7));
        assert_eq!(seqs(&feed.since(5, 100)), [6, 7]);
    }

    #[test]
    fn unsaved_entries_are_taken_once_and_numbering_resumes_after_a_restore() {
        let feed = Feed::new(10);
        feed.record(Timestamp(1), lost("a"));
        feed.record(Timestamp(2), lost("b"));
        assert!(feed.has_unsaved());
        let saved = feed.take_unsaved();
        assert_eq!(saved.len(), 2);
        assert!(!feed.has_unsaved());
        assert!(feed.take_unsaved().is_empty());
        feed.record(Timestamp(3), lost("c"));
        assert_eq!(feed.take_unsaved().len(), 1);

        let restored = Feed::restore(10, saved);
        assert!(!restored.has_unsaved());
        assert_eq!(restored.last(), 2);
        assert_eq!(restored.record(Timestamp(4), lost("d")), 3);
        assert_eq!(seqs(&restored.since(0, 10)), [1, 2, 3]);
    }

    #[test]
    fn tenants_are_written_as_they_display_and_read_back() {
        for tenant in [
            TenantKey::Namespace(NamespaceId(7)),
            TenantKey::Project("p 1".to_owned()),
            TenantKey::Order("o1".to_owned()),
            TenantKey::System,
        ] {
            let event = FeedEvent::TenantCreated {
                tenant: tenant.clone(),
            };
            let json = serde_json::to_value(&event).unwrap();
            assert_eq!(json["tenant"], tenant.to_string());
            assert_eq!(serde_json::from_value::<FeedEvent>(json).unwrap(), event);
        }
        for bad in ["namespace x", "nobody", "", "namespace"] {
            let json = serde_json::json!({"kind": "tenant_created", "tenant": bad});
            assert!(serde_json::from_value::<FeedEvent>(json).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_subscriber_sees_the_newest_number() {
        let feed = Feed::new(10);
        let mut newest = feed.subscribe();
        assert!(!newest.has_changed().unwrap());
        feed.record(Timestamp(0), lost("a"));
        assert!(newest.has_changed().unwrap());
        assert_eq!(*newest.borrow_and_update(), 1);
    }

    #[test]
    fn entries_are_flat_json_named_by_kind() {
        let feed = Feed::new(10);
        feed.record(
            Timestamp(5),
            FeedEvent::Request {
                dialect: "ncs".into(),
                operation: "CreateStatefulWorkload".into(),
                tenant: Some(TenantKey::Namespace(NamespaceId(1))),
                status: 400,
                error_code: Some("InvalidParameterValue".to_owned()),
            },
        );
        let entry = &feed.since(0, 1).entries[0];
        let json = serde_json::to_value(entry).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"seq": 1, "at": 5, "kind": "request", "dialect": "ncs",
                "operation": "CreateStatefulWorkload", "tenant": "namespace 1",
                "status": 400, "error_code": "InvalidParameterValue"})
        );
        assert_eq!(&serde_json::from_value::<FeedEntry>(json).unwrap(), entry);
    }
}
