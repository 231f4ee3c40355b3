//! The real corpus against the hand-checked gold tables: every document field, table status
//! and cell as `../shared/tools/score.py` scores them, the source inconsistencies found, and no
//! false alarms.

use crate::common;

use budget_etl::config::Settings;
use budget_etl::model::{CheckStatus, TableType};
use budget_etl::run::{process_bytes, DocOutput};
use budget_etl::sink::DataRow;
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

fn norm(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let s = s.replace('（', "(").replace('）', ")").replace(['“', '”'], "\"");
    budget_etl::normalize::strip_enumeration(&s).to_string()
}

/// The row identity score.py uses.
fn gold_key(tt: TableType, r: &Value) -> String {
    let g = |k: &str| r.get(k).and_then(|v| v.as_str()).map(str::to_string);
    match tt {
        TableType::RevenueExpenditureSummary | TableType::FiscalSummary => {
            if let Some(n) = r.get("line_no").and_then(|v| v.as_i64()) {
                format!("{:?}|line|{n}", g("side"))
            } else if let Some(c) = g("code") {
                format!("{:?}|code|{c}", g("side"))
            } else {
                format!("{:?}|item|{}", g("side"), norm(&g("item").unwrap_or_default()))
            }
        }
        TableType::ThreePublic => format!("{:?}|{:?}", g("item"), g("basis")),
        _ => {
            let unit = norm(&g("unit").unwrap_or_default());
            if r.get("level").and_then(|v| v.as_i64()) == Some(0) && g("code").is_none() {
                format!("total|{unit}")
            } else {
                format!(
                    "{unit}|{}|{}",
                    g("code").unwrap_or_else(|| norm(&g("name").unwrap_or_default())),
                    norm(&g("project_name").unwrap_or_default())
                )
            }
        }
    }
}

fn row_json(tt: TableType, row: &DataRow) -> Value {
    let k = &row.key;
    let mut m = serde_json::Map::new();
    let mut put = |name: &str, v: Option<String>| {
        if let Some(v) = v {
            m.insert(name.to_string(), Value::String(v));
        }
    };
    put("side", k.side.map(|s| s.as_str().to_string()));
    put("item", k.item.clone());
    put("code", k.code.clone());
    put("name", k.name.clone());
    put("unit", k.unit.clone());
    put("project_name", k.project_name.clone());
    put("basis", k.basis.map(str::to_string));
    if let Some(n) = k.line_no {
        m.insert("line_no".into(), Value::from(n));
    }
    if let Some(l) = k.level {
        m.insert("level".into(), Value::from(l));
    }
    for (i, c) in tt.output_columns().iter().enumerate() {
        if let Some(v) = row.values[i] {
            m.insert(c.to_string(), Value::String(v.to_string()));
        }
    }
    Value::Object(m)
}

fn keyed(tt: TableType, rows: Vec<Value>) -> BTreeMap<String, Value> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    rows.into_iter()
        .map(|r| {
            let base = gold_key(tt, &r);
            let n = seen.entry(base.clone()).or_default();
            *n += 1;
            (format!("{base}#{n}"), r)
        })
        .collect()
}

/// Differences between one document's output and its gold file, as readable lines.
fn compare(gold: &Value, out: &DocOutput) -> Vec<String> {
    let mut problems = Vec::new();
    let doc = &gold["document"];
    let d = &out.document;
    let fields: [(&str, Option<String>); 6] = [
        ("department", d.department.clone()),
        ("fiscal_year", d.fiscal_year.map(|y| y.to_string())),
        ("doc_kind", d.doc_kind.clone()),
        ("scope", d.scope.clone()),
        ("source_unit", d.source_unit.clone()),
        ("layout", Some(d.layout.clone())),
    ];
    for (f, v) in fields {
        let want = match &doc[f] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if v.as_deref() != Some(want.as_str()) {
            problems.push(format!("meta {f}: want {want}, got {v:?}"));
        }
    }
    let factor = if doc["source_unit"] == "万元" { Decimal::from(10_000) } else { Decimal::ONE };
    for gt in gold["tables"].as_array().unwrap() {
        let tt = TableType::from_name(gt["table_type"].as_str().unwrap()).unwrap();
        let status =
            out.tables.iter().find(|t| t.table_type == tt.as_str()).map(|t| t.status.as_str()).unwrap_or("missing");
        if status != gt["status"].as_str().unwrap() {
            problems.push(format!("{}: status want {}, got {status}", tt.as_str(), gt["status"]));
        }
        let gold_rows = keyed(tt, gt["rows"].as_array().unwrap().clone());
        let out_rows = keyed(tt, out.rows.iter().filter(|(t, _)| *t == tt).map(|(_, r)| row_json(tt, r)).collect());
        for (k, g) in &gold_rows {
            let Some(o) = out_rows.get(k) else {
                problems.push(format!("{}: row {k} not found", tt.as_str()));
                continue;
            };
            for c in tt.output_columns() {
                let got = o.get(*c).and_then(|v| v.as_str()).map(|s| Decimal::from_str(s).unwrap());
                match g.get(*c).and_then(|v| v.as_str()) {
                    None | Some("?") => {
                        if let Some(v) = got {
                            problems.push(format!("{}: {k} {c}: want null, got {v}", tt.as_str()));
                        }
                    }
                    Some(want) => {
                        let want = Decimal::from_str(want).unwrap() * factor;
                        if got != Some(want) {
                            problems.push(format!("{}: {k} {c}: want {want}, got {got:?}", tt.as_str()));
                        }
                    }
                }
            }
        }
        for k in out_rows.keys().filter(|k| !gold_rows.contains_key(*k)) {
            problems.push(format!("{}: extra row {k}", tt.as_str()));
        }
    }
    let fails: BTreeSet<(String, Option<String>)> = out
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Fail)
        .map(|c| (c.check_id.clone(), c.row_ref.clone()))
        .collect();
    let expected: BTreeSet<(String, Option<String>)> = gold["source_inconsistencies"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| (e["check_id"].as_str().unwrap().to_string(), e["row_ref"].as_str().map(str::to_string)))
                .collect()
        })
        .unwrap_or_default();
    for e in &expected {
        if !fails.contains(e) && !fails.contains(&(e.0.clone(), None)) {
            problems.push(format!("source inconsistency not found: {e:?}"));
        }
    }
    let expected_ids: BTreeSet<&String> = expected.iter().map(|e| &e.0).collect();
    for f in &fails {
        if !expected.contains(f) && !expected_ids.contains(&f.0) {
            let msg = out
                .checks
                .iter()
                .find(|c| c.check_id == f.0 && c.row_ref == f.1)
                .map(|c| c.message.clone())
                .unwrap_or_default();
            problems.push(format!("false alarm: {f:?}: {msg}"));
        }
    }
    // Every "?" cell must be reported as column_ambiguous on its row.
    problems
}

#[test]
fn real_corpus_matches_gold() {
    let Some(shared) = common::shared_or_skip("real_corpus_matches_gold") else { return };
    let settings = Settings::default();
    let mut all = Vec::new();
    for (name, bytes) in common::real_documents(&shared) {
        let gold_path = shared.join("gold").join(name.replace(".txt", ".json"));
        let Ok(text) = std::fs::read_to_string(&gold_path) else { continue };
        let gold: Value = serde_json::from_str(&text).unwrap();
        let out = process_bytes(&name, &bytes, &settings);
        for p in compare(&gold, &out) {
            all.push(format!("{name}: {p}"));
        }
    }
    assert!(all.is_empty(), "{} differences from gold:\n{}", all.len(), all.join("\n"));
}

#[test]
fn every_required_check_id_is_evaluated() {
    let Some(shared) = common::shared_or_skip("every_required_check_id_is_evaluated") else { return };
    let mut seen = BTreeSet::new();
    for (name, bytes) in common::real_documents(&shared) {
        seen.extend(process_bytes(&name, &bytes, &Settings::default()).checks.into_iter().map(|c| c.check_id));
    }
    for id in [
        "balance",
        "summary_classes",
        "row_sum",
        "hierarchy",
        "three_public_sum",
        "revenue_total_match",
        "expenditure_total_match",
        "fiscal_class_match",
        "general_budget_match",
        "basic_match",
        "project_match",
        "column_ambiguous",
    ] {
        assert!(seen.contains(id), "{id} never evaluated on the real corpus");
    }
}

#[test]
fn undetermined_cells_are_reported_ambiguous() {
    let Some(shared) = common::shared_or_skip("undetermined_cells_are_reported_ambiguous") else { return };
    for (name, bytes) in common::real_documents(&shared) {
        let gold_path = shared.join("gold").join(name.replace(".txt", ".json"));
        let Ok(text) = std::fs::read_to_string(&gold_path) else { continue };
        let gold: Value = serde_json::from_str(&text).unwrap();
        let out = process_bytes(&name, &bytes, &Settings::default());
        for gt in gold["tables"].as_array().unwrap() {
            for r in gt["rows"].as_array().unwrap() {
                let doubtful: Vec<&str> = r
                    .as_object()
                    .unwrap()
                    .iter()
                    .filter(|(_, v)| v.as_str() == Some("?"))
                    .map(|(k, _)| k.as_str())
                    .collect();
                if doubtful.is_empty() {
                    continue;
                }
                let row_ref = r.get("code").or_else(|| r.get("name")).and_then(|v| v.as_str()).unwrap();
                let reported = out.checks.iter().any(|c| {
                    c.check_id == "column_ambiguous"
                        && c.status == CheckStatus::Ambiguous
                        && c.table_type == gt["table_type"].as_str().unwrap()
                        && c.row_ref.as_deref() == Some(row_ref)
                        && doubtful.iter().all(|d| c.column.as_deref().unwrap_or("").split('|').any(|x| x == *d))
                });
                assert!(
                    reported,
                    "{name}: {} row {row_ref}: columns {doubtful:?} not reported as column_ambiguous",
                    gt["table_type"]
                );
            }
        }
    }
}

/// The contract's value cells that are not printed amounts: a final 公开06表's grouped rows
/// carry their one amount in `total` and in `personnel` or `public`, and its 合计 `total` is
/// the sum of the two printed totals.
fn derived_cell(tt: TableType, kind: &str, row: &serde_json::Map<String, Value>, column: &str) -> bool {
    tt == TableType::BasicExpenditureByEconomic
        && kind == "final"
        && column == "total"
        && (row.contains_key("personnel") || row.contains_key("public"))
}

#[test]
fn facts_hold_every_printed_amount_once() {
    // Counted independently from the gold tables: every determined gold cell is one printed
    // amount (less the contract's derived cells), and every `?` number is printed once and
    // reported by one column_ambiguous row.
    let Some(shared) = common::shared_or_skip("facts_hold_every_printed_amount_once") else { return };
    for (name, bytes) in common::real_documents(&shared) {
        let gold_path = shared.join("gold").join(name.replace(".txt", ".json"));
        let Ok(text) = std::fs::read_to_string(&gold_path) else { continue };
        let gold: Value = serde_json::from_str(&text).unwrap();
        let out = process_bytes(&name, &bytes, &Settings::default());
        let kind = gold["document"]["doc_kind"].as_str().unwrap();
        let factor = if gold["document"]["source_unit"] == "万元" { Decimal::from(10_000) } else { Decimal::ONE };
        let mut printed: BTreeMap<(TableType, i32, &str), Decimal> = BTreeMap::new();
        for gt in gold["tables"].as_array().unwrap() {
            let tt = TableType::from_name(gt["table_type"].as_str().unwrap()).unwrap();
            for (i, r) in gt["rows"].as_array().unwrap().iter().enumerate() {
                let r = r.as_object().unwrap();
                for c in tt.output_columns() {
                    let Some(v) = r.get(*c).and_then(|v| v.as_str()).filter(|v| *v != "?") else { continue };
                    if !derived_cell(tt, kind, r, c) {
                        printed.insert((tt, i as i32 + 1, c), Decimal::from_str(v).unwrap() * factor);
                    }
                }
            }
        }
        let ambiguous = out.checks.iter().filter(|c| c.check_id == "column_ambiguous").count();
        assert_eq!(out.facts.len(), printed.len() + ambiguous, "{name}: facts rows vs printed amounts");
        let mut seen: BTreeSet<(TableType, i32, &str)> = BTreeSet::new();
        for f in out.facts.iter().map(|f| &f.fact) {
            let Some(column) = f.column else { continue };
            let key = (f.table_type, f.row_no, column);
            assert_eq!(printed.get(&key), Some(&f.amount), "{name}: fact {key:?}");
            assert!(seen.insert(key), "{name}: fact {key:?} twice");
            assert!(!f.header.is_empty(), "{name}: fact {key:?} without its printed header");
        }
        assert_eq!(seen.len(), printed.len(), "{name}: printed amounts missing from facts");
    }
}
