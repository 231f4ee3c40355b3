//! `aligned_text` (`pdftotext -layout`) templates of other regions on excerpts of real
//! documents: which printed header heads which column, total rows, two-sided sides.

use budget_etl::extract::{extract, Extracted};
use budget_etl::model::{Row, Side, Table, TableType};
use rust_decimal::Decimal;

/// A budget document holding `tables` (each a title line and its lines as pdftotext printed
/// them).
fn budget(tables: &[&str]) -> Extracted {
    extract(&format!("烟台市统计局2026年部门预算\n\n{}", tables.join("\n\n")))
}

fn table(ex: &Extracted, tt: TableType) -> &Table {
    ex.tables.iter().find(|t| t.table_type == tt).expect("table listed")
}

fn dec(s: &str) -> Option<Decimal> {
    Some(s.parse().unwrap())
}

fn total_row(t: &Table) -> &Row {
    t.rows.iter().find(|r| r.key.level == Some(0) && r.key.unit.is_none()).expect("a total row")
}

/// 烟台 公开表3 (excerpt): pdftotext packs the CJK header to the left of the numbers, so 合计
/// is printed left of where the first column's numbers start (but right of every label).
const EXPENDITURE_HEADER_LEFT_OF_NUMBERS: &str = "                                          支出总体情况表
部门（单位）：烟台市统计局                                                                                    单位：万元

       科目编码
                                  科目名称       合计              基本支出              项目支出            结转下年
 类      款     项

                   合   计                          2,123.11          1,704.11          419.00

 201               一般公共服务支出                       1,506.40          1,180.40          326.00

        05          统计信息事务                        1,506.40          1,180.40          326.00

              01       行政运行                         588.75            588.75

              02       一般行政管理事务                      41.00                             41.00";

#[test]
fn a_header_printed_left_of_its_numbers_heads_the_first_column() {
    let ex = budget(&[EXPENDITURE_HEADER_LEFT_OF_NUMBERS]);
    let t = table(&ex, TableType::ExpenditureByFunction);
    let total = total_row(t);
    assert_eq!(total.value("total"), Some(dec("2123.11")));
    assert_eq!(total.value("basic"), Some(dec("1704.11")));
    assert_eq!(total.value("project"), Some(dec("419.00")));
    // 科目名称 heads the labels, not a value column.
    assert!(t.rows[0].columns.iter().all(|c| !c.header.contains("科目")), "{:?}", t.rows[0].columns);
}

/// 深圳 表1 (excerpt): the amount columns are headed `2026 年预算数`, the year a word of its
/// own, printed left of the numbers.
const SUMMARY_YEAR_HEADER: &str = "                                               收支总表
部门名称：深圳市信访局                                                                                     单位：万元

                      收   入                                                 支   出

              项   目           2026 年预算数                            项   目            2026 年预算数

一、财政拨款                                     4,676.96   一、一般公共服务支出                                 3,459.13

 1.一般公共预算拨款                                4,676.96    信访事务                                      3,459.13

 2.政府性基金预算拨款                                   0.00      行政运行                                    1,866.84

          本年收入合计                               4,676.96               本年支出合计                        4,684.30

           收入总计                                4,684.30                支出总计                         4,684.30
     注：财政拨款收支情况包括一般公共预算、政府性基金预算、国有资本经营预算拨款收支情况；本套报表金额单位转换时可能存在尾数误差。

";

#[test]
fn a_year_before_its_header_word_is_part_of_it() {
    let ex = budget(&[SUMMARY_YEAR_HEADER]);
    let t = table(&ex, TableType::RevenueExpenditureSummary);
    let item = |side: Side, name: &str| {
        let r = t.rows.iter().find(|r| r.key.side == Some(side) && r.key.item.as_deref() == Some(name));
        r.unwrap_or_else(|| panic!("no {name}")).value("amount")
    };
    assert_eq!(item(Side::Revenue, "一般公共预算拨款"), Some(dec("4676.96")));
    assert_eq!(item(Side::Expenditure, "信访事务"), Some(dec("3459.13")));
    assert_eq!(item(Side::Revenue, "收入总计"), Some(dec("4684.30")));
    assert_eq!(item(Side::Expenditure, "支出总计"), Some(dec("4684.30")));
    assert_eq!(t.rows[0].columns.iter().next().map(|c| c.header.as_str()), Some("2026年预算数"));
}

fn three_public_total(t: &Table) -> Option<Decimal> {
    let r = t.rows.iter().find(|r| r.key.item.as_deref() == Some("total") && r.key.basis == Some("budget"));
    r.and_then(|r| r.value("total")).flatten()
}

fn three_public_item(t: &Table, item: &str) -> Option<Decimal> {
    let r = t.rows.iter().find(|r| r.key.item.as_deref() == Some(item));
    r.and_then(|r| r.value("total")).flatten()
}

/// 上海 普陀 三公 table (excerpt): group cells printed left of their columns (pdftotext packs
/// CJK text left), a group (`公务用车购置及运行费`) under a wider one (`“三公”经费预算数`),
/// notes under the table that name an item in a sentence.
const THREE_PUBLIC_NESTED_GROUPS: &str = "                     2026年部门“三公”经费和机关运行经费预算表
编制部门：上海市普陀区司法局                                                                  单位:万元

                                 “三公”经费预算数
                                                                             机关运行经费预算
                                                 公务用车购置及运行费
                                                                                 数
   合计           因公出国(境)费       公务接待费
                                          小计          购置费       运行费



        10.81              0       0.83        9.98         0         9.98        217.83
                              其他相关情况说明

  一、2026年“三公”经费预算情况说明
   （三）公务接待费0.83万元。与2025年预算持平，主要原因是公务接待无变化。";

#[test]
fn nested_group_cells_fitted_from_the_lowest_group_up() {
    let ex = budget(&[THREE_PUBLIC_NESTED_GROUPS]);
    let t = table(&ex, TableType::ThreePublic);
    assert_eq!(three_public_total(t), dec("10.81"), "{:#?}", t.rows);
    assert_eq!(three_public_item(t, "official_reception"), dec("0.83"));
    assert_eq!(three_public_item(t, "vehicles"), dec("9.98"));
    assert_eq!(three_public_item(t, "vehicle_operation"), dec("9.98"));
    assert_eq!(three_public_item(t, "overseas_travel"), dec("0"));
}

/// A 三公 table with its items in rows and its columns in year blocks (generated): the
/// earlier year's 合计 is a comparison, not this budget's total.
const THREE_PUBLIC_YEAR_BLOCKS: &str = "                 财政拨款“三公”经费支出情况表
编制部门：某局                                                      单位：万元
                              2025年                           2026年
  项目                     合计          一般公共预算              合计          一般公共预算
  合计                    3.00            3.00            4.00            4.00
  公务接待费                 3.00            3.00            4.00            4.00";

#[test]
fn the_latest_year_block_is_the_budget() {
    let ex = budget(&[THREE_PUBLIC_YEAR_BLOCKS]);
    let t = table(&ex, TableType::ThreePublic);
    assert_eq!(three_public_total(t), dec("4.00"), "{:#?}", t.rows);
    assert_eq!(three_public_item(t, "official_reception"), dec("4.00"));
}
