//! HTTP load: NCS `DescribeStatefulWorkloadInfo` served by podgate (with its event feed
//! on, as it ships, and off), and the same bytes served by a bare axum handler, each driven by the same in-process load generator
//! (keep-alive HTTP/1.1 connections on loopback, fixed concurrency and duration).
//! Prints requests/s and p99 latency of each, and the ratio.
//!
//! `cargo bench --bench http_load`; `PODGATE_LOAD_ROUNDS` (alternating rounds of the
//! two, default 9: on a machine whose cores are shared, single rounds swing widely and
//! the median of many short pairs is steadier than of a few long ones),
//! `PODGATE_LOAD_SECONDS` (per run, default 3),
//! `PODGATE_LOAD_CONNECTIONS` (default 32) and `PODGATE_LOAD_WORKERS` (server worker
//! threads, default 2: the machine's cores, as a server would run) tune the run. First
//! it times one request through each app in process, without sockets
//! (`PODGATE_INPROCESS_REQUESTS`, default 200 000).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

/// The allocator the `podgate` binary runs with (both servers share it).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use axum::Router;
use axum::body::Bytes;
use axum::http::header;
use axum::routing::get;
use podgate::core::dialects::ncs::{NcsAction, NcsCaller, NcsConfig, NcsReply, NcsService};
use podgate::sim::{SimBackend, SimConfig};
use podgate_http::{AppState, HttpConfig, app};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

struct Outcome {
    requests: u64,
    seconds: f64,
    p50: Duration,
    p99: Duration,
    /// The server's CPU time (all its threads, user and system) per request, warm-up
    /// included: unlike requests/s, not moved by other load on the machine.
    cpu: Option<Duration>,
}

/// CPU time (user and system) used so far by this process's threads named `name`,
/// read from `/proc` (Linux only; `None` elsewhere).
fn cpu_time(name: &str) -> Option<Duration> {
    let mut ticks = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let dir = task.ok()?.path();
        if std::fs::read_to_string(dir.join("comm")).ok()?.trim_end() != name {
            continue;
        }
        let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
        // After the command's closing parenthesis: the state (field 3), ..., utime
        // (field 14) and stime (field 15), in clock ticks of 10 ms.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        ticks += fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    }
    Some(Duration::from_millis(ticks * 10))
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Serves `router` on a loopback port from its own runtime of `workers` threads.
/// Its threads carry `name`, so that a profile of the run tells the servers apart.
fn spawn_server(
    name: &'static str,
    router: Router,
    workers: usize,
) -> (String, std::thread::JoinHandle<()>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name(name)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap().to_string()).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    (rx.recv().unwrap(), handle)
}

async fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>, chunk: &mut [u8]) -> usize {
    buf.clear();
    loop {
        let n = stream.read(chunk).await.unwrap();
        assert!(n > 0, "connection closed");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end])
                .unwrap()
                .to_ascii_lowercase();
            assert!(head.starts_with("http/1.1 200"), "{head}");
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse().unwrap())
                .expect("content-length");
            while buf.len() < end + 4 + length {
                let n = stream.read(chunk).await.unwrap();
                assert!(n > 0, "connection closed");
                buf.extend_from_slice(&chunk[..n]);
            }
            return length;
        }
    }
}

/// Drives `addr` (served by threads named `server`) with `connections` keep-alive
/// connections sending `request` for `seconds`, after a one-second warm-up.
fn drive(server: &str, addr: &str, request: &str, connections: u64, seconds: u64) -> Outcome {
    let cpu_before = cpu_time(server);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("load")
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let request = Arc::new(request.as_bytes().to_vec());
        let warm_until = Instant::now() + Duration::from_secs(1);
        let stop_at = warm_until + Duration::from_secs(seconds);
        let mut tasks = Vec::new();
        for _ in 0..connections {
            let request = request.clone();
            let addr = addr.to_owned();
            tasks.push(tokio::spawn(async move {
                let mut stream = TcpStream::connect(&addr).await.unwrap();
                stream.set_nodelay(true).unwrap();
                let mut buf = Vec::with_capacity(8192);
                let mut chunk = vec![0u8; 16 * 1024];
                let mut latencies = Vec::new();
                let mut sent = 0_u64;
                loop {
                    let started = Instant::now();
                    if started >= stop_at {
                        break;
                    }
                    stream.write_all(&request).await.unwrap();
                    read_response(&mut stream, &mut buf, &mut chunk).await;
                    sent += 1;
                    if started >= warm_until {
                        latencies.push(started.elapsed());
                    }
                }
                (latencies, sent)
            }));
        }
        let mut all = Vec::new();
        let mut sent = 0;
        for t in tasks {
            let (latencies, n) = t.await.unwrap();
            all.extend(latencies);
            sent += n;
        }
        let cpu = cpu_time(server)
            .zip(cpu_before)
            .map(|(after, before)| (after - before) / u32::try_from(sent).unwrap());
        all.sort_unstable();
        let pick = |percent: usize| all[(all.len() * percent / 100).min(all.len() - 1)];
        Outcome {
            requests: all.len() as u64,
            seconds: seconds as f64,
            p50: pick(50),
            p99: pick(99),
            cpu,
        }
    })
}

/// Time per request through `router` in process (no sockets) on each of `threads`
/// threads at once: `count` requests one after another on each, in twenty batches of
/// which the fastest counts. More than one thread shows what sharing state between
/// cores costs.
fn in_process(router: &Router, path: &str, token: &str, count: u32, threads: usize) -> Duration {
    let barrier = std::sync::Barrier::new(threads);
    std::thread::scope(|scope| {
        let runs: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| in_process_on_this_thread(router, path, token, count, &barrier))
            })
            .collect();
        runs.into_iter()
            .map(|run| run.join().unwrap())
            .max()
            .unwrap()
    })
}

fn in_process_on_this_thread(
    router: &Router,
    path: &str,
    token: &str,
    count: u32,
    barrier: &std::sync::Barrier,
) -> Duration {
    use tower::ServiceExt;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let one = || async {
            let request = axum::http::Request::get(path)
                .header(header::HOST, "bench")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(axum::body::Body::empty())
                .unwrap();
            let reply = router.clone().oneshot(request).await.unwrap();
            assert_eq!(reply.status(), 200);
            http_body_util::BodyExt::collect(reply.into_body())
                .await
                .unwrap();
        };
        for _ in 0..count / 10 {
            one().await;
        }
        barrier.wait();
        // The best of twenty batches: the machine's other load only ever adds.
        let mut best = Duration::MAX;
        for _ in 0..20 {
            let started = Instant::now();
            for _ in 0..count / 20 {
                one().await;
            }
            best = best.min(started.elapsed() / (count / 20));
        }
        best
    })
}

/// podgate on a simulator whose event feed keeps `feed_capacity` entries (0: off),
/// with one workload to describe: the app, the describe path and the namespace's token.
fn podgate_app(feed_capacity: usize) -> (Router, String, String) {
    let sim = Arc::new(SimBackend::new(SimConfig {
        feed_capacity,
        ..SimConfig::default()
    }));
    let ncs = NcsService::new(sim.clone(), NcsConfig::default());
    let setup = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (namespace, token) = setup.block_on(ncs.create_namespace(None, false)).unwrap();
    let created = setup
        .block_on(ncs.call(&NcsCaller::Operator, NcsAction::CreateStatefulWorkload, &json!({
            "NamespaceId": namespace.0, "Name": "web", "SpecType": "ncs.n1.medium2", "ContainerType": "Standard",
            "Placement": {"ZoneId": ["cn-east-1a"]}, "VirtualPrivateCloud": {"VpcId": "vpc-1", "SubnetId": "None"},
            "Labels": {"app": "web"}, "SysCmds": ["net.ipv4.tcp_syncookies=1"],
            "Containers": [{"Name": "app", "Image": "nginx:stable", "LogDirs": ["/var/log/app/"],
                "Envs": [{"Name": "MODE", "Value": "bench"}],
                "ResourceRequirements": {"Limits": {"Cpu": "1000", "Memory": "1024"}}}]
        })))
        .map(NcsReply::into_json)
        .unwrap();
    let path = format!(
        "/ncs?Action=DescribeStatefulWorkloadInfo&Version=2017-11-16&NamespaceId={}&StatefulWorkloadId={}",
        namespace.0, created["StatefulWorkloadId"]
    );
    let mut config = HttpConfig::new("bench-admin");
    config.feed_capacity = feed_capacity;
    (
        app(AppState::simulated(sim, config)),
        path,
        token.expose().to_owned(),
    )
}

fn main() {
    let seconds = env("PODGATE_LOAD_SECONDS", 3);
    let connections = env("PODGATE_LOAD_CONNECTIONS", 32);
    let workers = usize::try_from(env("PODGATE_LOAD_WORKERS", 2)).unwrap_or(2);

    // podgate as it ships (the event feed on, recording every request), and with the
    // feed off, measured side by side.
    let (podgate, path, token) = podgate_app(podgate::core::feed::DEFAULT_CAPACITY);
    let (quiet, quiet_path, quiet_token) = podgate_app(0);
    assert_eq!(path, quiet_path);
    let (podgate_addr, _p) = spawn_server("podgate", podgate.clone(), workers);
    let (quiet_addr, _q) = spawn_server("quiet", quiet.clone(), workers);
    let request_with = |token: &str| {
        format!("GET {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n\r\n")
    };
    let request = request_with(&token);
    let quiet_request = request_with(&quiet_token);

    // The same bytes from a bare handler.
    let sample = {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut s = TcpStream::connect(&podgate_addr).await.unwrap();
            s.write_all(request.as_bytes()).await.unwrap();
            let mut buf = Vec::new();
            let length = read_response(&mut s, &mut buf, &mut [0u8; 16 * 1024]).await;
            buf[buf.len() - length..].to_vec()
        })
    };
    let body = Bytes::from(sample.clone());
    let bare = Router::new().route(
        "/ncs",
        get(move || {
            let body = body.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], body) }
        }),
    );
    let (bare_addr, _b) = spawn_server("bare", bare.clone(), workers);
    let requests = u32::try_from(env("PODGATE_INPROCESS_REQUESTS", 200_000)).unwrap_or(200_000);
    for threads in [1, 2] {
        println!(
            "in process, one request at a time on each of {threads} thread(s): podgate {:.1?}, \
             podgate with the feed off {:.1?}, bare {:.1?}",
            in_process(&podgate, &path, &token, requests, threads),
            in_process(&quiet, &path, &quiet_token, requests, threads),
            in_process(&bare, &path, &token, requests, threads)
        );
    }

    println!(
        "reply: {} bytes; {connections} connections, {seconds} s each after a 1 s warm-up",
        sample.len()
    );
    // Alternate the three so that drift in the machine's load hits them alike; report
    // each round and the median ratios.
    let rounds = env("PODGATE_LOAD_ROUNDS", 9);
    let rps = |o: &Outcome| o.requests as f64 / o.seconds;
    let cpu = |o: &Outcome| o.cpu.map_or("-".to_owned(), |c| format!("{c:.1?}"));
    let line = |name: &str, o: &Outcome| {
        format!(
            "{name} {:>7.0} req/s (p50 {:>7.1?}, p99 {:>7.1?}, cpu {}/req)",
            rps(o),
            o.p50,
            o.p99,
            cpu(o)
        )
    };
    let (mut ratios, mut quiet_ratios) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        let ours = drive("podgate", &podgate_addr, &request, connections, seconds);
        let off = drive("quiet", &quiet_addr, &quiet_request, connections, seconds);
        let theirs = drive("bare", &bare_addr, &request, connections, seconds);
        println!(
            "round {round}: {}   {}   {}   ratio {:.2} (feed off {:.2})",
            line("podgate", &ours),
            line("feed off", &off),
            line("bare", &theirs),
            rps(&ours) / rps(&theirs),
            rps(&off) / rps(&theirs)
        );
        ratios.push(rps(&ours) / rps(&theirs));
        quiet_ratios.push(rps(&off) / rps(&theirs));
    }
    for (what, ratios) in [
        ("podgate", &mut ratios),
        ("podgate, feed off", &mut quiet_ratios),
    ] {
        ratios.sort_by(f64::total_cmp);
        if let Some(median) = ratios.get(ratios.len() / 2) {
            println!("ratio ({what} / bare), median of {rounds}: {median:.2} of the requests/s");
        }
    }
}
