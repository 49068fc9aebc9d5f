//! `obsctl render`: validate, render every file in memory, then write them
//! atomically into the output directory: the Docker stack's files, or with
//! `--target kubernetes`, Prometheus Operator resources and Helm values.

use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde_json::json;

use crate::cli::RenderArgs;
use crate::error::{Error, EXIT_OK};
use crate::kubernetes::{self, Settings};
use crate::printer::{Format, Printer};
use crate::render::write::WriteReport;
use crate::{credentials, render, stack};

/// Renders the stack's files into `--out` (default: `.obsctl/` beside the
/// spec, `.obsctl/kubernetes/` for Kubernetes).
pub fn run(printer: &Printer, file: Option<&Path>, args: &RenderArgs) -> Result<u8> {
    match args.kubernetes()? {
        Some(settings) => run_kubernetes(printer, file, args, settings),
        None => run_docker(printer, file, args),
    }
}

fn run_docker(printer: &Printer, file: Option<&Path>, args: &RenderArgs) -> Result<u8> {
    let stack = stack::load(file)?;
    printer.warnings(&stack.warnings);
    let dir = args.out.clone().unwrap_or_else(|| stack.default_dir());
    let files = render::render(&stack.model)?;
    let report = render::write::write(&dir, &files)?;
    print_report(printer, &dir, files.len(), &report, None);
    Ok(EXIT_OK)
}

/// Without `--secrets` no secret is read (the resources only name them), so
/// the environment variables and files the spec names need not be at hand.
fn run_kubernetes(
    printer: &Printer,
    file: Option<&Path>,
    args: &RenderArgs,
    mut settings: Settings,
) -> Result<u8> {
    let stack = if settings.secrets {
        stack::load(file)?
    } else {
        stack::load_references_only(file)?
    };
    printer.warnings(&stack.warnings);
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| stack.default_dir().join("kubernetes"));
    let secrets_dir = dir.join("secrets");
    let password = match (&stack.model.grafana, settings.secrets) {
        (Some(_), true) => Some(
            credentials::read_or_generate(&secrets_dir)
                .map_err(Error::io("read the Grafana admin password", &secrets_dir))?,
        ),
        _ => None,
    };
    settings.grafana_admin_password = password.as_ref().map(|p| p.value.clone());
    let rendered = kubernetes::render(&stack.model, &stack.source, &settings)?;
    printer.warnings(&rendered.warnings);
    if settings.secrets {
        private_dir(&secrets_dir)?;
    }
    let report = render::write::write_listed(&dir, &rendered.files, kubernetes::MANIFEST)?;
    if let Some(p) = password.filter(|p| p.created) {
        credentials::store(&p).map_err(Error::io("store the Grafana admin password", &p.path))?;
    }
    print_report(
        printer,
        &dir,
        rendered.files.len(),
        &report,
        Some(&rendered.kinds),
    );
    Ok(EXIT_OK)
}

/// The folder of the Secrets: only its owner may list or enter it.
fn private_dir(path: &PathBuf) -> Result<(), Error> {
    let err = Error::io("create the secrets folder", path);
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(err)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
        .map_err(Error::io("make the secrets folder private", path))
}

fn print_report(
    printer: &Printer,
    dir: &Path,
    files: usize,
    report: &WriteReport,
    kinds: Option<&std::collections::BTreeMap<String, usize>>,
) {
    match printer.format() {
        Format::Json => {
            let mut out = json!({
                "dir": dir,
                "files": files,
                "written": report.written,
                "unchanged": report.unchanged,
                "removed": report.removed,
            });
            if let Some(kinds) = kinds {
                out["target"] = json!("kubernetes");
                out["kinds"] = json!(kinds);
            }
            printer.json(&out)
        }
        Format::Human => {
            printer.say(format!(
                "rendered {} files into {} ({} written, {} unchanged, {} removed)",
                files,
                dir.display(),
                report.written.len(),
                report.unchanged.len(),
                report.removed.len()
            ));
            if let Some(kinds) = kinds {
                let list: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
                printer.say(format!("  resources: {}", list.join(", ")));
                printer.hint(format!(
                    "{} says how to apply them",
                    dir.join("README.md").display()
                ));
            }
        }
    }
}
