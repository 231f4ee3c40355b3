//! `aligned_text` (`pdftotext -layout`): one table row per line, columns kept as runs of spaces.
//! This reader only turns lines into cells with their character extents; `grid` gives them
//! meaning. pdftotext places every character, CJK included, in one column of its grid, so
//! positions are counted in characters, not display width.

use super::grid::{GridCell, GridLine};
use super::ParsedRows;
use crate::model::{DocKind, TableType};
use crate::normalize::{parse_amount, AmountToken};
use crate::problem::Problem;
use std::collections::HashMap;

/// A whitespace-free token and its character extent.
struct Token<'a> {
    text: &'a str,
    start: usize,
    end: usize,
}

fn tokens(line: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None; // (char pos, byte pos)
    let mut pos = 0;
    for (byte, ch) in line.char_indices() {
        if ch.is_whitespace() {
            if let Some((s, b)) = start.take() {
                out.push(Token { text: &line[b..byte], start: s, end: pos });
            }
        } else if start.is_none() {
            start = Some((pos, byte));
        }
        pos += 1;
    }
    if let Some((s, b)) = start {
        out.push(Token { text: &line[b..], start: s, end: pos });
    }
    out
}

fn is_amount(t: &str) -> bool {
    parse_amount(t).is_some()
}

/// `2026 年预算数`: a year followed by 年 is header text, not an amount.
fn is_year_before_nian(t: &Token, next: Option<&Token>) -> bool {
    matches!(parse_amount(t.text), Some(AmountToken::Number { decimals: 0, .. }))
        && t.text.len() == 4
        && next.is_some_and(|n| n.text.starts_with('年') && n.start == t.end + 1)
}

/// Splits a line into cells: at runs of two or more spaces, and around every amount (a single
/// space can part a number from the next column's label).
pub fn cells(line: &str) -> Vec<GridCell> {
    let toks = tokens(line);
    let mut out: Vec<GridCell> = Vec::new();
    let mut joinable = false;
    for (i, t) in toks.iter().enumerate() {
        // A fraction wrapped from the line above (`.62`) is a cell of its own too.
        let fraction = t.text.len() >= 2 && t.text.starts_with('.') && t.text[1..].bytes().all(|b| b.is_ascii_digit());
        let amount = fraction || (is_amount(t.text) && !is_year_before_nian(t, toks.get(i + 1)));
        match out.last_mut() {
            Some(c) if joinable && !amount && t.start == c.end + 1 => {
                c.text.push(' ');
                c.text.push_str(t.text);
                c.end = t.end;
            }
            _ => out.push(GridCell { text: t.text.to_string(), start: t.start, end: t.end }),
        }
        joinable = !amount;
    }
    out
}

/// `.62` printed under the integer part of its amount (the amount wrapped at its decimal
/// point).
fn is_fraction(c: &GridCell) -> bool {
    c.text.len() >= 2 && c.text.starts_with('.') && c.text[1..].chars().all(|ch| ch.is_ascii_digit())
}

fn is_integer(c: &GridCell) -> bool {
    matches!(parse_amount(&c.text), Some(AmountToken::Number { decimals: 0, .. })) && !c.text.contains('.')
}

/// Joins each wrapped fraction to the integer above it that ends where the fraction starts;
/// what is left of a line that held fractions, if only numbers, continues the row above.
fn join_fractions(lines: Vec<GridLine>) -> Vec<GridLine> {
    let mut out: Vec<GridLine> = Vec::new();
    for mut l in lines {
        let mut host: Option<usize> = None;
        let mut rest = Vec::new();
        for c in std::mem::take(&mut l.cells) {
            let target = is_fraction(&c)
                .then(|| {
                    let from = out.len().saturating_sub(3);
                    (from..out.len()).rev().find_map(|k| {
                        let j = out[k]
                            .cells
                            .iter()
                            .position(|p| is_integer(p) && p.end + 2 >= c.start && p.end <= c.start + 2)?;
                        Some((k, j))
                    })
                })
                .flatten();
            match target {
                Some((k, j)) => {
                    let p = &mut out[k].cells[j];
                    p.text.push_str(&c.text);
                    p.end = p.end.max(c.end);
                    host.get_or_insert(k);
                }
                None => rest.push(c),
            }
        }
        l.cells = rest;
        match host {
            Some(k) if l.cells.iter().all(|c| parse_amount(&c.text).is_some()) => {
                let cells = std::mem::take(&mut l.cells);
                out[k].cells.extend(cells);
                out[k].cells.sort_by_key(|c| c.start);
            }
            _ if l.cells.is_empty() => {}
            _ => out.push(l),
        }
    }
    out
}

/// The region's lines as positioned cells (blank lines dropped), numbered by page: a line that
/// starts with a form feed starts a page.
pub fn to_grid(body: &[&str], base_line: usize) -> Vec<GridLine> {
    let mut page = 0;
    let mut out = Vec::new();
    for (i, l) in body.iter().enumerate() {
        if l.starts_with('\u{c}') {
            page += 1;
        }
        // The form feed is not a character of the page: positions count from after it.
        let l = l.trim_start_matches('\u{c}');
        if !l.trim().is_empty() {
            out.push(GridLine { line: base_line + i, page, cells: cells(l) });
        }
    }
    join_fractions(out)
}

/// Does a region print any amount (table numbers and years are none)? One that prints none (an
/// all-blank template) shows nothing of its layout and is read as the document's other tables are.
pub fn prints_amounts(body: &[&str]) -> bool {
    body.iter().filter(|l| super::table_number(l).is_none()).any(|l| {
        let toks = tokens(l.trim_start_matches('\u{c}'));
        toks.iter().enumerate().any(|(i, t)| is_amount(t.text) && !is_year_before_nian(t, toks.get(i + 1)))
    })
}

/// Does a region print its columns as runs of spaces? Most of its lines that hold a number
/// then print a number after a run of two or more spaces (a column gap, not a word gap).
pub fn is_aligned(body: &[&str]) -> bool {
    let mut numeric = 0;
    let mut aligned = 0;
    // A table number (`公开 10 表`) and a year of a running page header (`2026 年度`) are no
    // amounts.
    for l in body.iter().filter(|l| !l.contains('\t') && super::table_number(l).is_none()) {
        let toks = tokens(l.trim_start_matches('\u{c}'));
        let amount = |i: usize| is_amount(toks[i].text) && !is_year_before_nian(&toks[i], toks.get(i + 1));
        if !(0..toks.len()).any(amount) {
            continue;
        }
        numeric += 1;
        if toks.windows(2).any(|w| w[1].start >= w[0].end + 2 && is_amount(w[1].text)) {
            aligned += 1;
        }
    }
    aligned >= 1 && aligned * 2 >= numeric
}

pub fn parse(
    body: &[&str],
    base_line: usize,
    table_type: TableType,
    kind: DocKind,
    _code_names: &HashMap<String, String>,
) -> Result<ParsedRows, Problem> {
    super::grid::read(&to_grid(body, base_line), table_type, kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_wrapped_at_the_decimal_point() {
        // 重庆 (excerpt): fractions printed under their integers, a row spread over lines.
        let body = [
            "                   合 计             14,770",
            "                                        .62 12,672",
            "                                                 .73    579",
            "                                                          .89",
        ];
        let g = to_grid(&body, 1);
        assert_eq!(g.len(), 1);
        let texts: Vec<&str> = g[0].cells.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["合 计", "14,770.62", "12,672.73", "579.89"]);
        let last = format!("{}.17", " ".repeat(57));
        let two_sided = [
            "一、一般公共预算资金                     12,672",
            "                                    .73 一、社会保障和就业支出   120",
            &last,
        ];
        let g = to_grid(&two_sided, 1);
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].cells[1].text, "12,672.73");
        assert_eq!(g[1].cells.len(), 2);
    }

    #[test]
    fn cells_at_space_runs_and_around_amounts() {
        let c = cells("一、一般公共预算拨款收入                   32,365.090089 一、一般公共服务支出   26,661.064552");
        let texts: Vec<&str> = c.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["一、一般公共预算拨款收入", "32,365.090089", "一、一般公共服务支出", "26,661.064552"]);
        // Character positions, CJK counted once.
        assert_eq!((c[1].start, c[1].end), (31, 44));
        let h = cells("   2026 年预算数   收 入 总 计");
        let texts: Vec<&str> = h.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["2026 年预算数", "收 入 总 计"]);
    }
}
