//! `slos:` in the spec: service level objectives, from which obsctl generates
//! error-ratio recording rules and multi-window, multi-burn-rate alerts.

use serde::Deserialize;

/// One SLO: availability (`errors`/`total`) or latency (`histogram`/`le`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SloSpec {
    /// Unique name; the `slo` label of every rule generated for it.
    pub name: String,
    /// Target in percent of good events, e.g. 99.9.
    pub objective: f64,
    /// The period the error budget is counted over, e.g. 30d.
    pub window: String,
    /// Availability: a selector of the counter of failed events.
    pub errors: Option<String>,
    /// Availability: a selector of the counter of all events.
    pub total: Option<String>,
    /// Latency: a selector of a histogram (its base name, without `_bucket`).
    pub histogram: Option<String>,
    /// Latency: the bucket bound requests must not exceed to count as good.
    pub le: Option<f64>,
}
