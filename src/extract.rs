//! One document, start to finish, without I/O: text -> metadata, layout, tables, assigned
//! columns, checks, status.

use crate::assign::{assign, inactive_columns};
use crate::checks::{run_checks, CheckRow, Rounding};
use crate::identity::document_identities;
use crate::layout::html::{self, LineMap};
use crate::layout::{detect_layout, find_regions, parse_tables};
use crate::meta::{read_department, read_kind, read_meta, DocMeta};
use crate::model::{DocKind, DocStatus, Layout, Table, TableStatus, TableType};
use crate::problem::{joined, Problem, ProblemKind};
use std::borrow::Cow;

#[derive(Debug, Clone)]
pub struct Extracted {
    pub meta: DocMeta,
    pub layout: Layout,
    pub tables: Vec<Table>,
    pub checks: Vec<CheckRow>,
    pub status: DocStatus,
    /// Why the document is partial or failed (empty when ok).
    pub problems: Vec<Problem>,
}

impl Extracted {
    pub fn failed(reason: Problem) -> Extracted {
        Extracted {
            meta: DocMeta::default(),
            layout: Layout::Unknown,
            tables: Vec::new(),
            checks: Vec::new(),
            status: DocStatus::Failed,
            problems: vec![reason],
        }
    }

    /// The problems as the one line `documents.error` prints.
    pub fn error(&self) -> Option<String> {
        joined(&self.problems)
    }

    pub fn tables_found(&self) -> usize {
        self.tables.iter().filter(|t| t.status != TableStatus::Missing).count()
    }
}

/// Splits decoded text into lines (LF or CRLF). A form feed (a page break) at the end of a line
/// is dropped; one inside a line breaks it, and the line that starts a page keeps its leading
/// form feed, so readers that lay rows out by position know where each page starts (every
/// other reader trims it as white space).
pub fn split_lines(text: &str) -> Vec<&str> {
    if !text.contains('\u{c}') {
        // The common case, without the per-line form-feed splitting.
        return text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    }
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).trim_end_matches('\u{c}'))
        .flat_map(|l| {
            // Each part after the first starts at a form feed, which it keeps.
            let starts = std::iter::once(0).chain(l.match_indices('\u{c}').map(|(i, _)| i).filter(|&i| i > 0));
            let mut cuts: Vec<usize> = starts.collect();
            cuts.push(l.len());
            cuts.windows(2).map(|w| &l[w[0]..w[1]]).collect::<Vec<_>>()
        })
        .collect()
}

/// Markdown pipe-table rows (`| 201 | 一般公共服务支出 | 247.76 |`) become tab-separated rows;
/// their `|---|` separator rows become blank. Other lines are kept as they are.
pub fn pipe_rows_to_tabs<'a>(lines: &[&'a str]) -> Vec<Cow<'a, str>> {
    lines
        .iter()
        .map(|l| {
            let t = l.trim();
            if !(t.starts_with('|') && t.ends_with('|') && t.len() > 2 && t.matches('|').count() >= 3) {
                return Cow::Borrowed(*l);
            }
            let cells: Vec<&str> = t[1..t.len() - 1].split('|').map(str::trim).collect();
            if cells.iter().all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' '))) {
                Cow::Owned(String::new())
            } else {
                Cow::Owned(cells.join("\t"))
            }
        })
        .collect()
}

/// The lines the parsers read: HTML tables flattened to tab-separated rows, markdown pipe rows
/// tab-separated. With HTML tables, lines move, and the map gives each one's source line.
fn parser_lines(text: &str) -> (Vec<Cow<'_, str>>, Option<LineMap>) {
    let raw_lines = split_lines(text);
    if !html::has_html_table(text) {
        return (pipe_rows_to_tabs(&raw_lines), None);
    }
    let flat = html::flatten(&raw_lines);
    let refs: Vec<&str> = flat.lines.iter().map(String::as_str).collect();
    let lines = pipe_rows_to_tabs(&refs).into_iter().map(|c| Cow::Owned(c.into_owned())).collect();
    (lines, Some(flat.map))
}

/// Line numbers of flattened HTML lines -> source lines, in tables, rows and their messages.
fn remap_lines(tables: &mut [Table], map: &LineMap) {
    for t in tables {
        t.first_line = t.first_line.map(|l| map.source_of(l));
        t.last_line = t.last_line.map(|l| map.source_of(l));
        t.error = t.error.take().map(|e| e.map_lines(&|l| map.source_of(l)));
        for row in &mut t.rows {
            row.line = map.source_of(row.line);
        }
    }
}

/// Department and kind only, as `extract` would find them (used to order documents before the
/// full extraction).
pub fn sort_metadata(text: &str) -> (Option<String>, Option<DocKind>) {
    let (normalized, _) = parser_lines(text);
    let lines: Vec<&str> = normalized.iter().map(|c| c.as_ref()).collect();
    let regions = find_regions(&lines);
    if regions.is_empty() {
        return (None, None);
    }
    // With tables found, `read_meta`'s kind is the tables' kind; nothing else is needed here.
    (read_department(&lines), read_kind(&lines, &regions))
}

/// One document under the contract's rounding envelope.
pub fn extract(text: &str) -> Extracted {
    extract_with(text, Rounding::Envelope)
}

/// One document with its final statuses under the configured rounding: what `run` publishes
/// and `inspect` prints (both call this, so they cannot disagree).
pub fn extract_with(text: &str, rounding: Rounding) -> Extracted {
    let (normalized, line_map) = parser_lines(text);
    let lines: Vec<&str> = normalized.iter().map(|c| c.as_ref()).collect();
    let regions = find_regions(&lines);
    if regions.is_empty() {
        return Extracted::failed(Problem::at(1, ProblemKind::NoTables));
    }
    let meta = read_meta(&lines, &regions);
    let layout = detect_layout(&lines, &regions);
    let kind = meta.doc_kind.unwrap_or(DocKind::Budget);
    let unit = meta.source_unit;
    let mut tables = parse_tables(&lines, &regions, kind, unit);
    if let Some(map) = &line_map {
        remap_lines(&mut tables, map);
    }
    // Tables of the other kind's template are reported, not kept.
    let mut problems: Vec<Problem> = Vec::new();
    tables.retain(|t| {
        let ok = t.table_type.expected_for(kind);
        if !ok {
            problems.push(Problem::at(
                t.first_line.unwrap_or(0),
                ProblemKind::WrongKind { table_type: t.table_type, kind },
            ));
        }
        ok
    });
    for tt in TableType::ALL {
        if tt.expected_for(kind) && !tables.iter().any(|t| t.table_type == tt) {
            tables.push(Table::missing(tt, kind, unit));
        }
    }
    tables.sort_by_key(|t| t.table_type);
    let ids = document_identities(&tables, kind);
    let inactive = inactive_columns(&tables, kind);
    assign(&mut tables, &ids, &inactive);
    let mut checks = run_checks(&tables, &ids, rounding);
    checks.extend(crate::facts::unmapped_checks(&tables));
    if let Some(cut) = cut_off(&lines, &regions, &tables) {
        problems.push(match &line_map {
            Some(map) => cut.map_lines(&|l| map.source_of(l)),
            None => cut,
        });
    }
    for t in &tables {
        if t.status == TableStatus::Failed {
            let reason = t.error.clone().map(Box::new);
            problems.push(Problem::whole(ProblemKind::TableFailed { table_type: t.table_type, reason }));
        }
    }
    let absent = [
        (meta.department.is_none(), ProblemKind::NoDepartment),
        (meta.source_unit.is_none(), ProblemKind::NoUnit),
        (meta.fiscal_year.is_none(), ProblemKind::NoFiscalYear),
    ];
    problems.extend(absent.into_iter().filter(|(missing, _)| *missing).map(|(_, kind)| Problem::whole(kind)));
    let status = if problems.is_empty() { DocStatus::Ok } else { DocStatus::Partial };
    Extracted { meta, layout, tables, checks, status, problems }
}

/// A document whose text ends inside a table while later tables of its template are missing
/// was cut off (a truncated conversion or download).
fn cut_off(lines: &[&str], regions: &[crate::layout::Region], tables: &[Table]) -> Option<Problem> {
    let last = regions.last()?;
    let trailing = lines[last.title_idx..].iter().rev().take_while(|l| l.trim().is_empty()).count();
    if last.end_idx < lines.len()
        || !tables.iter().any(|t| t.table_type > last.table_type && t.status == TableStatus::Missing)
    {
        return None;
    }
    Some(Problem::at(
        lines.len() - trailing,
        ProblemKind::CutOff { table_type: last.table_type, title: last.title.clone() },
    ))
}
