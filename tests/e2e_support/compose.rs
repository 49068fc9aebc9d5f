//! An application run by Compose (Debian's docker-compose 1.29) beside a
//! stack under test: its compose file in a temp dir, a project name unique to
//! the test, and `down -v` when the test ends. The stack a test also runs must
//! be declared after the application, so that it is dropped (and detached from
//! the application's network) first.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use super::{docker, stdout};

/// One Compose project under test.
pub struct App {
    pub project: String,
    pub dir: tempfile::TempDir,
}

impl App {
    /// Writes `compose` (a docker-compose.yml) and starts the project.
    pub fn up(test: &str, compose: &str) -> App {
        let app = App {
            project: format!("e2eapp{test}{}", std::process::id()),
            dir: tempfile::tempdir().unwrap(),
        };
        std::fs::write(app.dir.path().join("docker-compose.yml"), compose).unwrap();
        app.compose_ok(&["up", "-d"]);
        app
    }

    /// The project's default network, as Compose names it.
    pub fn network(&self) -> String {
        format!("{}_default", self.project)
    }

    /// Runs docker-compose on the project.
    pub fn compose(&self, args: &[&str]) -> Output {
        compose_in(self.dir.path(), &self.project, args)
    }

    /// Runs docker-compose on the project, which must succeed.
    pub fn compose_ok(&self, args: &[&str]) {
        let out = self.compose(args);
        assert!(
            out.status.success(),
            "docker-compose {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The id of the project's default network (None when it does not exist).
    pub fn network_id(&self) -> Option<String> {
        let out = docker(&["network", "inspect", "-f", "{{.Id}}", &self.network()]);
        out.status.success().then(|| stdout(&out))
    }

    /// The container name Compose gave the first container of `service`.
    pub fn container(&self, service: &str) -> String {
        format!("{}_{service}_1", self.project)
    }
}

fn compose_in(dir: &Path, project: &str, args: &[&str]) -> Output {
    Command::new("docker-compose")
        .args(["-p", project, "--ansi", "never"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("docker-compose cannot run ({e}); scripts/test-env.sh installs it")
        })
}

impl Drop for App {
    fn drop(&mut self) {
        let out = self.compose(&["down", "-v", "--remove-orphans", "-t", "1"]);
        if !out.status.success() {
            eprintln!(
                "cleanup of compose project {} failed: {}",
                self.project,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// True when container `name` runs.
pub fn running(name: &str) -> bool {
    stdout(&docker(&["inspect", "-f", "{{.State.Running}}", name])) == "true"
}

/// Names of the networks container `name` is attached to.
pub fn networks_of(name: &str) -> Vec<String> {
    let out = docker(&[
        "inspect",
        "-f",
        "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}",
        name,
    ]);
    stdout(&out)
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// A container started with `docker run` in a test, removed when it ends.
pub struct Container(pub String);

impl Container {
    /// `docker run -d --name NAME ARGS...`, which must succeed.
    pub fn run(name: &str, args: &[&str]) -> Container {
        let mut all = vec!["run", "-d", "--name", name];
        all.extend_from_slice(args);
        let out = docker(&all);
        assert!(
            out.status.success(),
            "docker run {name} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Container(name.to_string())
    }

    /// Removes it now.
    pub fn remove(&self) {
        docker(&["rm", "-f", &self.0]);
    }

    pub fn running(&self) -> bool {
        running(&self.0)
    }

    pub fn networks(&self) -> Vec<String> {
        networks_of(&self.0)
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        self.remove();
    }
}

/// A network made with `docker network create` in a test (so, one obsctl
/// does not own), removed when it ends.
pub struct Network(pub String);

impl Network {
    pub fn create(name: &str) -> Network {
        let out = docker(&["network", "create", name]);
        assert!(
            out.status.success(),
            "docker network create {name} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Network(name.to_string())
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        docker(&["network", "rm", &self.0]);
    }
}
