//! The `facts` dataset's content: every printed amount of a document's contract tables, once,
//! with its contract column (or none) and printed header path; and the `column_unmapped` check
//! rows for printed columns the contract does not name.

use crate::checks::CheckRow;
use crate::model::{Cells, CheckStatus, Table, TableStatus, TableType};
use rust_decimal::Decimal;
use std::collections::BTreeSet;

/// One printed amount, in yuan, keyed by its table row.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    pub table_type: TableType,
    /// 1-based, as in the table-type dataset.
    pub row_no: i32,
    pub code: Option<String>,
    pub name: Option<String>,
    pub column: Option<&'static str>,
    pub header: String,
    pub amount: Decimal,
}

/// Every amount of the parsed tables: placed ones under their column, and the ones the
/// document left unplaced (`column` null, `header` the candidate columns' printed names).
pub fn facts_of(tables: &[Table]) -> Vec<Fact> {
    let mut out = Vec::new();
    for t in tables.iter().filter(|t| t.status == TableStatus::Parsed) {
        let factor = t.factor();
        for (i, row) in t.rows.iter().enumerate() {
            let k = &row.key;
            let name = if t.table_type == TableType::ThreePublic {
                k.item_name.clone().or_else(|| k.item.clone())
            } else {
                k.name.clone().or_else(|| k.item.clone()).or_else(|| k.project_name.clone())
            };
            let fact = |column, header: String, amount: Decimal| Fact {
                table_type: t.table_type,
                row_no: i as i32 + 1,
                code: k.code.clone(),
                name: name.clone(),
                column,
                header,
                amount: amount * factor,
            };
            match &row.cells {
                Cells::Placed(values) => {
                    for (c, v) in values.iter().enumerate() {
                        let Some(v) = v.filter(|_| !row.derived.contains(&c)) else { continue };
                        let (column, header) = match c < row.columns.len() {
                            true => (row.columns[c].name, row.columns[c].header.clone()),
                            false => (None, String::new()),
                        };
                        out.push(fact(column, header, v));
                    }
                }
                Cells::Unplaced(values) => {
                    let header = candidates(&row.columns.mapped());
                    out.extend(values.iter().flatten().map(|v| fact(None, header.clone(), *v)));
                }
            }
            for (v, cols) in &row.unplaced {
                out.push(fact(None, candidates(cols), *v));
            }
        }
    }
    out
}

fn candidates(cols: &[&str]) -> String {
    cols.iter().map(|c| crate::table_spec::printed_name(c)).collect::<Vec<_>>().join("|")
}

/// One `column_unmapped` row per printed column (per table) whose header no alias names and
/// that prints at least one amount.
pub fn unmapped_checks(tables: &[Table]) -> Vec<CheckRow> {
    let mut out = Vec::new();
    for t in tables.iter().filter(|t| t.status == TableStatus::Parsed) {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for row in &t.rows {
            let Cells::Placed(values) = &row.cells else { continue };
            for (c, col) in row.columns.iter().enumerate() {
                if col.name.is_some() || values.get(c).copied().flatten().is_none() || !seen.insert(col.header.clone())
                {
                    continue;
                }
                out.push(CheckRow {
                    doc_id: String::new(),
                    check_id: "column_unmapped".to_string(),
                    table_type: t.table_type.as_str().to_string(),
                    row_ref: None,
                    column: Some(col.header.clone()),
                    expected: None,
                    actual: None,
                    difference: None,
                    tolerance: None,
                    status: CheckStatus::Unmapped,
                    message: format!(
                        "line {}: printed column {:?} matches no contract column of {}; its numbers are in facts",
                        row.line,
                        col.header,
                        t.table_type.as_str()
                    ),
                    line: Some(row.line),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::extract;

    /// A line with each text ending at its character position (columns are right-aligned).
    fn place(cells: &[(&str, usize)]) -> String {
        let mut out = String::new();
        for (text, end) in cells {
            let width = text.chars().count();
            let pad = end.saturating_sub(out.chars().count() + width).max(2);
            out.push_str(&" ".repeat(pad));
            out.push_str(text);
        }
        out
    }

    #[test]
    fn every_printed_amount_once_with_its_header() {
        let ends = [40, 52, 64, 76];
        let row = |label: &[(&str, usize)], nums: &[Option<&str>]| {
            let mut cells: Vec<(&str, usize)> = label.to_vec();
            cells.extend(nums.iter().zip(ends).filter_map(|(n, e)| n.map(|n| (n, e))));
            place(&cells)
        };
        let lines = [
            "2026年部门支出总体情况表".to_string(),
            place(&[("编制单位：某某局", 20), ("单位：万元", 76)]),
            place(&[
                ("科目编码", 10),
                ("科目名称", 24),
                ("合计", 39),
                ("基本支出", 51),
                ("项目支出", 63),
                ("政府采购", 75),
            ]),
            row(&[("201", 6), ("一般公共服务支出", 24)], &[Some("100.00"), Some("60.00"), Some("40.00"), Some("5.00")]),
            row(&[("20103", 8), ("政府办公厅", 24)], &[Some("100.00"), Some("60.00"), Some("40.00"), None]),
            row(&[("合计", 24)], &[Some("100.00"), Some("60.00"), Some("40.00"), Some("5.00")]),
        ];
        let printed = lines[3..].iter().flat_map(|l| l.split_whitespace()).filter(|t| t.contains('.')).count();
        let ex = extract(&lines.join("\n"));
        let table = ex.tables.iter().find(|t| t.table_type == TableType::ExpenditureByFunction).unwrap();
        assert_eq!(table.rows.len(), 3, "{:?}", table.rows);
        let facts: Vec<Fact> =
            facts_of(&ex.tables).into_iter().filter(|f| f.table_type == TableType::ExpenditureByFunction).collect();
        assert_eq!(facts.len(), printed);
        let unmapped: Vec<&Fact> = facts.iter().filter(|f| f.column.is_none()).collect();
        assert_eq!(unmapped.len(), 2);
        assert!(unmapped.iter().all(|f| f.header == "政府采购" && f.amount == Decimal::from(50_000)));
        assert_eq!(facts.iter().filter(|f| f.column == Some("basic")).count(), 3);
        let checks = unmapped_checks(&ex.tables);
        assert_eq!(checks.len(), 1);
        assert_eq!(checks[0].column.as_deref(), Some("政府采购"));
        assert_eq!(checks[0].status, CheckStatus::Unmapped);
    }

    #[test]
    fn grouped_economic_amounts_once() {
        // 公开06表-style (excerpt): three side-by-side groups and the two printed group totals.
        let lines = [
            "公开06表",
            "一般公共预算财政拨款基本支出决算表",
            "编制单位：某某局",
            "单位：万元",
            "人员经费\t\t\t公用经费\t\t\t\t\t",
            "经济分类科目编码\t科目名称\t金额\t经济分类科目编码\t科目名称\t金额\t经济分类科目编码\t科目名称\t金额",
            "301\t工资福利支出\t10.00\t302\t商品和服务支出\t3.00\t310\t资本性支出\t1.00",
            "30101\t基本工资\t10.00\t30201\t办公费\t3.00\t31002\t办公设备购置\t1.00",
            "人员经费合计\t\t10.00\t公用经费合计\t\t\t\t\t4.00",
        ];
        let printed: Vec<Decimal> = lines[6..]
            .iter()
            .flat_map(|l| l.split('\t'))
            .filter(|t| t.contains('.'))
            .map(|t| t.parse().unwrap())
            .collect();
        assert_eq!(printed.len(), 8);
        let ex = extract(&lines.join("\n"));
        let facts: Vec<Fact> = facts_of(&ex.tables)
            .into_iter()
            .filter(|f| f.table_type == TableType::BasicExpenditureByEconomic)
            .collect();
        let mut got: Vec<Decimal> = facts.iter().map(|f| f.amount / Decimal::from(10_000)).collect();
        let mut want = printed.clone();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{facts:?}");
        // Each under its group's column: nothing under the derived `total`.
        assert!(facts.iter().all(|f| matches!(f.column, Some("personnel" | "public"))), "{facts:?}");
    }
}
