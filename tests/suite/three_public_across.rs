//! 三公 tables printed across (`aligned_text`, and PDFs rebuilt as aligned text): the items are
//! columns, read from the printed header; the row of amounts under them drops its blank cells,
//! so each number is placed by where it sits and by the 三公 identities.

use budget_etl::extract::{extract, Extracted};
use budget_etl::model::{Cells, TableType};
use rust_decimal::Decimal;

fn doc(kind: &str, title: &str, table: &str) -> Extracted {
    extract(&format!(
        "示例局2026年部门{kind}\n\n{title}\n编制单位：示例局                                                  单位：万元\n{table}\n"
    ))
}

/// (item/basis, column) → value, and whether the document leaves it undetermined.
fn value(ex: &Extracted, slot: &str, column: &str) -> (Option<Decimal>, bool) {
    let t = ex.tables.iter().find(|t| t.table_type == TableType::ThreePublic).unwrap();
    assert_eq!(t.status.as_str(), "parsed", "{:?}", t.error);
    let r = t
        .rows
        .iter()
        .find(|r| format!("{}/{}", r.key.item.as_deref().unwrap(), r.key.basis.unwrap()) == slot)
        .unwrap_or_else(|| panic!("no {slot}"));
    let i = r.columns.position(column).unwrap_or_else(|| panic!("no column {column}"));
    let Cells::Placed(v) = &r.cells else { panic!("unplaced") };
    (v[i], r.undetermined.contains(&i))
}

fn dec(s: &str) -> (Option<Decimal>, bool) {
    (Some(s.parse().unwrap()), false)
}

const BLANK: (Option<Decimal>, bool) = (None, false);

#[test]
fn one_row_across_with_blank_cells_and_a_column_of_no_item() {
    // 上海-style: 公务接待费 printed before the 公务用车 group, a 机关运行经费 column beside the
    // 三公 items, and only two amounts printed.
    let table = "                                         “三公”经费预算数
                                                                                               机关运行经费预算
                                                                公务用车购置及运行费
                                                                                                   数
      合计           因公出国(境)费         公务接待费
                                                    小计             购置费             运行费
           1.70                          1.70";
    let ex = doc("预算", "2026年单位“三公”经费和机关运行经费预算表", table);
    assert_eq!(value(&ex, "total/budget", "total"), dec("1.70"));
    assert_eq!(value(&ex, "official_reception/budget", "total"), dec("1.70"));
    for slot in ["overseas_travel/budget", "vehicles/budget", "vehicle_purchase/budget", "vehicle_operation/budget"] {
        assert_eq!(value(&ex, slot, "total"), BLANK, "{slot}");
    }
}

#[test]
fn blank_columns_under_a_wrapped_vehicle_group() {
    // 重庆-style: 因公出国 and 购置费 blank; every other item printed.
    let table = "                                                                 公务用车购置及运行费
       合   计               因公出国 (境)费                                                                       公务接待费
                                                 小   计            公务用车购置费           公务用车运行费
               13.85                                    13.55                               13.55                      0.30";
    let ex = doc("预算", "2026年财政拨款“三公”经费支出情况表", table);
    assert_eq!(value(&ex, "total/budget", "total"), dec("13.85"));
    assert_eq!(value(&ex, "overseas_travel/budget", "total"), BLANK);
    assert_eq!(value(&ex, "vehicles/budget", "total"), dec("13.55"));
    assert_eq!(value(&ex, "vehicle_purchase/budget", "total"), BLANK);
    assert_eq!(value(&ex, "vehicle_operation/budget", "total"), dec("13.55"));
    assert_eq!(value(&ex, "official_reception/budget", "total"), dec("0.30"));
}

#[test]
fn items_split_by_fund_source_with_a_row_per_year() {
    // 深圳-style: each item over 一般公共预算 / 政府性基金预算 / 国有资本经营预算 (wrapped), one
    // row per year and a change row: the budget year's row is the table's.
    let table = "                                 总计                               因公出国(境)费                              公务接待费
       年度
                  一般公共预       政府性基金       国有资本经       一般公共预       政府性基金       国有资本经       一般公共预       政府性基金       国有资本经
                   算           预算          营预算         算           预算          营预算         算           预算          营预算
  2025 年             6.00        0.00        0.00        1.00        0.00        0.00        5.00        0.00        0.00
  2026 年             5.58        0.00        0.00        2.60        0.00        0.00        2.98        0.00        0.00
  增减变化金额            -0.42        0.00        0.00        1.60        0.00        0.00       -2.02        0.00        0.00";
    let ex = doc("预算", "财政拨款“三公”经费支出表", table);
    assert_eq!(value(&ex, "total/budget", "general_budget"), dec("5.58"));
    assert_eq!(value(&ex, "total/budget", "gov_fund"), dec("0.00"));
    assert_eq!(value(&ex, "overseas_travel/budget", "general_budget"), dec("2.60"));
    assert_eq!(value(&ex, "official_reception/budget", "state_capital"), dec("0.00"));
}

#[test]
fn year_blocks_keep_the_budget_year() {
    // 烟台-style: the 2025 block is a comparison, the 2026 block the budget.
    let table = "                                2025年预算数                                                                2026年预算数
                                     公务用车购置及运行维护费                                                            公务用车购置及运行维护费
                因公出国                                                                     因公出国
     合计                                                         公务接待费        合计                                                         公务接待费
                （境）经费                     公务用车购置 公务用车运行                                 （境）经费                     公务用车购置 公务用车运行
                              小计                                                                      小计
                                          经费         维护费                                                          经费         维护费
      15.00                    12.00                   12.00        3.00       14.30                   12.50                   12.50        1.80";
    let ex = doc("预算", "一般公共预算“三公”经费支出情况表", table);
    assert_eq!(value(&ex, "total/budget", "total"), dec("14.30"));
    assert_eq!(value(&ex, "vehicles/budget", "total"), dec("12.50"));
    assert_eq!(value(&ex, "vehicle_operation/budget", "total"), dec("12.50"));
    assert_eq!(value(&ex, "official_reception/budget", "total"), dec("1.80"));
}

#[test]
fn final_with_budget_and_actual_groups_over_the_items() {
    // 国家信访局-style 公开09表: 预算数 | 决算数 over the items, a column numbering line, 购置费
    // blank on both sides.
    let table = "                            预算数                                                                    决算数
                           公务用车购置及运行维护费                                                             公务用车购置及运行维护费
          因公出国                                      公务接待                   因公出国（境）
  合计                        公务用车购       公务用车运                   合计                                                 公务用车运行维         公务接待费
          （境）费      小计                               费                        费          小计         公务用车购置费
                              置费         行维护费                                                                         护费
  1        2        3         4           5          6           7            8           9           10              11             12
 76.43     30.00   40.63                   40.63      5.80        46.21         4.69      40.61                          40.61          0.90";
    let ex = doc("决算", "一般公共预算财政拨款“三公”经费支出决算表", table);
    assert_eq!(value(&ex, "total/budget", "total"), dec("76.43"));
    assert_eq!(value(&ex, "overseas_travel/budget", "total"), dec("30.00"));
    assert_eq!(value(&ex, "vehicle_purchase/budget", "total"), BLANK);
    assert_eq!(value(&ex, "vehicle_operation/budget", "total"), dec("40.63"));
    assert_eq!(value(&ex, "official_reception/budget", "total"), dec("5.80"));
    assert_eq!(value(&ex, "total/actual", "total"), dec("46.21"));
    assert_eq!(value(&ex, "overseas_travel/actual", "total"), dec("4.69"));
    assert_eq!(value(&ex, "vehicles/actual", "total"), dec("40.61"));
    assert_eq!(value(&ex, "official_reception/actual", "total"), dec("0.90"));
}

#[test]
fn final_with_budget_and_actual_under_every_item() {
    // 普陀-style: 预算数 决算数 under each item; only the budget total and reception printed.
    let table = "                                                           财政拨款“三公”经费
                                                                      公务用车购置及运行费
         合计                 因公出国（境）费
                                                    小计                                       公务用车运行费                公务接待费
                                                                        公务用车购置费
 预算数        决算数        预算数        决算数        预算数        决算数       预算数        决算数        预算数        决算数        预算数        决算数
   0.95                                                                                                         0.95";
    let ex = doc("决算", "财政拨款“三公”经费支出决算表", table);
    assert_eq!(value(&ex, "total/budget", "total"), dec("0.95"));
    assert_eq!(value(&ex, "official_reception/budget", "total"), dec("0.95"));
    assert_eq!(value(&ex, "total/actual", "total"), BLANK);
    assert_eq!(value(&ex, "official_reception/actual", "total"), BLANK);
}

#[test]
fn meeting_and_training_columns_beside_the_items_under_a_running_page_header() {
    // 苏州-style: 会议费 / 培训费 columns are no 三公 items; the page's running header prints a
    // year (`2026 年度`) and the next table's number, which are no amounts.
    let table = "                                                        公务用车购置及运行维护费
      “三公”经费合计            因公出国（境）费                                        公务用车运行维        公务接待费            会议费             培训费
                                               小计           公务用车购置费
                                                                            护费
               20.00               0.00             0.00          0.00          0.00          20.00            15.26          28.60
                                                               - 20 -
    示例局 2026 年度单位预算公开
 公开 10 表";
    let ex = doc("预算", "一般公共预算“三公”经费、会议费、培训费支出表", table);
    assert_eq!(value(&ex, "total/budget", "total"), dec("20.00"));
    assert_eq!(value(&ex, "overseas_travel/budget", "total"), dec("0.00"));
    assert_eq!(value(&ex, "vehicles/budget", "total"), dec("0.00"));
    assert_eq!(value(&ex, "official_reception/budget", "total"), dec("20.00"));
}
