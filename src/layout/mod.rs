//! Finds the contract's tables in a decoded document (by the meaning of their titles), detects
//! the layout, and hands each table's lines to the parser for its layout. Both parsers produce
//! the shared `Table`/`Row` model; numbers of `pdf_text` rows stay `Unplaced` for `assign`.

pub mod html;
pub mod pdf_text;
pub mod tsv;

use crate::model::{DocKind, Layout, SourceUnit, Table, TableStatus, TableType};
use crate::normalize::strip_ws;
use crate::problem::{Problem, ProblemKind};
use std::collections::HashMap;

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

fn is_table_ordinal(s: &str) -> bool {
    let n = s.chars().count();
    (1..=3).contains(&n)
        && (s.chars().all(|c| c.is_ascii_digit()) || s.chars().all(|c| "一二三四五六七八九十".contains(c)))
}

/// `表 3` / `表三` / `公开03表` alone on a line -> the printed table number.
pub fn table_number(line: &str) -> Option<String> {
    if !line.contains('表') || line.len() > 40 {
        return None;
    }
    let s = plain(line);
    let s = s.trim_end_matches(['：', ':']).to_string();
    if let Some(rest) = s.strip_prefix('表') {
        if is_table_ordinal(rest) {
            return Some(s);
        }
    }
    if let Some(rest) = s.strip_prefix("公开").and_then(|r| r.strip_suffix('表')) {
        if !rest.is_empty() && rest.len() <= 2 && rest.chars().all(|c| c.is_ascii_digit()) {
            return Some(s);
        }
    }
    None
}

/// `第三部分 …` headings end the tables part of a document.
pub fn is_part_heading(line: &str) -> bool {
    if !line.contains("部分") {
        return false;
    }
    let s = plain(line);
    s.starts_with('第') && s.chars().take(6).collect::<String>().contains("部分")
}

/// Classifies a line as a contract table title. The table of contents (enumerated, or in
/// 《》) and sentences that mention a title are not titles.
pub fn classify_title(line: &str) -> Option<(TableType, String, bool)> {
    // Cheap test first: most lines of a document are not titles.
    if !line.contains('表') || line.len() > 160 {
        return None;
    }
    let mut s = plain(line);
    // `表1部门收支总体情况表` on one line.
    if let Some(rest) = s.strip_prefix('表') {
        let ordinal: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(*c) || *c == '-')
            .collect();
        if !ordinal.is_empty() {
            s = rest[ordinal.len()..].trim_start_matches(['：', ':', '、', '.']).to_string();
        }
    }
    // `公开01表 收入支出决算总表` on one line.
    if let Some(p) = s.find("公开").filter(|p| *p == 0) {
        if let Some(end) = s[p..].find('表') {
            if is_table_ordinal(&s[p + "公开".len()..p + end]) && s.len() > p + end + '表'.len_utf8() {
                s = s[p + end + '表'.len_utf8()..].to_string();
            }
        }
    }
    let mut continued = false;
    for suffix in ["（续）", "(续)", "（续表）", "(续表)"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.to_string();
            continued = true;
        }
    }
    let count = s.chars().count();
    if !s.ends_with('表') || !(5..=32).contains(&count) {
        return None;
    }
    if s.contains('《') || s.contains('》') || ["绩效", "目录", "说明", "，", "。"].iter().any(|w| s.contains(w))
    {
        return None;
    }
    if crate::normalize::strip_enumeration(&s) != s {
        return None;
    }
    let has = |w: &str| s.contains(w);
    let table_type = if has("三公") {
        TableType::ThreePublic
    } else if has("结转结余") && !has("收支") && !has("收入支出") {
        TableType::Carryover
    } else if has("政府性基金") {
        TableType::GovFundExpenditure
    } else if has("国有资本经营") {
        TableType::StateCapitalExpenditure
    } else if has("项目支出") {
        TableType::ProjectExpenditure
    } else if has("基本支出") {
        TableType::BasicExpenditureByEconomic
    } else if has("一般公共预算") && has("支出") {
        TableType::GeneralBudgetExpenditure
    } else if has("财政拨款收支") || has("财政拨款收入支出") {
        TableType::FiscalSummary
    } else if has("收支总") || has("收入支出决算总") || has("收支预算总") {
        TableType::RevenueExpenditureSummary
    } else if has("收入") {
        TableType::RevenueByFunction
    } else if has("支出") {
        TableType::ExpenditureByFunction
    } else {
        return None;
    };
    Some((table_type, s, continued))
}

fn is_table_evidence(line: &str) -> bool {
    let s = plain(line);
    s.contains("编制部门")
        || s.contains("编制单位")
        || s.starts_with("单位：")
        || s.starts_with("单位:")
        || s.contains("金额单位")
        || table_number(line).is_some_and(|n| n.starts_with("公开"))
}

/// Finds every contract table title that is followed, before any other title, by the
/// `编制部门` / `单位：` lines a real table has.
pub fn find_regions(lines: &[&str]) -> Vec<Region> {
    let titles: Vec<(usize, (TableType, String, bool))> =
        lines.iter().enumerate().filter_map(|(i, l)| classify_title(l).map(|t| (i, t))).collect();
    let mut regions: Vec<Region> = Vec::new();
    for (k, (idx, (table_type, title, continued))) in titles.iter().enumerate() {
        let next_title = titles.get(k + 1).map(|(i, _)| *i).unwrap_or(lines.len());
        let evidence =
            lines[idx + 1..next_title].iter().filter(|l| !l.trim().is_empty()).take(8).any(|l| is_table_evidence(l));
        if !evidence {
            continue;
        }
        regions.push(Region {
            table_type: *table_type,
            title: title.clone(),
            title_idx: *idx,
            end_idx: lines.len(),
            number: number_in_title(lines[*idx]).or_else(|| nearest_number(lines, *idx)),
            continued: *continued,
        });
    }
    for k in 0..regions.len() {
        let limit = regions.get(k + 1).map(|r| r.title_idx).unwrap_or(lines.len());
        let start = regions[k].title_idx + 1;
        regions[k].end_idx =
            (start..limit).find(|&i| is_part_heading(lines[i]) || is_foreign_table_title(lines[i])).unwrap_or(limit);
    }
    regions
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

/// `表1 部门收支总体情况表` / `公开01表 收入支出决算总表`: the number printed with the title.
fn number_in_title(line: &str) -> Option<String> {
    let s = plain(line);
    if let Some(rest) = s.strip_prefix('表') {
        let ordinal: String =
            rest.chars().take_while(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(*c)).collect();
        return is_table_ordinal(&ordinal).then(|| format!("表{ordinal}"));
    }
    let rest = s.strip_prefix("公开")?;
    let end = rest.find('表')?;
    is_table_ordinal(&rest[..end]).then(|| format!("公开{}表", &rest[..end]))
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

/// Does the text around a table state that the table is empty?
pub fn declares_empty(lines: &[&str]) -> bool {
    let text: String = lines.iter().map(|l| strip_ws(l)).collect();
    text.contains("空表") || text.contains("为空") || text.contains("无数据")
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
        return Layout::PdfText;
    }
    if regions.iter().any(|r| r.number.as_deref().is_some_and(|n| n.starts_with("公开"))) {
        Layout::FinalTsv
    } else {
        Layout::MarkdownTsv
    }
}

/// Parses every region into a table; continuation regions (`（续）`) join the table before.
pub fn parse_tables(lines: &[&str], regions: &[Region], kind: DocKind, doc_unit: SourceUnit) -> Vec<Table> {
    // 表7 needs the names of the function codes printed in the other tables to tell a wrapped
    // function name from the project name, so it is parsed last.
    let mut order: Vec<usize> = (0..regions.len()).collect();
    order.sort_by_key(|&i| regions[i].table_type == TableType::ProjectExpenditure);
    let mut code_names: HashMap<String, String> = HashMap::new();
    let mut parsed: Vec<Option<Table>> = vec![None; regions.len()];
    for i in order {
        let region = &regions[i];
        let body = &lines[region.title_idx + 1..region.end_idx];
        let first_line = region.title_idx + 1;
        let unit = region_unit(body).unwrap_or(doc_unit);
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
        let parse = if is_tabbed(body) { tsv::parse } else { pdf_text::parse };
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
        let all_blank = table.rows.iter().all(|r| match &r.cells {
            crate::model::Cells::Placed(v) | crate::model::Cells::Unplaced(v) => v.iter().all(|a| a.is_none()),
        });
        if all_blank && declares_empty(body) {
            table.status = TableStatus::DeclaredEmpty;
            table.rows.clear();
            table.error = None;
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
    merge_continuations(regions, parsed.into_iter().flatten().collect())
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
                // Rows before the continuation's first sub-unit heading belong to the unit the
                // table was in at the break.
                let unit = prev.rows.last().and_then(|r| r.key.unit.clone());
                let mut rows = table.rows;
                for row in rows.iter_mut().take_while(|r| !(r.key.code.is_none() && r.key.unit.is_some())) {
                    if row.key.code.is_some() && row.key.unit.is_none() {
                        row.key.unit = unit.clone();
                    }
                }
                prev.rows.extend(rows);
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
        assert_eq!(t("一、部门收支总体情况表"), None);
        assert_eq!(t("- 八、《政府性基金预算财政拨款收入支出决算表》（空表）"), None);
        assert_eq!(t("项目支出绩效目标表"), None);
        assert_eq!(t("表一 部门收支总体情况表"), Some(TableType::RevenueExpenditureSummary));
        assert_eq!(t("表1-2 部门收入总体情况表"), Some(TableType::RevenueByFunction));
        assert_eq!(t("公开03表 支出决算表"), Some(TableType::ExpenditureByFunction));
    }

    #[test]
    fn numbers() {
        assert_eq!(table_number("表 3").as_deref(), Some("表3"));
        assert_eq!(table_number("公开06表").as_deref(), Some("公开06表"));
        assert_eq!(table_number("表示"), None);
        assert_eq!(table_number("表三").as_deref(), Some("表三"));
    }
}
