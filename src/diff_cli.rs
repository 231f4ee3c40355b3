//! `diff` command front end: reads published snapshots from disk, calls [`crate::diff`], formats
//! the stdout report (counts, then the largest changes in 万元 and yuan) and writes the full
//! change list as Parquet under `--output`.

use crate::config::Settings;
use crate::diff::{self, SnapshotDiff, SnapshotFrames, YearsDiff};
use crate::model::TableType;
use polars::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Runs `budget-etl diff`. Returns the report for stdout and the exit status (0, also when
/// there are changes); an `Err` is a bad invocation or an unreadable snapshot (exit 2).
pub fn diff_command(
    paths: &[PathBuf],
    years: Option<&[i32]>,
    kind: &str,
    output: Option<&Path>,
    settings: &Settings,
    top: usize,
) -> Result<(String, i32), String> {
    match years {
        None => {
            let [old, new] = paths else {
                return Err(format!(
                    "diff needs two snapshots, OLD and NEW (got {}); use --years A B SNAPSHOT to compare years within one",
                    paths.len()
                ));
            };
            let result = diff::diff_snapshots(&read_snapshot(old)?, &read_snapshot(new)?, &settings.aliases)
                .map_err(|e| format!("comparing {} with {}: {e}", old.display(), new.display()))?;
            let mut written = Vec::new();
            if let Some(dir) = output {
                written.push(write(&result.cells, &dir.join("cell_changes.parquet"))?);
                written.push(write(&result.documents, &dir.join("document_changes.parquet"))?);
            }
            let text = render_snapshot_diff(old, new, &result, top, &written).map_err(|e| e.to_string())?;
            Ok((text, 0))
        }
        Some(ys) => {
            let &[a, b] = ys else { return Err("--years takes two years, A and B".into()) };
            let [snapshot] = paths else {
                return Err(format!("diff --years compares within one snapshot (got {} paths)", paths.len()));
            };
            let (side_a, side_b) = diff::sides_for(kind, a, b)?;
            let result = diff::diff_years(&read_snapshot(snapshot)?, &settings.aliases, side_a, side_b)
                .map_err(|e| format!("comparing years in {}: {e}", snapshot.display()))?;
            let mut written = Vec::new();
            if let Some(dir) = output {
                written.push(write(&result.cells, &dir.join("year_comparison.parquet"))?);
                written.push(write(&result.departments, &dir.join("year_departments.parquet"))?);
            }
            let text =
                render_years_diff(snapshot, side_a, side_b, &result, top, &written).map_err(|e| e.to_string())?;
            Ok((text, 0))
        }
    }
}

/// Reads a published snapshot: `documents.parquet` and every `<table_type>/fiscal_year=<YYYY>/*.parquet`,
/// with the `fiscal_year` partition column (Int32) added back from the directory name.
pub fn read_snapshot(dir: &Path) -> Result<SnapshotFrames, String> {
    let docs_path = dir.join("documents.parquet");
    if !docs_path.is_file() {
        return Err(format!("{}: not a budget-etl snapshot (no documents.parquet)", dir.display()));
    }
    let documents = read_parquet(&docs_path)?;
    let mut tables = BTreeMap::new();
    for tt in TableType::ALL {
        let tdir = dir.join(tt.as_str());
        if !tdir.is_dir() {
            continue;
        }
        let mut parts = Vec::new();
        for (year, pdir) in partitions(&tdir)? {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&pdir)
                .map_err(|e| format!("{}: {e}", pdir.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "parquet"))
                .collect();
            files.sort();
            for f in files {
                let mut df = read_parquet(&f)?;
                let n = df.height();
                if df.schema().contains("fiscal_year") {
                    df = df.drop("fiscal_year").map_err(|e| format!("{}: {e}", f.display()))?;
                }
                df.with_column(Column::new("fiscal_year".into(), vec![year; n]))
                    .map_err(|e| format!("{}: {e}", f.display()))?;
                parts.push(df.lazy());
            }
        }
        if parts.is_empty() {
            continue;
        }
        let df = concat(parts, UnionArgs::default())
            .and_then(|lf| lf.collect())
            .map_err(|e| format!("{}: {e}", tdir.display()))?;
        tables.insert(tt, df);
    }
    Ok(SnapshotFrames { documents, tables })
}

/// `fiscal_year=<YYYY>` subdirectories, sorted by year.
fn partitions(tdir: &Path) -> Result<Vec<(i32, PathBuf)>, String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(tdir).map_err(|e| format!("{}: {e}", tdir.display()))? {
        let path = entry.map_err(|e| format!("{}: {e}", tdir.display()))?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        if let Some(year) = name.strip_prefix("fiscal_year=").and_then(|y| y.parse::<i32>().ok()) {
            if path.is_dir() {
                out.push((year, path));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn read_parquet(path: &Path) -> Result<DataFrame, String> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    ParquetReader::new(file).finish().map_err(|e| format!("{}: {e}", path.display()))
}

fn write(df: &DataFrame, path: &Path) -> Result<String, String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let file = File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut df = df.clone();
    ParquetWriter::new(&file)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(&mut df)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(format!("{} ({} rows)", path.display(), df.height()))
}

// ---- reading result frames ---------------------------------------------------------------

fn strs(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<String>>> {
    Ok(df.column(name)?.str()?.iter().map(|v| v.map(str::to_string)).collect())
}

fn ints(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<i32>>> {
    Ok(df.column(name)?.cast(&DataType::Int32)?.i32()?.iter().collect())
}

/// A Decimal(18,2) column as cents.
fn cents(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<i128>>> {
    let c = df.column(name)?.cast(&DataType::Decimal(18, 2))?;
    Ok(c.decimal()?.physical().iter().collect())
}

fn floats(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<f64>>> {
    Ok(df.column(name)?.cast(&DataType::Float64)?.f64()?.iter().collect())
}

// ---- formatting ----------------------------------------------------------------------------

fn group_thousands(digits: &str) -> String {
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Cents -> `19,800.00元`.
pub fn yuan(cents: i128) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let a = cents.unsigned_abs();
    format!("{sign}{}.{:02}元", group_thousands(&(a / 100).to_string()), a % 100)
}

/// Cents -> `1.98万元` (at least two decimals, more when the yuan amount needs them).
pub fn wan(cents: i128) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let a = cents.unsigned_abs(); // 1万元 = 1,000,000 cents
    let mut frac = format!("{:06}", a % 1_000_000);
    while frac.len() > 2 && frac.ends_with('0') {
        frac.pop();
    }
    format!("{sign}{}.{frac}万元", group_thousands(&(a / 1_000_000).to_string()))
}

/// `1.98万元 (19,800.00元)`, or `—` for a blank cell.
pub fn amount(v: Option<i128>) -> String {
    match v {
        Some(c) => format!("{} ({})", wan(c), yuan(c)),
        None => "—".into(),
    }
}

fn signed(v: Option<i128>) -> String {
    match v {
        Some(c) if c > 0 => format!("+{} (+{})", wan(c), yuan(c)),
        Some(c) => format!("{} ({})", wan(c), yuan(c)),
        None => "—".into(),
    }
}

/// `2080501 行政单位离退休`, `expenditure:一般公共服务支出`, with `#2` for a repeated key.
fn row_label(row_key: &str, label: &str, occurrence: i32) -> String {
    let mut s =
        if label.is_empty() || row_key.ends_with(label) { row_key.to_string() } else { format!("{row_key} {label}") };
    if occurrence > 1 {
        let _ = write!(s, " #{occurrence}");
    }
    s
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn render_snapshot_diff(
    old: &Path,
    new: &Path,
    d: &SnapshotDiff,
    top: usize,
    written: &[String],
) -> PolarsResult<String> {
    let mut out = String::new();
    let _ = writeln!(out, "budget-etl diff: {} -> {}", old.display(), new.display());
    let docs = &d.documents;
    let change = strs(docs, "change")?;
    let count = |what: &str| change.iter().filter(|c| c.as_deref() == Some(what)).count();
    if d.is_empty()? {
        let _ = writeln!(out, "no changes ({} compared)", plural(change.len(), "document", "documents"));
        for w in written {
            let _ = writeln!(out, "written: {w}");
        }
        return Ok(out);
    }
    let _ = writeln!(
        out,
        "documents: {} changed, {} added, {} removed, {} unchanged",
        count("changed"),
        count("added"),
        count("removed"),
        count("unchanged")
    );
    let (dept, kind, year, scope) =
        (strs(docs, "department")?, strs(docs, "doc_kind")?, ints(docs, "fiscal_year")?, strs(docs, "scope")?);
    let (cells_changed, old_id, new_id) =
        (ints(docs, "cells_changed")?, strs(docs, "old_doc_id")?, strs(docs, "new_doc_id")?);
    let (old_path, new_path) = (strs(docs, "old_source_path")?, strs(docs, "new_source_path")?);
    let (old_status, new_status) = (strs(docs, "old_status")?, strs(docs, "new_status")?);
    for i in 0..docs.height() {
        let c = change[i].as_deref().unwrap_or("");
        if c == "unchanged" {
            continue;
        }
        let mut line = format!(
            "  {c:<8} {} {} {}",
            dept[i].as_deref().unwrap_or(""),
            year[i].filter(|y| *y != 0).map(|y| y.to_string()).unwrap_or_else(|| "?".into()),
            kind[i].as_deref().filter(|k| !k.is_empty()).unwrap_or("?"),
        );
        if let Some(s) = scope[i].as_deref().filter(|s| !s.is_empty()) {
            let _ = write!(line, " ({s})");
        }
        match c {
            "added" => {
                let _ = write!(
                    line,
                    ": {} [{}]",
                    new_path[i].as_deref().unwrap_or(""),
                    new_status[i].as_deref().unwrap_or("")
                );
            }
            "removed" => {
                let _ = write!(
                    line,
                    ": {} [{}]",
                    old_path[i].as_deref().unwrap_or(""),
                    old_status[i].as_deref().unwrap_or("")
                );
            }
            _ => {
                let _ = write!(line, ": {}", plural(cells_changed[i].unwrap_or(0) as usize, "cell", "cells"));
                if old_id[i] != new_id[i] {
                    let _ = write!(
                        line,
                        ", doc_id {} -> {}",
                        old_id[i].as_deref().unwrap_or(""),
                        new_id[i].as_deref().unwrap_or("")
                    );
                }
                if old_status[i] != new_status[i] {
                    let _ = write!(
                        line,
                        ", status {} -> {}",
                        old_status[i].as_deref().unwrap_or(""),
                        new_status[i].as_deref().unwrap_or("")
                    );
                }
                if old_path[i] != new_path[i] {
                    let _ = write!(
                        line,
                        ", path {} -> {}",
                        old_path[i].as_deref().unwrap_or(""),
                        new_path[i].as_deref().unwrap_or("")
                    );
                }
            }
        }
        let _ = writeln!(out, "{line}");
    }

    let cells = &d.cells;
    let cchange = strs(cells, "change")?;
    let ccount = |what: &str| cchange.iter().filter(|c| c.as_deref() == Some(what)).count();
    let _ =
        writeln!(out, "cells: {} changed, {} added, {} removed", ccount("changed"), ccount("added"), ccount("removed"));
    let mut by_table: BTreeMap<String, usize> = BTreeMap::new();
    for t in strs(cells, "table_type")?.into_iter().flatten() {
        *by_table.entry(t).or_default() += 1;
    }
    if !by_table.is_empty() {
        let list: Vec<String> = by_table.iter().map(|(t, n)| format!("{t} {n}")).collect();
        let _ = writeln!(out, "  by table: {}", list.join(", "));
    }
    if cells.height() > 0 && top > 0 {
        let big = diff::largest_changes(cells, top)?;
        let _ = writeln!(out, "largest changes by absolute delta ({} of {}):", big.height(), cells.height());
        let (dept, kind, year, tt) =
            (strs(&big, "department")?, strs(&big, "doc_kind")?, ints(&big, "fiscal_year")?, strs(&big, "table_type")?);
        let (rk, label, occ, column) =
            (strs(&big, "row_key")?, strs(&big, "label")?, ints(&big, "occurrence")?, strs(&big, "column")?);
        let (o, n, dl) = (cents(&big, "old")?, cents(&big, "new")?, cents(&big, "delta")?);
        for i in 0..big.height() {
            let _ = writeln!(
                out,
                "  {} {} {} · {} · {} · {}",
                dept[i].as_deref().unwrap_or(""),
                year[i].unwrap_or(0),
                kind[i].as_deref().unwrap_or(""),
                tt[i].as_deref().unwrap_or(""),
                row_label(rk[i].as_deref().unwrap_or(""), label[i].as_deref().unwrap_or(""), occ[i].unwrap_or(1)),
                column[i].as_deref().unwrap_or("")
            );
            let _ = writeln!(out, "      {} -> {}   delta {}", amount(o[i]), amount(n[i]), signed(dl[i]));
        }
    }
    for w in written {
        let _ = writeln!(out, "written: {w}");
    }
    Ok(out)
}

fn render_year_rows(out: &mut String, big: &DataFrame) -> PolarsResult<()> {
    let (dept, tt, rk, label) =
        (strs(big, "department")?, strs(big, "table_type")?, strs(big, "row_key")?, strs(big, "label")?);
    let (occ, column, pct) = (ints(big, "occurrence")?, strs(big, "column")?, floats(big, "pct")?);
    let (o, n, dl) = (cents(big, "old")?, cents(big, "new")?, cents(big, "delta")?);
    for i in 0..big.height() {
        let _ = writeln!(
            out,
            "  {} · {} · {} · {}",
            dept[i].as_deref().unwrap_or(""),
            tt[i].as_deref().unwrap_or(""),
            row_label(rk[i].as_deref().unwrap_or(""), label[i].as_deref().unwrap_or(""), occ[i].unwrap_or(1)),
            column[i].as_deref().unwrap_or("")
        );
        let pct = pct[i].map(|p| format!("  {p:+.1}%")).unwrap_or_default();
        let _ = writeln!(out, "      {} -> {}   delta {}{pct}", amount(o[i]), amount(n[i]), signed(dl[i]));
    }
    Ok(())
}

fn side_name(s: diff::Side) -> String {
    format!("{} {}", s.kind.as_str(), s.fiscal_year)
}

fn render_years_diff(
    snapshot: &Path,
    a: diff::Side,
    b: diff::Side,
    d: &YearsDiff,
    top: usize,
    written: &[String],
) -> PolarsResult<String> {
    let mut out = String::new();
    let (na, nb) = (side_name(a), side_name(b));
    let _ = writeln!(out, "budget-etl diff --years: {na} -> {nb} in {}", snapshot.display());
    let deps = &d.departments;
    let (dept, in_a, in_b) =
        (strs(deps, "department")?, deps.column("in_old")?.bool()?.clone(), deps.column("in_new")?.bool()?.clone());
    let both: Vec<&str> = (0..deps.height())
        .filter(|&i| in_a.get(i) == Some(true) && in_b.get(i) == Some(true))
        .filter_map(|i| dept[i].as_deref())
        .collect();
    let only = |side: &dyn Fn(usize) -> bool| -> Vec<&str> {
        (0..deps.height()).filter(|&i| side(i)).filter_map(|i| dept[i].as_deref()).collect()
    };
    let only_a = only(&|i| in_a.get(i) == Some(true) && in_b.get(i) != Some(true));
    let only_b = only(&|i| in_b.get(i) == Some(true) && in_a.get(i) != Some(true));
    let _ = writeln!(
        out,
        "departments: {} on both sides, {} only in {na}, {} only in {nb}",
        both.len(),
        only_a.len(),
        only_b.len()
    );
    for (tag, list) in [("both", &both), (&format!("only {na}")[..], &only_a), (&format!("only {nb}")[..], &only_b)] {
        for name in list.iter() {
            let _ = writeln!(out, "  {tag:<16} {name}");
        }
    }
    if both.is_empty() {
        let _ = writeln!(
            out,
            "no department has documents on both sides (department names are matched through [aliases] in pipeline.toml)"
        );
        for w in written {
            let _ = writeln!(out, "written: {w}");
        }
        return Ok(out);
    }
    let cells = &d.cells;
    let (o, n, dl) = (cents(cells, "old")?, cents(cells, "new")?, cents(cells, "delta")?);
    let on_both = (0..cells.height()).filter(|&i| o[i].is_some() && n[i].is_some()).count();
    let only_old = (0..cells.height()).filter(|&i| o[i].is_some() && n[i].is_none()).count();
    let only_new = (0..cells.height()).filter(|&i| o[i].is_none() && n[i].is_some()).count();
    let differ = dl.iter().filter(|v| v.is_some_and(|c| c != 0)).count();
    let _ = writeln!(
        out,
        "cells: {} compared ({on_both} printed on both sides, {only_old} only in {na}, {only_new} only in {nb}); {differ} differ",
        cells.height()
    );
    if differ == 0 {
        let _ = writeln!(out, "no changes");
    } else if top > 0 {
        // Deltas of cells printed on both sides first; cells printed on one side only (a code
        // new or gone, a line only one template has) after, fewer.
        let both = diff::printed_on_both(cells, true)?;
        let one = diff::printed_on_both(cells, false)?;
        let sections = [
            ("largest differences, printed on both sides", diff::largest_changes(&both, top)?),
            ("largest cells printed on one side only", diff::largest_changes(&one, top.div_ceil(4))?),
        ];
        for (title, big) in sections {
            let dl = cents(&big, "delta")?;
            let n = dl.iter().filter(|v| v.is_some_and(|c| c != 0)).count();
            if n == 0 {
                continue;
            }
            let big = big.head(Some(n));
            let _ = writeln!(out, "{title} (by absolute delta):");
            render_year_rows(&mut out, &big)?;
        }
    }
    for w in written {
        let _ = writeln!(out, "written: {w}");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_amounts() {
        assert_eq!(yuan(1_980_000), "19,800.00元");
        assert_eq!(wan(1_980_000), "1.98万元");
        assert_eq!(wan(-123_456_789), "-123.456789万元");
        assert_eq!(yuan(-5), "-0.05元");
        assert_eq!(wan(0), "0.00万元");
        assert_eq!(signed(Some(1_000_000)), "+1.00万元 (+10,000.00元)");
        assert_eq!(row_label("2080501", "行政单位离退休", 1), "2080501 行政单位离退休");
        assert_eq!(row_label("revenue:单位资金", "单位资金", 2), "revenue:单位资金 #2");
    }
}
