//! The rounding envelope: (n + 1) × half the last printed digit of the source.

use budget_etl::checks::CheckRow;
use budget_etl::config::{Rounding, Settings};
use budget_etl::extract::extract;
use budget_etl::inspect::inspect;
use budget_etl::run::process_bytes;

fn document(rows: &str) -> String {
    format!(
        "# 示例单位\n## 2025 年部门预算公开表\n表 6\n### 一般公共预算基本支出情况表\n编制部门：示例单位\n单位：万元\n\
         经济分类科目编码\t\t经济分类科目名称\t合计\t人员经费\t公用经费\n{rows}"
    )
}

fn status(text: &str, check_id: &str, row_ref: &str, column: &str) -> String {
    let ex = extract(text);
    ex.checks
        .iter()
        .find(|c| {
            c.check_id == check_id && c.row_ref.as_deref() == Some(row_ref) && c.column.as_deref() == Some(column)
        })
        .map(|c| c.status.to_string())
        .unwrap_or_else(|| panic!("no {check_id} {row_ref} {column} check: {:#?}", ex.checks))
}

#[test]
fn a_cent_over_five_figures_is_rounding() {
    // 301 prints 10.01 over five sub-rows that add up to 10.00 (0.01 万元 <= 6 × 0.005).
    let rows = "301\t\t工资福利支出\t10.01\t10.01\t\n301\t1\t基本工资\t2.00\t2.00\t\n301\t2\t津贴补贴\t2.00\t2.00\t\n\
                301\t3\t奖金\t2.00\t2.00\t\n301\t8\t机关事业单位基本养老保险缴费\t2.00\t2.00\t\n301\t13\t住房公积金\t2.00\t2.00\t\n";
    assert_eq!(status(&document(rows), "hierarchy", "301", "total"), "rounding");
    let exact = rows.replace("10.01\t10.01", "10.00\t10.00");
    assert_eq!(status(&document(&exact), "hierarchy", "301", "total"), "pass");
}

#[test]
fn four_cents_over_two_figures_is_a_failure() {
    // 302 prints 3.04 over two sub-rows that add up to 3.00 (0.04 万元 > 3 × 0.005).
    let rows = "302\t\t商品和服务支出\t3.04\t\t3.04\n302\t1\t办公费\t1.00\t\t1.00\n302\t7\t邮电费\t2.00\t\t2.00\n";
    assert_eq!(status(&document(rows), "hierarchy", "302", "total"), "fail");
    let one_cent = rows.replace("3.04", "3.01");
    assert_eq!(status(&document(&one_cent), "hierarchy", "302", "total"), "rounding");
}

#[test]
fn strict_rounding_inspect_and_run_agree() {
    // The same one-cent difference over five figures: under `rounding = "strict"` it fails, in
    // what `run` publishes and in what `inspect` prints.
    let rows = "301\t\t工资福利支出\t10.01\t10.01\t\n301\t1\t基本工资\t2.00\t2.00\t\n301\t2\t津贴补贴\t2.00\t2.00\t\n\
                301\t3\t奖金\t2.00\t2.00\t\n301\t8\t机关事业单位基本养老保险缴费\t2.00\t2.00\t\n301\t13\t住房公积金\t2.00\t2.00\t\n";
    let text = document(rows);
    let settings = Settings { rounding: Rounding::Strict, ..Settings::default() };
    let published = process_bytes("strict.md", text.as_bytes(), &settings);
    let check = |c: &&CheckRow| c.check_id == "hierarchy" && c.row_ref.as_deref() == Some("301");
    let run_status: Vec<&str> = published.checks.iter().filter(check).map(|c| c.status.as_str()).collect();
    // The public column prints nothing in these rows: its hierarchy check is `skipped`.
    let evaluated: Vec<&str> = run_status.iter().copied().filter(|s| *s != "skipped").collect();
    assert_eq!(evaluated, ["fail", "fail"], "{:#?}", published.checks);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strict.md");
    std::fs::write(&path, &text).unwrap();
    let printed = inspect(&path, &settings).unwrap();
    // Each listed check: `status check_id row_ref message`.
    let inspect_status: Vec<&str> = printed
        .lines()
        .map(str::split_whitespace)
        .filter_map(|mut w| {
            let status = w.next()?;
            (w.next() == Some("hierarchy") && w.next() == Some("301")).then_some(status)
        })
        .collect();
    // inspect lists every check that is neither `pass` nor `skipped`.
    assert_eq!(inspect_status, evaluated, "inspect printed:\n{printed}");
}

fn row_sum_of(text: &str, row_ref: &str) -> Vec<(String, String)> {
    let ex = extract(text);
    ex.checks
        .iter()
        .filter(|c| c.check_id == "row_sum" && c.row_ref.as_deref() == Some(row_ref))
        .map(|c| (c.status.to_string(), c.message.clone()))
        .collect()
}

#[test]
fn a_total_with_blank_parts_is_checked() {
    // 合计 prints 100.00 with 人员经费 and 公用经费 blank, while other rows of the table print
    // both columns: the parts add up to 0, so the row fails instead of producing no check.
    let rows = "\t\t合计\t100.00\t\t\n301\t\t工资福利支出\t60.00\t60.00\t\n302\t\t商品和服务支出\t40.00\t\t40.00\n";
    let got = row_sum_of(&document(rows), "合计");
    assert_eq!(got.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(), ["fail"], "{got:?}");
    // No row prints either part: the template may print totals only, so it is skipped, saying why.
    let totals_only = "\t\t合计\t100.00\t\t\n301\t\t工资福利支出\t60.00\t\t\n302\t\t商品和服务支出\t40.00\t\t\n";
    let got = row_sum_of(&document(totals_only), "合计");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "skipped", "{got:?}");
    assert!(got[0].1.contains("parts are blank"), "{got:?}");
}

#[test]
fn checks_of_an_absent_table_are_skipped_not_silent() {
    // Only 表6 is printed: the summary's and 三公's own identities still yield a row each.
    let rows = "301\t\t工资福利支出\t10.00\t10.00\t\n";
    let ex = extract(&document(rows));
    for (id, table) in [
        ("balance", "revenue_expenditure_summary"),
        ("summary_classes", "revenue_expenditure_summary"),
        ("three_public_sum", "three_public"),
        ("hierarchy", "expenditure_by_function"),
    ] {
        let c = ex.checks.iter().find(|c| c.check_id == id && c.table_type == table);
        let c = c.unwrap_or_else(|| panic!("no {id} row for {table}: {:#?}", ex.checks));
        assert_eq!(c.status.as_str(), "skipped");
        assert!(c.message.contains(table), "{}", c.message);
    }
}

#[test]
fn an_identity_with_nothing_printed_is_skipped_not_silent() {
    // 公用经费 is blank in the 301 class and its children: the hierarchy check of that column
    // still yields a row, `skipped`, saying nothing is printed in it.
    let rows = "301\t\t工资福利支出\t4.00\t4.00\t\n301\t1\t基本工资\t2.00\t2.00\t\n301\t2\t津贴补贴\t2.00\t2.00\t\n";
    assert_eq!(status(&document(rows), "hierarchy", "301", "public"), "skipped");
    assert_eq!(status(&document(rows), "hierarchy", "301", "personnel"), "pass");
}

#[test]
fn every_cross_table_check_has_a_row_when_the_other_table_is_missing() {
    // Only 表6 is printed: each cross-table check id still yields a row (skipped, with why).
    let rows = "301\t\t工资福利支出\t10.00\t10.00\t\n";
    let ex = extract(&document(rows));
    for id in [
        "revenue_total_match",
        "expenditure_total_match",
        "fiscal_class_match",
        "general_budget_match",
        "basic_match",
        "project_match",
    ] {
        let c = ex.checks.iter().find(|c| c.check_id == id);
        let c = c.unwrap_or_else(|| panic!("no {id} row: {:#?}", ex.checks));
        assert_eq!(c.status.as_str(), "skipped", "{id}");
        assert!(!c.message.is_empty(), "{id}");
    }
}

#[test]
fn a_code_table_without_sub_rows_has_a_skipped_hierarchy_row() {
    // Two classes, no 合计 and no 款 rows: no parent to check, so one skipped row says why.
    let rows = "301\t\t工资福利支出\t10.00\t10.00\t\n302\t\t商品和服务支出\t5.00\t\t5.00\n";
    let ex = extract(&document(rows));
    let rows: Vec<&CheckRow> = ex.checks.iter().filter(|c| c.check_id == "hierarchy").collect();
    let mine: Vec<&&CheckRow> = rows.iter().filter(|c| c.table_type == "basic_expenditure_by_economic").collect();
    assert_eq!(mine.len(), 1, "{rows:#?}");
    assert_eq!(mine[0].status.as_str(), "skipped");
    assert!(mine[0].message.contains("sub-rows"), "{}", mine[0].message);
}
