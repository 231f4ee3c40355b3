//! `inspect FILE`: the encoding, layout and metadata found, each table as an aligned grid in
//! the source unit with its status and line span, and under it the checks that did not pass.

use crate::config::Settings;
use crate::extract::extract_with;
use crate::model::{Cells, CheckStatus, KeyShape, Row, Table};
use crate::source::{read_source, SourceFormat};
use std::fmt::Write;
use std::path::Path;

fn width(s: &str) -> usize {
    // CJK characters take two terminal columns.
    s.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum()
}

fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

fn key_cells(table: &Table, row: &Row) -> Vec<String> {
    let k = &row.key;
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    match table.table_type.key_shape() {
        KeyShape::TwoSided => vec![
            k.side.map(|s| s.as_str().to_string()).unwrap_or_default(),
            k.line_no.map(|n| n.to_string()).unwrap_or_default(),
            o(&k.code),
            o(&k.item),
        ],
        KeyShape::Coded => vec![o(&k.code), o(&k.name)],
        KeyShape::Project => vec![o(&k.unit), o(&k.code), o(&k.name), o(&k.project_name)],
        KeyShape::ThreePublic => vec![k.basis.unwrap_or_default().to_string(), o(&k.item_name)],
        KeyShape::Item => vec![o(&k.item)],
    }
}

fn value_cells(row: &Row) -> Vec<String> {
    match &row.cells {
        Cells::Placed(v) => v
            .iter()
            .enumerate()
            .map(|(i, a)| match a {
                Some(d) => d.to_string(),
                None if row.undetermined.contains(&i) => "?".to_string(),
                None => String::new(),
            })
            .collect(),
        Cells::Unplaced(v) => v.iter().map(|a| a.map(|d| format!("{d}?")).unwrap_or_default()).collect(),
    }
}

fn key_headers(table: &Table) -> Vec<&'static str> {
    match table.table_type.key_shape() {
        KeyShape::TwoSided => vec!["side", "行次", "code", "item"],
        KeyShape::Coded => vec!["code", "name"],
        KeyShape::Project => vec!["unit", "code", "name", "project_name"],
        KeyShape::ThreePublic => vec!["basis", "item"],
        KeyShape::Item => vec!["item"],
    }
}

/// The header read for the table and the contract column each printed column went to
/// (`-` where the contract names none: its numbers go to `facts` only).
fn header_map(table: &Table) -> String {
    // Each distinct column list once (the two sides of a two-sided table have their own).
    let mut lists: Vec<&crate::model::Columns> = Vec::new();
    for row in &table.rows {
        if !lists.contains(&&row.columns) {
            lists.push(&row.columns);
        }
    }
    let mut out = String::new();
    for list in lists {
        let cols: Vec<String> =
            list.iter().map(|c| format!("{} -> {}", c.header, c.name.unwrap_or("- (unmapped)"))).collect();
        let _ = writeln!(out, "    columns: {}", cols.join(" | "));
    }
    out
}

/// The table as an aligned grid: a header of key and value columns, then one line per row
/// (values in the source unit; `?` marks a column the document leaves undetermined).
fn grid(table: &Table) -> String {
    let widest = table.rows.iter().map(|r| &r.columns).max_by_key(|c| c.len());
    let mut header: Vec<String> = vec!["line".into()];
    header.extend(key_headers(table).into_iter().map(String::from));
    header.extend(widest.into_iter().flat_map(|w| w.iter()).map(|c| c.name.unwrap_or("-").to_string()));
    let mut rows: Vec<Vec<String>> = vec![header];
    for row in &table.rows {
        let mut cells = vec![row.line.to_string()];
        cells.extend(key_cells(table, row));
        cells.extend(value_cells(row));
        rows.push(cells);
    }
    let ncols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..ncols).map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| width(s)).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in rows {
        let line: Vec<String> = r.iter().enumerate().map(|(i, s)| pad(s, widths[i])).collect();
        let _ = writeln!(out, "    {}", line.join("  ").trim_end());
    }
    out
}

/// The text with a `--- page N` line before each page and each line's number.
fn numbered_pages(text: &str, pages: &[u32]) -> String {
    let mut out = String::new();
    let mut shown = 0;
    for (i, line) in crate::extract::split_lines(text).iter().enumerate() {
        let page = pages.get(i).copied().unwrap_or(0);
        if page != shown {
            let _ = writeln!(out, "--- page {page}");
            shown = page;
        }
        let _ = writeln!(out, "{:>6} | {}", i + 1, line.trim_end());
    }
    out
}

pub fn inspect(path: &Path, settings: &Settings) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let format = SourceFormat::of_path(&path.to_string_lossy());
    let source =
        read_source(format, &bytes, settings.encoding.as_deref()).map_err(|e| format!("{}: {e}", path.display()))?;
    let ex = extract_with(&source.text, settings.rounding);
    let pages = source.page_of_lines();
    let mut out = String::new();
    let m = &ex.meta;
    let _ = writeln!(out, "file:        {}", path.display());
    let _ = writeln!(out, "format:      {}", format.as_str());
    if let Some(n) = source.pages {
        let _ = writeln!(out, "pages:       {n}");
    }
    if let Some(enc) = source.encoding {
        let _ = writeln!(out, "encoding:    {enc}");
    }
    let _ = writeln!(out, "layout:      {}", ex.layout.as_str());
    let _ = writeln!(out, "department:  {}", m.department.clone().unwrap_or_else(|| "?".into()));
    let _ = writeln!(out, "fiscal_year: {}", m.fiscal_year.map(|y| y.to_string()).unwrap_or_else(|| "?".into()));
    let _ = writeln!(out, "doc_kind:    {}", m.doc_kind.map(|k| k.as_str()).unwrap_or("?"));
    let _ = writeln!(out, "scope:       {}", m.scope.unwrap_or("?"));
    let _ = writeln!(out, "source_unit: {}", m.source_unit.map(|u| u.as_str()).unwrap_or("?"));
    let _ = writeln!(out, "status:      {}{}", ex.status, ex.error().map(|e| format!(" ({e})")).unwrap_or_default());
    if let Some(pages) = &pages {
        let _ = writeln!(out, "\n== the text rebuilt from the PDF (the line numbers tables.parquet cites)");
        out.push_str(&numbered_pages(&source.text, pages));
    }
    for table in &ex.tables {
        let span = match (table.first_line, table.last_line, &pages) {
            (Some(a), Some(b), Some(p)) => {
                let page = |l: usize| p.get(l - 1).copied().unwrap_or(0);
                format!("lines {a}-{b}, pages {}-{}", page(a), page(b))
            }
            (Some(a), Some(b), None) => format!("lines {a}-{b}"),
            _ => "not in the document".into(),
        };
        let _ = writeln!(
            out,
            "\n== {} {} [{}] {} — {} rows, {}{}",
            table.source_number.clone().unwrap_or_default(),
            table.table_type.as_str(),
            table.status.as_str(),
            table.source_title.clone().unwrap_or_default(),
            table.rows.len(),
            span,
            table.error.as_ref().map(|e| format!(" — {e}")).unwrap_or_default()
        );
        let _ = write!(out, "{}", header_map(table));
        let _ = write!(out, "{}", grid(table));
        let notable: Vec<_> = ex
            .checks
            .iter()
            .filter(|c| {
                c.table_type == table.table_type.as_str()
                    && !matches!(c.status, CheckStatus::Pass | CheckStatus::Skipped)
            })
            .collect();
        for c in notable {
            let _ = writeln!(
                out,
                "    {:<9} {:<22} {}",
                c.status.as_str(),
                format!("{} {}", c.check_id, c.row_ref.clone().unwrap_or_default()),
                c.message
            );
        }
    }
    let passed = ex.checks.iter().filter(|c| c.status == CheckStatus::Pass).count();
    let skipped = ex.checks.iter().filter(|c| c.status == CheckStatus::Skipped).count();
    let _ = writeln!(
        out,
        "\nchecks: {} total, {passed} pass, {skipped} skipped; others listed under their tables",
        ex.checks.len()
    );
    Ok(out)
}
