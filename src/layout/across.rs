//! 三公 tables printed across: the items are columns (合计 | 因公出国 | 公务用车 {小计 | 购置 |
//! 运行} | 公务接待, possibly under 预算数/决算数 or year groups, possibly split by fund source)
//! and a row of amounts prints under them with its blank cells dropped. This module owns reading
//! such a header into leaf columns and placing the row's numbers in them: by the printed order,
//! by where each number sits (when the layout keeps positions) and by the 三公 identities — a
//! number they do not place stays null and is reported.

use super::ParsedRows;
use crate::model::{Cells, Columns, DocKind, Row, RowKey};
use crate::normalize::{strip_ws, AmountToken};
use rust_decimal::Decimal;
use std::collections::BTreeSet;

/// A header word: its text, its header line (0 = top) and its extent in characters (`None` in
/// layouts without positions).
#[derive(Debug, Clone)]
pub struct AcrossWord {
    pub text: String,
    pub row: usize,
    pub span: Option<(usize, usize)>,
}

/// A printed amount of a data row, with its extent when the layout keeps positions.
#[derive(Debug, Clone)]
pub struct AcrossNumber {
    pub amount: AmountToken,
    pub span: Option<(usize, usize)>,
}

/// A data row: its line, its label (a year, 预算数 / 决算数, a unit's name, or nothing) and its
/// amounts left to right.
#[derive(Debug, Clone)]
pub struct AcrossRow {
    pub line: usize,
    pub label: String,
    pub numbers: Vec<AcrossNumber>,
}

/// The items, with the contract's item id.
const ITEMS: [&str; 6] =
    ["total", "overseas_travel", "vehicles", "vehicle_purchase", "vehicle_operation", "official_reception"];
const TOTAL: usize = 0;
const VEHICLES: usize = 2;
/// The 三公 identities over item indices: (target, parts).
const RULES: [(usize, &[usize]); 2] = [(TOTAL, &[1, VEHICLES, 5]), (VEHICLES, &[3, 4])];
const BASES: [&str; 2] = ["budget", "actual"];
/// Fund-source sub-columns an item may be split into, by contract column.
const SOURCES: [&str; 3] = ["general_budget", "gov_fund", "state_capital"];

/// What a header word means.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Meaning {
    Item(usize),
    /// 公务用车购置及运行(维护)费: the vehicles column, or the group over 小计 / 购置 / 运行.
    VehicleGroup,
    Basis(usize),
    /// `2025年预算数`: a year block (and the basis it names, if any).
    Year(u32, Option<usize>),
    Source(usize),
    /// A column the contract has no 三公 item for (机关运行经费, 会议费, 培训费).
    Other,
    /// A group over the 三公 items only (`“三公”经费预算数`).
    Scope,
}

fn basis_of(t: &str) -> Option<usize> {
    if t.contains("决算") {
        Some(1)
    } else if t.contains("预算") {
        Some(0)
    } else {
        None
    }
}

fn meaning(text: &str) -> Option<Meaning> {
    let t = strip_ws(text);
    if ["机关运行", "会议", "培训"].iter().any(|k| t.contains(k)) {
        return Some(Meaning::Other);
    }
    if t.contains("三公") {
        let total = t.contains("合计") || t.contains("总计");
        return Some(if total { Meaning::Item(TOTAL) } else { Meaning::Scope });
    }
    if t.contains("单位") || t.contains("年度") || t.contains("项目") {
        return None;
    }
    if let Some(y) = year_in(&t) {
        return Some(Meaning::Year(y, basis_of(&t)));
    }
    if t.starts_with("一般公共") {
        return Some(Meaning::Source(0));
    }
    if t.starts_with("政府性基金") {
        return Some(Meaning::Source(1));
    }
    if t.starts_with("国有资本") {
        return Some(Meaning::Source(2));
    }
    if let Some(b) = basis_of(&t) {
        return Some(Meaning::Basis(b));
    }
    let item = |i: usize| Some(Meaning::Item(i));
    if t.contains("合计") || t.contains("总计") || matches!(t.as_str(), "合计" | "总计") {
        item(TOTAL)
    } else if t.contains("出国") {
        item(1)
    } else if t.contains("接待") {
        item(5)
    } else if t.contains("小计") {
        item(VEHICLES)
    } else if t.contains('购') && t.contains('运') {
        Some(Meaning::VehicleGroup)
    } else if t.contains('购') {
        item(3)
    } else if t.contains("运行") || t.ends_with('运') {
        item(4)
    } else {
        None
    }
}

/// A label cell wrapped over lines ends without its closing word (费 / 计 / 数 / 算).
fn is_open(text: &str) -> bool {
    !text.ends_with(['费', '计', '数', '算'])
}

/// Joins each wrapped header cell: a word that does not end a label takes the first word below
/// it that it overlaps, when no word between overlaps either.
fn join_wraps(mut words: Vec<AcrossWord>) -> Vec<AcrossWord> {
    let overlaps = |a: (usize, usize), b: (usize, usize)| a.0 < b.1 && b.0 < a.1;
    let mut i = 0;
    while i < words.len() {
        let Some(span) = words[i].span else { return words };
        if is_open(&words[i].text) {
            let below = (0..words.len())
                .filter(|&j| words[j].row > words[i].row && words[j].span.is_some_and(|s| overlaps(s, span)))
                .min_by_key(|&j| (words[j].row, words[j].span.map(|s| s.0)));
            if let Some(j) = below {
                let lower = words.remove(j);
                let w = &mut words[if j < i { i - 1 } else { i }];
                w.text.push_str(&lower.text);
                let s = lower.span.unwrap_or(span);
                w.span = Some((span.0.min(s.0), span.1.max(s.1)));
                i = 0;
                continue;
            }
        }
        i += 1;
    }
    words
}

/// One printed value column of the table.
#[derive(Debug, Clone)]
struct Leaf {
    /// `None`: a column of no 三公 item (机关运行经费, 会议费), or of an earlier year's block.
    item: Option<usize>,
    name: String,
    basis: Option<usize>,
    year: Option<u32>,
    source: Option<usize>,
    span: Option<(usize, usize)>,
}

impl Leaf {
    fn center2(&self) -> Option<usize> {
        self.span.map(|(a, b)| a + b)
    }
}

/// The leaf columns a header names, left to right, or `None` when the header does not prove
/// them.
fn leaves(words: &[AcrossWord]) -> Option<Vec<Leaf>> {
    let words = join_wraps(words.to_vec());
    let m: Vec<Option<Meaning>> = words.iter().map(|w| meaning(&w.text)).collect();
    let has_sub = |row: usize| {
        m.iter()
            .zip(&words)
            .any(|(x, w)| w.row > row && matches!(x, Some(Meaning::Item(i)) if (VEHICLES..=4).contains(i)))
    };
    let mut base: Vec<(usize, Leaf)> = Vec::new();
    let mut group_name: Option<String> = None;
    for (k, (w, x)) in words.iter().zip(&m).enumerate() {
        let item = match x {
            Some(Meaning::Item(i)) => Some(*i),
            Some(Meaning::VehicleGroup) if has_sub(w.row) => {
                group_name.get_or_insert_with(|| strip_ws(&w.text));
                continue;
            }
            Some(Meaning::VehicleGroup) => Some(VEHICLES),
            Some(Meaning::Other) => None,
            _ => continue,
        };
        let leaf = Leaf { item, name: strip_ws(&w.text), basis: None, year: None, source: None, span: w.span };
        base.push((k, leaf));
    }
    if !base.iter().any(|(_, l)| l.item.is_some()) {
        return None;
    }
    if base.iter().any(|(_, l)| l.span.is_none()) {
        return None;
    }
    base.sort_by_key(|(_, l)| l.center2());
    let mut base: Vec<Leaf> = base.into_iter().map(|(_, l)| l).collect();
    if let Some(g) = &group_name {
        for l in base.iter_mut().filter(|l| l.item == Some(VEHICLES) && l.name.contains("小计")) {
            l.name = g.clone();
        }
    }
    let lowest_leaf =
        words.iter().zip(&m).filter(|(_, x)| matches!(x, Some(Meaning::Item(_)))).map(|(w, _)| w.row).max()?;
    // Basis / source words printed under the items: each item split into them, in a repeating
    // cycle (预算数 决算数 | 预算数 决算数 …).
    let mut inner: Vec<(&AcrossWord, Meaning)> = words
        .iter()
        .zip(&m)
        .filter(|(w, x)| w.row > lowest_leaf && matches!(x, Some(Meaning::Basis(_) | Meaning::Source(_))))
        .map(|(w, x)| (w, x.expect("filtered")))
        .collect();
    inner.sort_by_key(|(w, _)| w.span.map(|(a, b)| a + b));
    let leaves = if inner.is_empty() {
        base
    } else {
        let k = inner.len() / base.len();
        let cycles = k >= 2
            && k * base.len() == inner.len()
            && inner.iter().enumerate().all(|(j, (_, x))| *x == inner[j % k].1)
            && (0..k).map(|j| inner[j].1).collect::<Vec<_>>().windows(2).all(|p| p[0] != p[1]);
        if !cycles {
            return None;
        }
        let mut out = Vec::new();
        for (j, (w, x)) in inner.iter().enumerate() {
            let mut l = base[j / k].clone();
            l.span = w.span;
            match x {
                Meaning::Basis(b) => l.basis = Some(*b),
                Meaning::Source(s) => l.source = Some(*s),
                _ => {}
            }
            out.push(l);
        }
        out
    };
    group_blocks(leaves, &words, &m)
}

/// Basis or year groups printed over the items (`预算数 | 决算数`, `2025年预算数 | 2026年预算数`):
/// the leaves fall into runs, a run ending where an item repeats; each run is one group's.
fn group_blocks(mut leaves: Vec<Leaf>, words: &[AcrossWord], m: &[Option<Meaning>]) -> Option<Vec<Leaf>> {
    let first_leaf_row = words
        .iter()
        .zip(m)
        .filter(|(_, x)| matches!(x, Some(Meaning::Item(_) | Meaning::VehicleGroup)))
        .map(|(w, _)| w.row)
        .min()?;
    let mut groups: Vec<(&AcrossWord, Meaning)> = words
        .iter()
        .zip(m)
        .filter(|(w, x)| w.row < first_leaf_row && matches!(x, Some(Meaning::Basis(_) | Meaning::Year(..))))
        .map(|(w, x)| (w, x.expect("filtered")))
        .collect();
    groups.sort_by_key(|(w, _)| w.span.map(|(a, b)| a + b));
    if groups.is_empty() {
        return Some(leaves);
    }
    let mut runs: Vec<usize> = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut run = 0;
    for l in &leaves {
        let name = if l.item.is_none() { l.name.as_str() } else { "" };
        let key = format!("{:?}/{:?}/{:?}/{name}", l.item, l.basis, l.source);
        if !seen.insert(key.clone()) {
            run += 1;
            seen.clear();
            seen.insert(key);
        }
        runs.push(run);
    }
    if groups.len() != run + 1 {
        return None;
    }
    for (l, r) in leaves.iter_mut().zip(runs) {
        match groups[r].1 {
            Meaning::Basis(b) => l.basis = l.basis.or(Some(b)),
            Meaning::Year(y, b) => {
                l.year = Some(y);
                l.basis = l.basis.or(b);
            }
            _ => {}
        }
    }
    Some(leaves)
}

/// The leaves each number may sit in: by position, the last leaf centred left of the number's
/// right end (amounts are right-aligned, their headers centred) and the one after it; without
/// positions, any.
fn candidates(leaves: &[Leaf], n: &AcrossNumber) -> Vec<usize> {
    let Some((_, end)) = n.span else { return (0..leaves.len()).collect() };
    let left = leaves.iter().rposition(|l| l.center2().is_some_and(|c| c <= 2 * end));
    match left {
        Some(i) => (i..(i + 2).min(leaves.len())).collect(),
        None => vec![0],
    }
}

/// The leaf whose header is centred nearest the number (any leaf without positions).
fn nearest_leaf(leaves: &[Leaf], n: &AcrossNumber) -> Vec<usize> {
    let Some((a, b)) = n.span else { return (0..leaves.len()).collect() };
    let best = (0..leaves.len()).min_by_key(|&k| leaves[k].center2().map_or(usize::MAX, |c| c.abs_diff(a + b)));
    best.into_iter().collect()
}

/// Every order-keeping assignment of the numbers to leaves (number j → leaf `at[j]`) with each
/// number in one of its `allowed` leaves.
fn assignments(n: usize, leaves: usize, allowed: &[Vec<usize>]) -> Vec<Vec<usize>> {
    fn go(
        j: usize,
        from: usize,
        leaves: usize,
        allowed: &[Vec<usize>],
        cur: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
    ) {
        if out.len() > 100_000 {
            return;
        }
        if j == allowed.len() {
            out.push(cur.clone());
            return;
        }
        let left = allowed.len() - j;
        for &k in allowed[j].iter().filter(|&&k| k >= from && k + left <= leaves) {
            cur.push(k);
            go(j + 1, k + 1, leaves, allowed, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    go(0, 0, leaves, &allowed[..n], &mut Vec::new(), &mut out);
    out
}

/// The 三公 identities hold, per block (basis, year, source), for the numbers at their leaves
/// (a blank leaf adds nothing).
fn consistent(leaves: &[Leaf], value: &[Option<Decimal>], half: Decimal) -> bool {
    let blocks: BTreeSet<(Option<usize>, Option<u32>, Option<usize>)> =
        leaves.iter().map(|l| (l.basis, l.year, l.source)).collect();
    blocks.iter().all(|&(basis, year, source)| {
        let find = |item: usize| {
            leaves.iter().position(|l| l.item == Some(item) && (l.basis, l.year, l.source) == (basis, year, source))
        };
        RULES.iter().all(|(target, parts)| {
            let Some(t) = find(*target) else { return true };
            let Some(p) = parts.iter().map(|&p| find(p)).collect::<Option<Vec<usize>>>() else { return true };
            let printed = p.iter().filter(|&&k| value[k].is_some()).count();
            let sum: Decimal = p.iter().filter_map(|&k| value[k]).sum();
            (value[t].unwrap_or_default() - sum).abs() <= half * Decimal::from(printed as i64 + 1)
        })
    })
}

/// The data row this table publishes: the only one, or the one of the latest year its label
/// names (`2025年 | 2026年 | 增减变化`).
fn pick_row(rows: &[AcrossRow]) -> Option<&AcrossRow> {
    match rows {
        [] => None,
        [one] => Some(one),
        _ => {
            let years: Vec<Option<u32>> = rows.iter().map(|r| year_in(&strip_ws(&r.label))).collect();
            let latest = years.iter().flatten().max()?;
            let at: Vec<usize> = (0..rows.len()).filter(|&i| years[i] == Some(*latest)).collect();
            (at.len() == 1).then(|| &rows[at[0]])
        }
    }
}

/// The rows of a 三公 table printed across, or `None` when its header does not name its columns.
pub fn read(words: &[AcrossWord], rows: &[AcrossRow], kind: DocKind) -> Option<ParsedRows> {
    let mut leaves = leaves(words)?;
    let row = pick_row(rows)?;
    // Year blocks: the latest year's leaves are this document's; the others are comparisons.
    if let Some(latest) = leaves.iter().filter_map(|l| l.year).max() {
        for l in leaves.iter_mut().filter(|l| l.year != Some(latest)) {
            l.item = None;
        }
    }
    let nums = &row.numbers;
    if nums.len() > leaves.len() {
        return None;
    }
    let decimals = nums.iter().map(|n| n.amount.decimals()).max().unwrap_or(0);
    let half = Decimal::new(5, decimals + 1);
    let values = |at: &[usize]| {
        let mut v = vec![None; leaves.len()];
        for (j, &k) in at.iter().enumerate() {
            v[k] = nums[j].amount.value();
        }
        v
    };
    // Identities are checked on every block, earlier years' included.
    let year_items: Vec<Leaf> = leaves
        .iter()
        .map(|l| {
            let mut l = l.clone();
            if l.item.is_none() {
                l.item = item_of_name(&l.name);
            }
            l
        })
        .collect();
    // Where each number sits decides first: under the nearest header, else under either header
    // around it, else anywhere its order allows — the first reading the identities confirm.
    let nearest: Vec<Vec<usize>> = nums.iter().map(|n| nearest_leaf(&leaves, n)).collect();
    let around: Vec<Vec<usize>> = nums.iter().map(|n| candidates(&leaves, n)).collect();
    let anywhere: Vec<Vec<usize>> = nums.iter().map(|_| (0..leaves.len()).collect()).collect();
    let mut kept: Vec<Vec<usize>> = Vec::new();
    for allowed in [&nearest, &around, &anywhere] {
        kept = assignments(nums.len(), leaves.len(), allowed)
            .into_iter()
            .filter(|at| consistent(&year_items, &values(at), half))
            .collect();
        if !kept.is_empty() {
            break;
        }
    }
    let at_leaf = |at: &Vec<usize>, k: usize| at.iter().position(|&x| x == k);
    let determined: Vec<Option<Option<usize>>> = (0..leaves.len())
        .map(|k| {
            let first = kept.first().map(|at| at_leaf(at, k))?;
            kept.iter().all(|at| at_leaf(at, k) == first).then_some(first)
        })
        .collect();
    let sources: Vec<&'static str> = {
        let s: BTreeSet<usize> = leaves.iter().filter_map(|l| l.source).collect();
        if s.is_empty() {
            vec!["total"]
        } else {
            s.into_iter().map(|i| SOURCES[i]).collect()
        }
    };
    let columns = Columns::template(&sources);
    let col_of = |l: &Leaf| l.source.map_or(0, |s| sources.iter().position(|c| *c == SOURCES[s]).unwrap_or(0));
    let default_basis = if kind == DocKind::Final { 1 } else { 0 };
    // One row per (basis, item), in printed order, budget first.
    let mut keys: Vec<(usize, usize)> = Vec::new();
    for l in &leaves {
        if let Some(i) = l.item {
            let k = (l.basis.unwrap_or(default_basis), i);
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    keys.sort_by_key(|k| k.0);
    let mut out = Vec::new();
    let mut saw_numbers = false;
    for (basis, item) in keys {
        let mine: Vec<usize> = (0..leaves.len())
            .filter(|&k| leaves[k].item == Some(item) && leaves[k].basis.unwrap_or(default_basis) == basis)
            .collect();
        let name = leaves[mine[0]].name.clone();
        let key = RowKey {
            item: Some(ITEMS[item].to_string()),
            item_name: Some(name),
            basis: Some(if kind == DocKind::Final { BASES[basis] } else { "budget" }),
            ..Default::default()
        };
        let mut cells = vec![None; sources.len()];
        let mut undetermined = Vec::new();
        for &k in &mine {
            match determined[k] {
                Some(Some(j)) => {
                    cells[col_of(&leaves[k])] = nums[j].amount.value();
                    saw_numbers |= matches!(nums[j].amount, AmountToken::Number { .. });
                }
                Some(None) => {}
                None => undetermined.push(col_of(&leaves[k])),
            }
        }
        let mut r = Row::new(row.line, key, columns.clone(), Cells::Placed(cells));
        r.undetermined = undetermined;
        out.push(r);
    }
    // Each number whose leaf is in doubt, reported once, on the row of its first candidate.
    for (j, n) in nums.iter().enumerate() {
        let Some(v) = n.amount.value() else { continue };
        let cands: BTreeSet<usize> = kept.iter().map(|at| at[j]).collect();
        let cands: Vec<usize> = if kept.is_empty() { (0..leaves.len()).collect() } else { cands.into_iter().collect() };
        if cands.len() < 2 {
            continue;
        }
        let refs: Vec<&'static str> = cands.iter().filter_map(|&k| leaves[k].item.map(|i| ITEMS[i])).collect();
        let first = cands.iter().find_map(|&k| {
            let l = &leaves[k];
            let i = l.item?;
            out.iter().position(|r| {
                r.key.item.as_deref() == Some(ITEMS[i]) && r.key.basis == Some(BASES[l.basis.unwrap_or(default_basis)])
            })
        });
        if let Some(r) = first.or((!out.is_empty()).then_some(0)) {
            out[r].unplaced.push((v, refs));
        }
    }
    saw_numbers |= nums.iter().any(|n| matches!(n.amount, AmountToken::Number { .. }));
    Some(ParsedRows { rows: out, decimals, saw_numbers, warning: None })
}

/// The item an earlier year's leaf had (kept in its name): for the identities only.
fn item_of_name(name: &str) -> Option<usize> {
    match meaning(name) {
        Some(Meaning::Item(i)) => Some(i),
        Some(Meaning::VehicleGroup) => Some(VEHICLES),
        _ => None,
    }
}

/// The year a text names (`2026年预算数` → 2026).
fn year_in(text: &str) -> Option<u32> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(5).find_map(|w| {
        let digits: String = w[..4].iter().collect();
        (w[4] == '年' && w[0] == '2' && digits.chars().all(|c| c.is_ascii_digit())).then(|| digits.parse().ok())?
    })
}
