//! Whether the rendered files in the stack directory are what the spec renders
//! to now (drift means the running stack does not follow the spec).

use std::path::Path;

use super::check::Check;
use crate::render::RenderedFile;

/// Compares `files` (rendered from the spec now) with what is on disk.
pub fn drift(files: &[RenderedFile], dir: &Path) -> Check {
    let mut stale = Vec::new();
    let mut missing = Vec::new();
    for f in files {
        match std::fs::read(dir.join(&f.path)) {
            Ok(bytes) if bytes == f.contents => {}
            Ok(_) => stale.push(f.path.display().to_string()),
            Err(_) => missing.push(f.path.display().to_string()),
        }
    }
    if stale.is_empty() && missing.is_empty() {
        return Check::ok(
            "spec",
            "rendered files",
            format!("{} files in {} match the spec", files.len(), dir.display()),
        );
    }
    if stale.is_empty() && missing.len() == files.len() {
        return Check::warn(
            "spec",
            "rendered files",
            format!("nothing is rendered in {}", dir.display()),
        )
        .hint("the stack was not brought up from this folder: run `obsctl up` (or pass --dir)");
    }
    let mut parts = Vec::new();
    if !stale.is_empty() {
        parts.push(format!(
            "{} differ from the spec ({})",
            stale.len(),
            first(&stale)
        ));
    }
    if !missing.is_empty() {
        parts.push(format!("{} missing ({})", missing.len(), first(&missing)));
    }
    Check::warn("spec", "rendered files", parts.join("; "))
        .hint("the spec changed since the last `obsctl up`; run it to apply the change")
}

fn first(list: &[String]) -> String {
    let shown: Vec<&str> = list.iter().take(3).map(String::as_str).collect();
    if list.len() > 3 {
        format!("{}, ...", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::check::Status;

    #[test]
    fn reports_changed_and_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.yml"), "old").unwrap();
        let files = vec![
            RenderedFile {
                path: "a.yml".into(),
                contents: b"new".to_vec(),
                private: false,
            },
            RenderedFile {
                path: "b.yml".into(),
                contents: b"x".to_vec(),
                private: false,
            },
        ];
        let c = drift(&files, dir.path());
        assert_eq!(c.status, Status::Warn);
        assert_eq!(
            c.detail,
            "1 differ from the spec (a.yml); 1 missing (b.yml)"
        );
        std::fs::write(dir.path().join("a.yml"), "new").unwrap();
        std::fs::write(dir.path().join("b.yml"), "x").unwrap();
        assert_eq!(drift(&files, dir.path()).status, Status::Ok);
    }
}
