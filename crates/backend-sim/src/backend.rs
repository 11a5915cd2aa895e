//! `SimBackend`: the `ClusterBackend` implementation.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError};

use async_trait::async_trait;
use crossbeam_utils::sync::{ShardedLock, ShardedLockReadGuard, ShardedLockWriteGuard};
use podgate_core::feed::{Feed, FeedEvent};
use podgate_core::model::{
    ConfigKind, ConfigObject, ConfigQuery, ContainerId, Eip, NamespaceId, NewConfig, NewTenant,
    Node, Page, PageRequest, Pod, PodId, PodQuery, Tenant, TenantKey, TenantKind, Workload,
    WorkloadId, WorkloadKind, WorkloadOrder, WorkloadQuery, WorkloadSpec,
};
use podgate_core::secret::TokenHash;
use podgate_core::{Capabilities, ClusterBackend, Error, Result};

use crate::clock::SimClock;
use crate::config::{Delays, SimConfig};
use crate::images::ImageCatalogue;
use crate::lifecycle::{Observer, ms, node_ip};
use crate::logs::{self, LogSource};
use crate::pods;
use crate::pools;
use crate::raw_pod;
use crate::state::{Change, Event, NodeState, PodOrigin, State, WorkloadRec};

/// An in-memory cluster: scheduling, pod lifecycle on a controllable clock, faults and
/// synthetic logs. Cheap to create; share it as `Arc<SimBackend>`.
pub struct SimBackend {
    /// Read on every request from every worker thread: a lock whose readers take a
    /// lock of their own thread's shard, so that they do not contend for one word.
    pub(crate) state: ShardedLock<State>,
    pub(crate) images: ShardedLock<ImageCatalogue>,
    pub(crate) clock: SimClock,
    pub(crate) delays: Delays,
    /// Where every change is written before it is acknowledged, when persistent.
    #[cfg(feature = "sqlite")]
    pub(crate) store: Option<std::sync::Mutex<crate::store::Store>>,
    /// A change could not be written: memory is ahead of the file, so every further
    /// operation is refused until a restart reloads the file.
    pub(crate) failed: AtomicBool,
    /// The event feed, unless turned off.
    pub(crate) feed: Option<Arc<Feed>>,
}

impl fmt::Debug for SimBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimBackend")
            .field("now", &self.clock.now())
            .field("delays", &self.delays)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for SimBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("simulator")
    }
}

/// The state for writing, as [`SimBackend::mutate`] hands it out.
pub(crate) type WriteView<'a> = View<'a, ShardedLockWriteGuard<'a, State>>;

/// A read or write guard on the state together with the instant it is observed at.
pub(crate) struct View<'a, G> {
    pub(crate) state: G,
    pub(crate) images: ShardedLockReadGuard<'a, ImageCatalogue>,
    pub(crate) now: podgate_core::model::Timestamp,
    pub(crate) delays: &'a Delays,
}

impl View<'_, ShardedLockWriteGuard<'_, State>> {
    /// The state to change, and the observer of the same instant.
    pub(crate) fn parts(&mut self) -> (&mut State, Observer<'_>) {
        let observer = Observer {
            now: self.now,
            delays: self.delays,
            images: &self.images,
        };
        (&mut self.state, observer)
    }
}

impl<G> View<'_, G> {
    pub(crate) fn observer(&self) -> Observer<'_> {
        Observer {
            now: self.now,
            delays: self.delays,
            images: &self.images,
        }
    }
}

impl SimBackend {
    /// A simulator started from `config`.
    pub fn new(config: SimConfig) -> Self {
        let nodes = config
            .topology
            .nodes
            .into_iter()
            .map(NodeState::empty)
            .collect();
        let feed = (config.feed_capacity > 0).then(|| Arc::new(Feed::new(config.feed_capacity)));
        let mut state = State {
            nodes,
            ..State::default()
        };
        state.feed.on = feed.is_some();
        Self {
            state: ShardedLock::new(state),
            images: ShardedLock::new(config.images),
            clock: SimClock::new(config.clock),
            delays: config.delays,
            #[cfg(feature = "sqlite")]
            store: None,
            failed: AtomicBool::new(false),
            feed,
        }
    }

    /// Opens the simulator kept in the SQLite file at `path`, creating the file when
    /// it does not exist. Every acknowledged change is in the file before the
    /// operation returns; a restart on the same file finds everything as it was.
    ///
    /// A new file takes `config`'s topology and clock; an existing one keeps its own
    /// (they are state), while `config`'s delays and durability apply and its images
    /// are added to the ones the file holds. A damaged file, another program's
    /// database, a file from a newer podgate or one in use by another process is an
    /// error: nothing is ever reset.
    ///
    /// ```
    /// use podgate_backend_sim::{SimBackend, SimConfig};
    /// use podgate_core::ClusterBackend;
    /// use podgate_core::model::{NamespaceId, NewTenant, TenantKey};
    /// use podgate_core::secret::TokenHash;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let dir = std::env::temp_dir().join(format!("podgate-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("sim.db");
    /// # let _ = std::fs::remove_file(&path);
    /// let sim = SimBackend::open(SimConfig::default(), &path)?;
    /// let tenant = sim
    ///     .create_tenant(NewTenant {
    ///         key: TenantKey::Namespace(NamespaceId(0)),
    ///         token_hash: TokenHash::of("a token"),
    ///         privileged: false,
    ///         attributes: serde_json::Value::Null,
    ///     })
    ///     .await?;
    /// drop(sim);
    ///
    /// let again = SimBackend::open(SimConfig::default(), &path)?;
    /// assert_eq!(again.get_tenant(&tenant.key).await?, tenant);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "sqlite")]
    pub fn open(
        config: SimConfig,
        path: impl AsRef<std::path::Path>,
    ) -> Result<Self, crate::SimError> {
        let (delays, capacity) = (config.delays, config.feed_capacity);
        let mut opened = crate::store::Store::open_for(config, path.as_ref())?;
        let feed = (capacity > 0).then(|| Arc::new(Feed::restore(capacity, opened.feed)));
        opened.state.feed.on = feed.is_some();
        opened.state.watch_all_quietly(&Observer {
            now: opened.clock.now(),
            delays: &delays,
            images: &opened.images,
        });
        Ok(Self {
            state: ShardedLock::new(opened.state),
            images: ShardedLock::new(opened.images),
            clock: opened.clock,
            delays,
            store: Some(std::sync::Mutex::new(opened.store)),
            failed: AtomicBool::new(false),
            feed,
        })
    }

    /// The event feed: every change this simulator makes, and whatever its user records
    /// (the HTTP adapter records each dialect request). `None` when
    /// [`SimConfig::feed_capacity`] is 0.
    pub fn feed(&self) -> Option<Arc<Feed>> {
        self.feed.clone()
    }

    pub(crate) fn images(&self) -> ShardedLockReadGuard<'_, ImageCatalogue> {
        self.images.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether changes are stored in a file.
    pub(crate) fn persistent(&self) -> bool {
        #[cfg(feature = "sqlite")]
        return self.store.is_some();
        #[cfg(not(feature = "sqlite"))]
        false
    }

    /// Refuses to go on once a change could not be stored.
    pub(crate) fn check_healthy(&self) -> Result<()> {
        if self.failed.load(Ordering::SeqCst) {
            return Err(Error::Backend {
                temporary: false,
                source: "a change could not be written to the simulator's file; \
                         restart to reload it"
                    .into(),
            });
        }
        Ok(())
    }

    /// Runs `change` on the state (timed work done first), then stores what changed
    /// before answering: once this returns `Ok`, the change is durable.
    pub(crate) fn mutate<T>(
        &self,
        change: impl FnOnce(&mut WriteView<'_>) -> Result<T>,
    ) -> Result<T> {
        self.check_healthy()?;
        let mut view = self.write();
        let out = change(&mut view);
        let (state, observer) = view.parts();
        state.observe_pods(&observer);
        if let Some(feed) = &self.feed {
            for (at, event) in state.feed.take() {
                feed.record(at, event);
            }
        }
        self.persist(&mut view.state)?;
        out
    }

    /// Writes what changed to the store, if there is one.
    #[cfg(feature = "sqlite")]
    fn persist(&self, state: &mut State) -> Result<()> {
        let Some(store) = &self.store else {
            return Ok(());
        };
        let mut store = store.lock().unwrap_or_else(PoisonError::into_inner);
        let entries = self
            .feed
            .as_ref()
            .map(|f| f.take_unsaved())
            .unwrap_or_default();
        store
            .commit(state, self.clock.offset_ms(), &entries)
            .map_err(|e| {
                self.failed.store(true, Ordering::SeqCst);
                Error::Backend {
                    temporary: false,
                    source: Box::new(e),
                }
            })
    }

    #[cfg(not(feature = "sqlite"))]
    #[expect(
        clippy::unused_self,
        clippy::unnecessary_wraps,
        reason = "one signature with or without a store"
    )]
    fn persist(&self, _state: &mut State) -> Result<()> {
        Ok(())
    }

    /// The state for writing, with timed work done (but not stored: see `mutate`).
    fn write(&self) -> WriteView<'_> {
        let now = self.clock.now();
        let images = self.images();
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        let observer = Observer {
            now,
            delays: &self.delays,
            images: &images,
        };
        // What pods showed up to now, then the work due by now.
        state.observe_pods(&observer);
        pools::reconcile(&mut state, &observer);
        View {
            state,
            images,
            now,
            delays: &self.delays,
        }
    }

    /// The state for reading, with timed work done (and stored) first when some is due.
    pub(crate) fn read(&self) -> Result<View<'_, ShardedLockReadGuard<'_, State>>> {
        let now = self.clock.now();
        let mut state = self.read_untimed()?;
        if state.due(now) {
            // Rare: take the write lock once to do the timed work, then read again.
            drop(state);
            self.mutate(|_| Ok(()))?;
            state = self.read_untimed()?;
        }
        Ok(View {
            state,
            images: self.images(),
            now,
            delays: &self.delays,
        })
    }

    /// The state as it stands, without the timed work [`Self::read`] does first (nor
    /// its clock reading): for what timed work never changes, tenants and tokens.
    pub(crate) fn read_untimed(&self) -> Result<ShardedLockReadGuard<'_, State>> {
        self.check_healthy()?;
        Ok(self.state.read().unwrap_or_else(PoisonError::into_inner))
    }

    pub(crate) fn owned<'a>(
        state: &'a State,
        now: podgate_core::model::Timestamp,
        tenant: &TenantKey,
        id: WorkloadId,
    ) -> Result<&'a WorkloadRec> {
        state
            .workloads
            .get(&id)
            .filter(|w| w.tenant == *tenant && !w.gone(now))
            .ok_or_else(|| Error::not_found("workload", id))
    }

    /// A tenant's pod and its workload; another tenant's pod answers like an unknown one.
    fn owned_pod<'a>(
        state: &'a State,
        now: podgate_core::model::Timestamp,
        tenant: &TenantKey,
        pod: PodId,
    ) -> Result<(&'a crate::state::PodRec, &'a WorkloadRec)> {
        let rec = state
            .pods
            .get(&pod)
            .ok_or_else(|| Error::not_found("pod", pod))?;
        let workload = Self::owned(state, now, tenant, rec.workload)
            .map_err(|_| Error::not_found("pod", pod))?;
        Ok((rec, workload))
    }

    fn view_workload(
        state: &State,
        observer: &Observer<'_>,
        id: WorkloadId,
        rec: &WorkloadRec,
    ) -> Workload {
        Workload {
            tenant: rec.tenant.clone(),
            id,
            spec: WorkloadSpec {
                name: String::from(&*rec.name),
                labels: rec.labels.clone(),
                annotations: rec.annotations.clone(),
                template: rec.template.clone(),
                kind: rec.kind,
                replicas: rec.replicas,
                pool: rec.pool,
                autoscaler: rec.autoscaler.clone(),
                object_name: rec.object_name.as_deref().map(str::to_owned),
            },
            created_at: rec.created_at,
            updated_at: rec.updated_at,
            eip: rec.eip.as_deref().map(str::to_owned),
            status: observer.workload_status(state, rec),
        }
    }

    pub(crate) fn view_pod(state: &State, observer: &Observer<'_>, id: PodId) -> Option<Pod> {
        let pod = state.pods.get(&id)?;
        let rec = state.workloads.get(&pod.workload)?;
        Some(observer.pod(state, id, pod, rec, rec.template_hash))
    }

    /// Host ports of `ports` bound in `region`, not counting `ignore`'s pods.
    fn occupied(
        state: &State,
        region: &str,
        ports: &[u16],
        ignore: Option<WorkloadId>,
    ) -> Vec<u16> {
        let own: Vec<u16> = ignore
            .and_then(|w| state.workloads.get(&w))
            .map(|w| w.template.host_ports().collect())
            .unwrap_or_default();
        let own_placed = |node: usize, port: u16| -> u32 {
            let Some(w) = ignore.and_then(|w| state.workloads.get(&w)) else {
                return 0;
            };
            let count = w
                .pods
                .iter()
                .filter_map(|p| state.pods.get(p))
                .filter(|p| p.node.map(|n| n as usize) == Some(node))
                .count();
            if own.contains(&port) {
                u32::try_from(count).unwrap_or(u32::MAX)
            } else {
                0
            }
        };
        let mut out: Vec<u16> = ports
            .iter()
            .copied()
            .filter(|port| {
                state.nodes.iter().enumerate().any(|(i, n)| {
                    n.node.region == region
                        && n.host_ports.get(port).copied().unwrap_or(0) > own_placed(i, *port)
                })
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    fn check_region_ports(
        state: &State,
        spec: &WorkloadSpec,
        ignore: Option<WorkloadId>,
    ) -> Result<()> {
        let placement = &spec.template.placement;
        if !placement.host_ports_unique_in_region {
            return Ok(());
        }
        let Some(region) = &placement.region else {
            return Ok(());
        };
        let ports: Vec<u16> = spec.template.host_ports().collect();
        let taken = Self::occupied(state, region, &ports, ignore);
        if taken.is_empty() {
            Ok(())
        } else {
            let list: Vec<String> = taken.iter().map(u16::to_string).collect();
            Err(Error::IncorrectState(format!(
                "host ports {} are in use in region {region}",
                list.join(", ")
            )))
        }
    }

    fn pod_list(
        state: &State,
        observer: &Observer<'_>,
        ids: &[u64],
        page: PageRequest,
    ) -> Page<Pod> {
        let range = page.range(ids.len());
        let items = ids
            .get(range)
            .unwrap_or_default()
            .iter()
            .filter_map(|id| Self::view_pod(state, observer, PodId(*id)))
            .collect();
        Page {
            total: ids.len() as u64,
            items,
        }
    }
}

#[async_trait]
impl ClusterBackend for SimBackend {
    /// Everything but autoscaling: an autoscaler is kept and shown back, and the
    /// simulator runs the replicas asked for.
    fn capabilities(&self) -> Capabilities {
        let mut caps = Capabilities::ALL;
        caps.autoscaling = false;
        caps
    }

    async fn list_nodes(&self) -> Result<Vec<Node>> {
        Ok(self
            .read()?
            .state
            .nodes
            .iter()
            .map(|n| n.node.clone())
            .collect())
    }

    async fn create_tenant(&self, tenant: NewTenant) -> Result<Tenant> {
        self.mutate(|view| {
            let now = view.now;
            let state = &mut *view.state;
            let key = match tenant.key {
                TenantKey::Namespace(NamespaceId(0)) => {
                    let mut next = state.next.namespace;
                    while state
                        .tenants
                        .contains_key(&TenantKey::Namespace(NamespaceId(next)))
                    {
                        next = next.saturating_add(1);
                    }
                    state.next.namespace = next.saturating_add(1);
                    TenantKey::Namespace(NamespaceId(next))
                }
                other => other,
            };
            if state.tenants.contains_key(&key) {
                return Err(Error::already_exists(key.kind().name(), &key));
            }
            let stored = Tenant {
                key: key.clone(),
                token_hash: tenant.token_hash,
                privileged: tenant.privileged,
                attributes: tenant.attributes,
            };
            state
                .tokens
                .insert((key.kind(), tenant.token_hash), key.clone());
            state.feed.emit(now, || FeedEvent::TenantCreated {
                tenant: key.clone(),
            });
            state.tenants.insert(key, stored.clone());
            Ok(stored)
        })
    }

    async fn get_tenant(&self, key: &TenantKey) -> Result<Tenant> {
        self.read_untimed()?
            .tenants
            .get(key)
            .cloned()
            .ok_or_else(|| Error::not_found(key.kind().name(), key))
    }

    async fn find_tenant_by_token(&self, kind: TenantKind, token: &TokenHash) -> Result<Tenant> {
        let state = self.read_untimed()?;
        state
            .tokens
            .get(&(kind, *token))
            .and_then(|key| state.tenants.get(key))
            .cloned()
            .ok_or_else(|| Error::not_found("token", "presented"))
    }

    async fn create_workload(&self, tenant: &TenantKey, spec: WorkloadSpec) -> Result<Workload> {
        spec.check()?;
        self.mutate(|view| {
            let now = view.now;
            if *tenant != TenantKey::System && !view.state.tenants.contains_key(tenant) {
                return Err(Error::not_found(tenant.kind().name(), tenant));
            }
            let name_key = (tenant.clone(), Arc::<str>::from(spec.name.as_str()));
            if view.state.names.contains_key(&name_key) {
                return Err(Error::already_exists("workload", &spec.name));
            }
            Self::check_region_ports(&view.state, &spec, None)?;
            let id = WorkloadId(view.state.next.workload);
            let state = &mut *view.state;
            state.next.workload = state.next.workload.saturating_add(1);
            let template = state.intern(spec.template);
            state.workloads.insert(
                id,
                WorkloadRec {
                    tenant: tenant.clone(),
                    name: name_key.1,
                    labels: spec.labels,
                    annotations: spec.annotations,
                    template_hash: pods::template_hash(&template),
                    template,
                    kind: spec.kind,
                    replicas: spec.replicas,
                    pool: spec.pool,
                    autoscaler: spec.autoscaler,
                    object_name: spec.object_name.map(String::into_boxed_str),
                    created_at: now,
                    updated_at: now,
                    last_change: (Change::Created, now),
                    eip: None,
                    pods: Vec::new(),
                    claimed_out: Vec::new(),
                    ran_before: false,
                    deleting_until: None,
                },
            );
            state.index_workload(id);
            state.workload_event(now, id, |tenant, workload, name| {
                FeedEvent::WorkloadCreated {
                    tenant,
                    workload,
                    name,
                }
            });
            let (state, observer) = view.parts();
            pods::scale(state, &observer, id, PodOrigin::Create, false);
            let rec = Self::owned(state, now, tenant, id)?;
            Ok(Self::view_workload(state, &observer, id, rec))
        })
    }

    async fn get_workload(&self, tenant: &TenantKey, id: WorkloadId) -> Result<Workload> {
        let view = self.read()?;
        let rec = Self::owned(&view.state, view.now, tenant, id)?;
        Ok(Self::view_workload(&view.state, &view.observer(), id, rec))
    }

    async fn list_workloads(
        &self,
        query: &WorkloadQuery,
        page: PageRequest,
    ) -> Result<Page<Workload>> {
        let view = self.read()?;
        let state = &*view.state;
        let observer = view.observer();
        let now = view.now;
        let filtered = query.label.is_some()
            || query.name.is_some()
            || query.name_contains.is_some()
            || query.order != WorkloadOrder::Id;
        let mut merged;
        let kind_ok = |t: &TenantKey| query.tenant_kind.is_none_or(|k| t.kind() == k);
        let named: [u64; 1];
        let ids: &[u64] = match (query.tenants.as_deref(), &query.name) {
            (None, _) => match query.tenant_kind {
                None => state.all_workloads.as_slice(),
                Some(kind) => state
                    .kind_workloads
                    .get(&kind)
                    .map_or(&[], |l| l.as_slice()),
            },
            // One name of one tenant: the name index has it.
            (Some([t]), Some(name)) if kind_ok(t) => {
                match state.names.get(&(t.clone(), Arc::from(name.as_str()))) {
                    Some(id) => {
                        named = [id.0];
                        &named
                    }
                    None => &[],
                }
            }
            (Some([t]), _) if kind_ok(t) => {
                state.tenant_workloads.get(t).map_or(&[], |l| l.as_slice())
            }
            (Some([_]), _) => &[],
            (Some(tenants), _) => {
                merged = tenants
                    .iter()
                    .filter(|t| kind_ok(t))
                    .filter_map(|t| state.tenant_workloads.get(t))
                    .flat_map(|l| l.as_slice().iter().copied())
                    .collect::<Vec<u64>>();
                merged.sort_unstable();
                merged.dedup();
                &merged
            }
        };
        let visible = |rec: &WorkloadRec| {
            !rec.gone(now)
                && query.name.as_deref().is_none_or(|n| *rec.name == *n)
                && query
                    .name_contains
                    .as_deref()
                    .is_none_or(|n| rec.name.contains(n))
                && query
                    .label
                    .as_ref()
                    .is_none_or(|(k, v)| rec.labels.get(k) == Some(v))
        };
        if !filtered && state.events.is_empty() {
            // The index holds exactly the visible workloads: page it directly.
            let range = page.range(ids.len());
            let items = ids
                .get(range)
                .unwrap_or_default()
                .iter()
                .filter_map(|id| {
                    let id = WorkloadId(*id);
                    state
                        .workloads
                        .get(&id)
                        .map(|rec| Self::view_workload(state, &observer, id, rec))
                })
                .collect();
            return Ok(Page {
                total: ids.len() as u64,
                items,
            });
        }
        let mut matching: Vec<(WorkloadId, &WorkloadRec)> = ids
            .iter()
            .filter_map(|id| {
                state
                    .workloads
                    .get(&WorkloadId(*id))
                    .map(|rec| (WorkloadId(*id), rec))
            })
            .filter(|(_, rec)| visible(rec))
            .collect();
        match query.order {
            WorkloadOrder::Id => {}
            WorkloadOrder::IdDesc => matching.reverse(),
            WorkloadOrder::UpdatedDesc => {
                matching.sort_by(|a, b| b.1.updated_at.cmp(&a.1.updated_at).then(b.0.cmp(&a.0)));
            }
        }
        let total = matching.len() as u64;
        let range = page.range(matching.len());
        let items = matching
            .get(range)
            .unwrap_or_default()
            .iter()
            .map(|(id, rec)| Self::view_workload(state, &observer, *id, rec))
            .collect();
        Ok(Page { total, items })
    }

    async fn update_workload(
        &self,
        tenant: &TenantKey,
        id: WorkloadId,
        spec: WorkloadSpec,
    ) -> Result<Workload> {
        self.mutate(|view| {
            let now = view.now;
            let rec = Self::owned(&view.state, now, tenant, id)?;
            spec.check_replacing(&rec.name, rec.kind, rec.object_name.as_deref())?;
            spec.check()?;
            if rec.deleting_until.is_some() {
                return Err(Error::IncorrectState(format!(
                    "workload {id} is being deleted"
                )));
            }
            Self::check_region_ports(&view.state, &spec, Some(id))?;
            let rec = Self::owned(&view.state, now, tenant, id)?;
            let template_changed = *rec.template != *spec.template;
            let changed = template_changed
                || rec.labels != spec.labels
                || rec.annotations != spec.annotations
                || rec.replicas != spec.replicas
                || rec.pool != spec.pool
                || rec.autoscaler != spec.autoscaler;
            let old = rec.template.clone();
            let (state, observer) = view.parts();
            if template_changed {
                let new = state.intern(spec.template);
                if let Some(rec) = state.workloads.get_mut(&id) {
                    rec.template_hash = pods::template_hash(&new);
                    rec.template = new;
                }
                state.release(&old);
            }
            drop(old);
            if let Some(rec) = state.workloads.get_mut(&id) {
                rec.labels = spec.labels;
                rec.annotations = spec.annotations;
                rec.replicas = spec.replicas;
                rec.pool = spec.pool;
                rec.autoscaler = spec.autoscaler;
                if changed {
                    rec.updated_at = now;
                    rec.last_change = (Change::Updated, now);
                }
            }
            if changed {
                state.workload_event(now, id, |tenant, workload, name| {
                    FeedEvent::WorkloadUpdated {
                        tenant,
                        workload,
                        name,
                    }
                });
            }
            if template_changed {
                pods::replace_all(state, &observer, id, PodOrigin::Rollout);
            }
            pods::scale(state, &observer, id, PodOrigin::Rollout, true);
            let rec = Self::owned(state, now, tenant, id)?;
            Ok(Self::view_workload(state, &observer, id, rec))
        })
    }

    async fn delete_workload(&self, tenant: &TenantKey, id: WorkloadId) -> Result<()> {
        self.mutate(|view| {
            let now = view.now;
            let rec = Self::owned(&view.state, now, tenant, id)?;
            let (pool, deleting) = (rec.kind == WorkloadKind::Pool, rec.deleting_until.is_some());
            let until = now.plus_millis(ms(view.delays.restart));
            let (state, observer) = view.parts();
            if pool && deleting {
                return Err(Error::not_found("workload", id));
            }
            state.workload_event(now, id, |tenant, workload, name| {
                FeedEvent::WorkloadDeleted {
                    tenant,
                    workload,
                    name,
                }
            });
            if pool {
                if until <= now {
                    pools::purge(state, &observer, id);
                } else {
                    if let Some(rec) = state.workloads.get_mut(&id) {
                        rec.deleting_until = Some(until);
                    }
                    state.schedule(until, Event::Purge(id));
                }
                return Ok(());
            }
            pools::purge(state, &observer, id);
            Ok(())
        })
    }

    async fn recreate_pods(
        &self,
        tenant: &TenantKey,
        id: WorkloadId,
        only: Option<PodId>,
    ) -> Result<()> {
        self.mutate(|view| {
            let now = view.now;
            let rec = Self::owned(&view.state, now, tenant, id)?;
            if let Some(pod) = only
                && !rec.pods.contains(&pod)
            {
                return Err(Error::not_found("pod", pod));
            }
            let (state, observer) = view.parts();
            match only {
                Some(pod) => pods::replace_pod(state, &observer, id, pod, PodOrigin::Rollout),
                None => pods::replace_all(state, &observer, id, PodOrigin::Rollout),
            }
            Ok(())
        })
    }

    async fn restart_container(
        &self,
        tenant: &TenantKey,
        workload: WorkloadId,
        container: ContainerId,
    ) -> Result<()> {
        let (pod, name) = {
            let view = self.read()?;
            let rec = Self::owned(&view.state, view.now, tenant, workload)?;
            rec.pods
                .iter()
                .filter_map(|p| view.state.pods.get(p).map(|pod| (*p, pod)))
                .find_map(|(id, pod)| {
                    let index =
                        usize::try_from(container.0.checked_sub(pod.first_container)?).ok()?;
                    (index < pod.containers.len()).then(|| {
                        rec.template
                            .containers
                            .get(index)
                            .map(|c| (id, c.name.clone()))
                    })?
                })
                .ok_or_else(|| Error::not_found("container", container))?
        };
        self.take_down(pod, &name, false)
    }

    async fn list_pods(&self, query: &PodQuery, page: PageRequest) -> Result<Page<Pod>> {
        let view = self.read()?;
        let state = &*view.state;
        let observer = view.observer();
        match query {
            PodQuery::Workload(tenant, id) => {
                let rec = Self::owned(state, view.now, tenant, *id)?;
                let ids: Vec<u64> = rec
                    .pods
                    .iter()
                    .chain(rec.claimed_out.iter())
                    .map(|p| p.0)
                    .collect();
                let mut ids = ids;
                ids.sort_unstable();
                Ok(Self::pod_list(state, &observer, &ids, page))
            }
            PodQuery::Workloads(tenant, workloads) => {
                let mut ids: Vec<u64> = workloads
                    .iter()
                    .filter_map(|w| Self::owned(state, view.now, tenant, *w).ok())
                    .flat_map(|rec| rec.pods.iter().chain(rec.claimed_out.iter()).map(|p| p.0))
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                Ok(Self::pod_list(state, &observer, &ids, page))
            }
            PodQuery::Node(tenant, node) => {
                let index = state.nodes.iter().position(|n| n.node.name == *node);
                let ids = index
                    .and_then(|i| u32::try_from(i).ok())
                    .and_then(|i| state.node_pods.get(&(tenant.clone(), i)))
                    .map_or(&[][..], |l| l.as_slice());
                Ok(Self::pod_list(state, &observer, ids, page))
            }
            PodQuery::Group(tenant, group) => {
                let ids = state
                    .group_pods
                    .get(&(tenant.clone(), Box::from(group.as_str())))
                    .map_or(&[][..], |l| l.as_slice());
                Ok(Self::pod_list(state, &observer, ids, page))
            }
            _ => Err(Error::Unsupported {
                operation: "this pod query",
                backend: "simulator",
            }),
        }
    }

    async fn container_log(
        &self,
        tenant: &TenantKey,
        pod: PodId,
        container: &str,
        tail_lines: Option<u64>,
    ) -> Result<String> {
        let view = self.read()?;
        let observer = view.observer();
        let (rec, workload) = Self::owned_pod(&view.state, view.now, tenant, pod)?;
        let (index, spec) = workload.container(container)?;
        let state_now = observer.container_state(rec, &workload.template, index);
        Ok(logs::render(
            &LogSource {
                container,
                image: &spec.image,
                created_at: rec.created_at,
                state: &state_now,
                restarts: rec.containers.get(index).map_or(0, |c| c.restarts),
                now: observer.now,
            },
            tail_lines,
        ))
    }

    async fn claim_pool_pod(
        &self,
        tenant: &TenantKey,
        pool: WorkloadId,
        instance: &str,
    ) -> Result<Pod> {
        self.mutate(|view| {
            let now = view.now;
            Self::owned(&view.state, now, tenant, pool)?;
            let (state, observer) = view.parts();
            let pod = pools::claim(state, &observer, pool, instance)?;
            Self::view_pod(state, &observer, pod).ok_or_else(|| Error::not_found("pod", pod))
        })
    }

    async fn release_pool_pod(
        &self,
        tenant: &TenantKey,
        pool: WorkloadId,
        pod: PodId,
    ) -> Result<()> {
        self.mutate(|view| {
            let now = view.now;
            Self::owned(&view.state, now, tenant, pool)?;
            let (state, observer) = view.parts();
            pools::release(state, &observer, pool, pod)
        })
    }

    async fn occupied_host_ports(
        &self,
        region: &str,
        ports: &[u16],
        ignore: Option<(&TenantKey, WorkloadId)>,
    ) -> Result<Vec<u16>> {
        let view = self.read()?;
        if !view.state.nodes.iter().any(|n| n.node.region == region) {
            return Err(Error::not_found("region", region));
        }
        let ignore =
            ignore.and_then(|(t, w)| Self::owned(&view.state, view.now, t, w).ok().map(|_| w));
        Ok(Self::occupied(&view.state, region, ports, ignore))
    }

    async fn image_exists(&self, reference: &str) -> Result<bool> {
        Ok(self.images().contains(reference))
    }

    async fn raw_pod(
        &self,
        tenant: &TenantKey,
        pod: PodId,
    ) -> Result<k8s_openapi::api::core::v1::Pod> {
        let view = self.read()?;
        let observer = view.observer();
        let (rec, workload) = Self::owned_pod(&view.state, view.now, tenant, pod)?;
        let seen = Self::view_pod(&view.state, &observer, pod)
            .ok_or_else(|| Error::not_found("pod", pod))?;
        let node_ip = seen.node.as_ref().and(rec.node).map(node_ip);
        Ok(raw_pod::render(
            &seen,
            &workload.template,
            node_ip,
            view.now,
        ))
    }

    async fn create_eip(&self, id: &str, address: &str) -> Result<Eip> {
        self.mutate(|view| {
            if view.state.eips.contains_key(id) {
                return Err(Error::already_exists("eip", id));
            }
            let eip = Eip {
                id: id.to_owned(),
                address: address.to_owned(),
                holder: None,
            };
            view.state.eips.insert(id.to_owned(), eip.clone());
            view.state
                .feed
                .emit(view.now, || FeedEvent::EipCreated { eip: id.to_owned() });
            Ok(eip)
        })
    }

    async fn list_eips(&self) -> Result<Vec<Eip>> {
        Ok(self.read()?.state.eips.values().cloned().collect())
    }

    async fn associate_eip(
        &self,
        tenant: &TenantKey,
        workload: WorkloadId,
        eip: &str,
    ) -> Result<()> {
        self.mutate(|view| {
            let rec = Self::owned(&view.state, view.now, tenant, workload)?;
            let held = rec.eip.is_some();
            let state = &mut *view.state;
            let entry = state
                .eips
                .get(eip)
                .ok_or_else(|| Error::not_found("eip", eip))?;
            if entry.holder.is_some() {
                return Err(Error::IncorrectState(format!(
                    "EIP {eip} is held by a workload"
                )));
            }
            if held {
                return Err(Error::IncorrectState(format!(
                    "workload {workload} holds an EIP already"
                )));
            }
            if let Some(entry) = state.eips.get_mut(eip) {
                entry.holder = Some((tenant.clone(), workload));
            }
            if let Some(rec) = state.workloads.get_mut(&workload) {
                rec.eip = Some(eip.into());
            }
            state.feed.emit(view.now, || FeedEvent::EipAssociated {
                tenant: tenant.clone(),
                workload: workload.0,
                eip: eip.to_owned(),
            });
            Ok(())
        })
    }

    async fn unassociate_eip(
        &self,
        tenant: &TenantKey,
        workload: WorkloadId,
        eip: &str,
    ) -> Result<()> {
        self.mutate(|view| {
            Self::owned(&view.state, view.now, tenant, workload)?;
            let state = &mut *view.state;
            let entry = state
                .eips
                .get_mut(eip)
                .ok_or_else(|| Error::not_found("eip", eip))?;
            if entry.holder != Some((tenant.clone(), workload)) {
                return Err(Error::IncorrectState(format!(
                    "EIP {eip} is not associated with workload {workload}"
                )));
            }
            entry.holder = None;
            if let Some(rec) = state.workloads.get_mut(&workload) {
                rec.eip = None;
            }
            state.feed.emit(view.now, || FeedEvent::EipUnassociated {
                tenant: tenant.clone(),
                workload: workload.0,
                eip: eip.to_owned(),
            });
            Ok(())
        })
    }

    async fn create_config(&self, tenant: &TenantKey, config: NewConfig) -> Result<ConfigObject> {
        self.create_config_now(tenant, config)
    }

    async fn get_config(
        &self,
        tenant: &TenantKey,
        kind: ConfigKind,
        id: &str,
    ) -> Result<ConfigObject> {
        self.get_config_now(tenant, kind, id)
    }

    async fn list_configs(&self, query: &ConfigQuery) -> Result<Vec<ConfigObject>> {
        self.list_configs_now(query)
    }

    async fn update_config(
        &self,
        tenant: &TenantKey,
        kind: ConfigKind,
        id: &str,
        data: std::collections::BTreeMap<String, String>,
        attributes: std::collections::BTreeMap<String, String>,
    ) -> Result<ConfigObject> {
        self.update_config_now(tenant, kind, id, data, attributes)
    }

    async fn delete_config(&self, tenant: &TenantKey, kind: ConfigKind, id: &str) -> Result<()> {
        self.delete_config_now(tenant, kind, id)
    }
}

/// Shares a simulator as a trait object.
impl From<SimBackend> for Arc<dyn ClusterBackend> {
    fn from(sim: SimBackend) -> Self {
        Arc::new(sim)
    }
}
