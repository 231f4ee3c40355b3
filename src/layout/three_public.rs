//! 公开07表 (three_public, final) printed as text: its columns (basis × item) read from the
//! printed header, its numbers placed in them — by position when every cell is printed, else by
//! the 三公 identities; a number they do not place stays null and is reported.

use super::ParsedRows;
use crate::assign::placements;
use crate::model::{Cells, Columns, Row, RowKey};
use crate::normalize::AmountToken;
use crate::problem::{Problem, ProblemKind};
use rust_decimal::Decimal;
use std::collections::BTreeSet;

/// The template's items, in its column order (the tie-break where the header does not order
/// them), with the name used when the header does not spell one.
const ITEMS: [(&str, &str); 6] = [
    ("total", "合计"),
    ("overseas_travel", "因公出国（境）费"),
    ("vehicles", "公务用车购置及运行维护费"),
    ("vehicle_purchase", "公务用车购置费"),
    ("vehicle_operation", "公务用车运行维护费"),
    ("official_reception", "公务接待费"),
];

/// The 三公 identities: (target, parts).
const RULES: [(&str, &[&str]); 2] = [
    ("total", &["overseas_travel", "official_reception", "vehicles"]),
    ("vehicles", &["vehicle_purchase", "vehicle_operation"]),
];

/// `item/basis` of every column a 公开07表 can print: what a `column_ambiguous` row lists.
const SLOT_REFS: [[&str; 2]; 6] = [
    ["total/budget", "total/actual"],
    ["overseas_travel/budget", "overseas_travel/actual"],
    ["vehicles/budget", "vehicles/actual"],
    ["vehicle_purchase/budget", "vehicle_purchase/actual"],
    ["vehicle_operation/budget", "vehicle_operation/actual"],
    ["official_reception/budget", "official_reception/actual"],
];

const BASES: [&str; 2] = ["budget", "actual"];

/// One printed column: indices into `ITEMS` and `BASES`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Slot {
    item: usize,
    basis: usize,
}

/// What a header word names: a leaf item column, the 公务用车 group over 小计/购置/运行, or a
/// basis. Extractors split long header cells (`公务用车购` / `置费`): a fragment still names its
/// column by its first characters.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Word {
    Item(usize),
    VehicleGroup,
    Basis(usize),
}

fn word(w: &str) -> Option<Word> {
    let item = |id: &str| ITEMS.iter().position(|(i, _)| *i == id).map(Word::Item);
    if w.contains("预算") && !w.contains("决算") {
        return Some(Word::Basis(0));
    }
    if w.contains("决算") {
        return Some(Word::Basis(1));
    }
    if w.contains("合计") || w.contains("总计") {
        item("total")
    } else if w.contains("出国") {
        item("overseas_travel")
    } else if w.contains("接待") {
        item("official_reception")
    } else if w.contains("小计") {
        item("vehicles")
    } else if w.contains('购') && w.contains('运') {
        Some(Word::VehicleGroup)
    } else if w.contains('购') {
        item("vehicle_purchase")
    } else if w.contains("运行") || w.ends_with('运') {
        item("vehicle_operation")
    } else {
        None
    }
}

/// The printed columns, from the header lines (each split into words, left to right).
fn header_slots(header: &[Vec<String>]) -> Result<Vec<Slot>, Problem> {
    let words: Vec<Vec<Word>> = header.iter().map(|l| l.iter().filter_map(|w| word(w)).collect()).collect();
    let mut present: BTreeSet<usize> = BTreeSet::new();
    let mut group = false;
    let mut basis_seq: Vec<usize> = Vec::new();
    for w in words.iter().flatten() {
        match w {
            Word::Item(i) => {
                present.insert(*i);
            }
            Word::VehicleGroup => group = true,
            Word::Basis(b) => basis_seq.push(*b),
        }
    }
    // A 公务用车 column without sub-columns is the vehicles column itself.
    if group && ![2, 3, 4].iter().any(|i| present.contains(i)) {
        present.insert(2);
    }
    if present.is_empty() {
        return Err(Problem::whole(ProblemKind::ThreePublicNoItems));
    }
    let items = item_order(&words, &present);
    let mut bases: Vec<usize> = Vec::new();
    for b in &basis_seq {
        if !bases.contains(b) {
            bases.push(*b);
        }
    }
    if bases.is_empty() {
        bases.push(1);
    }
    // `预算数 决算数` repeated under every item: the bases alternate within each item.
    let interleaved = bases.len() == 2 && basis_seq.len() > 2;
    let slots = if interleaved {
        items.iter().flat_map(|&item| bases.iter().map(move |&basis| Slot { item, basis })).collect()
    } else {
        bases.iter().flat_map(|&basis| items.iter().map(move |&item| Slot { item, basis })).collect()
    };
    Ok(slots)
}

/// The 公务用车 block: 小计, 购置, 运行 (printed together under the group label).
fn block(item: usize) -> usize {
    if (2..=4).contains(&item) {
        2
    } else {
        item
    }
}

/// The present items in printed order. Each header line orders what it names (up to the first
/// repeat, where the second basis group starts): the blocks among themselves (the 公务用车 group
/// label standing for its block) and the 公务用车 columns within their block. The template order
/// settles the rest.
fn item_order(words: &[Vec<Word>], present: &BTreeSet<usize>) -> Vec<usize> {
    let mut blocks_before: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut items_before: BTreeSet<(usize, usize)> = BTreeSet::new();
    for line in words {
        // (item, its block); the group label names its block only.
        let mut seen: Vec<(Option<usize>, usize)> = Vec::new();
        for w in line {
            let here = match w {
                Word::Item(i) => (Some(*i), block(*i)),
                Word::VehicleGroup => (None, 2),
                Word::Basis(_) => continue,
            };
            if seen.contains(&here) {
                break;
            }
            for &(item, b) in &seen {
                match (item, here.0) {
                    _ if b != here.1 => {
                        blocks_before.insert((b, here.1));
                    }
                    (Some(a), Some(c)) => {
                        items_before.insert((a, c));
                    }
                    _ => {}
                }
            }
            seen.push(here);
        }
    }
    let blocks = topo(present.iter().map(|&i| block(i)).collect::<BTreeSet<_>>().into_iter().collect(), &blocks_before);
    let in_block = topo(present.iter().copied().filter(|&i| block(i) == 2).collect(), &items_before);
    blocks.into_iter().flat_map(|b| if b == 2 { in_block.clone() } else { vec![b] }).collect()
}

/// `items` (in template order) sorted so that no pair of `before` is reversed, where the pairs
/// allow it.
fn topo(mut left: Vec<usize>, before: &BTreeSet<(usize, usize)>) -> Vec<usize> {
    let mut out = Vec::new();
    while !left.is_empty() {
        // The first item nothing left must precede; on a cycle, the first.
        let free = left.iter().position(|&i| !left.iter().any(|&j| j != i && before.contains(&(j, i)))).unwrap_or(0);
        out.push(left.remove(free));
    }
    out
}

/// Numbers of a `pdf_text` 公开07表: the numbers of its data lines, in printed order.
pub struct PrintedNumbers {
    pub line: usize,
    pub nums: Vec<AmountToken>,
    pub decimals: u32,
}

/// The 三公 identities hold for a placement (`at[slot]`: the number there, if any).
fn consistent(slots: &[Slot], at: &[Option<Decimal>], half: Decimal) -> bool {
    let find = |item: &str, basis: usize| {
        let i = ITEMS.iter().position(|(id, _)| *id == item)?;
        slots.iter().position(|s| s.item == i && s.basis == basis)
    };
    (0..BASES.len()).all(|basis| {
        RULES.iter().all(|(target, parts)| {
            let Some(t) = find(target, basis) else { return true };
            let Some(p) = parts.iter().map(|p| find(p, basis)).collect::<Option<Vec<usize>>>() else { return true };
            let printed = p.iter().filter(|&&k| at[k].is_some()).count();
            let sum: Decimal = p.iter().filter_map(|&k| at[k]).sum();
            let diff = at[t].unwrap_or_default() - sum;
            diff.abs() <= half * Decimal::from(printed as i64 + 1)
        })
    })
}

/// The rows of a final 公开07表 printed as text.
pub fn parse_final(header: &[Vec<String>], printed: &PrintedNumbers) -> Result<ParsedRows, Problem> {
    let slots = header_slots(header)?;
    let nums = &printed.nums;
    if nums.len() > slots.len() {
        return Err(Problem::at(
            printed.line,
            ProblemKind::ThreePublicCount { printed: nums.len(), columns: slots.len() },
        ));
    }
    let half = Decimal::new(5, printed.decimals + 1);
    let all = placements(nums.len(), slots.len());
    let place = |positions: &[usize]| -> Vec<Option<usize>> {
        let mut at = vec![None; slots.len()];
        for (j, &p) in positions.iter().enumerate() {
            at[p] = Some(j);
        }
        at
    };
    let value =
        |at: &[Option<usize>]| -> Vec<Option<Decimal>> { at.iter().map(|j| j.and_then(|j| nums[j].value())).collect() };
    let mut kept: Vec<Vec<Option<usize>>> =
        all.iter().map(|p| place(p)).filter(|at| consistent(&slots, &value(at), half)).collect();
    if kept.is_empty() {
        // The printed numbers contradict the identities whatever their columns: none is proved.
        kept = all.iter().map(|p| place(p)).collect();
    }
    let mut rows = Vec::new();
    for (basis, basis_name) in BASES.iter().enumerate() {
        for (s, slot) in slots.iter().enumerate().filter(|(_, s)| s.basis == basis) {
            let (item, default) = ITEMS[slot.item];
            let key = RowKey {
                item: Some(item.to_string()),
                item_name: Some(item_name(header, item).unwrap_or_else(|| default.to_string())),
                basis: Some(basis_name),
                ..Default::default()
            };
            let mut row = Row::new(printed.line, key, Columns::template(&["total"]), Cells::Placed(vec![None]));
            let first = kept[0][s];
            if kept.iter().all(|at| at[s] == first) {
                row.cells = Cells::Placed(vec![first.and_then(|j| nums[j].value())]);
            } else {
                row.undetermined.push(0);
            }
            rows.push((s, row));
        }
    }
    // Each number whose column is in doubt, reported once (on the row of its first candidate).
    for (j, num) in nums.iter().enumerate() {
        let Some(v) = num.value() else { continue };
        let candidates: BTreeSet<usize> = kept.iter().filter_map(|at| at.iter().position(|x| *x == Some(j))).collect();
        if candidates.len() < 2 {
            continue;
        }
        let refs: Vec<&'static str> = candidates.iter().map(|&s| SLOT_REFS[slots[s].item][slots[s].basis]).collect();
        let first = *candidates.iter().next().unwrap_or(&0);
        if let Some((_, row)) = rows.iter_mut().find(|(s, _)| *s == first) {
            row.unplaced.push((v, refs));
        }
    }
    Ok(ParsedRows {
        rows: rows.into_iter().map(|(_, r)| r).collect(),
        decimals: printed.decimals,
        saw_numbers: nums.iter().any(|n| matches!(n, AmountToken::Number { .. })),
        warning: None,
    })
}

/// The item's name as the header prints it (a whole header word of that meaning).
fn item_name(header: &[Vec<String>], item: &str) -> Option<String> {
    header
        .iter()
        .flatten()
        .find(|w| !w.contains("小计") && super::pdf_text::three_public_item(w) == Some(item))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(lines: &[&str]) -> Vec<Vec<String>> {
        lines.iter().map(|l| l.split_whitespace().map(str::to_string).collect()).collect()
    }

    #[test]
    fn interleaved_bases_follow_the_items() {
        let header = words(&[
            "合计 因公出国（境）费",
            "小计 公务用车运行费",
            "公务接待费",
            "公务用车购置费",
            "预算数 决算数 预算数 决算数 预算数 决算数 预算数 决算数 预算数 决算数 预算数 决算数",
        ]);
        let slots = header_slots(&header).unwrap();
        let refs: Vec<&str> = slots.iter().map(|s| SLOT_REFS[s.item][s.basis]).collect();
        assert_eq!(&refs[..4], &["total/budget", "total/actual", "overseas_travel/budget", "overseas_travel/actual"]);
        assert_eq!(refs[10], "official_reception/budget");
    }

    #[test]
    fn a_header_line_orders_its_items() {
        // 公务接待 printed before 公务用车.
        let header = words(&["预算数", "合计 因公出国（境）费 公务接待费 公务用车购置及运行维护费"]);
        let slots = header_slots(&header).unwrap();
        let items: Vec<&str> = slots.iter().map(|s| ITEMS[s.item].0).collect();
        assert_eq!(items, ["total", "overseas_travel", "official_reception", "vehicles"]);
        assert!(slots.iter().all(|s| s.basis == 0));
    }
}
