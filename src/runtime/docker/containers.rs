//! Containers: creating them from a definition, starting, stopping and
//! removing them, reading their state and logs; and turning Docker's list
//! entries into [`ObservedContainer`]s.

use std::collections::HashMap;

use bollard::errors::Error as BollardError;
use bollard::models::{
    ContainerCreateBody, ContainerSummary, DeviceMapping, EndpointSettings, HostConfig,
    Mount as DockerMount, MountBindOptions, MountBindOptionsPropagationEnum, MountType,
    NetworkingConfig, PortBinding, RestartPolicy, RestartPolicyNameEnum,
};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, LogsOptionsBuilder, RemoveContainerOptionsBuilder,
    RestartContainerOptionsBuilder, StopContainerOptionsBuilder,
};
use futures_util::StreamExt;

use super::{container_name, fail, labels, Engine, StateFacts};
use crate::error::Error;
use crate::runtime::plan::{ObservedContainer, Published};
use crate::runtime::services::Container;
use crate::runtime::{LABEL_HASH, LABEL_SERVICE};
use crate::timeouts::STOP_GRACE_SECS;

impl Engine {
    /// Creates the container of `service`, attached to the network `network_id`.
    pub async fn create_container(
        &self,
        stack: &str,
        service: &Container,
        network_id: &str,
    ) -> Result<String, Error> {
        let def = &service.def;
        let body = container_body(stack, service, network_id);
        let options = CreateContainerOptionsBuilder::default()
            .name(&def.name)
            .build();
        let created = self
            .docker
            .create_container(Some(options), body)
            .await
            .map_err(fail("create container", &def.name))?;
        Ok(created.id)
    }

    pub async fn start(&self, name: &str) -> Result<(), Error> {
        self.docker
            .start_container(name, None)
            .await
            .map_err(fail("start container", name))
    }

    pub async fn restart(&self, name: &str) -> Result<(), Error> {
        let options = RestartContainerOptionsBuilder::default()
            .t(STOP_GRACE_SECS)
            .build();
        self.docker
            .restart_container(name, Some(options))
            .await
            .map_err(fail("restart container", name))
    }

    /// Stops (SIGTERM, then SIGKILL after a grace period) and removes a
    /// container with its anonymous volumes; named data volumes stay. A
    /// container that is already gone is not an error.
    pub async fn stop_and_remove(&self, id: &str, name: &str) -> Result<(), Error> {
        let stop = StopContainerOptionsBuilder::default()
            .t(STOP_GRACE_SECS)
            .build();
        match self.docker.stop_container(id, Some(stop)).await {
            Ok(()) => {}
            Err(BollardError::DockerResponseServerError {
                status_code: 404, ..
            }) => return Ok(()),
            Err(e) => return Err(fail("stop container", name)(e)),
        }
        let remove = RemoveContainerOptionsBuilder::default()
            .force(true)
            .v(true)
            .build();
        match self.docker.remove_container(id, Some(remove)).await {
            Err(BollardError::DockerResponseServerError {
                status_code: 404, ..
            }) => Ok(()),
            other => other.map_err(fail("remove container", name)),
        }
    }

    pub async fn state(&self, name: &str) -> Result<StateFacts, Error> {
        let info = self
            .docker
            .inspect_container(name, None)
            .await
            .map_err(fail("inspect container", name))?;
        let state = info.state.unwrap_or_default();
        Ok(StateFacts {
            status: state.status.map(|s| s.to_string()).unwrap_or_default(),
            restarting: state.restarting.unwrap_or(false),
            exit_code: state.exit_code,
            started_at: state.started_at,
            finished_at: state.finished_at,
        })
    }

    /// The last `lines` lines of a container's output (stdout and stderr);
    /// with `run` (its `inspect` state), only those its last run wrote, so a
    /// container that restarts again and again shows one run, not the same
    /// lines over and over.
    pub async fn log_tail(
        &self,
        name: &str,
        lines: usize,
        run: Option<&StateFacts>,
    ) -> Result<Vec<String>, Error> {
        let options = LogsOptionsBuilder::default()
            .stdout(true)
            .stderr(true)
            .timestamps(true)
            .tail(&lines.to_string())
            .build();
        let mut stream = self.docker.logs(name, Some(options));
        let mut text = String::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(fail("read the log of container", name))?;
            text.push_str(&chunk.to_string());
        }
        Ok(of_run(&text, run))
    }
}

const SLACK: chrono::TimeDelta = chrono::TimeDelta::milliseconds(50);

/// The lines of a log read with timestamps, without them, keeping those
/// written during the last run `run` describes: from its start, and up to
/// its end when it has ended (a container Docker restarts may have started
/// its next run by the time the log is read).
///
/// Docker records a start a moment after the process may have written its
/// first line, and an end a moment before its last lines are read, so lines
/// up to [`SLACK`] outside the run still count; Docker waits at least 100 ms
/// before restarting a container, so no other run comes that close.
fn of_run(text: &str, run: Option<&StateFacts>) -> Vec<String> {
    let time = |t: Option<&str>| chrono::DateTime::parse_from_rfc3339(t?).ok();
    let start = run.and_then(|r| time(r.started_at.as_deref()));
    let end = run
        .and_then(|r| time(r.finished_at.as_deref()))
        .filter(|end| start.is_some_and(|start| *end >= start));
    text.lines()
        .filter_map(|line| {
            let (stamp, rest) = line.split_once(' ').unwrap_or((line, ""));
            let Some(at) = time(Some(stamp)) else {
                return Some(line.to_string());
            };
            let before = start.is_some_and(|s| at < s - SLACK);
            let after = end.is_some_and(|e| at > e + SLACK);
            (!before && !after).then(|| rest.to_string())
        })
        .collect()
}

pub(super) fn observed_container(c: ContainerSummary) -> ObservedContainer {
    let label = |key: &str| c.labels.as_ref().and_then(|l| l.get(key)).cloned();
    let attached = c
        .network_settings
        .as_ref()
        .and_then(|n| n.networks.as_ref())
        .map(|n| {
            n.iter()
                .map(|(name, e)| (name.clone(), e.network_id.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    ObservedContainer {
        attached,
        id: c.id.clone().unwrap_or_default(),
        name: container_name(&c),
        service: label(LABEL_SERVICE).unwrap_or_default(),
        hash: label(LABEL_HASH),
        state: c.state.map(|s| s.to_string()).unwrap_or_default(),
        image: c.image.clone().unwrap_or_default(),
        image_id: c.image_id.clone(),
        // A container that never started has no NetworkID yet; its network
        // mode (obsctl passes the network's id) still names the network.
        network_ids: c
            .network_settings
            .and_then(|n| n.networks)
            .map(|n| {
                n.into_values()
                    .filter_map(|e| e.network_id)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
            .into_iter()
            .chain(c.host_config.and_then(|h| h.network_mode))
            .filter(|id| !id.is_empty())
            .collect(),
        ports: c
            .ports
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| {
                Some(Published {
                    host_ip: p.ip.unwrap_or_default(),
                    host_port: p.public_port?,
                    container_port: p.private_port,
                })
            })
            .collect(),
        status: c.status.unwrap_or_default(),
    }
}

fn container_body(stack: &str, service: &Container, network_id: &str) -> ContainerCreateBody {
    let def = &service.def;
    let mounts = def
        .mounts
        .iter()
        .map(|m| DockerMount {
            source: Some(m.source.clone()),
            target: Some(m.target.clone()),
            typ: Some(if m.volume {
                MountType::VOLUME
            } else {
                MountType::BIND
            }),
            read_only: Some(m.read_only),
            bind_options: m.rslave.then(|| MountBindOptions {
                propagation: Some(MountBindOptionsPropagationEnum::RSLAVE),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect();
    let port_bindings = def
        .ports
        .iter()
        .map(|p| {
            (
                format!("{}/tcp", p.container),
                Some(vec![PortBinding {
                    host_ip: Some(p.host_ip.clone()),
                    host_port: Some(p.host_port.to_string()),
                }]),
            )
        })
        .collect();
    let some_vec = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
    ContainerCreateBody {
        image: Some(def.image.clone()),
        cmd: def.cmd.clone(),
        env: some_vec(&def.env),
        labels: Some(labels(stack, service.name(), Some(&def.hash()))),
        exposed_ports: Some(
            def.ports
                .iter()
                .map(|p| format!("{}/tcp", p.container))
                .collect(),
        ),
        host_config: Some(HostConfig {
            mounts: Some(mounts),
            port_bindings: Some(port_bindings),
            restart_policy: Some(RestartPolicy {
                name: Some(match def.restart.as_str() {
                    "always" => RestartPolicyNameEnum::ALWAYS,
                    "no" => RestartPolicyNameEnum::NO,
                    _ => RestartPolicyNameEnum::UNLESS_STOPPED,
                }),
                maximum_retry_count: None,
            }),
            network_mode: Some(network_id.into()),
            extra_hosts: some_vec(&def.extra_hosts),
            pid_mode: def.pid_host.then(|| "host".to_string()),
            privileged: def.privileged.then_some(true),
            cap_add: some_vec(&def.cap_add),
            devices: (!def.devices.is_empty()).then(|| {
                def.devices
                    .iter()
                    .map(|d| DeviceMapping {
                        path_on_host: Some(d.clone()),
                        path_in_container: Some(d.clone()),
                        cgroup_permissions: Some("rwm".into()),
                    })
                    .collect()
            }),
            ..Default::default()
        }),
        networking_config: Some(NetworkingConfig {
            endpoints_config: Some(HashMap::from([(
                network_id.to_string(),
                EndpointSettings {
                    aliases: some_vec(&def.aliases),
                    ..Default::default()
                },
            )])),
        }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::{ContainerSummaryHostConfig, ContainerSummaryNetworkSettings};

    #[test]
    fn a_container_that_never_started_is_still_seen_on_its_network() {
        // Regression: an `up` interrupted between create and start left
        // containers whose endpoint has no NetworkID yet, and the next run
        // recreated them all as if their network were gone.
        let summary = ContainerSummary {
            id: Some("c1".into()),
            names: Some(vec!["/shop-prometheus".into()]),
            labels: Some(labels("shop", "prometheus", Some("h"))),
            host_config: Some(ContainerSummaryHostConfig {
                network_mode: Some("net-id".into()),
                ..Default::default()
            }),
            network_settings: Some(ContainerSummaryNetworkSettings {
                networks: Some(HashMap::from([(
                    "shop-net".to_string(),
                    EndpointSettings {
                        network_id: Some(String::new()),
                        ..Default::default()
                    },
                )])),
            }),
            ..Default::default()
        };
        let c = observed_container(summary);
        assert_eq!(c.name, "shop-prometheus");
        assert_eq!(c.service, "prometheus");
        assert_eq!(c.hash.as_deref(), Some("h"));
        assert_eq!(c.network_ids, ["net-id"]);
    }

    #[test]
    fn the_log_tail_keeps_only_the_last_run_of_a_restarting_container() {
        let log = "2025-01-01T10:00:00.100000000Z first run\n\
                   2025-01-01T10:00:00.300000000Z second run, just before its start was recorded\n\
                   2025-01-01T10:00:00.400000000Z second run\n\
                   not a timestamp\n\
                   2025-01-01T10:00:00.800000000Z third run, begun while the log was read\n";
        let run = |started: &str, finished: &str| StateFacts {
            started_at: Some(started.into()),
            finished_at: Some(finished.into()),
            ..StateFacts::default()
        };
        let second = run("2025-01-01T10:00:00.320Z", "2025-01-01T10:00:00.410Z");
        assert_eq!(
            of_run(log, Some(&second)),
            [
                "second run, just before its start was recorded",
                "second run",
                "not a timestamp"
            ]
        );
        // A running container: its last end lies before its start.
        let running = run("2025-01-01T10:00:00.320Z", "2025-01-01T10:00:00.200Z");
        assert_eq!(of_run(log, Some(&running)).len(), 4);
        assert_eq!(of_run(log, None).len(), 5);
        assert_eq!(of_run(log, Some(&StateFacts::default())).len(), 5);
    }
}
