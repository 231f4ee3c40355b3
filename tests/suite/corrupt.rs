//! One printed number is altered at a time in a copy of a real document (made here, never
//! committed); exactly the identities that involve it must fail, naming the right row.

use crate::common;

use budget_etl::config::Settings;
use budget_etl::model::CheckStatus;
use budget_etl::run::process_bytes;
use std::collections::BTreeSet;

type Fails = BTreeSet<(String, Option<String>)>;

fn fails(name: &str, text: &str) -> Fails {
    let out = process_bytes(name, text.as_bytes(), &Settings::default());
    out.checks
        .iter()
        .filter(|c| c.status == CheckStatus::Fail)
        .map(|c| (c.check_id.clone(), c.row_ref.clone()))
        .collect()
}

/// Replaces the one line that starts with `line_start` and contains `old`.
fn edit(text: &str, line_start: &str, old: &str, new: &str) -> String {
    edit_nth(text, line_start, old, new, 1, 1)
}

/// Replaces the `nth` of the `count` lines that start with `line_start` and contain `old`.
fn edit_nth(text: &str, line_start: &str, old: &str, new: &str, nth: usize, count: usize) -> String {
    let mut hits = 0;
    let out: Vec<String> = text
        .split('\n')
        .map(|l| {
            if l.starts_with(line_start) && l.contains(old) {
                hits += 1;
                if hits == nth {
                    l.replacen(old, new, 1)
                } else {
                    l.to_string()
                }
            } else {
                l.to_string()
            }
        })
        .collect();
    assert_eq!(hits, count, "edit target {line_start:?}/{old:?} must match {count} line(s)");
    out.join("\n")
}

fn expect(doc_prefix: &str, line_start: &str, old: &str, new: &str, expected: &[(&str, Option<&str>)]) {
    let Some(shared) = common::shared_or_skip("corrupted documents") else { return };
    let (name, bytes) = common::real_documents(&shared).into_iter().find(|(n, _)| n.starts_with(doc_prefix)).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let before = fails(&name, &text);
    let after = fails(&name, &edit(&text, line_start, old, new));
    assert!(before.is_subset(&after), "{name}: an edit must not hide the document's own failures");
    let new_fails: Fails = after.difference(&before).cloned().collect();
    let want: Fails = expected.iter().map(|(c, r)| (c.to_string(), r.map(str::to_string))).collect();
    assert_eq!(new_fails, want, "{name}: editing {line_start:?} {old}->{new}");
}

#[test]
fn balance() {
    expect("004", "总计\t30\t", "185.62", "186.62", &[("balance", None)]);
}

#[test]
fn summary_classes() {
    expect("004", "\t9\t\t九、卫生健康支出\t39", "7.27", "8.27", &[("summary_classes", Some("本年支出合计"))]);
}

#[test]
fn row_sum_in_general_budget_table() {
    let Some(shared) = common::shared_or_skip("row_sum_in_general_budget_table") else { return };
    let (name, bytes) = common::real_documents(&shared).into_iter().find(|(n, _)| n.starts_with("004")).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    // The 公开05表 line of 行政运行 is the only one with exactly three values.
    let target = "2010301\t\t\t行政运行\t107.02\t107.02\t0.00\r";
    let target = if text.contains(target) { target.to_string() } else { target.trim_end_matches('\r').to_string() };
    let edited =
        text.replacen(&format!("{target}\n"), &format!("{}\n", target.replacen("107.02\t0.00", "109.02\t0.00", 1)), 1);
    assert_ne!(edited, text, "the 公开05表 行政运行 line must be found");
    let before = fails(&name, &text);
    let after = fails(&name, &edited);
    let new_fails: Fails = after.difference(&before).cloned().collect();
    let want: Fails = [("row_sum", "2010301"), ("hierarchy", "20103")]
        .iter()
        .map(|(c, r)| (c.to_string(), Some(r.to_string())))
        .collect();
    assert_eq!(new_fails, want);
}

#[test]
fn hierarchy() {
    // One economic line of 公开06表: its class no longer adds up (total and personnel).
    expect("004", "30101\t基本工资\t29.74", "29.74", "30.74", &[("hierarchy", Some("301"))]);
}

#[test]
fn three_public_sum() {
    // 公开07表 决算数 公务用车运行维护费 (the 11th figure of the row).
    expect(
        "004",
        "1.26\t0.00\t1.26\t0.00\t1.26\t0.00\t1.26",
        "1.26\t0.00\t1.26\t0.00\t1.26\t0.00\t1.26\t0.00\t1.26\t0.00\t1.26\t0.00",
        "1.26\t0.00\t1.26\t0.00\t1.26\t0.00\t1.26\t0.00\t1.26\t0.00\t1.36\t0.00",
        &[("three_public_sum", Some("vehicles/actual"))],
    );
}

#[test]
fn revenue_total_match() {
    expect(
        "004",
        "本年收入合计\t27\t185.62\t本年支出合计\t57",
        "\t27\t185.62",
        "\t27\t186.62",
        &[("revenue_total_match", None)],
    );
}

#[test]
fn expenditure_total_match() {
    expect(
        "004",
        "本年收入合计\t27\t185.62\t本年支出合计\t57",
        "\t57\t185.62",
        "\t57\t186.62",
        &[("expenditure_total_match", None), ("summary_classes", Some("本年支出合计"))],
    );
}

#[test]
fn fiscal_class_match() {
    expect(
        "003",
        "\t\t221 住房保障支出\t26.21",
        "\t26.21\t26.21",
        "\t27.21\t26.21",
        &[("fiscal_class_match", Some("221")), ("row_sum", Some("221")), ("summary_classes", Some("支出总计"))],
    );
}

#[test]
fn general_budget_match() {
    expect(
        "004",
        "\t19\t\t十九、住房保障支出\t51",
        "7.64\t7.64",
        "7.64\t8.64",
        &[("general_budget_match", Some("221")), ("row_sum", Some("221")), ("summary_classes", Some("本年支出合计"))],
    );
}

#[test]
fn basic_match() {
    expect("004", "人员经费合计", "136.47", "137.47", &[("basic_match", None), ("hierarchy", Some("合计"))]);
}

#[test]
fn project_match_in_pdf_text() {
    // 表7's grand total in a pdf_text document: the economic columns stay undetermined, the
    // total is still placed and checked against 表5.
    expect(
        "001",
        "总计 216.80 216.80",
        "总计 216.80 216.80",
        "总计 217.80 217.80",
        &[("project_match", None), ("hierarchy", Some("总计"))],
    );
}

#[test]
fn pdf_text_row_numbers_are_checked_after_placement() {
    // 表3 行政运行 in a pdf_text document (the same line stands again in 表5): 192.76 -> 193.76.
    // The 款's project column still proves the number is basic; its total and basic no longer add up.
    let Some(shared) = common::shared_or_skip("pdf_text_row_numbers_are_checked_after_placement") else { return };
    let (name, bytes) = common::real_documents(&shared).into_iter().find(|(n, _)| n.starts_with("000")).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let edited = edit_nth(&text, "201 03 01 行政运行 192.76 192.76", "192.76 192.76", "193.76 193.76", 2, 3);
    let before = fails(&name, &text);
    let out = process_bytes(&name, edited.as_bytes(), &Settings::default());
    let after: Fails = out
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Fail)
        .map(|c| (c.check_id.clone(), c.row_ref.clone()))
        .collect();
    let new_fails: Fails = after.difference(&before).cloned().collect();
    assert_eq!(new_fails, [("hierarchy".to_string(), Some("20103".to_string()))].into_iter().collect::<Fails>());
    let row = out
        .rows
        .iter()
        .find(|(t, r)| t.as_str() == "expenditure_by_function" && r.key.code.as_deref() == Some("2010301"))
        .map(|(_, r)| r.values.clone())
        .unwrap();
    let yuan = |s: &str| Some(s.parse::<rust_decimal::Decimal>().unwrap());
    assert_eq!(row[..3], [yuan("1937600"), yuan("1937600"), None]);
}
