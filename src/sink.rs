//! Contract rows -> a Parquet snapshot (zstd, Decimal(18,2) yuan, Hive partitions by fiscal
//! year), written beside the output directory and swapped in atomically when complete.

use crate::model::{DocStatus, KeyShape, RowKey, TableStatus, TableType};
use crate::spill::{SpillReader, SpillWriter};
use polars::prelude::*;
use reuse::{carry_over, FrameOut};
pub use reuse::{DocPlace, Reuse};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod reuse;

#[derive(Debug, Clone, Default)]
pub struct DocumentRecord {
    pub doc_id: String,
    pub source_path: String,
    pub bytes: i64,
    pub sha256: String,
    /// `pdf` or `text`.
    pub source_format: String,
    /// PDF pages; null for text.
    pub pages: Option<i32>,
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
    pub first_page: Option<i32>,
    pub last_page: Option<i32>,
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
        strings("source_format", s(|d| Some(d.source_format.as_str()))),
        Column::new("pages".into(), docs.iter().map(|d| d.pages).collect::<Vec<Option<i32>>>()),
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
        Column::new("first_page".into(), i(|t| t.first_page)),
        Column::new("last_page".into(), i(|t| t.last_page)),
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

/// A top-level file's path in a snapshot: `documents.parquet`, or `documents/part-K-of-N.parquet`.
fn top_level(name: &str, shard: Option<Shard>) -> PathBuf {
    match shard {
        Some(_) => Path::new(name).join(part_name(shard)),
        None => PathBuf::from(format!("{name}.parquet")),
    }
}

/// A partition file's path in a snapshot: `<table_type>/fiscal_year=<YYYY>/part-….parquet`.
fn partition_path((tt, year): (TableType, i32), shard: Option<Shard>) -> PathBuf {
    Path::new(tt.as_str()).join(format!("fiscal_year={year}")).join(part_name(shard))
}

/// A facts file's path in a snapshot: `facts/fiscal_year=<YYYY>/part-….parquet`.
fn facts_path(year: i32, shard: Option<Shard>) -> PathBuf {
    Path::new("facts").join(format!("fiscal_year={year}")).join(part_name(shard))
}

/// The row group size of a partitioned dataset's files: `facts` is written as records arrive,
/// like the top-level files; the table types in `ROW_GROUP_ROWS`.
fn group_rows(rel: &Path) -> usize {
    if rel.starts_with("facts") {
        RECORD_ROWS
    } else {
        ROW_GROUP_ROWS
    }
}

/// A top-level file (`documents`, `tables`, `checks`) written in row groups of `RECORD_ROWS`, in
/// the order its records arrive.
struct RecordFile<T> {
    dir: PathBuf,
    rel: PathBuf,
    out: FrameOut,
    frame: fn(&[T]) -> PolarsResult<DataFrame>,
    pending: Vec<T>,
    added: usize,
}

impl<T> RecordFile<T> {
    fn new(
        dir: &Path,
        rel: PathBuf,
        frame: fn(&[T]) -> PolarsResult<DataFrame>,
        reuse: Option<Arc<Reuse>>,
    ) -> Result<RecordFile<T>, String> {
        let out = FrameOut::create(dir, &rel, RECORD_ROWS, reuse)?;
        Ok(RecordFile { dir: dir.to_path_buf(), rel, out, frame, pending: Vec::new(), added: 0 })
    }

    fn extend(&mut self, records: impl IntoIterator<Item = T>) -> Result<(), String> {
        let before = self.pending.len();
        self.pending.extend(records);
        self.added += self.pending.len() - before;
        while self.pending.len() >= RECORD_ROWS {
            let rest = self.pending.split_off(RECORD_ROWS);
            self.out.push((self.frame)(&self.pending).map_err(err)?)?;
            self.pending = rest;
        }
        Ok(())
    }

    /// Writes the rest and closes the file; returns how many rows came from the previous snapshot.
    fn finish(mut self, reuse: Option<&Reuse>) -> Result<usize, String> {
        if let Some(reuse) = reuse.filter(|_| self.added == 0) {
            if carry_over(&self.dir, &self.rel, reuse)? {
                return Ok(reuse.reused);
            }
        }
        if !self.pending.is_empty() {
            self.out.push((self.frame)(&self.pending).map_err(err)?)?;
        }
        let empty = (self.frame)(&[]).map_err(err)?;
        self.out.finish(Some(empty))
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
    /// In an incremental run: the previous snapshot's rows merged into every file.
    reuse: Option<Arc<Reuse>>,
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
            reuse: None,
            documents: RecordFile::new(dir, top_level("documents", shard), documents_frame, None)?,
            tables: RecordFile::new(dir, top_level("tables", shard), tables_frame, None)?,
            checks: RecordFile::new(dir, top_level("checks", shard), checks_frame, None)?,
            facts: BTreeMap::new(),
        })
    }

    /// An incremental snapshot: the previous snapshot's rows of the documents `reuse` marks are
    /// merged into every file in document order (call before adding documents; only the
    /// documents extracted in this run are added).
    pub fn with_reuse(mut self, reuse: Arc<Reuse>) -> Result<SnapshotWriter, String> {
        let (dir, shard, r) = (&self.dir, self.shard, Some(reuse.clone()));
        self.documents = RecordFile::new(dir, top_level("documents", shard), documents_frame, r.clone())?;
        self.tables = RecordFile::new(dir, top_level("tables", shard), tables_frame, r.clone())?;
        self.checks = RecordFile::new(dir, top_level("checks", shard), checks_frame, r)?;
        self.reuse = Some(reuse);
        Ok(self)
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
            let file = match self.facts.entry(year) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert(RecordFile::new(dir, facts_path(year, shard), facts_frame, self.reuse.clone())?)
                }
            };
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
        let SnapshotWriter { dir, shard, partitions, documents, tables, checks, facts, reuse, .. } = self;
        let (r1, r2, r3) = (reuse.clone(), reuse.clone(), reuse.clone());
        let mut sized: Vec<(usize, OpenFile)> = vec![
            (checks.pending.len(), OpenFile(Box::new(move || checks.finish(r1.as_deref()).map(|_| ())))),
            (tables.pending.len(), OpenFile(Box::new(move || tables.finish(r2.as_deref()).map(|_| ())))),
            (documents.pending.len(), OpenFile(Box::new(move || finish_documents(documents, r3.as_deref())))),
        ];
        let fact_years: Vec<i32> = facts.keys().copied().collect();
        for file in facts.into_values() {
            let reuse = reuse.clone();
            sized.push((file.pending.len(), OpenFile(Box::new(move || file.finish(reuse.as_deref()).map(|_| ())))));
        }
        let written: std::collections::HashSet<PathBuf> = partitions
            .keys()
            .map(|&key| partition_path(key, shard))
            .chain(fact_years.iter().map(|&y| facts_path(y, shard)))
            .collect();
        for (key, part) in partitions {
            // All of the partition's rows are written now: its spilled ones too.
            let (dir, buffered) = (dir.clone(), part.pending.len() + part.spill.as_ref().map_or(0, SpillWriter::rows));
            let reuse = reuse.clone();
            let finish = move || write_partition(&dir, shard, key, part, reuse);
            sized.push((buffered, OpenFile(Box::new(finish))));
        }
        // Partitions only reused documents have rows in.
        for rel in reuse.iter().flat_map(|r| previous_partitions(&r.previous, shard)) {
            if written.contains(&rel) {
                continue;
            }
            let (dir, reuse) = (dir.clone(), reuse.clone().unwrap_or_default());
            let finish = move || -> Result<(), String> {
                if !carry_over(&dir, &rel, &reuse)? {
                    FrameOut::create(&dir, &rel, group_rows(&rel), Some(reuse))?.finish(None)?;
                }
                Ok(())
            };
            sized.push((0, OpenFile(Box::new(finish))));
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

/// Finishes the documents file; in an incremental run, every reused document must have had its
/// row in the previous one (or the previous snapshot was not what its manifest says).
fn finish_documents(documents: RecordFile<DocumentRecord>, reuse: Option<&Reuse>) -> Result<(), String> {
    let taken = documents.finish(reuse)?;
    match reuse {
        Some(r) if taken != r.reused => Err(format!(
            "{}: {taken} of the {} reused documents found in the previous snapshot (run with --full)",
            r.previous.display(),
            r.reused
        )),
        _ => Ok(()),
    }
}

/// The partition files (`<dataset>/fiscal_year=<YYYY>/<part>`) of a previous snapshot.
fn previous_partitions(previous: &Path, shard: Option<Shard>) -> Vec<PathBuf> {
    let dirs = |d: &Path| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(d)
            .map(|it| it.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect())
            .unwrap_or_default();
        v.sort();
        v
    };
    let mut out = Vec::new();
    for dataset in dirs(previous) {
        for year in dirs(&dataset) {
            let file = year.join(part_name(shard));
            let is_partition = year.file_name().is_some_and(|n| n.to_string_lossy().starts_with("fiscal_year="));
            if is_partition && file.is_file() {
                if let Ok(rel) = file.strip_prefix(previous) {
                    out.push(rel.to_path_buf());
                }
            }
        }
    }
    out
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
    key: (TableType, i32),
    part: Partition,
    reuse: Option<Arc<Reuse>>,
) -> Result<(), String> {
    let mut out = FrameOut::create(dir, &partition_path(key, shard), ROW_GROUP_ROWS, reuse)?;
    let mut batch: Vec<DataRow> = Vec::new();
    let frame = |rows: &[DataRow]| rows_frame(part.table_type, rows).map_err(err);
    let mut reader = part.spill.map(SpillWriter::into_reader).transpose()?;
    while let Some(block) = reader.as_mut().map(SpillReader::next_block).transpose()?.flatten() {
        batch.extend(block);
        while batch.len() >= ROW_GROUP_ROWS {
            let rest = batch.split_off(ROW_GROUP_ROWS);
            out.push(frame(&batch)?)?;
            batch = rest;
        }
    }
    batch.extend(part.pending);
    for chunk in batch.chunks(ROW_GROUP_ROWS) {
        out.push(frame(chunk)?)?;
    }
    reader.map(SpillReader::remove).transpose()?;
    out.finish(None).map(|_| ())
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
    // The shard's manifest goes first and comes back last: a run killed while moving files
    // leaves none, so the next run extracts the shard again instead of trusting a mix.
    let manifests: Vec<PathBuf> = walkdir::WalkDir::new(staging.join("_manifest"))
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.path().strip_prefix(staging).ok().map(Path::to_path_buf))
        .collect();
    for rel in &manifests {
        let target = output.join(rel);
        if target.exists() {
            std::fs::remove_file(&target).map_err(|e| format!("{}: {e}", target.display()))?;
        }
    }
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
    for rel in &manifests {
        let target = output.join(rel);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::rename(staging.join(rel), &target).map_err(|e| format!("{}: {e}", target.display()))?;
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
