//! Puts the numbers of `pdf_text` rows (blank cells dropped) into their columns, as a small
//! constraint problem over the whole document: each row's candidate placements are pruned by
//! the document's identities (row sums, code hierarchy, totals of other tables), by which revenue
//! sources the summary shows, and by the fixed meaning of economic codes. What the document
//! does not decide stays null and is reported.

use crate::identity::{CellRef, Identity, IdentitySet};
use crate::model::{Cells, DocKind, Side, Table, TableType};
use crate::normalize::strip_ws;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::{BTreeSet, HashMap};

/// Sum sets larger than this are not enumerated: the identity then prunes nothing (sound).
const SUMSET_CAP: usize = 50_000;

/// Columns the document proves empty, per table type (a source the summary shows as blank).
pub type InactiveColumns = HashMap<TableType, BTreeSet<&'static str>>;

fn cents(v: Decimal, factor: Decimal) -> i64 {
    (v * factor * Decimal::from(100)).round().to_i64().unwrap_or(i64::MAX / 4)
}

/// A placement of a row's printed numbers: the column index of each.
#[derive(Debug, Clone)]
struct Candidate {
    positions: Vec<usize>,
    /// Per column, in cents of yuan (None: blank or dash).
    values: Vec<Option<i64>>,
}

struct Var {
    table: usize,
    row: usize,
    nums: Vec<Option<Decimal>>,
    cands: Vec<Candidate>,
}

/// An identity prepared for pruning: per variable, its signed cells.
struct Prepared {
    terms: Vec<(usize, Vec<(usize, i64)>)>,
    half_cents: i64,
}

/// All increasing placements of k numbers into n columns.
pub fn placements(k: usize, n: usize) -> Vec<Vec<usize>> {
    fn rec(start: usize, k: usize, n: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if cur.len() == k {
            out.push(cur.clone());
            return;
        }
        for i in start..=n - (k - cur.len()) {
            cur.push(i);
            rec(i + 1, k, n, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    if k <= n {
        rec(0, k, n, &mut Vec::new(), &mut out);
    }
    out
}

/// Which revenue sources the summary (表1) shows as blank: their columns hold nothing anywhere.
pub fn inactive_columns(tables: &[Table], kind: DocKind) -> InactiveColumns {
    let mut out = InactiveColumns::new();
    if kind != DocKind::Budget {
        return out;
    }
    let Some(summary) = tables.iter().find(|t| t.table_type == TableType::RevenueExpenditureSummary) else { return out };
    let mut current: Vec<(String, Option<Decimal>)> = Vec::new();
    let mut carried: Vec<(String, Option<Decimal>)> = Vec::new();
    for row in summary.rows.iter().filter(|r| r.key.side == Some(Side::Revenue)) {
        let item = strip_ws(row.key.item.as_deref().unwrap_or(""));
        let item = item.trim_start_matches("其中：").trim_start_matches("其中:").to_string();
        let value = match &row.cells {
            Cells::Placed(v) => v.first().copied().flatten(),
            Cells::Unplaced(_) => continue,
        };
        if item.contains("上年结转") || !carried.is_empty() || item.contains("结转") {
            carried.push((item, value));
        } else {
            current.push((item, value));
        }
    }
    let zero = |v: Option<Decimal>| v.is_none_or(|d| d.is_zero());
    // A specific line if printed, else the line that includes it.
    let lookup = |lines: &[(String, Option<Decimal>)], specific: &[&str], general: &[&str]| -> Option<bool> {
        let find = |words: &[&str]| lines.iter().find(|(i, _)| words.iter().any(|w| i.contains(w))).map(|(_, v)| zero(*v));
        find(specific).or_else(|| find(general).filter(|z| *z))
    };
    let gb = lookup(&current, &["一般财力"], &["一般公共预算"]);
    let gbt = lookup(&current, &["上级一般公共预算"], &["一般公共预算"]);
    let gf = lookup(&current, &["政府性基金收入"], &["政府性基金"]);
    let gft = lookup(&current, &["上级政府性基金"], &["政府性基金"]);
    let sc = lookup(&current, &["国有资本经营收入"], &["国有资本经营"]);
    let sct = lookup(&current, &["上级国有资本经营"], &["国有资本经营"]);
    let special = lookup(&current, &["财政专户"], &[]);
    let unit = lookup(&current, &["单位资金"], &[]);
    let fiscal_carry_all = carried.iter().find(|(i, _)| i.contains("财政拨款结转") && !i.starts_with('非')).map(|(_, v)| zero(*v));
    let nonfiscal = carried.iter().find(|(i, _)| i.starts_with("非财政拨款")).map(|(_, v)| zero(*v));
    let carry = |word: &str| -> Option<bool> {
        carried.iter().find(|(i, _)| i.contains(word) && !i.contains("财政拨款结转")).map(|(_, v)| zero(*v)).or(fiscal_carry_all.filter(|z| *z))
    };
    let is = |x: Option<bool>| x == Some(true);
    let mut rev = BTreeSet::new();
    for (col, z) in [
        ("general_budget", gb),
        ("general_budget_transfer", gbt),
        ("gov_fund", gf),
        ("gov_fund_transfer", gft),
        ("state_capital", sc),
        ("state_capital_transfer", sct),
        ("special_account", special),
        ("unit_funds", unit),
        ("fiscal_carryover", fiscal_carry_all),
        ("nonfiscal_carryover", nonfiscal),
    ] {
        if is(z) {
            rev.insert(col);
        }
    }
    if [gb, gbt, gf, gft, sc, sct].iter().all(|z| is(*z)) {
        rev.insert("fiscal_subtotal");
    }
    out.insert(TableType::RevenueByFunction, rev);
    // Fiscal funds by source: this year's appropriation and last year's carry-over both blank.
    let mut funds = BTreeSet::new();
    for (col, own, transfer, word) in [
        ("general_budget", gb, gbt, "一般公共预算"),
        ("gov_fund", gf, gft, "政府性基金"),
        ("state_capital", sc, sct, "国有资本经营"),
    ] {
        if is(own) && is(transfer) && is(carry(word)) {
            funds.insert(col);
        }
    }
    out.insert(TableType::FiscalSummary, funds.clone());
    out.insert(TableType::ThreePublic, funds);
    out
}

/// The fixed meaning of economic codes in the basic-expenditure table: 301 and 303 are
/// 人员经费, every other class is 公用经费.
fn economic_column_excluded(table_type: TableType, code: Option<&str>, column: &str) -> bool {
    if table_type != TableType::BasicExpenditureByEconomic {
        return false;
    }
    let Some(code) = code else { return false };
    let personnel = code.starts_with("301") || code.starts_with("303");
    (personnel && column == "public") || (!personnel && column == "personnel")
}

fn build_vars(tables: &[Table], inactive: &InactiveColumns) -> Vec<Var> {
    let mut vars = Vec::new();
    for (t, table) in tables.iter().enumerate() {
        let factor = table.unit.factor();
        let dead = inactive.get(&table.table_type);
        for (r, row) in table.rows.iter().enumerate() {
            let n = row.columns.len();
            let (nums, cands) = match &row.cells {
                Cells::Placed(v) => {
                    let values = v.iter().map(|a| a.map(|d| cents(d, factor))).collect();
                    (v.clone(), vec![Candidate { positions: (0..v.len()).collect(), values }])
                }
                Cells::Unplaced(nums) => {
                    let all: Vec<Candidate> = placements(nums.len(), n)
                        .into_iter()
                        .map(|positions| {
                            let mut values = vec![None; n];
                            for (j, &p) in positions.iter().enumerate() {
                                values[p] = nums[j].map(|d| cents(d, factor));
                            }
                            Candidate { positions, values }
                        })
                        .collect();
                    let holds_nothing = |c: &Candidate, col: usize| c.values[col].is_none_or(|v| v == 0);
                    let facts = |c: &Candidate| {
                        (0..n).all(|col| {
                            let name = row.columns[col];
                            let proven_empty = dead.is_some_and(|d| d.contains(name))
                                || economic_column_excluded(table.table_type, row.key.code.as_deref(), name);
                            !proven_empty || holds_nothing(c, col)
                        })
                    };
                    (nums.clone(), filter_nonempty(all, facts))
                }
            };
            vars.push(Var { table: t, row: r, nums, cands });
        }
    }
    vars
}

/// Keeps the candidates that pass, unless none would (the document contradicts itself there,
/// which the checks report).
fn filter_nonempty(cands: Vec<Candidate>, keep: impl Fn(&Candidate) -> bool) -> Vec<Candidate> {
    let kept: Vec<Candidate> = cands.iter().filter(|c| keep(c)).cloned().collect();
    if kept.is_empty() {
        cands
    } else {
        kept
    }
}

fn prepare(ids: &[Identity], var_of: &HashMap<(usize, usize), usize>, tables: &[Table]) -> Vec<Prepared> {
    ids.iter()
        .map(|id| {
            let mut terms: Vec<(usize, Vec<(usize, i64)>)> = Vec::new();
            let mut add = |c: &CellRef, sign: i64| {
                let v = var_of[&(c.table, c.row)];
                match terms.iter_mut().find(|(x, _)| *x == v) {
                    Some((_, cells)) => cells.push((c.col, sign)),
                    None => terms.push((v, vec![(c.col, sign)])),
                }
            };
            add(&id.target, -1);
            for a in &id.addends {
                add(a, 1);
            }
            let _ = tables;
            Prepared { terms, half_cents: cents(id.half_digit_yuan, Decimal::ONE).max(1) }
        })
        .collect()
}

fn contribution(cand: &Candidate, cells: &[(usize, i64)]) -> i64 {
    cells.iter().map(|(col, sign)| sign * cand.values[*col].unwrap_or(0)).sum()
}

fn sumset(a: &[i64], b: &[i64]) -> Option<Vec<i64>> {
    let mut out: Vec<i64> = a.iter().flat_map(|x| b.iter().map(move |y| x + y)).collect();
    out.sort_unstable();
    out.dedup();
    (out.len() <= SUMSET_CAP).then_some(out)
}

/// Generalised arc consistency of one identity: the candidates of each variable that can be
/// completed by the others within tolerance. Variables with one candidate only shift the
/// target. `None`: too large to enumerate.
fn revise(p: &Prepared, vars: &[Var], domains: &[Vec<usize>]) -> Option<Vec<(usize, Vec<usize>)>> {
    let free: Vec<&(usize, Vec<(usize, i64)>)> = p.terms.iter().filter(|(v, _)| domains[*v].len() > 1).collect();
    if free.is_empty() {
        return Some(Vec::new());
    }
    let mut offset = 0i64;
    let mut n = 0i64;
    for (v, cells) in &p.terms {
        let live = &domains[*v];
        if live.len() == 1 {
            offset += contribution(&vars[*v].cands[live[0]], cells);
        }
        // Addends that may be printed (non-null) under some live candidate count towards n.
        n += cells
            .iter()
            .filter(|(col, sign)| *sign > 0 && live.iter().any(|&c| vars[*v].cands[c].values[*col].is_some()))
            .count() as i64;
    }
    let tol = (n + 1) * p.half_cents;
    let sets: Vec<Vec<i64>> = free
        .iter()
        .map(|(v, cells)| {
            let mut s: Vec<i64> = domains[*v].iter().map(|&c| contribution(&vars[*v].cands[c], cells)).collect();
            s.sort_unstable();
            s.dedup();
            s
        })
        .collect();
    let k = sets.len();
    let mut prefix = vec![vec![offset]];
    for s in &sets {
        prefix.push(sumset(prefix.last()?, s)?);
    }
    let mut suffix = vec![vec![0i64]; k + 1];
    for i in (0..k).rev() {
        suffix[i] = sumset(&suffix[i + 1], &sets[i])?;
    }
    let mut changes = Vec::new();
    for (i, (v, cells)) in free.iter().enumerate() {
        let feasible = |x: i64| {
            prefix[i].iter().any(|pre| {
                let lo = -tol - x - pre;
                let hi = tol - x - pre;
                let q = &suffix[i + 1];
                let idx = q.partition_point(|y| *y < lo);
                idx < q.len() && q[idx] <= hi
            })
        };
        let kept: Vec<usize> = domains[*v].iter().copied().filter(|&c| feasible(contribution(&vars[*v].cands[c], cells))).collect();
        if kept.len() != domains[*v].len() {
            changes.push((*v, kept));
        }
    }
    Some(changes)
}

/// Prunes to a fixed point. Outside a trial, an identity that would leave a variable without
/// candidates is a misprint in the document: it is set aside (the checks report it). In a trial,
/// that is a contradiction.
fn propagate(
    preps: &[Prepared],
    by_var: &[Vec<usize>],
    vars: &[Var],
    domains: &mut [Vec<usize>],
    active: &mut [bool],
    start: Vec<usize>,
    trial: bool,
) -> bool {
    let mut queued = vec![false; preps.len()];
    let mut queue: Vec<usize> = start.into_iter().filter(|&i| active[i]).collect();
    for &i in &queue {
        queued[i] = true;
    }
    while let Some(i) = queue.pop() {
        queued[i] = false;
        if !active[i] {
            continue;
        }
        let Some(changes) = revise(&preps[i], vars, domains) else { continue };
        if changes.iter().any(|(_, d)| d.is_empty()) {
            if trial {
                return false;
            }
            active[i] = false;
            continue;
        }
        for (v, d) in changes {
            domains[v] = d;
            for &j in &by_var[v] {
                if !queued[j] && active[j] {
                    queued[j] = true;
                    queue.push(j);
                }
            }
        }
    }
    true
}

/// Places every unplaced number the document determines; the rest stay null and are listed in
/// `Row::unplaced`.
pub fn assign(tables: &mut [Table], ids: &IdentitySet, inactive: &InactiveColumns) {
    if !tables.iter().any(|t| t.rows.iter().any(|r| matches!(r.cells, Cells::Unplaced(_)))) {
        return;
    }
    let mut vars = build_vars(tables, inactive);
    let var_of: HashMap<(usize, usize), usize> = vars.iter().enumerate().map(|(i, v)| ((v.table, v.row), i)).collect();
    let preps = prepare(&ids.identities, &var_of, tables);
    // Identities within one row filter that row's candidates directly.
    for p in preps.iter().filter(|p| p.terms.len() == 1) {
        let (v, cells) = &p.terms[0];
        let n = cells.iter().filter(|(_, s)| *s > 0).count() as i64;
        let tol = (n + 1) * p.half_cents;
        let cands = std::mem::take(&mut vars[*v].cands);
        vars[*v].cands = filter_nonempty(cands, |c| contribution(c, cells).abs() <= tol);
    }
    let mut by_var: Vec<Vec<usize>> = vec![Vec::new(); vars.len()];
    for (i, p) in preps.iter().enumerate() {
        for (v, _) in &p.terms {
            by_var[*v].push(i);
        }
    }
    let mut domains: Vec<Vec<usize>> = vars.iter().map(|v| (0..v.cands.len()).collect()).collect();
    // Identities among rows whose columns are all known take no part in placing numbers.
    let mut active: Vec<bool> = preps.iter().map(|p| p.terms.len() > 1 && p.terms.iter().any(|(v, _)| domains[*v].len() > 1)).collect();
    propagate(&preps, &by_var, &vars, &mut domains, &mut active, (0..preps.len()).collect(), false);
    // Singleton consistency: a candidate that leads to a contradiction is impossible.
    let component = components(vars.len(), &preps, &active);
    let mut supported: BTreeSet<(usize, usize)> = BTreeSet::new();
    for v in 0..vars.len() {
        if domains[v].len() <= 1 {
            continue;
        }
        let mut kept = Vec::new();
        for c in domains[v].clone() {
            if supported.contains(&(v, c)) {
                kept.push(c);
                continue;
            }
            // Domains are at a fixed point: only identities of `v` need another look first.
            let mut trial = domains.clone();
            trial[v] = vec![c];
            if !propagate(&preps, &by_var, &vars, &mut trial, &mut active.clone(), by_var[v].clone(), true) {
                continue;
            }
            kept.push(c);
            // A trial that fixes its whole component found a solution there: every candidate in
            // it is possible, so none of them needs a trial of its own.
            let members: Vec<usize> = (0..vars.len()).filter(|&w| component[w] == component[v]).collect();
            if members.iter().all(|&w| trial[w].len() == 1) {
                supported.extend(members.iter().map(|&w| (w, trial[w][0])));
            }
        }
        if !kept.is_empty() && kept.len() < domains[v].len() {
            domains[v] = kept;
            propagate(&preps, &by_var, &vars, &mut domains, &mut active, by_var[v].clone(), false);
        }
    }
    for (v, var) in vars.iter().enumerate() {
        let row = &mut tables[var.table].rows[var.row];
        if !matches!(row.cells, Cells::Unplaced(_)) {
            continue;
        }
        write_back(row, var, &domains[v]);
    }
}

/// Connected components of the variables under the active identities.
fn components(n: usize, preps: &[Prepared], active: &[bool]) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for (p, _) in preps.iter().zip(active).filter(|(_, a)| **a) {
        let first = p.terms[0].0;
        for (v, _) in &p.terms[1..] {
            let (a, b) = (root(&mut parent, first), root(&mut parent, *v));
            parent[a] = b;
        }
    }
    (0..n).map(|x| root(&mut parent, x)).collect()
}

fn write_back(row: &mut crate::model::Row, var: &Var, domain: &[usize]) {
    let n = row.columns.len();
    let mut values = vec![None; n];
    let live: Vec<&Candidate> = domain.iter().map(|&c| &var.cands[c]).collect();
    for (col, value) in values.iter_mut().enumerate() {
        let at = |c: &Candidate| c.positions.iter().position(|&p| p == col).and_then(|j| var.nums[j]);
        match live.first() {
            Some(first) if live.iter().all(|c| at(c) == at(first)) => *value = at(first),
            _ => row.undetermined.push(col),
        }
    }
    for (j, num) in var.nums.iter().enumerate() {
        let mut cols: Vec<&'static str> = live.iter().map(|c| row.columns[c.positions[j]]).collect();
        cols.dedup();
        let cols: Vec<&'static str> = cols.into_iter().collect::<BTreeSet<_>>().into_iter().collect();
        if live.is_empty() {
            if let Some(d) = num {
                row.unplaced.push((*d, row.columns.to_vec()));
            }
        } else if cols.len() > 1 {
            if let Some(d) = num {
                let ordered: Vec<&'static str> = row.columns.iter().copied().filter(|c| cols.contains(c)).collect();
                row.unplaced.push((*d, ordered));
            }
        }
    }
    row.cells = Cells::Placed(values);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placements_keep_order() {
        assert_eq!(placements(2, 3), vec![vec![0, 1], vec![0, 2], vec![1, 2]]);
        assert_eq!(placements(3, 3).len(), 1);
        assert!(placements(4, 3).is_empty());
    }
}
