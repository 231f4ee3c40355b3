//! 表7 grouped by sub-unit: which rows without a code are sub-unit headings. A heading is proved
//! by its amounts — they equal the sum of the rows that follow it (its group) — and the groups
//! must add up to the grand total; other rows without a code are projects printed without one.

use crate::model::{Cells, Row};
use crate::normalize::{is_total_label, parent_code};
use rust_decimal::Decimal;

/// A row without a code that is not a total: a heading or a project printed without a code.
fn uncoded(row: &Row) -> bool {
    row.key.code.is_none() && !row.key.name.as_deref().is_some_and(is_total_label) && row.key.project_name.is_none()
}

fn is_total(row: &Row) -> bool {
    row.key.code.is_none() && row.key.name.as_deref().is_some_and(is_total_label)
}

/// The amounts compared: every column when all cells are placed (`full`), else the 合计 column
/// alone — the first printed number (合计 is printed first and never blank on a row with amounts).
fn amounts(row: &Row, full: bool) -> Vec<Decimal> {
    match &row.cells {
        Cells::Placed(v) if full => v.iter().map(|a| a.unwrap_or_default()).collect(),
        Cells::Placed(v) | Cells::Unplaced(v) => vec![v.iter().flatten().next().copied().unwrap_or_default()],
    }
}

fn has_amounts(row: &Row) -> bool {
    match &row.cells {
        Cells::Placed(v) | Cells::Unplaced(v) => v.iter().any(|a| a.is_some()),
    }
}

/// Whether two amount vectors agree within the rounding of `n` summed figures.
fn agree(a: &[Decimal], b: &[Decimal], n: usize, half: Decimal) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= half * Decimal::from(n as i64 + 1))
}

/// The rows at the top of the code tree among `rows` (no ancestor code printed among them).
fn is_root(rows: &[Row], at: usize, from: usize) -> bool {
    let Some(code) = rows[at].key.code.as_deref() else { return true };
    let mut c = parent_code(code);
    while let Some(pc) = c {
        if rows[from..at].iter().any(|r| r.key.code.as_deref() == Some(pc)) {
            return false;
        }
        c = parent_code(pc);
    }
    true
}

/// The end (exclusive) of the group a heading at `h` heads: the first point where the roots after
/// it add up to its amounts (with the last root's descendants). `None`: they never do before a total row or the end.
fn group_end(rows: &[Row], h: usize, full: bool, half: Decimal) -> Option<usize> {
    let target = amounts(&rows[h], full);
    let mut sum = vec![Decimal::ZERO; target.len()];
    let mut n = 0;
    for j in h + 1..rows.len() {
        if is_total(&rows[j]) {
            return None;
        }
        if !is_root(rows, j, h + 1) {
            continue;
        }
        let a = amounts(&rows[j], full);
        if a.len() != sum.len() {
            return None;
        }
        for (s, x) in sum.iter_mut().zip(&a) {
            *s += x;
        }
        n += 1;
        if agree(&target, &sum, n, half) {
            // The last root's descendants belong to the group too.
            let end = (j + 1..rows.len()).find(|&k| is_total(&rows[k]) || is_root(rows, k, h + 1));
            return Some(end.unwrap_or(rows.len()));
        }
    }
    None
}

/// Marks the sub-unit headings of a 表7 (`unit` set, level 0) and the rows of their groups; an
/// uncoded row that heads no group is a project printed without a code (level null).
pub fn mark_unit_headings(rows: &mut [Row], half: Decimal) {
    let full = rows.iter().all(|r| matches!(r.cells, Cells::Placed(_)));
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        if uncoded(&rows[i]) && has_amounts(&rows[i]) {
            if let Some(end) = group_end(rows, i, full, half) {
                groups.push((i, end));
                i = end;
                continue;
            }
        }
        i += 1;
    }
    // The headings and the rows outside any group must add up to the grand total.
    if let Some(total) = rows.iter().position(is_total) {
        let heads: Vec<usize> = groups.iter().map(|(h, _)| *h).collect();
        let grouped = |j: usize| groups.iter().any(|(h, end)| j > *h && j < *end);
        let tops: Vec<usize> = (0..rows.len())
            .filter(|&j| heads.contains(&j) || (!is_total(&rows[j]) && !grouped(j) && is_root(rows, j, 0)))
            .collect();
        let target = amounts(&rows[total], full);
        let mut sum = vec![Decimal::ZERO; target.len()];
        for &j in &tops {
            for (s, x) in sum.iter_mut().zip(amounts(&rows[j], full)) {
                *s += x;
            }
        }
        if !groups.is_empty() && !agree(&target, &sum, tops.len(), half) {
            groups.clear();
        }
    }
    for (h, end) in &groups {
        let unit = rows[*h].key.name.clone();
        rows[*h].key.unit = unit.clone();
        rows[*h].key.level = Some(0);
        for row in &mut rows[h + 1..*end] {
            row.key.unit = unit.clone();
        }
    }
    for (i, row) in rows.iter_mut().enumerate() {
        if uncoded(row) && !groups.iter().any(|(h, _)| *h == i) {
            row.key.level = None;
            row.key.project_name = row.key.name.take();
        }
    }
}
