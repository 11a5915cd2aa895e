//! [`SimulatorControls`]: what an operator, a test or the admin API drives on a
//! simulated cluster, beyond the [`ClusterBackend`](crate::ClusterBackend) calls every
//! cluster answers. A real cluster has no such controls; whoever holds a backend holds
//! these only when it is a simulator.

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use crate::Result;
use crate::feed::Feed;
use crate::model::{PodId, Timestamp};

/// The simulated cluster's clock and faults.
pub trait SimulatorControls: Send + Sync + Debug + 'static {
    /// Simulated now.
    fn now(&self) -> Timestamp;

    /// Moves simulated time forward by `by`; pods move on through their lifecycle
    /// accordingly. Returns the new now.
    fn advance(&self, by: Duration) -> Result<Timestamp>;

    /// Adds an image to the simulated registry; pods waiting for it start on their
    /// next pull.
    fn add_image(&self, reference: &str) -> Result<()>;

    /// Fault: the named container of `pod` crashes (its restart count grows).
    fn crash_container(&self, pod: PodId, container: &str) -> Result<()>;

    /// Fault: the node named `name` stops answering; its pods are lost or moved as
    /// their templates' node-loss policy says.
    fn lose_node(&self, name: &str) -> Result<()>;

    /// The node named `name` answers again.
    fn restore_node(&self, name: &str) -> Result<()>;

    /// Fault: the image can no longer be pulled (`NotFound` when it is not there);
    /// pods that start after this wait in `ErrImagePull` until it is added again.
    fn remove_image(&self, reference: &str) -> Result<()>;

    /// Pauses the clock, or lets it run on from where it stands. Returns now.
    fn set_paused(&self, paused: bool) -> Result<Timestamp>;

    /// Whether the clock stands still (a manual clock always does).
    fn paused(&self) -> bool;

    /// Does the work that is due and records what it changed; whoever serves a
    /// simulator on a running clock calls this about every second.
    fn tick(&self) -> Result<()>;

    /// The event feed of what the simulator changes, if it keeps one.
    fn feed(&self) -> Option<Arc<Feed>>;
}
