//! Evaluates the document's identities on the assigned tables and reports each as a check row
//! (`pass` / `rounding` / `fail` / `skipped`), plus a `column_ambiguous` row per number that
//! `assign` could not place.

use crate::identity::{CellRef, Identity, IdentitySet};
use crate::model::{Cells, CheckStatus, SourceUnit, Table};
use rust_decimal::Decimal;

/// How far a printed total may be from the sum of its printed parts and still hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rounding {
    /// The contract's envelope: (n + 1) × half the last printed digit is `rounding`.
    #[default]
    Envelope,
    /// Any difference fails.
    Strict,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckRow {
    /// Filled in when the document's rows are published.
    pub doc_id: String,
    pub check_id: String,
    pub table_type: String,
    pub row_ref: Option<String>,
    pub column: Option<String>,
    pub expected: Option<Decimal>,
    pub actual: Option<Decimal>,
    pub difference: Option<Decimal>,
    pub tolerance: Option<Decimal>,
    pub status: CheckStatus,
    pub message: String,
    /// The printed line of the checked cell (for `inspect`).
    pub line: Option<usize>,
}

enum CellValue {
    Printed(Decimal),
    Blank,
    Unknown,
}

fn cell_value(tables: &[Table], c: &CellRef) -> CellValue {
    let table = &tables[c.table];
    let row = &table.rows[c.row];
    if row.undetermined.contains(&c.col) {
        return CellValue::Unknown;
    }
    match &row.cells {
        Cells::Placed(v) => match v.get(c.col).copied().flatten() {
            Some(d) => CellValue::Printed(d * table.factor()),
            None => CellValue::Blank,
        },
        Cells::Unplaced(_) => CellValue::Unknown,
    }
}

fn money(d: Decimal) -> Decimal {
    d.round_dp(2)
}

/// Shows an amount in yuan in the unit the table printed it in.
fn in_source(d: Decimal, table: &Table) -> String {
    let v = d / table.factor();
    format!("{}{}", v.normalize(), table.unit.map_or("", SourceUnit::as_str))
}

fn evaluate(tables: &[Table], id: &Identity, rounding: Rounding) -> Option<CheckRow> {
    let target = cell_value(tables, &id.target);
    let addends: Vec<CellValue> = id.addends.iter().map(|c| cell_value(tables, c)).collect();
    let all = std::iter::once(&target).chain(addends.iter());
    let row_sum = id.check_id == "row_sum";
    let trow = &tables[id.target.table].rows[id.target.row];
    let ttable = &tables[id.target.table];
    let mut row = CheckRow {
        doc_id: String::new(),
        check_id: id.check_id.to_string(),
        table_type: id.table_type.as_str().to_string(),
        row_ref: id.row_ref.clone(),
        column: id.column.clone(),
        expected: None,
        actual: None,
        difference: None,
        tolerance: None,
        status: CheckStatus::Skipped,
        message: String::new(),
        line: Some(trow.line),
    };
    if all.clone().any(|v| matches!(v, CellValue::Unknown)) {
        row.message = format!("{}: not evaluated, an input's column is not determined (line {})", id.what, trow.line);
        return Some(row);
    }
    if !all.clone().any(|v| matches!(v, CellValue::Printed(_))) {
        row.message = format!("{}: not evaluated, nothing is printed in it (line {})", id.what, trow.line);
        return Some(row);
    }
    if row_sum && addends.iter().all(|v| matches!(v, CellValue::Blank)) && !prints_any_part(ttable, id) {
        // A total without a breakdown anywhere in the table: the template may not print one.
        row.message = format!(
            "{}: not evaluated, the parts are blank here and in every row of the table (line {})",
            id.what, trow.line
        );
        return Some(row);
    }
    let value = |v: &CellValue| match v {
        CellValue::Printed(d) => *d,
        _ => Decimal::ZERO,
    };
    let expected: Decimal = addends.iter().map(value).sum();
    let actual = value(&target);
    let n = addends.iter().filter(|v| matches!(v, CellValue::Printed(_))).count();
    let tolerance = match rounding {
        Rounding::Envelope => tolerance(n, id.half_digit_yuan),
        Rounding::Strict => Decimal::ZERO,
    };
    let difference = actual - expected;
    row.expected = Some(money(expected));
    row.actual = Some(money(actual));
    row.difference = Some(money(difference));
    row.tolerance = Some(money(tolerance));
    row.status = if difference.is_zero() {
        CheckStatus::Pass
    } else if difference.abs() <= tolerance {
        CheckStatus::Rounding
    } else {
        CheckStatus::Fail
    };
    row.message = match row.status {
        CheckStatus::Pass => format!("{} holds (line {})", id.what, trow.line),
        CheckStatus::Rounding => format!(
            "{}: printed {} vs sum {}, off by {} — within the rounding of {} printed figures (line {})",
            id.what,
            in_source(actual, ttable),
            in_source(expected, ttable),
            in_source(difference, ttable),
            n,
            trow.line
        ),
        _ => format!(
            "{}: printed {} but the parts add up to {} (off by {}, tolerance {}) at line {}",
            id.what,
            in_source(actual, ttable),
            in_source(expected, ttable),
            in_source(difference, ttable),
            in_source(tolerance, ttable),
            trow.line
        ),
    };
    Some(row)
}

/// Does any row of the table print a figure in one of the identity's part columns?
fn prints_any_part(table: &Table, id: &Identity) -> bool {
    let row = &table.rows[id.target.row];
    id.addends
        .iter()
        .filter_map(|c| row.columns.name(c.col))
        .any(|name| table.rows.iter().any(|r| r.value(name).flatten().is_some()))
}

/// Every check row of a document, in a stable order.
pub fn run_checks(tables: &[Table], ids: &IdentitySet, rounding: Rounding) -> Vec<CheckRow> {
    let mut out: Vec<CheckRow> = ids.identities.iter().filter_map(|id| evaluate(tables, id, rounding)).collect();
    for s in &ids.skipped {
        out.push(CheckRow {
            doc_id: String::new(),
            check_id: s.check_id.to_string(),
            table_type: s.table_type.as_str().to_string(),
            row_ref: s.row_ref.clone(),
            column: None,
            expected: None,
            actual: None,
            difference: None,
            tolerance: None,
            status: CheckStatus::Skipped,
            message: s.reason.clone(),
            line: None,
        });
    }
    for table in tables {
        for row in &table.rows {
            for (value, columns) in &row.unplaced {
                let yuan = money(*value * table.factor());
                out.push(CheckRow {
                    doc_id: String::new(),
                    check_id: "column_ambiguous".to_string(),
                    table_type: table.table_type.as_str().to_string(),
                    row_ref: Some(row.reference()),
                    column: Some(columns.join("|")),
                    expected: None,
                    actual: Some(yuan),
                    difference: None,
                    tolerance: None,
                    status: CheckStatus::Ambiguous,
                    message: if columns.is_empty() {
                        format!(
                            "line {}: printed {} is in a column no contract column names; it is kept in facts only",
                            row.line,
                            in_source(yuan, table)
                        )
                    } else {
                        format!(
                            "line {}: printed {} could belong to any of {}; the document does not decide, so those columns are left null",
                            row.line,
                            in_source(yuan, table),
                            columns.join(", ")
                        )
                    },
                    line: Some(row.line),
                });
            }
        }
    }
    out
}

/// The rounding envelope: (n + 1) × half the last printed digit.
pub fn tolerance(n_figures: usize, half_digit: Decimal) -> Decimal {
    Decimal::from(n_figures as i64 + 1) * half_digit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope() {
        let half = Decimal::new(50, 0); // 0.005 万元 in yuan
                                        // 0.01 万元 over 5 figures: rounding.
        assert!(Decimal::new(100, 0) <= tolerance(5, half));
        // 0.04 万元 over 2 figures: fail.
        assert!(Decimal::new(400, 0) > tolerance(2, half));
    }
}
