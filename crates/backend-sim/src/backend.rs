//! `SimBackend`: the `ClusterBackend` implementation, and the simulator's own controls
//! (clock, faults, images).

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use async_trait::async_trait;
use podgate_core::model::{
    ContainerId, Eip, NamespaceId, NewTenant, Node, Page, PageRequest, Pod, PodId, PodQuery,
    Tenant, TenantKey, TenantKind, Timestamp, Workload, WorkloadId, WorkloadQuery, WorkloadSpec,
};
use podgate_core::secret::TokenHash;
use podgate_core::{Capabilities, ClusterBackend, Error, Result};

use crate::clock::SimClock;
use crate::config::{Delays, SimConfig};
use crate::images::ImageCatalogue;
use crate::lifecycle::Observer;
use crate::logs::{self, LogSource};
use crate::scheduler;
use crate::state::{ContainerRec, NodeState, PodOrigin, PodRec, State, WorkloadRec};

/// An in-memory cluster: scheduling, pod lifecycle on a controllable clock, faults and
/// synthetic logs. Cheap to create; share it as `Arc<SimBackend>`.
pub struct SimBackend {
    state: RwLock<State>,
    images: RwLock<ImageCatalogue>,
    clock: SimClock,
    delays: Delays,
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

fn tenant_kind_name(key: &TenantKey) -> &'static str {
    match key.kind() {
        TenantKind::Namespace => "namespace",
        _ => "tenant",
    }
}

impl SimBackend {
    /// A simulator started from `config`.
    pub fn new(config: SimConfig) -> Self {
        let nodes = config
            .topology
            .nodes
            .into_iter()
            .map(|node| NodeState {
                node,
                used: Default::default(),
                pods: 0,
                host_ports: Default::default(),
            })
            .collect();
        Self {
            state: RwLock::new(State {
                nodes,
                ..State::default()
            }),
            images: RwLock::new(config.images),
            clock: SimClock::new(config.clock),
            delays: config.delays,
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn images(&self) -> RwLockReadGuard<'_, ImageCatalogue> {
        self.images.read().unwrap_or_else(PoisonError::into_inner)
    }

    // ---- the simulator's own controls ---------------------------------------------

    /// Simulated now.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Moves simulated time forward; pods move on through their lifecycle accordingly.
    /// Returns the new now.
    pub fn advance(&self, by: Duration) -> Timestamp {
        self.clock.advance(by)
    }

    /// Adds an image to the simulated registry; pods waiting for it start on their
    /// next pull.
    pub fn add_image(&self, reference: &str) {
        self.images
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(reference);
    }

    /// Whether the simulated registry holds `reference`.
    pub fn image_exists(&self, reference: &str) -> bool {
        self.images().contains(reference)
    }

    /// Fault: the named container of a pod crashes. Its restart count grows and it
    /// waits in `CrashLoopBackOff` for the crash back-off before it runs again.
    pub fn crash_container(&self, pod: PodId, container: &str) -> Result<()> {
        self.take_down(pod, container, true)
    }

    fn take_down(&self, pod_id: PodId, container: &str, crashed: bool) -> Result<()> {
        let now = self.now();
        let images = self.images();
        let mut state = self.write();
        let state = &mut *state;
        let pod = state
            .pods
            .get_mut(&pod_id)
            .ok_or_else(|| Error::not_found("pod", pod_id))?;
        let workload = state
            .workloads
            .get(&pod.workload)
            .ok_or_else(|| Error::not_found("pod", pod_id))?;
        let index = workload
            .template
            .containers
            .iter()
            .position(|c| c.name == container)
            .ok_or_else(|| Error::not_found("container", container))?;
        let observer = Observer {
            now,
            delays: &self.delays,
            images: &images,
        };
        let image = workload
            .template
            .containers
            .get(index)
            .map(|c| c.image.as_str())
            .unwrap_or_default();
        if !matches!(
            observer.container_state(pod, index, image),
            podgate_core::model::ContainerState::Running { .. }
        ) {
            return Err(Error::IncorrectState(format!(
                "container {container} is not running"
            )));
        }
        if let Some(rec) = pod.containers.get_mut(index) {
            rec.restarts = rec.restarts.saturating_add(1);
            rec.last_down = Some((now, crashed));
        }
        Ok(())
    }

    /// Fault: a node is lost. Its pods are replaced by new ones placed elsewhere (they
    /// stay `Unschedulable` while no other node has room).
    pub fn lose_node(&self, name: &str) -> Result<()> {
        let now = self.now();
        let images = self.images();
        let mut state = self.write();
        let index = state
            .nodes
            .iter()
            .position(|n| n.node.name == name)
            .ok_or_else(|| Error::not_found("node", name))?;
        if let Some(node) = state.nodes.get_mut(index) {
            node.node.ready = false;
        }
        let index = u32::try_from(index).ok();
        let victims: Vec<(PodId, WorkloadId)> = state
            .pods
            .iter()
            .filter(|(_, p)| p.node == index)
            .map(|(id, p)| (*id, p.workload))
            .collect();
        for (_, workload) in victims {
            self.replace_pod(&mut state, workload, PodOrigin::Recovery, now, &images);
        }
        Ok(())
    }

    /// Brings a lost node back; pods waiting for room are placed again.
    pub fn restore_node(&self, name: &str) -> Result<()> {
        let now = self.now();
        let mut state = self.write();
        let node = state
            .nodes
            .iter_mut()
            .find(|n| n.node.name == name)
            .ok_or_else(|| Error::not_found("node", name))?;
        node.node.ready = true;
        Self::retry_unschedulable(&mut state, now, &self.delays);
        Ok(())
    }

    /// Moves the workload id counter forward so that the next workload gets at least
    /// `next` (never backward, so ids stay unique). Lets a test reproduce a vendor
    /// example that names a particular id.
    pub fn skip_workload_ids_to(&self, next: WorkloadId) {
        let mut state = self.write();
        state.next.workload = state.next.workload.max(next.0);
    }

    /// How many distinct pod templates are stored (identical ones are shared).
    pub fn stored_templates(&self) -> usize {
        self.read().templates.len()
    }

    // ---- internals -----------------------------------------------------------------

    fn observer<'a>(&'a self, images: &'a ImageCatalogue) -> Observer<'a> {
        Observer {
            now: self.now(),
            delays: &self.delays,
            images,
        }
    }

    fn view(state: &State, observer: &Observer<'_>, id: WorkloadId, rec: &WorkloadRec) -> Workload {
        let pod = rec.pod.and_then(|p| state.pods.get(&p));
        Workload {
            tenant: rec.tenant.clone(),
            id,
            spec: WorkloadSpec {
                name: rec.name.to_string(),
                labels: rec.labels.clone(),
                template: rec.template.clone(),
            },
            created_at: rec.created_at,
            updated_at: rec.updated_at,
            eip: rec.eip.as_deref().map(str::to_owned),
            status: observer.workload_status(rec, pod),
        }
    }

    /// Creates a pod for `workload` and places it if it can.
    fn start_pod(
        &self,
        state: &mut State,
        workload: WorkloadId,
        origin: PodOrigin,
        now: Timestamp,
    ) -> Option<PodId> {
        let template = state.workloads.get(&workload)?.template.clone();
        let id = PodId(state.next.pod);
        state.next.pod = state.next.pod.saturating_add(1);
        let count = template.containers.len();
        let first_container = state.next.container;
        state.next.container = state.next.container.saturating_add(count as u64);
        let node = scheduler::place(&mut state.nodes, &template);
        if node.is_none() {
            state.unschedulable.insert(id);
        }
        let schedule = i64::try_from(self.delays.schedule.as_millis()).unwrap_or(i64::MAX);
        state.pods.insert(
            id,
            PodRec {
                workload,
                origin,
                node,
                created_at: now,
                bound_at: now.plus_millis(schedule),
                first_container,
                containers: vec![ContainerRec::default(); count].into_boxed_slice(),
            },
        );
        if let Some(rec) = state.workloads.get_mut(&workload) {
            rec.pod = Some(id);
        }
        Some(id)
    }

    /// Removes a pod, gives back what it held, and places waiting pods.
    fn remove_pod(state: &mut State, id: PodId, now: Timestamp, delays: &Delays) {
        let Some(pod) = state.pods.remove(&id) else {
            return;
        };
        state.unschedulable.remove(&id);
        let template = state
            .workloads
            .get(&pod.workload)
            .map(|w| w.template.clone());
        if let (Some(index), Some(template)) = (pod.node, template)
            && let Some(node) = state.nodes.get_mut(index as usize)
        {
            scheduler::release(node, &template);
        }
        Self::retry_unschedulable(state, now, delays);
    }

    fn retry_unschedulable(state: &mut State, now: Timestamp, delays: &Delays) {
        let waiting: Vec<PodId> = state.unschedulable.iter().copied().collect();
        let schedule = i64::try_from(delays.schedule.as_millis()).unwrap_or(i64::MAX);
        for id in waiting {
            let Some(workload) = state.pods.get(&id).map(|p| p.workload) else {
                state.unschedulable.remove(&id);
                continue;
            };
            let Some(template) = state.workloads.get(&workload).map(|w| w.template.clone()) else {
                continue;
            };
            if let Some(node) = scheduler::place(&mut state.nodes, &template) {
                state.unschedulable.remove(&id);
                if let Some(pod) = state.pods.get_mut(&id) {
                    pod.node = Some(node);
                    pod.bound_at = now.plus_millis(schedule);
                }
            }
        }
    }

    /// Replaces a workload's pod by a new one, remembering whether the old one ran.
    fn replace_pod(
        &self,
        state: &mut State,
        workload: WorkloadId,
        origin: PodOrigin,
        now: Timestamp,
        images: &ImageCatalogue,
    ) {
        let observer = Observer {
            now,
            delays: &self.delays,
            images,
        };
        let Some(rec) = state.workloads.get(&workload) else {
            return;
        };
        let old = rec.pod;
        let ran = old
            .and_then(|p| state.pods.get(&p))
            .is_some_and(|p| observer.pod_running(p, rec));
        if let Some(rec) = state.workloads.get_mut(&workload) {
            rec.ran_before |= ran;
            rec.pod = None;
        }
        if let Some(old) = old {
            Self::remove_pod(state, old, now, &self.delays);
        }
        self.start_pod(state, workload, origin, now);
    }

    fn owned<'a>(state: &'a State, tenant: &TenantKey, id: WorkloadId) -> Result<&'a WorkloadRec> {
        state
            .workloads
            .get(&id)
            .filter(|w| w.tenant == *tenant)
            .ok_or_else(|| Error::not_found("workload", id))
    }
}

#[async_trait]
impl ClusterBackend for SimBackend {
    fn capabilities(&self) -> Capabilities {
        Capabilities::ALL
    }

    async fn list_nodes(&self) -> Result<Vec<Node>> {
        Ok(self.read().nodes.iter().map(|n| n.node.clone()).collect())
    }

    async fn create_tenant(&self, tenant: NewTenant) -> Result<Tenant> {
        let mut state = self.write();
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
            return Err(Error::already_exists(tenant_kind_name(&key), &key));
        }
        let stored = Tenant {
            key: key.clone(),
            token_hash: tenant.token_hash,
            privileged: tenant.privileged,
        };
        state
            .tokens
            .insert((key.kind(), tenant.token_hash), key.clone());
        state.tenants.insert(key, stored.clone());
        Ok(stored)
    }

    async fn get_tenant(&self, key: &TenantKey) -> Result<Tenant> {
        self.read()
            .tenants
            .get(key)
            .cloned()
            .ok_or_else(|| Error::not_found(tenant_kind_name(key), key))
    }

    async fn find_tenant_by_token(&self, kind: TenantKind, token: &TokenHash) -> Result<Tenant> {
        let state = self.read();
        state
            .tokens
            .get(&(kind, *token))
            .and_then(|key| state.tenants.get(key))
            .cloned()
            .ok_or_else(|| Error::not_found("token", "presented"))
    }

    async fn create_workload(&self, tenant: &TenantKey, spec: WorkloadSpec) -> Result<Workload> {
        if spec.name.is_empty() {
            return Err(Error::invalid("name", "must not be empty"));
        }
        let now = self.now();
        let images = self.images();
        let mut state = self.write();
        if !state.tenants.contains_key(tenant) {
            return Err(Error::not_found(tenant_kind_name(tenant), tenant));
        }
        let name_key = (tenant.clone(), Box::<str>::from(spec.name.as_str()));
        if state.names.contains_key(&name_key) {
            return Err(Error::already_exists("workload", &spec.name));
        }
        let id = WorkloadId(state.next.workload);
        state.next.workload = state.next.workload.saturating_add(1);
        let template = state.intern(spec.template);
        state.workloads.insert(
            id,
            WorkloadRec {
                tenant: tenant.clone(),
                name: name_key.1.clone(),
                labels: spec.labels,
                template,
                created_at: now,
                updated_at: now,
                eip: None,
                pod: None,
                ran_before: false,
            },
        );
        state.names.insert(name_key, id);
        state.all_workloads.insert(id.0);
        state
            .tenant_workloads
            .entry(tenant.clone())
            .or_default()
            .insert(id.0);
        self.start_pod(&mut state, id, PodOrigin::Create, now);
        let observer = self.observer(&images);
        let rec = Self::owned(&state, tenant, id)?;
        Ok(Self::view(&state, &observer, id, rec))
    }

    async fn get_workload(&self, tenant: &TenantKey, id: WorkloadId) -> Result<Workload> {
        let images = self.images();
        let state = self.read();
        let rec = Self::owned(&state, tenant, id)?;
        Ok(Self::view(&state, &self.observer(&images), id, rec))
    }

    async fn list_workloads(
        &self,
        query: &WorkloadQuery,
        page: PageRequest,
    ) -> Result<Page<Workload>> {
        let images = self.images();
        let state = self.read();
        let observer = self.observer(&images);
        let merged;
        let ids: &[u64] = match &query.tenants {
            None => state.all_workloads.as_slice(),
            Some(tenants) if tenants.len() == 1 => tenants
                .first()
                .and_then(|t| state.tenant_workloads.get(t))
                .map_or(&[], |l| l.as_slice()),
            Some(tenants) => {
                let mut all: Vec<u64> = tenants
                    .iter()
                    .filter_map(|t| state.tenant_workloads.get(t))
                    .flat_map(|l| l.as_slice().iter().copied())
                    .collect();
                all.sort_unstable();
                all.dedup();
                merged = all;
                &merged
            }
        };
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
                    .map(|rec| Self::view(&state, &observer, id, rec))
            })
            .collect();
        Ok(Page {
            total: ids.len() as u64,
            items,
        })
    }

    async fn update_workload(
        &self,
        tenant: &TenantKey,
        id: WorkloadId,
        spec: WorkloadSpec,
    ) -> Result<Workload> {
        let now = self.now();
        let images = self.images();
        let mut state = self.write();
        let rec = Self::owned(&state, tenant, id)?;
        if *rec.name != *spec.name {
            return Err(Error::invalid("name", "cannot change"));
        }
        let template_changed = *rec.template != *spec.template;
        let labels_changed = rec.labels != spec.labels;
        if template_changed {
            let old = rec.template.clone();
            let new = state.intern(spec.template);
            if let Some(rec) = state.workloads.get_mut(&id) {
                rec.template = new;
            }
            state.release(&old);
            drop(old);
            self.replace_pod(&mut state, id, PodOrigin::Rollout, now, &images);
        }
        if let Some(rec) = state.workloads.get_mut(&id) {
            if labels_changed {
                rec.labels = spec.labels;
            }
            if template_changed || labels_changed {
                rec.updated_at = now;
            }
        }
        let observer = self.observer(&images);
        let rec = Self::owned(&state, tenant, id)?;
        Ok(Self::view(&state, &observer, id, rec))
    }

    async fn delete_workload(&self, tenant: &TenantKey, id: WorkloadId) -> Result<()> {
        let now = self.now();
        let mut state = self.write();
        Self::owned(&state, tenant, id)?;
        let pod = state.workloads.get(&id).and_then(|w| w.pod);
        if let Some(pod) = pod {
            // Release while the workload (and so its template) is still known.
            Self::remove_pod(&mut state, pod, now, &self.delays);
        }
        let Some(rec) = state.workloads.remove(&id) else {
            return Err(Error::not_found("workload", id));
        };
        state.names.remove(&(rec.tenant.clone(), rec.name.clone()));
        state.all_workloads.remove(id.0);
        if let Some(list) = state.tenant_workloads.get_mut(&rec.tenant) {
            list.remove(id.0);
        }
        if let Some(eip) = rec.eip.as_deref()
            && let Some(eip) = state.eips.get_mut(eip)
        {
            eip.holder = None;
        }
        state.release(&rec.template);
        Ok(())
    }

    async fn recreate_pod(&self, tenant: &TenantKey, id: WorkloadId) -> Result<()> {
        let now = self.now();
        let images = self.images();
        let mut state = self.write();
        Self::owned(&state, tenant, id)?;
        self.replace_pod(&mut state, id, PodOrigin::Rollout, now, &images);
        Ok(())
    }

    async fn restart_container(
        &self,
        tenant: &TenantKey,
        workload: WorkloadId,
        container: ContainerId,
    ) -> Result<()> {
        let (pod, name) = {
            let state = self.read();
            let rec = Self::owned(&state, tenant, workload)?;
            let pod_id = rec
                .pod
                .ok_or_else(|| Error::not_found("container", container))?;
            let pod = state
                .pods
                .get(&pod_id)
                .ok_or_else(|| Error::not_found("container", container))?;
            let index = container
                .0
                .checked_sub(pod.first_container)
                .and_then(|i| usize::try_from(i).ok())
                .filter(|i| *i < pod.containers.len())
                .ok_or_else(|| Error::not_found("container", container))?;
            let name = rec
                .template
                .containers
                .get(index)
                .map(|c| c.name.clone())
                .ok_or_else(|| Error::not_found("container", container))?;
            (pod_id, name)
        };
        self.take_down(pod, &name, false)
    }

    async fn list_pods(&self, query: &PodQuery, page: PageRequest) -> Result<Page<Pod>> {
        let images = self.images();
        let state = self.read();
        let observer = self.observer(&images);
        match query {
            PodQuery::Workload(tenant, id) => {
                let rec = Self::owned(&state, tenant, *id)?;
                let pods: Vec<Pod> = rec
                    .pod
                    .and_then(|p| {
                        state
                            .pods
                            .get(&p)
                            .map(|pod| observer.pod(p, pod, rec, &state.nodes))
                    })
                    .into_iter()
                    .collect();
                Ok(Page::from_vec(pods, page))
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
        let images = self.images();
        let state = self.read();
        let observer = self.observer(&images);
        let rec = state
            .pods
            .get(&pod)
            .ok_or_else(|| Error::not_found("pod", pod))?;
        let workload =
            Self::owned(&state, tenant, rec.workload).map_err(|_| Error::not_found("pod", pod))?;
        let index = workload
            .template
            .containers
            .iter()
            .position(|c| c.name == container)
            .ok_or_else(|| Error::not_found("container", container))?;
        let spec = workload
            .template
            .containers
            .get(index)
            .ok_or_else(|| Error::not_found("container", container))?;
        let state_now = observer.container_state(rec, index, &spec.image);
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

    async fn create_eip(&self, id: &str, address: &str) -> Result<Eip> {
        let mut state = self.write();
        if state.eips.contains_key(id) {
            return Err(Error::already_exists("eip", id));
        }
        let eip = Eip {
            id: id.to_owned(),
            address: address.to_owned(),
            holder: None,
        };
        state.eips.insert(id.to_owned(), eip.clone());
        Ok(eip)
    }

    async fn list_eips(&self) -> Result<Vec<Eip>> {
        Ok(self.read().eips.values().cloned().collect())
    }

    async fn associate_eip(
        &self,
        tenant: &TenantKey,
        workload: WorkloadId,
        eip: &str,
    ) -> Result<()> {
        let mut state = self.write();
        let rec = Self::owned(&state, tenant, workload)?;
        let held = rec.eip.is_some();
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
        Ok(())
    }

    async fn unassociate_eip(
        &self,
        tenant: &TenantKey,
        workload: WorkloadId,
        eip: &str,
    ) -> Result<()> {
        let mut state = self.write();
        Self::owned(&state, tenant, workload)?;
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
        Ok(())
    }
}

/// Shares a simulator as a trait object.
impl From<SimBackend> for Arc<dyn ClusterBackend> {
    fn from(sim: SimBackend) -> Self {
        Arc::new(sim)
    }
}
