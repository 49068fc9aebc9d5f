//! Where each value of a YAML document sits in its file.
//!
//! serde reports the location of a parse or type error, but semantic problems
//! found later (a route naming a missing receiver, two services on one port) only
//! know the *path* of the field, such as `alertmanager.route.routes[1].receiver`.
//! This index maps such paths back to line and column by replaying the YAML
//! parser's marked events, so every problem can be shown as `file:line:column`.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::Marker;

/// A 1-based line and column in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// How deep mappings and sequences may nest: serde_yaml's own limit, checked
/// here first because its parser takes time quadratic in the depth to get
/// there (a minute for a few hundred kilobytes of `{a: {a: ...`).
pub const MAX_DEPTH: usize = 128;

/// Positions of every key and value in one YAML document, by dotted path.
#[derive(Debug, Default, Clone)]
pub struct PositionIndex {
    values: HashMap<String, Position>,
    keys: HashMap<String, Position>,
    too_deep: Option<Position>,
}

impl PositionIndex {
    /// Builds the index of the first document; a document that does not
    /// parse yields an empty index (the parse error itself is reported by
    /// serde, with its own location), one nested deeper than [`MAX_DEPTH`]
    /// an empty index that says where ([`Self::too_deep`]).
    ///
    /// The parser's events are taken one at a time: its own `load` recurses
    /// once per level and overflows the stack on `- - - ...` nested a few
    /// thousand deep.
    pub fn build(source: &str) -> Self {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(source);
        loop {
            match parser.next_token() {
                Ok((Event::StreamEnd | Event::DocumentEnd, _)) => break,
                Ok((event, mark)) => {
                    builder.on_event(event, mark);
                    if builder.stack.len() > MAX_DEPTH {
                        return Self {
                            too_deep: Some(position(mark)),
                            ..Self::default()
                        };
                    }
                }
                // The scanner has a limit of its own for flow collections
                // (`[[[...`), which it can meet while looking ahead.
                Err(e) if e.info() == "recursion limit exceeded" => {
                    return Self {
                        too_deep: Some(position(*e.marker())),
                        ..Self::default()
                    };
                }
                Err(_) => return Self::default(),
            }
        }
        builder.index
    }

    /// Where the document nests deeper than [`MAX_DEPTH`], if it does.
    pub fn too_deep(&self) -> Option<Position> {
        self.too_deep
    }

    /// The position of the value at `path`, or of the nearest enclosing value
    /// that exists (a missing field is reported where its parent is).
    pub fn value(&self, path: &str) -> Option<Position> {
        let mut path = path;
        loop {
            if let Some(p) = self.values.get(path) {
                return Some(*p);
            }
            path = parent(path)?;
        }
    }

    /// True if `path` itself is written in the document (not a default).
    pub fn contains(&self, path: &str) -> bool {
        self.values.contains_key(path)
    }

    /// The position of the key that names `path`, falling back to [`Self::value`].
    pub fn key(&self, path: &str) -> Option<Position> {
        self.keys.get(path).copied().or_else(|| self.value(path))
    }
}

fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

enum Frame {
    Mapping { path: String, key: Option<String> },
    Sequence { path: String, next: usize },
}

#[derive(Default)]
struct Builder {
    index: PositionIndex,
    stack: Vec<Frame>,
}

impl Builder {
    /// Decides what the node starting at `mark` is: a mapping key (returns None
    /// after recording it) or a value at the returned path.
    fn place(&mut self, event: &Event, mark: Marker) -> Option<String> {
        let pos = position(mark);
        match self.stack.last_mut() {
            None => {
                self.index.values.entry(String::new()).or_insert(pos);
                Some(String::new())
            }
            Some(Frame::Sequence { path, next }) => {
                let item = format!("{path}[{next}]");
                *next += 1;
                self.index.values.insert(item.clone(), pos);
                Some(item)
            }
            Some(Frame::Mapping { path, key }) => match key.take() {
                None => {
                    let name = match event {
                        Event::Scalar(s, ..) => s.clone(),
                        _ => String::from("?"),
                    };
                    let full = join(path, &name);
                    self.index.keys.insert(full, pos);
                    *key = Some(name);
                    None
                }
                Some(name) => {
                    let full = join(path, &name);
                    self.index.values.insert(full.clone(), pos);
                    Some(full)
                }
            },
        }
    }
}

fn position(mark: Marker) -> Position {
    Position {
        line: mark.line(),
        column: mark.col() + 1,
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(..) | Event::Alias(..) => {
                self.place(&event, mark);
            }
            Event::MappingStart(..) => {
                if let Some(path) = self.place(&event, mark) {
                    self.stack.push(Frame::Mapping { path, key: None });
                } else {
                    // A complex (non-scalar) key: track it so nesting stays balanced.
                    self.stack.push(Frame::Mapping {
                        path: "?".into(),
                        key: None,
                    });
                }
            }
            Event::SequenceStart(..) => {
                let path = self.place(&event, mark).unwrap_or_else(|| "?".into());
                self.stack.push(Frame::Sequence { path, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "name: shop\nalertmanager:\n  route:\n    routes:\n      - receiver: pager\n      - receiver: slack\nscrape:\n  - job: api\n    targets: [a:1, b:2]\n";

    #[test]
    fn finds_nested_values_by_path() {
        let idx = PositionIndex::build(DOC);
        assert_eq!(idx.value("name"), Some(Position { line: 1, column: 7 }));
        assert_eq!(
            idx.value("alertmanager.route.routes[1].receiver"),
            Some(Position {
                line: 6,
                column: 19
            })
        );
        assert_eq!(
            idx.value("scrape[0].targets[1]"),
            Some(Position {
                line: 9,
                column: 20
            })
        );
    }

    #[test]
    fn keys_point_at_the_key_itself() {
        let idx = PositionIndex::build(DOC);
        assert_eq!(
            idx.key("scrape[0].job"),
            Some(Position { line: 8, column: 5 })
        );
    }

    #[test]
    fn missing_paths_fall_back_to_the_nearest_parent() {
        let idx = PositionIndex::build(DOC);
        assert_eq!(
            idx.value("alertmanager.route.routes[0].group_wait"),
            idx.value("alertmanager.route.routes[0]")
        );
    }

    #[test]
    fn block_sequences_nested_fifty_thousand_deep_do_not_overflow_the_stack() {
        for deep in [
            format!("{}x\n", "- ".repeat(50_000)),
            format!("{}x\n", "? ".repeat(50_000)),
            (0..3_000)
                .map(|i| format!("{}a{i}:\n", " ".repeat(i)))
                .collect(),
            format!("{}]", "[".repeat(50_000)),
            format!("{}1}}", "{\"a\": ".repeat(50_000)),
        ] {
            let idx = PositionIndex::build(&deep);
            assert_eq!(idx.value(""), None);
            assert!(idx.too_deep().is_some_and(|p| p.line >= 1));
        }
        let shallow = format!("{}x\n", "- ".repeat(MAX_DEPTH));
        assert_eq!(PositionIndex::build(&shallow).too_deep(), None);
    }

    #[test]
    fn only_the_first_document_is_indexed() {
        let idx = PositionIndex::build("a: 1\n---\nb: 2\n");
        assert!(idx.contains("a"));
        assert!(!idx.contains("b"));
    }

    #[test]
    fn broken_yaml_gives_an_empty_index() {
        assert_eq!(PositionIndex::build("a: [1, 2").value("a"), None);
    }
}
