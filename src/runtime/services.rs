//! The model as containers: what each service's container is (image, command,
//! environment, mounts, ports). Pure, so it is unit-tested without Docker.
//!
//! A container's definition is hashed into its `dev.obsctl.hash` label; `up`
//! recreates a container exactly when that hash (or the image behind its tag)
//! differs. Anything that changes what the process is belongs in
//! [`ContainerDef`]; anything that only changes how obsctl treats it (stage,
//! readiness, URLs) stays in [`Container`], so it never causes a recreate.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

pub use super::host::Host;
use super::host::CADVISOR_MOUNTS;
use crate::model::{ExporterKind, Model, ProbeModule, Prometheus, Service};
use crate::probes::probe_host;
use crate::render::{blackbox, container_path, paths, RenderedFile};
use crate::timeouts::REMOTE_WRITE_FLUSH;

/// Where Prometheus keeps its data (TSDB, or an agent's write-ahead log).
const PROMETHEUS_DATA_DIR: &str = "/prometheus";
/// Where Grafana sees the folder holding its admin password copy.
pub const GRAFANA_SECRETS_DIR: &str = "/etc/grafana/secrets";
/// The copy of the admin password that Grafana reads, relative to the stack dir.
pub const GRAFANA_PASSWORD_COPY: &str = "grafana/secrets/admin-password";

/// A mount: a host folder (never a single file, so atomic renames inside it
/// are seen by the container) or a named volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mount {
    pub source: String,
    pub target: String,
    pub volume: bool,
    pub read_only: bool,
    /// Propagate mounts made on the host later (node-exporter's `/host`).
    pub rslave: bool,
}

/// A published port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Port {
    pub container: u16,
    pub host_ip: String,
    pub host_port: u16,
}

/// Everything that makes a container what it is; its hash is the
/// `dev.obsctl.hash` label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerDef {
    pub name: String,
    pub image: String,
    /// Replaces the image's whole CMD when set.
    pub cmd: Option<Vec<String>>,
    pub env: Vec<String>,
    pub mounts: Vec<Mount>,
    pub ports: Vec<Port>,
    pub network: String,
    pub aliases: Vec<String>,
    pub extra_hosts: Vec<String>,
    pub pid_host: bool,
    pub privileged: bool,
    pub devices: Vec<String>,
    pub restart: String,
    /// Capabilities added to the engine's default set. Left out of the hash
    /// input when empty, so containers defined before it existed keep their
    /// hash.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cap_add: Vec<String>,
}

impl ContainerDef {
    /// sha256 of the definition (hex).
    pub fn hash(&self) -> String {
        let bytes = serde_json::to_vec(self).expect("a container definition serialises");
        hex(&Sha256::digest(bytes))
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// How `up` knows a service is ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// GET answers 200 through the published port.
    Http { url: String },
    /// Not published: the container running is all that can be seen from here.
    Running,
}

/// One service of the stack as a container, and how obsctl handles it.
#[derive(Debug, Clone)]
pub struct Container {
    pub service: Service,
    pub def: ContainerDef,
    pub ready: Readiness,
    /// `http://host:port` of the published port, for probes and reloads.
    pub base_url: Option<String>,
    /// The URL shown to users.
    pub url: Option<String>,
    /// Rendered files under this folder of the stack dir configure the service.
    pub config_prefix: Option<String>,
    /// Secret files (absolute host paths) the container user must be able to read.
    pub secrets: Vec<PathBuf>,
}

impl Container {
    pub fn name(&self) -> &'static str {
        self.service.name()
    }
}

/// A named data volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeDef {
    pub name: String,
    pub service: String,
}

/// The whole stack as Docker objects.
#[derive(Debug, Clone)]
pub struct Desired {
    pub stack: String,
    pub network: String,
    /// The application's networks that services which talk to it join
    /// ([`Service::joins_app_networks`]); not part of any container's
    /// definition, so joining or leaving one never recreates a container.
    pub app_networks: Vec<String>,
    pub volumes: Vec<VolumeDef>,
    pub services: Vec<Container>,
}

impl Desired {
    pub fn service(&self, name: &str) -> Option<&Container> {
        self.services.iter().find(|s| s.name() == name)
    }

    /// Host folders inside `dir` that are bind-mounted, so they must exist.
    pub fn bind_dirs(&self, dir: &Path) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = self
            .services
            .iter()
            .flat_map(|s| &s.def.mounts)
            .filter(|m| !m.volume)
            .map(|m| PathBuf::from(&m.source))
            .filter(|p| p.starts_with(dir))
            .collect();
        out.dedup();
        out
    }
}

/// The desired containers, network and volumes of `model`, whose files are
/// rendered into `dir` (absolute).
pub fn desired(model: &Model, dir: &Path, files: &[RenderedFile], host: &Host) -> Desired {
    let network = crate::model::own_network(&model.name);
    let volume = |service: &str| format!("{}-{service}-data", model.name);
    let bind = model.bind.to_string();
    let folder = |rel: &str| dir.join(rel).to_string_lossy().into_owned();
    let private = |prefix: &str| -> Vec<PathBuf> {
        files
            .iter()
            .filter(|f| f.private && f.path.starts_with(prefix))
            .map(|f| dir.join(&f.path))
            .collect()
    };
    let base = Base {
        model,
        network: &network,
        bind: &bind,
    };
    let mut services = Vec::new();
    let mut volumes = Vec::new();

    for e in &model.exporters {
        let service = e.service();
        let mut def = base.def(service, &e.image, e.host_port);
        def.env = e.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        for secret in &e.secrets {
            let Some(var) = e.kind.password_file_env() else {
                continue;
            };
            let path = container_path(paths::EXPORTER_SECRETS_DIR, secret);
            def.env.push(format!("{var}={path}"));
        }
        let secrets = private(&format!("exporters/{}", service.name()));
        if !e.secrets.is_empty() {
            def.mounts.push(bind_ro(
                folder(&format!("exporters/{}", service.name())),
                paths::EXPORTER_SECRETS_DIR,
            ));
        }
        match e.kind {
            ExporterKind::Node => {
                // Upstream guidance: the host's root read-only at /host, and
                // the host's process table for the process collectors.
                def.cmd = Some(vec!["--path.rootfs=/host".into()]);
                let mut root = bind_ro("/".into(), "/host");
                root.rslave = host.root_is_shared;
                def.mounts.push(root);
                def.pid_host = true;
            }
            ExporterKind::Cadvisor => {
                for (source, target) in CADVISOR_MOUNTS {
                    if host.existing.contains(source) {
                        def.mounts.push(bind_ro(source.into(), target));
                    }
                }
                def.privileged = true;
                if host.existing.contains("/dev/kmsg") {
                    def.devices.push("/dev/kmsg".into());
                }
            }
            ExporterKind::Postgres | ExporterKind::Redis => {
                // The database is often a service on the host itself.
                def.extra_hosts
                    .push("host.docker.internal:host-gateway".into());
            }
            ExporterKind::Blackbox => {
                // The command replaces the image's CMD, which names its own
                // example configuration.
                def.cmd = Some(vec![blackbox::config_arg()]);
                def.mounts.push(bind_ro(
                    folder(&format!("exporters/{}", service.name())),
                    paths::EXPORTER_CONFIG_DIR,
                ));
                // Probed services may run on the host itself.
                def.extra_hosts
                    .push("host.docker.internal:host-gateway".into());
                // ICMP probes open raw sockets. Docker grants NET_RAW by
                // default, but some engines (rootless, Podman, hardened
                // daemons) do not, so it is asked for when a probe pings.
                if model.probes.iter().any(|p| p.module == ProbeModule::Icmp) {
                    def.cap_add.push("NET_RAW".into());
                }
            }
            ExporterKind::Pushgateway => {
                // Pushed metrics survive a restart of the container.
                def.cmd = Some(vec![paths::pushgateway_persistence_arg()]);
                def.mounts.push(volume_mount(
                    volume(service.name()),
                    paths::PUSHGATEWAY_DATA_DIR,
                ));
                volumes.push(VolumeDef {
                    name: volume(service.name()),
                    service: service.name().into(),
                });
            }
        }
        // Exporters read their files only when they start (the blackbox
        // exporter also on a reload).
        let prefix = format!("exporters/{}/", service.name());
        services.push(base.container(service, def, Some(prefix), secrets));
    }

    if let Some(am) = &model.alertmanager {
        let service = Service::Alertmanager;
        let mut def = base.def(service, &am.image, Some(am.port));
        // The command replaces the image's CMD, so config and storage are given
        // again; an empty cluster address turns clustering off (single node).
        def.cmd = Some(vec![
            format!(
                "--config.file={}/alertmanager.yml",
                paths::ALERTMANAGER_CONFIG_DIR
            ),
            "--storage.path=/alertmanager".into(),
            "--cluster.listen-address=".into(),
        ]);
        def.mounts.push(bind_ro(
            folder("alertmanager"),
            paths::ALERTMANAGER_CONFIG_DIR,
        ));
        def.mounts
            .push(volume_mount(volume(service.name()), "/alertmanager"));
        // Webhook receivers may run on the host.
        def.extra_hosts
            .push("host.docker.internal:host-gateway".into());
        volumes.push(VolumeDef {
            name: volume(service.name()),
            service: service.name().into(),
        });
        services.push(base.container(
            service,
            def,
            Some("alertmanager/".into()),
            private("alertmanager/"),
        ));
    }

    if let Some(prom) = &model.prometheus {
        let service = Service::Prometheus;
        let mut def = base.def(service, &prom.image, Some(prom.port));
        def.cmd = Some(prometheus_cmd(prom));
        def.mounts
            .push(bind_ro(folder("prometheus"), paths::PROMETHEUS_CONFIG_DIR));
        def.mounts
            .push(volume_mount(volume(service.name()), PROMETHEUS_DATA_DIR));
        // Lets users scrape services that run on the host itself.
        def.extra_hosts
            .push("host.docker.internal:host-gateway".into());
        volumes.push(VolumeDef {
            name: volume(service.name()),
            service: service.name().into(),
        });
        services.push(base.container(
            service,
            def,
            Some("prometheus/".into()),
            private("prometheus/"),
        ));
    }

    if let Some(g) = &model.grafana {
        let service = Service::Grafana;
        let mut def = base.def(service, &g.image, Some(g.port));
        def.env = vec![
            format!("GF_SECURITY_ADMIN_USER={}", g.admin_user),
            format!("GF_SECURITY_ADMIN_PASSWORD__FILE={GRAFANA_SECRETS_DIR}/admin-password"),
            "GF_USERS_ALLOW_SIGN_UP=false".into(),
            "GF_AUTH_ANONYMOUS_ENABLED=false".into(),
            format!("GF_SERVER_ROOT_URL={}", g.root_url),
        ];
        def.mounts.push(bind_ro(
            folder("grafana/provisioning"),
            paths::GRAFANA_PROVISIONING_DIR,
        ));
        def.mounts.push(bind_ro(
            folder("grafana/dashboards"),
            paths::GRAFANA_DASHBOARDS_DIR,
        ));
        def.mounts
            .push(bind_ro(folder("grafana/secrets"), GRAFANA_SECRETS_DIR));
        def.mounts
            .push(volume_mount(volume(service.name()), "/var/lib/grafana"));
        volumes.push(VolumeDef {
            name: volume(service.name()),
            service: service.name().into(),
        });
        let mut container = base.container(
            service,
            def,
            Some("grafana/".into()),
            vec![dir.join(GRAFANA_PASSWORD_COPY)],
        );
        container.url = Some(g.root_url.clone());
        services.push(container);
    }

    Desired {
        stack: model.name.clone(),
        network,
        app_networks: model.networks.clone(),
        volumes,
        services,
    }
}

/// Prometheus' command line. The command replaces the image's CMD, so config
/// and storage are given again. An agent keeps its write-ahead log on the
/// same volume and refuses the server's storage and retention flags.
fn prometheus_cmd(prom: &Prometheus) -> Vec<String> {
    let mut cmd = vec![format!(
        "--config.file={}/prometheus.yml",
        paths::PROMETHEUS_CONFIG_DIR
    )];
    let flush = format!("--storage.remote.flush-deadline={REMOTE_WRITE_FLUSH}");
    let features = prom
        .enable_features
        .iter()
        .map(|f| format!("--enable-feature={f}"));
    if prom.is_agent() {
        cmd.push("--agent".into());
        cmd.push(format!("--storage.agent.path={PROMETHEUS_DATA_DIR}"));
        cmd.push("--web.enable-lifecycle".into());
        cmd.push(flush);
        cmd.extend(features);
        return cmd;
    }
    cmd.push(format!("--storage.tsdb.path={PROMETHEUS_DATA_DIR}"));
    cmd.push("--web.enable-lifecycle".into());
    cmd.push(format!("--storage.tsdb.retention.time={}", prom.retention));
    if let Some(size) = &prom.retention_size {
        cmd.push(format!("--storage.tsdb.retention.size={size}"));
    }
    if prom.remote_write_receiver {
        cmd.push("--web.enable-remote-write-receiver".into());
    }
    if !prom.remote_write.is_empty() {
        cmd.push(flush);
    }
    cmd.extend(features);
    cmd
}

struct Base<'a> {
    model: &'a Model,
    network: &'a str,
    bind: &'a str,
}

impl Base<'_> {
    fn def(&self, service: Service, image: &str, host_port: Option<u16>) -> ContainerDef {
        ContainerDef {
            name: self.model.container_name(service),
            image: image.into(),
            cmd: None,
            env: Vec::new(),
            mounts: Vec::new(),
            ports: host_port
                .map(|host_port| Port {
                    container: service.container_port(),
                    host_ip: self.bind.into(),
                    host_port,
                })
                .into_iter()
                .collect(),
            network: self.network.into(),
            aliases: vec![service.name().into()],
            extra_hosts: Vec::new(),
            pid_host: false,
            privileged: false,
            devices: Vec::new(),
            restart: "unless-stopped".into(),
            cap_add: Vec::new(),
        }
    }

    fn container(
        &self,
        service: Service,
        def: ContainerDef,
        config_prefix: Option<String>,
        secrets: Vec<PathBuf>,
    ) -> Container {
        let base_url = def
            .ports
            .first()
            .map(|p| format!("http://{}:{}", probe_host(self.model.bind), p.host_port));
        let ready = match &base_url {
            Some(base) => Readiness::Http {
                url: format!("{base}{}", service.ready_path()),
            },
            None => Readiness::Running,
        };
        Container {
            service,
            url: base_url.as_ref().map(|b| format!("{b}/")),
            base_url,
            ready,
            def,
            config_prefix,
            secrets,
        }
    }
}

fn bind_ro(source: String, target: &str) -> Mount {
    Mount {
        source,
        target: target.into(),
        volume: false,
        read_only: true,
        rslave: false,
    }
}

fn volume_mount(name: String, target: &str) -> Mount {
    Mount {
        source: name,
        target: target.into(),
        volume: true,
        read_only: false,
        rslave: false,
    }
}

#[cfg(test)]
#[path = "services_tests.rs"]
mod tests;
