//! Labelled containers that discovery leaves out: labels it cannot follow
//! are warnings (the container asked to be scraped and is not); containers
//! that share no network with Prometheus are noted only, since other
//! applications on the machine may carry the label for their own Prometheus.

use super::check::Check;
use crate::discovery::{Discovery, SkipKind};

/// One check per labelled container left out.
pub fn skipped(found: &Discovery) -> Vec<Check> {
    found
        .skipped
        .iter()
        .map(|s| {
            let detail = format!("not scraped by label: it {}", s.reason);
            match s.kind {
                SkipKind::Labels => Check::warn("discovered", s.container.clone(), detail)
                    .hint("fix the container's prometheus.io/* labels; `obsctl watch` (or the next `obsctl up`) picks the change up"),
                SkipKind::Elsewhere | SkipKind::Declared => {
                    Check::skip("discovered", s.container.clone(), detail)
                }
            }
        })
        .collect()
}
