//! What to do about each error: the hints, by variant. Kept beside the
//! wording in [`super`], apart only to keep each file short.

use super::{Access, Datasource, Error, ExistingNetwork, GrafanaCredentials, NotReady};

impl Error {
    /// What to do about it, when there is something to say.
    pub fn hint(&self) -> Option<String> {
        use Error::*;
        let hint = match self {
            SpecUnreadable { .. } => "run `obsctl init` to write one, or omit -f to use ./obsctl.yaml or the built-in default stack".to_string(),
            SpecSyntax(e) => return e.hint.clone(),
            InvalidSpec(_) => return None,
            SpecExists { .. } => "pass --force to overwrite it, or -f OTHER.yaml to write elsewhere".into(),
            NotATerminal => "pass --yes to take the defaults, with --preset, --name, --scrape, --pack, --slack-env or --pagerduty-env to change them".into(),
            UnknownPreset { known, .. } => format!("presets: {}", known.join(", ")),
            UnknownPack { known, .. } => format!("packs: {}", known.join(", ")),
            BadScrapeFlag { .. } => "e.g. --scrape api=host.docker.internal:8000/metrics".into(),
            InitJob { .. } => "give the job another name (the stack's own jobs: prometheus, alertmanager, grafana, node, cadvisor, postgres, redis, discovered); one name with several targets is one job".into(),
            NoSuchDashboardPath { .. } | NoDashboardFiles => {
                "give dashboard JSON files or folders holding them".into()
            }
            DockerUnreachable { reason, .. } => docker_hint(reason),
            PortsTaken(taken) => format!(
                "stop what holds it, or choose a free port with `{}` in the spec; nothing was created",
                taken.first().map(|t| t.service.port_field()).unwrap_or_default()
            ),
            ForeignObjects { .. } => "obsctl never adopts or removes objects it did not create: remove or rename them, or give the stack another `name` in the spec; nothing was created".into(),
            StackLocked { waited_secs: None, .. } => "another `obsctl up`, `down` or `smoke` of this stack is running: let it finish and run again, or drop --no-wait to wait for it (--wait-lock SECONDS sets how long); nothing was changed".into(),
            StackLocked { waited_secs: Some(_), .. } => "another `obsctl up`, `down` or `smoke` of this stack is still running: let it finish, or wait longer with --wait-lock SECONDS; a lock goes with its process, so there is nothing to clean up; nothing was changed".into(),
            DuplicateNetworkInUse { id, attached, .. } => format!(
                "obsctl removes the surplus network only when none but its own containers use it: detach them (`docker network disconnect {} {}`) and run again; nothing was changed",
                crate::runtime::apply::short(id),
                attached.first().map_or("CONTAINER", String::as_str)
            ),
            LockDirForeign { dir, .. } => format!(
                "obsctl keeps the locks of stack names there and will not use a folder another user could change: remove or rename {}",
                dir.display()
            ),
            NetworksMissing { missing, existing } => networks_hint(missing, existing),
            NothingToWatch => "enable Prometheus in the spec".into(),
            ImageMissing { image } => format!(
                "build or load {image} locally (`docker image ls` lists what is there), or drop --pull never"
            ),
            RegistryUnreachable { image, .. } => format!(
                "use an image that is present locally (set `image:` in the spec) with `--pull never`, or make {image} available (`docker load`, a reachable registry or mirror)"
            ),
            PullFailed { .. } => "check the image name and tag in the spec (`image:`), and that you are logged in if the registry needs it".into(),
            SecretsUnreadable { uid, .. } => format!(
                "run `sudo obsctl up`: as root, obsctl gives each secret file to uid {uid} and keeps it 0600 (it never makes secrets world-readable)"
            ),
            ServiceNotReady { container, why: NotReady::Timeout { .. }, .. } => format!(
                "see `docker logs {container}` for the whole log; raise the deadline with --timeout if it is only slow"
            ),
            ServiceNotReady { container, why: NotReady::Stopped { .. }, .. } => format!(
                "see `docker logs {container}` for the whole log; once what it says is fixed, run `obsctl up` again"
            ),
            NotWired { .. } => "`obsctl doctor` shows whether Prometheus loaded the rendered configuration (a refused reload keeps the old one); raise the deadline with --timeout if it is only slow".into(),
            Interrupted => "run `obsctl up` again: everything created so far is labelled, and the next run finishes the job".into(),
            WriteRendered { path, reason, replaced } => write_hint(path, reason, *replaced),
            Render { .. } => "this is a defect in obsctl; please report it with the spec that caused it".into(),
            BadKubernetesName { .. } => "use 1-63 lower-case letters, digits and dashes, starting and ending with a letter or digit".into(),
            KubernetesOnlyFlag { .. } => "add `--target kubernetes`, or drop the flag".into(),
            DashboardTooLarge { .. } => "split it into smaller dashboards, or remove panels it does not need; Kubernetes refuses ConfigMaps over 1 MiB".into(),
            UserWithoutPassword => "pass --password, or set OBSCTL_GRAFANA_PASSWORD".into(),
            BadGrafanaUrl { .. } => "for example --url http://grafana.internal:3000".into(),
            NoStateDir => "set XDG_STATE_HOME to a directory obsctl may write to".into(),
            GrafanaPasswordUnreadable { .. } => "run `obsctl up` first (it writes that file), or pass --user/--password or --token".into(),
            NoGrafana => "pass --url to work with another Grafana".into(),
            BadBind { .. } => "`obsctl validate` checks the whole spec".into(),
            NoDashboardsFor { .. } => "`obsctl dashboards list` shows what there is".into(),
            GrafanaUnreachable { own_stack: true, .. } => {
                "is the stack running? `obsctl up` starts it; or pass --url to use another Grafana".into()
            }
            GrafanaUnreachable { own_stack: false, .. } => {
                "check --url, and that Grafana is running there and reachable from this machine".into()
            }
            GrafanaUnauthorized { credentials, .. } => match credentials {
                GrafanaCredentials::PasswordFile(path) => format!(
                    "obsctl used the admin password in {}; if it was changed in Grafana, pass --user/--password or --token",
                    path.display()
                ),
                GrafanaCredentials::Flags => "check --user and --password (or OBSCTL_GRAFANA_USER and OBSCTL_GRAFANA_PASSWORD)".into(),
                GrafanaCredentials::Token => "check --token (or OBSCTL_GRAFANA_TOKEN): it may be mistyped, expired, or its service account deleted".into(),
                GrafanaCredentials::None => "this Grafana wants credentials: pass --user/--password or --token".into(),
            },
            GrafanaForbidden { access: Access::Write, .. } => "these credentials may not save dashboards or create folders: use a service account token with the Editor or Admin role".into(),
            GrafanaForbidden { access: Access::Read, .. } => "these credentials may not read dashboards: use a user or token with at least the Viewer role".into(),
            NotPrometheus { prometheus, .. } => format!(
                "pass --datasource with a Prometheus datasource; {}",
                listed(prometheus)
            ),
            NoSuchDatasource { prometheus, .. } => {
                format!("--datasource takes a uid or a name; {}", listed(prometheus))
            }
            DatasourcesHidden => "pass --datasource UID, or use credentials with the Admin role".into(),
            NoPrometheusDatasource => "add one in Grafana, or import into the stack's own Grafana (omit --url)".into(),
            AmbiguousDatasource { prometheus } => {
                format!("pick one with --datasource; {}", listed(prometheus))
            }
            SecretHandOver { .. }
            | Docker { .. }
            | ReloadRefused { .. }
            | ReloadUnconfirmed { .. }
            | ReloadUnpublished { .. }
            | Io { .. }
            | Grafana { .. } => return None,
        };
        Some(hint)
    }
}

/// What to do when the Docker socket cannot be opened, by what the
/// connection attempt said.
fn docker_hint(reason: &str) -> String {
    let lower = reason.to_lowercase();
    if lower.contains("permission denied") {
        "your user may not open the Docker socket: add it to the `docker` group (`sudo usermod -aG docker $USER`, then log in again) or run obsctl with sudo".into()
    } else if lower.contains("no such file") || lower.contains("not found") {
        "is the Docker engine installed and running? Start it (e.g. `sudo systemctl start docker`) or point DOCKER_HOST at a running engine".into()
    } else {
        "check that the Docker engine is running and that DOCKER_HOST (if set) points at it".into()
    }
}

/// What to do when a network of `networks:` does not exist: start the
/// application, or pick one of the networks there are (the nearest first).
fn networks_hint(missing: &[String], existing: &[ExistingNetwork]) -> String {
    let names: Vec<&str> = existing.iter().map(|n| n.name.as_str()).collect();
    let nearest = missing
        .iter()
        .find_map(|m| crate::spec::nearest_word(m, &names))
        .map(|n| format!("did you mean `{n}`? "))
        .unwrap_or_default();
    let there = if existing.is_empty() {
        "there is no other network here".to_string()
    } else {
        let list: Vec<String> = existing
            .iter()
            .map(|n| match &n.compose_project {
                Some(p) => format!("{} (Compose project `{p}`)", n.name),
                None => n.name.clone(),
            })
            .collect();
        format!("networks here: {}", list.join(", "))
    };
    format!(
        "{nearest}obsctl joins the application's networks and never creates them: start the application first (Compose names a project's network `<project>_default`), or correct `networks:`; {there}; nothing was created"
    )
}

fn listed(prometheus: &[Datasource]) -> String {
    if prometheus.is_empty() {
        return "it has none".into();
    }
    let names: Vec<String> = prometheus
        .iter()
        .map(|d| format!("`{}` (uid {})", d.name, d.uid))
        .collect();
    format!("its Prometheus datasources: {}", names.join(", "))
}

/// What to do when a rendered file cannot be written, by why; and whether
/// the previous render's files are still whole.
fn write_hint(path: &std::path::Path, source: &std::io::Error, replaced: usize) -> String {
    use std::io::ErrorKind;
    let folder = path.parent().unwrap_or(path).display();
    let what = match source.kind() {
        ErrorKind::ReadOnlyFilesystem => format!(
            "{folder} is on a read-only file system: remount it read-write, or write elsewhere (`render --out DIR`, `up --dir DIR`)"
        ),
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => format!(
            "the disk is full (`df -h {folder}` shows it): free some space and run again"
        ),
        ErrorKind::PermissionDenied => format!(
            "obsctl may not write in {folder}: run it as the folder's owner, or write elsewhere (`render --out DIR`, `up --dir DIR`)"
        ),
        _ => format!("check that {folder} can be written, and run again"),
    };
    let kept = if replaced == 0 {
        "; nothing was changed: the files of the previous render are as they were".to_string()
    } else {
        format!(
            "; {replaced} file{} had already been replaced, so run again once it can be written",
            if replaced == 1 { "" } else { "s" }
        )
    };
    format!("{what}{kept}")
}
