//! What discovery reads from Docker: the running containers that carry the
//! scrape label, and the stream of events that may change that set; and, for
//! doctor, which names resolve on which networks.

use std::collections::{BTreeMap, HashMap};

use bollard::query_parameters::{EventsOptionsBuilder, ListContainersOptionsBuilder};
use futures_util::{Stream, StreamExt};

use super::{container_name, fail, Engine};
use crate::discovery::labels::SCRAPE;
use crate::discovery::{Candidate, COMPOSE_SERVICE};
use crate::error::Error;

/// The container and network events after which the discovered targets may
/// differ.
pub const EVENTS: [&str; 6] = ["start", "die", "destroy", "rename", "connect", "disconnect"];

impl Engine {
    /// Running containers that carry the scrape label (with any value).
    pub async fn scrape_candidates(&self) -> Result<Vec<Candidate>, Error> {
        let filters = HashMap::from([("label", vec![SCRAPE])]);
        let options = ListContainersOptionsBuilder::default()
            .filters(&filters)
            .build();
        let list = self
            .docker
            .list_containers(Some(options))
            .await
            .map_err(fail("list containers labelled", SCRAPE))?;
        Ok(list
            .into_iter()
            .map(|c| Candidate {
                name: container_name(&c),
                labels: c
                    .labels
                    .unwrap_or_default()
                    .into_iter()
                    .collect::<BTreeMap<_, _>>(),
                networks: c
                    .network_settings
                    .and_then(|n| n.networks)
                    .map(|n| n.into_keys().collect())
                    .unwrap_or_default(),
                exposed: c
                    .ports
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|p| p.typ.map(|t| t.to_string()) != Some("udp".into()))
                    .map(|p| p.private_port)
                    .collect(),
            })
            .collect())
    }

    /// Every running container as (name, Compose service, networks): the
    /// names Docker's DNS answers, and where.
    pub async fn running_names(&self) -> Result<Vec<(String, Option<String>, Vec<String>)>, Error> {
        let list = self.running_containers().await?;
        Ok(list
            .into_iter()
            .map(|c| {
                let name = container_name(&c);
                let service = c.labels.and_then(|mut l| l.remove(COMPOSE_SERVICE));
                let networks = c
                    .network_settings
                    .and_then(|n| n.networks)
                    .map(|n| n.into_keys().collect())
                    .unwrap_or_default();
                (name, service, networks)
            })
            .collect())
    }

    /// Docker's container and network events since Unix time `since` that
    /// may change the discovered targets, each as its action (`start`,
    /// `die`, `connect`...). The stream ends, or yields an error, when the
    /// engine goes away.
    pub fn discovery_events(&self, since: u64) -> impl Stream<Item = Result<String, Error>> + '_ {
        let filters = HashMap::from([
            ("type", vec!["container", "network"]),
            ("event", EVENTS.to_vec()),
        ]);
        let options = EventsOptionsBuilder::default()
            .since(&since.to_string())
            .filters(&filters)
            .build();
        self.docker.events(Some(options)).map(|event| {
            event
                .map(|e| e.action.unwrap_or_default())
                .map_err(fail("follow the events of", "the engine"))
        })
    }
}
