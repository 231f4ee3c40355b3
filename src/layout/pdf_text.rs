//! `pdf_text` tables: one row fragment per line, blank cells dropped, names wrapped over lines,
//! page breaks that repeat the `编制部门` line and the column headers mid-table; PyMuPDF's one
//! cell per line; and pdfplumber's `spaced_text` (one row per line, single spaces, blank cells
//! dropped), which differs only in having no blank lines between rows.

use super::{table_number, ParsedRows};
// pdf_text prints the region's own template, whose columns the template list names: each
// header is the contract column's canonical printed name (`Columns::template`).
use crate::model::{Cells, Columns, DocKind, Row, RowKey, Side, TableType};
use crate::normalize::{
    canonical_code, clean_label, code_level, function_class_code, is_total_label, parse_amount, strip_ws, AmountToken,
};
use crate::problem::{Problem, ProblemKind};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// A line of the table body that holds data (headers, page furniture and prose removed).
struct DataLine<'a> {
    line: usize,
    text: &'a str,
    /// The first data line after a repeated page header.
    after_break: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Text(String),
    Num(AmountToken),
}

/// The printed tokens of a line, as `tokenize` splits them.
fn raw_tokens(text: &str) -> Vec<&str> {
    text.split_whitespace().flat_map(unglue).collect()
}

fn tokenize(text: &str) -> Vec<Tok> {
    raw_tokens(text)
        .into_iter()
        .map(|t| match parse_amount(t) {
            Some(a) => Tok::Num(a),
            None => Tok::Text(t.to_string()),
        })
        .collect()
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// Some extractors drop the space between a code and its name (`201一般公共服务支出`) or between
/// a name and its amount (`行政运行192.76`): split those apart.
fn unglue(token: &str) -> Vec<&str> {
    let digits = token.chars().take_while(|c| c.is_ascii_digit()).count();
    if matches!(digits, 3 | 5 | 7)
        && matches!(token.as_bytes()[0], b'2' | b'3' | b'5')
        && token[digits..].chars().next().is_some_and(is_cjk)
    {
        return vec![&token[..digits], &token[digits..]];
    }
    // A trailing amount with decimals after a CJK character.
    if let Some((i, c)) = token.char_indices().rev().find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == ',')) {
        let tail = &token[i + c.len_utf8()..];
        if is_cjk(c) && tail.contains('.') && parse_amount(tail).is_some() {
            return vec![&token[..i + c.len_utf8()], tail];
        }
    }
    vec![token]
}

/// `类 款 项 栏次 7 8 11`: column numbers after a 栏次 label, in whatever order the template
/// numbers its columns (a table printing some of a wider template's columns).
fn is_labelled_numbering(text: &str) -> bool {
    let compact = strip_ws(text);
    let mut ints = 0;
    let only = text.split_whitespace().all(|t| match t {
        "※" | "栏次" | "栏" | "次" | "类" | "款" | "项" => true,
        _ => {
            ints += 1;
            t.len() <= 2 && t.chars().all(|c| c.is_ascii_digit())
        }
    });
    compact.contains("栏次") && only && ints >= 1
}

/// `※ ※ 1 2 3` / `栏次 1 2` / `支出功能分类科目编码 1 2 3 4`: the column-numbering line that
/// closes a header block.
pub fn is_numbering_line(text: &str) -> bool {
    if is_labelled_numbering(text) {
        return true;
    }
    let mut expect = 1u32;
    let mut ints = 0;
    let mut labels = 0;
    for t in text.split_whitespace() {
        match t {
            "※" | "栏次" | "类" | "款" | "项" => continue,
            _ if t.chars().all(|c| c.is_ascii_digit()) => {
                if t.parse::<u32>().ok() != Some(expect) {
                    return false;
                }
                expect += 1;
                ints += 1;
            }
            _ => labels += 1,
        }
    }
    if labels > 0 {
        // Header words with the column numbers on the same line.
        return ints >= 3;
    }
    (ints >= 1 && text.contains('※')) || ints >= 2
}

fn is_page_furniture(text: &str) -> bool {
    table_number(text).is_some() || super::is_page_furniture(text) || super::is_note(text)
}

fn is_page_header(text: &str) -> bool {
    let s = strip_ws(text);
    s.contains("编制部门")
        || s.contains("编制单位")
        || s.starts_with("单位：")
        || s.starts_with("单位:")
        || s.contains("金额单位")
}

fn is_prose(text: &str) -> bool {
    text.contains('，') || text.contains('。')
}

fn starts_with_code(text: &str, function_coded: bool) -> bool {
    let fused = || raw_tokens(text).first().is_some_and(|t| super::grid::fused_code(t, function_coded).is_some());
    leading_code(&tokenize(text), &raw_tokens(text), function_coded).is_some() || fused()
}

fn has_amount(text: &str) -> bool {
    tokenize(text).iter().any(|t| matches!(t, Tok::Num(AmountToken::Number { .. })))
}

/// A code printed alone on its line (one cell per line: `204` / `06` / `司法`), not a page
/// number: a class code followed by its sub-code or name, or a sub-code after a code.
fn is_bare_code(body: &[&str], i: usize, kept: &[DataLine], function_coded: bool) -> bool {
    let text = body[i].trim();
    let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
    let lead_ok = |t: &str| if function_coded { t.starts_with('2') } else { t.starts_with(['3', '5']) };
    let class = |t: &str| digits(t, 3) && lead_ok(t);
    let after_code = kept.last().is_some_and(|d| class(d.text) || digits(d.text, 2));
    let next = body[i + 1..].iter().map(|l| l.trim()).find(|l| !l.is_empty());
    let names_follow = next.is_some_and(|n| {
        let starts_cjk = n.chars().next().is_some_and(is_cjk);
        digits(n, 2) || (starts_cjk && !is_page_header(n) && super::classify_title(n).is_none())
    });
    (class(text) && names_follow) || (digits(text, 2) && after_code)
}

/// Removes headers, page furniture and prose; marks the first line after a page break.
fn data_lines<'a>(body: &[&'a str], base_line: usize, function_coded: bool) -> Vec<DataLine<'a>> {
    // numbering_ahead[i]: a numbering line closes the header block that line i is in (one comes
    // before the next page header). Where none does (a page that repeats the `编制单位` line but
    // not the column headers), the header ends at the first line that looks like data.
    let mut numbering_ahead = vec![false; body.len() + 1];
    for i in (0..body.len()).rev() {
        let text = body[i].trim();
        numbering_ahead[i] = if is_numbering_line(text) {
            true
        } else if is_page_header(text) {
            false
        } else {
            numbering_ahead[i + 1]
        };
    }
    let mut out = Vec::new();
    let mut in_header = true;
    let mut page_break = false;
    for (i, raw) in body.iter().enumerate() {
        let text = raw.trim();
        if text.is_empty() {
            continue;
        }
        if is_numbering_line(text) || strip_ws(text).contains("栏次") {
            in_header = false;
            continue;
        }
        if is_page_header(text) {
            in_header = true;
            page_break = !out.is_empty();
            continue;
        }
        if (is_page_furniture(text) && !is_bare_code(body, i, &out, function_coded)) || is_prose(text) {
            continue;
        }
        if in_header {
            let looks_like_data = has_amount(text) || starts_with_code(text, function_coded);
            if numbering_ahead[i] || !looks_like_data {
                continue;
            }
            in_header = false;
        }
        out.push(DataLine { line: base_line + i, text, after_break: page_break });
        page_break = false;
    }
    out
}

/// Leading code tokens: `201`, `201 03`, `201 03 01`, `2010301`, `301 01`. `raw` are the printed
/// tokens: an integer printed with thousands separators (`3,465,480`) is an amount, never a code.
fn leading_code(tokens: &[Tok], raw: &[&str], function_coded: bool) -> Option<(String, usize)> {
    let text = |i: usize| match tokens.get(i) {
        Some(Tok::Text(t)) => Some(t.as_str()),
        Some(Tok::Num(AmountToken::Number { decimals: 0, .. })) => None,
        _ => None,
    };
    // Integer tokens parse as numbers; read the raw digits back.
    let digits = |i: usize| -> Option<String> {
        match tokens.get(i) {
            Some(Tok::Num(AmountToken::Number { value, decimals: 0 }))
                if !value.is_sign_negative() && raw.get(i).is_some_and(|r| r.bytes().all(|b| b.is_ascii_digit())) =>
            {
                Some(value.to_string())
            }
            _ => text(i).filter(|t| t.chars().all(|c| c.is_ascii_digit())).map(str::to_string),
        }
    };
    let first = digits(0)?;
    let lead_ok =
        if function_coded { first.starts_with('2') } else { first.starts_with('3') || first.starts_with('5') };
    if !lead_ok {
        return None;
    }
    match first.len() {
        5 | 7 => return Some((first, 1)),
        3 => {}
        _ => return None,
    }
    let max_parts = if function_coded { 3 } else { 2 };
    let mut parts = vec![first];
    // Sub-codes are printed zero-padded (`03`), which tells them apart from amounts.
    while parts.len() < max_parts {
        match tokens.get(parts.len()) {
            Some(Tok::Text(t)) if t.len() == 2 && t.chars().all(|c| c.is_ascii_digit()) => parts.push(t.clone()),
            Some(Tok::Num(AmountToken::Number { decimals: 0, value })) if raw_two_digit(value) => {
                parts.push(format!("{:0>2}", value))
            }
            _ => break,
        }
    }
    // A lone 3-digit integer followed by nothing but numbers is an amount, not a code.
    if parts.len() == 1 && !matches!(tokens.get(1), Some(Tok::Text(_)) | None) {
        return None;
    }
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    canonical_code(&refs).map(|c| (c, parts.len()))
}

fn raw_two_digit(value: &rust_decimal::Decimal) -> bool {
    // `03` parses to 3; sub-codes only come zero-padded in pdf_text, so any value < 100 is
    // accepted only when it follows a class code (the caller checks position).
    *value < rust_decimal::Decimal::from(100) && *value >= rust_decimal::Decimal::ZERO
}

struct Pending {
    line: usize,
    code: Option<String>,
    total: bool,
    /// Text fragments, one vector per printed line.
    frags: Vec<Vec<String>>,
    nums: Vec<AmountToken>,
}

impl Pending {
    fn new(line: usize) -> Pending {
        Pending { line, code: None, total: false, frags: Vec::new(), nums: Vec::new() }
    }
    fn add(&mut self, tokens: &[Tok]) {
        let mut frags = Vec::new();
        for t in tokens {
            match t {
                Tok::Text(s) => frags.push(s.clone()),
                Tok::Num(a) => self.nums.push(*a),
            }
        }
        if !frags.is_empty() {
            self.frags.push(frags);
        }
    }
    /// A zero-padded two-digit line after a code printed alone: the code's next part.
    fn takes_sub_code(&self, function_coded: bool, line: &str) -> bool {
        let max = if function_coded { 7 } else { 5 };
        let t = line.trim();
        let code_alone = self.frags.is_empty() && self.nums.is_empty();
        code_alone
            && self.code.as_ref().is_some_and(|c| c.len() < max)
            && t.len() == 2
            && t.bytes().all(|b| b.is_ascii_digit())
    }
    fn text(&self) -> String {
        strip_ws(&self.frags.iter().flatten().cloned().collect::<String>())
    }
}

struct Collector {
    rows: Vec<Row>,
    decimals: u32,
    saw_numbers: bool,
    columns: Columns,
}

impl Collector {
    fn cells(&mut self, nums: &[AmountToken]) -> Cells {
        for n in nums {
            self.decimals = self.decimals.max(n.decimals());
            self.saw_numbers |= matches!(n, AmountToken::Number { .. });
        }
        let values: Vec<_> = nums.iter().map(|n| n.value()).collect();
        if values.is_empty() {
            Cells::Placed(vec![None; self.columns.len()])
        } else if values.len() == self.columns.len() {
            Cells::Placed(values)
        } else {
            Cells::Unplaced(values)
        }
    }
}

pub fn parse(
    body: &[&str],
    base_line: usize,
    table_type: TableType,
    kind: DocKind,
    code_names: &HashMap<String, String>,
) -> Result<ParsedRows, Problem> {
    let lines = data_lines(body, base_line, table_type.is_function_coded());
    let has_line_no = body.iter().any(|l| strip_ws(l).contains("行次"));
    match (table_type, kind) {
        (TableType::RevenueExpenditureSummary | TableType::FiscalSummary, _) => {
            parse_two_sided(&lines, table_type, kind, has_line_no)
        }
        (TableType::ThreePublic, DocKind::Final) => parse_three_public_row(body, base_line, &lines),
        (TableType::ThreePublic | TableType::Carryover, _) => parse_labelled(&lines, table_type, kind),
        (TableType::BasicExpenditureByEconomic, DocKind::Final) if is_grouped(&lines) => parse_grouped_economic(&lines),
        _ => parse_coded(body, base_line, &lines, table_type, kind, code_names),
    }
}

fn parse_coded(
    body: &[&str],
    base_line: usize,
    lines: &[DataLine],
    table_type: TableType,
    kind: DocKind,
    code_names: &HashMap<String, String>,
) -> Result<ParsedRows, Problem> {
    let function_coded = table_type.is_function_coded();
    let cell_per_line = is_cell_per_line(lines);
    let mut finished: Vec<Pending> = Vec::new();
    let mut open: Option<Pending> = None;
    for dl in lines {
        if cell_per_line && dl.after_break {
            // One cell per line, a row does not run on past a page's header: what follows the
            // header is the next page's.
            finished.extend(open.take());
        }
        let mut tokens = tokenize(dl.text);
        let code = leading_code(&tokens, &raw_tokens(dl.text), function_coded).or_else(|| {
            // `2010801-行政运行`, `[201]一般公共服务支出`: the code fused to the name.
            let Some(Tok::Text(first)) = tokens.first() else { return None };
            let (code, rest) = super::grid::fused_code(first, function_coded)?;
            tokens[0] = Tok::Text(rest);
            Some((code, 0))
        });
        let first_text = match tokens.first() {
            Some(Tok::Text(t)) => strip_ws(t),
            _ => String::new(),
        };
        let joined_label: String = tokens
            .iter()
            .take_while(|t| matches!(t, Tok::Text(_)))
            .map(|t| if let Tok::Text(s) = t { s.as_str() } else { "" })
            .collect();
        let is_total = is_total_label(&first_text) || is_total_label(&strip_ws(&joined_label));
        let has_nums = tokens.iter().any(|t| matches!(t, Tok::Num(_)));
        // One cell per line (PyMuPDF): a row's numbers follow it on lines of their own, and
        // text after them starts the next row.
        let continues = |p: &Pending| {
            if cell_per_line {
                has_nums || p.nums.is_empty()
            } else {
                p.nums.is_empty() || !has_nums
            }
        };
        if let Some(p) = open.as_mut().filter(|p| cell_per_line && p.takes_sub_code(function_coded, dl.text)) {
            // `302` / `11` on lines of their own: the 款 code continues the class code.
            p.code = p.code.take().map(|c| format!("{c}{}", dl.text.trim()));
        } else if let Some((code, used)) = code {
            finished.extend(open.take());
            let mut p = Pending::new(dl.line);
            p.code = Some(code);
            p.add(&tokens[used..]);
            open = Some(p);
        } else if is_total {
            finished.extend(open.take());
            let mut p = Pending::new(dl.line);
            p.total = true;
            let label_len = tokens.iter().take_while(|t| matches!(t, Tok::Text(_))).count();
            p.frags.push(vec![strip_ws(&joined_label)]);
            p.add(&tokens[label_len..]);
            open = Some(p);
        } else if let Some(p) = open.as_mut().filter(|p| continues(p)) {
            // The open row's wrapped name / project name, or its numbers.
            p.add(&tokens);
        } else if !has_nums && !cell_per_line {
            // Text with no open row: a row continued after a page break.
            if let Some(p) = finished.last_mut().filter(|_| dl.after_break) {
                p.add(&tokens);
            }
        } else {
            // A labelled row without a code (a sub-unit heading in a grouped 表7, or a project
            // printed without a code), or the numbers of the unit's own line.
            finished.extend(open.take());
            let mut p = Pending::new(dl.line);
            p.add(&tokens);
            open = Some(p);
        }
    }
    finished.extend(open.take());
    let width = numbering_width(body).unwrap_or_else(|| finished.iter().map(|p| p.nums.len()).max().unwrap_or(0));
    let header = header_lines(body, lines.first().map(|dl| dl.line - base_line));
    let proved = super::header_text::proved_columns(&header, table_type, kind, width);
    let is_proved = proved.is_some();
    // Unproved columns still name the template's contract columns as the candidates reported.
    let columns = match proved {
        Some((c, _)) => c,
        None => Columns::template(super::template_columns(table_type, kind)?),
    };
    let mut col = Collector { rows: Vec::new(), decimals: 0, saw_numbers: false, columns: columns.clone() };
    let any_code = finished.iter().any(|p| p.code.is_some());
    for (i, p) in finished.iter().enumerate() {
        let mut key = RowKey::default();
        let name = p.text();
        if let Some(code) = &p.code {
            key.level = Some(code_level(code));
            key.code = Some(code.clone());
            if table_type == TableType::ProjectExpenditure && code.len() == 7 {
                let (name, project) = split_name_project(&p.frags, code_names.get(code).map(String::as_str));
                key.name = Some(name);
                key.project_name = project;
            } else {
                key.name = Some(name);
            }
        } else {
            // A total is labelled as one, or is the table's first line (the unit's own line)
            // printed before the coded rows; any other row without a code is not a total (a 表7
            // sub-unit heading is proved by its sums in `unit_groups`).
            let class = function_coded.then(|| function_class_code(&clean_label(&name))).flatten();
            let unit_line = i == 0 && any_code && class.is_none();
            if p.total || unit_line {
                key.level = Some(0);
            } else if let Some(code) = class.filter(|_| !any_code) {
                key.level = Some(1);
                key.code = Some(code.to_string());
            }
            key.name = (!name.is_empty()).then_some(name);
        }
        let cells = col.cells(&p.nums);
        let mut row = Row::new(p.line, key, columns.clone(), cells);
        if !is_proved {
            unproved(&mut row, sums_to_total(table_type));
        }
        col.rows.push(row);
    }
    Ok(ParsedRows { rows: col.rows, decimals: col.decimals, saw_numbers: col.saw_numbers, warning: None })
}

/// Columns the header does not prove: a printed number is put into no column by its position.
/// Where the table's row identity is `total = Σ every other column` (`sums_to_total`), a first
/// number equal to the sum of the others is the row's total, proved by the row itself; every
/// other number is left unplaced (reported, and kept in `facts`).
fn unproved(row: &mut Row, sums_to_total: bool) {
    let values = match &row.cells {
        Cells::Placed(v) | Cells::Unplaced(v) => v.clone(),
    };
    let n = row.columns.len();
    let mut cells = vec![None; n];
    let total_at = row.columns.position("total").filter(|_| sums_to_total);
    let total = total_at.and(total_of(&values));
    let mut candidates = row.columns.mapped();
    let mut rest: Vec<Decimal> = values.iter().flatten().copied().collect();
    if let (Some(i), Some(t)) = (total_at, total) {
        cells[i] = Some(t);
        rest.remove(0);
        candidates.retain(|c| *c != "total");
    }
    row.unplaced = rest.into_iter().map(|v| (v, candidates.clone())).collect();
    if !row.unplaced.is_empty() {
        row.undetermined = (0..n).filter(|&c| total.is_none() || Some(c) != total_at).collect();
    }
    row.cells = Cells::Placed(cells);
}

/// A side of the summary has one contract column (its amount); a side printing more numbers (the
/// amount split into 基本支出 / 项目支出 …) keeps the first as the amount when it equals the sum
/// of the others, and reports the others; otherwise the row is left to `assign`.
fn one_amount(mut row: Row) -> Row {
    let Cells::Unplaced(values) = &row.cells else { return row };
    if row.columns.len() != 1 || values.len() < 2 {
        return row;
    }
    if let Some(amount) = total_of(values) {
        row.unplaced = values[1..].iter().flatten().map(|v| (*v, Vec::new())).collect();
        row.cells = Cells::Placed(vec![Some(amount)]);
    }
    row
}

/// Tables whose row identity is `total = Σ every other column`: no column is a subtotal of others.
fn sums_to_total(table_type: TableType) -> bool {
    matches!(
        table_type,
        TableType::ExpenditureByFunction | TableType::GeneralBudgetExpenditure | TableType::BasicExpenditureByEconomic
    )
}

/// The first of a row's printed numbers when it equals the sum of the others within their
/// rounding (and at least one other is printed).
fn total_of(values: &[Option<Decimal>]) -> Option<Decimal> {
    let nums: Vec<Decimal> = values.iter().copied().collect::<Option<Vec<_>>>()?;
    if nums.len() < 2 {
        return None;
    }
    let scale = nums.iter().map(|d| d.scale()).max().unwrap_or(0);
    let tolerance = Decimal::new(5, scale + 1) * Decimal::from(nums.len() as i64);
    let rest: Decimal = nums[1..].iter().sum();
    ((nums[0] - rest).abs() <= tolerance).then_some(nums[0])
}

/// pdfplumber's `spaced_text`: one row per line with no blank lines between rows, and most lines
/// that print a number print its label too (not one cell per line).
pub fn is_spaced(body: &[&str]) -> bool {
    let non_blank: Vec<&str> = body.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect();
    let blank = body.len() - non_blank.len();
    let numeric: Vec<&str> = non_blank.iter().copied().filter(|l| has_amount(l)).collect();
    let rows = numeric.iter().filter(|l| tokenize(l).iter().any(|t| matches!(t, Tok::Text(_)))).count();
    numeric.len() >= 2 && blank * 4 < non_blank.len() && rows * 2 >= numeric.len()
}

/// Most data lines hold one cell: the table was extracted one cell per line (PyMuPDF).
fn is_cell_per_line(lines: &[DataLine]) -> bool {
    let single = lines.iter().filter(|dl| tokenize(dl.text).len() == 1).count();
    lines.len() >= 4 && single * 5 >= lines.len() * 4
}

/// The column count a numbering line (`※ ※ ※ 1 2 3`) prints, if the header has one.
fn numbering_width(body: &[&str]) -> Option<usize> {
    let line = body.iter().map(|l| l.trim()).find(|l| is_numbering_line(l))?;
    Some(line.split_whitespace().filter(|t| t.chars().all(|c| c.is_ascii_digit())).count())
}

/// The header block of the table's first page: the lines after its last `编制单位` / `单位：`
/// line and before its first data line (an index into `body`), without page furniture, prose
/// and the numbering line.
fn header_lines<'a>(body: &[&'a str], first_data: Option<usize>) -> Vec<&'a str> {
    let Some(first) = first_data else { return Vec::new() };
    let texts: Vec<&str> = body.iter().map(|l| l.trim()).collect();
    let end = first.min(body.len());
    let start = texts[..end].iter().rposition(|t| is_page_header(t)).map_or(0, |i| i + 1);
    texts[start..end]
        .iter()
        .filter(|t| !t.is_empty() && !is_page_furniture(t) && !is_prose(t) && !is_numbering_line(t))
        .copied()
        .collect()
}

/// Splits the text of a 表7 row into function name and project name. The function name is
/// known from the document's other tables: fragments extend it while they continue it, the rest
/// is the project name. Without a known name, a line's first fragment continues the name only
/// on the row's first line or when the line also holds a project fragment.
fn split_name_project(frags: &[Vec<String>], known_name: Option<&str>) -> (String, Option<String>) {
    let known = known_name.map(strip_ws);
    let mut name = String::new();
    let mut project = String::new();
    for (i, line) in frags.iter().enumerate() {
        for (j, frag) in line.iter().enumerate() {
            let f = strip_ws(frag);
            let extends_name = match &known {
                Some(k) => *k != name && k.starts_with(&format!("{name}{f}")),
                None => j == 0 && (i == 0 || line.len() > 1),
            };
            if extends_name {
                name.push_str(&f);
            } else {
                project.push_str(&f);
            }
        }
    }
    (name, (!project.is_empty()).then_some(project))
}

/// One side of a two-sided line.
#[derive(Default)]
struct Half {
    code: Option<String>,
    label: String,
    nums: Vec<AmountToken>,
}

/// Splits `一、本年收入 288.48 201 一般公共服务支出 247.76` into its revenue and expenditure
/// halves: at a class code, else at the second label run, else by the label's meaning.
fn split_two_sided(tokens: &[Tok]) -> (Half, Half) {
    let is_code_at = |i: usize| -> bool {
        let digits = match &tokens[i] {
            Tok::Num(AmountToken::Number { value, decimals: 0 }) => value.to_string(),
            Tok::Text(t) => t.clone(),
            _ => return false,
        };
        digits.len() == 3
            && digits.starts_with('2')
            && digits.chars().all(|c| c.is_ascii_digit())
            && matches!(tokens.get(i + 1), Some(Tok::Text(_)))
    };
    let split = (0..tokens.len()).find(|&i| is_code_at(i)).or_else(|| {
        // The start of a second text run.
        let mut seen_text = false;
        let mut seen_num_after_text = false;
        for (i, t) in tokens.iter().enumerate() {
            match t {
                Tok::Text(_) if seen_num_after_text => return Some(i),
                Tok::Text(_) => seen_text = true,
                Tok::Num(_) if seen_text => seen_num_after_text = true,
                Tok::Num(_) => {}
            }
        }
        None
    });
    // `2、政府性基金预算 三、卫生健康支出 221,000`: a revenue label printed without an amount, then
    // an expenditure label.
    let split = split.or_else(|| {
        let text = |r: std::ops::Range<usize>| -> String {
            tokens[r].iter().map(|t| if let Tok::Text(s) = t { s.as_str() } else { "" }).collect()
        };
        let labels = tokens.iter().take_while(|t| matches!(t, Tok::Text(_))).count();
        (1..labels).find(|&i| is_expenditure_label(&text(i..labels)) && !text(0..i).contains("支出"))
    });
    let half = |toks: &[Tok], with_code: bool| -> Half {
        let mut h = Half::default();
        let mut rest = toks;
        if with_code {
            if let Some(first) = rest.first() {
                h.code = Some(match first {
                    Tok::Num(a) => a.value().map(|v| v.to_string()).unwrap_or_default(),
                    Tok::Text(t) => t.clone(),
                });
                rest = &rest[1..];
            }
        }
        for t in rest {
            match t {
                Tok::Text(s) => h.label.push_str(s),
                Tok::Num(a) => h.nums.push(*a),
            }
        }
        h.label = strip_ws(&h.label);
        h
    };
    let leading_nums = tokens.iter().take_while(|t| matches!(t, Tok::Num(_))).count();
    match split {
        Some(i) => (half(&tokens[..i], false), half(&tokens[i..], is_code_at(i))),
        // `9 九、卫生健康支出 39 7.27`: a left half with only its 行次, then the right half.
        None if leading_nums > 0 && leading_nums < tokens.len() => {
            (half(&tokens[..leading_nums], false), half(&tokens[leading_nums..], false))
        }
        None => {
            let h = half(tokens, false);
            if is_expenditure_label(&h.label) {
                (Half::default(), h)
            } else {
                (h, Half::default())
            }
        }
    }
}

fn is_expenditure_label(label: &str) -> bool {
    let l = clean_label(label);
    (l.contains("支出") && !l.contains("收入"))
        || l.contains("结余分配")
        || l.starts_with("年末")
        || function_class_code(&l).is_some()
}

/// Takes a half's 行次 (its first number, an integer) off its amounts.
fn line_number(nums: &mut Vec<AmountToken>) -> Option<i32> {
    match nums.first() {
        Some(AmountToken::Number { value, decimals: 0 }) => {
            let n = value.to_string().parse().ok();
            nums.remove(0);
            n
        }
        _ => None,
    }
}

fn parse_two_sided(
    lines: &[DataLine],
    table_type: TableType,
    kind: DocKind,
    has_line_no: bool,
) -> Result<ParsedRows, Problem> {
    let rev_cols = Columns::template(table_type.printed_columns(kind, Some(Side::Revenue)).unwrap_or(&["amount"]));
    let exp_cols = Columns::template(table_type.printed_columns(kind, Some(Side::Expenditure)).unwrap_or(&["amount"]));
    let mut rev = Collector { rows: Vec::new(), decimals: 0, saw_numbers: false, columns: rev_cols.clone() };
    let mut exp = Collector { rows: Vec::new(), decimals: 0, saw_numbers: false, columns: exp_cols.clone() };
    for dl in lines {
        let (mut left, mut right) = split_two_sided(&tokenize(dl.text));
        let (mut left_no, mut right_no) = (None, None);
        if has_line_no {
            left_no = line_number(&mut left.nums);
            // Numbers beyond the revenue columns belong to a right half printed without a label.
            if left.nums.len() > rev_cols.len() && right.label.is_empty() && right.nums.is_empty() {
                right.nums = left.nums.split_off(rev_cols.len());
            }
            right_no = line_number(&mut right.nums);
        }
        if !left.label.is_empty() || !left.nums.is_empty() {
            let key = RowKey {
                side: Some(Side::Revenue),
                line_no: left_no,
                item: Some(clean_label(&left.label)),
                ..Default::default()
            };
            let cells = rev.cells(&left.nums);
            rev.rows.push(one_amount(Row::new(dl.line, key, rev_cols.clone(), cells)));
        }
        if !right.label.is_empty() || !right.nums.is_empty() || right.code.is_some() {
            let item = clean_label(&right.label);
            let code = right.code.or_else(|| function_class_code(&item).map(str::to_string));
            let key = RowKey {
                side: Some(Side::Expenditure),
                line_no: right_no,
                item: Some(item),
                code,
                ..Default::default()
            };
            let cells = exp.cells(&right.nums);
            exp.rows.push(one_amount(Row::new(dl.line, key, exp_cols.clone(), cells)));
        }
    }
    let decimals = rev.decimals.max(exp.decimals);
    let saw_numbers = rev.saw_numbers || exp.saw_numbers;
    let mut rows = rev.rows;
    rows.extend(exp.rows);
    Ok(ParsedRows { rows, decimals, saw_numbers, warning: None })
}

/// Economic code tokens (`301`, `30101`), Text or integer.
fn economic_code(tok: &Tok) -> Option<String> {
    let digits = match tok {
        Tok::Num(AmountToken::Number { value, decimals: 0 }) => value.to_string(),
        Tok::Text(t) => t.clone(),
        _ => return None,
    };
    let ok = (digits.len() == 3 || digits.len() == 5)
        && digits.chars().all(|c| c.is_ascii_digit())
        && (digits.starts_with('3') || digits.starts_with('5'));
    ok.then_some(digits)
}

/// (code, name, amount) triples of a side-by-side line.
fn triples(tokens: &[Tok]) -> Vec<(String, String, Option<AmountToken>)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let Some(code) = economic_code(&tokens[i]).filter(|_| matches!(tokens.get(i + 1), Some(Tok::Text(_)))) else {
            i += 1;
            continue;
        };
        let mut name = String::new();
        let mut j = i + 1;
        while let Some(Tok::Text(t)) = tokens.get(j) {
            name.push_str(t);
            j += 1;
        }
        let amount = match tokens.get(j) {
            Some(Tok::Num(a))
                if economic_code(&tokens[j]).is_none() || !matches!(tokens.get(j + 1), Some(Tok::Text(_))) =>
            {
                j += 1;
                Some(*a)
            }
            _ => None,
        };
        out.push((code, strip_ws(&name), amount));
        i = j;
    }
    out
}

/// 公开06表 printed as text: up to three (code, name, amount) groups on a line.
fn is_grouped(lines: &[DataLine]) -> bool {
    lines.iter().any(|dl| triples(&tokenize(dl.text)).len() >= 2)
}

/// Unpivots the side-by-side groups. Without cell positions, a triple's group follows the
/// template: 301 and 303 under 人员经费, 302 first under 公用经费, the other classes after it.
fn parse_grouped_economic(lines: &[DataLine]) -> Result<ParsedRows, Problem> {
    let columns = Columns::template(&["total", "personnel", "public"]);
    let mut col = Collector { rows: Vec::new(), decimals: 0, saw_numbers: false, columns: columns.clone() };
    let mut groups: [Vec<Row>; 3] = Default::default();
    let mut footer: (Option<AmountToken>, Option<AmountToken>, usize) = (None, None, 0);
    for dl in lines {
        let tokens = tokenize(dl.text);
        for (i, t) in tokens.iter().enumerate() {
            if let Tok::Text(label) = t {
                let next = tokens[i + 1..].iter().find_map(|t| if let Tok::Num(a) = t { Some(*a) } else { None });
                if label.contains("人员经费合计") {
                    footer = (next, footer.1, dl.line);
                } else if label.contains("公用经费合计") {
                    footer = (footer.0, next, dl.line);
                }
            }
        }
        for (code, name, amount) in triples(&tokens) {
            let class = &code[..3];
            let group = match class {
                "301" | "303" => 0,
                "302" => 1,
                _ => 2,
            };
            let amount = amount.map(|a| {
                col.decimals = col.decimals.max(a.decimals());
                col.saw_numbers = true;
                a.value()
            });
            let amount = amount.flatten();
            let cells = if group == 0 { vec![amount, amount, None] } else { vec![amount, None, amount] };
            let key =
                RowKey { level: Some(code_level(&code)), code: Some(code), name: Some(name), ..Default::default() };
            groups[group].push(Row::new(dl.line, key, columns.clone(), Cells::Placed(cells)).with_derived(&["total"]));
        }
    }
    let mut rows: Vec<Row> = groups.into_iter().flatten().collect();
    if footer.2 > 0 {
        let p = footer.0.and_then(|a| a.value());
        let q = footer.1.and_then(|a| a.value());
        let total = (p.is_some() || q.is_some()).then(|| p.unwrap_or_default() + q.unwrap_or_default());
        let key = RowKey { level: Some(0), name: Some("合计".into()), ..Default::default() };
        rows.push(Row::new(footer.2, key, columns.clone(), Cells::Placed(vec![total, p, q])).with_derived(&["total"]));
    }
    Ok(ParsedRows { rows, decimals: col.decimals, saw_numbers: col.saw_numbers, warning: None })
}

/// 公开07表 printed as text: its header lines (words) and the numbers of its data lines, for
/// `three_public::parse_final`. Numbers may wrap over lines (one per line in some extractions).
fn parse_three_public_row(body: &[&str], base_line: usize, lines: &[DataLine]) -> Result<ParsedRows, Problem> {
    let numeric = |dl: &DataLine| {
        let t = tokenize(dl.text);
        !t.is_empty() && t.iter().all(|x| matches!(x, Tok::Num(_)))
    };
    let start = lines.iter().position(numeric).ok_or(Problem::whole(ProblemKind::ThreePublicNoAmounts))?;
    let data: Vec<&DataLine> = lines[start..].iter().take_while(|dl| numeric(dl)).collect();
    // Each number with its line.
    let nums: Vec<(usize, AmountToken)> = data
        .iter()
        .flat_map(|dl| tokenize(dl.text).into_iter().map(move |t| (dl.line, t)))
        .filter_map(|(line, t)| if let Tok::Num(a) = t { Some((line, a)) } else { None })
        .collect();
    let header: Vec<Vec<String>> = body[..data[0].line - base_line]
        .iter()
        .map(|l| l.trim())
        .filter(|l| !is_page_header(l) && !is_page_furniture(l) && !is_prose(l) && !is_numbering_line(l))
        .map(|l| l.split_whitespace().map(strip_ws).collect())
        .collect();
    let printed = super::three_public::PrintedNumbers {
        line: nums[0].0,
        decimals: nums.iter().map(|(_, n)| n.decimals()).max().unwrap_or(0),
        nums: nums.into_iter().map(|(_, n)| n).collect(),
    };
    super::three_public::parse_final(&header, &printed)
}

/// 三公 items by the meaning of their label.
pub fn three_public_item(label: &str) -> Option<&'static str> {
    let l = clean_label(label);
    let l = l.trim_start_matches("其中：").trim_start_matches("其中:");
    if is_total_label(l) {
        Some("total")
    } else if l.contains("出国") {
        Some("overseas_travel")
    } else if l.contains("接待") {
        Some("official_reception")
    } else if l.contains("小计") || (l.contains("购置") && l.contains("运行")) {
        Some("vehicles")
    } else if l.contains("购置") {
        Some("vehicle_purchase")
    } else if l.contains("运行") {
        Some("vehicle_operation")
    } else {
        None
    }
}

fn parse_labelled(lines: &[DataLine], table_type: TableType, kind: DocKind) -> Result<ParsedRows, Problem> {
    let columns = Columns::template(super::template_columns(table_type, kind)?);
    let mut col = Collector { rows: Vec::new(), decimals: 0, saw_numbers: false, columns: columns.clone() };
    for dl in lines {
        let mut label = String::new();
        let mut nums = Vec::new();
        for t in tokenize(dl.text) {
            match t {
                Tok::Text(s) => label.push_str(&s),
                Tok::Num(a) => nums.push(a),
            }
        }
        let label = strip_ws(&label);
        let mut key = RowKey::default();
        if table_type == TableType::ThreePublic {
            let Some(item) = three_public_item(&label) else { continue };
            key.item = Some(item.to_string());
            key.item_name = Some(label);
            key.basis = Some("budget");
        } else {
            if label.is_empty() {
                continue;
            }
            key.item = Some(clean_label(&label));
        }
        let cells = col.cells(&nums);
        col.rows.push(Row::new(dl.line, key, columns.clone(), cells));
    }
    Ok(ParsedRows { rows: col.rows, decimals: col.decimals, saw_numbers: col.saw_numbers, warning: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_numbers_after_a_lanci_label_in_any_order() {
        // 公开05表 numbers its three columns as the wider 公开03表 does.
        assert!(is_numbering_line(
            "类             款    项     栏次                            7               8           11"
        ));
        assert!(is_numbering_line(
            "栏 次                    1              栏 次                                   2               3"
        ));
        assert!(!is_numbering_line("栏次 合计 7 8"));
        assert!(!is_numbering_line("类 款 项 7 8 11"));
    }

    fn parse_str(text: &str, tt: TableType) -> Vec<Row> {
        let lines: Vec<&str> = text.lines().collect();
        let mut names = HashMap::new();
        names.insert("2010399".to_string(), "其他政府办公厅（室）及相关机构事务支出".to_string());
        parse(&lines, 1, tt, DocKind::Budget, &names).unwrap().rows
    }

    #[test]
    fn wrapped_name_with_numbers_on_a_later_line() {
        let rows = parse_str(
            "编制单位：某单位 单位：万元\n功能分类科目名称 合计 基本支出 项目支出\n※ ※ ※ ※ 1 2 3\n总计 288.48 233.48 55.00\n\n201 03 99\n其他政府办公厅（室）及相关机\n\n构事务支出\n55.00 55.00\n",
            TableType::ExpenditureByFunction,
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].key.code.as_deref(), Some("2010399"));
        assert_eq!(rows[1].key.name.as_deref(), Some("其他政府办公厅（室）及相关机构事务支出"));
        assert_eq!(rows[1].cells, Cells::Unplaced(vec![Some("55.00".parse().unwrap()); 2]));
    }

    #[test]
    fn project_row_split_across_a_page_break() {
        let rows = parse_str(
            "编制部门：某部门 单位：万元\n※ ※ ※ ※ ※ 1 2 3 4 5 6 7 8 9 10 11\n201 03 99       其他政府办公厅（室）及相 部门专项-“12345”政务热线购买 55.00 55.00\n编制部门：某部门 单位：万元\n项目名称\n※ ※ ※ ※ ※ 1 2 3 4 5 6 7 8 9 10 11\n关机构事务支出 服务费\n",
            TableType::ProjectExpenditure,
        );
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].key.name.as_deref(), Some("其他政府办公厅（室）及相关机构事务支出"));
        assert_eq!(rows[0].key.project_name.as_deref(), Some("部门专项-“12345”政务热线购买服务费"));
    }

    #[test]
    fn glued_codes_and_amounts() {
        assert_eq!(unglue("201一般公共服务支出"), vec!["201", "一般公共服务支出"]);
        assert_eq!(unglue("行政运行192.76"), vec!["行政运行", "192.76"]);
        assert_eq!(unglue("12345热线"), vec!["12345热线"]);
        assert_eq!(unglue("部门专项-“12345”政务热线"), vec!["部门专项-“12345”政务热线"]);
        let rows = parse_str(
            "编制单位：某单位 单位：万元\n※ ※ ※ ※ 1 2 3\n总计 288.48 233.48 55.00\n201一般公共服务支出 247.76 192.76 55.00\n",
            TableType::ExpenditureByFunction,
        );
        assert_eq!(rows[1].key.code.as_deref(), Some("201"));
        assert_eq!(rows[1].key.name.as_deref(), Some("一般公共服务支出"));
    }

    #[test]
    fn two_sided_lines() {
        let rows = parse_str(
            "编制单位：某单位 单位：万元\n收入 支出\n项目 预算数 功能分类 预算数\n一、本年收入 288.48 201 一般公共服务支出 247.76\n单位资金 229 其他支出\n230 转移性支出\n收 入 总 计 288.48 支 出 总 计 288.48\n",
            TableType::RevenueExpenditureSummary,
        );
        let items: Vec<_> = rows
            .iter()
            .map(|r| (r.key.side.unwrap().as_str(), r.key.item.clone().unwrap(), r.key.code.clone()))
            .collect();
        assert_eq!(items[0], ("revenue", "本年收入".to_string(), None));
        assert_eq!(items[1], ("revenue", "单位资金".to_string(), None));
        assert_eq!(items[2], ("revenue", "收入总计".to_string(), None));
        assert_eq!(items[3], ("expenditure", "一般公共服务支出".to_string(), Some("201".to_string())));
        assert_eq!(items[5].2.as_deref(), Some("230"));
        assert_eq!(items[6].1, "支出总计");
    }
}
