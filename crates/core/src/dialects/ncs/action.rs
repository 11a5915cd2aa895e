//! The 14 Actions, their HTTP methods, and the API version.

/// The only API version: `2017-11-16`.
pub const VERSION: &str = "2017-11-16";

/// An NCS Action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NcsAction {
    /// `CreateStatefulWorkload` (POST).
    CreateStatefulWorkload,
    /// `RedeployStatefulWorkload` (GET).
    RedeployStatefulWorkload,
    /// `RestartContainer` (GET).
    RestartContainer,
    /// `RestartStatefulWorkloadInstance` (GET).
    RestartStatefulWorkloadInstance,
    /// `DeleteStatefulWorkload` (GET).
    DeleteStatefulWorkload,
    /// `ResetStatefulWorkloadSpecType` (POST).
    ResetStatefulWorkloadSpecType,
    /// `DescribeStatefulWorkloads` (GET).
    DescribeStatefulWorkloads,
    /// `DescribeStatefulWorkloadsAllNamespaces` (GET).
    DescribeStatefulWorkloadsAllNamespaces,
    /// `DescribeStatefulWorkloadInfo` (GET).
    DescribeStatefulWorkloadInfo,
    /// `DescribeStatefulWorkloadInstances` (GET).
    DescribeStatefulWorkloadInstances,
    /// `DescribeStatefulWorkloadImages` (GET).
    DescribeStatefulWorkloadImages,
    /// `ModifyStatefulWorkload` (POST).
    ModifyStatefulWorkload,
    /// `AssociateEipOfStatefulWorkload` (GET).
    AssociateEipOfStatefulWorkload,
    /// `UnAssociateEipOfStatefulWorkload` (GET).
    UnAssociateEipOfStatefulWorkload,
}

impl NcsAction {
    /// Every Action.
    pub const ALL: [Self; 14] = [
        Self::CreateStatefulWorkload,
        Self::RedeployStatefulWorkload,
        Self::RestartContainer,
        Self::RestartStatefulWorkloadInstance,
        Self::DeleteStatefulWorkload,
        Self::ResetStatefulWorkloadSpecType,
        Self::DescribeStatefulWorkloads,
        Self::DescribeStatefulWorkloadsAllNamespaces,
        Self::DescribeStatefulWorkloadInfo,
        Self::DescribeStatefulWorkloadInstances,
        Self::DescribeStatefulWorkloadImages,
        Self::ModifyStatefulWorkload,
        Self::AssociateEipOfStatefulWorkload,
        Self::UnAssociateEipOfStatefulWorkload,
    ];

    /// The Action's name as it appears in `Action=`.
    pub fn name(self) -> &'static str {
        match self {
            Self::CreateStatefulWorkload => "CreateStatefulWorkload",
            Self::RedeployStatefulWorkload => "RedeployStatefulWorkload",
            Self::RestartContainer => "RestartContainer",
            Self::RestartStatefulWorkloadInstance => "RestartStatefulWorkloadInstance",
            Self::DeleteStatefulWorkload => "DeleteStatefulWorkload",
            Self::ResetStatefulWorkloadSpecType => "ResetStatefulWorkloadSpecType",
            Self::DescribeStatefulWorkloads => "DescribeStatefulWorkloads",
            Self::DescribeStatefulWorkloadsAllNamespaces => {
                "DescribeStatefulWorkloadsAllNamespaces"
            }
            Self::DescribeStatefulWorkloadInfo => "DescribeStatefulWorkloadInfo",
            Self::DescribeStatefulWorkloadInstances => "DescribeStatefulWorkloadInstances",
            Self::DescribeStatefulWorkloadImages => "DescribeStatefulWorkloadImages",
            Self::ModifyStatefulWorkload => "ModifyStatefulWorkload",
            Self::AssociateEipOfStatefulWorkload => "AssociateEipOfStatefulWorkload",
            Self::UnAssociateEipOfStatefulWorkload => "UnAssociateEipOfStatefulWorkload",
        }
    }

    /// The Action named `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Whether the vendor documents the Action as POST with a JSON body (otherwise GET
    /// with query parameters).
    pub fn is_post(self) -> bool {
        matches!(
            self,
            Self::CreateStatefulWorkload
                | Self::ResetStatefulWorkloadSpecType
                | Self::ModifyStatefulWorkload
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for action in NcsAction::ALL {
            assert_eq!(NcsAction::from_name(action.name()), Some(action));
        }
        assert_eq!(NcsAction::from_name("createstatefulworkload"), None);
        assert_eq!(NcsAction::ALL.iter().filter(|a| a.is_post()).count(), 3);
    }
}
