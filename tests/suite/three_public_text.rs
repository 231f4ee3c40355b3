//! 公开07表 (three_public, final) in `pdf_text`: the columns come from the printed header
//! (bases and items in the order it shows them); where blank cells were dropped, the 三公
//! identities place the numbers, and a number they do not place stays null and is reported.

use budget_etl::extract::{extract, Extracted};
use budget_etl::model::{Cells, CheckStatus, TableType};
use rust_decimal::Decimal;

fn final_doc(header: &str, numbers: &str) -> Extracted {
    extract(&format!(
        "国家示例局2024年度部门决算\n\n财政拨款“三公”经费支出决算表\n公开07表\n编制单位：国家示例局 金额单位：万元\n{header}\n{numbers}\n\
         注：本表反映部门本年度“三公”经费支出预决算情况。\n"
    ))
}

/// (item/basis, value, whether the document leaves it undetermined) of every row.
fn cells(ex: &Extracted) -> Vec<(String, Option<Decimal>, bool)> {
    let t = ex.tables.iter().find(|t| t.table_type == TableType::ThreePublic).unwrap();
    assert_eq!(t.status.as_str(), "parsed", "{:?}", t.error);
    t.rows
        .iter()
        .map(|r| {
            let v = match &r.cells {
                Cells::Placed(v) => v[0],
                Cells::Unplaced(_) => panic!("unplaced"),
            };
            (format!("{}/{}", r.key.item.as_deref().unwrap(), r.key.basis.unwrap()), v, !r.undetermined.is_empty())
        })
        .collect()
}

fn get(cells: &[(String, Option<Decimal>, bool)], slot: &str) -> (Option<Decimal>, bool) {
    let c = cells.iter().find(|c| c.0 == slot).unwrap_or_else(|| panic!("no {slot} in {cells:?}"));
    (c.1, c.2)
}

fn dec(s: &str) -> Option<Decimal> {
    Some(s.parse().unwrap())
}

/// The header of a national 公开07表 as pdftotext prints it (cells wrapped over lines).
const WRAPPED_HEADER: &str = "预算数 决算数\n公务用车购置及运行维护费 公务用车购置及运行维护费\n因公出国 公务接待 因公出国（境）\n\
     合计 公务用车购 公务用车运 合计 公务用车运行维 公务接待费\n（境）费 小计 费 费 小计 公务用车购置费\n置费 行维护费 护费\n\
     1 2 3 4 5 6 7 8 9 10 11 12";

#[test]
fn dropped_blank_cells_are_placed_by_the_identities_or_reported() {
    // Ten numbers for twelve columns: 购置费 is blank on both sides. The identities split the
    // numbers into the two bases and place everything but 40.63 / 40.61, which may be 购置 or 运行.
    let ex = final_doc(WRAPPED_HEADER, "76.43 30.00 40.63 40.63 5.80 46.21 4.69 40.61 40.61 0.90");
    let c = cells(&ex);
    assert_eq!(c.len(), 12);
    assert_eq!(get(&c, "total/budget"), (dec("76.43"), false));
    assert_eq!(get(&c, "overseas_travel/budget"), (dec("30.00"), false));
    assert_eq!(get(&c, "vehicles/budget"), (dec("40.63"), false));
    assert_eq!(get(&c, "official_reception/budget"), (dec("5.80"), false));
    assert_eq!(get(&c, "total/actual"), (dec("46.21"), false));
    assert_eq!(get(&c, "official_reception/actual"), (dec("0.90"), false));
    for slot in ["vehicle_purchase/budget", "vehicle_operation/budget", "vehicle_purchase/actual"] {
        assert_eq!(get(&c, slot), (None, true), "{slot}");
    }
    let amb: Vec<_> = ex.checks.iter().filter(|c| c.check_id == "column_ambiguous").collect();
    assert_eq!(amb.len(), 2, "{amb:#?}");
    assert_eq!(amb[0].column.as_deref(), Some("vehicle_purchase/budget|vehicle_operation/budget"));
    assert_eq!(amb[0].actual, dec("406300.00"));
}

#[test]
fn bases_printed_under_every_item_are_read_in_that_order() {
    let header = "财政拨款“三公”经费\n公务用车购置及运行费\n合计 因公出国（境）费\n小计 公务用车运行费\n公务接待费\n公务用车购置费\n\
                  预算数 决算数 预算数 决算数 预算数 决算数 预算数 决算数 预算数 决算数 预算数 决算数";
    let ex = final_doc(header, "1.00 0.90 0.20 0.10 0.50 0.50 0.00 0.00 0.50 0.50 0.30 0.30");
    let c = cells(&ex);
    assert_eq!(get(&c, "total/budget").0, dec("1.00"));
    assert_eq!(get(&c, "total/actual").0, dec("0.90"));
    assert_eq!(get(&c, "overseas_travel/budget").0, dec("0.20"));
    assert_eq!(get(&c, "overseas_travel/actual").0, dec("0.10"));
    assert_eq!(get(&c, "official_reception/actual").0, dec("0.30"));
    assert!(
        ex.checks.iter().filter(|c| c.check_id == "three_public_sum").all(|c| c.status == CheckStatus::Pass),
        "{:#?}",
        ex.checks
    );
}

#[test]
fn numbers_printed_one_per_line_are_read_after_the_column_numbering() {
    let numbering: String = (1..=12).map(|i| format!("{i}\n")).collect();
    let numbers = "76.43\n30.00\n40.63\n0.00\n40.63\n5.80\n46.21\n4.69\n40.61\n0.00\n40.61\n0.90";
    let ex = final_doc(&format!("预算数\n决算数\n合计\n因公出国（境）费\n公务用车购置及运行维护费\n公务接待费\n小计\n公务用车购置费\n公务用车运行维护费\n{numbering}"), numbers);
    let c = cells(&ex);
    assert_eq!(get(&c, "vehicle_purchase/budget"), (dec("0.00"), false));
    assert_eq!(get(&c, "vehicle_operation/actual"), (dec("40.61"), false));
    assert_eq!(get(&c, "official_reception/actual"), (dec("0.90"), false));
}
