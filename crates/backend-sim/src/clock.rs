//! The simulated clock: fixed or wall-clock based, moved forward only by the caller; a
//! wall clock can be paused.

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

/// `SimClock::frozen` when the clock runs.
const RUNNING: i64 = i64::MIN;

/// The simulator's notion of now.
#[derive(Debug)]
pub struct SimClock {
    mode: ClockMode,
    offset_ms: AtomicI64,
    /// The instant a paused wall clock stands at, or [`RUNNING`].
    frozen: AtomicI64,
}

impl SimClock {
    /// A clock in `mode`.
    pub fn new(mode: ClockMode) -> Self {
        Self {
            mode,
            offset_ms: AtomicI64::new(0),
            frozen: AtomicI64::new(RUNNING),
        }
    }

    /// A clock in `mode` already moved forward by `offset_ms` (a reloaded clock).
    #[cfg(feature = "sqlite")]
    pub(crate) fn resumed(mode: ClockMode, offset_ms: i64) -> Self {
        Self {
            mode,
            offset_ms: AtomicI64::new(offset_ms),
            frozen: AtomicI64::new(RUNNING),
        }
    }

    /// How far simulated time is ahead of where the mode starts it, in milliseconds
    /// (for a paused wall clock: ahead of the wall clock now, so that a reloaded clock
    /// goes on from where it stands).
    #[cfg(feature = "sqlite")]
    pub(crate) fn offset_ms(&self) -> i64 {
        match self.frozen.load(Ordering::SeqCst) {
            RUNNING => self.offset_ms.load(Ordering::SeqCst),
            frozen => frozen.saturating_sub(self.base().0),
        }
    }

    fn base(&self) -> Timestamp {
        match self.mode {
            ClockMode::Manual(start) => start,
            ClockMode::Wall => Timestamp::now(),
        }
    }

    /// Simulated now.
    pub fn now(&self) -> Timestamp {
        match self.frozen.load(Ordering::SeqCst) {
            RUNNING => self
                .base()
                .plus_millis(self.offset_ms.load(Ordering::SeqCst)),
            frozen => Timestamp(frozen),
        }
    }

    /// Moves simulated time forward; returns the new now.
    pub fn advance(&self, by: Duration) -> Timestamp {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let forward = |t: i64| Some(t.saturating_add(ms));
        if self
            .frozen
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |f| {
                (f != RUNNING).then(|| forward(f)).flatten()
            })
            .is_err()
        {
            self.offset_ms
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, forward)
                .ok();
        }
        self.now()
    }

    /// Whether time stands still: always for a manual clock, while paused for a wall
    /// clock.
    pub fn paused(&self) -> bool {
        matches!(self.mode, ClockMode::Manual(_)) || self.frozen.load(Ordering::SeqCst) != RUNNING
    }

    /// Pauses a wall clock where it stands, or lets it run on from there; a manual
    /// clock stands still either way. Returns now.
    pub fn set_paused(&self, paused: bool) -> Timestamp {
        if matches!(self.mode, ClockMode::Wall) {
            if paused {
                let now = self.now();
                self.frozen
                    .compare_exchange(RUNNING, now.0, Ordering::SeqCst, Ordering::SeqCst)
                    .ok();
            } else {
                let frozen = self.frozen.swap(RUNNING, Ordering::SeqCst);
                if frozen != RUNNING {
                    self.offset_ms
                        .store(frozen.saturating_sub(Timestamp::now().0), Ordering::SeqCst);
                }
            }
        }
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
    fn a_paused_wall_clock_stands_still_and_goes_on_from_there() {
        let clock = SimClock::new(ClockMode::Wall);
        assert!(!clock.paused());
        let at = clock.set_paused(true);
        assert!(clock.paused());
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(clock.now(), at);
        assert_eq!(
            clock.advance(Duration::from_secs(60)),
            at.plus_millis(60_000)
        );
        let resumed = clock.set_paused(false);
        assert!(!clock.paused());
        assert!(resumed >= at.plus_millis(60_000));
        assert!(resumed < at.plus_millis(61_000), "{resumed:?} {at:?}");
        // A manual clock always stands still.
        let manual = SimClock::new(ClockMode::Manual(Timestamp(5)));
        assert!(manual.paused());
        assert_eq!(manual.set_paused(false), Timestamp(5));
        assert!(manual.paused());
    }

    #[test]
    fn wall_clock_includes_the_offset() {
        let clock = SimClock::new(ClockMode::Wall);
        let before = Timestamp::now();
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now().0 >= before.0 + 3_600_000);
    }
}
