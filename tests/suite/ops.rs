//! Operations: every encoding and line-ending form gives the same tables; junk and broken
//! files fail alone with a reason; output is byte-identical whatever the thread count; a run
//! killed at any moment leaves the last snapshot complete; readers outside Rust can load it.

use crate::common::{self, files_under};

use budget_etl::config::{Rounding, Settings};
use budget_etl::extract::Extracted;
use budget_etl::model::DocStatus;
use budget_etl::run::{process_bytes, process_bytes_with, DocOutput};
use encoding_rs::GB18030;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What must not change when only the bytes' encoding changes.
fn fingerprint(out: &DocOutput) -> String {
    let d = &out.document;
    let mut s = format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{}|{}|{:?}\n",
        d.department, d.fiscal_year, d.doc_kind, d.scope, d.source_unit, d.layout, d.status, d.error
    );
    for t in &out.tables {
        s.push_str(&format!("{} {} {} {:?} {:?}\n", t.table_type, t.status, t.row_count, t.first_line, t.last_line));
    }
    for (tt, r) in &out.rows {
        s.push_str(&format!("{} {} {:?} {:?}\n", tt.as_str(), r.row_no, r.key, r.values));
    }
    for c in &out.checks {
        s.push_str(&format!("{} {:?} {:?} {} {:?}\n", c.check_id, c.row_ref, c.column, c.status, c.actual));
    }
    s
}

fn utf16(text: &str, le: bool) -> Vec<u8> {
    let mut out = if le { vec![0xFF, 0xFE] } else { vec![0xFE, 0xFF] };
    for u in text.encode_utf16() {
        out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    out
}

#[test]
fn every_encoding_and_line_ending_gives_identical_tables() {
    let Some(shared) = common::shared_or_skip("every_encoding_and_line_ending_gives_identical_tables") else { return };
    let settings = Settings::default();
    for (name, bytes) in common::real_documents(&shared) {
        let text = String::from_utf8(bytes.clone()).unwrap();
        let reference = process_bytes(&name, &bytes, &settings);
        assert_eq!(reference.document.encoding.as_deref(), Some("utf-8"));
        let lf = text.replace("\r\n", "\n");
        // A form feed before each repeated page header, as a PDF converter writes page breaks.
        let form_fed = lf.replace("\n编制", "\n\u{c}编制").replace("\n 编制", "\n\u{c} 编制");
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(lf.as_bytes());
        let variants: Vec<(&str, Vec<u8>, &str)> = vec![
            ("utf-8 BOM", bom, "utf-8"),
            ("CRLF", lf.replace('\n', "\r\n").into_bytes(), "utf-8"),
            ("form feeds", form_fed.into_bytes(), "utf-8"),
            ("utf-16le", utf16(&lf, true), "utf-16le"),
            ("utf-16be", utf16(&lf.replace('\n', "\r\n"), false), "utf-16be"),
            ("gb18030", GB18030.encode(&lf).0.into_owned(), "gb18030"),
            ("utf-16le without BOM", utf16(&lf, true)[2..].to_vec(), "utf-16le"),
            ("utf-16be without BOM", utf16(&lf, false)[2..].to_vec(), "utf-16be"),
        ];
        for (what, variant, encoding) in variants {
            let out = process_bytes(&name, &variant, &settings);
            assert_eq!(out.document.encoding.as_deref(), Some(encoding), "{name} as {what}");
            assert_eq!(fingerprint(&out), fingerprint(&reference), "{name} as {what}: tables differ");
        }
    }
}

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

fn panicking_extract(_: &str, _: Rounding) -> Extracted {
    panic!("injected parser fault")
}

#[test]
fn bad_files_fail_alone_with_a_reason() {
    let Some(shared) = common::shared_or_skip("bad_files_fail_alone_with_a_reason") else { return };
    let docs = common::real_documents(&shared);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    for (name, bytes) in &docs {
        write(&input, &format!("good/{name}"), bytes);
    }
    let budget = String::from_utf8(docs[0].1.clone()).unwrap();
    let cut_at = budget.find("201 03 01 行政运行 192.76 192.76\n").expect("a 表3 line to cut at");
    write(&input, "bad/binary.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0");
    write(&input, "bad/empty.txt", b"");
    write(&input, "bad/cut_off.txt", &budget.as_bytes()[..cut_at]);
    write(&input, "bad/not_a_disclosure.md", "# 会议纪要\n\n今天讨论了三件事。\n".as_bytes());
    write(&input, "bad/undecodable.txt", &[0xC3, 0x28, 0xA0, 0xA1, 0xFF, 0xFE, 0x80, 0x81, 0x20, 0xFF]);
    let settings = Settings { input: input.clone(), output: dir.path().join("out"), threads: 2, ..Default::default() };
    let summary = budget_etl::run::run(&settings, false).unwrap();
    assert_eq!(summary.exit_code(), 1);
    assert_eq!((summary.ok, summary.failed, summary.partial), (docs.len(), 4, 1), "{:#?}", summary.reasons);
    let reason = |file: &str| {
        summary.reasons.iter().find(|r| r.starts_with(&format!("bad/{file}"))).cloned().unwrap_or_default()
    };
    assert!(reason("binary.txt").contains("binary"), "{}", reason("binary.txt"));
    assert!(reason("empty.txt").contains("empty"), "{}", reason("empty.txt"));
    assert!(
        reason("cut_off.txt").contains("cut off") && reason("cut_off.txt").contains("line "),
        "{}",
        reason("cut_off.txt")
    );
    assert!(
        reason("not_a_disclosure.md").contains("no budget or final-account table"),
        "{}",
        reason("not_a_disclosure.md")
    );
    assert!(reason("undecodable.txt").contains("cannot decode"), "{}", reason("undecodable.txt"));
    // The good documents are exactly what they are alone.
    for (name, bytes) in &docs {
        let alone = process_bytes(&format!("good/{name}"), bytes, &settings);
        assert_eq!(alone.document.status, DocStatus::Ok, "{name}");
    }
    // A parser panic becomes a failed document.
    let out = process_bytes_with("x.txt", &docs[0].1, &settings, panicking_extract);
    assert_eq!(out.document.status, DocStatus::Failed);
    assert!(out.document.error.as_deref().unwrap().contains("injected parser fault"));
}

fn archive(dir: &Path, copies: usize) -> PathBuf {
    let shared = common::shared_dir().unwrap();
    let input = dir.join("archive");
    for (name, bytes) in common::real_documents(&shared) {
        let text = String::from_utf8(bytes).unwrap();
        for i in 0..copies {
            // Each copy is its own department and year.
            let dept = format!("示例{i:04}中心");
            let t = text.replace("库尔勒市", &dept).replace("2025", &format!("{}", 2010 + i % 15));
            write(&input, &format!("{:02}/{i:04}_{name}", i % 7), t.as_bytes());
        }
    }
    input
}

#[test]
fn output_is_byte_identical_whatever_the_thread_count() {
    if common::shared_or_skip("output_is_byte_identical_whatever_the_thread_count").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = archive(dir.path(), 6);
    let mut snapshots = Vec::new();
    for threads in [1, 2, 2] {
        let output = dir.path().join(format!("out{}", snapshots.len()));
        let settings = Settings { input: input.clone(), output: output.clone(), threads, ..Default::default() };
        budget_etl::run::run(&settings, false).unwrap();
        snapshots.push(files_under(&output));
    }
    assert!(snapshots[0].len() > 10);
    assert_eq!(snapshots[0], snapshots[1], "1 thread vs 2 threads");
    assert_eq!(snapshots[1], snapshots[2], "two runs with 2 threads");
}

fn snapshot_is_complete(output: &Path) -> Result<usize, String> {
    use polars::prelude::*;
    let read = |p: PathBuf| -> Result<DataFrame, String> {
        let f = std::fs::File::open(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        ParquetReader::new(f).finish().map_err(|e| format!("{}: {e}", p.display()))
    };
    let docs = read(output.join("documents.parquet"))?;
    read(output.join("tables.parquet"))?;
    read(output.join("checks.parquet"))?;
    for e in walkdir::WalkDir::new(output).into_iter().filter_map(|e| e.ok()) {
        if e.path().extension().is_some_and(|x| x == "parquet") {
            read(e.path().to_path_buf())?;
        }
    }
    Ok(docs.height())
}

#[test]
fn a_killed_run_leaves_the_last_snapshot_complete() {
    if common::shared_or_skip("a_killed_run_leaves_the_last_snapshot_complete").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let small = archive(&dir.path().join("small"), 1);
    let big = archive(&dir.path().join("big"), 25);
    let output = dir.path().join("out");
    let bin = env!("CARGO_BIN_EXE_budget-etl");
    let run = |input: &Path| {
        Command::new(bin).args(["run", "--input"]).arg(input).arg("--output").arg(&output).output().unwrap()
    };
    assert!(run(&small).status.success());
    let first = snapshot_is_complete(&output).unwrap();
    // Time a full run of the big archive, then kill runs at moments spread over it.
    let t = std::time::Instant::now();
    assert!(run(&big).status.success());
    let full = t.elapsed();
    let second = snapshot_is_complete(&output).unwrap();
    assert!(second > first);
    for k in 1..=8u32 {
        let mut child = Command::new(bin)
            .args(["run", "--input"])
            .arg(if k % 2 == 0 { &small } else { &big })
            .arg("--output")
            .arg(&output)
            .spawn()
            .unwrap();
        std::thread::sleep(full * k / 9);
        let _ = child.kill();
        let _ = child.wait();
        let n = snapshot_is_complete(&output).unwrap_or_else(|e| panic!("after a kill at {k}/9 of a run: {e}"));
        assert!(n == first || n == second, "a snapshot is one run's whole output");
    }
}

#[test]
fn bad_config_or_input_publishes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_budget-etl");
    let cfg = dir.path().join("p.toml");
    std::fs::write(&cfg, "threads = 2\nouptut = \"x\"\n").unwrap();
    let out = Command::new(bin).args(["run", "--config"]).arg(&cfg).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ouptut"));
    let out = Command::new(bin)
        .args(["run", "--input", "/nonexistent/dir", "--output"])
        .arg(dir.path().join("o"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.path().join("o").exists());
}

#[test]
fn inspect_shows_metadata_tables_and_checks() {
    let Some(shared) = common::shared_or_skip("inspect_shows_metadata_tables_and_checks") else { return };
    let bin = env!("CARGO_BIN_EXE_budget-etl");
    let out =
        Command::new(bin).arg("inspect").arg(shared.join("corpus/real/003_db8d6b0f5cca3d9a.txt")).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for want in [
        "encoding:    utf-8",
        "layout:      markdown_tsv",
        "fiscal_year: 2024",
        "表4 fiscal_summary [parsed]",
        "表3 expenditure_by_function [missing]",
        "fail",
        "fiscal_class_match 209",
    ] {
        assert!(text.contains(want), "inspect output lacks {want:?}:\n{text}");
    }
}

#[test]
fn python_polars_pyarrow_and_duckdb_read_the_snapshot() {
    let Some(shared) = common::shared_or_skip("python_polars_pyarrow_and_duckdb_read_the_snapshot") else { return };
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("out");
    let settings = Settings { input: shared.join("corpus/real"), output: output.clone(), ..Default::default() };
    budget_etl::run::run(&settings, false).unwrap();
    let script = r#"
import sys
out = sys.argv[1]
checked = []
try:
    import polars as pl
    df = pl.scan_parquet(f"{out}/expenditure_by_function/", hive_partitioning=True).collect()
    assert df.height == 63, df.height
    assert df.schema["total"] == pl.Decimal(18, 2), df.schema["total"]
    assert sorted(df["fiscal_year"].unique().to_list()) == [2022, 2025], df["fiscal_year"].unique()
    assert pl.read_parquet(f"{out}/documents.parquet").height == 4
    checked.append("polars")
except ImportError:
    pass
try:
    import pyarrow.dataset as ds, pyarrow as pa
    t = ds.dataset(f"{out}/three_public", format="parquet", partitioning="hive").to_table()
    assert t.num_rows == 30, t.num_rows
    assert t.schema.field("total").type == pa.decimal128(18, 2), t.schema.field("total").type
    checked.append("pyarrow")
except ImportError:
    pass
try:
    import duckdb
    n = duckdb.sql(f"select count(*) from read_parquet('{out}/revenue_by_function/*/*.parquet', hive_partitioning=true)").fetchall()[0][0]
    assert n == 70, n
    ty = duckdb.sql(f"select typeof(total) from read_parquet('{out}/revenue_by_function/*/*.parquet', hive_partitioning=true) limit 1").fetchall()[0][0]
    assert ty == "DECIMAL(18,2)", ty
    checked.append("duckdb")
except ImportError:
    pass
print(",".join(checked))
"#;
    let test = "python_polars_pyarrow_and_duckdb_read_the_snapshot";
    let out = Command::new("python3").arg("-c").arg(script).arg(&output).output();
    let Ok(out) = out else {
        common::report_skip(test, "python3 not found");
        return;
    };
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let read_by: Vec<&str> = stdout.trim().split(',').filter(|r| !r.is_empty()).collect();
    let missing: Vec<&str> = ["polars", "pyarrow", "duckdb"].into_iter().filter(|r| !read_by.contains(r)).collect();
    if !missing.is_empty() {
        let why = format!("Python {} not installed (pip install polars pyarrow duckdb)", missing.join(", "));
        common::report_skip(test, &why);
    }
    eprintln!("{test}: read by [{}]", read_by.join(", "));
}
