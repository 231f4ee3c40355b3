//! Tab-separated tables (`markdown_tsv`, `final_tsv`): blank cells kept, so every number's
//! column is known. Codes come split into 类/款/项 cells (`201\t3\t50`) or concatenated
//! (`2010301`); finals add 行次 columns, a side-by-side economic table and a one-row 三公 table.

use super::grid::{columns_of, Role};
use super::pdf_text::{is_numbering_line, three_public_item};
use super::ParsedRows;
use crate::model::{Amount, Cells, Columns, DocKind, Row, RowKey, Side, TableType};
use crate::normalize::{
    canonical_code, clean_label, code_level, function_class_code, is_total_label, parse_amount, strip_ws, AmountToken,
};
use crate::problem::{Problem, ProblemKind};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Blank,
    Amount(AmountToken),
    Text(String),
}

struct TsvLine {
    line: usize,
    cells: Vec<Cell>,
    raw: Vec<String>,
}

fn cell(raw: &str) -> Cell {
    let t = raw.trim();
    if t.is_empty() {
        Cell::Blank
    } else if let Some(a) = parse_amount(t) {
        Cell::Amount(a)
    } else {
        Cell::Text(strip_ws(t))
    }
}

/// The contiguous block of tab-separated lines of a table region.
fn table_block(body: &[&str], base_line: usize) -> Vec<TsvLine> {
    let mut out = Vec::new();
    for (i, l) in body.iter().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        if !l.contains('\t') {
            if out.is_empty() {
                continue;
            }
            break;
        }
        let raw: Vec<String> = l.split('\t').map(|c| c.trim().to_string()).collect();
        out.push(TsvLine { line: base_line + i, cells: raw.iter().map(|c| cell(c)).collect(), raw });
    }
    out
}

/// A header row that numbers the columns: `栏次`, `※ 1 2 3`, or amounts that are exactly 1, 2, 3….
fn is_numbering(l: &TsvLine) -> bool {
    let ints: Vec<Option<u32>> = l
        .cells
        .iter()
        .filter_map(|c| match c {
            Cell::Amount(AmountToken::Number { value, decimals: 0 }) => Some(value.to_string().parse::<u32>().ok()),
            Cell::Amount(_) => Some(None),
            _ => None,
        })
        .collect();
    let counting = ints.len() >= 2 && ints.iter().enumerate().all(|(i, v)| *v == Some(i as u32 + 1));
    counting || l.raw.iter().any(|c| strip_ws(c).starts_with("栏次")) || is_numbering_line(&l.raw.join(" "))
}

struct Stats {
    decimals: u32,
    saw_numbers: bool,
}

impl Stats {
    fn amounts(&mut self, cells: &[Cell], width: usize) -> Vec<Amount> {
        let mut out: Vec<Amount> = cells
            .iter()
            .map(|c| match c {
                Cell::Amount(a) => {
                    self.decimals = self.decimals.max(a.decimals());
                    self.saw_numbers |= matches!(a, AmountToken::Number { .. });
                    a.value()
                }
                _ => None,
            })
            .collect();
        // Trailing blank cells beyond the template's width are padding.
        while out.len() > width && out.last() == Some(&None) {
            out.pop();
        }
        out.resize(width.max(out.len()), None);
        out
    }
}

pub fn parse(
    body: &[&str],
    base_line: usize,
    table_type: TableType,
    kind: DocKind,
    _code_names: &HashMap<String, String>,
) -> Result<ParsedRows, Problem> {
    let block = table_block(body, base_line);
    let mut stats = Stats { decimals: 0, saw_numbers: false };
    let rows = match table_type {
        TableType::RevenueExpenditureSummary | TableType::FiscalSummary => {
            parse_two_sided(&block, table_type, kind, &mut stats)
        }
        TableType::ThreePublic if kind == DocKind::Final => parse_three_public_grid(&block, &mut stats),
        TableType::ThreePublic | TableType::Carryover => parse_labelled(&block, table_type, kind, &mut stats),
        TableType::BasicExpenditureByEconomic if is_grouped(&block) => parse_grouped_economic(&block, &mut stats),
        _ => parse_coded(&block, table_type, kind, &mut stats),
    }?;
    let warning = rows.iter().find_map(|r| match &r.cells {
        Cells::Placed(v) if v.len() > r.columns.len() => {
            Some(Problem::at(r.line, ProblemKind::RowTooWide { printed: v.len(), columns: r.columns.len() }))
        }
        _ => None,
    });
    let rows = rows.into_iter().map(fit_width).collect();
    Ok(ParsedRows { rows, decimals: stats.decimals, saw_numbers: stats.saw_numbers, warning })
}

/// A row wider than its template keeps its numbers for `assign` to place or report.
fn fit_width(mut row: Row) -> Row {
    if let Cells::Placed(v) = &row.cells {
        if v.len() > row.columns.len() {
            row.cells = Cells::Unplaced(v.iter().copied().filter(|a| a.is_some()).collect());
        }
    }
    row
}

/// Leading code cells: `201`,`3`,`50` or `2010301`; returns the code and the cells used.
fn leading_code(cells: &[Cell], function_coded: bool) -> Option<(String, usize)> {
    let digits = |c: &Cell| -> Option<String> {
        match c {
            Cell::Amount(AmountToken::Number { value, decimals: 0 }) if !value.is_sign_negative() => {
                Some(value.to_string())
            }
            Cell::Text(t) if t.chars().all(|c| c.is_ascii_digit()) => Some(t.clone()),
            _ => None,
        }
    };
    let first_idx = cells.iter().position(|c| *c != Cell::Blank)?;
    let first = digits(&cells[first_idx])?;
    let lead_ok =
        if function_coded { first.starts_with('2') } else { first.starts_with('3') || first.starts_with('5') };
    if !lead_ok || ![3, 5, 7].contains(&first.len()) {
        return None;
    }
    let mut parts = vec![first.clone()];
    let mut used = first_idx + 1;
    if first.len() == 3 {
        let max_parts = if function_coded { 3 } else { 2 };
        while parts.len() < max_parts {
            match cells.get(used).and_then(digits) {
                Some(d) if d.len() <= 2 => {
                    parts.push(d);
                    used += 1;
                }
                _ => break,
            }
        }
    }
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    canonical_code(&refs).map(|c| (c, used))
}

/// Splits a row after its code cells into its text cells and its value cells (the cells
/// after the last text cell).
fn texts_and_values(cells: &[Cell]) -> (Vec<String>, &[Cell]) {
    let last_text = cells.iter().rposition(|c| matches!(c, Cell::Text(_)));
    match last_text {
        Some(i) => {
            let texts =
                cells[..=i].iter().filter_map(|c| if let Cell::Text(t) = c { Some(t.clone()) } else { None }).collect();
            (texts, &cells[i + 1..])
        }
        None => (Vec::new(), cells),
    }
}

/// A table's columns read from its printed header rows: each cell index right of the row
/// labels is a value column (its contract column, if its header path names one) or the 行次.
struct Frame {
    /// The first cell index of the value columns.
    start: usize,
    roles: Vec<Role>,
    columns: Columns,
}

impl Frame {
    /// A row's amounts by column, and its 行次; `None` where the row prints a number in a
    /// cell the header has no column for.
    fn place(&self, cells: &[Cell], stats: &mut Stats) -> (Vec<Amount>, Option<i32>) {
        let mut out = vec![None; self.columns.len()];
        let mut line_no = None;
        for (j, c) in cells.iter().enumerate().skip(self.start) {
            let Cell::Amount(a) = c else { continue };
            match self.roles.get(j - self.start) {
                Some(Role::Value(i)) => out[*i] = stats.amounts(std::slice::from_ref(c), 1)[0],
                Some(Role::LineNo) => line_no = a.value().and_then(|v| v.to_string().parse().ok()),
                None => {}
            }
        }
        (out, line_no)
    }
}

fn text_at(l: &TsvLine, j: usize) -> String {
    l.raw.get(j).map(|s| strip_ws(s)).unwrap_or_default()
}

/// Each cell index's header path, top first. A blank header cell with words below it lies
/// under a merged group cell: the nearest printed cell to its left on that row.
fn header_paths(header: &[&TsvLine], width: usize) -> Vec<Vec<String>> {
    (0..width)
        .map(|j| {
            let mut path = Vec::new();
            for (r, row) in header.iter().enumerate() {
                let t = text_at(row, j);
                if !t.is_empty() {
                    path.push(t);
                    continue;
                }
                if header[r + 1..].iter().all(|l| text_at(l, j).is_empty()) {
                    continue;
                }
                if let Some(g) = (0..j).rev().map(|k| text_at(row, k)).find(|t| !t.is_empty()) {
                    path.push(g);
                }
            }
            path
        })
        .collect()
}

/// A header naming the row labels (code, name, item), not an amount column.
fn is_key_header(text: &str) -> bool {
    let t = crate::table_spec::normalize_header(text);
    matches!(t.as_str(), "类" | "款" | "项" | "项目" | "栏次" | "单位" | "预算单位")
        || ["科目", "编码", "名称", "内容", "按功能分类", "按经济分类"].iter().any(|k| t.contains(k))
}

/// Reads a table's value columns from its header rows (`header`, numbering rows left out)
/// above `data`. The header's value columns are its cells right of the row labels, where the
/// data rows print them; a header a converter printed shifted (a merged label cell collapsed)
/// is read in its printed order when it names exactly as many value columns as the data has.
/// `None` when the header does not account for the data's columns.
fn read_header(
    header: &[&TsvLine],
    data: &[&TsvLine],
    table_type: TableType,
    kind: DocKind,
    side: Option<Side>,
) -> Option<Frame> {
    let function_coded = table_type.is_function_coded();
    let start = data
        .iter()
        .map(|l| {
            let code = leading_code(&l.cells, function_coded).map_or(0, |(_, used)| used);
            let text = l.cells.iter().rposition(|c| matches!(c, Cell::Text(_))).map_or(0, |i| i + 1);
            code.max(text)
        })
        .max()?;
    let width = header.iter().chain(data).map(|l| l.cells.len()).max()?;
    let paths = header_paths(header, width);
    let printed = |j: usize| data.iter().any(|l| l.cells.get(j).is_some_and(|c| *c != Cell::Blank));
    // Trailing cells with neither a header nor a number are padding.
    let end = (start..width).rev().find(|&j| !paths[j].is_empty() || printed(j)).map_or(start, |j| j + 1);
    let value_cols: Vec<usize> = (start..end).collect();
    let named: Vec<usize> = (0..width).filter(|&j| paths[j].last().is_some_and(|leaf| !is_key_header(leaf))).collect();
    let heads: Vec<&Vec<String>> = if named == value_cols {
        value_cols.iter().map(|&j| &paths[j]).collect()
    } else if named.len() == value_cols.len() && !named.is_empty() {
        named.iter().map(|&j| &paths[j]).collect()
    } else {
        return None;
    };
    let headers: Vec<(Vec<String>, Vec<String>)> =
        heads.iter().map(|p| (p[..p.len() - 1].to_vec(), vec![p[p.len() - 1].clone()])).collect();
    let (columns, roles) = columns_of(&headers, table_type, kind, side);
    Some(Frame { start, roles, columns })
}

/// A line that holds a table row: a code, or an amount, outside a numbering row.
fn is_data_line(l: &TsvLine, function_coded: bool) -> bool {
    !is_numbering(l)
        && (leading_code(&l.cells, function_coded).is_some() || l.cells.iter().any(|c| matches!(c, Cell::Amount(_))))
}

/// The block's header rows (before its first data line, numbering rows left out) and its
/// data lines.
fn header_and_data(block: &[TsvLine], function_coded: bool) -> (Vec<&TsvLine>, Vec<&TsvLine>) {
    let first = block.iter().position(|l| is_data_line(l, function_coded)).unwrap_or(block.len());
    let header = block[..first].iter().filter(|l| !is_numbering(l)).collect();
    let data = block[first..].iter().filter(|l| !is_numbering(l)).collect();
    (header, data)
}

fn parse_coded(
    block: &[TsvLine],
    table_type: TableType,
    kind: DocKind,
    stats: &mut Stats,
) -> Result<Vec<Row>, Problem> {
    let template = Columns::template(super::template_columns(table_type, kind)?);
    let function_coded = table_type.is_function_coded();
    let (header, data) = header_and_data(block, function_coded);
    // Columns from the printed header; the template only where the header does not account
    // for the data's columns.
    let frame = read_header(&header, &data, table_type, kind, None);
    let columns = frame.as_ref().map_or(template, |f| f.columns.clone());
    let mut rows = Vec::new();
    // 表7 rows without a project name leave its cell blank: values start where they start on
    // the rows that fill it (project rows, the total row).
    let value_start = match table_type {
        TableType::ProjectExpenditure => block
            .iter()
            .filter(|l| !is_numbering(l))
            .filter_map(|l| {
                let texts = l.cells.iter().filter(|c| matches!(c, Cell::Text(_))).count();
                let last = l.cells.iter().rposition(|c| matches!(c, Cell::Text(_)))?;
                let code = leading_code(&l.cells, function_coded).is_some();
                let total = matches!(&l.cells[last], Cell::Text(t) if is_total_label(t));
                ((code && texts >= 2) || total).then_some(last + 1)
            })
            .max(),
        _ => None,
    };
    for l in block {
        if is_numbering(l) {
            continue;
        }
        let code = leading_code(&l.cells, function_coded);
        let used = code.as_ref().map(|(_, u)| *u).unwrap_or(0);
        let (texts, values) = texts_and_values(&l.cells[used..]);
        let values = match value_start {
            Some(start) if start > used && l.cells.len() - values.len() < start => l.cells.get(start..).unwrap_or(&[]),
            _ => values,
        };
        let has_amount = values.iter().any(|c| matches!(c, Cell::Amount(_)));
        let mut key = RowKey::default();
        match code {
            Some((code, _)) => {
                key.level = Some(code_level(&code));
                key.name = texts.first().cloned();
                if table_type == TableType::ProjectExpenditure {
                    key.project_name = texts.get(1).cloned();
                }
                key.code = Some(code);
            }
            None if texts.last().is_some_and(|t| is_total_label(t)) => {
                key.level = Some(0);
                key.name = texts.last().map(|t| strip_ws(t));
            }
            None if has_amount && !texts.is_empty() => {
                // A 表7 sub-unit heading if its sums prove it (`unit_groups`).
                key.level = Some(0);
                key.name = Some(texts.concat());
            }
            None => continue,
        }
        let cells = match &frame {
            Some(f) => Cells::Placed(f.place(&l.cells, stats).0),
            None => Cells::Placed(stats.amounts(values, columns.len())),
        };
        rows.push(Row::new(l.line, key, columns.clone(), cells));
    }
    Ok(rows)
}

/// Where the expenditure half starts, from the header (`功能分类` / `项目(按功能分类)` / `支出`).
fn expenditure_start(block: &[TsvLine], kind: DocKind) -> usize {
    for l in block.iter().take(6) {
        for (i, c) in l.raw.iter().enumerate().skip(1) {
            let s = strip_ws(c);
            if s.contains("功能分类") || s == "支出" {
                return i;
            }
        }
    }
    if kind == DocKind::Final {
        3
    } else {
        2
    }
}

fn parse_two_sided(
    block: &[TsvLine],
    table_type: TableType,
    kind: DocKind,
    stats: &mut Stats,
) -> Result<Vec<Row>, Problem> {
    let rev_cols = Columns::template(table_type.printed_columns(kind, Some(Side::Revenue)).unwrap_or(&["amount"]));
    let exp_cols = Columns::template(table_type.printed_columns(kind, Some(Side::Expenditure)).unwrap_or(&["amount"]));
    let split = expenditure_start(block, kind);
    let has_line_no = block.iter().take(6).any(|l| l.raw.iter().any(|c| strip_ws(c) == "行次"));
    let mut revenue = Vec::new();
    let mut expenditure = Vec::new();
    let mut started = false;
    for l in block {
        if is_numbering(l) {
            continue;
        }
        let (left, right) = l.cells.split_at(split.min(l.cells.len()));
        let data_like = l.cells.iter().any(|c| matches!(c, Cell::Amount(AmountToken::Number { decimals: 1.., .. })))
            || right.first().is_some_and(
                |c| matches!(c, Cell::Text(t) if t.len() > 3 && t[..3].chars().all(|c| c.is_ascii_digit())),
            );
        started |= data_like;
        if !started {
            continue;
        }
        if let Some(row) = half_row(left, Side::Revenue, &rev_cols, has_line_no, l.line, stats) {
            revenue.push(row);
        }
        if let Some(row) = half_row(right, Side::Expenditure, &exp_cols, has_line_no, l.line, stats) {
            expenditure.push(row);
        }
    }
    revenue.extend(expenditure);
    Ok(revenue)
}

fn half_row(
    cells: &[Cell],
    side: Side,
    columns: &Columns,
    has_line_no: bool,
    line: usize,
    stats: &mut Stats,
) -> Option<Row> {
    let label = match cells.first() {
        Some(Cell::Text(t)) => t.clone(),
        _ => String::new(),
    };
    let (line_no, values) = if has_line_no {
        let n = match cells.get(1) {
            Some(Cell::Amount(AmountToken::Number { value, .. })) => value.to_string().parse::<i32>().ok(),
            _ => None,
        };
        (n, cells.get(2..).unwrap_or(&[]))
    } else {
        (None, cells.get(1..).unwrap_or(&[]))
    };
    let amounts = stats.amounts(values, columns.len());
    if label.is_empty() && amounts.iter().all(|a| a.is_none()) {
        return None;
    }
    let (code, item) = split_code_label(&label, side);
    let key = RowKey { side: Some(side), line_no, item: Some(item), code, ..Default::default() };
    Some(Row::new(line, key, columns.clone(), Cells::Placed(amounts)))
}

/// `201一般公共服务支出` -> (`201`, `一般公共服务支出`); an expenditure class printed without its
/// code gets it from its name.
pub fn split_code_label(label: &str, side: Side) -> (Option<String>, String) {
    let digits: String = label.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() == 3 && label.len() > 3 {
        return (Some(digits), clean_label(&label[3..]));
    }
    let item = clean_label(label);
    let code = match side {
        Side::Expenditure => function_class_code(&item).map(str::to_string),
        Side::Revenue => None,
    };
    (code, item)
}

fn parse_labelled(
    block: &[TsvLine],
    table_type: TableType,
    kind: DocKind,
    stats: &mut Stats,
) -> Result<Vec<Row>, Problem> {
    let template = Columns::template(super::template_columns(table_type, kind)?);
    let (header, data) = header_and_data(block, false);
    let frame = read_header(&header, &data, table_type, kind, None);
    let columns = frame.as_ref().map_or(template, |f| f.columns.clone());
    let mut rows = Vec::new();
    let mut started = false;
    for l in block {
        if is_numbering(l) {
            started = true;
            continue;
        }
        let Some(Cell::Text(label)) = l.cells.first() else { continue };
        let values = &l.cells[1..];
        let mut key = RowKey::default();
        if table_type == TableType::ThreePublic {
            let Some(item) = three_public_item(label) else { continue };
            key.item = Some(item.to_string());
            key.item_name = Some(label.clone());
            key.basis = Some("budget");
        } else {
            started |= values.iter().any(|c| matches!(c, Cell::Amount(_)));
            if !started {
                continue;
            }
            key.item = Some(clean_label(label));
        }
        let cells = match &frame {
            Some(f) => Cells::Placed(f.place(&l.cells, stats).0),
            None => Cells::Placed(stats.amounts(values, columns.len())),
        };
        rows.push(Row::new(l.line, key, columns.clone(), cells));
    }
    Ok(rows)
}

/// 公开07表: one row of numbers under a two-level header (basis, then item, then sub-item).
fn parse_three_public_grid(block: &[TsvLine], stats: &mut Stats) -> Result<Vec<Row>, Problem> {
    let columns = Columns::template(&["total"]);
    let data_idx = block
        .iter()
        .position(|l| {
            !is_numbering(l)
                && l.cells.iter().any(|c| matches!(c, Cell::Amount(_)))
                && l.cells.iter().all(|c| !matches!(c, Cell::Text(_)))
        })
        .ok_or(Problem::whole(ProblemKind::ThreePublicNoAmounts))?;
    let header: Vec<&TsvLine> = block[..data_idx].iter().filter(|l| !is_numbering(l)).collect();
    let data = &block[data_idx];
    let label_at =
        |row: &TsvLine, i: usize| -> Option<String> { row.raw.get(i).map(|s| strip_ws(s)).filter(|s| !s.is_empty()) };
    // The nearest label at or left of column i in a header row (spanning cells).
    let spanning = |row: &TsvLine, i: usize| -> Option<String> { (0..=i).rev().find_map(|j| label_at(row, j)) };
    let mut rows = Vec::new();
    let mut by_basis: Vec<(&'static str, Vec<Row>)> = vec![("budget", Vec::new()), ("actual", Vec::new())];
    for (i, c) in data.cells.iter().enumerate() {
        let Cell::Amount(a) = c else { continue };
        let basis_label = header.first().and_then(|h| spanning(h, i)).unwrap_or_default();
        let basis = if basis_label.contains("决算") { "actual" } else { "budget" };
        // The deepest header label of this column; `小计` names its group above.
        let mut name = header.iter().rev().find_map(|h| label_at(h, i)).unwrap_or_default();
        if name.contains("小计") {
            name = header.iter().rev().skip(1).find_map(|h| label_at(h, i)).unwrap_or(name);
        }
        let Some(item) = three_public_item(&name) else { continue };
        stats.decimals = stats.decimals.max(a.decimals());
        stats.saw_numbers = true;
        let key = RowKey {
            item: Some(item.to_string()),
            item_name: Some(clean_label(&name)),
            basis: Some(basis),
            ..Default::default()
        };
        let row = Row::new(data.line, key, columns.clone(), Cells::Placed(vec![a.value()]));
        if let Some((_, v)) = by_basis.iter_mut().find(|(b, _)| *b == basis) {
            v.push(row)
        }
    }
    for (_, v) in by_basis {
        rows.extend(v);
    }
    Ok(rows)
}

/// 公开06表 prints groups of (code, name, amount) side by side: a second group's code is
/// followed by its name.
fn is_grouped(block: &[TsvLine]) -> bool {
    block.iter().any(|l| {
        l.cells.len() >= 6
            && leading_code(&l.cells[3..4], false).is_some()
            && matches!(l.cells[4], Cell::Text(_))
            && (l.cells[0] == Cell::Blank || leading_code(&l.cells[0..1], false).is_some())
    })
}

fn parse_grouped_economic(block: &[TsvLine], stats: &mut Stats) -> Result<Vec<Row>, Problem> {
    let columns = Columns::template(&["total", "personnel", "public"]);
    let header = block.iter().find(|l| l.raw.iter().any(|c| c.contains("人员经费") || c.contains("公用经费")));
    let width = block.iter().map(|l| l.cells.len()).max().unwrap_or(0);
    let groups = width.div_ceil(3);
    let group_is_personnel = |g: usize| -> Option<bool> {
        let h = header?;
        let label = (0..=3 * g).rev().find_map(|j| h.raw.get(j).filter(|s| !s.trim().is_empty()))?;
        Some(label.contains("人员"))
    };
    let mut per_group: Vec<Vec<Row>> = vec![Vec::new(); groups];
    let mut footer: (Amount, Amount, usize) = (None, None, 0);
    for l in block {
        if let Some(i) = l.raw.iter().position(|c| strip_ws(c).contains("人员经费合计")) {
            footer.0 = first_amount_after(&l.cells, i, stats);
            footer.2 = l.line;
        }
        if let Some(i) = l.raw.iter().position(|c| strip_ws(c).contains("公用经费合计")) {
            footer.1 = first_amount_after(&l.cells, i, stats);
            footer.2 = l.line;
        }
        for (g, group) in per_group.iter_mut().enumerate() {
            let triple = &l.cells[(3 * g).min(l.cells.len())..(3 * g + 3).min(l.cells.len())];
            let Some((code, 1)) = leading_code(triple.get(..1).unwrap_or(&[]), false) else { continue };
            let name = match triple.get(1) {
                Some(Cell::Text(t)) => Some(t.clone()),
                _ => None,
            };
            let amount = stats.amounts(triple.get(2..3).unwrap_or(&[]), 1)[0];
            let personnel = group_is_personnel(g).unwrap_or(code.starts_with("301") || code.starts_with("303"));
            let cells = if personnel { vec![amount, amount, None] } else { vec![amount, None, amount] };
            let key = RowKey { level: Some(code_level(&code)), code: Some(code), name, ..Default::default() };
            group.push(Row::new(l.line, key, columns.clone(), Cells::Placed(cells)).with_derived(&["total"]));
        }
    }
    let mut rows: Vec<Row> = per_group.into_iter().flatten().collect();
    if footer.2 > 0 {
        let total = match (footer.0, footer.1) {
            (None, None) => None,
            (p, q) => Some(p.unwrap_or_default() + q.unwrap_or_default()),
        };
        let key = RowKey { level: Some(0), name: Some("合计".to_string()), ..Default::default() };
        let cells = Cells::Placed(vec![total, footer.0, footer.1]);
        rows.push(Row::new(footer.2, key, columns.clone(), cells).with_derived(&["total"]));
    }
    Ok(rows)
}

fn first_amount_after(cells: &[Cell], i: usize, stats: &mut Stats) -> Amount {
    let c = cells[i + 1..].iter().find(|c| matches!(c, Cell::Amount(_)))?;
    stats.amounts(std::slice::from_ref(c), 1)[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, tt: TableType, kind: DocKind) -> Vec<Row> {
        let lines: Vec<&str> = text.lines().collect();
        parse(&lines, 1, tt, kind, &HashMap::new()).unwrap().rows
    }

    #[test]
    fn split_codes_without_padding() {
        let r = rows(
            "类\t款\t项\t\t合计\t基本支出\t项目支出\n201\t3\t50\t事业运行\t484.62\t484.62\t\n\t\t\t合 计\t656.18\t\t\n",
            TableType::ExpenditureByFunction,
            DocKind::Budget,
        );
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].key.code.as_deref(), Some("2010350"));
        assert_eq!(r[0].key.level, Some(3));
        assert_eq!(r[1].key.name.as_deref(), Some("合计"));
        assert_eq!(r[1].key.level, Some(0));
    }

    /// (contract column, printed header) of a row's columns, and its value by contract column.
    fn value(r: &Row, column: &str) -> Option<rust_decimal::Decimal> {
        r.value(column).flatten()
    }

    #[test]
    fn a_template_without_a_contract_column_leaves_the_others_in_their_own() {
        // 003-style 表2 (excerpt): no 上级国有资本经营预算转移支付 column, so 财政专户, 单位资金
        // and the two 结转 columns sit one cell left of where the full template has them.
        let text = "功能分类科目编码\t\t\t功能分类科目名称\t总 计\t财 政 拨 款 ( 补 助 )\t\t\t\t\t\t财政专户(教育收费)\t单位资金\t财政拨款结转\t非财政拨款结转结余\n\
类\t款\t项\t\t\t财政拨款(补助)小计\t一般公共预算\t上级一般公共预算安排的转移支付\t政府性基金预算\t上级政府性基金安排的转移支付\t国有资本经营预算\t\t\t\t\n\
201\t3\t50\t事业运行\t100.00\t60.00\t60.00\t\t\t\t\t10.00\t20.00\t4.00\t6.00\n\
\t\t\t合 计\t100.00\t60.00\t60.00\t\t\t\t\t10.00\t20.00\t4.00\t6.00\n";
        let r = rows(text, TableType::RevenueByFunction, DocKind::Budget);
        assert_eq!(r.len(), 2);
        let d = |s: &str| Some(s.parse::<rust_decimal::Decimal>().unwrap());
        for row in &r {
            assert_eq!(value(row, "total"), d("100.00"));
            assert_eq!(value(row, "fiscal_subtotal"), d("60.00"));
            assert_eq!(value(row, "general_budget"), d("60.00"));
            assert_eq!(value(row, "state_capital_transfer"), None);
            assert_eq!(value(row, "special_account"), d("10.00"));
            assert_eq!(value(row, "unit_funds"), d("20.00"));
            assert_eq!(value(row, "fiscal_carryover"), d("4.00"));
            assert_eq!(value(row, "nonfiscal_carryover"), d("6.00"));
        }
        assert_eq!(r[0].columns.position("state_capital_transfer"), None);
        assert_eq!(r[0].columns[7].header, "财政专户(教育收费)");
    }

    #[test]
    fn a_column_of_no_contract_meaning_keeps_its_numbers_apart() {
        let text = "科目编码\t\t\t科目名称\t合计\t政府采购\t基本支出\t项目支出\n\
201\t3\t1\t行政运行\t100.00\t7.00\t60.00\t40.00\n\
\t\t\t合计\t100.00\t7.00\t60.00\t40.00\n";
        let r = rows(text, TableType::ExpenditureByFunction, DocKind::Budget);
        assert_eq!(r.len(), 2);
        let cols: Vec<(Option<&str>, &str)> = r[0].columns.iter().map(|c| (c.name, c.header.as_str())).collect();
        assert_eq!(
            cols,
            [(Some("total"), "合计"), (None, "政府采购"), (Some("basic"), "基本支出"), (Some("project"), "项目支出")]
        );
        let seven = "7.00".parse::<rust_decimal::Decimal>().ok();
        assert_eq!(
            r[1].cells,
            Cells::Placed(vec!["100.00".parse().ok(), seven, "60.00".parse().ok(), "40.00".parse().ok()])
        );
        assert_eq!(value(&r[1], "basic"), "60.00".parse().ok());
        assert_eq!(value(&r[1], "project"), "40.00".parse().ok());
    }

    #[test]
    fn a_header_shifted_by_a_collapsed_label_cell_is_read_in_its_printed_order() {
        // 公开03表-style (excerpt): the converter printed the header one cell left of the data.
        let text = "项目\t\t\t本年支出 合计\t基本支出\t项目支出\t上缴 上级 支出\t经营 支出\t对附属 单位补 助支出\t\n\
支出功能 分类科目 编码\t科目名称\t\t\t\t\t\t\t\t\n\
类\t款\t项\t栏次\t1\t2\t3\t4\t5\t6\n\
\t\t\t合计\t185.62\t139.81\t45.80\t1.00\t2.00\t3.00\n";
        let r = rows(text, TableType::ExpenditureByFunction, DocKind::Final);
        assert_eq!(value(&r[0], "total"), "185.62".parse().ok());
        assert_eq!(value(&r[0], "basic"), "139.81".parse().ok());
        assert_eq!(value(&r[0], "affiliate_subsidy"), "3.00".parse().ok());
    }

    #[test]
    fn two_sided_with_line_numbers() {
        let r = rows(
            "项目\t行次\t决算数\t项目(按功能分类)\t行次\t决算数\n栏次\t\t1\t栏次\t\t2\n一、一般公共预算财政拨款收入\t1\t185.62\t一、一般公共服务支出\t31\t152.83\n\t9\t\t九、卫生健康支出\t39\t7.27\n",
            TableType::RevenueExpenditureSummary,
            DocKind::Final,
        );
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].key.line_no, Some(1));
        assert_eq!(r[2].key.code.as_deref(), Some("210"));
        assert_eq!(r[2].key.line_no, Some(39));
    }
}
