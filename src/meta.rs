//! Document metadata read from the text: department, fiscal year, budget or final account,
//! 部门 or 单位 scope, and the source unit.

use crate::layout::{plain, Region};
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

/// `编制部门：X 单位：万元` / `编制单位：X 2022年度` -> `X`.
pub fn department_of_line(line: &str) -> Option<String> {
    if !line.contains("编制") {
        return None;
    }
    let s = plain(line);
    let pos = s.find("编制部门").or_else(|| s.find("编制单位"))?;
    let rest = &s[pos + "编制部门".len()..];
    // `编制单位（盖章）：X`: the name follows the colon.
    let colon = rest.char_indices().take(8).find(|(_, c)| matches!(c, '：' | ':')).map(|(i, c)| i + c.len_utf8())?;
    let rest = &rest[colon..];
    let mut end = rest.len();
    for stop in ["金额单位", "单位：", "单位:"] {
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
    (name.chars().count() >= 2).then(|| name.to_string())
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

/// `单位：万元` / `金额单位：元` anywhere in a line (`编制单位：` also contains `单位：`).
pub fn unit_of_line(line: &str) -> Option<SourceUnit> {
    // Both characters survive white-space removal, so lines without them are skipped cheaply.
    if !line.contains('元') || !line.contains('位') {
        return None;
    }
    let s = strip_ws(line);
    ["单位：", "单位:"].iter().find_map(|marker| {
        s.match_indices(marker).find_map(|(p, m)| {
            let rest = &s[p + m.len()..];
            if rest.starts_with("万元") {
                Some(SourceUnit::WanYuan)
            } else if rest.starts_with('元') {
                Some(SourceUnit::Yuan)
            } else {
                None
            }
        })
    })
}

/// The department: the most frequent name on the `编制部门/编制单位` lines.
pub fn read_department(lines: &[&str]) -> Option<String> {
    mode(lines.iter().filter_map(|l| department_of_line(l)))
}

/// The kind the tables' titles and numbers show (`决算` titles, `公开NN表` numbers).
pub fn kind_of_tables(regions: &[Region]) -> Option<DocKind> {
    if regions.iter().any(|r| r.title.contains("决算") || r.number.as_deref().is_some_and(|n| n.starts_with("公开")))
    {
        Some(DocKind::Final)
    } else if regions.is_empty() {
        None
    } else {
        Some(DocKind::Budget)
    }
}

pub fn read_meta(lines: &[&str], regions: &[Region]) -> DocMeta {
    let department = read_department(lines);
    // Title lines name the year and the kind: `2025 年单位预算公开表`, `2022 年度…部门决算公开说明`.
    let titled = |l: &&&str| l.contains("预算") || l.contains("决算");
    let fiscal_year = lines
        .iter()
        .filter(titled)
        .chain(lines.iter().filter(|l| department_of_line(l).is_some()))
        .find_map(|l| find_year(&strip_ws(l)).map(|(y, _)| y));
    let scope_kind =
        lines.iter().filter(|l| l.contains('算') && (l.contains('部') || l.contains('单'))).find_map(|l| {
            let s = strip_ws(l);
            ["部门预算", "单位预算", "部门决算", "单位决算"].iter().find(|w| s.contains(**w)).map(|w| {
                let scope = if w.starts_with("部门") { "department" } else { "unit" };
                let kind = if w.ends_with("决算") { DocKind::Final } else { DocKind::Budget };
                (scope, kind)
            })
        });
    let doc_kind = kind_of_tables(regions).or(scope_kind.map(|(_, k)| k));
    let source_unit = mode(lines.iter().filter_map(|l| unit_of_line(l)));
    // Without a `部门预算`-style phrase, a title's prefix (`单位收支总体情况表`) tells the scope.
    let scope = scope_kind.map(|(s, _)| s).or_else(|| {
        regions.iter().find_map(|r| match r.title.chars().take(2).collect::<String>().as_str() {
            "部门" => Some("department"),
            "单位" => Some("unit"),
            _ => None,
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
    }

    #[test]
    fn units() {
        assert_eq!(unit_of_line("编制单位：某中心 单位：万元"), Some(SourceUnit::WanYuan));
        assert_eq!(unit_of_line("金额单位：元"), Some(SourceUnit::Yuan));
        assert_eq!(unit_of_line("编制单位：某中心"), None);
    }

    #[test]
    fn years() {
        assert_eq!(find_year("第二部分2025年单位预算公开表").map(|x| x.0), Some(2025));
        assert_eq!(find_year("2022年度新疆巴州").map(|x| x.0), Some(2022));
        assert_eq!(find_year("12025年"), None);
    }
}
