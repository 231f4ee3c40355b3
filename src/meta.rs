//! Document metadata read from the text: department, fiscal year, budget or final account,
//! 部门 or 单位 scope, and the source unit.

use crate::layout::{plain, region_unit, Region};
use crate::model::{DocKind, SourceUnit};
use crate::normalize::strip_ws;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default)]
pub struct DocMeta {
    pub department: Option<String>,
    pub fiscal_year: Option<i32>,
    pub doc_kind: Option<DocKind>,
    pub scope: Option<&'static str>,
    pub source_unit: Option<SourceUnit>,
}

/// The most frequent value; ties go to the first seen.
fn mode<T: Ord + Clone>(values: impl IntoIterator<Item = T>) -> Option<T> {
    let mut counts: BTreeMap<T, (usize, usize)> = BTreeMap::new();
    for (i, v) in values.into_iter().enumerate() {
        let e = counts.entry(v).or_insert((0, i));
        e.0 += 1;
    }
    counts.into_iter().max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1))).map(|(v, _)| v)
}

/// Labels that open a line naming the department or unit the tables belong to. `编制部门` /
/// `编制单位` may stand anywhere on the line; the others open it.
const NAME_LABELS: [&str; 10] = [
    "预算主管部门",
    "部门（单位）",
    "部门(单位)",
    "部门名称",
    "单位名称",
    "预算单位",
    "主管部门",
    "编制部门",
    "部门",
    "单位",
];

/// `编制部门：X 单位：万元` / `编制单位：X 2022年度` / `部门名称：X` / `单位：X 单位：万元` /
/// `部门名称     X` -> `X`.
pub fn department_of_line(line: &str) -> Option<String> {
    // Cheap test first: only `编制…` lines and lines that open with a label can name it.
    let opening = line.trim_start().trim_start_matches(['#', '*', '>', '-', ' ']);
    if !line.contains("编制") && !NAME_LABELS.iter().any(|l| opening.starts_with(l)) {
        return None;
    }
    let s = plain(line);
    if let Some(pos) = s.find("编制部门").or_else(|| s.find("编制单位")) {
        let rest = &s[pos + "编制部门".len()..];
        // `编制单位（盖章）：X`: the name follows the colon.
        let colon =
            rest.char_indices().take(8).find(|(_, c)| matches!(c, '：' | ':')).map(|(i, c)| i + c.len_utf8())?;
        return name_of(&rest[colon..]);
    }
    let label = NAME_LABELS.iter().find(|l| s.starts_with(**l))?;
    let rest = &s[label.len()..];
    match rest.strip_prefix(['：', ':']) {
        Some(name) => name_of(name),
        // `部门名称     北京市审计局`: a label and its value in two cells.
        None if label.ends_with("名称") && label_then_gap(line, label) => name_of(rest),
        None => None,
    }
}

/// Is `label` followed by white space in the raw line (two cells, not one word)?
fn label_then_gap(line: &str, label: &str) -> bool {
    let t = line.trim_start();
    t.starts_with(label) && t[label.len()..].starts_with(char::is_whitespace)
}

/// The name at the start of `rest`, up to a unit label or a year; `None` for a unit
/// (`单位：万元`) or a sentence.
fn name_of(rest: &str) -> Option<String> {
    let mut end = rest.len();
    for stop in ["金额单位", "单位：", "单位:", "单位万元", "单位元", "单位人民币"] {
        if let Some(p) = rest.find(stop) {
            end = end.min(p);
        }
    }
    // A trailing `2022年度` belongs to the header, not the name.
    let name = &rest[..end];
    let name = match find_year(name) {
        Some((_, p)) if p > 0 => &name[..p],
        _ => name,
    };
    let name = name.trim_end_matches(['（', '(', '，', ',']);
    let n = name.chars().count();
    let unit = ["万元", "元", "人民币"].iter().any(|u| name.starts_with(u));
    let sentence = name.contains(['，', '。', '；', '、']);
    // A header cell (`单位名称  合计  …` is a column, not a label with its value).
    let header =
        ["合计", "总计", "收入", "支出", "金额", "项目", "科目", "备注", "序号"].iter().any(|w| name.contains(w));
    let enumeration = crate::normalize::strip_enumeration(name).len() < name.len();
    let numeric = name.starts_with(|c: char| c.is_ascii_digit());
    ((2..=40).contains(&n) && !unit && !sentence && !header && !enumeration && !numeric).then(|| name.to_string())
}

/// `编制部门` / `部门名称` alone on a line (the value on the next line, as PyMuPDF prints cells).
fn is_bare_label(line: &str) -> bool {
    line.len() <= 30 && {
        let s = plain(line);
        let s = s.trim_end_matches(['：', ':']);
        // Not `单位名称`: a column header of the tables that list units.
        ["编制部门", "编制单位", "部门名称"].contains(&s)
    }
}

/// The department named on the cover: `2026年深圳市信访局部门预算`, `国家信访局 / 2024 年度部门决算`,
/// `2026 年度 / 福州市公安局文职人员 / 管理中心单位预算` (the first lines, joined).
pub fn cover_department(lines: &[&str]) -> Option<String> {
    let head: Vec<String> = lines
        .iter()
        .map(|l| plain(l))
        .filter(|l| !l.is_empty())
        .take_while(|l| !l.starts_with("目录") && l.chars().count() <= 40)
        .take(6)
        .collect();
    let head: String = reattach_years(head).concat();
    let pos = ["部门预算", "单位预算", "部门决算", "单位决算"].iter().filter_map(|w| head.find(w)).min()?;
    let before = &head[..pos];
    let (_, y) = find_year(before)?;
    let after_year = before[y + 4..].trim_start_matches('年').trim_start_matches('度');
    let name = match (y, after_year) {
        (0, name) => name,
        (_, "") => &before[..y],
        // `上海市普陀区2026年区级部门预算`: a region and a level, not a department.
        _ => return None,
    };
    name_of(name)
}

/// A bare `2024` line that a converter moved off its line (`年度部门决算` / `2024`) goes back
/// before the nearest `年` above it that has no digits before it.
fn reattach_years(mut lines: Vec<String>) -> Vec<String> {
    let is_bare_year = |l: &str| l.len() == 4 && find_year(&format!("{l}年")).is_some();
    let mut i = 0;
    while i < lines.len() {
        let orphan = |l: &String| l.find('年').filter(|&p| !l[..p].ends_with(|c: char| c.is_ascii_digit()));
        let target = (i.saturating_sub(2)..i).rev().find(|&j| orphan(&lines[j]).is_some());
        match target {
            Some(j) if is_bare_year(&lines[i]) => {
                let year = lines.remove(i);
                let p = orphan(&lines[j]).unwrap_or(0);
                lines[j].insert_str(p, &year);
            }
            _ => i += 1,
        }
    }
    lines
}

/// The department: the most frequent name on the tables' `编制部门/部门名称/单位：` lines, else
/// the cover's.
pub fn read_department(lines: &[&str]) -> Option<String> {
    let labelled = lines.iter().enumerate().filter_map(|(i, l)| {
        department_of_line(l).or_else(|| {
            if !is_bare_label(l) {
                return None;
            }
            lines[i + 1..].iter().find(|n| !n.trim().is_empty()).and_then(|n| name_of(&plain(n)))
        })
    });
    mode(labelled).or_else(|| cover_department(lines))
}

/// The first `20xx 年` in a string, with its byte position.
fn find_year(s: &str) -> Option<(i32, usize)> {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(3)).find_map(|i| {
        let digits = &s.get(i..i + 4)?;
        if !(digits.starts_with("20") || digits.starts_with("19")) || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        if i > 0 && b[i - 1].is_ascii_digit() {
            return None;
        }
        let after = s[i + 4..].trim_start();
        if after.starts_with('年') {
            digits.parse().ok().map(|y| (y, i))
        } else {
            None
        }
    })
}

/// `单位：万元` / `金额单位：元` / `（单位：人民币万元）` anywhere in a line (`编制单位：` also
/// contains `单位：`, so every `单位：` is tried).
pub fn unit_of_line(line: &str) -> Option<SourceUnit> {
    // Both characters survive white-space removal, so lines without them are skipped cheaply.
    if !line.contains('元') || !line.contains('位') {
        return None;
    }
    // `单位 万元`: a converter that moved the colon off the line leaves the words as cells.
    let mut cells = line.split_whitespace();
    while let Some(cell) = cells.next() {
        if cell == "单位" || cell == "金额单位" {
            if let Some(unit) = cells.clone().next().and_then(unit_word) {
                return Some(unit);
            }
        }
    }
    let s = strip_ws(line);
    ["单位：", "单位:"]
        .iter()
        .find_map(|marker| s.match_indices(marker).find_map(|(p, m)| unit_word(&s[p + m.len()..])))
}

/// `万元…` / `元…` / `人民币万元…` -> the unit.
fn unit_word(s: &str) -> Option<SourceUnit> {
    let s = s.strip_prefix("人民币").unwrap_or(s);
    if s.starts_with("万元") {
        Some(SourceUnit::WanYuan)
    } else if s.starts_with('元') {
        Some(SourceUnit::Yuan)
    } else {
        None
    }
}

/// Fund names that contain `预算` without making a title a budget's (`一般公共预算支出决算表`).
const FUND_NAMES: [&str; 3] = ["一般公共预算", "政府性基金预算", "国有资本经营预算"];

/// The kind the tables' titles say: `决算` in any title is a final account; `预算` outside a fund
/// name a budget. Table numbers say nothing (`公开01表` and `预算01表` number budgets too).
fn kind_of_titles(regions: &[Region]) -> Option<DocKind> {
    if regions.iter().any(|r| r.title.contains("决算")) {
        return Some(DocKind::Final);
    }
    let budget = regions.iter().any(|r| {
        let mut t = r.title.clone();
        for fund in FUND_NAMES {
            t = t.replace(fund, "");
        }
        t.contains("预算")
    });
    budget.then_some(DocKind::Budget)
}

/// The first `部门预算` / `单位决算`-style phrase of the text: (scope, kind).
fn scope_phrase(lines: &[&str]) -> Option<(&'static str, DocKind)> {
    lines.iter().filter(|l| l.contains('算') && (l.contains('部') || l.contains('单'))).find_map(|l| {
        let s = strip_ws(l);
        ["部门预算", "单位预算", "部门决算", "单位决算"].iter().filter_map(|w| s.find(w).map(|p| (p, w))).min().map(
            |(_, w)| {
                let scope = if w.starts_with("部门") { "department" } else { "unit" };
                let kind = if w.ends_with("决算") { DocKind::Final } else { DocKind::Budget };
                (scope, kind)
            },
        )
    })
}

/// The document's kind: its tables' titles, else the text's `部门预算/部门决算` phrase; a
/// document whose tables and text say neither is read as a budget.
pub fn read_kind(lines: &[&str], regions: &[Region]) -> Option<DocKind> {
    if regions.is_empty() {
        return None;
    }
    kind_of_titles(regions).or_else(|| scope_phrase(lines).map(|(_, k)| k)).or(Some(DocKind::Budget))
}

/// A title without its year: `2026年预算单位收入预算总表` -> `预算单位收入预算总表`.
fn without_year(title: &str) -> &str {
    match find_year(title) {
        Some((_, 0)) => title[4..].trim_start_matches('年').trim_start_matches('度'),
        _ => title,
    }
}

/// The fiscal year: the one most table titles print (`2026年部门收支总体情况表`), else the cover's
/// (`2026年深圳市信访局部门预算`), else the first `预算/决算` line's or 编制 line's.
fn read_year(lines: &[&str], regions: &[Region]) -> Option<i32> {
    let titled =
        mode(regions.iter().filter_map(|r| find_year(&r.title).map(|(y, _)| y))).or_else(|| mode(title_years(lines)));
    let cover = || {
        // Short lines only: a cover's, not the narrative that may follow it.
        let head = lines.iter().map(|l| strip_ws(l)).filter(|l| !l.is_empty()).take(6);
        head.filter(|l| l.chars().count() <= 40).find_map(|l| find_year(&l).map(|(y, _)| y))
    };
    let budget_line = || {
        let titled = |l: &&&str| l.contains("预算") || l.contains("决算");
        lines
            .iter()
            .filter(titled)
            .chain(lines.iter().filter(|l| department_of_line(l).is_some()))
            .find_map(|l| find_year(&strip_ws(l)).map(|(y, _)| y))
    };
    titled.or_else(cover).or_else(budget_line)
}

/// Years printed with any table's title (its own or one outside the contract): in the title,
/// or on the line under it (`（2026年度）`, or a `2026` that a converter moved off the title).
fn title_years(lines: &[&str]) -> Vec<i32> {
    let mut years = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if crate::layout::titles::read_title(line).is_none() {
            continue;
        }
        let next = lines[i + 1..].iter().map(|l| plain(l)).find(|l| !l.is_empty()).unwrap_or_default();
        let next = if next.chars().count() <= 12 { next } else { String::new() };
        let pair = reattach_years(vec![plain(line), next]).concat();
        years.extend(find_year(&pair).map(|(y, _)| y));
    }
    years
}

pub fn read_meta(lines: &[&str], regions: &[Region]) -> DocMeta {
    let department = read_department(lines);
    let fiscal_year = read_year(lines, regions);
    let doc_kind = read_kind(lines, regions);
    // The unit most tables state; a unit line elsewhere (a cover, a note) only when no table
    // states one.
    let source_unit = mode(regions.iter().filter_map(|r| region_unit(&lines[r.title_idx + 1..r.end_idx])))
        .or_else(|| mode(lines.iter().filter_map(|l| unit_of_line(l))));
    // Without a `部门预算`-style phrase, a title's prefix (`单位收支总体情况表`,
    // `2026年预算单位…`) tells the scope.
    let scope = scope_phrase(lines).map(|(s, _)| s).or_else(|| {
        regions.iter().find_map(|r| {
            let t = without_year(&r.title);
            if t.starts_with("部门") {
                Some("department")
            } else if t.starts_with("单位") || t.starts_with("预算单位") {
                Some("unit")
            } else {
                None
            }
        })
    });
    DocMeta { department, fiscal_year, doc_kind, scope, source_unit }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn departments() {
        assert_eq!(
            department_of_line("编制单位：库尔勒市行政服务中心 单位：万元").as_deref(),
            Some("库尔勒市行政服务中心")
        );
        assert_eq!(department_of_line("编制部门： 某开发区政务服务中心").as_deref(), Some("某开发区政务服务中心"));
        assert_eq!(
            department_of_line("编制单位：新疆巴州某中心 2022年度 金额单位：万元").as_deref(),
            Some("新疆巴州某中心")
        );
        assert_eq!(department_of_line("编制单位（盖章）：某局").as_deref(), Some("某局"));
        assert_eq!(department_of_line("编制部门要求"), None);
        // Other templates' labels.
        for (line, name) in [
            ("部门名称：深圳市信访局                       单位：万元", "深圳市信访局"),
            ("单位名称:重庆市气象局                 单位:万元", "重庆市气象局"),
            ("部门（单位）：烟台市统计局        单位：万元", "烟台市统计局"),
            ("部门：国家信访局                  金额单位：万元", "国家信访局"),
            ("单位：苏州市生态环境局            单位：万元", "苏州市生态环境局"),
            ("  预算单位：上海市刑事科学技术研究院", "上海市刑事科学技术研究院"),
            (" 预算主管部门：上海市普陀区司法局", "上海市普陀区司法局"),
            ("     部门名称             北京市审计局", "北京市审计局"),
        ] {
            assert_eq!(department_of_line(line).as_deref(), Some(name), "{line}");
        }
        assert_eq!(department_of_line("单位：万元"), None);
        assert_eq!(department_of_line("单位名称     合计    一般公共预算拨款收入"), None);
        // PyMuPDF prints the label and the name as two lines.
        assert_eq!(read_department(&["部门名称", "北京市审计局"]).as_deref(), Some("北京市审计局"));
    }

    #[test]
    fn the_cover_names_the_department_when_tables_do_not() {
        let cover = |text: &str| cover_department(&text.lines().collect::<Vec<_>>());
        assert_eq!(cover("2026 年深圳市信访局部门预算\n 目 录").as_deref(), Some("深圳市信访局"));
        assert_eq!(cover("  国家信访局\n2024 年度部门决算\n 二〇二五年七月\n 目 录").as_deref(), Some("国家信访局"));
        assert_eq!(
            cover(" 2026 年度\n福州市公安局文职人员\n管理中心单位预算\n 目录").as_deref(),
            Some("福州市公安局文职人员管理中心")
        );
        // A region and a level (`区级`), not a department.
        assert_eq!(cover("上海市普陀区2026年区级部门预算\n 目 录"), None);
        let lines = ["上海市普陀区财政局", "2024年度部门决算", "目录", "收入支出决算总表", "单位：万元"];
        assert_eq!(read_department(&lines).as_deref(), Some("上海市普陀区财政局"));
    }

    fn region(title: &str) -> Region {
        Region {
            table_type: crate::model::TableType::RevenueExpenditureSummary,
            title: title.to_string(),
            title_idx: 0,
            end_idx: 1,
            number: None,
            continued: false,
        }
    }

    #[test]
    fn years_a_converter_moved_off_their_line() {
        let lines = ["上海市普陀区财政局", "年度部门决算", "2024", "目 录"];
        assert_eq!(cover_department(&lines).as_deref(), Some("上海市普陀区财政局"));
        let lines = ["表一", "年部门收支总体情况表", "2026", "单位名称 重庆市气象局 单位 万元"];
        assert_eq!(title_years(&lines), vec![2026]);
        assert_eq!(department_of_line(lines[3]).as_deref(), Some("重庆市气象局"));
        // A subtitle under a title outside the contract.
        assert_eq!(title_years(&["预算13表 部门整体支出绩效目标表", "（2026年度）"]), vec![2026]);
    }

    #[test]
    fn column_headers_are_not_departments() {
        // PyMuPDF: a `单位名称` column header over enumerated rows or a 备注 column.
        assert_eq!(read_department(&["序号", "单位名称", "（一）", "某中心"]), None);
        assert_eq!(read_department(&["部门名称", "备注"]), None);
    }

    #[test]
    fn the_year_comes_from_the_titles_not_a_sentence() {
        let lines = ["2025年部门预算较2024年减少10万元。", "2019年部门综合预算收支总表", "单位：万元"];
        let meta = read_meta(&lines, &[region("2019年部门综合预算收支总表")]);
        assert_eq!(meta.fiscal_year, Some(2019));
    }

    #[test]
    fn the_kind_comes_from_the_content_not_the_number() {
        // 公开01表 numbers a budget's tables too; 一般公共预算 is a fund, not a budget.
        let mut r = region("收支总表");
        r.number = Some("公开01表".into());
        let lines = ["2026 年度苏州市生态环境局单位预算公开", "公开 01 表", "收支总表", "单位：万元"];
        assert_eq!(read_kind(&lines, &[r]), Some(DocKind::Budget));
        assert_eq!(read_kind(&["x"], &[region("一般公共预算财政拨款支出决算表")]), Some(DocKind::Final));
        assert_eq!(read_kind(&["2024年度部门决算"], &[region("一般公共预算支出表")]), Some(DocKind::Final));
        assert_eq!(read_meta(&lines, &[region("收支总表")]).scope, Some("unit"));
    }

    #[test]
    fn units() {
        assert_eq!(unit_of_line("编制单位：某中心 单位：万元"), Some(SourceUnit::WanYuan));
        assert_eq!(unit_of_line("金额单位：元"), Some(SourceUnit::Yuan));
        assert_eq!(unit_of_line("编制单位：某中心"), None);
        assert_eq!(unit_of_line("单位：人民币元"), Some(SourceUnit::Yuan));
        assert_eq!(unit_of_line("金额单位：人民币万元"), Some(SourceUnit::WanYuan));
        assert_eq!(unit_of_line("（单位：万元）"), Some(SourceUnit::WanYuan));
        assert_eq!(unit_of_line("单位:元"), Some(SourceUnit::Yuan));
        assert_eq!(unit_of_line("单位名称 重庆市气象局 单位 万元"), Some(SourceUnit::WanYuan));
        assert_eq!(unit_of_line("预算单位 元"), None);
        assert_eq!(unit_of_line("单位：苏州市生态环境局                单位：万元"), Some(SourceUnit::WanYuan));
    }

    #[test]
    fn years() {
        assert_eq!(find_year("第二部分2025年单位预算公开表").map(|x| x.0), Some(2025));
        assert_eq!(find_year("2022年度新疆巴州").map(|x| x.0), Some(2022));
        assert_eq!(find_year("12025年"), None);
    }
}
