//! `budget-etl diff` on snapshots built from the real documents: identical snapshots report
//! nothing, an edited copy reports exactly the edited cells with their old and new values, and
//! a comparison of one department across two years (through an alias) gives the expected
//! deltas. Skipped with a message when `../shared` is absent.

use crate::common;

use budget_etl::config::Settings;
use budget_etl::diff::{self, Side, SnapshotFrames};
use budget_etl::diff_cli::{diff_command, read_snapshot};
use budget_etl::model::DocKind;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Writes the documents into `<root>/<name>_in` and publishes a snapshot at `<root>/<name>`.
fn build(root: &Path, name: &str, docs: &[(String, Vec<u8>)]) -> PathBuf {
    let input = root.join(format!("{name}_in"));
    std::fs::create_dir_all(&input).unwrap();
    for (file, bytes) in docs {
        std::fs::write(input.join(file), bytes).unwrap();
    }
    let output = root.join(name);
    let settings = Settings { input, output: output.clone(), keep_previous: false, ..Default::default() };
    budget_etl::run::run(&settings, false).expect("run publishes a snapshot");
    output
}

/// The real documents with one printed line replaced (the line must occur exactly once).
fn edited(docs: &[(String, Vec<u8>)], file_prefix: &str, line: &str, replacement: &str) -> Vec<(String, Vec<u8>)> {
    docs.iter()
        .map(|(name, bytes)| {
            if !name.starts_with(file_prefix) {
                return (name.clone(), bytes.clone());
            }
            let text = String::from_utf8(bytes.clone()).expect("the real documents are UTF-8");
            let hits = text.lines().filter(|l| l.trim_end_matches('\r') == line).count();
            assert_eq!(hits, 1, "{name}: the line to edit must occur exactly once: {line:?}");
            let text = text
                .split_inclusive('\n')
                .map(|l| {
                    let (body, end) = l.find(['\r', '\n']).map(|i| l.split_at(i)).unwrap_or((l, ""));
                    if body == line {
                        format!("{replacement}{end}")
                    } else {
                        l.to_string()
                    }
                })
                .collect::<String>();
            (name.clone(), text.into_bytes())
        })
        .collect()
}

fn strs(df: &DataFrame, name: &str) -> Vec<String> {
    df.column(name).unwrap().str().unwrap().iter().map(|v| v.unwrap_or("").to_string()).collect()
}

fn ints(df: &DataFrame, name: &str) -> Vec<i32> {
    df.column(name).unwrap().cast(&DataType::Int32).unwrap().i32().unwrap().iter().map(|v| v.unwrap_or(-1)).collect()
}

/// A Decimal(18,2) yuan column as cents.
fn cents(df: &DataFrame, name: &str) -> Vec<Option<i128>> {
    let c = df.column(name).unwrap();
    assert_eq!(c.dtype(), &DataType::Decimal(18, 2), "{name} is Decimal(18,2) yuan");
    c.decimal().unwrap().physical().iter().collect()
}

/// One cell of a change frame: (table_type, row_key, column) -> (old, new, delta) in cents.
type Cell = ((String, String, String), (Option<i128>, Option<i128>, Option<i128>));

fn cells(df: &DataFrame) -> Vec<Cell> {
    let (tt, rk, col) = (strs(df, "table_type"), strs(df, "row_key"), strs(df, "column"));
    let (o, n, d) = (cents(df, "old"), cents(df, "new"), cents(df, "delta"));
    (0..df.height()).map(|i| ((tt[i].clone(), rk[i].clone(), col[i].clone()), (o[i], n[i], d[i]))).collect()
}

/// Yuan -> cents.
fn y(yuan: i64) -> Option<i128> {
    Some(yuan as i128 * 100)
}

fn aliases() -> BTreeMap<String, String> {
    // As in the shipped pipeline.toml.
    BTreeMap::from([("新疆巴州库尔勒市行政服务中心".to_string(), "库尔勒市行政服务中心".to_string())])
}

#[test]
fn identical_snapshots_report_no_changes() {
    let Some(shared) = common::shared_or_skip("identical_snapshots_report_no_changes") else { return };
    let docs = common::real_documents(&shared);
    let tmp = tempfile::tempdir().unwrap();
    let a = build(tmp.path(), "a", &docs);
    let b = build(tmp.path(), "b", &docs);

    let d = diff::diff_snapshots(&read_snapshot(&a).unwrap(), &read_snapshot(&b).unwrap(), &BTreeMap::new()).unwrap();
    assert_eq!(d.cells.height(), 0, "{}", d.cells);
    assert_eq!(d.documents.height(), docs.len());
    assert!(strs(&d.documents, "change").iter().all(|c| c == "unchanged"), "{}", d.documents);
    assert!(d.is_empty().unwrap());

    // The same snapshot against itself, through the command (with aliases, and the Parquet list).
    let out = tmp.path().join("changes");
    let settings = Settings { aliases: aliases(), ..Default::default() };
    let (text, code) = diff_command(&[a.clone(), b], None, "budget", Some(&out), &settings, 20).unwrap();
    assert_eq!(code, 0);
    assert!(text.contains("no changes"), "{text}");
    let written = ParquetReader::new(std::fs::File::open(out.join("cell_changes.parquet")).unwrap()).finish().unwrap();
    assert_eq!(written.height(), 0);
    assert_eq!(written.get_column_names().iter().map(|c| c.as_str()).collect::<Vec<_>>(), diff::CELL_COLUMNS.to_vec());

    // A snapshot has rows in every table type found, so "nothing" is not from reading nothing.
    let frames: SnapshotFrames = read_snapshot(&a).unwrap();
    assert!(frames.tables.len() >= 8, "{:?}", frames.tables.keys());
    assert!(frames.tables.values().all(|t| t.column("fiscal_year").unwrap().dtype() == &DataType::Int32));
}

#[test]
fn edited_copy_reports_exactly_the_edited_cells() {
    let Some(shared) = common::shared_or_skip("edited_copy_reports_exactly_the_edited_cells") else { return };
    let docs = common::real_documents(&shared);
    let tmp = tempfile::tempdir().unwrap();
    let old = build(tmp.path(), "old", &docs);

    // Three layouts, one printed row each; which cells each edit changes:
    // - final_tsv (004, 公开03表 支出决算表): 行政单位离退休 本年支出合计 1.98 -> 2.98 万元, only that
    //   number. Tab-separated cells keep their columns, so exactly that cell changes (the table's
    //   identities now fail: checks.parquet's business, not a cell change).
    // - final_tsv (004, 公开06表): 公用经费合计 3.34 -> 4.34 万元. The contract folds 人员经费合计 and
    //   公用经费合计 into one level-0 row 合计 with `total` their sum, so the printed number changes
    //   that row's `public` AND its derived `total` (139.81 -> 140.81 万元).
    // - pdf_text (000, 表6, blank cells dropped): 301 01 基本工资 37.19 37.19 -> 38.19 38.19. The
    //   contract fixes 301 as 人员经费, so the second number stays in `personnel`: `total` and
    //   `personnel` change. (An edit under 302 would not do: 302 is not fixed, and a misprint there
    //   leaves its rows' columns in doubt.)
    // - markdown_tsv (003, 表10 三公): 公务接待费 2.89 2.89 -> 12.89 12.89 (合计, 一般公共预算):
    //   `total` and `general_budget` of official_reception; the largest change.
    let new_docs = edited(
        &docs,
        "004_",
        "2080501\t\t\t行政单位离退休\t1.98\t1.98\t0.00\t0.00\t0.00\t0.00",
        "2080501\t\t\t行政单位离退休\t2.98\t1.98\t0.00\t0.00\t0.00\t0.00",
    );
    let new_docs = edited(
        &new_docs,
        "004_",
        "人员经费合计\t\t136.47\t公用经费合计\t\t\t\t\t\t3.34",
        "人员经费合计\t\t136.47\t公用经费合计\t\t\t\t\t\t4.34",
    );
    let new_docs = edited(&new_docs, "000_", "301 01 基本工资 37.19 37.19", "301 01 基本工资 38.19 38.19");
    let new_docs = edited(&new_docs, "003_", "公务接待费\t2.89\t2.89\t\t", "公务接待费\t12.89\t12.89\t\t");
    let new = build(tmp.path(), "new", &new_docs);

    let d =
        diff::diff_snapshots(&read_snapshot(&old).unwrap(), &read_snapshot(&new).unwrap(), &BTreeMap::new()).unwrap();
    let mut got = cells(&d.cells);
    got.sort();
    let cell = |tt: &str, rk: &str, c: &str, old: i64, new: i64| -> Cell {
        ((tt.into(), rk.into(), c.into()), (y(old), y(new), y(new - old)))
    };
    let mut want: Vec<Cell> = vec![
        cell("expenditure_by_function", "2080501", "total", 19_800, 29_800),
        cell("basic_expenditure_by_economic", "total", "public", 33_400, 43_400),
        cell("basic_expenditure_by_economic", "total", "total", 1_398_100, 1_408_100),
        cell("basic_expenditure_by_economic", "30101", "total", 371_900, 381_900),
        cell("basic_expenditure_by_economic", "30101", "personnel", 371_900, 381_900),
        cell("three_public", "official_reception:budget", "total", 28_900, 128_900),
        cell("three_public", "official_reception:budget", "general_budget", 28_900, 128_900),
    ];
    want.sort();
    assert_eq!(got, want, "{}", d.cells);
    assert!(strs(&d.cells, "change").iter().all(|c| c == "changed"));
    let (depts, years) = (strs(&d.cells, "department"), ints(&d.cells, "fiscal_year"));
    for (i, ((tt, _, _), _)) in cells(&d.cells).iter().enumerate() {
        let want = match tt.as_str() {
            "three_public" => ("库尔勒经济技术开发区政务服务中心", 2024),
            "expenditure_by_function" => ("新疆巴州库尔勒市行政服务中心", 2022),
            _ if years[i] == 2025 => ("库尔勒市行政服务中心", 2025),
            _ => ("新疆巴州库尔勒市行政服务中心", 2022),
        };
        assert_eq!((depts[i].as_str(), years[i]), want, "{}", d.cells);
    }

    // Documents: the three edited ones changed (new doc_id), the other unchanged.
    let (dept, change) = (strs(&d.documents, "department"), strs(&d.documents, "change"));
    let changed: Vec<&str> = (0..dept.len()).filter(|&i| change[i] == "changed").map(|i| dept[i].as_str()).collect();
    assert_eq!(
        changed,
        ["库尔勒市行政服务中心", "库尔勒经济技术开发区政务服务中心", "新疆巴州库尔勒市行政服务中心"],
        "{}",
        d.documents
    );
    assert_eq!(ints(&d.documents, "cells_changed"), [0, 2, 2, 3]);
    assert_eq!(change.iter().filter(|c| *c == "unchanged").count(), docs.len() - 3);
    let (old_id, new_id) = (strs(&d.documents, "old_doc_id"), strs(&d.documents, "new_doc_id"));
    for i in 0..dept.len() {
        assert_eq!(change[i] == "changed", old_id[i] != new_id[i]);
    }

    // The command: counts, the largest change first in 万元 and yuan, the Parquet change list.
    let out = tmp.path().join("changes");
    let (text, code) =
        diff_command(&[old.clone(), new.clone()], None, "budget", Some(&out), &Settings::default(), 1).unwrap();
    assert_eq!(code, 0);
    assert!(text.contains("documents: 3 changed, 0 added, 0 removed, 1 unchanged"), "{text}");
    assert!(text.contains("cells: 7 changed, 0 added, 0 removed"), "{text}");
    let largest =
        text.split("largest changes by absolute delta (1 of 7):\n").nth(1).unwrap_or_else(|| panic!("{text}"));
    assert!(
        largest.starts_with(
            "  库尔勒经济技术开发区政务服务中心 2024 budget · three_public · official_reception:budget 公务接待费 · total\n      \
             2.89万元 (28,900.00元) -> 12.89万元 (128,900.00元)   delta +10.00万元 (+100,000.00元)\n"
        ),
        "{text}"
    );
    let written = ParquetReader::new(std::fs::File::open(out.join("cell_changes.parquet")).unwrap()).finish().unwrap();
    let mut back = cells(&written);
    back.sort();
    assert_eq!(back, want);
    assert_eq!(ints(&written, "fiscal_year").iter().filter(|y| **y == 2022).count(), 3);
    let docs_written =
        ParquetReader::new(std::fs::File::open(out.join("document_changes.parquet")).unwrap()).finish().unwrap();
    assert_eq!(docs_written.height(), docs.len());

    // Removing a document: reported as removed, its cells are not listed.
    let fewer: Vec<_> = docs.iter().filter(|(n, _)| !n.starts_with("001_")).cloned().collect();
    let fewer = build(tmp.path(), "fewer", &fewer);
    let d =
        diff::diff_snapshots(&read_snapshot(&old).unwrap(), &read_snapshot(&fewer).unwrap(), &BTreeMap::new()).unwrap();
    assert_eq!(d.cells.height(), 0, "{}", d.cells);
    let change = strs(&d.documents, "change");
    assert_eq!(change.iter().filter(|c| *c == "removed").count(), 1, "{}", d.documents);
    let (text, _) = diff_command(&[old, fewer], None, "budget", None, &Settings::default(), 5).unwrap();
    assert!(text.contains("removed  库尔勒市人民政府办公室 2025 budget"), "{text}");
}

#[test]
fn year_comparison_through_aliases() {
    let Some(shared) = common::shared_or_skip("year_comparison_through_aliases") else { return };
    let docs = common::real_documents(&shared);
    let tmp = tempfile::tempdir().unwrap();
    let snap = build(tmp.path(), "snap", &docs);
    let frames = read_snapshot(&snap).unwrap();

    // 预决算对比 of 库尔勒市行政服务中心: its 2025 budget (000, printed 库尔勒市行政服务中心) against
    // its 2022 final account (004, printed 新疆巴州库尔勒市行政服务中心), matched by the alias.
    let (a, b) = diff::sides_for("budget-final", 2025, 2022).unwrap();
    assert_eq!(a, Side { fiscal_year: 2025, kind: DocKind::Budget });
    let d = diff::diff_years(&frames, &aliases(), a, b).unwrap();
    let matched: Vec<String> = {
        let dept = strs(&d.departments, "department");
        let (ia, ib) = (
            d.departments.column("in_old").unwrap().bool().unwrap(),
            d.departments.column("in_new").unwrap().bool().unwrap(),
        );
        (0..dept.len())
            .filter(|&i| ia.get(i) == Some(true) && ib.get(i) == Some(true))
            .map(|i| dept[i].clone())
            .collect()
    };
    assert_eq!(matched, ["库尔勒市行政服务中心"]);
    let n_cells = d.cells.height();
    let got: BTreeMap<_, _> = cells(&d.cells).into_iter().collect();
    let pct: BTreeMap<_, _> = {
        let p = d.cells.column("pct").unwrap().f64().unwrap();
        cells(&d.cells).into_iter().map(|c| c.0).zip(p.iter()).collect()
    };
    let key = |tt: &str, rk: &str, c: &str| (tt.to_string(), rk.to_string(), c.to_string());
    // 表3 / 公开03表 行政运行: budget 192.76 万元, final 107.02 万元.
    let k = key("expenditure_by_function", "2010301", "total");
    assert_eq!(got[&k], (y(1_927_600), y(1_070_200), y(-857_400)));
    assert!((pct[&k].unwrap() - (-857_400.0 / 1_927_600.0 * 100.0)).abs() < 1e-9);
    // The total row (总计 in the budget, 合计 in the final) matches by meaning: 288.48 vs 185.62 万元.
    let k = key("expenditure_by_function", "total", "total");
    assert_eq!(got[&k], (y(2_884_800), y(1_856_200), y(-1_028_600)));
    // 教育支出: 0.68 vs 0.42 万元.
    assert_eq!(got[&key("expenditure_by_function", "205", "total")], (y(6_800), y(4_200), y(-2_600)));
    // Only columns both templates print are compared (no final-only 上缴上级支出).
    assert!(got.keys().all(|(_, _, c)| c != "remit_to_higher" && c != "fiscal_appropriation"));
    // Only the matched department's cells.
    assert!(strs(&d.cells, "department").iter().all(|x| x == "库尔勒市行政服务中心"));

    // Without the alias the two documents are different departments.
    let d = diff::diff_years(&frames, &BTreeMap::new(), a, b).unwrap();
    assert_eq!(d.cells.height(), 0);
    let (text, code) =
        diff_command(std::slice::from_ref(&snap), Some(&[2025, 2022]), "budget-final", None, &Settings::default(), 5)
            .unwrap();
    assert_eq!(code, 0);
    assert!(text.contains("no department has documents on both sides"), "{text}");

    // Through the command with the aliases: the largest difference is the total.
    let out = tmp.path().join("years");
    let settings = Settings { aliases: aliases(), ..Default::default() };
    let (text, code) =
        diff_command(std::slice::from_ref(&snap), Some(&[2025, 2022]), "budget-final", Some(&out), &settings, 3)
            .unwrap();
    assert_eq!(code, 0);
    assert!(text.contains("departments: 1 on both sides"), "{text}");
    assert!(
        text.contains(
            "288.48万元 (2,884,800.00元) -> 185.62万元 (1,856,200.00元)   delta -102.86万元 (-1,028,600.00元)  -35.7%"
        ),
        "{text}"
    );
    let written =
        ParquetReader::new(std::fs::File::open(out.join("year_comparison.parquet")).unwrap()).finish().unwrap();
    assert_eq!(written.get_column_names().iter().map(|c| c.as_str()).collect::<Vec<_>>(), diff::YEAR_COLUMNS.to_vec());
    assert_eq!(written.height(), n_cells);

    // Budget against budget, one year apart: 003 (2024) and 000 (2025) are different
    // departments, so an alias (as for a renamed department) puts them together.
    let renamed =
        BTreeMap::from([("库尔勒经济技术开发区政务服务中心".to_string(), "库尔勒市行政服务中心".to_string())]);
    let (a, b) = diff::sides_for("budget", 2024, 2025).unwrap();
    let d = diff::diff_years(&frames, &renamed, a, b).unwrap();
    let got: BTreeMap<_, _> = cells(&d.cells).into_iter().collect();
    // 表6 基本工资: 26.82 (2024) -> 37.19 万元 (2025); 表10 三公 合计: 2.89 -> 2.40 万元.
    assert_eq!(got[&key("basic_expenditure_by_economic", "30101", "total")], (y(268_200), y(371_900), y(103_700)));
    assert_eq!(got[&key("basic_expenditure_by_economic", "30101", "personnel")], (y(268_200), y(371_900), y(103_700)));
    assert_eq!(got[&key("three_public", "total:budget", "total")], (y(28_900), y(24_000), y(-4_900)));
    // A row only one year prints counts the other as 0: 2024 has no 302 31 公务用车运行维护费.
    assert_eq!(got[&key("basic_expenditure_by_economic", "30231", "total")], (None, y(24_000), y(24_000)));
    let (text, _) = diff_command(
        &[snap],
        Some(&[2024, 2025]),
        "budget",
        None,
        &Settings { aliases: renamed, ..Default::default() },
        500,
    )
    .unwrap();
    assert!(text.contains("budget 2024 -> budget 2025"), "{text}");
    assert!(
        text.contains("2.89万元 (28,900.00元) -> 2.40万元 (24,000.00元)   delta -0.49万元 (-4,900.00元)  -17.0%"),
        "{text}"
    );
}
