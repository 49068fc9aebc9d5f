//! The one table type: a header line and rows, columns padded to their
//! widest cell, two spaces apart, no colour and no trailing spaces, so tables
//! pipe, diff and `grep` well. `up`, `status` and the dashboards commands
//! print theirs through it, on stdout.

/// Rows under a header; every row has one cell per header.
#[derive(Debug, Clone, Default)]
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Self {
        Table {
            headers: headers.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; it must have one cell per header.
    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.headers.len(), "one cell per header");
        self.rows.push(cells);
    }

    /// The table as text, one line per row after the header.
    pub fn render(&self) -> String {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: Vec<&str>| {
            let mut out = String::new();
            for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
                if i > 0 {
                    out.push_str("  ");
                }
                out.push_str(cell);
                if i + 1 < cells.len() {
                    out.push_str(&" ".repeat(w - cell.chars().count()));
                }
            }
            out.trim_end().to_string() + "\n"
        };
        let mut text = line(self.headers.clone());
        for row in &self.rows {
            text.push_str(&line(row.iter().map(String::as_str).collect()));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_line_up_without_trailing_spaces() {
        let mut table = super::Table::new(&["UID", "TITLE", "DETAIL"]);
        table.row(vec!["a".into(), "Long title".into(), "".into()]);
        table.row(vec!["bbbb".into(), "T".into(), "why".into()]);
        let t = table.render();
        assert_eq!(
            t,
            "UID   TITLE       DETAIL\na     Long title\nbbbb  T           why\n"
        );
    }
}
