//! Document-level reading of other regions' templates on small excerpts: units per table,
//! titles by meaning, metadata, empty-table declarations, page furniture.

use budget_etl::extract::{extract, Extracted};
use budget_etl::model::{SourceUnit, Table, TableStatus, TableType};

/// 表6 of a tab-separated template (a few lines of real document 003), with `unit_line`
/// (or none) under its title.
fn basic_table(unit_line: Option<&str>) -> String {
    let mut s = String::from("表 6\n\n## 一般公共预算基本支出情况表\n\n编制部门：某开发区政务服务中心\n\n");
    if let Some(u) = unit_line {
        s.push_str(u);
        s.push_str("\n\n");
    }
    s.push_str(
        "经济分类科目编码\t\t经济分类科目名称\t一般公共预算基本支出\t\t\n\
         \t\t\t合计\t人员经费\t公用经费\n\
         类\t款\t\t\t\t\n\
         301\t\t工资福利支出\t409.7\t409.7\t\n\
         301\t1\t基本工资\t409.7\t409.7\t\n\
         302\t\t商品和服务支出\t120.46\t\t120.46\n\
         302\t1\t办公费\t120.46\t\t120.46\n\
         \t\t合 计\t530.16\t409.7\t120.46\n\n",
    );
    s
}

/// 表10 (三公) of the same template, with `unit_line` (or none) under its title.
fn three_public_table(unit_line: Option<&str>) -> String {
    let mut s = String::from("表 10\n\n## 财政拨款“三公”经费支出情况表\n\n编制部门：某开发区政务服务中心\n\n");
    if let Some(u) = unit_line {
        s.push_str(u);
        s.push_str("\n\n");
    }
    s.push_str(
        "“三公”经费支出内容\t合计\t资金来源\t\t\n\
         \t\t一般公共预算\t政府性基金\t国有资本经营预算\n\
         合 计\t2.89\t2.89\t\t\n\
         因公出国（境）费\t\t\t\t\n\
         公务接待费\t2.89\t2.89\t\t\n\
         公务用车购置及运行费 （小计）\t\t\t\t\n\
         其中：公务用车购置费\t\t\t\t\n\
         公务用车运行费\t\t\t\t\n\n",
    );
    s
}

fn document(tables: &[String]) -> String {
    format!("某开发区政务服务中心2024年部门预算公开\n\n{}", tables.concat())
}

fn table(ex: &Extracted, tt: TableType) -> &Table {
    ex.tables.iter().find(|t| t.table_type == tt).expect("table listed")
}

#[test]
fn a_table_without_a_stated_unit_fails_and_publishes_no_amounts() {
    let ex = extract(&document(&[basic_table(None), three_public_table(None)]));
    assert_eq!(ex.meta.source_unit, None);
    for tt in [TableType::BasicExpenditureByEconomic, TableType::ThreePublic] {
        let t = table(&ex, tt);
        assert_eq!(t.status, TableStatus::Failed, "{tt:?}");
        assert!(t.rows.is_empty(), "{tt:?} published rows without a unit");
        assert_eq!(t.unit, None);
        assert!(t.error.as_ref().is_some_and(|e| e.to_string().contains("unit")), "{:?}", t.error);
    }
}

#[test]
fn a_table_without_a_unit_line_takes_the_documents() {
    let ex = extract(&document(&[basic_table(Some("单位：元")), three_public_table(None)]));
    assert_eq!(table(&ex, TableType::ThreePublic).unit, Some(SourceUnit::Yuan));
    assert_eq!(table(&ex, TableType::ThreePublic).status, TableStatus::Parsed);
}

#[test]
fn renminbi_yuan_is_yuan() {
    let ex = extract(&document(&[basic_table(Some("单位：人民币元"))]));
    assert_eq!(table(&ex, TableType::BasicExpenditureByEconomic).unit, Some(SourceUnit::Yuan));
    assert_eq!(ex.meta.source_unit, Some(SourceUnit::Yuan));
}

#[test]
fn a_wan_yuan_table_in_a_yuan_document_keeps_its_unit() {
    // The narrative's own unit lines do not outvote the tables.
    let narrative = "（单位：万元）\n\n金额单位：万元\n\n".to_string();
    let ex = extract(&document(&[
        narrative,
        basic_table(Some("单位：元")),
        basic_table(Some("单位：元")).replace("表 6", "表 6（续）").replace("情况表", "情况表（续）"),
        three_public_table(Some("（单位：万元）")),
    ]));
    assert_eq!(ex.meta.source_unit, Some(SourceUnit::Yuan));
    let basic = table(&ex, TableType::BasicExpenditureByEconomic);
    let three = table(&ex, TableType::ThreePublic);
    assert_eq!(basic.unit, Some(SourceUnit::Yuan));
    assert_eq!(three.unit, Some(SourceUnit::WanYuan));
    assert_eq!(three.status, TableStatus::Parsed);
    assert_eq!(three.factor(), rust_decimal::Decimal::from(10_000));
}
