//! The contract's accounting identities, written once. `assign` uses them to place numbers
//! whose blank neighbours were dropped; `checks` evaluates the same identities afterwards.

use crate::model::{DocKind, Row, Side, Table, TableStatus, TableType};
use crate::normalize::parent_code;
use rust_decimal::Decimal;
use std::collections::{BTreeSet, HashMap};

/// One cell of the document: table index, row index, column index (into `Row::columns`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellRef {
    pub table: usize,
    pub row: usize,
    pub col: usize,
}

/// `target = Σ addends`, within (n + 1) × half the last printed digit.
#[derive(Debug, Clone)]
pub struct Identity {
    pub check_id: &'static str,
    pub table_type: TableType,
    pub row_ref: Option<String>,
    pub column: Option<String>,
    pub target: CellRef,
    pub addends: Vec<CellRef>,
    /// Half of the last printed digit, in yuan (the largest of the tables involved).
    pub half_digit_yuan: Decimal,
    pub what: String,
}

/// A required check whose inputs are not all in the document.
#[derive(Debug, Clone)]
pub struct SkippedCheck {
    pub check_id: &'static str,
    pub table_type: TableType,
    pub row_ref: Option<String>,
    pub reason: String,
}

#[derive(Default)]
pub struct IdentitySet {
    pub identities: Vec<Identity>,
    pub skipped: Vec<SkippedCheck>,
}

struct Builder<'a> {
    tables: &'a [Table],
    out: IdentitySet,
}

fn col_of(row: &Row, name: &str) -> Option<usize> {
    row.columns.position(name)
}

impl<'a> Builder<'a> {
    fn half_yuan(&self, t: usize) -> Decimal {
        let table = &self.tables[t];
        table.half_digit() * table.factor()
    }

    fn cell(&self, t: usize, r: usize, column: &str) -> Option<CellRef> {
        col_of(&self.tables[t].rows[r], column).map(|col| CellRef { table: t, row: r, col })
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        check_id: &'static str,
        table_type: TableType,
        row_ref: Option<String>,
        column: &str,
        target: CellRef,
        addends: Vec<CellRef>,
        what: String,
    ) {
        let mut tables: BTreeSet<usize> = addends.iter().map(|c| c.table).collect();
        tables.insert(target.table);
        let half = tables.iter().map(|&t| self.half_yuan(t)).max().unwrap_or_default();
        self.out.identities.push(Identity {
            check_id,
            table_type,
            row_ref,
            column: Some(column.to_string()),
            target,
            addends,
            half_digit_yuan: half,
            what,
        });
    }

    fn skip(&mut self, check_id: &'static str, table_type: TableType, row_ref: Option<String>, reason: String) {
        self.out.skipped.push(SkippedCheck { check_id, table_type, row_ref, reason });
    }

    fn find(&self, tt: TableType) -> Option<usize> {
        self.tables.iter().position(|t| t.table_type == tt)
    }

    /// The table if parsed; declared-empty tables count as all zero, so they are inputs too.
    fn usable(&self, tt: TableType) -> Result<usize, String> {
        match self.find(tt) {
            Some(i) if matches!(self.tables[i].status, TableStatus::Parsed | TableStatus::DeclaredEmpty) => Ok(i),
            Some(i) => Err(format!("{} is {}", tt.as_str(), self.tables[i].status.as_str())),
            None => Err(format!("{} is not in the document", tt.as_str())),
        }
    }
}

/// 表7's economic columns: everything after `total`.
const PROJECT_PARTS: &[&str] = TableType::PROJECT_COLUMNS.split_at(1).1;

/// Row identities of each table type: (target column, addend columns).
fn row_rules(tt: TableType) -> &'static [(&'static str, &'static [&'static str])] {
    use TableType::*;
    match tt {
        ExpenditureByFunction | GeneralBudgetExpenditure => &[
            ("total", &["basic", "project", "remit_to_higher", "operating", "affiliate_subsidy"]),
            ("total", &["basic", "project"]),
        ],
        RevenueByFunction => &[
            ("total", &["fiscal_subtotal", "special_account", "unit_funds", "fiscal_carryover", "nonfiscal_carryover"]),
            (
                "fiscal_subtotal",
                &[
                    "general_budget",
                    "general_budget_transfer",
                    "gov_fund",
                    "gov_fund_transfer",
                    "state_capital",
                    "state_capital_transfer",
                ],
            ),
            (
                "total",
                &[
                    "fiscal_appropriation",
                    "higher_subsidy",
                    "business_income",
                    "operating_income",
                    "affiliate_remittance",
                    "other_income",
                ],
            ),
        ],
        FiscalSummary | ThreePublic => &[("total", &["general_budget", "gov_fund", "state_capital"])],
        BasicExpenditureByEconomic => &[("total", &["personnel", "public"])],
        ProjectExpenditure => &[("total", PROJECT_PARTS)],
        GovFundExpenditure | StateCapitalExpenditure => &[
            ("total", &["personnel", "public", "project"]),
            ("total", &["basic", "project"]),
            ("closing_balance", &["closing_carryover", "closing_surplus"]),
        ],
        Carryover => &[
            ("total", &["fiscal_subtotal", "nonfiscal_subtotal"]),
            ("fiscal_subtotal", &["fiscal_personnel", "fiscal_public", "fiscal_project"]),
            ("nonfiscal_subtotal", &["nonfiscal_personnel", "nonfiscal_public", "nonfiscal_project"]),
        ],
        RevenueExpenditureSummary => &[],
    }
}

/// Each target column's identity is the first rule whose columns the row all has (a budget's
/// 表8 has personnel/public/project, a final's basic/project).
fn row_sums(b: &mut Builder, t: usize) {
    let tt = b.tables[t].table_type;
    for (r, row) in b.tables[t].rows.iter().enumerate() {
        let mut done: Vec<&str> = Vec::new();
        for (target, parts) in row_rules(tt) {
            let Some(tc) = col_of(row, target) else { continue };
            let cols: Option<Vec<usize>> = parts.iter().map(|p| col_of(row, p)).collect();
            let Some(cols) = cols.filter(|_| !done.contains(target)) else { continue };
            done.push(target);
            let addends = cols.into_iter().map(|col| CellRef { table: t, row: r, col }).collect();
            let what = format!("{} = {}", target, parts.join(" + "));
            b.push("row_sum", tt, Some(row.reference()), target, CellRef { table: t, row: r, col: tc }, addends, what);
        }
    }
}

/// Parent of each coded row (the nearest ancestor code printed before it in the same unit
/// group), the level-0 grand total and unit headings; a 表7 project printed without a code is a
/// root of its group. Returns (parent -> children).
pub fn code_tree(table: &Table) -> Vec<(usize, Vec<usize>)> {
    let rows = &table.rows;
    let is_heading = |r: &Row| r.key.code.is_none() && r.key.unit.is_some();
    let grand_total = rows.iter().position(|r| r.key.code.is_none() && r.key.unit.is_none() && r.key.level == Some(0));
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut roots_by_unit: Vec<(Option<usize>, Vec<usize>)> = Vec::new();
    let headings: Vec<usize> = (0..rows.len()).filter(|&i| is_heading(&rows[i])).collect();
    for (i, row) in rows.iter().enumerate() {
        let unit = &row.key.unit;
        let mut parent = None;
        let mut c = match &row.key.code {
            Some(code) => parent_code(code),
            // A 表7 project printed without a code: a root of its group.
            None if row.key.level.is_none() && row.key.project_name.is_some() => None,
            None => continue,
        };
        while let Some(pc) = c {
            let found = (0..rows.len())
                .filter(|&j| rows[j].key.code.as_deref() == Some(pc) && &rows[j].key.unit == unit)
                .min_by_key(|&j| if j < i { i - j } else { usize::MAX / 2 + j });
            if let Some(j) = found {
                parent = Some(j);
                break;
            }
            c = parent_code(pc);
        }
        match parent {
            Some(p) => children.entry(p).or_default().push(i),
            None => {
                let heading = headings.iter().copied().find(|&h| rows[h].key.unit == *unit);
                match roots_by_unit.iter_mut().find(|(h, _)| *h == heading) {
                    Some((_, v)) => v.push(i),
                    None => roots_by_unit.push((heading, vec![i])),
                }
            }
        }
    }
    let mut out: Vec<(usize, Vec<usize>)> = children.into_iter().collect();
    for (heading, roots) in &roots_by_unit {
        if let Some(h) = heading {
            out.push((*h, roots.clone()));
        }
    }
    if let Some(g) = grand_total {
        let kids: Vec<usize> = if headings.is_empty() {
            roots_by_unit.iter().flat_map(|(_, v)| v.clone()).collect()
        } else {
            headings.clone()
        };
        if !kids.is_empty() {
            out.push((g, kids));
        }
    }
    out.sort();
    out
}

fn hierarchy(b: &mut Builder, t: usize) {
    let table = &b.tables[t];
    let tt = table.table_type;
    let tree = code_tree(table);
    if tree.is_empty() {
        let reason = format!("{}: no row has sub-rows printed under it", tt.as_str());
        b.skip("hierarchy", tt, None, reason);
        return;
    }
    for (parent, kids) in tree {
        let prow = &table.rows[parent];
        for (col, name) in prow.columns.named() {
            let addends: Vec<CellRef> = kids
                .iter()
                .filter_map(|&k| col_of(&table.rows[k], name).map(|c| CellRef { table: t, row: k, col: c }))
                .collect();
            let what = format!("{} of {} = Σ its {} sub-rows", name, prow.reference(), addends.len());
            b.push(
                "hierarchy",
                tt,
                Some(prow.reference()),
                name,
                CellRef { table: t, row: parent, col },
                addends,
                what,
            );
        }
    }
}

fn side_rows(table: &Table, side: Side) -> impl Iterator<Item = (usize, &Row)> {
    table.rows.iter().enumerate().filter(move |(_, r)| r.key.side == Some(side))
}

fn find_item(table: &Table, side: Side, pred: impl Fn(&str) -> bool) -> Option<usize> {
    side_rows(table, side).filter(|(_, r)| r.key.item.as_deref().is_some_and(&pred)).map(|(i, _)| i).last()
}

/// The expenditure total a summary's class lines add up to (budget 支出总计, final 本年支出合计).
fn summary_expenditure_total(table: &Table, kind: DocKind) -> Option<usize> {
    match kind {
        DocKind::Budget => find_item(table, Side::Expenditure, |s| s.contains("支出总计") || s == "总计"),
        DocKind::Final => find_item(table, Side::Expenditure, |s| s.contains("本年支出合计")),
    }
}

fn summary_revenue_total(table: &Table, kind: DocKind) -> Option<usize> {
    match kind {
        DocKind::Budget => find_item(table, Side::Revenue, |s| s.contains("收入总计") || s == "总计"),
        DocKind::Final => find_item(table, Side::Revenue, |s| s.contains("本年收入合计")),
    }
}

fn grand_total(table: &Table, side: Side) -> Option<usize> {
    let names: &[&str] = match side {
        Side::Revenue => &["收入总计", "总计"],
        Side::Expenditure => &["支出总计", "总计"],
    };
    find_item(table, side, |s| names.contains(&s))
}

fn two_sided(b: &mut Builder, t: usize, kind: DocKind) {
    let table = &b.tables[t];
    let tt = table.table_type;
    if let (Some(rev), Some(exp)) = (grand_total(table, Side::Revenue), grand_total(table, Side::Expenditure)) {
        let target = CellRef { table: t, row: exp, col: 0 };
        let what = "revenue grand total = expenditure grand total".to_string();
        b.push(
            "balance",
            tt,
            None,
            table.rows[exp].columns.name(0).unwrap_or_default(),
            target,
            vec![CellRef { table: t, row: rev, col: 0 }],
            what,
        );
    } else {
        b.skip("balance", tt, None, "the revenue or expenditure grand total line is not printed".into());
    }
    let Some(total) = summary_expenditure_total(table, kind) else {
        b.skip("summary_classes", tt, None, "the expenditure total line is not printed".into());
        return;
    };
    let classes: Vec<usize> =
        side_rows(table, Side::Expenditure).filter(|(_, r)| r.key.code.is_some()).map(|(i, _)| i).collect();
    let trow = &table.rows[total];
    for (col, name) in trow.columns.named() {
        let addends: Vec<CellRef> = classes
            .iter()
            .filter_map(|&k| col_of(&table.rows[k], name).map(|c| CellRef { table: t, row: k, col: c }))
            .collect();
        let what = format!("{} of {} = Σ {} class lines", name, trow.reference(), addends.len());
        b.push(
            "summary_classes",
            tt,
            trow.key.item.clone(),
            name,
            CellRef { table: t, row: total, col },
            addends,
            what,
        );
    }
}

fn three_public(b: &mut Builder, t: usize) {
    let table = &b.tables[t];
    let bases: BTreeSet<&str> = table.rows.iter().filter_map(|r| r.key.basis).collect();
    for basis in bases {
        let find = |item: &str| {
            table.rows.iter().position(|r| r.key.basis == Some(basis) && r.key.item.as_deref() == Some(item))
        };
        let rules: [(&str, &[&str]); 2] = [
            ("total", &["overseas_travel", "official_reception", "vehicles"]),
            ("vehicles", &["vehicle_purchase", "vehicle_operation"]),
        ];
        for (target, parts) in rules {
            let Some(tr) = find(target) else {
                let reason = format!("three_public: the {target} line of the {basis} basis is not printed");
                b.skip("three_public_sum", TableType::ThreePublic, Some(format!("{target}/{basis}")), reason);
                continue;
            };
            let prow = &table.rows[tr];
            for (col, name) in prow.columns.named() {
                let addends: Vec<CellRef> = parts
                    .iter()
                    .filter_map(|p| find(p))
                    .filter_map(|k| col_of(&table.rows[k], name).map(|c| CellRef { table: t, row: k, col: c }))
                    .collect();
                let what = format!("{basis} {target} = {}", parts.join(" + "));
                b.push(
                    "three_public_sum",
                    TableType::ThreePublic,
                    Some(format!("{target}/{basis}")),
                    name,
                    CellRef { table: t, row: tr, col },
                    addends,
                    what,
                );
            }
        }
    }
}

/// The level-0 grand total row of a code-keyed table.
fn table_total(table: &Table) -> Option<usize> {
    table.rows.iter().position(|r| r.key.code.is_none() && r.key.unit.is_none() && r.key.level == Some(0))
}

/// The rows that stand for a function class in a code table: the class row itself if printed,
/// else its highest printed descendants.
fn class_rows(table: &Table, class: &str) -> Vec<usize> {
    if let Some(i) = table.rows.iter().position(|r| r.key.code.as_deref() == Some(class) && r.key.unit.is_none()) {
        return vec![i];
    }
    let tree = code_tree(table);
    let is_child: BTreeSet<usize> =
        tree.iter().filter(|(p, _)| table.rows[*p].key.code.is_some()).flat_map(|(_, k)| k.clone()).collect();
    (0..table.rows.len())
        .filter(|i| !is_child.contains(i) && table.rows[*i].key.code.as_deref().is_some_and(|c| c.starts_with(class)))
        .collect()
}

/// `target` (a cell of one table) = Σ `columns` of other rows, as a cross-table check.
#[allow(clippy::too_many_arguments)]
fn cross(
    b: &mut Builder,
    check_id: &'static str,
    reported_under: TableType,
    row_ref: Option<String>,
    target: (usize, usize, &str),
    sources: &[(usize, Vec<usize>, &[&str])],
    what: String,
) {
    let Some(tcell) = b.cell(target.0, target.1, target.2) else {
        b.skip(
            check_id,
            reported_under,
            row_ref,
            format!("{} has no {} column", b.tables[target.0].table_type.as_str(), target.2),
        );
        return;
    };
    let mut addends = Vec::new();
    for (t, rows, cols) in sources {
        for &r in rows {
            for c in cols.iter() {
                addends.extend(b.cell(*t, r, c));
            }
        }
    }
    b.push(check_id, reported_under, row_ref, target.2, tcell, addends, what);
}

fn cross_table(b: &mut Builder, kind: DocKind) {
    use TableType::*;
    let summary = b.usable(RevenueExpenditureSummary);
    let pairs: [(&'static str, TableType, Side); 2] = [
        ("revenue_total_match", RevenueByFunction, Side::Revenue),
        ("expenditure_total_match", ExpenditureByFunction, Side::Expenditure),
    ];
    for (check_id, tt, side) in pairs {
        match (summary.clone(), b.usable(tt)) {
            (Ok(s), Ok(t)) => {
                let st = &b.tables[s];
                let srow = if side == Side::Revenue {
                    summary_revenue_total(st, kind)
                } else {
                    summary_expenditure_total(st, kind)
                };
                match (table_total(&b.tables[t]), srow) {
                    (Some(tr), Some(sr)) => {
                        let what = format!("{} total = summary {}", tt.as_str(), st.rows[sr].reference());
                        cross(b, check_id, tt, None, (t, tr, "total"), &[(s, vec![sr], &["amount"])], what);
                    }
                    _ => b.skip(check_id, tt, None, "a total line is not printed".into()),
                }
            }
            (Err(e), _) | (_, Err(e)) => b.skip(check_id, tt, None, e),
        }
    }

    // fiscal_class_match (budgets): 表4 class total = 表2 (fiscal_subtotal + fiscal_carryover).
    match (kind, b.usable(FiscalSummary), b.usable(RevenueByFunction)) {
        (DocKind::Final, _, _) => b.skip(
            "fiscal_class_match",
            FiscalSummary,
            None,
            "final accounts: revenue and expenditure by class legitimately differ by carry-overs".into(),
        ),
        (_, Ok(f), Ok(r)) => {
            let classes =
                classes_with_values(b.tables, &[(f, &["total"]), (r, &["fiscal_subtotal", "fiscal_carryover"])]);
            if classes.is_empty() {
                let reason = "no function class carries a value in fiscal_summary or revenue_by_function".into();
                b.skip("fiscal_class_match", FiscalSummary, None, reason);
            }
            for class in classes {
                let frow = side_rows(&b.tables[f], Side::Expenditure)
                    .find(|(_, x)| x.key.code.as_deref() == Some(&class))
                    .map(|(i, _)| i);
                let Some(frow) = frow else {
                    b.skip(
                        "fiscal_class_match",
                        FiscalSummary,
                        Some(class.clone()),
                        "the class line is not printed in fiscal_summary".into(),
                    );
                    continue;
                };
                let rows = class_rows(&b.tables[r], &class);
                let what = format!(
                    "fiscal_summary {class} total = revenue_by_function {class} fiscal_subtotal + fiscal_carryover"
                );
                cross(
                    b,
                    "fiscal_class_match",
                    FiscalSummary,
                    Some(class),
                    (f, frow, "total"),
                    &[(r, rows, &["fiscal_subtotal", "fiscal_carryover"])],
                    what,
                );
            }
        }
        (_, Err(e), _) | (_, _, Err(e)) => b.skip("fiscal_class_match", FiscalSummary, None, e),
    }

    // general_budget_match: 表5 total = 表4 general_budget expenditure total, and per class.
    match (b.usable(GeneralBudgetExpenditure), b.usable(FiscalSummary)) {
        (Ok(g), Ok(f)) => {
            match (table_total(&b.tables[g]), summary_expenditure_total(&b.tables[f], kind)) {
                (Some(gt), Some(ft)) => cross(
                    b,
                    "general_budget_match",
                    GeneralBudgetExpenditure,
                    None,
                    (f, ft, "general_budget"),
                    &[(g, vec![gt], &["total"])],
                    "fiscal_summary general_budget total = general_budget_expenditure total".into(),
                ),
                _ => {
                    b.skip("general_budget_match", GeneralBudgetExpenditure, None, "a total line is not printed".into())
                }
            }
            for class in classes_with_values(b.tables, &[(f, &["general_budget"]), (g, &["total"])]) {
                let frow = side_rows(&b.tables[f], Side::Expenditure)
                    .find(|(_, x)| x.key.code.as_deref() == Some(&class))
                    .map(|(i, _)| i);
                let Some(frow) = frow else {
                    b.skip(
                        "general_budget_match",
                        GeneralBudgetExpenditure,
                        Some(class.clone()),
                        "the class line is not printed in fiscal_summary".into(),
                    );
                    continue;
                };
                let rows = class_rows(&b.tables[g], &class);
                let what = format!("fiscal_summary {class} general_budget = general_budget_expenditure {class} total");
                cross(
                    b,
                    "general_budget_match",
                    GeneralBudgetExpenditure,
                    Some(class),
                    (f, frow, "general_budget"),
                    &[(g, rows, &["total"])],
                    what,
                );
            }
        }
        (Err(e), _) | (_, Err(e)) => b.skip("general_budget_match", GeneralBudgetExpenditure, None, e),
    }

    let totals_match: [(&'static str, TableType, &'static str); 2] =
        [("basic_match", BasicExpenditureByEconomic, "basic"), ("project_match", ProjectExpenditure, "project")];
    for (check_id, tt, column) in totals_match {
        if !tt.expected_for(kind) {
            continue;
        }
        match (b.usable(GeneralBudgetExpenditure), b.usable(tt)) {
            (Ok(g), Ok(t)) => match (table_total(&b.tables[g]), table_total(&b.tables[t])) {
                (Some(gt), Some(tt_row)) => {
                    let what = format!("general_budget_expenditure {column} total = {} total", tt.as_str());
                    cross(b, check_id, tt, None, (g, gt, column), &[(t, vec![tt_row], &["total"])], what);
                }
                (Some(_), None) if b.tables[t].status == TableStatus::DeclaredEmpty => {
                    b.skip(check_id, tt, None, format!("{} is declared empty", tt.as_str()))
                }
                _ => b.skip(check_id, tt, None, "a total line is not printed".into()),
            },
            (Err(e), _) | (_, Err(e)) => b.skip(check_id, tt, None, e),
        }
    }
}

/// Function classes (3-digit codes) that carry a printed, non-zero value in any of the given
/// (table, columns).
fn classes_with_values(tables: &[Table], sources: &[(usize, &[&str])]) -> Vec<String> {
    let mut out = BTreeSet::new();
    for (t, cols) in sources {
        for row in &tables[*t].rows {
            let Some(code) = &row.key.code else { continue };
            if row.key.side == Some(Side::Revenue) || code.len() < 3 {
                continue;
            }
            let printed = cols.iter().any(|c| row.value(c).flatten().is_some_and(|v| !v.is_zero()))
                || matches!(&row.cells, crate::model::Cells::Unplaced(v) if v.iter().any(|x| x.is_some_and(|d| !d.is_zero())));
            if printed {
                out.insert(code[..3].to_string());
            }
        }
    }
    out.into_iter().collect()
}

/// Every identity of a document's tables.
pub fn document_identities(tables: &[Table], kind: DocKind) -> IdentitySet {
    let mut b = Builder { tables, out: IdentitySet::default() };
    for (t, table) in tables.iter().enumerate() {
        if table.status != TableStatus::Parsed {
            // The table's own identities still get a row each, saying why they were not evaluated.
            let ids: &[&'static str] = match table.table_type.key_shape() {
                crate::model::KeyShape::TwoSided => &["balance", "summary_classes"],
                crate::model::KeyShape::Coded | crate::model::KeyShape::Project => &["hierarchy"],
                crate::model::KeyShape::ThreePublic => &["three_public_sum"],
                crate::model::KeyShape::Item => &[],
            };
            for id in ids {
                let reason = format!("{} is {}", table.table_type.as_str(), table.status.as_str());
                b.skip(id, table.table_type, None, reason);
            }
            continue;
        }
        row_sums(&mut b, t);
        match table.table_type.key_shape() {
            crate::model::KeyShape::TwoSided => two_sided(&mut b, t, kind),
            crate::model::KeyShape::Coded | crate::model::KeyShape::Project => hierarchy(&mut b, t),
            crate::model::KeyShape::ThreePublic => three_public(&mut b, t),
            crate::model::KeyShape::Item => {}
        }
    }
    cross_table(&mut b, kind);
    b.out
}
