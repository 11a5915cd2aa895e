//! Compute resources: what a container asks for and what a node offers.

use serde::{Deserialize, Serialize};

/// An amount of compute resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Resources {
    /// CPU in millicores (1000 = one core).
    pub cpu_millis: u64,
    /// Memory in MiB.
    pub memory_mib: u64,
    /// Whole GPUs.
    pub gpu: u32,
}

impl Resources {
    /// Component-wise sum (saturating).
    pub fn plus(self, other: Self) -> Self {
        Self {
            cpu_millis: self.cpu_millis.saturating_add(other.cpu_millis),
            memory_mib: self.memory_mib.saturating_add(other.memory_mib),
            gpu: self.gpu.saturating_add(other.gpu),
        }
    }

    /// Component-wise difference, floored at zero.
    pub fn minus(self, other: Self) -> Self {
        Self {
            cpu_millis: self.cpu_millis.saturating_sub(other.cpu_millis),
            memory_mib: self.memory_mib.saturating_sub(other.memory_mib),
            gpu: self.gpu.saturating_sub(other.gpu),
        }
    }

    /// Whether every component of `self` is at most the same component of `other`.
    pub fn fits_in(self, other: Self) -> bool {
        self.cpu_millis <= other.cpu_millis
            && self.memory_mib <= other.memory_mib
            && self.gpu <= other.gpu
    }
}

/// What a container asks for (`requests`, used to schedule) and may use at most (`limits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ResourceRequirements {
    /// Reserved for the container when it is scheduled.
    pub requests: Resources,
    /// The most the container may use.
    pub limits: Resources,
}
