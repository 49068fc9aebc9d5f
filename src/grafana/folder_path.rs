//! Where a dashboard sits among Grafana's nested folders — the titles from
//! the root down — and how that path is written as directories.
//!
//! Export writes one directory per level and import reads them back, so a
//! folder title must survive the trip through a directory name. Most titles
//! are used as they are. Those that cannot be a directory name, or that
//! would read back as something else, are escaped with `%XX` (the UTF-8
//! bytes in upper-case hex): `%` itself, `/`, `\`, control characters, the
//! whole of `.` and `..`, and the first letter of `General` (any case),
//! which as a directory name stands for the root. An empty title is written
//! as a lone `%`. Reading decodes every valid `%XX`, so each title maps to
//! one name and back.

use std::fmt;

use super::GENERAL;
pub use crate::dashjson::is_general;

/// A folder's titles from the root down; empty for the root (General).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FolderPath(pub Vec<String>);

impl FolderPath {
    pub fn root() -> Self {
        FolderPath(Vec::new())
    }

    /// One folder at the root, or the root itself for `General` (any case).
    pub fn top(title: &str) -> Self {
        if is_general(title) {
            FolderPath::root()
        } else {
            FolderPath(vec![title.to_string()])
        }
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The innermost folder's title; `General` for the root.
    pub fn title(&self) -> &str {
        self.0.last().map_or(GENERAL, String::as_str)
    }

    /// The path of the parent folder (the root's parent is the root).
    pub fn parent(&self) -> FolderPath {
        let mut up = self.0.clone();
        up.pop();
        FolderPath(up)
    }

    /// Every level from the outermost folder down to this one.
    pub fn levels(&self) -> impl Iterator<Item = FolderPath> + '_ {
        (1..=self.0.len()).map(|n| FolderPath(self.0[..n].to_vec()))
    }

    /// Whether `self` is `other` or lies below it.
    pub fn within(&self, other: &FolderPath) -> bool {
        self.0.starts_with(&other.0)
    }

    /// Why Grafana could not hold this path, if it cannot: a level titled
    /// `General` (the root's name) or with an empty title.
    pub fn invalid(&self) -> Option<String> {
        self.0.iter().find_map(|t| {
            if t.trim().is_empty() {
                Some("a folder title cannot be empty".to_string())
            } else if is_general(t) {
                Some(format!(
                    "no folder can be titled `{t}`: General is the name of Grafana's root"
                ))
            } else {
                None
            }
        })
    }

    /// The directories this path is written as, one per level.
    pub fn dirs(&self) -> std::path::PathBuf {
        self.0.iter().map(|t| dir_name(t)).collect()
    }

    /// The folder path of directory names read below an import's root: each
    /// name decoded; a first directory named `General` (any case) is the root.
    pub fn from_dirs<S: AsRef<str>>(names: &[S]) -> FolderPath {
        let mut titles: Vec<String> = names.iter().map(|n| title_of(n.as_ref())).collect();
        if names.first().is_some_and(|n| is_general(n.as_ref())) {
            titles.remove(0);
        }
        FolderPath(titles)
    }
}

impl fmt::Display for FolderPath {
    /// `General` for the root, else the titles joined with `/`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_root() {
            f.write_str(GENERAL)
        } else {
            f.write_str(&self.0.join("/"))
        }
    }
}

/// A folder title as a directory name; [`title_of`] reads it back.
pub fn dir_name(title: &str) -> String {
    if title.is_empty() {
        return "%".into();
    }
    if title == "." || title == ".." {
        return "%2E".repeat(title.len());
    }
    let mut out = String::with_capacity(title.len());
    for (i, c) in title.chars().enumerate() {
        let escape =
            matches!(c, '%' | '/' | '\\') || c.is_control() || (i == 0 && is_general(title));
        if escape {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The folder title a directory name stands for: every valid `%XX` decoded.
pub fn title_of(name: &str) -> String {
    if name == "%" {
        return String::new();
    }
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| {
            std::str::from_utf8(h)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        });
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_survive_the_trip_through_a_directory_name() {
        for title in [
            "Team A",
            "a/b",
            "..",
            ".",
            "",
            "100%",
            "back\\slash",
            "tab\there",
            "General",
            "general",
            "Überwachung",
            "%41",
            "..hidden",
        ] {
            let name = dir_name(title);
            assert!(
                !name.contains('/') && name != "." && name != ".." && !name.is_empty(),
                "{title:?} -> {name:?}"
            );
            assert!(!is_general(&name), "{title:?} -> {name:?}");
            assert_eq!(title_of(&name), title, "{title:?} -> {name:?}");
        }
        assert_eq!(dir_name("Team A"), "Team A");
        assert_eq!(dir_name("a/b"), "a%2Fb");
        assert_eq!(dir_name(".."), "%2E%2E");
        assert_eq!(dir_name("General"), "%47eneral");
    }

    #[test]
    fn names_that_are_not_escapes_read_as_they_are() {
        assert_eq!(title_of("50% off"), "50% off");
        assert_eq!(title_of("x%2"), "x%2");
        assert_eq!(title_of("a%2fb"), "a/b");
    }

    #[test]
    fn a_first_general_directory_is_the_root() {
        assert_eq!(FolderPath::from_dirs(&["General"]), FolderPath::root());
        assert_eq!(
            FolderPath::from_dirs(&["general", "Team"]),
            FolderPath(vec!["Team".into()])
        );
        let deep = FolderPath::from_dirs(&["Team", "General"]);
        assert_eq!(deep, FolderPath(vec!["Team".into(), "General".into()]));
        assert!(deep.invalid().unwrap().contains("General"));
        assert_eq!(
            FolderPath::from_dirs(&["%"]).invalid().unwrap(),
            "a folder title cannot be empty"
        );
        assert_eq!(FolderPath::top("GENERAL"), FolderPath::root());
    }

    #[test]
    fn paths_show_their_levels() {
        let p = FolderPath(vec!["A".into(), "B".into()]);
        assert_eq!(p.to_string(), "A/B");
        assert_eq!(FolderPath::root().to_string(), "General");
        assert_eq!(p.title(), "B");
        assert_eq!(p.parent(), FolderPath(vec!["A".into()]));
        let levels: Vec<String> = p.levels().map(|l| l.to_string()).collect();
        assert_eq!(levels, ["A", "A/B"]);
        assert!(p.within(&FolderPath(vec!["A".into()])));
        assert!(p.within(&FolderPath::root()));
        assert!(!FolderPath(vec!["A".into()]).within(&p));
        assert_eq!(p.dirs(), std::path::PathBuf::from("A/B"));
    }
}
