//! Column assignment in `pdf_text` (blank cells dropped): a number is placed only where the
//! document proves its column, never by an assumed meaning or by which identity failed first.

use budget_etl::checks::CheckRow;
use budget_etl::extract::{extract, Extracted};
use budget_etl::model::{Cells, CheckStatus, Row, TableType};
use rust_decimal::Decimal;

/// A budget with one `pdf_text` table (number, title, header words, numbering line, rows).
fn budget(number: &str, title: &str, header: &str, numbering: &str, rows: &str) -> Extracted {
    let text = format!(
        "示例单位2025年部门预算公开\n\n 表 {number}\n\n{title}\n\n编制单位：示例单位 单位：万元\n\n{header}\n\n{numbering}\n\n{rows}\n"
    );
    extract(&text)
}

fn table_rows(ex: &Extracted, tt: TableType) -> &[Row] {
    &ex.tables.iter().find(|t| t.table_type == tt).unwrap_or_else(|| panic!("no {}", tt.as_str())).rows
}

fn row<'a>(rows: &'a [Row], code: &str) -> &'a Row {
    rows.iter().find(|r| r.key.code.as_deref() == Some(code)).unwrap_or_else(|| panic!("no row {code}"))
}

fn value(r: &Row, column: &str) -> Option<Decimal> {
    match &r.cells {
        Cells::Placed(_) => r.value(column).flatten(),
        Cells::Unplaced(_) => panic!("row {:?} left unplaced", r.key.code),
    }
}

fn ambiguous<'a>(ex: &'a Extracted, row_ref: &str) -> Vec<&'a CheckRow> {
    ex.checks.iter().filter(|c| c.check_id == "column_ambiguous" && c.row_ref.as_deref() == Some(row_ref)).collect()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

const ECONOMIC_HEADER: &str = "经济分类科目编码 经济分类科目名称 合计 人员经费 公用经费";

#[test]
fn a_302_row_no_identity_places_stays_null_and_is_reported() {
    // No total row: nothing in the document says whether 302's 40.00 is 人员经费 or 公用经费.
    let ex = budget(
        "6",
        "一般公共预算基本支出情况表",
        ECONOMIC_HEADER,
        "※ ※ ※ 1 2 3",
        "301 工资福利支出 60.00 60.00\n\n302 商品和服务支出 40.00 40.00",
    );
    let rows = table_rows(&ex, TableType::BasicExpenditureByEconomic);
    let r302 = row(rows, "302");
    assert_eq!(value(r302, "total"), Some(dec("40.00")));
    assert_eq!(value(r302, "public"), None);
    assert_eq!(value(r302, "personnel"), None);
    let amb = ambiguous(&ex, "302");
    assert_eq!(amb.len(), 1, "{:#?}", ex.checks);
    assert_eq!(amb[0].status, CheckStatus::Ambiguous);
    assert_eq!(amb[0].column.as_deref(), Some("personnel|public"));
    assert_eq!(amb[0].actual, Some(dec("400000.00")));
    // 301 is 人员经费 by the contract.
    assert_eq!(value(row(rows, "301"), "personnel"), Some(dec("60.00")));
    assert!(ambiguous(&ex, "301").is_empty());
}

#[test]
fn a_302_row_the_totals_place_is_placed() {
    // 人员经费 total 60.00 is all 301's: 302's 40.00 can only be 公用经费.
    let ex = budget(
        "6",
        "一般公共预算基本支出情况表",
        ECONOMIC_HEADER,
        "※ ※ ※ 1 2 3",
        "总计 100.00 60.00 40.00\n\n301 工资福利支出 60.00 60.00\n\n302 商品和服务支出 40.00 40.00",
    );
    let rows = table_rows(&ex, TableType::BasicExpenditureByEconomic);
    let r302 = row(rows, "302");
    assert_eq!(value(r302, "public"), Some(dec("40.00")));
    assert_eq!(value(r302, "personnel"), None);
    assert!(ex.checks.iter().all(|c| c.check_id != "column_ambiguous"), "{:#?}", ex.checks);
}

#[test]
fn contradictory_identities_place_only_what_every_consistent_subset_agrees_on() {
    // The total row misprints 项目支出 (60.00 + 60.00 ≠ 100.00). With its 基本支出 the two rows
    // are basic / project; with its 项目支出 they are project / basic. Neither is proved.
    let ex = budget(
        "3",
        "支出总体情况表",
        "科目编码 科目名称 合计 基本支出 项目支出",
        "※ ※ ※ ※ 1 2 3",
        "总计 100.00 60.00 60.00\n\n201 03 01 行政运行 60.00 60.00\n\n201 03 02 一般行政管理事务 40.00 40.00",
    );
    let rows = table_rows(&ex, TableType::ExpenditureByFunction);
    for (code, total) in [("2010301", "60.00"), ("2010302", "40.00")] {
        let r = row(rows, code);
        assert_eq!(value(r, "total"), Some(dec(total)), "{code}");
        assert_eq!(value(r, "basic"), None, "{code}");
        assert_eq!(value(r, "project"), None, "{code}");
        let amb = ambiguous(&ex, code);
        assert_eq!(amb.len(), 1, "{code}: {:#?}", ex.checks);
        assert_eq!(amb[0].column.as_deref(), Some("basic|project"));
    }
    // The misprint itself is reported.
    assert!(
        ex.checks
            .iter()
            .any(|c| c.check_id == "row_sum" && c.status == CheckStatus::Fail && c.row_ref.as_deref() == Some("总计")),
        "{:#?}",
        ex.checks
    );
}

#[test]
fn a_misprint_outside_the_placement_leaves_the_proved_values_placed() {
    // The same rows with a consistent total: both subsets agree, the rows are placed.
    let ex = budget(
        "3",
        "支出总体情况表",
        "科目编码 科目名称 合计 基本支出 项目支出",
        "※ ※ ※ ※ 1 2 3",
        "总计 100.00 60.00 40.00\n\n201 03 01 行政运行 60.00 60.00\n\n201 03 02 一般行政管理事务 40.00 40.00",
    );
    let rows = table_rows(&ex, TableType::ExpenditureByFunction);
    assert_eq!(value(row(rows, "2010301"), "basic"), Some(dec("60.00")));
    assert_eq!(value(row(rows, "2010302"), "project"), Some(dec("40.00")));
    assert!(ex.checks.iter().all(|c| c.check_id != "column_ambiguous"), "{:#?}", ex.checks);
}
