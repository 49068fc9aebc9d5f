//! Grafana's HTTP API for dashboards: importing files (with datasource
//! references mapped to the target's Prometheus and conflicts detected),
//! exporting them as stable files, and listing what is there.
//!
//! [`client`] is the only code here that sends requests, and it sends them
//! through the one shared client of [`crate::probes::Http`]. Everything else
//! is plain data work ([`datasources`], [`canonical`], [`source`],
//! [`folder_path`], [`library`]) or orchestration over the client
//! ([`import`], [`library_sync`], [`export`], [`folders`]).

pub mod canonical;
pub mod catalog;
pub mod client;
pub mod connection;
pub mod datasources;
pub mod error;
pub mod export;
pub mod folder_path;
pub mod folders;
pub mod import;
pub mod library;
pub mod library_sync;
pub mod source;
pub mod state;

pub use client::{ApiError, Auth, Client};
pub use connection::{connect, Connection, Login};

/// The folder title Grafana shows for dashboards at the root.
pub const GENERAL: &str = "General";

/// How many requests run at once by default (import, export and list).
pub const DEFAULT_CONCURRENCY: usize = 8;
