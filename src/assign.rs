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
    /// Per term, filled once the candidates are final (see `tabulate`).
    tables: Vec<TermTable>,
}

/// One term of an identity over its variable's candidates: what each candidate contributes to
/// the sum, and which of the term's addend cells it prints (bit j: the j-th addend cell). Pruning
/// looks these up instead of recomputing them on every revision.
#[derive(Default)]
struct TermTable {
    contrib: Vec<i64>,
    printed: Vec<u64>,
    /// The mask with every addend cell printed.
    all_printed: u64,
    /// Addend cells beyond 64 (not in the mask): counted as printed, which only widens the
    /// tolerance (sound).
    extra: i64,
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
    let Some(summary) = tables.iter().find(|t| t.table_type == TableType::RevenueExpenditureSummary) else {
        return out;
    };
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
        let find =
            |words: &[&str]| lines.iter().find(|(i, _)| words.iter().any(|w| i.contains(w))).map(|(_, v)| zero(*v));
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
    let fiscal_carry_all =
        carried.iter().find(|(i, _)| i.contains("财政拨款结转") && !i.starts_with('非')).map(|(_, v)| zero(*v));
    let nonfiscal = carried.iter().find(|(i, _)| i.starts_with("非财政拨款")).map(|(_, v)| zero(*v));
    let carry = |word: &str| -> Option<bool> {
        carried
            .iter()
            .find(|(i, _)| i.contains(word) && !i.contains("财政拨款结转"))
            .map(|(_, v)| zero(*v))
            .or(fiscal_carry_all.filter(|z| *z))
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

/// The fixed meaning of economic codes in the basic-expenditure table: the contract fixes 301
/// and 303 as 人员经费, so they hold no 公用经费. Every other class (302 商品和服务支出, 310
/// 资本性支出 …) may be either; only the document's identities decide.
fn economic_column_excluded(table_type: TableType, code: Option<&str>, column: &str) -> bool {
    if table_type != TableType::BasicExpenditureByEconomic {
        return false;
    }
    let Some(code) = code else { return false };
    let personnel = code.starts_with("301") || code.starts_with("303");
    personnel && column == "public"
}

fn build_vars(tables: &[Table], inactive: &InactiveColumns) -> Vec<Var> {
    let mut vars = Vec::new();
    for (t, table) in tables.iter().enumerate() {
        let factor = table.factor();
        let dead = inactive.get(&table.table_type);
        for (r, row) in table.rows.iter().enumerate() {
            let n = row.columns.len();
            let (nums, cands) = match &row.cells {
                Cells::Placed(v) => {
                    let values = v.iter().map(|a| a.map(|d| cents(d, factor))).collect();
                    (v.clone(), vec![Candidate { positions: (0..v.len()).collect(), values }])
                }
                Cells::Unplaced(nums) => {
                    let num_cents: Vec<Option<i64>> = nums.iter().map(|a| a.map(|d| cents(d, factor))).collect();
                    let all: Vec<Candidate> = placements(nums.len(), n)
                        .into_iter()
                        .map(|positions| {
                            let mut values = vec![None; n];
                            for (j, &p) in positions.iter().enumerate() {
                                values[p] = num_cents[j];
                            }
                            Candidate { positions, values }
                        })
                        .collect();
                    // Columns the document proves empty (inactive sources, economic meaning).
                    let proven_empty: Vec<usize> = (0..n)
                        .filter(|&col| {
                            let Some(name) = row.columns.name(col) else { return false };
                            dead.is_some_and(|d| d.contains(name))
                                || economic_column_excluded(table.table_type, row.key.code.as_deref(), name)
                        })
                        .collect();
                    let facts = |c: &Candidate| {
                        proven_empty.iter().all(|&col| c.values.get(col).copied().flatten().is_none_or(|v| v == 0))
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
fn filter_nonempty(mut cands: Vec<Candidate>, keep: impl Fn(&Candidate) -> bool) -> Vec<Candidate> {
    if cands.iter().any(&keep) {
        cands.retain(keep);
    }
    cands
}

fn prepare(ids: &[Identity], var_of: &HashMap<(usize, usize), usize>) -> Vec<Prepared> {
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
            Prepared { terms, half_cents: cents(id.half_digit_yuan, Decimal::ONE).max(1), tables: Vec::new() }
        })
        .collect()
}

fn contribution(cand: &Candidate, cells: &[(usize, i64)]) -> i64 {
    // A candidate of a row printed without value cells has no values: every column is blank.
    cells.iter().map(|(col, sign)| sign * cand.values.get(*col).copied().flatten().unwrap_or(0)).sum()
}

fn tabulate(preps: &mut [Prepared], vars: &[Var]) {
    for p in preps.iter_mut() {
        p.tables = p
            .terms
            .iter()
            .map(|(v, cells)| {
                let addends: Vec<usize> = cells.iter().filter(|(_, sign)| *sign > 0).map(|(col, _)| *col).collect();
                let printed = |c: &Candidate| {
                    addends
                        .iter()
                        .take(64)
                        .enumerate()
                        .filter(|(_, col)| c.values.get(**col).is_some_and(Option::is_some))
                        .fold(0u64, |m, (j, _)| m | 1 << j)
                };
                TermTable {
                    contrib: vars[*v].cands.iter().map(|c| contribution(c, cells)).collect(),
                    printed: vars[*v].cands.iter().map(printed).collect(),
                    all_printed: if addends.len() >= 64 { u64::MAX } else { (1u64 << addends.len()) - 1 },
                    extra: addends.len().saturating_sub(64) as i64,
                }
            })
            .collect();
    }
}

fn sumset(a: &[i64], b: &[i64]) -> Option<Vec<i64>> {
    let mut out: Vec<i64> = a.iter().flat_map(|x| b.iter().map(move |y| x + y)).collect();
    out.sort_unstable();
    out.dedup();
    (out.len() <= SUMSET_CAP).then_some(out)
}

/// The addend cells some live candidate prints (stops as soon as all of them are).
fn printed_somewhere(table: &TermTable, live: &[usize]) -> u64 {
    let mut mask = 0u64;
    for &c in live {
        mask |= table.printed[c];
        if mask == table.all_printed {
            break;
        }
    }
    mask
}

/// Generalised arc consistency of one identity: the candidates of each variable that can be
/// completed by the others within tolerance. Variables with one candidate only shift the
/// target; when all are fixed and the sum fails, the first variable is left without candidates
/// (a contradiction). `None`: too large to enumerate.
fn revise(p: &Prepared, domains: &[Vec<usize>]) -> Option<Vec<(usize, Vec<usize>)>> {
    let mut free: Vec<(usize, &TermTable)> = Vec::new();
    let mut offset = 0i64;
    let mut n = 0i64;
    for ((v, _), table) in p.terms.iter().zip(&p.tables) {
        let live = &domains[*v];
        if live.len() == 1 {
            offset += table.contrib[live[0]];
        } else {
            free.push((*v, table));
        }
        // Addends that may be printed (non-null) under some live candidate count towards n.
        n += i64::from(printed_somewhere(table, live).count_ones()) + table.extra;
    }
    let tol = (n + 1) * p.half_cents;
    if free.is_empty() {
        // Every term fixed: the identity holds, or these placements contradict it.
        return Some(if offset.abs() <= tol { Vec::new() } else { vec![(p.terms[0].0, Vec::new())] });
    }
    let sets: Vec<Vec<i64>> = free
        .iter()
        .map(|(v, table)| {
            let mut s: Vec<i64> = domains[*v].iter().map(|&c| table.contrib[c]).collect();
            s.sort_unstable();
            s.dedup();
            s
        })
        .collect();
    // prefix[i]: sums of the terms before free term i (with the fixed ones); suffix[i]: of the
    // free terms from i on. Term i needs prefix[i] and suffix[i + 1] only.
    let k = sets.len();
    let mut prefix = vec![vec![offset]];
    for s in &sets[..k - 1] {
        prefix.push(sumset(prefix.last()?, s)?);
    }
    let mut suffix = vec![vec![0i64]; k + 1];
    for i in (1..k).rev() {
        suffix[i] = sumset(&suffix[i + 1], &sets[i])?;
    }
    let mut changes = Vec::new();
    for (i, (v, table)) in free.iter().enumerate() {
        // Whether each distinct contribution can be completed: walk the smaller side, search the
        // larger one.
        let (walk, search) = if prefix[i].len() <= suffix[i + 1].len() {
            (&prefix[i], &suffix[i + 1])
        } else {
            (&suffix[i + 1], &prefix[i])
        };
        let feasible: Vec<bool> = sets[i]
            .iter()
            .map(|&x| {
                walk.iter().any(|w| {
                    let (lo, hi) = (-tol - x - w, tol - x - w);
                    let idx = search.partition_point(|y| *y < lo);
                    idx < search.len() && search[idx] <= hi
                })
            })
            .collect();
        let possible = |c: usize| sets[i].binary_search(&table.contrib[c]).is_ok_and(|at| feasible[at]);
        let kept: Vec<usize> = domains[*v].iter().copied().filter(|&c| possible(c)).collect();
        if kept.len() != domains[*v].len() {
            changes.push((*v, kept));
        }
    }
    Some(changes)
}

/// One domain replaced during propagation: (variable, its old domain, the identity that pruned
/// it). Undone in reverse order.
type Trail = Vec<(usize, Vec<usize>, usize)>;

fn undo(domains: &mut [Vec<usize>], trail: Trail) {
    for (v, old, _) in trail.into_iter().rev() {
        domains[v] = old;
    }
}

/// Prunes to a fixed point over the active identities, starting with `start`; every domain
/// replaced is pushed on `trail`. `Err(i)`: identity `i` would leave a variable without
/// candidates, so the active identities contradict each other (the domains are left part-pruned;
/// the trail undoes them).
fn propagate(
    preps: &[Prepared],
    by_var: &[Vec<usize>],
    domains: &mut [Vec<usize>],
    active: &[bool],
    start: &[usize],
    trail: &mut Trail,
) -> Result<(), usize> {
    let mut queued = vec![false; preps.len()];
    let mut queue: Vec<usize> = start.iter().copied().filter(|&i| active[i]).collect();
    for &i in &queue {
        queued[i] = true;
    }
    // First in, first out: an identity waits while others prune, so it is revised once for many
    // changes (a stack revised ~4× as often on real documents).
    let mut head = 0;
    while head < queue.len() {
        let i = queue[head];
        head += 1;
        queued[i] = false;
        let Some(changes) = revise(&preps[i], domains) else { continue };
        if changes.iter().any(|(_, d)| d.is_empty()) {
            return Err(i);
        }
        for (v, d) in changes {
            let old = std::mem::replace(&mut domains[v], d);
            trail.push((v, old, i));
            for &j in &by_var[v] {
                if !queued[j] && active[j] {
                    queued[j] = true;
                    queue.push(j);
                }
            }
        }
    }
    Ok(())
}

/// The identities of `ids` (all active) that contradict each other, if they do: a minimal set
/// (each one of them is needed for the contradiction). The domains are left as they were.
fn conflict(
    preps: &[Prepared],
    by_var: &[Vec<usize>],
    domains: &mut [Vec<usize>],
    ids: &[usize],
) -> Option<Vec<usize>> {
    // The identities that pruned on the way to the contradiction, and the one that met it.
    let culprits = |domains: &mut [Vec<usize>], ids: &[usize]| -> Option<Vec<usize>> {
        let mut active = vec![false; preps.len()];
        for &i in ids {
            active[i] = true;
        }
        let mut trail = Trail::new();
        let outcome = propagate(preps, by_var, domains, &active, ids, &mut trail);
        let mut used: BTreeSet<usize> = trail.iter().map(|(_, _, i)| *i).collect();
        undo(domains, trail);
        let failed = outcome.err()?;
        used.insert(failed);
        Some(used.into_iter().collect())
    };
    let mut set = culprits(domains, ids)?;
    // Deletion filter: an identity the contradiction does without is not part of it.
    for i in set.clone() {
        let without: Vec<usize> = set.iter().copied().filter(|&j| j != i).collect();
        if let Some(smaller) = culprits(domains, &without) {
            set = smaller;
        }
    }
    Some(set)
}

/// Conflict analyses larger than this (sets of identities tried) give up: the component's
/// numbers then stay unplaced (sound).
const DIAGNOSIS_CAP: usize = 256;

/// The minimal sets of identities whose removal leaves `ids` consistent (their complements are
/// the maximal consistent subsets), by a breadth-first hitting-set tree over conflicts. `None`:
/// too many to enumerate.
fn diagnoses(
    preps: &[Prepared],
    by_var: &[Vec<usize>],
    domains: &mut [Vec<usize>],
    ids: &[usize],
) -> Option<Vec<Vec<usize>>> {
    let mut found: Vec<Vec<usize>> = Vec::new();
    let mut seen: BTreeSet<Vec<usize>> = BTreeSet::new();
    let mut queue: std::collections::VecDeque<Vec<usize>> = std::collections::VecDeque::from([Vec::new()]);
    while let Some(removed) = queue.pop_front() {
        if found.iter().any(|d| d.iter().all(|i| removed.contains(i))) || !seen.insert(removed.clone()) {
            continue;
        }
        if seen.len() > DIAGNOSIS_CAP {
            return None;
        }
        let kept: Vec<usize> = ids.iter().copied().filter(|i| !removed.contains(i)).collect();
        match conflict(preps, by_var, domains, &kept) {
            None => found.push(removed),
            Some(set) => {
                for i in set {
                    let mut next = removed.clone();
                    next.push(i);
                    next.sort_unstable();
                    queue.push_back(next);
                }
            }
        }
    }
    Some(found)
}

/// Tries `v = c` on domains at a fixed point: false if that leads to a contradiction. When the
/// trial fixes every variable of `members` (the component of `v`), it found a solution there,
/// and its values are added to `supported`. The domains are restored either way.
fn trial(
    preps: &[Prepared],
    by_var: &[Vec<usize>],
    domains: &mut [Vec<usize>],
    active: &[bool],
    (v, c): (usize, usize),
    members: &[usize],
    supported: &mut BTreeSet<(usize, usize)>,
) -> bool {
    let mut trail: Trail = vec![(v, std::mem::replace(&mut domains[v], vec![c]), usize::MAX)];
    // Only identities of `v` need another look first.
    let possible = propagate(preps, by_var, domains, active, &by_var[v], &mut trail).is_ok();
    if possible && members.iter().all(|&w| domains[w].len() == 1) {
        supported.extend(members.iter().map(|&w| (w, domains[w][0])));
    }
    undo(domains, trail);
    possible
}

/// Narrows the domains of one component (`members`, its identities `ids`) under the active
/// identities: propagation, then singleton consistency (a candidate that leads to a
/// contradiction is impossible). False, with the domains untouched, if the active identities
/// contradict each other.
fn narrow(
    preps: &[Prepared],
    by_var: &[Vec<usize>],
    domains: &mut [Vec<usize>],
    active: &[bool],
    members: &[usize],
    ids: &[usize],
) -> bool {
    let mut trail = Trail::new();
    if propagate(preps, by_var, domains, active, ids, &mut trail).is_err() {
        undo(domains, trail);
        return false;
    }
    let mut supported: BTreeSet<(usize, usize)> = BTreeSet::new();
    for &v in members {
        if domains[v].len() <= 1 {
            continue;
        }
        let mut kept = Vec::new();
        for c in domains[v].clone() {
            // A trial that fixed a whole component proved all of its values possible.
            if supported.contains(&(v, c)) || trial(preps, by_var, domains, active, (v, c), members, &mut supported) {
                kept.push(c);
            }
        }
        if kept.is_empty() {
            // No candidate survives: the identities contradict each other after all.
            undo(domains, trail);
            return false;
        }
        if kept.len() < domains[v].len() {
            let old = std::mem::replace(&mut domains[v], kept);
            trail.push((v, old, usize::MAX));
            // Each kept candidate survived its trial, so their union cannot contradict.
            let _ = propagate(preps, by_var, domains, active, &by_var[v], &mut trail);
        }
    }
    true
}

/// Solves one component. Where its identities contradict each other (a misprint), a candidate
/// stays possible if any maximal consistent subset of them allows it: only what every such
/// subset agrees on is placed; the rest is reported as undetermined.
fn solve_component(
    preps: &[Prepared],
    by_var: &[Vec<usize>],
    domains: &mut [Vec<usize>],
    active: &mut [bool],
    members: &[usize],
    ids: &[usize],
) {
    if narrow(preps, by_var, domains, active, members, ids) {
        return;
    }
    let base: Vec<Vec<usize>> = members.iter().map(|&v| domains[v].clone()).collect();
    let Some(diagnoses) = diagnoses(preps, by_var, domains, ids) else { return };
    let mut union: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); members.len()];
    let mut any = false;
    for removed in diagnoses {
        for &i in &removed {
            active[i] = false;
        }
        if narrow(preps, by_var, domains, active, members, ids) {
            any = true;
            for (k, &v) in members.iter().enumerate() {
                union[k].extend(domains[v].iter().copied());
            }
        }
        for (k, &v) in members.iter().enumerate() {
            domains[v] = base[k].clone();
        }
        for &i in &removed {
            active[i] = true;
        }
    }
    if any {
        for (k, &v) in members.iter().enumerate() {
            domains[v] = union[k].iter().copied().collect();
        }
    }
}

/// Places every unplaced number the document determines; the rest stay null and are listed in
/// `Row::unplaced`.
pub fn assign(tables: &mut [Table], ids: &IdentitySet, inactive: &InactiveColumns) {
    if !tables.iter().any(|t| t.rows.iter().any(|r| matches!(r.cells, Cells::Unplaced(_)))) {
        return;
    }
    let mut vars = build_vars(tables, inactive);
    let var_of: HashMap<(usize, usize), usize> = vars.iter().enumerate().map(|(i, v)| ((v.table, v.row), i)).collect();
    let mut preps = prepare(&ids.identities, &var_of);
    // Identities within one row filter that row's candidates directly.
    for p in preps.iter().filter(|p| p.terms.len() == 1) {
        let (v, cells) = &p.terms[0];
        let n = cells.iter().filter(|(_, s)| *s > 0).count() as i64;
        let tol = (n + 1) * p.half_cents;
        let cands = std::mem::take(&mut vars[*v].cands);
        vars[*v].cands = filter_nonempty(cands, |c| contribution(c, cells).abs() <= tol);
    }
    tabulate(&mut preps, &vars);
    let mut by_var: Vec<Vec<usize>> = vec![Vec::new(); vars.len()];
    for (i, p) in preps.iter().enumerate() {
        for (v, _) in &p.terms {
            by_var[*v].push(i);
        }
    }
    let mut domains: Vec<Vec<usize>> = vars.iter().map(|v| (0..v.cands.len()).collect()).collect();
    // Identities among rows whose columns are all known take no part in placing numbers.
    let mut active: Vec<bool> =
        preps.iter().map(|p| p.terms.len() > 1 && p.terms.iter().any(|(v, _)| domains[*v].len() > 1)).collect();
    let component = components(vars.len(), &preps, &active);
    let mut ids_of: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, p) in preps.iter().enumerate().filter(|(i, _)| active[*i]) {
        ids_of.entry(component[p.terms[0].0]).or_default().push(i);
    }
    let members = component_members(&component);
    let mut roots: Vec<usize> = ids_of.keys().copied().collect();
    roots.sort_unstable();
    for root in roots {
        let comp_members = members[root].clone();
        solve_component(&preps, &by_var, &mut domains, &mut active, &comp_members, &ids_of[&root]);
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

/// Per variable, the variables of its component (shared lists).
fn component_members(component: &[usize]) -> Vec<std::rc::Rc<[usize]>> {
    let mut by_root: HashMap<usize, Vec<usize>> = HashMap::new();
    for (v, &root) in component.iter().enumerate() {
        by_root.entry(root).or_default().push(v);
    }
    let shared: HashMap<usize, std::rc::Rc<[usize]>> = by_root.into_iter().map(|(r, m)| (r, m.into())).collect();
    component.iter().map(|r| shared[r].clone()).collect()
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
        let mut cols: Vec<&'static str> =
            live.iter().map(|c| row.columns.name(c.positions[j]).unwrap_or_default()).collect();
        cols.dedup();
        let cols: Vec<&'static str> = cols.into_iter().collect::<BTreeSet<_>>().into_iter().collect();
        if live.is_empty() {
            if let Some(d) = num {
                row.unplaced.push((*d, row.columns.mapped()));
            }
        } else if cols.len() > 1 {
            if let Some(d) = num {
                let ordered: Vec<&'static str> =
                    row.columns.mapped().into_iter().filter(|c| cols.contains(c)).collect();
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
