//! The parts of `prometheus:` for growing past one host: the server's mode
//! (`server` or `agent`) and a remote write's sending queue.

use serde::Deserialize;

/// How Prometheus runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrometheusMode {
    /// Stores samples, evaluates rules, sends alerts, answers queries.
    #[default]
    Server,
    /// Scrapes and remote-writes only (`--agent`).
    Agent,
}

/// `remote_write[].queue`: the settings of Prometheus' `queue_config` worth
/// tuning; each is left to Prometheus' default when absent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSpec {
    /// Samples buffered per shard (`capacity`).
    pub capacity: Option<u32>,
    pub min_shards: Option<u32>,
    pub max_shards: Option<u32>,
    pub max_samples_per_send: Option<u32>,
    /// Longest wait before a partly filled batch is sent (`5s`).
    pub batch_send_deadline: Option<String>,
    /// Samples older than this are dropped instead of sent (`0s` = never).
    pub sample_age_limit: Option<String>,
    /// Retry when the receiver answers 429 (too many requests).
    pub retry_on_http_429: Option<bool>,
}
