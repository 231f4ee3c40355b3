//! The meaning layer for readers that keep columns by position (`aligned_text`): from a table's
//! lines of cells with x-extents it finds the header block, builds the value columns from where
//! the numbers sit, reads each column's printed header path (wrapped words, group cells over
//! sub-columns), maps it to a contract column through `table_spec`, and keys the data rows.

use super::ParsedRows;
use crate::model::{Amount, Cells, Column, Columns, DocKind, Row, RowKey, Side, TableType};
use crate::normalize::{
    canonical_code, clean_label, code_level, function_class_code, is_total_label, parse_amount, strip_ws, AmountToken,
};
use crate::problem::{Problem, ProblemKind};
use crate::table_spec;
use std::collections::{HashMap, HashSet};

/// One printed cell: its text and its horizontal extent (character positions, end exclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct GridCell {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

impl GridCell {
    /// Twice the centre, to stay in integers.
    fn center2(&self) -> usize {
        self.start + self.end
    }
    fn amount(&self) -> Option<AmountToken> {
        parse_amount(&self.text)
    }
}

/// One printed line: its 1-based line number, its page (pages may space columns differently)
/// and its cells left to right.
#[derive(Debug, Clone)]
pub struct GridLine {
    pub line: usize,
    pub page: usize,
    pub cells: Vec<GridCell>,
}

impl GridLine {
    fn text(&self) -> String {
        self.cells.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join(" ")
    }
}

/// Lines that are no part of the grid: table numbers, titles, 编制/单位 lines, page numbers,
/// notes.
fn is_furniture(l: &GridLine) -> bool {
    let text = l.text();
    let s = strip_ws(&text);
    s.is_empty()
        || super::table_number(&text).is_some()
        || super::classify_title(&text).is_some()
        || (l.cells.len() == 1 && s.ends_with('表') && s.chars().count() <= 32)
        || s.contains("编制部门")
        || s.contains("编制单位")
        || s.starts_with("部门名称")
        || s.starts_with("部门（单位）")
        || s.starts_with("部门(单位)")
        || s.starts_with("单位名称")
        || s.starts_with("单位：")
        || s.starts_with("单位:")
        || s.contains("金额单位")
        || s.starts_with("注：")
        || s.starts_with("注:")
        || is_page_number(&s)
        || super::pdf_text::is_numbering_line(&text)
}

/// `- 3 -`, `第3页共20页`, `3`.
fn is_page_number(s: &str) -> bool {
    let core = s.trim_matches(['-', '—', '－']);
    (core.len() <= 4 && !core.is_empty() && core.chars().all(|c| c.is_ascii_digit()) && core.len() < s.len())
        || (s.starts_with('第') && s.contains('页'))
}

/// A code at the start of a row: cells `201`,`01`,`02` or one cell `2010801-行政运行` /
/// `[201]一般公共服务支出` / `201 一般公共服务支出`. Returns the code, the name text left in
/// the cell that held it, and how many cells it used.
fn leading_code(cells: &[GridCell], function_coded: bool) -> Option<(String, String, usize)> {
    let lead_ok = |d: &str| {
        let first = d.as_bytes()[0];
        [3, 5, 7].contains(&d.len()) && if function_coded { first == b'2' } else { matches!(first, b'3' | b'5') }
    };
    let first = cells.first()?;
    let t = strip_ws(&first.text);
    if t.chars().all(|c| c.is_ascii_digit()) && !t.is_empty() {
        if !lead_ok(&t) {
            return None;
        }
        let mut parts = vec![t.clone()];
        let max = if function_coded { 3 } else { 2 };
        while t.len() == 3 && parts.len() < max {
            match cells.get(parts.len()).map(|c| strip_ws(&c.text)) {
                Some(p) if (1..=2).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()) => parts.push(p),
                _ => break,
            }
        }
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        return canonical_code(&refs).map(|c| (c, String::new(), parts.len()));
    }
    fused_code(&t, function_coded).map(|(code, rest)| (code, rest, 1))
}

/// A code fused to its name in one cell (`2010801-行政运行`, `[201]一般公共服务支出`,
/// `201一般公共服务支出`): the code and the name text after it.
pub fn fused_code(cell: &str, function_coded: bool) -> Option<(String, String)> {
    let body = cell.trim_start_matches(['[', '【', '(', '（']);
    let digits: String = body.chars().take_while(|c| c.is_ascii_digit()).collect();
    let first = *digits.as_bytes().first()?;
    let lead_ok =
        [3, 5, 7].contains(&digits.len()) && if function_coded { first == b'2' } else { matches!(first, b'3' | b'5') };
    if !lead_ok {
        return None;
    }
    let rest = body[digits.len()..].trim_start_matches([']', '】', ')', '）', '-', '－', '—', ':', '：', '.']);
    if rest.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some((digits, rest.to_string()))
}

/// A row's printed parts: key cells at the left, value cells after.
#[derive(Clone)]
struct Parsed<'a> {
    line: usize,
    page: usize,
    code: Option<String>,
    /// Name fragments printed in the row's label cells.
    name: String,
    /// The row's label cells, each on its own (a 表7 row prints the function's name and the
    /// project's).
    labels: Vec<String>,
    /// Where the label starts (indentation).
    indent: usize,
    /// Where the label's last cell ends (0 when the row prints no label).
    label_right: usize,
    values: Vec<&'a GridCell>,
}

fn is_number(c: &GridCell) -> bool {
    matches!(c.amount(), Some(AmountToken::Number { .. }))
}

fn is_value(c: &GridCell) -> bool {
    c.amount().is_some()
}

/// Splits a data line into its label (code and name cells) and its value cells.
fn parse_line<'a>(l: &'a GridLine, function_coded: bool) -> Parsed<'a> {
    let mut code = None;
    let mut name = String::new();
    let mut labels = Vec::new();
    let mut used = 0;
    if let Some((c, rest, n)) = leading_code(&l.cells, function_coded) {
        code = Some(c);
        labels.extend((!rest.is_empty()).then(|| rest.clone()));
        name = rest;
        used = n;
    }
    // Values start after the last text cell printed before the first unmistakable amount (one
    // with a decimal point, a thousands separator or a dash): an integer before it (a unit
    // code, `120001`) is part of the label.
    let cells = &l.cells[used..];
    let clear = |c: &GridCell| is_value(c) && (c.text.contains(['.', ',']) || !is_number(c));
    let first_clear = cells.iter().position(clear).unwrap_or(cells.len());
    let start = cells[..first_clear].iter().rposition(|c| !is_value(c)).map_or(0, |i| i + 1);
    let mut values = Vec::new();
    for (i, c) in cells.iter().enumerate() {
        if i < start {
            name.push_str(&strip_ws(&c.text));
            labels.push(strip_ws(&c.text));
        } else if is_value(c) {
            values.push(c);
        }
    }
    let indent = l.cells.first().map(|c| c.start).unwrap_or(0);
    let label_right = l.cells[..used + start].iter().map(|c| c.end).max().unwrap_or(0);
    Parsed { line: l.line, page: l.page, code, name, labels, indent, label_right, values }
}

/// A value column: the horizontal band its numbers occupy.
#[derive(Debug, Clone, Copy)]
struct Band {
    start: usize,
    end: usize,
}

/// Bands of the numbers: cells whose extents overlap are one column.
fn bands(rows: &[Parsed]) -> Vec<Band> {
    let mut spans: Vec<(usize, usize)> = rows.iter().flat_map(|r| r.values.iter().map(|c| (c.start, c.end))).collect();
    spans.sort();
    let mut out: Vec<Band> = Vec::new();
    for (s, e) in spans {
        match out.last_mut() {
            Some(b) if s < b.end => b.end = b.end.max(e),
            _ => out.push(Band { start: s, end: e }),
        }
    }
    out
}

/// Columns the header prints but no row fills: stacks of header words (a wrapped header cell's
/// pieces, aligned left, right or on one centre) that overlap no number band. A stack right of
/// the last band, or sharing a band's slot with a stack printed over that band's numbers, is a
/// column of its own, so a group cell is fitted over every column under it, blank or not, and
/// the blank column's words never join a neighbour's header. Returns the bands with those
/// columns in place.
fn with_header_columns(bands: Vec<Band>, words: &[Word], edge: LabelEdge) -> Vec<Band> {
    if bands.is_empty() {
        return bands;
    }
    let overlaps = |s: usize, e: usize, b: &Band| s < b.end && b.start < e;
    // Stacks: each word joins the stack it overlaps and is aligned with, else starts one.
    let mut order: Vec<&Word> = words.iter().filter(|w| w.center2() >= 2 * edge.numbers).collect();
    order.sort_by_key(|w| (w.row, w.start));
    // (start, end, lowest header line).
    let mut stacks: Vec<(usize, usize, usize)> = Vec::new();
    for w in order {
        let aligned = |&&mut (s, e, _): &&mut (usize, usize, usize)| {
            w.start < e && s < w.end && (w.start == s || w.end == e || (s + e).abs_diff(w.center2()) <= 2)
        };
        match stacks.iter_mut().find(aligned) {
            Some(st) => *st = (st.0.min(w.start), st.1.max(w.end), w.row),
            None => stacks.push((w.start, w.end, w.row)),
        }
    }
    let last_end = bands.last().map_or(0, |b| b.end);
    let slot = |s: usize, e: usize| bands.iter().position(|b| s + e <= 2 * b.end);
    // The stacks reaching lowest first: a group cell above blank columns yields to them.
    stacks.sort_by_key(|st| (std::cmp::Reverse(st.2), st.0));
    // Header words printed below a stack on both sides of it: it may be a group cell (`2025年`
    // over its year's columns), which `fit_group` decides; it is not taken for a column.
    let group_like = |s: usize, e: usize, bottom: usize| {
        let below = |side: &dyn Fn(&Word) -> bool| {
            words.iter().any(|w| w.row > bottom && w.center2() >= 2 * edge.numbers && side(w))
        };
        below(&|w| w.end <= s) && below(&|w| w.start >= e)
    };
    let mut out = bands.clone();
    for &(s, e, bottom) in &stacks {
        if out.iter().any(|b| overlaps(s, e, b)) || group_like(s, e, bottom) {
            continue;
        }
        let own = match slot(s, e) {
            None => s >= last_end,
            Some(k) => stacks.iter().any(|&(a, z, _)| overlaps(a, z, &bands[k]) && slot(a, z) == Some(k)),
        };
        if own {
            out.push(Band { start: s, end: e });
        }
    }
    out.sort_by_key(|b| b.start);
    out
}

/// The band a value cell belongs to.
fn band_of(bands: &[Band], c: &GridCell) -> Option<usize> {
    bands.iter().position(|b| c.start < b.end && b.start < c.end)
}

/// A header word with its header line (0 = top).
#[derive(Debug, Clone)]
struct Word {
    text: String,
    start: usize,
    end: usize,
    row: usize,
}

impl Word {
    fn center2(&self) -> usize {
        self.start + self.end
    }
}

/// Header cells split into words at every space: a single space can part two columns' words.
fn header_words(header: &[&GridLine]) -> Vec<Word> {
    let mut out = Vec::new();
    for (row, l) in header.iter().enumerate() {
        for c in &l.cells {
            let mut pos = c.start;
            let mut cur = String::new();
            let mut cur_start = pos;
            for ch in c.text.chars() {
                if ch.is_whitespace() {
                    if !cur.is_empty() {
                        out.push(Word { text: std::mem::take(&mut cur), start: cur_start, end: pos, row });
                    }
                } else {
                    if cur.is_empty() {
                        cur_start = pos;
                    }
                    cur.push(ch);
                }
                pos += 1;
            }
            if !cur.is_empty() {
                out.push(Word { text: cur, start: cur_start, end: pos, row });
            }
        }
    }
    join_letter_spaced(join_years(out))
}

/// `2026 年预算数`: a year and the 年 word after it are one word.
fn join_years(words: Vec<Word>) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    for w in words {
        match out.last_mut() {
            Some(p)
                if p.row == w.row
                    && p.text.len() == 4
                    && p.text.bytes().all(|b| b.is_ascii_digit())
                    && w.text.starts_with('年')
                    && w.start <= p.end + 1 =>
            {
                p.text.push_str(&w.text);
                p.end = w.end;
            }
            _ => out.push(w),
        }
    }
    out
}

/// `总   计`, `合 计`: single characters spaced out across a cell are one word.
fn join_letter_spaced(words: Vec<Word>) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    for w in words {
        match out.last_mut() {
            Some(p)
                if p.row == w.row
                    && w.text.chars().count() == 1
                    && p.text.chars().all(|c| !c.is_ascii())
                    && p.text.chars().count() <= 3
                    && p.end + 4 >= w.start
                    && out_single_spaced(p) =>
            {
                p.text.push_str(&w.text);
                p.end = w.end;
            }
            _ => out.push(w),
        }
    }
    out
}

/// A word built only from single spaced-out characters so far (its span is wider than its text).
fn out_single_spaced(w: &Word) -> bool {
    w.text.chars().count() == 1 || w.end - w.start > w.text.chars().count()
}

/// Where the labels end: `numbers` where the first column's numbers start, `text` where the
/// body's printed labels end. pdftotext packs CJK header text to the left of the numbers under
/// it, so a header word left of the numbers but right of every printed label still heads the
/// first column.
#[derive(Debug, Clone, Copy)]
struct LabelEdge {
    numbers: usize,
    text: usize,
}

/// Words that head the label columns (科目编码, 科目名称, 项目, 类/款/项, 单位名称, the 收入 /
/// 支出 side captions), never a value column.
fn is_label_header(text: &str) -> bool {
    let t = table_spec::normalize_header(text);
    ["科目", "名称", "编码", "代码"].iter().any(|k| t.contains(k))
        || matches!(
            t.as_str(),
            "项目" | "类" | "款" | "项" | "收入" | "支出" | "收" | "入" | "支" | "出" | "预算单位" | "单位"
        )
}

/// Column i's header slot runs from the end of band i-1 to the end of band i (numbers are
/// right-aligned under headers that are centred): the slot a header word's centre falls in.
fn slot_of(bands: &[Band], edge: LabelEdge, w: &Word) -> Option<usize> {
    let c2 = w.center2();
    // Saturating: a table without numbers has no bands and its label end is `usize::MAX - 1`.
    if c2 < edge.numbers.saturating_mul(2) {
        let first_column = !bands.is_empty() && edge.text < edge.numbers && w.start >= edge.text;
        return (first_column && !is_label_header(&w.text)).then_some(0);
    }
    let i = bands.iter().position(|b| c2 <= b.end.saturating_mul(2))?;
    Some(i)
}

/// The header of every band: its group path (top first) and its own words (top to bottom).
/// How group cells are fitted over their columns. `TopDown`: each group from the top line down,
/// centred on the columns' slots (failing that, on the words below), a lower group nesting
/// inside the groups above. `BottomUp`: from the lowest group up, centred on the words below
/// (pdftotext packs CJK headers to the left of their numbers, but the words of one header drift
/// alike), a higher group holding the groups below it whole. Readers try both and keep the one
/// the alias table explains best.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GroupFit {
    TopDown,
    BottomUp,
}

fn header_paths(words: &[Word], bands: &[Band], edge: LabelEdge, fit: GroupFit) -> Vec<(Vec<String>, Vec<String>)> {
    let label_end = edge.numbers;
    let slots: Vec<Option<usize>> = words.iter().map(|w| slot_of(bands, edge, w)).collect();
    let mut group_of: Vec<Option<(usize, usize)>> = vec![None; words.len()];
    let mut order: Vec<usize> = (0..words.len()).filter(|&i| slots[i].is_some()).collect();
    match fit {
        GroupFit::TopDown => order.sort_by_key(|&i| (words[i].row, words[i].start)),
        GroupFit::BottomUp => order.sort_by_key(|&i| (std::cmp::Reverse(words[i].row), words[i].start)),
    }
    for &i in &order {
        let fitted: Vec<(usize, usize)> = (0..words.len())
            .filter(
                |&j| if fit == GroupFit::TopDown { words[j].row < words[i].row } else { words[j].row > words[i].row },
            )
            .filter_map(|j| group_of[j])
            .collect();
        group_of[i] = fit_group(words, &slots, i, bands, label_end, &fitted, fit);
    }
    (0..bands.len())
        .map(|b| {
            let mut groups: Vec<(usize, usize, &Word)> = (0..words.len())
                .filter_map(|i| group_of[i].filter(|(lo, hi)| *lo <= b && b <= *hi).map(|(lo, hi)| (lo, hi, &words[i])))
                .collect();
            groups.sort_by_key(|(lo, hi, w)| (hi - lo, std::cmp::Reverse(w.row), w.start));
            groups.reverse();
            // A group cell wrapped over lines is one path element.
            let mut path: Vec<String> = Vec::new();
            let mut last: Option<(usize, usize)> = None;
            for (lo, hi, w) in groups {
                match (last, path.last_mut()) {
                    (Some(r), Some(p)) if r == (lo, hi) => p.push_str(&w.text),
                    _ => path.push(w.text.clone()),
                }
                last = Some((lo, hi));
            }
            let leaf: Vec<&Word> =
                (0..words.len()).filter(|&i| slots[i] == Some(b) && group_of[i].is_none()).map(|i| &words[i]).collect();
            let leaf = owning_cluster(leaf, bands[b]);
            (path, leaf.iter().map(|w| w.text.clone()).collect())
        })
        .collect()
}

/// A header word is a group cell when it is centred over two or more adjacent columns whose
/// own headers all start below it (and none is printed on its line). Of the ranges of columns
/// it is centred over (within 2.5 characters) on the columns' slots, the widest is its span (a
/// narrower range inside can be centred under it by symmetry alone); failing that, the range
/// whose header words it is best centred over.
fn fit_group(
    words: &[Word],
    slots: &[Option<usize>],
    i: usize,
    bands: &[Band],
    label_end: usize,
    fitted: &[(usize, usize)],
    fit: GroupFit,
) -> Option<(usize, usize)> {
    let n = bands.len();
    let w = &words[i];
    let s = slots[i]?;
    // Per slot: the extent of the words below w, and whether a word on w's line sits there.
    let mut below: Vec<Option<(usize, usize)>> = vec![None; n];
    let mut same_line = vec![false; n];
    for (j, o) in words.iter().enumerate() {
        let Some(k) = slots[j] else { continue };
        if j == i {
            continue;
        }
        if o.row > w.row {
            below[k] = Some(below[k].map_or((o.start, o.end), |(a, b)| (a.min(o.start), b.max(o.end))));
        } else if o.row == w.row {
            same_line[k] = true;
        }
    }
    let ok = |k: usize| below[k].is_some() && !same_line[k];
    if !ok(s) {
        return None;
    }
    let mut lo = s;
    while lo > 0 && ok(lo - 1) {
        lo -= 1;
    }
    let mut hi = s;
    while hi + 1 < n && ok(hi + 1) {
        hi += 1;
    }
    let left = |k: usize| if k == 0 { label_end } else { bands[k - 1].end };
    let mut by_slots: Option<(usize, usize, usize)> = None;
    let mut by_words: Option<(usize, usize, usize)> = None;
    for a in lo..=s {
        #[allow(clippy::needless_range_loop)] // a and b are band indices, compared and subtracted
        for b in s..=hi {
            // Groups nest: a range may hold a group fitted below, lie inside one, or beside it; never
            // or around it.
            let nests = fitted.iter().all(|&(ga, gb)| (ga <= a && b <= gb) || (a <= ga && gb <= b) || b < ga || gb < a);
            if a == b || !nests {
                continue;
            }
            let slot_fit = (left(a) + bands[b].end).abs_diff(w.center2());
            if slot_fit <= 5 && by_slots.is_none_or(|(f, ba, bb)| b - a > bb - ba || (b - a == bb - ba && slot_fit < f))
            {
                by_slots = Some((slot_fit, a, b));
            }
            let from = (a..=b).filter_map(|k| below[k].map(|x| x.0)).min().unwrap_or(0);
            let to = (a..=b).filter_map(|k| below[k].map(|x| x.1)).max().unwrap_or(0);
            let word_fit = (from + to).abs_diff(w.center2());
            if word_fit <= 5 && by_words.is_none_or(|(f, ba, bb)| word_fit < f || (word_fit == f && b - a > bb - ba)) {
                by_words = Some((word_fit, a, b));
            }
        }
    }
    match fit {
        GroupFit::TopDown => by_slots.or(by_words),
        GroupFit::BottomUp => by_words.or(by_slots),
    }
    .map(|(_, a, b)| (a, b))
}

/// The words of a slot that head its band: where a column without any number shares the slot,
/// the cluster of words nearest the band's numbers.
fn owning_cluster(mut words: Vec<&Word>, band: Band) -> Vec<&Word> {
    words.sort_by_key(|w| w.start);
    let mut clusters: Vec<(usize, usize, Vec<&Word>)> = Vec::new();
    for w in words {
        match clusters.last_mut() {
            Some((_, end, members)) if w.start < *end => {
                *end = (*end).max(w.end);
                members.push(w);
            }
            _ => clusters.push((w.start, w.end, vec![w])),
        }
    }
    let gap = |(s, e): (usize, usize)| {
        if e <= band.start {
            band.start - e
        } else {
            s.saturating_sub(band.end)
        }
    };
    let best = clusters.into_iter().min_by_key(|(s, e, _)| gap((*s, *e)));
    let mut out = best.map(|(_, _, m)| m).unwrap_or_default();
    out.sort_by_key(|w| (w.row, w.start));
    out
}

/// What a band holds: an amount column (its contract column, if any) or the 行次 numbers.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Role {
    Value(usize),
    LineNo,
}

/// Maps every band's header path to a contract column. Where several printed columns claim one
/// contract column, the one whose header the alias explains wholly keeps it; if that does not
/// single one out, none does (a column is never guessed, and never moved into a neighbour).
pub(super) fn columns_of(
    headers: &[(Vec<String>, Vec<String>)],
    table_type: TableType,
    kind: DocKind,
    side: Option<Side>,
) -> (Columns, Vec<Role>) {
    columns_in_block(headers, table_type, kind, side, None)
}

/// As [`columns_of`], only the columns of `year_block` (see [`year_block`]) keeping theirs.
fn columns_in_block(
    headers: &[(Vec<String>, Vec<String>)],
    table_type: TableType,
    kind: DocKind,
    side: Option<Side>,
    year_block: Option<u32>,
) -> (Columns, Vec<Role>) {
    let mut cols: Vec<Column> = Vec::new();
    let mut roles = Vec::new();
    let mut matches: Vec<Option<(&'static str, usize)>> = Vec::new();
    for (groups, leaf) in headers {
        let mut path = groups.clone();
        if !leaf.is_empty() {
            path.push(leaf.concat());
        }
        let last = path.last().map(|p| table_spec::normalize_header(p)).unwrap_or_default();
        if matches!(last.as_str(), "行次" | "栏次") {
            roles.push(Role::LineNo);
            continue;
        }
        // The column's words may start with a title or group line that no group cell took:
        // failing the whole, its lower words alone (the upper ones count as unexplained).
        let found = (0..leaf.len().max(1)).find_map(|k| {
            let mut p = groups.clone();
            p.extend((k > 0).then(|| leaf[..k].concat()));
            p.extend((!leaf.is_empty()).then(|| leaf[k..].concat()));
            table_spec::column_match(table_type, kind, side, &p)
        });
        let in_block = year_block.is_none_or(|y| year_in(&path.concat()) == Some(y));
        // A 三公 table read with its items in rows has source columns (合计, 一般公共预算, …): a
        // column headed by an item (or 会议费 / 培训费) means the rows are not items.
        let item_column = table_type == TableType::ThreePublic
            && path.iter().any(|p| ["出国", "接待", "购置", "运行", "会议", "培训"].iter().any(|k| p.contains(k)));
        matches.push(found.filter(|_| in_block && !item_column));
        roles.push(Role::Value(cols.len()));
        cols.push(Column { name: None, header: table_spec::header_text(&path) });
    }
    for (i, m) in matches.iter().enumerate() {
        let Some((name, leftover)) = *m else { continue };
        let rivals: Vec<usize> = matches.iter().flatten().filter(|(n, _)| *n == name).map(|(_, l)| *l).collect();
        let best = rivals.iter().min().copied().unwrap_or(leftover);
        if leftover == best && rivals.iter().filter(|l| **l == best).count() == 1 {
            cols[i].name = Some(name);
        }
    }
    (Columns::new(cols), roles)
}

#[derive(Default)]
struct Stats {
    decimals: u32,
    saw_numbers: bool,
}

impl Stats {
    /// A row's numbers in printed order (for `assign` to place).
    fn in_order(&mut self, p: &Parsed) -> Vec<Amount> {
        p.values
            .iter()
            .filter_map(|c| c.amount())
            .map(|a| {
                self.decimals = self.decimals.max(a.decimals());
                self.saw_numbers |= matches!(a, AmountToken::Number { .. });
                a.value()
            })
            .collect()
    }

    fn values(&mut self, p: &Parsed, bands: &[Band], roles: &[Role], width: usize) -> (Vec<Amount>, Option<i32>) {
        let mut out = vec![None; width];
        let mut line_no = None;
        for c in &p.values {
            let Some(b) = band_of(bands, c) else { continue };
            let Some(a) = c.amount() else { continue };
            match roles[b] {
                Role::LineNo => line_no = a.value().and_then(|v| v.to_string().parse().ok()),
                Role::Value(i) => {
                    self.decimals = self.decimals.max(a.decimals());
                    self.saw_numbers |= matches!(a, AmountToken::Number { .. });
                    out[i] = a.value();
                }
            }
        }
        (out, line_no)
    }
}

/// A line is data when it prints a number or starts with a code.
fn is_data(l: &GridLine, function_coded: bool) -> bool {
    l.cells.iter().any(is_number) || leading_code(&l.cells, function_coded).is_some()
}

/// A table's lines: the header block where it starts, the body after it, and the headers that
/// later pages repeat (left out of the body, kept by page: a page may space columns anew).
struct Split<'a> {
    header: Vec<&'a GridLine>,
    body: Vec<&'a GridLine>,
    page_headers: HashMap<usize, Vec<&'a GridLine>>,
}

/// Splits off the header block (lines before the first data line) and, on later pages, the
/// repeated headers (lines made only of header words) and page furniture.
/// `items`: a table whose rows are 三公 items; when it prints no amount at all, its item lines
/// are its rows (its 合计 line too, though the header prints that word).
fn split_header(lines: &[GridLine], function_coded: bool, items: bool) -> Option<Split<'_>> {
    let kept: Vec<&GridLine> = lines.iter().filter(|l| !is_furniture(l)).collect();
    let items_only = items && !kept.iter().any(|l| is_data(l, function_coded));
    let is_data = |l: &GridLine, function_coded: bool| is_data(l, function_coded) || (items_only && is_item_line(l));
    let first = kept.iter().position(|l| is_data(l, function_coded))?;
    let header: Vec<&GridLine> = kept[..first].to_vec();
    let vocabulary: HashSet<String> = header_words(&header).into_iter().map(|w| w.text).collect();
    let in_header = |l: &GridLine| header_words(&[l]).iter().all(|w| vocabulary.contains(&w.text));
    // The first line of a later page, when neither data nor header: a running page header.
    let page_first: HashSet<usize> = lines.windows(2).filter(|w| w[0].page != w[1].page).map(|w| w[1].line).collect();
    let kept: Vec<&GridLine> = kept
        .into_iter()
        .enumerate()
        .filter(|(i, l)| *i < first || !page_first.contains(&l.line) || is_data(l, function_coded) || in_header(l))
        .map(|(_, l)| l)
        .collect();
    let mut body = Vec::new();
    let mut page_headers: HashMap<usize, Vec<&GridLine>> = HashMap::new();
    for l in &kept[first..] {
        if !is_data(l, function_coded) && in_header(l) {
            page_headers.entry(l.page).or_default().push(l);
        } else {
            body.push(*l);
        }
    }
    Some(Split { header, body, page_headers })
}

/// Reads one table from its lines of positioned cells.
pub fn read(lines: &[GridLine], table_type: TableType, kind: DocKind) -> Result<ParsedRows, Problem> {
    let function_coded = table_type.is_function_coded();
    let split = split_header(lines, function_coded, table_type == TableType::ThreePublic)
        .ok_or(Problem::whole(ProblemKind::NoRows))?;
    let mut stats = Stats::default();
    let rows = match table_type {
        TableType::RevenueExpenditureSummary | TableType::FiscalSummary => {
            two_sided(&split.header, &split.body, table_type, kind, &mut stats)
        }
        TableType::ThreePublic | TableType::Carryover => {
            labelled(&split.header, &split.body, table_type, kind, &mut stats)
        }
        _ => coded(&split, table_type, kind, &mut stats),
    };
    Ok(ParsedRows { rows, decimals: stats.decimals, saw_numbers: stats.saw_numbers, warning: None })
}

/// Pages that space their columns the same way share one frame: a page that repeats the
/// header starts a group, a page without one joins the group before when each of its numbers
/// ends where a column of that group ends (numbers are right-aligned), and is otherwise left
/// to `assign` (its numbers in order, columns from the group before).
fn page_groups(split: &Split, parsed: &[Parsed]) -> Vec<(Vec<usize>, bool)> {
    let mut pages: Vec<usize> = parsed.iter().map(|p| p.page).collect();
    pages.dedup();
    let mut groups: Vec<(Vec<usize>, bool)> = Vec::new();
    let ends = |page: usize| -> Vec<usize> {
        parsed.iter().filter(|p| p.page == page).flat_map(|p| p.values.iter().map(|c| c.end)).collect()
    };
    for (k, &page) in pages.iter().enumerate() {
        let own_header = k == 0 || split.page_headers.contains_key(&page);
        if own_header || groups.is_empty() {
            groups.push((vec![page], true));
            continue;
        }
        let group_ends: HashSet<usize> =
            groups.iter().rev().find(|g| g.1).map(|g| g.0.iter().flat_map(|&p| ends(p)).collect()).unwrap_or_default();
        let fits = ends(page).iter().all(|e| (e.saturating_sub(1)..=e + 1).any(|x| group_ends.contains(&x)));
        match (fits, groups.last_mut()) {
            (true, Some(g)) if g.1 => g.0.push(page),
            _ => groups.push((vec![page], fits)),
        }
    }
    groups
}

/// Bands, label end and the mapped columns of one side (or the whole) of a table.
struct Frame {
    bands: Vec<Band>,
    roles: Vec<Role>,
    columns: Columns,
}

fn frame(header: &[&GridLine], parsed: &[Parsed], table_type: TableType, kind: DocKind, side: Option<Side>) -> Frame {
    let bands = bands(parsed);
    let first = bands.first().map(|b| b.start).unwrap_or(usize::MAX);
    // Labels end where the first column's numbers start; a header word centred left of that
    // heads the labels.
    let label_end = first.saturating_sub(1);
    let words = header_words(header);
    let text = parsed.iter().map(|p| p.label_right).max().unwrap_or(0);
    let edge = LabelEdge { numbers: label_end.min(first), text };
    let bands = with_header_columns(bands, &words, edge);
    let named = |c: &Columns| c.iter().filter(|c| c.name.is_some()).count();
    let (columns, roles) = [GroupFit::TopDown, GroupFit::BottomUp]
        .into_iter()
        .map(|fit| {
            let paths = header_paths(&words, &bands, edge, fit);
            columns_in_block(&paths, table_type, kind, side, year_block(&words))
        })
        .reduce(|best, next| if named(&next.0) > named(&best.0) { next } else { best })
        .expect("two fits");
    Frame { bands, roles, columns }
}

/// A header printed in year blocks (`2018年` | `2019年` | 增减变化): the latest year, whose
/// columns alone are this document's (a column whose path names no year or an earlier one is
/// a comparison; its numbers stay in `facts`). `None` when the header names fewer than two years.
fn year_block(words: &[Word]) -> Option<u32> {
    let years: HashSet<u32> = words.iter().filter_map(|w| year_in(&w.text)).collect();
    (years.len() >= 2).then(|| years.into_iter().max()).flatten()
}

fn coded(split: &Split, table_type: TableType, kind: DocKind, stats: &mut Stats) -> Vec<Row> {
    let function_coded = table_type.is_function_coded();
    let body = &split.body;
    let data: Vec<bool> = body.iter().map(|l| is_data(l, function_coded)).collect();
    let mut parsed: Vec<Parsed> = Vec::new();
    // Label-only lines: wrapped name fragments, attached to the data row they belong to.
    let mut fragments: Vec<(usize, String)> = Vec::new();
    for (i, l) in body.iter().enumerate() {
        if data[i] {
            parsed.push(parse_line(l, function_coded));
        } else {
            fragments.push((parsed.len(), strip_ws(&l.text())));
        }
    }
    attach_fragments(&mut parsed, fragments);
    // Each row's frame: its page group's (see `page_groups`); `None` where the page's numbers
    // are left in order for `assign`.
    let mut frames: Vec<Frame> = Vec::new();
    let mut frame_of_page: HashMap<usize, (usize, bool)> = HashMap::new();
    for (pages, geometry) in page_groups(split, &parsed) {
        if geometry {
            let rows: Vec<Parsed> = parsed.iter().filter(|p| pages.contains(&p.page)).map(Parsed::clone).collect();
            let header = match split.page_headers.get(&pages[0]) {
                Some(h) if !frames.is_empty() => h.clone(),
                _ => split.header.clone(),
            };
            frames.push(frame(&header, &rows, table_type, kind, None));
        }
        for p in pages {
            frame_of_page.insert(p, (frames.len().saturating_sub(1), geometry));
        }
    }
    if frames.is_empty() {
        return Vec::new();
    }
    let any_code = parsed.iter().any(|p| p.code.is_some());
    let first_coded = parsed.iter().position(|p| p.code.is_some()).unwrap_or(usize::MAX);
    let names: Vec<String> = parsed.iter().map(|p| clean_label(&p.name)).collect();
    let labelled_total =
        |name: &str| name.is_empty() || is_total_label(name) || name.contains("合计") || name.contains("总计");
    let is_class = |name: &str| function_coded && function_class_code(name).is_some();
    // Without codes, a first row printed left of every other row (the unit's own line) is the
    // total; the levels of the others follow their indentation.
    let top_total = !any_code
        && parsed.first().is_some_and(|p| !is_class(&names[0]) && parsed[1..].iter().all(|q| q.indent > p.indent));
    let mut indents: Vec<usize> = parsed
        .iter()
        .enumerate()
        .filter(|(i, _)| !(labelled_total(&names[*i]) || (top_total && *i == 0)))
        .map(|(_, p)| p.indent)
        .collect();
    indents.sort();
    indents.dedup();
    let mut rows = Vec::new();
    for (i, p) in parsed.iter().enumerate() {
        let (f, geometry) = frame_of_page[&p.page];
        let fr = &frames[f];
        let cells = if geometry {
            Cells::Placed(stats.values(p, &fr.bands, &fr.roles, fr.columns.len()).0)
        } else {
            Cells::Unplaced(stats.in_order(p))
        };
        let name = names[i].clone();
        let mut key = RowKey::default();
        let is_total =
            p.code.is_none() && (labelled_total(&name) || (any_code && i < first_coded) || (top_total && i == 0));
        if let Some(code) = &p.code {
            key.level = Some(code_level(code));
            key.code = Some(code.clone());
        } else if is_total {
            key.level = Some(0);
        } else if any_code {
            // A row without a code among coded rows: a sub-unit heading.
            key.level = Some(0);
            key.unit = Some(name.clone());
        } else if let Some(code) = function_class_code(&name).filter(|_| function_coded) {
            key.level = Some(1);
            key.code = Some(code.to_string());
        } else {
            let rank = indents.iter().position(|&x| x == p.indent).unwrap_or(0);
            key.level = Some((rank as i8 + 1).min(3));
        }
        // A coded 表7 row's label cells: the function's name, then the project's.
        let project = table_type == TableType::ProjectExpenditure
            && p.code.is_some()
            && p.labels.len() >= 2
            && p.labels.concat() == p.name;
        if project {
            key.name = Some(clean_label(&p.labels[0]));
            key.project_name = Some(clean_label(&p.labels[1..].concat()));
        } else {
            key.name = (!name.is_empty()).then_some(name);
        }
        rows.push(Row::new(p.line, key, fr.columns.clone(), cells));
    }
    rows
}

/// Wrapped name fragments: a run of label-only lines between two data rows goes to the row
/// printed without a name (names are centred on their row: a row's fragments sit above and
/// below it); between two nameless rows it is split, the first half ending the row above; with
/// no nameless neighbour it continues the row above.
fn attach_fragments(parsed: &mut [Parsed], fragments: Vec<(usize, String)>) {
    let mut runs: Vec<(usize, Vec<String>)> = Vec::new();
    for (next, text) in fragments {
        match runs.last_mut() {
            Some((n, v)) if *n == next => v.push(text),
            _ => runs.push((next, vec![text])),
        }
    }
    let nameless: Vec<bool> = parsed.iter().map(|p| p.name.is_empty()).collect();
    for (next, texts) in runs {
        let prev_nameless = next > 0 && nameless[next - 1];
        let next_nameless = next < parsed.len() && nameless[next];
        let split = match (prev_nameless, next_nameless) {
            (true, true) => texts.len().div_ceil(2),
            (false, true) => 0,
            _ => texts.len(),
        };
        if next == 0 && split > 0 {
            continue;
        }
        for (k, t) in texts.into_iter().enumerate() {
            if k < split {
                parsed[next - 1].name.push_str(&t);
            } else if next < parsed.len() {
                parsed[next].name.insert_str(0, &t);
            }
        }
    }
}

/// Where the right half of a two-sided table starts: the leftmost label printed to the right
/// of a number.
fn split_column(body: &[&GridLine]) -> Option<usize> {
    body.iter()
        .filter_map(|l| {
            let first_num = l.cells.iter().position(is_number)?;
            l.cells[first_num..].iter().find(|c| !is_value(c)).map(|c| c.start)
        })
        .min()
}

fn side_lines(lines: &[&GridLine], split: usize, right: bool) -> Vec<GridLine> {
    lines
        .iter()
        .map(|l| GridLine {
            line: l.line,
            page: l.page,
            cells: l.cells.iter().filter(|c| (c.center2() >= 2 * split) == right).cloned().collect(),
        })
        .collect()
}

fn two_sided(
    header: &[&GridLine],
    body: &[&GridLine],
    table_type: TableType,
    kind: DocKind,
    stats: &mut Stats,
) -> Vec<Row> {
    let Some(split) = split_column(body) else { return Vec::new() };
    let mut rows = Vec::new();
    for (side, right) in [(Side::Revenue, false), (Side::Expenditure, true)] {
        let h = side_lines(header, split, right);
        let b = side_lines(body, split, right);
        let hrefs: Vec<&GridLine> = h.iter().collect();
        let parsed: Vec<Parsed> = b.iter().map(|l| parse_line(l, true)).collect();
        let fr = frame(&hrefs, &parsed, table_type, kind, Some(side));
        for (l, p) in b.iter().zip(&parsed) {
            if l.cells.is_empty() {
                continue;
            }
            let (values, line_no) = stats.values(p, &fr.bands, &fr.roles, fr.columns.len());
            let label: String = l.cells.iter().filter(|c| !is_value(c)).map(|c| strip_ws(&c.text)).collect();
            if label.is_empty() && values.iter().all(|v| v.is_none()) {
                continue;
            }
            let (code, item) = super::tsv::split_code_label(&label, side);
            let key = RowKey { side: Some(side), line_no, item: Some(item), code, ..Default::default() };
            rows.push(Row::new(l.line, key, fr.columns.clone(), Cells::Placed(values)));
        }
    }
    rows
}

/// A line naming one 三公 item: a row even without any amount. A sentence naming one (the notes
/// under the table: `公务接待费0.83万元，与2025年预算持平。`) is not.
fn is_item_line(l: &GridLine) -> bool {
    let text = strip_ws(&l.text());
    let sentence = text.contains(['，', '。', '；', ',']) || text.chars().count() > 24;
    !sentence && super::pdf_text::three_public_item(&text).is_some()
}

/// Tables keyed by a label (三公 items, 表11 lines). A 三公 table printed as one row of numbers
/// under item headers becomes one row per item.
fn labelled(
    header: &[&GridLine],
    body: &[&GridLine],
    table_type: TableType,
    kind: DocKind,
    stats: &mut Stats,
) -> Vec<Row> {
    let three_public = table_type == TableType::ThreePublic;
    let item_line = |l: &GridLine| three_public && is_item_line(l);
    // After the last line with amounts, item lines continue the table only up to the first
    // other line (a note or a section of text under the table).
    let last_data = body.iter().rposition(|l| is_data(l, true)).map_or(0, |i| i + 1);
    let trailing = body[last_data..].iter().take_while(|l| item_line(l)).count();
    let parsed: Vec<Parsed> = body[..last_data + trailing]
        .iter()
        .filter(|l| is_data(l, true) || item_line(l))
        .map(|l| parse_line(l, true))
        .collect();
    let fr = frame(header, &parsed, table_type, kind, None);
    let items_in_rows = parsed.iter().any(|p| super::pdf_text::three_public_item(&p.name).is_some());
    if three_public && !items_in_rows {
        if let Some(read) = three_public_across(header, body, kind) {
            stats.decimals = stats.decimals.max(read.decimals);
            stats.saw_numbers |= read.saw_numbers;
            return read.rows;
        }
        return three_public_by_header(header, &parsed, kind, stats);
    }
    let mut rows = Vec::new();
    for p in &parsed {
        let (values, _) = stats.values(p, &fr.bands, &fr.roles, fr.columns.len());
        let mut key = RowKey::default();
        if three_public {
            let Some(item) = super::pdf_text::three_public_item(&p.name) else { continue };
            key.item = Some(item.to_string());
            key.item_name = Some(clean_label(&p.name));
            key.basis = Some(if kind == DocKind::Final { "actual" } else { "budget" });
        } else {
            key.item = Some(clean_label(&p.name));
        }
        rows.push(Row::new(p.line, key, fr.columns.clone(), Cells::Placed(values)));
    }
    rows
}

/// 三公 tables whose items are columns, read by `across` from the header's words and the run of
/// data lines under it (each with where its cells sit).
fn three_public_across(header: &[&GridLine], body: &[&GridLine], kind: DocKind) -> Option<ParsedRows> {
    use super::across::{AcrossNumber, AcrossRow, AcrossWord};
    let words: Vec<AcrossWord> = header_words(header)
        .into_iter()
        .map(|w| AcrossWord { text: w.text, row: w.row, span: Some((w.start, w.end)) })
        .collect();
    let first = body.iter().position(|l| is_data(l, true))?;
    let rows: Vec<AcrossRow> = body[first..]
        .iter()
        .take_while(|l| is_data(l, true))
        .map(|l| {
            let p = parse_line(l, true);
            let numbers = p
                .values
                .iter()
                .filter_map(|c| c.amount().map(|a| AcrossNumber { amount: a, span: Some((c.start, c.end)) }))
                .collect();
            AcrossRow { line: p.line, label: p.name.clone(), numbers }
        })
        .collect();
    super::across::read(&words, &rows, kind)
}

/// 三公 tables whose items are columns: each column's header path names its item (and, in
/// finals, its basis: 预算 / 决算).
fn three_public_by_header(header: &[&GridLine], parsed: &[Parsed], kind: DocKind, stats: &mut Stats) -> Vec<Row> {
    let bands = bands(parsed);
    let numbers = bands.first().map(|b| b.start).unwrap_or(0);
    let text = parsed.iter().map(|p| p.label_right).max().unwrap_or(0);
    let words = header_words(header);
    let edge = LabelEdge { numbers, text };
    // The group fit under which more items are read (and confirmed by the table's sums).
    let mut best: Option<(Vec<Row>, Stats)> = None;
    for fit in [GroupFit::TopDown, GroupFit::BottomUp] {
        let mut s = Stats::default();
        let rows = three_public_rows(&header_paths(&words, &bands, edge, fit), &bands, parsed, kind, &mut s);
        if best.as_ref().is_none_or(|(b, _)| rows.len() > b.len()) {
            best = Some((rows, s));
        }
    }
    let Some((rows, s)) = best else { return Vec::new() };
    stats.decimals = stats.decimals.max(s.decimals);
    stats.saw_numbers |= s.saw_numbers;
    rows
}

/// The year a header path names (`2026年预算数` → 2026).
fn year_of(path: &(Vec<String>, Vec<String>)) -> Option<u32> {
    year_in(&(path.0.concat() + &path.1.concat()))
}

fn year_in(text: &str) -> Option<u32> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(5).find_map(|w| {
        let digits: String = w[..4].iter().collect();
        (w[4] == '年' && w[0] == '2' && digits.chars().all(|c| c.is_ascii_digit())).then(|| digits.parse().ok())?
    })
}

fn three_public_rows(
    paths: &[(Vec<String>, Vec<String>)],
    bands: &[Band],
    parsed: &[Parsed],
    kind: DocKind,
    stats: &mut Stats,
) -> Vec<Row> {
    let columns = Columns::template(&["total"]);
    let mut rows = Vec::new();
    let Some(data) = parsed.first() else { return rows };
    // Where a `“三公”经费` group is printed, only its columns are 三公 items (a 合计 beside it
    // also counts 会议费 and 培训费).
    let scoped = paths.iter().any(|(groups, _)| groups.iter().any(|g| g.contains("三公")));
    // A 合计 over 会议费 / 培训费 too is not the 三公 total.
    let wider_total = paths.iter().any(|(g, l)| (g.concat() + &l.concat()).contains(['会', '培']));
    // Blocks by year (`2025年预算数` | `2026年预算数`, `增减变化`): the latest year's block is
    // this budget's; the others are comparisons.
    let latest = paths.iter().filter_map(year_of).max();
    for c in &data.values {
        let Some(b) = band_of(bands, c) else { continue };
        let (groups, leaf) = &paths[b];
        if scoped && !groups.iter().any(|g| g.contains("三公")) {
            continue;
        }
        if latest.is_some() && year_of(&paths[b]) != latest {
            continue;
        }
        let leaf = leaf.concat();
        if wider_total && strip_ws(&leaf) == "合计" {
            continue;
        }
        // A 小计 / 合计 column means its group: `公务用车购置及运行维护费/小计` is the vehicles line.
        let named = match (strip_ws(&leaf).as_str(), groups.last()) {
            ("小计" | "合计", Some(g)) => g.clone(),
            _ => leaf.clone(),
        };
        let item = if named.contains("三公") { Some("total") } else { super::pdf_text::three_public_item(&named) };
        let Some(item) = item else { continue };
        let joined = groups.concat() + &leaf;
        let basis = if kind == DocKind::Final && joined.contains("决算") { "actual" } else { "budget" };
        let a = c.amount();
        if let Some(a) = a {
            stats.decimals = stats.decimals.max(a.decimals());
            stats.saw_numbers |= matches!(a, AmountToken::Number { .. });
        }
        let key = RowKey {
            item: Some(item.to_string()),
            item_name: Some(clean_label(&named)),
            basis: Some(basis),
            ..Default::default()
        };
        rows.push(Row::new(data.line, key, columns.clone(), Cells::Placed(vec![a.and_then(|a| a.value())])));
    }
    // Two columns read as one item: the header does not decide which, so neither is kept.
    let twice = |r: &Row| rows.iter().filter(|o| o.key.item == r.key.item && o.key.basis == r.key.basis).count() > 1;
    let dups: Vec<bool> = rows.iter().map(twice).collect();
    let mut k = 0;
    rows.retain(|_| {
        k += 1;
        !dups[k - 1]
    });
    // Items read from a header are kept only when the table's own sums confirm them (a total
    // must be printed with its parts and equal them): a misread header never publishes.
    if !three_public_sums_hold(&rows) {
        rows.clear();
    }
    rows.sort_by_key(|r| r.key.basis != Some("budget"));
    rows
}

/// 合计 = 出国 + 接待 + 公务用车 and 公务用车 = 购置 + 运行, per basis, within rounding; a total
/// printed without all its parts cannot be confirmed.
fn three_public_sums_hold(rows: &[Row]) -> bool {
    let value = |basis: &str, item: &str| -> Option<rust_decimal::Decimal> {
        let r = rows.iter().find(|r| r.key.basis == Some(basis) && r.key.item.as_deref() == Some(item))?;
        match &r.cells {
            Cells::Placed(v) => Some(v.first().copied().flatten().unwrap_or_default()),
            Cells::Unplaced(_) => None,
        }
    };
    let rules: [(&str, &[&str]); 2] = [
        ("total", &["overseas_travel", "official_reception", "vehicles"]),
        ("vehicles", &["vehicle_purchase", "vehicle_operation"]),
    ];
    ["budget", "actual"].iter().all(|basis| {
        rules.iter().all(|(target, parts)| {
            let Some(t) = value(basis, target) else { return true };
            let sum: Option<rust_decimal::Decimal> = parts.iter().map(|p| value(basis, p)).sum();
            sum.is_some_and(|s| (t - s).abs() <= rust_decimal::Decimal::new(2, 2))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines split at runs of two or more spaces, positions in characters.
    pub fn grid(text: &str) -> Vec<GridLine> {
        super::super::aligned::to_grid(&text.lines().collect::<Vec<_>>(), 1)
    }

    fn names(rows: &[Row]) -> Vec<(Option<&'static str>, String)> {
        rows[0].columns.iter().map(|c| (c.name, c.header.clone())).collect()
    }

    #[test]
    fn grouped_and_wrapped_header_with_a_column_the_contract_lacks() {
        // 深圳-style 表2 (excerpt): a group cell over three sub-columns, wrapped words on lines
        // of their own, no 上级…转移支付 columns, and a column (政府采购) of no contract meaning.
        let text = r#"
                                             财政拨款                                           单位资金
      预算单位        收入总计                                                 财政专户管理
                               一般公共预算       政府性基金预算 国有资本经营预              资金          事业收入     其他收入
                                 拨款           拨款          算拨款
深圳市信访局              4,684.30     4,676.96          0.00         0.00          1.00      2.00          3.00"#;
        let r = read(&grid(text), TableType::RevenueByFunction, DocKind::Budget).unwrap().rows;
        let cols = names(&r);
        assert_eq!(cols[0], (Some("total"), "收入总计".to_string()));
        assert_eq!(cols[1], (Some("general_budget"), "财政拨款/一般公共预算拨款".to_string()));
        assert_eq!(cols[2].0, Some("gov_fund"));
        assert_eq!(cols[3].0, Some("state_capital"));
        assert_eq!(cols[4], (Some("special_account"), "财政专户管理资金".to_string()));
        assert_eq!(cols[5], (Some("business_income"), "单位资金/事业收入".to_string()));
        assert_eq!(cols[6].0, Some("other_income"));
        assert_eq!(r[0].value("special_account"), Some(Some(rust_decimal::Decimal::ONE)));
        assert_eq!(r[0].key.level, Some(0));
    }

    #[test]
    fn wrapped_names_sit_above_and_below_their_row() {
        // 深圳 表3 (excerpt): names centred on rows printed without one.
        let text = r#"
     预算单位       科目编码       科目名称      支出总计        基本支出        项目支出
              2080501   行政单位离退休         78.73     78.73         0.00
                        机关事业单位基本养老
              2080505                  201.65     201.65        0.00
                        保险缴费支出
                        机关事业单位职业年金
              2080506                   87.16     87.16         0.00
                        缴费支出
              210       卫生健康支出          84.39     84.39         0.00"#;
        let r = read(&grid(text), TableType::ExpenditureByFunction, DocKind::Budget).unwrap().rows;
        let names: Vec<(&str, &str)> =
            r.iter().map(|r| (r.key.code.as_deref().unwrap(), r.key.name.as_deref().unwrap())).collect();
        assert_eq!(
            names,
            [
                ("2080501", "行政单位离退休"),
                ("2080505", "机关事业单位基本养老保险缴费支出"),
                ("2080506", "机关事业单位职业年金缴费支出"),
                ("210", "卫生健康支出"),
            ]
        );
        assert_eq!(r[1].value("basic"), Some(Some(rust_decimal::Decimal::new(20165, 2))));
        assert_eq!(r[3].key.level, Some(1));
    }

    #[test]
    fn codes_fused_bracketed_split_or_absent() {
        let text = r#"
  科目                       合计        基本支出      项目支出
  合计                    100.00       60.00       40.00
  [201]一般公共服务支出        100.00       60.00       40.00
  20103-政府办公厅(室)及相关机构事务  100.00   60.00   40.00
  201  03  01  行政运行         60.00       60.00"#;
        let r = read(&grid(text), TableType::ExpenditureByFunction, DocKind::Budget).unwrap().rows;
        let codes: Vec<Option<&str>> = r.iter().map(|r| r.key.code.as_deref()).collect();
        assert_eq!(codes, [None, Some("201"), Some("20103"), Some("2010301")]);
        assert_eq!(r[0].key.level, Some(0));
        assert_eq!(r[2].key.name.as_deref(), Some("政府办公厅(室)及相关机构事务"));
        assert_eq!(r[3].value("project"), Some(None));
        let text = r#"
  项目                       合计        基本支出      项目支出
  一般公共服务支出              100.00       60.00       40.00
    政府办公厅(室)及相关机构事务    100.00       60.00       40.00
      行政运行                   60.00       60.00
  总计                      100.00       60.00       40.00"#;
        let r = read(&grid(text), TableType::ExpenditureByFunction, DocKind::Budget).unwrap().rows;
        let keys: Vec<(Option<&str>, Option<i8>)> = r.iter().map(|r| (r.key.code.as_deref(), r.key.level)).collect();
        assert_eq!(keys, [(Some("201"), Some(1)), (None, Some(2)), (None, Some(3)), (None, Some(0))]);
    }

    #[test]
    fn two_sided_sides_with_their_own_columns() {
        // 北京 预算01表 (excerpt): a single space parts a number from the right side's label.
        let text = r#"
                      收   入                                          支   出
             项   目            预算数                            项   目           预算数
一、一般公共预算拨款收入                   32,365.090089 一、一般公共服务支出                       26,661.064552
二、政府性基金预算拨款收入                                  二、外交支出
九、其他收入                              15.000000 九、卫生健康支出                         1,798.093248
             收入总计              32,852.053832                 支出总计             32,852.053832"#;
        let r = read(&grid(text), TableType::RevenueExpenditureSummary, DocKind::Budget).unwrap().rows;
        let rev: Vec<&Row> = r.iter().filter(|r| r.key.side == Some(Side::Revenue)).collect();
        let exp: Vec<&Row> = r.iter().filter(|r| r.key.side == Some(Side::Expenditure)).collect();
        assert_eq!(rev.len(), 4);
        assert_eq!(exp.len(), 4);
        assert_eq!(rev[1].key.item.as_deref(), Some("政府性基金预算拨款收入"));
        assert_eq!(rev[1].value("amount"), Some(None));
        assert_eq!(exp[2].key.code.as_deref(), Some("210"));
        assert_eq!(exp[3].value("amount"), Some(Some("32852.053832".parse().unwrap())));
        assert_eq!(rev[0].columns[0].header, "预算数");
    }

    #[test]
    fn line_numbers_are_not_amounts() {
        let text = r#"
  项目                      行次       年初预算数       决算数
  一、一般公共预算财政拨款收入          1        100.00      120.00
  本年收入合计                  2        100.00      120.00"#;
        let r = read(&grid(text), TableType::RevenueByFunction, DocKind::Final).unwrap().rows;
        assert_eq!(r[0].columns.len(), 2);
        assert_eq!(r[0].columns[0].name, None);
        assert_eq!(r[0].columns[1].name, Some("total"));
    }

    #[test]
    fn project_rows_keep_the_function_and_the_project_name_apart() {
        let text = r#"
  科目编码          功能分类科目名称        项目名称              项目支出合计     商品和服务支出
  201  03  99   其他政府办公厅支出      政务热线购买服务经费          121.02        121.02
                合 计                                           121.02        121.02"#;
        let r = read(&grid(text), TableType::ProjectExpenditure, DocKind::Budget).unwrap().rows;
        assert_eq!(r[0].key.name.as_deref(), Some("其他政府办公厅支出"));
        assert_eq!(r[0].key.project_name.as_deref(), Some("政务热线购买服务经费"));
        assert_eq!(r[0].value("total"), Some(Some(rust_decimal::Decimal::new(12102, 2))));
    }

    #[test]
    fn three_public_items_without_amounts_are_rows() {
        let text = r#"
“三公”经费支出内容            合计    一般公共预算
合 计                     2.89          2.89
因公出国（境）费
公务接待费                2.89          2.89
公务用车购置及运行费 （小计）"#;
        let r = read(&grid(text), TableType::ThreePublic, DocKind::Budget).unwrap().rows;
        let items: Vec<&str> = r.iter().map(|r| r.key.item.as_deref().unwrap()).collect();
        assert_eq!(items, ["total", "overseas_travel", "official_reception", "vehicles"]);
        assert_eq!(
            r[1].value("total"),
            Some(None),
            "{:?}",
            r[0].columns.iter().map(|c| (c.name, c.header.clone())).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_group_cell_spans_the_columns_under_it_with_or_without_numbers() {
        // Generated 表2 (aligned_text): 财政拨款(补助) is centred over seven sub-columns of which
        // only three print numbers; the blank 上级一般公共预算安排的转移支付 column sits between
        // 一般公共预算 and 政府性基金预算.
        let text = r#"
功能分类科目编码       功能分类科目名称                总计                                           财政拨款(补助)                                    财政专户(   单位资金  财政拨款结转  非财政拨
                                                                                                                                教育收费)                 款结转结
                                                                                                                                                       余
类      款   项                                        财政拨款(补助)小计         一般公共预算      上级一般     政府性基金预算       上级政府性   国有资本    上级国有
                                                                                   公共预算                   基金安排的   经营预算    资本经营
                                                                                   安排的转                   转移支付            预算安排
                                                                                   移支付                                    的转移支
                                                                                                                           付
204    2   1   行政运行                5,540,456.78     5,540,456.78    5,540,456.78
212    8   3   城市建设支出              3,507,332.30     3,507,332.30                          3,507,332.30
               合 计                13,149,240.76    13,149,240.76    9,641,908.46          3,507,332.30"#;
        let r = read(&grid(text), TableType::RevenueByFunction, DocKind::Budget).unwrap().rows;
        let d = |s: &str| Some(Some(s.parse::<rust_decimal::Decimal>().unwrap()));
        assert_eq!(r[1].key.code.as_deref(), Some("2120803"));
        assert_eq!(r[1].value("gov_fund"), d("3507332.30"), "{:?}", names(&r));
        assert_eq!(r[1].value("general_budget"), Some(None));
        assert_eq!(r[1].value("general_budget_transfer"), Some(None));
        assert_eq!(r[2].value("general_budget"), d("9641908.46"));
        assert_eq!(r[2].value("fiscal_subtotal"), d("13149240.76"));
        let transfer = r[0].columns.iter().find(|c| c.name == Some("general_budget_transfer"));
        assert_eq!(transfer.map(|c| c.header.as_str()), Some("财政拨款(补助)/上级一般公共预算安排的转移支付"));
    }

    #[test]
    fn a_three_public_table_without_amounts_keeps_its_item_rows() {
        let text = r#"
“三公”经费支出内容           合计            资金来源
                            一般公共  政府性基金  国有资本经营
                             预算            预算
合 计
因公出国（境）费
公务接待费
公务用车购置及运行费 （小计）
其中：公务用车购置费
公务用车运行费"#;
        let r = read(&grid(text), TableType::ThreePublic, DocKind::Budget).unwrap().rows;
        let items: Vec<&str> = r.iter().map(|r| r.key.item.as_deref().unwrap()).collect();
        assert_eq!(
            items,
            ["total", "overseas_travel", "official_reception", "vehicles", "vehicle_purchase", "vehicle_operation"]
        );
        assert!(r.iter().all(|r| r.value("total").flatten().is_none()));
    }
}
