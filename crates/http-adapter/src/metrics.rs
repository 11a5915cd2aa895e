//! Prometheus metrics: requests by dialect, operation and status, and a latency
//! histogram by dialect and operation.
//!
//! Every request records both, from whichever worker thread runs it. Counters shared
//! by all threads would move one cache line between cores on every request, so each
//! thread records into a shard of its own, and a scrape adds the shards up.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::histogram::exponential_buckets;
use prometheus_client::registry::Registry;

/// Labels borrow what they can (dialect names and NCS Actions are static), so a request
/// records its metrics without allocating.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, EncodeLabelSet)]
struct RequestLabels {
    dialect: &'static str,
    operation: Cow<'static, str>,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, PartialOrd, Ord, EncodeLabelSet)]
struct LatencyLabels {
    dialect: &'static str,
    operation: Cow<'static, str>,
}

/// How many shards: more than a server has worker threads, so that threads rarely
/// share one.
const SHARDS: usize = 16;

/// The latency buckets' upper bounds in seconds (100 µs doubling to about 13 s), then
/// `+Inf` (`f64::MAX`, as the encoder spells it).
const BUCKETS: usize = 19;

fn bounds() -> [f64; BUCKETS] {
    let mut bounds = [f64::MAX; BUCKETS];
    for (bound, finite) in bounds.iter_mut().zip(exponential_buckets(0.000_1, 2.0, 18)) {
        *bound = finite;
    }
    bounds
}

/// One label set's latencies: their sum, and how many fell in each bucket (not
/// cumulative; the encoder adds them up).
#[derive(Debug, Clone, Copy, Default)]
struct Latency {
    sum: f64,
    count: u64,
    buckets: [u64; BUCKETS],
}

impl Latency {
    fn observe(&mut self, bounds: &[f64; BUCKETS], seconds: f64) {
        self.sum += seconds;
        self.count += 1;
        // NaN falls in no bucket but counts, as Prometheus clients do.
        if let Some(i) = bounds.iter().position(|bound| seconds <= *bound)
            && let Some(bucket) = self.buckets.get_mut(i)
        {
            *bucket += 1;
        }
    }

    fn add(&mut self, other: &Self) {
        self.sum += other.sum;
        self.count += other.count;
        for (mine, theirs) in self.buckets.iter_mut().zip(&other.buckets) {
            *mine += theirs;
        }
    }
}

/// What one operation has recorded: its latencies, and its requests by status (a
/// handful of statuses: a list beats a second map).
#[derive(Debug, Clone, Default)]
struct Series {
    latency: Latency,
    statuses: Vec<(u16, u64)>,
}

/// What the threads of one shard have recorded, by operation: one lookup per request,
/// with a fast hasher (the operations are the routes' and Actions' names, a fixed set).
#[derive(Debug, Default)]
struct Shard(foldhash::HashMap<LatencyLabels, Series>);

/// A shard on a cache line of its own (two lines: adjacent-line prefetch pairs them).
#[derive(Debug, Default)]
#[repr(align(128))]
struct Padded(Mutex<Shard>);

/// The shards and the latency buckets' bounds.
#[derive(Debug)]
struct Shards {
    shards: [Padded; SHARDS],
    bounds: [f64; BUCKETS],
}

impl Shards {
    /// The shard of the calling thread: threads take shards in turn as they first
    /// record.
    fn mine(&self) -> &Mutex<Shard> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        thread_local! {
            static INDEX: usize = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
        }
        let [first, ..] = &self.shards;
        &self.shards.get(INDEX.with(|i| *i)).unwrap_or(first).0
    }

    /// Every shard's records added up, in label order.
    fn total(
        &self,
    ) -> (
        BTreeMap<RequestLabels, u64>,
        BTreeMap<LatencyLabels, Latency>,
    ) {
        let mut requests = BTreeMap::new();
        let mut latency: BTreeMap<LatencyLabels, Latency> = BTreeMap::new();
        for padded in &self.shards {
            let shard = padded.0.lock().unwrap_or_else(PoisonError::into_inner);
            for (labels, series) in &shard.0 {
                latency
                    .entry(labels.clone())
                    .or_default()
                    .add(&series.latency);
                for (status, n) in &series.statuses {
                    let labels = RequestLabels {
                        dialect: labels.dialect,
                        operation: labels.operation.clone(),
                        status: *status,
                    };
                    *requests.entry(labels).or_default() += n;
                }
            }
        }
        (requests, latency)
    }
}

/// The registry's handle on the shards: a scrape adds them up.
#[derive(Debug)]
struct Scrape(Arc<Shards>);

impl Collector for Scrape {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> fmt::Result {
        let (requests, latency) = self.0.total();
        let mut family = encoder.encode_descriptor(
            "http_requests",
            "HTTP requests by dialect, operation and status.",
            None,
            MetricType::Counter,
        )?;
        for (labels, n) in &requests {
            ConstCounter::new(*n).encode(family.encode_family(labels)?)?;
        }
        let mut family = encoder.encode_descriptor(
            "http_request_duration_seconds",
            "HTTP request latency by dialect and operation.",
            None,
            MetricType::Histogram,
        )?;
        for (labels, l) in &latency {
            let buckets: Vec<(f64, u64)> = self.0.bounds.iter().copied().zip(l.buckets).collect();
            family
                .encode_family(labels)?
                .encode_histogram::<NoLabelSet>(l.sum, l.count, &buckets, None)?;
        }
        Ok(())
    }
}

/// The server's metrics.
pub(crate) struct Metrics {
    registry: Registry,
    shards: Arc<Shards>,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let shards = Arc::new(Shards {
            shards: Default::default(),
            bounds: bounds(),
        });
        let mut registry = Registry::with_prefix("podgate");
        registry.register_collector(Box::new(Scrape(shards.clone())));
        Self { registry, shards }
    }
}

impl Metrics {
    /// Records one answered request.
    pub(crate) fn record(
        &self,
        dialect: &'static str,
        operation: Cow<'static, str>,
        status: u16,
        seconds: f64,
    ) {
        let mut shard = self
            .shards
            .mine()
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let series = shard
            .0
            .entry(LatencyLabels { dialect, operation })
            .or_default();
        series.latency.observe(&self.shards.bounds, seconds);
        match series.statuses.iter_mut().find(|(s, _)| *s == status) {
            Some((_, n)) => *n += 1,
            None => series.statuses.push((status, 1)),
        }
    }

    /// The Prometheus text exposition.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Requests recorded from several threads (so several shards) add up in one
    /// series per label set, with the histogram's buckets cumulative.
    #[test]
    fn shards_add_up_in_the_exposition() {
        let metrics = Arc::new(Metrics::default());
        std::thread::scope(|scope| {
            for _ in 0..4 {
                let metrics = &metrics;
                scope.spawn(move || {
                    for (status, seconds) in [(200, 0.000_05), (200, 0.3), (404, 100.0)] {
                        let operation = Cow::Borrowed("DescribeStatefulWorkloadInfo");
                        metrics.record("ncs", operation, status, seconds);
                    }
                });
            }
        });
        let text = metrics.render();
        // The value of the series named exactly `series`.
        let value = |series: String| {
            text.lines()
                .find_map(|l| l.strip_prefix(&series)?.strip_prefix(' '))
                .unwrap_or_else(|| panic!("{series} in {text}"))
                .to_owned()
        };
        let ncs = "dialect=\"ncs\",operation=\"DescribeStatefulWorkloadInfo\"";
        assert!(
            text.contains("# TYPE podgate_http_requests counter"),
            "{text}"
        );
        let requests = |status: u16| {
            value(format!(
                "podgate_http_requests_total{{{ncs},status=\"{status}\"}}"
            ))
        };
        assert_eq!(requests(200), "8");
        assert_eq!(requests(404), "4");
        let latency = |part: &str, labels: &str| {
            value(format!(
                "podgate_http_request_duration_seconds_{part}{{{labels}}}"
            ))
        };
        assert_eq!(latency("count", ncs), "12");
        // 0.00005 s falls in the first bucket (le 0.0001); 0.3 s by le 0.4096; 100 s
        // only in +Inf.
        let bucket = |le: &str| latency("bucket", &format!("le=\"{le}\",{ncs}"));
        assert_eq!(bucket("0.0001"), "4");
        assert_eq!(bucket("0.4096"), "8");
        assert_eq!(bucket("+Inf"), "12");
        let sum: f64 = latency("sum", ncs).parse().unwrap_or_default();
        assert!((sum - 4.0 * 100.300_05).abs() < 1e-6, "{sum}");
    }
}

/// The operation a handler names on its response, for the metrics (NCS: the Action,
/// which its one route does not tell apart).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Operation(pub(crate) &'static str);
