//! What every handler shares: the dialect services, the backend, the admin token and
//! the metrics.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use podgate_core::dialects::ief::IefService;
use podgate_core::dialects::ncs::{NcsConfig, NcsService};
use podgate_core::dialects::vkube::{VkubeConfig, VkubeService};
use podgate_core::dialects::yuanrong::{YrConfig, YuanrongService};
use podgate_core::feed::Feed;
use podgate_core::model::Timestamp;
use podgate_core::secret::TokenHash;
use podgate_core::{ClusterBackend, SimulatorControls};

use crate::metrics::Metrics;

/// Settings of the HTTP adapter.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// The admin token (`Authorization: Bearer <token>` on `/admin/v1/...`).
    pub admin_token: String,
    /// The optional bearer token of the openYuanrong API.
    pub yuanrong_token: Option<String>,
    /// The largest request body accepted.
    pub body_limit: usize,
    /// How long a request may take before it is answered with a timeout error.
    pub request_timeout: Duration,
    /// How many entries the event feed keeps when the backend has no feed of its own
    /// (Kubernetes: the requests this server answered); 0 turns it off. A simulator
    /// brings its own feed (`podgate_backend_sim::SimConfig::feed_capacity`).
    pub feed_capacity: usize,
}

impl HttpConfig {
    /// Defaults (1 MiB bodies, 30 s timeout) with this admin token.
    pub fn new(admin_token: impl Into<String>) -> Self {
        Self {
            admin_token: admin_token.into(),
            yuanrong_token: None,
            body_limit: 1 << 20,
            request_timeout: Duration::from_secs(30),
            feed_capacity: podgate_core::feed::DEFAULT_CAPACITY,
        }
    }
}

/// The state behind every route.
#[derive(Debug, Clone)]
pub struct AppState {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) backend: Arc<dyn ClusterBackend>,
    pub(crate) sim: Option<Arc<dyn SimulatorControls>>,
    pub(crate) ncs: NcsService,
    pub(crate) ief: IefService,
    pub(crate) vkube: VkubeService,
    pub(crate) yuanrong: YuanrongService,
    pub(crate) admin: TokenHash,
    pub(crate) config: HttpConfig,
    pub(crate) metrics: Metrics,
    /// The event feed: the simulator's, or one of the requests alone; none when off.
    pub(crate) feed: Option<Arc<Feed>>,
    /// Turns true when the server shuts down: live streams end.
    pub(crate) closing: watch::Sender<bool>,
}

impl AppState {
    /// State over `backend`; give `sim` when the backend is the simulator, so that the
    /// admin API can move its clock.
    pub fn new(
        backend: Arc<dyn ClusterBackend>,
        sim: Option<Arc<dyn SimulatorControls>>,
        config: HttpConfig,
    ) -> Self {
        let feed = match &sim {
            Some(sim) => sim.feed(),
            None => (config.feed_capacity > 0).then(|| Arc::new(Feed::new(config.feed_capacity))),
        };
        let inner = Inner {
            ncs: NcsService::new(backend.clone(), NcsConfig::default()),
            ief: IefService::new(backend.clone()),
            vkube: VkubeService::new(backend.clone(), VkubeConfig::default()),
            yuanrong: YuanrongService::new(
                backend.clone(),
                YrConfig::default(),
                config.yuanrong_token.as_deref(),
            ),
            admin: TokenHash::of(&config.admin_token),
            backend,
            sim,
            config,
            metrics: Metrics::default(),
            feed,
            closing: watch::Sender::new(false),
        };
        Self {
            inner: Arc::new(inner),
        }
    }

    /// The backend behind the routes.
    pub fn backend(&self) -> Arc<dyn ClusterBackend> {
        self.inner.backend.clone()
    }

    /// A state over a simulator, with the admin API's clock controls.
    pub fn simulated<S: ClusterBackend + SimulatorControls>(
        sim: Arc<S>,
        config: HttpConfig,
    ) -> Self {
        Self::new(sim.clone(), Some(sim), config)
    }

    /// The simulator's controls, when the backend is the simulator.
    pub fn simulator(&self) -> Option<Arc<dyn SimulatorControls>> {
        self.inner.sim.clone()
    }

    /// Ends the live event streams, so that a graceful shutdown need not wait for
    /// their clients to leave. Call it when the shutdown begins.
    pub fn close_streams(&self) {
        self.inner.closing.send_replace(true);
    }

    /// Now, on the backend's clock: simulated time on the simulator.
    pub(crate) fn now(&self) -> Timestamp {
        self.inner
            .sim
            .as_ref()
            .map_or_else(Timestamp::now, |sim| sim.now())
    }

    /// Whether `presented` is the admin token (constant-time). Takes the presented text,
    /// or its [`TokenHash`] when the caller has it already, as the services'
    /// `authenticate` do.
    pub(crate) fn is_admin(&self, presented: impl Into<TokenHash>) -> bool {
        self.inner.admin.ct_eq(&presented.into())
    }
}
