//! Table titles by meaning, for every naming scheme: the printed number (`表1`, `表 1`, `表一`,
//! `表01`, `预算01表`, `公开01表`, `公开表1`, `一、`) is split off, and what the words say decides
//! which contract table the title names — or that it names a table outside the contract
//! (政府采购, 绩效目标, 机关运行经费, 国有资产 …), which still ends the table before it.

use super::plain;
use crate::model::TableType;

/// What a title line names.
#[derive(Debug, Clone, PartialEq)]
pub struct Title {
    /// `None`: a table outside the contract.
    pub table_type: Option<TableType>,
    /// The title as printed, without its number, `（续）` and white space.
    pub text: String,
    /// The number printed on the title's line (`表1`, `预算01表`, `公开表1`, `一、`).
    pub number: Option<String>,
    pub continued: bool,
    /// How specifically the words name the type; where a document prints two candidates of one
    /// type, the higher wins (`一般公共预算基本支出表` over `财政拨款基本支出表`).
    pub rank: u8,
}

const CHINESE_DIGITS: &str = "一二三四五六七八九十〇零";

fn is_ordinal_char(c: char) -> bool {
    c.is_ascii_digit() || CHINESE_DIGITS.contains(c)
}

/// The ordinal at the start of `s` (1–3 digits or Chinese numerals, `1-2` sub-numbers kept).
fn ordinal_prefix(s: &str) -> Option<&str> {
    let n: usize = s.chars().take_while(|c| is_ordinal_char(*c)).map(char::len_utf8).sum();
    if n == 0 || s[..n].chars().count() > 3 {
        return None;
    }
    let rest = &s[n..];
    let sub = rest.strip_prefix('-').map(|r| r.chars().take_while(char::is_ascii_digit).count()).unwrap_or(0);
    Some(&s[..n + if sub > 0 { 1 + sub } else { 0 }])
}

/// Splits a table number off the start of a (white-space free) line: `表3`, `附表14`,
/// `预算01表`, `公开01表`, `公开表1`, `预算表12`. Returns the number and the rest.
pub fn split_number(s: &str) -> Option<(String, &str)> {
    for prefix in ["表", "附表", "公开表", "预算表", "决算表"] {
        if let Some(ord) = s.strip_prefix(prefix).and_then(ordinal_prefix) {
            let end = prefix.len() + ord.len();
            return Some((s[..end].to_string(), &s[end..]));
        }
    }
    for prefix in ["公开", "预算", "决算"] {
        if let Some((rest, ord)) = s.strip_prefix(prefix).and_then(|r| Some((r, ordinal_prefix(r)?))) {
            if rest[ord.len()..].starts_with('表') {
                let end = prefix.len() + ord.len() + '表'.len_utf8();
                return Some((s[..end].to_string(), &s[end..]));
            }
        }
    }
    None
}

/// `一、` / `（一）` / `(1)` / `1.` / `1、` at the start of a line: the list ordinal some templates
/// number their tables with.
fn split_enumeration(s: &str) -> Option<(String, &str)> {
    let open = s.strip_prefix('（').or_else(|| s.strip_prefix('('));
    if let Some(inner) = open {
        let ord = ordinal_prefix(inner)?;
        let rest = &inner[ord.len()..];
        let rest = rest.strip_prefix('）').or_else(|| rest.strip_prefix(')'))?;
        return Some((s[..s.len() - rest.len()].to_string(), rest));
    }
    let ord = ordinal_prefix(s)?;
    let rest = &s[ord.len()..];
    let rest = ['、', '.', '．'].iter().find_map(|c| rest.strip_prefix(*c))?;
    Some((s[..s.len() - rest.len()].to_string(), rest))
}

/// A table number alone on a line (`表 3`, `表三`, `公开 01 表`, `预算01表`, `公开表1`).
pub fn number_alone(line: &str) -> Option<String> {
    if !line.contains('表') || line.len() > 40 {
        return None;
    }
    let s = plain(line);
    let s = s.trim_end_matches(['：', ':']);
    match split_number(s) {
        Some((n, "")) => Some(n),
        _ => None,
    }
}

/// `…表（按功能分类）` / `…表(一级项目)`: the title without a trailing parenthetical.
fn without_trailing_note(s: &str) -> &str {
    let Some(close) = s.strip_suffix('）').or_else(|| s.strip_suffix(')')) else {
        return s;
    };
    match close.rfind(['（', '(']) {
        Some(p) if close[..p].ends_with('表') => &s[..p],
        _ => s,
    }
}

/// The words that carry a title's meaning: after its year, and after a department name that
/// precedes `部门`/`单位` (`2017年度江苏省高级人民法院部门收支预算总表` -> `部门收支预算总表`), so
/// that a name cannot lend its words to the title.
fn meaning(title: &str) -> &str {
    let after_year = match find_year_end(title) {
        Some(end) => &title[end..],
        None => title,
    };
    let keywords = ["收", "支", "预算", "决算", "三公", "基金", "结转", "表"];
    let cut = ["部门", "单位"].iter().filter_map(|w| after_year.find(w)).min();
    match cut {
        Some(p) if p > 0 && !keywords.iter().any(|k| after_year[..p].contains(k)) => &after_year[p..],
        _ => after_year,
    }
}

/// Byte end of a `2026年` / `2026年度` in `s`.
fn find_year_end(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(3)).find_map(|i| {
        let d = s.get(i..i + 4)?;
        let digits = d.chars().all(|c| c.is_ascii_digit()) && (d.starts_with("20") || d.starts_with("19"));
        if !digits || (i > 0 && b[i - 1].is_ascii_digit()) {
            return None;
        }
        let rest = s[i + 4..].strip_prefix('年')?;
        Some(s.len() - rest.strip_prefix('度').unwrap_or(rest).len())
    })
}

/// Words of tables outside the contract (a `三公` table that also lists 机关运行经费 or 会议费 is
/// still the 三公 table).
const FOREIGN_WORDS: [&str; 8] =
    ["绩效", "政府采购", "采购预算", "国有资产", "资产配置", "购买服务", "机关运行", "委托业务"];

/// The table type a title's words name, with its rank, or `None` for a table outside the
/// contract.
fn type_of(words: &str) -> (Option<TableType>, u8) {
    let has = |w: &str| words.contains(w);
    let any = |ws: &[&str]| ws.iter().any(|w| words.contains(w));
    let by_function = any(&["功能"]);
    let by_economic = any(&["经济"]);
    let general = has("一般公共预算");
    let fiscal = any(&["财政拨款", "财拨"]);
    let two_sided = any(&["收支", "收入支出"]);
    if has("三公") {
        return (Some(TableType::ThreePublic), 2);
    }
    if any(&FOREIGN_WORDS) {
        return (None, 0);
    }
    if has("政府性基金") {
        return (Some(TableType::GovFundExpenditure), 2);
    }
    if has("国有资本经营") {
        return (Some(TableType::StateCapitalExpenditure), 2);
    }
    if has("结转") && !two_sided {
        return (Some(TableType::Carryover), 2);
    }
    if any(&["项目支出", "专项业务经费"]) {
        return (Some(TableType::ProjectExpenditure), 2);
    }
    if has("基本支出") {
        // 基本支出 by function (Xi'an 表7) is not the contract's table (that one is by economic
        // class); where several are printed the 一般公共预算 one is (Suzhou, Jiangsu, Yantai).
        return match (by_function, general, fiscal) {
            (true, _, _) => (None, 0),
            (_, true, _) => (Some(TableType::BasicExpenditureByEconomic), 3),
            (_, false, false) => (Some(TableType::BasicExpenditureByEconomic), 2),
            (_, false, true) => (Some(TableType::BasicExpenditureByEconomic), 1),
        };
    }
    if fiscal && two_sided {
        return (Some(TableType::FiscalSummary), 2);
    }
    if general && has("支出") {
        // 一般公共预算支出 by economic class is not the contract's (by function) table.
        return if by_economic { (None, 0) } else { (Some(TableType::GeneralBudgetExpenditure), 2) };
    }
    if general || fiscal || by_economic {
        // 财政拨款支出表（功能科目）, 一般公共预算收入表 …: no contract table.
        return (None, 0);
    }
    if two_sided && has("总") {
        return (Some(TableType::RevenueExpenditureSummary), 2);
    }
    if has("收入") && !has("支出") {
        return (Some(TableType::RevenueByFunction), 2);
    }
    if has("支出") && !has("收入") {
        return (Some(TableType::ExpenditureByFunction), 2);
    }
    (None, 0)
}

/// Reads a line as a table title. The table of contents and sentences that mention a title
/// pass here too; `find_regions` tells them apart by what follows them.
pub fn read_title(line: &str) -> Option<Title> {
    // Cheap test first: most lines of a document are not titles.
    if !line.contains('表') || line.trim().len() > 240 {
        return None;
    }
    let s = plain(line);
    let (number, rest) = match split_number(&s).or_else(|| split_enumeration(&s)) {
        Some((n, rest)) => (Some(n), rest.trim_start_matches(['：', ':', '、', '.', '．', '-', '—'])),
        None => (None, s.as_str()),
    };
    let mut text = rest;
    let mut continued = false;
    for suffix in ["（续）", "(续)", "（续表）", "(续表)", "续表"] {
        if let Some(r) = text.strip_suffix(suffix) {
            text = r;
            continued = true;
        }
    }
    let core = without_trailing_note(text);
    let count = core.chars().count();
    if !core.ends_with('表') || !(4..=60).contains(&count) {
        return None;
    }
    let sentence = ['《', '》', '，', '。', '；', '？'].iter().any(|c| core.contains(*c));
    let reference = ["目录", "说明", "见表", "本表", "下表", "如表"].iter().any(|w| core.contains(w));
    if sentence || reference || core.starts_with('注') {
        return None;
    }
    // The trailing note carries meaning too (`（按经济分类）`).
    let (table_type, rank) = type_of(meaning(text));
    Some(Title { table_type, text: text.to_string(), number, continued, rank })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(line: &str) -> Option<TableType> {
        read_title(line).and_then(|t| t.table_type)
    }

    #[test]
    fn numbers_of_every_scheme() {
        let n = |l: &str| read_title(l).and_then(|t| t.number);
        assert_eq!(n("表1 部门收支总体情况表").as_deref(), Some("表1"));
        assert_eq!(n("表 1  收支总表").as_deref(), Some("表1"));
        assert_eq!(n("表一 部门收支总体情况表").as_deref(), Some("表一"));
        assert_eq!(n("表01 收支总表").as_deref(), Some("表01"));
        assert_eq!(n("预算 01表 收支总表").as_deref(), Some("预算01表"));
        assert_eq!(n("公开 01 表 收支总表").as_deref(), Some("公开01表"));
        assert_eq!(n("公开表1 收支总体情况表").as_deref(), Some("公开表1"));
        assert_eq!(n("预算表12 收支总表").as_deref(), Some("预算表12"));
        assert_eq!(n("一、2017 年度江苏省高级人民法院部门收支预算总表").as_deref(), Some("一、"));
        assert_eq!(number_alone("公开 01 表").as_deref(), Some("公开01表"));
        assert_eq!(number_alone("表一").as_deref(), Some("表一"));
        assert_eq!(number_alone("公开表10").as_deref(), Some("公开表10"));
        assert_eq!(number_alone("表示"), None);
    }

    #[test]
    fn the_kind_comes_from_the_words_not_the_number() {
        // 公开NN表 numbers budgets too.
        assert_eq!(kind("公开 02 表 收入总表"), Some(TableType::RevenueByFunction));
        assert_eq!(kind("预算03表 支出总表"), Some(TableType::ExpenditureByFunction));
    }

    #[test]
    fn summary_titles_of_every_scheme() {
        for t in [
            "收支总表",
            "2026年度收支预算总表",
            "2026年预算单位财务收支预算总表",
            "部门收支总体情况表",
            "收支总体情况表",
        ] {
            assert_eq!(kind(t), Some(TableType::RevenueExpenditureSummary), "{t}");
        }
        // Year and department inside the title.
        assert_eq!(kind("深圳市信访局2026年收支总表"), Some(TableType::RevenueExpenditureSummary));
        assert_eq!(kind("一、2017 年度江苏省高级人民法院部门收支预算总表"), Some(TableType::RevenueExpenditureSummary));
        assert_eq!(kind("2019年部门综合预算财政拨款收支总表"), Some(TableType::FiscalSummary));
        assert_eq!(kind("财政拨款收支总体情况表"), Some(TableType::FiscalSummary));
    }

    #[test]
    fn function_and_economic_tables_by_meaning() {
        assert_eq!(kind("一般公共预算支出表（按功能分类）"), Some(TableType::GeneralBudgetExpenditure));
        assert_eq!(kind("一般公共预算支出表（按经济分类）"), None);
        assert_eq!(kind("2026年度一般公共预算支出经济分类情况表"), None);
        assert_eq!(kind("2026年预算单位一般公共预算支出功能分类预算表"), Some(TableType::GeneralBudgetExpenditure));
        assert_eq!(kind("2026年度一般公共预算拨款支出预算表"), Some(TableType::GeneralBudgetExpenditure));
        assert_eq!(kind("基本支出总表"), Some(TableType::BasicExpenditureByEconomic));
        assert_eq!(kind("2019年部门综合预算一般公共预算基本支出明细表（按支出功能分类科目）"), None);
        assert_eq!(
            kind("2019年部门综合预算一般公共预算基本支出明细表（按支出经济分类科目）"),
            Some(TableType::BasicExpenditureByEconomic)
        );
        assert_eq!(kind("财政拨款支出表（功能科目）"), None);
        let rank = |l: &str| read_title(l).map(|t| t.rank);
        assert!(rank("一般公共预算基本支出表") > rank("基本支出预算情况表"));
        assert!(rank("基本支出预算情况表") > rank("财政拨款基本支出表（经济科目）"));
    }

    #[test]
    fn other_templates_words() {
        assert_eq!(kind("2019年部门综合预算专项业务经费支出表"), Some(TableType::ProjectExpenditure));
        assert_eq!(kind("2019年部门综合预算财政拨款结转资金支出表"), Some(TableType::Carryover));
        assert_eq!(kind("表11-财拨结转支出表"), Some(TableType::Carryover));
        assert_eq!(kind("2019年部门综合预算政府性基金收支总表"), Some(TableType::GovFundExpenditure));
        assert_eq!(kind("2026年部门“三公”经费和机关运行经费预算表"), Some(TableType::ThreePublic));
        assert_eq!(kind("一般公共预算“三公”经费、会议费、培训费支出表"), Some(TableType::ThreePublic));
    }

    #[test]
    fn tables_outside_the_contract() {
        for t in [
            "预算10表 政府采购预算明细表",
            "一般公共预算机关运行经费支出预算表",
            "项目支出绩效目标表",
            "2019年部门综合预算政府采购（资产配置、购买服务）预算表",
            "预算 11表 财政拨款政府购买服务明细表",
        ] {
            let title = read_title(t).expect("a title");
            assert_eq!(title.table_type, None, "{t}");
        }
    }

    #[test]
    fn not_titles() {
        assert_eq!(read_title("注：本表反映部门本年度的总收支和年末结转结余情况。"), None);
        assert_eq!(read_title("- 八、《政府性基金预算财政拨款收入支出决算表》（空表）"), None);
        assert_eq!(read_title("一、收支预算总表情况说明"), None);
        assert_eq!(read_title("项目 2024 年度绩效指标设置情况见表 1。"), None);
    }

    #[test]
    fn continued_and_noted_titles() {
        let t = read_title("部门支出总体情况表（续）").unwrap();
        assert!(t.continued);
        assert_eq!(t.table_type, Some(TableType::ExpenditureByFunction));
        assert_eq!(kind("2026 年市级重点专项资金绩效目标表 (一级项目 )"), None);
    }
}
