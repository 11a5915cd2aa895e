//! podgate-backend-k8s: the [`ClusterBackend`](https://docs.rs/podgate-core) on a real
//! Kubernetes cluster through kube and k8s-openapi, with every bit of state kept in the
//! cluster so that several podgate replicas can run side by side.
//!
//! The mapping of each dialect's objects onto Kubernetes resources is laid out in
//! `docs/k8s-mapping.md`. This crate is filled by the Kubernetes backend work; until
//! then it exports nothing.
