//! The backend's clock: the wall clock, which tests can move forward.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use podgate_core::model::Timestamp;

/// Now, as podgate stamps and compares times (idle pool pods, workload changes).
#[derive(Debug, Clone, Default)]
pub(crate) struct Clock {
    /// Milliseconds added to the wall clock (0 outside tests).
    ahead: Arc<AtomicI64>,
}

impl Clock {
    /// The current time.
    pub(crate) fn now(&self) -> Timestamp {
        let wall = k8s_openapi::jiff::Timestamp::now().as_millisecond();
        Timestamp(wall.saturating_add(self.ahead.load(Ordering::SeqCst)))
    }

    /// Moves this clock `ms` milliseconds ahead of the wall clock.
    #[cfg(test)]
    pub(crate) fn advance(&self, ms: i64) {
        self.ahead.fetch_add(ms, Ordering::SeqCst);
    }
}
