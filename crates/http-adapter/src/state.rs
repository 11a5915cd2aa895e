//! What every handler shares: the dialect services, the backend, the admin token and
//! the metrics.

use std::sync::Arc;
use std::time::Duration;

use podgate_core::dialects::ief::IefService;
use podgate_core::dialects::ncs::{NcsConfig, NcsService};
use podgate_core::dialects::vkube::{VkubeConfig, VkubeService};
use podgate_core::dialects::yuanrong::{YrConfig, YuanrongService};
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
}

impl HttpConfig {
    /// Defaults (1 MiB bodies, 30 s timeout) with this admin token.
    pub fn new(admin_token: impl Into<String>) -> Self {
        Self {
            admin_token: admin_token.into(),
            yuanrong_token: None,
            body_limit: 1 << 20,
            request_timeout: Duration::from_secs(30),
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
}

impl AppState {
    /// State over `backend`; give `sim` when the backend is the simulator, so that the
    /// admin API can move its clock.
    pub fn new(
        backend: Arc<dyn ClusterBackend>,
        sim: Option<Arc<dyn SimulatorControls>>,
        config: HttpConfig,
    ) -> Self {
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

    /// Whether `presented` is the admin token (constant-time). Takes the presented text,
    /// or its [`TokenHash`] when the caller has it already, as the services'
    /// `authenticate` do.
    pub(crate) fn is_admin(&self, presented: impl Into<TokenHash>) -> bool {
        self.inner.admin.ct_eq(&presented.into())
    }
}
