//! What each table type's printed columns mean: ONE alias table from printed header text to
//! contract column, shared by every layout. A new template variant is one line here.

use crate::model::{DocKind, Side, TableType};
use crate::normalize::strip_ws;

/// Who an alias applies to: both kinds, or one kind's templates only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum For {
    Any,
    Kind(DocKind),
}

/// Printed header text (normalised by [`normalize_header`]; a `/` joins a group and its
/// sub-column) -> contract column. An alias only applies to a table whose contract columns
/// include its column, so one text can mean different columns in different table types only
/// through its group (`财政拨款/小计` vs `非财政拨款/小计`). Matched on the longest suffix of
/// the header path first.
const ALIASES: &[(&str, &str, For)] = &[
    // Totals.
    ("合计", "total", For::Any),
    ("总计", "total", For::Any),
    ("小计", "total", For::Any),
    ("支出总计", "total", For::Any),
    ("支出合计", "total", For::Any),
    ("收入总计", "total", For::Any),
    ("收入合计", "total", For::Any),
    ("本年收入合计", "total", For::Any),
    ("本年支出合计", "total", For::Any),
    ("本年支出/合计", "total", For::Any),
    ("本年支出/小计", "total", For::Any),
    ("项目支出合计", "total", For::Any),
    ("金额", "total", For::Any),
    ("预算数", "total", For::Kind(DocKind::Budget)),
    ("决算数", "total", For::Kind(DocKind::Final)),
    // The two-sided summary's one amount column (where the expenditure side splits its total,
    // the total column).
    ("金额", "amount", For::Any),
    ("合计", "amount", For::Any),
    ("小计", "amount", For::Any),
    ("预算数", "amount", For::Kind(DocKind::Budget)),
    ("本年预算数", "amount", For::Kind(DocKind::Budget)),
    ("预算金额", "amount", For::Kind(DocKind::Budget)),
    ("决算数", "amount", For::Kind(DocKind::Final)),
    // Expenditure splits.
    ("基本支出", "basic", For::Any),
    ("项目支出", "project", For::Any),
    ("上缴上级支出", "remit_to_higher", For::Any),
    ("经营支出", "operating", For::Any),
    ("事业单位经营支出", "operating", For::Any),
    ("对附属单位补助支出", "affiliate_subsidy", For::Any),
    ("人员经费", "personnel", For::Any),
    ("公用经费", "public", For::Any),
    ("基本支出/人员经费", "personnel", For::Any),
    ("基本支出/公用经费", "public", For::Any),
    // Revenue sources.
    ("财政拨款", "fiscal_subtotal", For::Any),
    ("财政拨款收入", "fiscal_subtotal", For::Kind(DocKind::Budget)),
    ("财政拨款收入", "fiscal_appropriation", For::Kind(DocKind::Final)),
    ("财政拨款/小计", "fiscal_subtotal", For::Any),
    ("财政拨款(补助)/小计", "fiscal_subtotal", For::Any),
    ("财政拨款(补助)小计", "fiscal_subtotal", For::Any),
    ("财政拨款(补助)", "fiscal_subtotal", For::Any),
    ("财政拨款/合计", "fiscal_subtotal", For::Any),
    ("一般公共预算", "general_budget", For::Any),
    ("一般公共预算拨款", "general_budget", For::Any),
    ("一般公共预算拨款收入", "general_budget", For::Any),
    ("一般公共预算财政拨款", "general_budget", For::Any),
    ("一般公共预算资金", "general_budget", For::Any),
    ("上级一般公共预算安排的转移支付", "general_budget_transfer", For::Any),
    ("上级一般公共预算转移支付", "general_budget_transfer", For::Any),
    ("政府性基金预算", "gov_fund", For::Any),
    ("政府性基金预算拨款", "gov_fund", For::Any),
    ("政府性基金预算拨款收入", "gov_fund", For::Any),
    ("政府性基金预算财政拨款", "gov_fund", For::Any),
    ("政府性基金", "gov_fund", For::Any),
    ("上级政府性基金预算安排的转移支付", "gov_fund_transfer", For::Any),
    ("上级政府性基金预算转移支付", "gov_fund_transfer", For::Any),
    ("上级政府性基金安排的转移支付", "gov_fund_transfer", For::Any),
    ("国有资本经营预算", "state_capital", For::Any),
    ("国有资本经营预算拨款", "state_capital", For::Any),
    ("国有资本经营预算拨款收入", "state_capital", For::Any),
    ("国有资本经营预算财政拨款", "state_capital", For::Any),
    // 公开04表 of some templates prints the word cut short.
    ("国有资本经营预算财政", "state_capital", For::Any),
    ("上级国有资本经营预算安排的转移支付", "state_capital_transfer", For::Any),
    ("上级国有资本经营预算转移支付", "state_capital_transfer", For::Any),
    ("上级国有资本经营安排的转移支付", "state_capital_transfer", For::Any),
    ("财政专户管理资金", "special_account", For::Any),
    ("财政专户管理资金收入", "special_account", For::Any),
    ("财政专户", "special_account", For::Any),
    ("财政专户(教育收费)", "special_account", For::Any),
    ("纳入财政专户管理的收入", "special_account", For::Any),
    ("单位资金", "unit_funds", For::Any),
    ("单位资金/小计", "unit_funds", For::Any),
    ("单位资金/合计", "unit_funds", For::Any),
    ("财政拨款结转", "fiscal_carryover", For::Any),
    ("财政拨款结转结余", "fiscal_carryover", For::Any),
    ("财政拨款结余、结转", "fiscal_carryover", For::Any),
    ("非财政拨款结转结余", "nonfiscal_carryover", For::Any),
    ("非财政拨款结转", "nonfiscal_carryover", For::Any),
    ("非财政拨款结余、结转", "nonfiscal_carryover", For::Any),
    ("上年结转", "prior_carryover", For::Any),
    ("上年结余", "prior_carryover", For::Any),
    ("上年结转结余", "prior_carryover", For::Any),
    ("上年结余、结转", "prior_carryover", For::Any),
    ("上年结余结转", "prior_carryover", For::Any),
    ("上年结转和结余", "prior_carryover", For::Any),
    ("用事业基金弥补收支差额", "reserve_drawdown", For::Any),
    ("上级补助收入", "higher_subsidy", For::Any),
    ("事业收入", "business_income", For::Any),
    ("教育收费", "education_fees", For::Any),
    ("经营收入", "operating_income", For::Any),
    ("事业单位经营收入", "operating_income", For::Any),
    ("附属单位上缴收入", "affiliate_remittance", For::Any),
    ("其他收入", "other_income", For::Any),
    // Government-fund and state-capital finals.
    ("年初结转和结余", "opening_balance", For::Any),
    ("本年收入", "income", For::Any),
    ("年末结转和结余", "closing_balance", For::Any),
    ("年末结转和结余/小计", "closing_balance", For::Any),
    ("年末结转和结余/结转", "closing_carryover", For::Any),
    ("年末结转和结余/结余", "closing_surplus", For::Any),
    // 表7's economic classes.
    ("工资福利支出", "wages", For::Any),
    ("商品和服务支出", "goods_services", For::Any),
    ("对个人和家庭的补助", "household_subsidy", For::Any),
    ("对个人和家庭的补助支出", "household_subsidy", For::Any),
    ("债务利息及费用支出", "debt_interest", For::Any),
    ("资本性支出(基本建设)", "capital_infra", For::Any),
    ("资本性支出", "capital", For::Any),
    ("对企业补助(基本建设)", "enterprise_subsidy_infra", For::Any),
    ("对企业补助", "enterprise_subsidy", For::Any),
    ("对社会保障基金补助", "social_security_fund", For::Any),
    ("其他支出", "other", For::Any),
    // 表11.
    ("财政拨款结转结余/小计", "fiscal_subtotal", For::Any),
    ("财政拨款/人员经费", "fiscal_personnel", For::Any),
    ("财政拨款/公用经费", "fiscal_public", For::Any),
    ("财政拨款/项目支出", "fiscal_project", For::Any),
    ("财政拨款/基本支出/人员经费", "fiscal_personnel", For::Any),
    ("财政拨款/基本支出/公用经费", "fiscal_public", For::Any),
    ("非财政拨款/小计", "nonfiscal_subtotal", For::Any),
    ("非财政拨款/合计", "nonfiscal_subtotal", For::Any),
    ("非财政拨款/基本支出/人员经费", "nonfiscal_personnel", For::Any),
    ("非财政拨款/基本支出/公用经费", "nonfiscal_public", For::Any),
    ("非财政拨款/人员经费", "nonfiscal_personnel", For::Any),
    ("非财政拨款/公用经费", "nonfiscal_public", For::Any),
    ("非财政拨款/项目支出", "nonfiscal_project", For::Any),
];

/// The canonical printed name of a contract column: the header a template layout prints.
pub fn printed_name(column: &str) -> &'static str {
    match column {
        "total" => "合计",
        "amount" => "金额",
        "fiscal_subtotal" => "财政拨款(补助)/小计",
        "fiscal_appropriation" => "财政拨款收入",
        "special_account" => "财政专户管理资金",
        "fiscal_carryover" => "财政拨款结转",
        "nonfiscal_carryover" => "非财政拨款结转结余",
        "prior_carryover" => "上年结转",
        "closing_carryover" => "年末结转和结余/结转",
        "closing_surplus" => "年末结转和结余/结余",
        "fiscal_personnel" => "财政拨款/人员经费",
        "fiscal_public" => "财政拨款/公用经费",
        "fiscal_project" => "财政拨款/项目支出",
        "nonfiscal_subtotal" => "非财政拨款/小计",
        "nonfiscal_personnel" => "非财政拨款/人员经费",
        "nonfiscal_public" => "非财政拨款/公用经费",
        "nonfiscal_project" => "非财政拨款/项目支出",
        other => ALIASES.iter().find(|(_, c, _)| *c == other).map(|(t, _, _)| *t).unwrap_or("?"),
    }
}

/// Header text as the alias table spells it: no white space, ASCII parentheses, no `其中：`,
/// no leading year (`2026年预算数`) and no trailing unit (`（万元）`).
pub fn normalize_header(text: &str) -> String {
    let mut s = strip_ws(text).replace('（', "(").replace('）', ")").replace('：', ":");
    for unit in ["(万元)", "(元)"] {
        if let Some(rest) = s.strip_suffix(unit) {
            s = rest.to_string();
        }
    }
    if let Some(rest) = s.strip_prefix("其中:") {
        s = rest.to_string();
    }
    let digits = s.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits == 4 && s[digits..].starts_with('年') {
        s = s[digits + '年'.len_utf8()..].to_string();
    }
    s
}

/// The contract columns a table's printed columns may mean (one side of a two-sided table).
fn vocabulary(table_type: TableType, side: Option<Side>) -> &'static [&'static str] {
    match (table_type, side) {
        (TableType::RevenueExpenditureSummary, _) => &["amount"],
        (TableType::FiscalSummary, Some(Side::Revenue)) => &["total"],
        _ => table_type.output_columns(),
    }
}

/// The contract column a printed header path means, or `None` when no alias matches: the
/// longest suffix of the path that the alias table names wins.
pub fn column_for(table_type: TableType, kind: DocKind, side: Option<Side>, path: &[String]) -> Option<&'static str> {
    column_match(table_type, kind, side, path).map(|(c, _)| c)
}

/// As [`column_for`], with how many printed path elements the match left unexplained (the
/// groups above the matched suffix): the fewer, the surer.
pub fn column_match(
    table_type: TableType,
    kind: DocKind,
    side: Option<Side>,
    path: &[String],
) -> Option<(&'static str, usize)> {
    let vocabulary = vocabulary(table_type, side);
    let parts: Vec<String> = path.iter().map(|p| normalize_header(p)).filter(|p| !p.is_empty()).collect();
    // `基本支出/小计`, `财政拨款(补助)/财政拨款(补助)小计`: a group's own subtotal column means
    // what the group means.
    if let [.., group, leaf] = parts.as_slice() {
        let own = leaf.strip_prefix(group.as_str()).unwrap_or(leaf);
        if matches!(own, "小计" | "合计") {
            let groups: Vec<String> = parts[..parts.len() - 1].to_vec();
            if let Some(m) = column_match(table_type, kind, side, &groups) {
                return Some(m);
            }
        }
    }
    (0..parts.len()).find_map(|from| {
        let key = parts[from..].join("/");
        ALIASES
            .iter()
            .filter(|(_, c, f)| vocabulary.contains(c) && (*f == For::Any || *f == For::Kind(kind)))
            .find(|(text, _, _)| *text == key)
            .map(|(_, c, _)| (*c, from))
    })
}

/// The single-cell header words (no group path) that name a contract column of the table
/// (one side of a two-sided table), normalised, with their column: what a layout without
/// positions can read from a header's text.
pub fn column_words(table_type: TableType, kind: DocKind, side: Option<Side>) -> Vec<(String, &'static str)> {
    let vocabulary = vocabulary(table_type, side);
    ALIASES
        .iter()
        .filter(|(text, c, f)| {
            !text.contains('/') && vocabulary.contains(c) && (*f == For::Any || *f == For::Kind(kind))
        })
        .map(|(text, c, _)| (normalize_header(text), *c))
        .collect()
}

/// Is `word` (normalised) printed as a group over some of `columns` (`基本支出` over 人员经费 and
/// 公用经费)? Such a word names no column of its own.
pub fn is_group_of(word: &str, columns: &[&str]) -> bool {
    ALIASES.iter().any(|(text, c, _)| {
        text.split_once('/').is_some_and(|(group, _)| normalize_header(group) == word) && columns.contains(c)
    })
}

/// Joins a header path the way `facts.header` prints it.
pub fn header_text(path: &[String]) -> String {
    path.iter().map(|p| strip_ws(p)).filter(|p| !p.is_empty()).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(tt: TableType, kind: DocKind, path: &[&str]) -> Option<&'static str> {
        let path: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        column_for(tt, kind, None, &path)
    }

    #[test]
    fn aliases_by_meaning_and_group() {
        let rev = TableType::RevenueByFunction;
        assert_eq!(col(rev, DocKind::Budget, &["财政拨款（补助）", "小计"]), Some("fiscal_subtotal"));
        assert_eq!(col(rev, DocKind::Budget, &["财政拨款收入"]), Some("fiscal_subtotal"));
        assert_eq!(col(rev, DocKind::Final, &["财政拨款收入"]), Some("fiscal_appropriation"));
        assert_eq!(col(rev, DocKind::Budget, &["本年收入", "单位资金", "事业单位经营 收入"]), Some("operating_income"));
        assert_eq!(col(rev, DocKind::Budget, &["财政专户（教育收费）"]), Some("special_account"));
        assert_eq!(
            col(rev, DocKind::Budget, &["财 政 拨 款 ( 补 助 )", "财政拨款(补助)小计"]),
            Some("fiscal_subtotal")
        );
        assert_eq!(col(rev, DocKind::Budget, &["上级政府性基金安排的转移支付"]), Some("gov_fund_transfer"));
        assert_eq!(col(rev, DocKind::Budget, &["上年结余、结转"]), Some("prior_carryover"));
        assert_eq!(col(rev, DocKind::Budget, &["收入总计"]), Some("total"));
        assert_eq!(col(rev, DocKind::Budget, &["本年收入", "财政拨款", "一般公共预算拨款"]), Some("general_budget"));
        assert_eq!(col(rev, DocKind::Budget, &["2026年政府采购项目"]), None);
        let exp = TableType::ExpenditureByFunction;
        assert_eq!(col(exp, DocKind::Budget, &["支出总计"]), Some("total"));
        assert_eq!(col(exp, DocKind::Budget, &["基本支出"]), Some("basic"));
        // `其他收入` is not an expenditure column: it maps to nothing there.
        assert_eq!(col(exp, DocKind::Budget, &["其他收入"]), None);
        let c = TableType::Carryover;
        assert_eq!(col(c, DocKind::Budget, &["非财政拨款", "人员经费"]), Some("nonfiscal_personnel"));
        assert_eq!(col(c, DocKind::Budget, &["财政拨款", "人员经费"]), Some("fiscal_personnel"));
        assert_eq!(col(c, DocKind::Budget, &["非财政拨款", "合计"]), Some("nonfiscal_subtotal"));
        assert_eq!(col(c, DocKind::Budget, &["非财政拨款", "基本支出", "公用 经费"]), Some("nonfiscal_public"));
        let s = TableType::RevenueExpenditureSummary;
        assert_eq!(col(s, DocKind::Budget, &["2026 年预算数"]), Some("amount"));
    }
}
