//! Plain-text tables for stdout: one header line, columns padded to their
//! widest cell, no colour and no trailing spaces, so they pipe and diff well.

/// Renders `rows` under `headers`; every row has one cell per header.
pub fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
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
    let mut text = line(headers.to_vec());
    for row in rows {
        text.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_line_up_without_trailing_spaces() {
        let t = super::render(
            &["UID", "TITLE", "DETAIL"],
            &[
                vec!["a".into(), "Long title".into(), "".into()],
                vec!["bbbb".into(), "T".into(), "why".into()],
            ],
        );
        assert_eq!(
            t,
            "UID   TITLE       DETAIL\na     Long title\nbbbb  T           why\n"
        );
    }
}
