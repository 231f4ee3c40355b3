//! Finds the contract's tables in a decoded document (by the meaning of their titles), detects
//! the layout, and hands each table's lines to the parser for its layout. Both parsers produce
//! the shared `Table`/`Row` model; numbers of `pdf_text` rows stay `Unplaced` for `assign`.

pub mod across;
pub mod aligned;
pub mod grid;
pub mod header_text;
pub mod html;
pub mod pdf_text;
pub mod three_public;
pub mod titles;
pub mod tsv;
pub mod unit_groups;

use crate::model::{DocKind, Layout, SourceUnit, Table, TableStatus, TableType};
use crate::normalize::strip_ws;
use crate::problem::{Problem, ProblemKind};
use std::collections::HashMap;
use titles::{read_title, Title};

/// A table's stretch of lines: from its title to the next title or part heading.
#[derive(Debug, Clone)]
pub struct Region {
    pub table_type: TableType,
    pub title: String,
    /// 0-based index of the title line.
    pub title_idx: usize,
    /// 0-based, exclusive.
    pub end_idx: usize,
    pub number: Option<String>,
    pub continued: bool,
}

/// Removes markdown decoration (`## **…**`, `- `, `<b>`) and white space.
pub fn plain(line: &str) -> String {
    let mut s = strip_ws(line);
    if s.contains("<b>") || s.contains("</b>") {
        s = s.replace("<b>", "").replace("</b>", "");
    }
    let trimmed = s.trim_start_matches(['#', '*', '>', '-']).trim_end_matches('*');
    if trimmed.len() == s.len() {
        return s;
    }
    trimmed.to_string()
}

/// A table number alone on a line (`表 3`, `表三`, `公开 01 表`, `预算01表`, `公开表1`) -> the
/// printed number.
pub fn table_number(line: &str) -> Option<String> {
    titles::number_alone(line)
}

/// `第三部分 …` headings end the tables part of a document.
pub fn is_part_heading(line: &str) -> bool {
    if !line.contains("部分") {
        return false;
    }
    let s = plain(line);
    s.starts_with('第') && s.chars().take(6).collect::<String>().contains("部分")
}

/// Classifies a line as a contract table title: (type, title without its number, continued).
/// Whether the line is a table's title or a table of contents entry is decided by what follows
/// it (`find_regions`).
pub fn classify_title(line: &str) -> Option<(TableType, String, bool)> {
    let t = read_title(line)?;
    Some((t.table_type?, t.text, t.continued))
}

/// A line a table's heading block has and a table of contents or a sentence has not: the unit,
/// the department line, a `公开NN表` number.
fn is_table_evidence(line: &str) -> bool {
    let s = plain(line);
    s.contains("编制部门")
        || s.contains("编制单位")
        || s.starts_with("单位：")
        || s.starts_with("单位:")
        || s.contains("金额单位")
        || crate::meta::unit_of_line(line).is_some()
        || crate::meta::department_of_line(line).is_some()
        || table_number(line).is_some_and(|n| n.starts_with("公开"))
}

/// Title lines that stand in a list of three or more with nothing else between them: a table
/// of contents.
fn listed(lines: &[&str], titles: &[(usize, Title)]) -> Vec<bool> {
    let adjacent = |a: usize, b: usize| lines[a + 1..b].iter().all(|l| l.trim().is_empty());
    let mut out = vec![false; titles.len()];
    let mut start = 0;
    for k in 1..=titles.len() {
        let run_ends = k == titles.len() || !adjacent(titles[k - 1].0, titles[k].0);
        if run_ends {
            if k - start >= 3 {
                out[start..k].iter_mut().for_each(|x| *x = true);
            }
            start = k;
        }
    }
    out
}

/// Finds every table title — contract or not — followed, before any other title, by the
/// `编制部门` / `单位：` lines a real table has, and returns the contract tables' regions. Where a
/// document prints two tables of one type, the one whose title names the type more
/// specifically is kept; a page that repeats the title of the table before it continues it.
pub fn find_regions(lines: &[&str]) -> Vec<Region> {
    let candidates: Vec<(usize, Title)> =
        lines.iter().enumerate().filter_map(|(i, l)| read_title(l).map(|t| (i, t))).collect();
    let in_list = listed(lines, &candidates);
    let accepted: Vec<&(usize, Title)> = candidates
        .iter()
        .enumerate()
        .filter(|(k, (idx, _))| {
            let next = candidates.get(k + 1).map(|c| c.0).unwrap_or(lines.len());
            !in_list[*k]
                && lines[idx + 1..next].iter().filter(|l| !l.trim().is_empty()).take(8).any(|l| is_table_evidence(l))
        })
        .map(|(_, c)| c)
        .collect();
    let mut found: Vec<(Region, u8)> = Vec::new();
    for (k, (idx, title)) in accepted.iter().enumerate() {
        let Some(table_type) = title.table_type else { continue };
        // Any title-shaped line ends the table: the next table's, or a section heading above it
        // (`八、一般公共预算支出经济分类情况表` over its printed title).
        let limit = candidates.iter().map(|c| c.0).find(|&i| i > *idx).unwrap_or(lines.len());
        let end_idx =
            (idx + 1..limit).find(|&i| is_part_heading(lines[i]) || is_foreign_table_title(lines[i])).unwrap_or(limit);
        let repeats = k > 0 && accepted[k - 1].1.table_type == Some(table_type) && accepted[k - 1].1.text == title.text;
        let region = Region {
            table_type,
            title: title.text.clone(),
            title_idx: *idx,
            end_idx,
            number: title.number.clone().or_else(|| nearest_number(lines, *idx)),
            continued: title.continued || repeats,
        };
        found.push((region, title.rank));
    }
    most_specific(found)
}

/// Keeps, per table type, the tables whose titles have the type's best rank (with their
/// continuations); the others are tables of other meanings that share words with it.
fn most_specific(found: Vec<(Region, u8)>) -> Vec<Region> {
    // Each region's head: the region it continues, or itself.
    let mut head_of: Vec<usize> = Vec::with_capacity(found.len());
    let mut last_head: HashMap<TableType, usize> = HashMap::new();
    for (i, (r, _)) in found.iter().enumerate() {
        let head = match last_head.get(&r.table_type) {
            Some(&h) if r.continued => h,
            _ => i,
        };
        last_head.insert(r.table_type, head);
        head_of.push(head);
    }
    let mut best: HashMap<TableType, u8> = HashMap::new();
    for (i, (r, rank)) in found.iter().enumerate() {
        if head_of[i] == i {
            let b = best.entry(r.table_type).or_insert(*rank);
            *b = (*b).max(*rank);
        }
    }
    let keep: Vec<bool> = (0..found.len()).map(|i| found[head_of[i]].1 == best[&found[i].0.table_type]).collect();
    found.into_iter().zip(keep).filter(|(_, k)| *k).map(|((r, _), _)| r).collect()
}

/// Titles of tables outside the contract (performance targets and the like) end a region.
fn is_foreign_table_title(line: &str) -> bool {
    if !line.contains("绩效") {
        return false;
    }
    let s = plain(line);
    let short = s.chars().count() <= 40 && !line.contains('\t');
    short
        && ((s.ends_with('表') && (s.contains("绩效") || s.contains("目标")))
            || (s.contains("绩效") && s.ends_with("报告")))
}

/// The printed table number nearest the title: up to 3 non-blank lines before, 4 after.
fn nearest_number(lines: &[&str], title_idx: usize) -> Option<String> {
    let before = lines[..title_idx]
        .iter()
        .rev()
        .filter(|l| !l.trim().is_empty())
        .take(3)
        .enumerate()
        .find_map(|(d, l)| table_number(l).map(|n| (d, n)));
    let after = lines[title_idx + 1..]
        .iter()
        .filter(|l| !l.trim().is_empty())
        .take(4)
        .enumerate()
        .find_map(|(d, l)| table_number(l).map(|n| (d, n)));
    match (before, after) {
        (Some((db, b)), Some((da, a))) => Some(if da < db { a } else { b }),
        (Some((_, b)), None) => Some(b),
        (None, Some((_, a))) => Some(a),
        (None, None) => None,
    }
}

/// The source unit a region's header declares (`单位：万元`, `金额单位：元`).
pub fn region_unit(lines: &[&str]) -> Option<SourceUnit> {
    lines.iter().take(12).find_map(|l| crate::meta::unit_of_line(l))
}

/// Does the text around a table state that the table is empty? `…为空表`, `此表为空`,
/// `本表无数据`, `本表本年无发生额`, `无此项支出`, and notes that the unit has none of the table's
/// spending (`本单位无政府性基金预算支出`, `本部门2026年没有使用国有资本经营预算拨款安排的支出`).
pub fn declares_empty(lines: &[&str]) -> bool {
    let text: Vec<String> = lines.iter().map(|l| strip_ws(l)).filter(|l| !l.is_empty()).collect();
    let stated = |t: &String| ["空表", "为空", "无数据", "无发生额", "无此项"].iter().any(|w| t.contains(w));
    // A note wraps: read each with the line after it.
    text.iter().any(stated)
        || (0..text.len()).any(|i| is_none_note(&text[i], text.get(i + 1).map_or("", String::as_str)))
}

/// `注：本单位无…支出` / `（注：2026年没有使用…安排的支出。）` / `说明：…没有…预算`: a note that the
/// unit has none of the table's spending.
fn is_none_note(line: &str, next: &str) -> bool {
    let Some(p) = ["注：", "注:", "说明：", "备注：", "本单位", "本部门"].iter().filter_map(|w| line.find(w)).min()
    else {
        return false;
    };
    let note = format!("{}{next}", &line[p..]);
    let note = note.split(['。', '；']).next().unwrap_or_default();
    let none = note.contains("没有") || note.contains('无');
    none && ["支出", "预算", "经费"].iter().any(|w| note.contains(w))
}

/// A note under a table (`注：…`, `备注：…`, `说明：…`, `（注：…）`): never a row.
pub fn is_note(line: &str) -> bool {
    let s = strip_ws(line);
    let s = s.trim_start_matches(['（', '(']);
    ["注：", "注:", "备注：", "备注:", "说明：", "说明:"].iter().any(|p| s.starts_with(p))
}

/// Page numbers and footers (`- 3 -`, `第 3 页 共 20 页`, `第3页，共45页`, `3`, `3/20`): never a row,
/// never the end of a table.
pub fn is_page_furniture(line: &str) -> bool {
    let s = strip_ws(line);
    if s.is_empty() || s.chars().count() > 16 {
        return false;
    }
    let digits_only = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    let dashed = s.trim_matches(['-', '—', '－']);
    if (digits_only(&s) && s.len() <= 3) || (dashed.len() < s.len() && digits_only(dashed)) {
        return true;
    }
    if let Some((a, b)) = s.split_once('/') {
        return digits_only(a) && digits_only(b);
    }
    // 第3页共20页 / 第3页，共45页 / 共20页第3页
    let rest: String = s.chars().filter(|c| !c.is_ascii_digit() && !matches!(c, '，' | ',' | ' ')).collect();
    ["第页", "第页共页", "共页第页"].contains(&rest.as_str())
}

/// A tab-separated table has most of its non-blank lines split by tabs (counted before the
/// first sentence, so notes and prose after the table do not dilute it).
pub fn is_tabbed(lines: &[&str]) -> bool {
    let non_blank: Vec<&&str> =
        lines.iter().filter(|l| !l.trim().is_empty()).take_while(|l| !l.contains('。')).collect();
    let tabbed = non_blank.iter().filter(|l| l.contains('\t')).count();
    tabbed >= 2 && tabbed * 3 >= non_blank.len()
}

/// The document's layout, from how its tables are printed.
pub fn detect_layout(lines: &[&str], regions: &[Region]) -> Layout {
    if regions.is_empty() {
        return Layout::Unknown;
    }
    let tabbed = regions.iter().filter(|r| is_tabbed(&lines[r.title_idx + 1..r.end_idx])).count();
    if tabbed * 2 < regions.len() {
        let aligned = regions.iter().filter(|r| aligned::is_aligned(&lines[r.title_idx + 1..r.end_idx])).count();
        let spaced = regions.iter().filter(|r| pdf_text::is_spaced(&lines[r.title_idx + 1..r.end_idx])).count();
        return if aligned >= 1 && aligned * 2 >= numbered_regions(lines, regions) {
            Layout::AlignedText
        } else if spaced * 2 > regions.len() {
            Layout::SpacedText
        } else {
            Layout::PdfText
        };
    }
    if regions.iter().any(|r| r.number.as_deref().is_some_and(|n| n.starts_with("公开"))) {
        Layout::FinalTsv
    } else {
        Layout::MarkdownTsv
    }
}

/// Regions that print an amount: only they show how the document lays out its columns.
fn numbered_regions(lines: &[&str], regions: &[Region]) -> usize {
    regions.iter().filter(|r| aligned::prints_amounts(&lines[r.title_idx + 1..r.end_idx])).count()
}

/// Parses every region into a table; continuation regions (`（续）`) join the table before.
/// `doc_unit` is the unit the document states (for tables that state none); without it such
/// tables fail rather than be read in an assumed unit.
pub fn parse_tables(lines: &[&str], regions: &[Region], kind: DocKind, doc_unit: Option<SourceUnit>) -> Vec<Table> {
    // 表7 needs the names of the function codes printed in the other tables to tell a wrapped
    // function name from the project name, so it is parsed last.
    let mut order: Vec<usize> = (0..regions.len()).collect();
    order.sort_by_key(|&i| regions[i].table_type == TableType::ProjectExpenditure);
    let mut code_names: HashMap<String, String> = HashMap::new();
    let mut parsed: Vec<Option<Table>> = vec![None; regions.len()];
    let aligned_regions = regions.iter().filter(|r| aligned::is_aligned(&lines[r.title_idx + 1..r.end_idx])).count();
    let aligned_document = aligned_regions >= 1 && aligned_regions * 2 >= numbered_regions(lines, regions);
    for i in order {
        let region = &regions[i];
        let body = &lines[region.title_idx + 1..region.end_idx];
        let first_line = region.title_idx + 1;
        let unit = region_unit(body).or(doc_unit);
        let mut table = Table {
            table_type: region.table_type,
            status: TableStatus::Parsed,
            source_title: Some(region.title.clone()),
            source_number: region.number.clone(),
            first_line: Some(first_line),
            last_line: Some(last_non_blank(lines, region.title_idx, region.end_idx) + 1),
            unit,
            decimals: 0,
            rows: Vec::new(),
            error: None,
        };
        let parse: ParseFn = if is_tabbed(body) {
            tsv::parse
        } else if aligned::is_aligned(body) || (aligned_document && !aligned::prints_amounts(body)) {
            aligned::parse
        } else {
            pdf_text::parse
        };
        let result = parse(body, first_line + 1, region.table_type, kind, &code_names);
        match result {
            Ok(out) => {
                table.rows = out.rows;
                table.decimals = out.decimals.max(if out.saw_numbers { 0 } else { 2 });
                table.error = out.warning;
            }
            Err(e) => {
                table.status = TableStatus::Failed;
                table.error = Some(e);
            }
        }
        // A year of a running page header (`某局 2026 年度单位预算公开`) that a parser kept is not
        // an amount of the table.
        let years = printed_years(body);
        let amounts: Vec<rust_decimal::Decimal> = table
            .rows
            .iter()
            .flat_map(|r| match &r.cells {
                crate::model::Cells::Placed(v) | crate::model::Cells::Unplaced(v) => v.iter().flatten().copied(),
            })
            .filter(|d| !years.contains(d))
            .collect();
        // Empty: a note says so over blank or zero cells (`注：本表本年无发生额` under 0.00), or
        // the template's rows are printed without a single amount. A note under printed amounts
        // is boilerplate, not a declaration.
        let nothing_printed = amounts.is_empty()
            && if table.rows.is_empty() { template_without_amounts(body) } else { table.rows.iter().all(is_total_row) };
        let all_zero = amounts.iter().all(|d| d.is_zero()) && !prints_nonzero_decimal(body);
        if all_zero && (declares_empty(body) || nothing_printed) {
            table.status = TableStatus::DeclaredEmpty;
            table.rows.clear();
            table.error = None;
        } else if unit.is_none() {
            table.status = TableStatus::Failed;
            table.rows.clear();
            table.error = Some(Problem::at(region.title_idx + 1, ProblemKind::TableNoUnit));
        } else if table.status == TableStatus::Parsed && table.rows.is_empty() {
            table.status = TableStatus::Failed;
            table.error = Some(Problem::at(region.title_idx + 1, ProblemKind::NoRows));
        }
        for row in &table.rows {
            if let (Some(code), Some(name)) = (&row.key.code, &row.key.name) {
                if region.table_type != TableType::BasicExpenditureByEconomic {
                    code_names.entry(code.clone()).or_insert_with(|| name.clone());
                }
            }
        }
        parsed[i] = Some(table);
    }
    let mut tables = merge_continuations(regions, parsed.into_iter().flatten().collect());
    for table in tables.iter_mut().filter(|t| t.table_type == TableType::ProjectExpenditure) {
        let half = table.half_digit();
        unit_groups::mark_unit_headings(&mut table.rows, half);
    }
    tables
}

/// A table printed as its template only: header and a `合计` line, not one amount (column
/// numbers, years and page numbers are not amounts).
fn template_without_amounts(body: &[&str]) -> bool {
    let has_total = body.iter().any(|l| {
        let s = strip_ws(l);
        s.contains("合计") || s.contains("总计")
    });
    let amount = |tok: &str| {
        let digits: String = tok.chars().filter(|c| !matches!(c, ',' | '.')).collect();
        let numeric = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit());
        numeric && (tok.contains(['.', ',']) || digits.parse::<u64>().is_ok_and(|v| v > 20))
    };
    let printed = body.iter().any(|l| {
        let tokens: Vec<&str> = l.split_whitespace().collect();
        tokens.iter().enumerate().any(|(i, t)| {
            let year = t.len() == 4 && tokens.get(i + 1).is_some_and(|n| n.starts_with('年'));
            amount(t) && !year && !t.ends_with('年')
        })
    });
    has_total && !printed
}

/// Years the text prints (`2026 年`, `2026年度`), as numbers.
fn printed_years(body: &[&str]) -> Vec<rust_decimal::Decimal> {
    let mut years = Vec::new();
    for l in body {
        let s = strip_ws(l);
        for (p, _) in s.match_indices('年') {
            let digits = s[..p].chars().rev().take_while(|c| c.is_ascii_digit()).count();
            if digits == 4 {
                years.extend(s[p - 4..p].parse::<i64>().ok().map(rust_decimal::Decimal::from));
            }
        }
    }
    years
}

/// Does the text print a nonzero amount with decimals or thousands separators (`1.70`,
/// `70,716,064`)? Such a table is not empty, whatever a boilerplate note under it says.
fn prints_nonzero_decimal(body: &[&str]) -> bool {
    body.iter().flat_map(|l| l.split_whitespace()).any(|t| {
        let digits: String = t.chars().filter(|c| *c != ',').collect();
        t.contains(['.', ','])
            && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
            && digits.parse::<f64>().is_ok_and(|v| v != 0.0)
    })
}

/// A grand-total row (`合计`, `总计`, level 0).
fn is_total_row(row: &crate::model::Row) -> bool {
    let label = |s: &Option<String>| s.as_deref().is_some_and(|s| s.contains("合计") || s.contains("总计"));
    row.key.level == Some(0) || label(&row.key.name) || label(&row.key.item)
}

fn last_non_blank(lines: &[&str], from: usize, to: usize) -> usize {
    (from..to).rev().find(|&i| !lines[i].trim().is_empty()).unwrap_or(from)
}

fn merge_continuations(regions: &[Region], tables: Vec<Table>) -> Vec<Table> {
    let mut out: Vec<Table> = Vec::new();
    for (region, table) in regions.iter().zip(tables) {
        let prev = out.iter_mut().rev().find(|t| t.table_type == table.table_type);
        match prev {
            Some(prev) if region.continued => {
                // 表7's sub-unit groups are read once the table is whole (`unit_groups`).
                prev.rows.extend(table.rows);
                prev.last_line = table.last_line;
                prev.decimals = prev.decimals.max(table.decimals);
                if prev.status == TableStatus::DeclaredEmpty && !prev.rows.is_empty() {
                    prev.status = TableStatus::Parsed;
                }
            }
            Some(_) => {
                // A second full table of the same type: keep the first, report the second.
                if let Some(prev) = out.iter_mut().find(|t| t.table_type == table.table_type) {
                    if prev.error.is_none() {
                        prev.error = Some(Problem::at(
                            table.first_line.unwrap_or(0),
                            ProblemKind::SecondTable(table.table_type),
                        ));
                    }
                }
            }
            None => out.push(table),
        }
    }
    out
}

/// What a layout parser returns for one table.
#[derive(Debug, Default)]
pub struct ParsedRows {
    pub rows: Vec<crate::model::Row>,
    pub decimals: u32,
    pub saw_numbers: bool,
    /// A problem that did not stop the table (line-numbered).
    pub warning: Option<Problem>,
}

pub type ParseFn = fn(&[&str], usize, TableType, DocKind, &HashMap<String, String>) -> Result<ParsedRows, Problem>;

/// The value columns a kind's template prints for the table type; a table of the other kind's
/// template has none.
pub fn template_columns(table_type: TableType, kind: DocKind) -> Result<&'static [&'static str], Problem> {
    table_type.printed_columns(kind, None).ok_or(Problem::whole(ProblemKind::WrongKind { table_type, kind }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_by_meaning() {
        let t = |s: &str| classify_title(s).map(|x| x.0);
        assert_eq!(t("单位收支总体情况表"), Some(TableType::RevenueExpenditureSummary));
        assert_eq!(t("### 部门收支总体情况表"), Some(TableType::RevenueExpenditureSummary));
        assert_eq!(t("收入支出决算总表"), Some(TableType::RevenueExpenditureSummary));
        assert_eq!(t("部门收入总体情况表"), Some(TableType::RevenueByFunction));
        assert_eq!(t("收入决算表"), Some(TableType::RevenueByFunction));
        assert_eq!(t("支出决算表"), Some(TableType::ExpenditureByFunction));
        assert_eq!(t("财政拨款收支预算总体情况表"), Some(TableType::FiscalSummary));
        assert_eq!(t("财政拨款收入支出决算总表"), Some(TableType::FiscalSummary));
        assert_eq!(t("一般公共预算财政拨款支出决算表"), Some(TableType::GeneralBudgetExpenditure));
        assert_eq!(t("一般公共预算财政拨款基本支出决算表"), Some(TableType::BasicExpenditureByEconomic));
        assert_eq!(t("财政拨款“三公”经费支出情况表"), Some(TableType::ThreePublic));
        assert_eq!(t("上年结转结余情况明细表"), Some(TableType::Carryover));
        assert_eq!(t("政府性基金预算财政拨款收入支出决算表"), Some(TableType::GovFundExpenditure));
        assert_eq!(t("部门支出总体情况表（续）"), Some(TableType::ExpenditureByFunction));
        assert_eq!(t("- 八、《政府性基金预算财政拨款收入支出决算表》（空表）"), None);
        assert_eq!(t("项目支出绩效目标表"), None);
        assert_eq!(t("表一 部门收支总体情况表"), Some(TableType::RevenueExpenditureSummary));
        assert_eq!(t("表1-2 部门收入总体情况表"), Some(TableType::RevenueByFunction));
        assert_eq!(t("公开03表 支出决算表"), Some(TableType::ExpenditureByFunction));
    }

    fn regions(text: &str) -> Vec<(TableType, usize, usize, bool)> {
        let lines: Vec<&str> = text.lines().collect();
        find_regions(&lines).into_iter().map(|r| (r.table_type, r.title_idx, r.end_idx, r.continued)).collect()
    }

    #[test]
    fn the_table_of_contents_is_not_a_table() {
        // Enumerated entries (Yantai) and the last entry followed by a unit line.
        let text = "第二部分 2026年部门预算表\n 一、收支总体情况表\n 二、收入总体情况表\n 三、支出总体情况表\n\
                    单位：万元\n第一部分 部门概况\n";
        assert!(regions(text).is_empty());
    }

    #[test]
    fn several_tables_on_one_page() {
        // Jiangsu: `<ordinal>、<year><department>部门…表`, a unit line, a header, rows.
        let text = "      七、2017 年度江苏省高级人民法院部门政府性基金支出预算表\n\
                    \x20                                              单位：万元\n\
                    \x20         功能科目代码           功能科目名称         金额\n\
                    \x20                            合计\n\n\n\
                    \x20     八、2017 年度江苏省高级人民法院部门一般公共预算支出预算表\n\
                    \x20                                              单位：万元\n\
                    \x20         功能科目代码           功能科目名称         金额\n\
                    \x20                            合计                28,849.38\n\
                    204                公共安全支出                      23,513.11\n";
        assert_eq!(
            regions(text),
            vec![(TableType::GovFundExpenditure, 0, 6, false), (TableType::GeneralBudgetExpenditure, 6, 11, false)]
        );
    }

    #[test]
    fn a_section_heading_before_the_title_is_not_a_second_table() {
        // Fuzhou: `一、收支预算总表` heading, then the printed title.
        let text = "一、收支预算总表\n\n 2026 年度收支预算总表\n 单位：万元\n 项目 预算数\n";
        assert_eq!(regions(text), vec![(TableType::RevenueExpenditureSummary, 2, 5, false)]);
    }

    #[test]
    fn a_page_that_repeats_the_title_continues_the_table() {
        // Yantai / Shenzhen: number, title and header again on each page, no `（续）`.
        let text = "公开表2\n收入总体情况表\n部门（单位）：烟台市统计局  单位：万元\n合计 1.00\n- 8 -\n\
                    公开表2\n收入总体情况表\n部门（单位）：烟台市统计局  单位：万元\n201 一般公共服务支出 1.00\n";
        let r = regions(text);
        assert_eq!(r.len(), 2);
        assert!(!r[0].3 && r[1].3, "{r:?}");
    }

    #[test]
    fn the_title_that_names_the_type_most_specifically_wins() {
        // Suzhou: 公开06表 财政拨款基本支出表 and 公开08表 一般公共预算基本支出表.
        let text =
            "公开 06 表\n财政拨款基本支出表（经济科目）\n单位：苏州市生态环境局 单位：万元\n301 工资福利支出 1.00\n\
                    公开 08 表\n一般公共预算基本支出表\n单位：苏州市生态环境局 单位：万元\n301 工资福利支出 1.00\n";
        let r = regions(text);
        assert_eq!(r, vec![(TableType::BasicExpenditureByEconomic, 5, 8, false)]);
    }

    #[test]
    fn a_title_at_the_bottom_of_the_previous_page() {
        let text = "表3\n支出总表\n\n              - 13 -\n\u{c}部门名称：深圳市信访局      单位：万元\n合计 1.00\n";
        let lines = crate::extract::split_lines(text);
        let r = find_regions(&lines);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].number.as_deref(), Some("表3"));
    }

    #[test]
    fn tables_outside_the_contract_end_the_table_before() {
        let text = "预算09表 财政拨款“三公”经费支出表\n金额单位：万元\n合计 1.00\n\
                    预算10表 政府采购预算明细表\n金额单位：万元\n合计 9.00\n";
        assert_eq!(regions(text), vec![(TableType::ThreePublic, 0, 3, false)]);
    }

    #[test]
    fn a_section_heading_inside_the_page_ends_the_table() {
        // Fuzhou: the next page's `八、…情况表` heading stands above that table's printed title.
        let text = "2026 年度国有资本经营预算拨款支出预算表\n单位：万元\n合计 0.00\n备注：本单位没有使用国有资本经营预算拨款安排的支\n出。\n\
                    11\n八、一般公共预算支出经济分类情况表\n\n2026 年度一般公共预算支出经济分类情况表\n单位：万元\n";
        assert_eq!(regions(text), vec![(TableType::StateCapitalExpenditure, 0, 6, false)]);
    }

    #[test]
    fn a_boilerplate_note_under_printed_amounts_is_not_a_declaration() {
        let body = ["合计  1.70  1.70", "注:本部门2024年无“三公”经费和机关运行经费预算，故本表为空表。"];
        assert!(declares_empty(&body) && prints_nonzero_decimal(&body));
        assert!(!prints_nonzero_decimal(&["合计  0.00  0.00", "苏州市生态环境局 2026 年度单位预算公开"]));
        assert_eq!(printed_years(&["苏州市生态环境局 2026 年度单位预算公开"]), vec![rust_decimal::Decimal::from(2026)]);
    }

    #[test]
    fn a_template_printed_without_amounts_is_empty() {
        let body =
            ["金额单位：万元", "功能分类科目   预算数", "科目编码  科目名称  合计  基本支出  项目支出", "  合    计"];
        assert!(template_without_amounts(&body));
        assert!(!template_without_amounts(&["合计   1,311.36"]));
        assert!(!template_without_amounts(&["合计   120"]));
        assert!(template_without_amounts(&["2026 年预算数", "1 2 3", "合计", "- 7 -"]));
    }

    #[test]
    fn empty_table_declarations() {
        for note in [
            "注:本部门2026年无政府性基金预算财政拨款安排的预算，故本表为空表。",
            "此表为空",
            "说明：国家信访局没有政府性基金收入，也没有使用政府性基金安排的支出，故本表无数据。",
            "       注：本表本年无发生额。",
            "（注：2026年没有使用政府性基金预算拨款安排的支出。）",
            "本单位无政府性基金预算支出",
            "无此项支出",
        ] {
            assert!(declares_empty(&["合 计", note]), "{note}");
        }
        // Wrapped over two lines.
        assert!(declares_empty(&["备注：本单位 2026 年度没有一般公共预算安排的“三公”", "经费支出。"]));
        assert!(!declares_empty(&["合 计  12.00", "注：本表反映部门本年度各项支出情况。"]));
    }

    #[test]
    fn page_furniture() {
        for l in ["- 3 -", "            - 12 -", "第 3 页 共 20 页", "第24页，共45页", "3", "3/20", "－ 7 －"]
        {
            assert!(is_page_furniture(l), "{l}");
        }
        for l in ["201 一般公共服务支出 3", "3,459.13", "2026", "合计"] {
            assert!(!is_page_furniture(l), "{l}");
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(table_number("表 3").as_deref(), Some("表3"));
        assert_eq!(table_number("公开06表").as_deref(), Some("公开06表"));
        assert_eq!(table_number("表示"), None);
        assert_eq!(table_number("表三").as_deref(), Some("表三"));
    }
}
