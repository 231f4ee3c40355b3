//! Columns of the layouts that print no positions (`spaced_text`, `pdf_text`): proved from the
//! printed header's words through the one alias table (`table_spec`) — the header names exactly
//! as many value columns as the widest row prints, in printed order; or it names exactly the
//! template's columns — and otherwise not proved, so that no number is placed by position alone.

use crate::model::{Column, Columns, DocKind, TableType};
use crate::normalize::strip_ws;
use crate::table_spec;

/// Header words that head the label columns (unit, code, name) or decorate the header: never
/// value columns.
const LABEL_WORDS: &[&str] = &[
    "预算单位",
    "单位名称",
    "单位编码",
    "单位代码",
    "部门名称",
    "功能分类科目编码",
    "功能分类科目名称",
    "支出功能分类科目编码",
    "支出功能分类科目名称",
    "支出功能分类科目",
    "功能分类科目",
    "功能分类",
    "经济分类科目编码",
    "经济分类科目名称",
    "部门经济分类科目",
    "政府经济分类科目",
    "经济分类科目",
    "经济分类",
    "政府支出经济分类科目",
    "部门支出经济分类科目",
    "科目编码",
    "科目名称",
    "科目",
    "编码",
    "名称",
    "项目名称",
    "项目",
    "类",
    "款",
    "项",
    "※",
    "其中:",
    "其中",
];

/// How a table's columns were proved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// The header names the value columns in printed order.
    InOrder,
    /// The header names exactly the template's columns.
    Template,
}

/// Header text as the alias table spells it: no white space, ASCII parentheses and colons.
fn normalized(lines: &[&str]) -> String {
    let joined: String = lines.iter().map(|l| strip_ws(l)).collect();
    joined.replace('（', "(").replace('）', ")").replace('：', ":")
}

/// Splits the header text into known words, longest first at each point; `None` when some text
/// is no known word (a column the alias table does not know, or a word the extractor broke).
/// Returns the value columns named, in printed order.
fn value_words(text: &str, words: &[(String, &'static str)]) -> Option<Vec<&'static str>> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        // A year before a header word (`2026年预算数`).
        let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits == 4 && rest[4..].starts_with('年') {
            rest = &rest[4 + '年'.len_utf8()..];
            continue;
        }
        let value = words.iter().filter(|(w, _)| rest.starts_with(w.as_str())).max_by_key(|(w, _)| w.len());
        let label = LABEL_WORDS.iter().filter(|w| rest.starts_with(**w)).max_by_key(|w| w.len());
        match (value, label) {
            (Some((w, c)), l) if l.is_none_or(|l| l.len() <= w.len()) => {
                out.push(*c);
                rest = &rest[w.len()..];
            }
            (_, Some(l)) => rest = &rest[l.len()..],
            _ => return None,
        }
    }
    Some(out)
}

/// Does the header text name every one of `columns`? Each column needs an alias of its own in
/// the text, longer aliases claiming their text first (so `一般公共预算` inside
/// `上级一般公共预算安排的转移支付` does not count).
fn names_all(text: &str, columns: &[&'static str], words: &[(String, &'static str)]) -> bool {
    let mut candidates: Vec<&(String, &'static str)> = words.iter().filter(|(_, c)| columns.contains(c)).collect();
    candidates.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
    let mut used: Vec<(usize, usize)> = Vec::new();
    let mut named: Vec<&'static str> = Vec::new();
    for (w, c) in candidates {
        let free = text.match_indices(w.as_str()).find(|(at, _)| {
            let end = at + w.len();
            used.iter().all(|&(s, e)| end <= s || e <= *at)
        });
        if let Some((at, _)) = free {
            used.push((at, at + w.len()));
            if !named.contains(c) {
                named.push(c);
            }
        }
    }
    // Text left over that names another column: the header prints a column the template lacks.
    let other =
        words.iter().filter(|(w, c)| !columns.contains(c) && !table_spec::is_group_of(w, columns)).any(|(w, _)| {
            text.match_indices(w.as_str()).any(|(at, _)| used.iter().all(|&(s, e)| at + w.len() <= s || e <= at))
        });
    columns.iter().all(|c| named.contains(c)) && !other
}

/// The value columns of a one-sided table whose rows print at most `width` numbers (or whose
/// numbering line counts `width` columns), from its header lines; `None` when the header does
/// not prove them.
pub fn proved_columns(header: &[&str], table_type: TableType, kind: DocKind, width: usize) -> Option<(Columns, Proof)> {
    if width == 0 {
        return None;
    }
    let words = table_spec::column_words(table_type, kind, None);
    let text = normalized(header);
    if let Some(cols) = value_words(&text, &words) {
        let distinct = cols.iter().enumerate().all(|(i, c)| !cols[..i].contains(c));
        // The total is printed first: a header read out of order does not start with it.
        let total_first = cols.first() == Some(&"total");
        if cols.len() == width && distinct && total_first {
            let columns = cols
                .iter()
                .map(|c| Column { name: Some(c), header: table_spec::printed_name(c).to_string() })
                .collect();
            return Some((Columns::new(columns), Proof::InOrder));
        }
    }
    let template = table_type.printed_columns(kind, None)?;
    (template.len() == width && names_all(&text, template, &words))
        .then(|| (Columns::template(template), Proof::Template))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(header: &[&str], tt: TableType, width: usize) -> Option<(Vec<&'static str>, Proof)> {
        proved_columns(header, tt, DocKind::Budget, width).map(|(c, p)| (c.mapped(), p))
    }

    #[test]
    fn header_words_in_printed_order() {
        // 深圳 表7 (pdfplumber): one header line.
        let h = ["预算单位 科目编码 科目名称 支出总计 基本支出 项目支出"];
        let got = names(&h, TableType::GeneralBudgetExpenditure, 3);
        assert_eq!(got, Some((vec!["total", "basic", "project"], Proof::InOrder)));
        // PyMuPDF: one header cell per line.
        let h = ["预算单位", "科目编码", "科目名称", "支出总计", "基本支出", "项目支出"];
        assert_eq!(names(&h, TableType::GeneralBudgetExpenditure, 3).unwrap().1, Proof::InOrder);
        // A row printing more numbers than the header names: not proved.
        assert_eq!(names(&h, TableType::GeneralBudgetExpenditure, 4), None);
    }

    #[test]
    fn a_broken_or_unknown_header_proves_nothing() {
        // 北京 预算03表 (pdfplumber): vertical header words broken into characters.
        let h = ["支出功能分类科目 政府支出经济分类科目 部门支出经济分类科目 合计 基本支出 项目支出 事业 支 单 出 位经营 上缴上级支出"];
        assert_eq!(names(&h, TableType::ExpenditureByFunction, 3), None);
        // 深圳 表2 (PyMuPDF): groups over sub-columns, 11 columns where the template has 12.
        let h = [
            "本年收入",
            "财政拨款",
            "单位资金",
            "预算单位",
            "收入总计",
            "一般公共预算",
            "拨款",
            "政府性基金预算",
            "拨款",
            "国有资本经营预",
            "算拨款",
            "财政专户管理",
            "资金",
            "事业收入",
            "事业单位经营",
            "收入",
            "上级补助收入",
            "附属单位上缴",
            "收入",
            "其他收入",
            "上年结余",
            "、结转",
        ];
        assert_eq!(names(&h, TableType::RevenueByFunction, 11), None);
    }

    #[test]
    fn the_template_when_the_header_names_exactly_its_columns() {
        // 库尔勒 表3 (pdf_text): `支出预算` over the columns, numbering line counts 3.
        let h = ["科目 支出预算", "功能分类科目编码", "功能分类科目名称 合计 基本支出 项目支出", "类 款 项"];
        let got = names(&h, TableType::ExpenditureByFunction, 3);
        assert_eq!(got, Some((vec!["total", "basic", "project"], Proof::Template)));
        // The transfer column's words do not name 一般公共预算 itself.
        let h = ["合计 上级一般公共预算安排的转移支付 政府性基金预算"];
        assert!(!names_all(
            &normalized(&h),
            &["total", "general_budget", "general_budget_transfer", "gov_fund"],
            &table_spec::column_words(TableType::RevenueByFunction, DocKind::Budget, None)
        ));
    }
}
