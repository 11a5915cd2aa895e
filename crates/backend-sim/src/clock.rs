//! The simulated clock: fixed or wall-clock based, moved forward only by the caller.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use podgate_core::model::Timestamp;

/// Where simulated time starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMode {
    /// Time stands still at this instant until [`SimClock::advance`] moves it:
    /// deterministic, for tests.
    Manual(Timestamp),
    /// Time follows the wall clock, plus whatever [`SimClock::advance`] added.
    Wall,
}

/// The simulator's notion of now.
#[derive(Debug)]
pub struct SimClock {
    mode: ClockMode,
    offset_ms: AtomicI64,
}

impl SimClock {
    /// A clock in `mode`.
    pub fn new(mode: ClockMode) -> Self {
        Self {
            mode,
            offset_ms: AtomicI64::new(0),
        }
    }

    /// A clock in `mode` already moved forward by `offset_ms` (a reloaded clock).
    #[cfg(feature = "sqlite")]
    pub(crate) fn resumed(mode: ClockMode, offset_ms: i64) -> Self {
        Self {
            mode,
            offset_ms: AtomicI64::new(offset_ms),
        }
    }

    /// How far [`SimClock::advance`] has moved it, in milliseconds.
    #[cfg(feature = "sqlite")]
    pub(crate) fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::SeqCst)
    }

    /// Simulated now.
    pub fn now(&self) -> Timestamp {
        let base = match self.mode {
            ClockMode::Manual(start) => start,
            ClockMode::Wall => Timestamp::now(),
        };
        base.plus_millis(self.offset_ms.load(Ordering::SeqCst))
    }

    /// Moves simulated time forward; returns the new now.
    pub fn advance(&self, by: Duration) -> Timestamp {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| {
                Some(o.saturating_add(ms))
            })
            .ok();
        self.now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let clock = SimClock::new(ClockMode::Manual(Timestamp(1_000)));
        assert_eq!(clock.now(), Timestamp(1_000));
        assert_eq!(clock.advance(Duration::from_secs(2)), Timestamp(3_000));
        assert_eq!(clock.now(), Timestamp(3_000));
    }

    #[test]
    fn wall_clock_includes_the_offset() {
        let clock = SimClock::new(ClockMode::Wall);
        let before = Timestamp::now();
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now().0 >= before.0 + 3_600_000);
    }
}
