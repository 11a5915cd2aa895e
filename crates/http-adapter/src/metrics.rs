//! Prometheus metrics: requests by dialect, operation and status, and a latency
//! histogram by dialect and operation.

use std::borrow::Cow;
use std::fmt;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Labels borrow what they can (dialect names and NCS Actions are static), so a request
/// records its metrics without allocating.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    dialect: &'static str,
    operation: Cow<'static, str>,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LatencyLabels {
    dialect: &'static str,
    operation: Cow<'static, str>,
}

type Latencies = Family<LatencyLabels, Histogram, fn() -> Histogram>;

/// The server's metrics.
pub(crate) struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Latencies,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Metrics")
    }
}

fn buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.000_1, 2.0, 18))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("podgate");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: Latencies = Family::new_with_constructor(buckets);
        registry.register(
            "http_requests",
            "HTTP requests by dialect, operation and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by dialect and operation",
            latency.clone(),
        );
        Self {
            registry,
            requests,
            latency,
        }
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
        let requests = RequestLabels {
            dialect,
            operation,
            status,
        };
        self.requests.get_or_create(&requests).inc();
        self.latency
            .get_or_create(&LatencyLabels {
                dialect,
                operation: requests.operation,
            })
            .observe(seconds);
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
