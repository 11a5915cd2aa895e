//! `podgate`: the standalone server.

use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use podgate_backend_k8s::{K8sBackend, K8sConfig, RegistryConfig};
use podgate_backend_sim::{ClockMode, Delays, SimBackend, SimConfig};
use podgate_core::{ClusterBackend, SimulatorControls};
use podgate_http::{AppState, HttpConfig, app, serve, shutdown_signal};

/// A request allocates and frees many small buffers; mimalloc does that in about half
/// the time of the system allocator (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "podgate",
    version,
    about = "Four vendor container-management APIs over one core."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the four dialects, the admin API, health, metrics and /openapi.json.
    Serve(Serve),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Backend {
    /// The in-memory simulator.
    Sim,
    /// A Kubernetes cluster (kubeconfig or in-cluster).
    K8s,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SimDelays {
    /// Every lifecycle step is instant.
    Zero,
    /// Short delays resembling a real cluster.
    Realistic,
}

#[derive(Debug, clap::Args)]
struct Serve {
    /// Address to listen on.
    #[arg(long, env = "PODGATE_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// The cluster behind the APIs.
    #[arg(long, env = "PODGATE_BACKEND", value_enum, default_value = "sim")]
    backend: Backend,
    /// The SQLite file the simulator keeps its state in: every acknowledged change is
    /// on disk before the reply, and a restart picks up where it stopped.
    #[arg(long, env = "PODGATE_DB", default_value = "podgate.db")]
    db: std::path::PathBuf,
    /// Keep the simulator's state in memory only (lost when the server stops).
    #[arg(
        long,
        env = "PODGATE_IN_MEMORY",
        default_value_t = false,
        conflicts_with = "db"
    )]
    in_memory: bool,
    /// The admin API's bearer token; one is made and printed when absent.
    #[arg(long, env = "PODGATE_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// The simulator's lifecycle delays.
    #[arg(
        long,
        env = "PODGATE_SIM_DELAYS",
        value_enum,
        default_value = "realistic"
    )]
    sim_delays: SimDelays,
    /// How many entries the event feed (`/admin/v1/events`) keeps; 0 turns it off.
    /// The simulator keeps them in its file too.
    #[arg(long, env = "PODGATE_FEED_CAPACITY", default_value_t = podgate_core::feed::DEFAULT_CAPACITY)]
    feed_capacity: usize,
    /// A JSON topology file for the simulator.
    #[arg(long, env = "PODGATE_TOPOLOGY")]
    topology: Option<String>,
    /// The openYuanrong API's bearer token (none: no auth, as the vendor's API).
    #[arg(long, env = "PODGATE_YUANRONG_TOKEN", hide_env_values = true)]
    yuanrong_token: Option<String>,
    /// On Kubernetes: the namespace for what belongs to no tenant (id counters, EIPs,
    /// openYuanrong pools).
    #[arg(long, env = "PODGATE_K8S_NAMESPACE", default_value = "podgate-system")]
    k8s_namespace: String,
    /// On Kubernetes: the node label naming a node's region.
    #[arg(
        long,
        env = "PODGATE_REGION_LABEL",
        default_value = "topology.kubernetes.io/region"
    )]
    region_label: String,
    /// On Kubernetes: the node label naming a node's zone.
    #[arg(
        long,
        env = "PODGATE_ZONE_LABEL",
        default_value = "topology.kubernetes.io/zone"
    )]
    zone_label: String,
    /// On Kubernetes: the node label naming a node's group (IEF node groups).
    #[arg(
        long,
        env = "PODGATE_GROUP_LABEL",
        default_value = "podgate.io/node-group"
    )]
    group_label: String,
    /// On Kubernetes: the registry images without one are looked up in.
    #[arg(
        long,
        env = "PODGATE_IMAGE_REGISTRY",
        default_value = "registry-1.docker.io"
    )]
    image_registry: String,
    /// On Kubernetes: a registry to speak plain HTTP to (repeatable, or
    /// comma-separated in the environment variable).
    #[arg(long, env = "PODGATE_PLAIN_HTTP_REGISTRY", value_delimiter = ',')]
    plain_http_registry: Vec<String>,
    /// On Kubernetes: do not look images up (V-Kube's image check then answers 500).
    #[arg(long, env = "PODGATE_NO_IMAGE_LOOKUP", default_value_t = false)]
    no_image_lookup: bool,
    /// On Kubernetes: the StorageClass of a disk type, `DISKTYPE=CLASS` (repeatable, or
    /// comma-separated in the environment variable); a type not given gets its name in
    /// kebab case (`CloudSsd` → `cloud-ssd`).
    #[arg(long, env = "PODGATE_STORAGE_CLASS", value_delimiter = ',', value_parser = storage_class)]
    storage_class: Vec<(String, String)>,
    /// On Kubernetes: the ClusterRole podgate binds to itself in each tenant namespace
    /// it makes, when its own permissions stop at its namespaces (`deploy/` ships
    /// `podgate-tenant`).
    #[arg(long, env = "PODGATE_TENANT_ROLE")]
    tenant_role: Option<String>,
    /// On Kubernetes: seconds a claim (a workload's name, a host port) may stand
    /// without its workload before it counts as left behind by a request that was cut
    /// off; longer than any create takes.
    #[arg(long, env = "PODGATE_STALE_CLAIMS_SECONDS", default_value_t = 120)]
    stale_claims_seconds: u64,
    /// On Kubernetes: seconds between two sweeps for what cut-off requests left behind.
    #[arg(long, env = "PODGATE_SWEEP_SECONDS", default_value_t = 60)]
    sweep_seconds: u64,
}

/// `DISKTYPE=CLASS`.
fn storage_class(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .filter(|(k, v)| !k.is_empty() && !v.is_empty())
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("{text:?} is not DISKTYPE=CLASS"))
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PODGATE_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("podgate: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let Command::Serve(args) = cli.command;
    match runtime.block_on(run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("podgate: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Calls the backend's reconcile pass as often as its capabilities ask, if they do.
fn keep_reconciling(backend: Arc<dyn ClusterBackend>) {
    let Some(every) = backend.capabilities().reconcile_every else {
        return;
    };
    tokio::spawn(async move {
        loop {
            if let Err(e) = backend.reconcile().await {
                tracing::warn!(error = %e, "the backend's reconcile pass failed");
            }
            tokio::time::sleep(every).await;
        }
    });
}

/// On a simulator: does its due work every half second, so that the event feed shows
/// what time alone changes (a pod turning Running) as it happens, and the requests it
/// records reach the simulator's file.
fn keep_ticking(sim: Option<Arc<dyn SimulatorControls>>) {
    let Some(sim) = sim else {
        return;
    };
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            if let Err(e) = sim.tick() {
                tracing::warn!(error = %e, "the simulator's tick failed");
            }
        }
    });
}

async fn run(args: Serve) -> Result<(), String> {
    let admin_token = match args.admin_token {
        Some(t) if !t.is_empty() => t,
        _ => {
            let token = podgate_core::secret::Token::generate().map_err(|e| e.to_string())?;
            println!("admin token (shown once): {}", token.expose());
            token.expose().to_owned()
        }
    };
    let mut config = HttpConfig::new(admin_token);
    config.yuanrong_token = args.yuanrong_token.filter(|t| !t.is_empty());
    config.feed_capacity = args.feed_capacity;
    let state = match args.backend {
        Backend::Sim => {
            let mut sim = SimConfig {
                delays: match args.sim_delays {
                    SimDelays::Zero => Delays::ZERO,
                    SimDelays::Realistic => Delays::REALISTIC,
                },
                clock: ClockMode::Wall,
                feed_capacity: args.feed_capacity,
                ..SimConfig::default()
            };
            if let Some(path) = &args.topology {
                sim = sim.with_topology_file(path).map_err(|e| e.to_string())?;
            }
            let backend = if args.in_memory {
                tracing::info!("the simulator keeps its state in memory only");
                SimBackend::new(sim)
            } else {
                let backend = SimBackend::open(sim, &args.db).map_err(|e| e.to_string())?;
                tracing::info!(db = %args.db.display(), "the simulator keeps its state in this file");
                backend
            };
            AppState::simulated(Arc::new(backend), config)
        }
        Backend::K8s => {
            let k8s = K8sConfig {
                system_namespace: args.k8s_namespace.clone(),
                region_label: args.region_label.clone(),
                zone_label: args.zone_label.clone(),
                group_label: args.group_label.clone(),
                registry: (!args.no_image_lookup).then(|| RegistryConfig {
                    default_registry: args.image_registry.clone(),
                    plain_http: args.plain_http_registry.clone(),
                }),
                storage_classes: args.storage_class.iter().cloned().collect(),
                tenant_role: args.tenant_role.clone(),
                stale_claims_after: std::time::Duration::from_secs(args.stale_claims_seconds),
                sweep_every: std::time::Duration::from_secs(args.sweep_seconds.max(1)),
            };
            let backend = K8sBackend::infer(k8s)
                .await
                .map_err(|e| format!("cannot reach the cluster: {e}"))?;
            tracing::info!(namespace = %args.k8s_namespace, "serving a Kubernetes cluster");
            AppState::new(Arc::new(backend), None, config)
        }
    };
    keep_reconciling(state.backend());
    keep_ticking(state.simulator());
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    println!("podgate listening on http://{local}");
    tracing::info!(%local, "serving");
    let closing = state.clone();
    let shutdown = async move {
        shutdown_signal().await;
        // Live event streams end, so the shutdown does not wait for their clients.
        closing.close_streams();
    };
    serve(listener, app(state.clone()), shutdown)
        .await
        .map_err(|e| e.to_string())?;
    // What the feed recorded since the last tick, stored before the process ends.
    if let Some(sim) = state.simulator() {
        sim.tick().map_err(|e| e.to_string())?;
    }
    Ok(())
}
