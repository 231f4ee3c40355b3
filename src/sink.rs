//! Contract rows -> a Parquet snapshot (zstd, Decimal(18,2) yuan, Hive partitions by fiscal
//! year), written beside the output directory and swapped in atomically when complete.

use crate::model::{DocStatus, KeyShape, RowKey, TableStatus, TableType};
use crate::spill::{SpillReader, SpillWriter};
use polars::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub struct DocumentRecord {
    pub doc_id: String,
    pub source_path: String,
    pub bytes: i64,
    pub sha256: String,
    pub encoding: Option<String>,
    pub layout: String,
    pub department: Option<String>,
    pub fiscal_year: Option<i32>,
    pub doc_kind: Option<String>,
    pub scope: Option<String>,
    pub source_unit: Option<String>,
    pub tables_found: i32,
    pub status: DocStatus,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct TableRecord {
    pub doc_id: String,
    pub table_type: String,
    pub source_title: Option<String>,
    pub source_number: Option<String>,
    pub status: TableStatus,
    pub row_count: i32,
    pub source_unit: Option<&'static str>,
    pub first_line: Option<i32>,
    pub last_line: Option<i32>,
    pub error: Option<String>,
}

/// A check row as published (the checks module's row, with its document).
pub use crate::checks::CheckRow as CheckRecord;

/// One row of a table-type dataset; `values` follow `TableType::output_columns`, in yuan.
#[derive(Debug, Clone)]
pub struct DataRow {
    /// Shared by all rows of a document (one allocation per document, not per row).
    pub doc_id: Arc<str>,
    pub department: Arc<str>,
    pub doc_kind: &'static str,
    pub fiscal_year: i32,
    pub row_no: i32,
    pub key: RowKey,
    pub values: Vec<Option<Decimal>>,
}

/// One row of the `facts` dataset: a printed amount (in yuan) with its document.
#[derive(Debug, Clone)]
pub struct FactRow {
    pub doc_id: Arc<str>,
    pub department: Arc<str>,
    pub doc_kind: &'static str,
    pub fiscal_year: i32,
    pub fact: crate::facts::Fact,
}

fn facts_frame(rows: &[FactRow]) -> PolarsResult<DataFrame> {
    let s = |f: &dyn Fn(&FactRow) -> Option<&str>| rows.iter().map(f).collect::<Vec<_>>();
    DataFrame::new_infer_height(vec![
        strings("doc_id", s(&|r| Some(&r.doc_id))),
        strings("department", s(&|r| Some(&r.department))),
        strings("doc_kind", s(&|r| Some(r.doc_kind))),
        strings("table_type", s(&|r| Some(r.fact.table_type.as_str()))),
        Column::new("row_no".into(), rows.iter().map(|r| r.fact.row_no).collect::<Vec<i32>>()),
        strings("code", s(&|r| r.fact.code.as_deref())),
        strings("name", s(&|r| r.fact.name.as_deref())),
        strings("column", s(&|r| r.fact.column)),
        strings("header", s(&|r| Some(&r.fact.header))),
        money("amount", rows.iter().map(|r| cents(Some(r.fact.amount))).collect())?,
    ])
}

fn cents(d: Option<Decimal>) -> Option<i128> {
    d.and_then(|v| (v * Decimal::from(100)).round().to_i128())
}

fn money(name: &str, values: Vec<Option<i128>>) -> PolarsResult<Column> {
    let ca = Int128Chunked::from_iter_options(name.into(), values.into_iter());
    Ok(ca.into_decimal(18, 2)?.into_series().into_column())
}

/// A string column, borrowing from the records (no copies of the strings).
fn strings(name: &str, values: Vec<Option<&str>>) -> Column {
    Column::new(name.into(), values)
}

fn documents_frame(docs: &[DocumentRecord]) -> PolarsResult<DataFrame> {
    let s = |f: fn(&DocumentRecord) -> Option<&str>| docs.iter().map(f).collect::<Vec<_>>();
    DataFrame::new_infer_height(vec![
        strings("doc_id", s(|d| Some(d.doc_id.as_str()))),
        strings("source_path", s(|d| Some(d.source_path.as_str()))),
        Column::new("bytes".into(), docs.iter().map(|d| d.bytes).collect::<Vec<i64>>()),
        strings("sha256", s(|d| Some(d.sha256.as_str()))),
        strings("encoding", s(|d| d.encoding.as_deref())),
        strings("layout", s(|d| Some(d.layout.as_str()))),
        strings("department", s(|d| d.department.as_deref())),
        Column::new("fiscal_year".into(), docs.iter().map(|d| d.fiscal_year).collect::<Vec<Option<i32>>>()),
        strings("doc_kind", s(|d| d.doc_kind.as_deref())),
        strings("scope", s(|d| d.scope.as_deref())),
        strings("source_unit", s(|d| d.source_unit.as_deref())),
        Column::new("tables_found".into(), docs.iter().map(|d| d.tables_found).collect::<Vec<i32>>()),
        strings("status", s(|d| Some(d.status.as_str()))),
        strings("error", s(|d| d.error.as_deref())),
    ])
}

fn tables_frame(tables: &[TableRecord]) -> PolarsResult<DataFrame> {
    let s = |f: fn(&TableRecord) -> Option<&str>| tables.iter().map(f).collect::<Vec<_>>();
    let i = |f: fn(&TableRecord) -> Option<i32>| tables.iter().map(f).collect::<Vec<_>>();
    DataFrame::new_infer_height(vec![
        strings("doc_id", s(|t| Some(t.doc_id.as_str()))),
        strings("table_type", s(|t| Some(t.table_type.as_str()))),
        strings("source_title", s(|t| t.source_title.as_deref())),
        strings("source_number", s(|t| t.source_number.as_deref())),
        strings("status", s(|t| Some(t.status.as_str()))),
        Column::new("row_count".into(), i(|t| Some(t.row_count))),
        strings("source_unit", s(|t| t.source_unit)),
        Column::new("first_line".into(), i(|t| t.first_line)),
        Column::new("last_line".into(), i(|t| t.last_line)),
        strings("error", s(|t| t.error.as_deref())),
    ])
}

fn checks_frame(checks: &[CheckRecord]) -> PolarsResult<DataFrame> {
    let s = |f: fn(&CheckRecord) -> Option<&str>| checks.iter().map(f).collect::<Vec<_>>();
    let m = |f: fn(&CheckRecord) -> Option<Decimal>| checks.iter().map(|c| cents(f(c))).collect::<Vec<_>>();
    DataFrame::new_infer_height(vec![
        strings("doc_id", s(|c| Some(c.doc_id.as_str()))),
        strings("check_id", s(|c| Some(c.check_id.as_str()))),
        strings("table_type", s(|c| Some(c.table_type.as_str()))),
        strings("row_ref", s(|c| c.row_ref.as_deref())),
        strings("column", s(|c| c.column.as_deref())),
        money("expected", m(|c| c.expected))?,
        money("actual", m(|c| c.actual))?,
        money("difference", m(|c| c.difference))?,
        money("tolerance", m(|c| c.tolerance))?,
        strings("status", s(|c| Some(c.status.as_str()))),
        strings("message", s(|c| Some(c.message.as_str()))),
    ])
}

/// One partition (table type, year) of data rows, already sorted.
fn rows_frame(tt: TableType, rows: &[DataRow]) -> PolarsResult<DataFrame> {
    let s = |f: &dyn Fn(&DataRow) -> Option<&str>| rows.iter().map(f).collect::<Vec<_>>();
    let mut cols = vec![
        strings("doc_id", s(&|r| Some(&r.doc_id))),
        strings("department", s(&|r| Some(&r.department))),
        strings("doc_kind", s(&|r| Some(r.doc_kind))),
        Column::new("row_no".into(), rows.iter().map(|r| r.row_no).collect::<Vec<i32>>()),
    ];
    let level = || Column::new("level".into(), rows.iter().map(|r| r.key.level).collect::<Vec<Option<i8>>>());
    match tt.key_shape() {
        KeyShape::TwoSided => {
            cols.push(strings("side", s(&|r| r.key.side.map(|x| x.as_str()))));
            cols.push(Column::new("line_no".into(), rows.iter().map(|r| r.key.line_no).collect::<Vec<Option<i32>>>()));
            cols.push(strings("item", s(&|r| r.key.item.as_deref())));
            cols.push(strings("code", s(&|r| r.key.code.as_deref())));
        }
        KeyShape::Coded | KeyShape::Project => {
            cols.push(strings("code", s(&|r| r.key.code.as_deref())));
            cols.push(level());
            cols.push(strings("name", s(&|r| r.key.name.as_deref())));
            if tt.key_shape() == KeyShape::Project {
                cols.push(strings("unit", s(&|r| r.key.unit.as_deref())));
                cols.push(strings("project_name", s(&|r| r.key.project_name.as_deref())));
            }
        }
        KeyShape::ThreePublic => {
            cols.push(strings("item", s(&|r| r.key.item.as_deref())));
            cols.push(strings("item_name", s(&|r| r.key.item_name.as_deref())));
            cols.push(strings("basis", s(&|r| r.key.basis)));
        }
        KeyShape::Item => cols.push(strings("item", s(&|r| r.key.item.as_deref()))),
    }
    for (i, name) in tt.output_columns().iter().enumerate() {
        cols.push(money(name, rows.iter().map(|r| cents(r.values[i])).collect())?);
    }
    DataFrame::new_infer_height(cols)
}

/// Rows per row group of a table-type file (a file's last one holds the rest).
const ROW_GROUP_ROWS: usize = 65_536;
/// Records the top-level files (documents, tables, checks) buffer before they write a row group:
/// smaller, so their buffers fill early in a run instead of growing with the archive up to a
/// large cap.
const RECORD_ROWS: usize = 16_384;
/// Data rows held in memory over all partitions before the fullest are spilled to disk.
const BUFFERED_ROWS: usize = 65_536;

fn err(e: PolarsError) -> String {
    e.to_string()
}

/// An open Parquet file written one row group at a time.
struct StreamFile {
    path: PathBuf,
    file: File,
    writer: polars::io::parquet::write::BatchedWriter<File>,
}

impl StreamFile {
    fn create(path: PathBuf, schema: &Schema) -> Result<StreamFile, String> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let file = File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let writer = ParquetWriter::new(file.try_clone().map_err(|e| e.to_string())?)
            .with_compression(ParquetCompression::Zstd(None))
            // Documents are the unit of parallelism; polars' own pool would add threads beyond
            // `--threads`.
            .set_parallel(false)
            .batched(schema)
            .map_err(err)?;
        Ok(StreamFile { path, file, writer })
    }

    fn write(&mut self, df: &DataFrame) -> Result<(), String> {
        self.writer.write_batch(df).map_err(|e| format!("{}: {e}", self.path.display()))
    }

    fn finish(self) -> Result<(), String> {
        self.writer.finish().map_err(|e| format!("{}: {e}", self.path.display()))?;
        self.file.sync_all().map_err(|e| format!("{}: {e}", self.path.display()))
    }
}

/// One `<table_type>/fiscal_year=<YYYY>/` file's rows: those in memory, and the blocks already
/// spilled to disk (in order). The Parquet file is written when the run ends.
struct Partition {
    table_type: TableType,
    spill: Option<SpillWriter>,
    pending: Vec<DataRow>,
}

/// A run's slice of the archive: shard `index` of `count` (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// `K/N` with 0 <= K < N.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let (k, n) = s.split_once('/').ok_or_else(|| format!("--shard {s:?}: expected K/N, e.g. 0/4"))?;
        let index: u32 = k.trim().parse().map_err(|_| format!("--shard {s:?}: K is not a number"))?;
        let count: u32 = n.trim().parse().map_err(|_| format!("--shard {s:?}: N is not a number"))?;
        if count == 0 || index >= count {
            return Err(format!("--shard {s:?}: need 0 <= K < N"));
        }
        Ok(Shard { index, count })
    }

    /// Does this shard own the file? A stable hash (FNV-1a) of its relative path decides.
    pub fn owns(&self, rel_path: &str) -> bool {
        let mut h: u64 = 0xcbf29ce484222325;
        for b in rel_path.as_bytes() {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x100000001b3);
        }
        h % u64::from(self.count) == u64::from(self.index)
    }
}

/// The file names of a snapshot: one whole snapshot (`documents.parquet`, `…/part-0.parquet`) or
/// one shard's part of it (`documents/part-K-of-N.parquet`, `…/part-K-of-N.parquet`).
fn part_name(shard: Option<Shard>) -> String {
    match shard {
        Some(s) => format!("part-{}-of-{}.parquet", s.index, s.count),
        None => "part-0.parquet".to_string(),
    }
}

fn top_level(dir: &Path, name: &str, shard: Option<Shard>) -> PathBuf {
    match shard {
        Some(_) => dir.join(name).join(part_name(shard)),
        None => dir.join(format!("{name}.parquet")),
    }
}

/// A top-level file (`documents`, `tables`, `checks`) written one row group at a time, in the
/// order its records arrive.
struct RecordFile<T> {
    path: PathBuf,
    frame: fn(&[T]) -> PolarsResult<DataFrame>,
    pending: Vec<T>,
    file: Option<StreamFile>,
}

impl<T> RecordFile<T> {
    fn new(path: PathBuf, frame: fn(&[T]) -> PolarsResult<DataFrame>) -> RecordFile<T> {
        RecordFile { path, frame, pending: Vec::new(), file: None }
    }

    fn extend(&mut self, records: impl IntoIterator<Item = T>) -> Result<(), String> {
        self.pending.extend(records);
        if self.pending.len() >= RECORD_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), String> {
        if self.pending.is_empty() && self.file.is_some() {
            return Ok(());
        }
        let df = (self.frame)(&self.pending).map_err(err)?;
        if self.file.is_none() {
            self.file = Some(StreamFile::create(self.path.clone(), df.schema())?);
        }
        if !self.pending.is_empty() {
            self.file.as_mut().map(|f| f.write(&df)).transpose()?;
        }
        self.pending.clear();
        Ok(())
    }

    fn finish(mut self) -> Result<(), String> {
        self.flush()?;
        self.file.take().map(StreamFile::finish).transpose().map(|_| ())
    }
}

/// Writes a snapshot while documents arrive, holding only a bounded number of rows (data rows
/// beyond it wait in spill files until the end). Documents must be added in the contract's row
/// order (department, doc_kind, doc_id); each file's row groups are then cut at fixed row
/// counts, so the bytes depend on the input only.
pub struct SnapshotWriter {
    dir: PathBuf,
    shard: Option<Shard>,
    partitions: BTreeMap<(TableType, i32), Partition>,
    buffered: usize,
    /// Data rows held in memory before the fullest partitions spill.
    budget: usize,
    documents: RecordFile<DocumentRecord>,
    tables: RecordFile<TableRecord>,
    checks: RecordFile<CheckRecord>,
    /// `facts/fiscal_year=<YYYY>/`: written as documents arrive (they arrive in row order).
    facts: BTreeMap<i32, RecordFile<FactRow>>,
}

impl SnapshotWriter {
    /// Starts a snapshot in `dir`, which must not exist yet.
    pub fn create(dir: &Path, shard: Option<Shard>) -> Result<SnapshotWriter, String> {
        std::fs::create_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(SnapshotWriter {
            dir: dir.to_path_buf(),
            shard,
            partitions: BTreeMap::new(),
            buffered: 0,
            budget: BUFFERED_ROWS,
            documents: RecordFile::new(top_level(dir, "documents", shard), documents_frame),
            tables: RecordFile::new(top_level(dir, "tables", shard), tables_frame),
            checks: RecordFile::new(top_level(dir, "checks", shard), checks_frame),
            facts: BTreeMap::new(),
        })
    }

    /// Holds at most `rows` data rows in memory (default `BUFFERED_ROWS`); the output does not
    /// depend on it.
    pub fn with_row_budget(mut self, rows: usize) -> SnapshotWriter {
        self.budget = rows.max(1);
        self
    }

    /// Adds one document's records and rows.
    pub fn add(
        &mut self,
        document: DocumentRecord,
        tables: Vec<TableRecord>,
        checks: Vec<CheckRecord>,
        rows: Vec<(TableType, DataRow)>,
    ) -> Result<(), String> {
        for (tt, row) in rows {
            let year = row.fiscal_year;
            let part = self.partitions.entry((tt, row.fiscal_year)).or_insert_with(|| Partition {
                table_type: tt,
                spill: None,
                pending: Vec::new(),
            });
            part.pending.push(row);
            self.buffered += 1;
            if part.pending.len() >= ROW_GROUP_ROWS {
                let n = part.pending.len();
                flush_partition(&self.dir, (tt, year), part)?;
                self.buffered -= n;
            }
        }
        if self.buffered >= self.budget {
            self.flush_largest()?;
        }
        self.checks.extend(checks)?;
        self.tables.extend(tables)?;
        self.documents.extend([document])
    }

    /// Adds one document's facts (after its `add`).
    pub fn add_facts(&mut self, facts: Vec<FactRow>) -> Result<(), String> {
        for f in facts {
            let (dir, shard, year) = (&self.dir, self.shard, f.fiscal_year);
            let file = self.facts.entry(year).or_insert_with(|| {
                let path = dir.join("facts").join(format!("fiscal_year={year}")).join(part_name(shard));
                RecordFile::new(path, facts_frame)
            });
            file.extend([f])?;
        }
        Ok(())
    }

    /// Spills the fullest partitions until half the buffer is free (fewer, larger blocks).
    fn flush_largest(&mut self) -> Result<(), String> {
        let mut keys: Vec<((TableType, i32), usize)> =
            self.partitions.iter().map(|(k, p)| (*k, p.pending.len())).collect();
        keys.sort_by_key(|k| std::cmp::Reverse(k.1));
        for (key, n) in keys {
            if self.buffered <= self.budget / 2 {
                break;
            }
            if let Some(part) = self.partitions.get_mut(&key) {
                flush_partition(&self.dir, key, part)?;
                self.buffered -= n;
            }
        }
        Ok(())
    }

    /// The files still open, most buffered rows first, and the snapshot's directory. Each file
    /// writes its buffered rows and closes on its own, so the caller may finish them in
    /// parallel; then `seal` the directory.
    pub fn into_open_files(self) -> (Vec<OpenFile>, PathBuf) {
        let SnapshotWriter { dir, shard, partitions, documents, tables, checks, facts, .. } = self;
        let mut sized: Vec<(usize, OpenFile)> = vec![
            (checks.pending.len(), OpenFile(Box::new(move || checks.finish()))),
            (tables.pending.len(), OpenFile(Box::new(move || tables.finish()))),
            (documents.pending.len(), OpenFile(Box::new(move || documents.finish()))),
        ];
        for file in facts.into_values() {
            sized.push((file.pending.len(), OpenFile(Box::new(move || file.finish()))));
        }
        for (key, part) in partitions {
            // All of the partition's rows are written now: its spilled ones too.
            let (dir, buffered) = (dir.clone(), part.pending.len() + part.spill.as_ref().map_or(0, SpillWriter::rows));
            let finish = move || write_partition(&dir, shard, key, part);
            sized.push((buffered, OpenFile(Box::new(finish))));
        }
        // Stable sort: equal sizes keep their (deterministic) order.
        sized.sort_by_key(|s| std::cmp::Reverse(s.0));
        (sized.into_iter().map(|(_, f)| f).collect(), dir)
    }
}

/// One file of a snapshot, still open (see `SnapshotWriter::into_open_files`).
pub struct OpenFile(Box<dyn FnOnce() -> Result<(), String> + Send>);

impl OpenFile {
    /// Writes the file's buffered rows and closes it, synced.
    pub fn finish(self) -> Result<(), String> {
        (self.0)()
    }
}

/// Completes a snapshot directory whose files are all finished: syncs it.
pub fn seal(dir: &Path) -> Result<(), String> {
    let spill = spill_dir(dir);
    if spill.exists() {
        std::fs::remove_dir_all(&spill).map_err(|e| format!("{}: {e}", spill.display()))?;
    }
    // Keeps `output/` in the repository although its contents are ignored.
    File::create(dir.join(".gitkeep")).map_err(|e| e.to_string())?;
    sync_tree(dir)
}

/// Where a run keeps its spilled rows: inside the staging snapshot, removed by `seal`.
fn spill_dir(dir: &Path) -> PathBuf {
    dir.join(".spill")
}

/// Moves a partition's buffered rows to its spill file.
fn flush_partition(dir: &Path, (tt, year): (TableType, i32), part: &mut Partition) -> Result<(), String> {
    if part.pending.is_empty() {
        return Ok(());
    }
    if part.spill.is_none() {
        part.spill = Some(SpillWriter::create(spill_dir(dir).join(format!("{}-{year}.bin", tt.as_str())))?);
    }
    part.spill.as_mut().map(|s| s.append(&part.pending)).transpose()?;
    // Give the buffer back: kept capacity summed over every partition grew with the archive.
    part.pending = Vec::new();
    Ok(())
}

/// Writes a partition's Parquet file from its spilled blocks and its buffered rows, in order,
/// in row groups of `ROW_GROUP_ROWS`.
fn write_partition(
    dir: &Path,
    shard: Option<Shard>,
    (tt, year): (TableType, i32),
    part: Partition,
) -> Result<(), String> {
    let path = dir.join(tt.as_str()).join(format!("fiscal_year={year}")).join(part_name(shard));
    let mut file: Option<StreamFile> = None;
    let mut batch: Vec<DataRow> = Vec::new();
    let write = |rows: &[DataRow], file: &mut Option<StreamFile>| -> Result<(), String> {
        let df = rows_frame(part.table_type, rows).map_err(err)?;
        if file.is_none() {
            *file = Some(StreamFile::create(path.clone(), df.schema())?);
        }
        file.as_mut().map(|f| f.write(&df)).transpose().map(|_| ())
    };
    let mut reader = part.spill.map(SpillWriter::into_reader).transpose()?;
    while let Some(block) = reader.as_mut().map(SpillReader::next_block).transpose()?.flatten() {
        batch.extend(block);
        while batch.len() >= ROW_GROUP_ROWS {
            let rest = batch.split_off(ROW_GROUP_ROWS);
            write(&batch, &mut file)?;
            batch = rest;
        }
    }
    batch.extend(part.pending);
    for chunk in batch.chunks(ROW_GROUP_ROWS) {
        write(chunk, &mut file)?;
    }
    reader.map(SpillReader::remove).transpose()?;
    file.map(StreamFile::finish).transpose().map(|_| ())
}

fn sync_tree(dir: &Path) -> Result<(), String> {
    for entry in walkdir::WalkDir::new(dir).contents_first(true) {
        let entry = entry.map_err(|e| e.to_string())?;
        if entry.file_type().is_dir() {
            File::open(entry.path())
                .and_then(|f| f.sync_all())
                .map_err(|e| format!("{}: {e}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// `<output>.previous`: where the last snapshot is kept after a publish.
pub fn previous_dir(output: &Path) -> PathBuf {
    let name = output.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "output".into());
    output.with_file_name(format!("{name}.previous"))
}

/// A fresh staging directory beside the output (same filesystem, so the swap is a rename).
pub fn staging_dir(output: &Path) -> PathBuf {
    let name = output.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "output".into());
    output.with_file_name(format!(".{name}.staging-{}", std::process::id()))
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings; renameat2 does not keep them.
    let rc =
        unsafe { libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "no atomic exchange"))
}

/// Moves one shard's files from its staging directory into the shared output, each by a rename
/// (a reader sees a shard's file whole or not at all); a file of an earlier run of the same shard
/// is replaced.
pub fn publish_shard(staging: &Path, output: &Path) -> Result<(), String> {
    for entry in walkdir::WalkDir::new(staging).into_iter().filter_map(|e| e.ok()) {
        if !entry.file_type().is_file() || entry.path().extension().is_none_or(|x| x != "parquet") {
            continue;
        }
        let rel = entry.path().strip_prefix(staging).map_err(|e| e.to_string())?;
        let target = output.join(rel);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::rename(entry.path(), &target).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    std::fs::remove_dir_all(staging).map_err(|e| format!("{}: {e}", staging.display()))
}

/// Swaps a complete staging snapshot in as the output: one atomic exchange where the platform
/// has it, so readers see the old snapshot or the new one, never a mix. The old one is kept as
/// `<output>.previous` (or removed).
pub fn publish(staging: &Path, output: &Path, keep_previous: bool) -> Result<(), String> {
    let io = |what: &str, e: std::io::Error| format!("{what}: {e}");
    let previous = previous_dir(output);
    if output.exists() {
        if exchange(staging, output).is_ok() {
            // `staging` now holds the old snapshot.
            if previous.exists() {
                std::fs::remove_dir_all(&previous).map_err(|e| io("removing old previous snapshot", e))?;
            }
            if keep_previous {
                std::fs::rename(staging, &previous).map_err(|e| io("keeping previous snapshot", e))?;
            } else {
                std::fs::remove_dir_all(staging).map_err(|e| io("removing old snapshot", e))?;
            }
        } else {
            if previous.exists() {
                std::fs::remove_dir_all(&previous).map_err(|e| io("removing old previous snapshot", e))?;
            }
            std::fs::rename(output, &previous).map_err(|e| io("moving old snapshot aside", e))?;
            std::fs::rename(staging, output).map_err(|e| io("publishing snapshot", e))?;
            if !keep_previous {
                std::fs::remove_dir_all(&previous).map_err(|e| io("removing old snapshot", e))?;
            }
        }
    } else {
        std::fs::rename(staging, output).map_err(|e| io("publishing snapshot", e))?;
    }
    if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
        let _ = File::open(parent).and_then(|f| f.sync_all());
    }
    Ok(())
}
