//! Elastic public IPs: an inventory of addresses a workload can hold one of.

use serde::{Deserialize, Serialize};

use super::{TenantKey, WorkloadId};

/// One elastic IP of the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eip {
    /// The EIP's id (not the address).
    pub id: String,
    /// The public address.
    pub address: String,
    /// The workload holding it, if any.
    pub holder: Option<(TenantKey, WorkloadId)>,
}
