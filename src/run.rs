//! The `run` command: discover, decode and extract every document in parallel (the only place
//! threads appear), then publish one snapshot. One file's failure never stops the run.

use crate::checks::Rounding;
use crate::config::Settings;
use crate::decode::decode;
use crate::discover::{discover, globset, SourceFile};
use crate::extract::{extract_with, Extracted};
use crate::model::{CheckStatus, DocStatus, TableStatus, TableType};
use crate::problem::{Problem, ProblemKind};
use crate::sink::{
    publish, publish_shard, seal, staging_dir, CheckRecord, DataRow, DocumentRecord, FactRow, OpenFile, Shard,
    SnapshotWriter, TableRecord,
};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Everything one document contributes to the snapshot.
#[derive(Debug, Default)]
pub struct DocOutput {
    pub document: DocumentRecord,
    pub tables: Vec<TableRecord>,
    pub checks: Vec<CheckRecord>,
    pub rows: Vec<(TableType, DataRow)>,
    pub facts: Vec<FactRow>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Extracts one document from its bytes; a panic in a parser becomes a failed document.
pub fn process_bytes(rel_path: &str, bytes: &[u8], settings: &Settings) -> DocOutput {
    process_bytes_with(rel_path, bytes, settings, extract_with)
}

/// `process_bytes` with the extraction step given (tests inject faults through it).
pub fn process_bytes_with(
    rel_path: &str,
    bytes: &[u8],
    settings: &Settings,
    extract: fn(&str, Rounding) -> Extracted,
) -> DocOutput {
    let sha = hex(&Sha256::digest(bytes));
    let mut doc = DocumentRecord {
        doc_id: sha[..16].to_string(),
        source_path: rel_path.to_string(),
        bytes: bytes.len() as i64,
        sha256: sha,
        layout: "unknown".into(),
        status: DocStatus::Failed,
        ..Default::default()
    };
    let decoded = match decode(bytes, settings.encoding.as_deref()) {
        Ok(d) => d,
        Err(e) => {
            doc.error = Some(document_error(rel_path, &[Problem::whole(ProblemKind::CannotDecode(e.to_string()))]));
            return DocOutput { document: doc, ..Default::default() };
        }
    };
    doc.encoding = Some(decoded.encoding.to_string());
    let extracted = std::panic::catch_unwind(|| extract(&decoded.text, settings.rounding)).unwrap_or_else(|p| {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        Extracted::failed(Problem::whole(ProblemKind::Internal(msg)))
    });
    to_output(doc, extracted)
}

fn to_output(mut doc: DocumentRecord, ex: Extracted) -> DocOutput {
    doc.layout = ex.layout.as_str().to_string();
    doc.department = ex.meta.department.clone();
    doc.fiscal_year = ex.meta.fiscal_year;
    doc.doc_kind = ex.meta.doc_kind.map(|k| k.as_str().to_string());
    doc.scope = ex.meta.scope.map(str::to_string);
    doc.source_unit = ex.meta.source_unit.map(|u| u.as_str().to_string());
    doc.tables_found = ex.tables_found() as i32;
    doc.status = ex.status;
    doc.error = (!ex.problems.is_empty()).then(|| document_error(&doc.source_path, &ex.problems));
    let doc_id = doc.doc_id.clone();
    let tables = ex
        .tables
        .iter()
        .map(|t| TableRecord {
            doc_id: doc_id.clone(),
            table_type: t.table_type.as_str().to_string(),
            source_title: t.source_title.clone(),
            source_number: t.source_number.clone(),
            status: t.status,
            row_count: t.rows.len() as i32,
            source_unit: t.unit.map(|u| u.as_str()),
            first_line: t.first_line.map(|l| l as i32),
            last_line: t.last_line.map(|l| l as i32),
            error: t.error.as_ref().map(Problem::to_string),
        })
        .collect();
    let checks = ex
        .checks
        .into_iter()
        .map(|mut c| {
            c.doc_id = doc_id.clone();
            c
        })
        .collect();
    let mut rows = Vec::new();
    let mut facts = Vec::new();
    if let (Some(year), Some(kind)) = (ex.meta.fiscal_year, ex.meta.doc_kind) {
        let department: Arc<str> = ex.meta.department.as_deref().unwrap_or_default().into();
        let row_doc_id: Arc<str> = doc_id.as_str().into();
        facts = crate::facts::facts_of(&ex.tables)
            .into_iter()
            .map(|fact| FactRow {
                doc_id: row_doc_id.clone(),
                department: department.clone(),
                doc_kind: kind.as_str(),
                fiscal_year: year,
                fact,
            })
            .collect();
        for t in ex.tables.into_iter().filter(|t| t.status == TableStatus::Parsed) {
            let out_cols = t.table_type.output_columns();
            let factor = t.factor();
            for (i, row) in t.rows.into_iter().enumerate() {
                let mut values = vec![None; out_cols.len()];
                if let crate::model::Cells::Placed(v) = &row.cells {
                    for (c, name) in row.columns.named() {
                        if let Some(pos) = out_cols.iter().position(|o| *o == name) {
                            values[pos] = v.get(c).copied().flatten().map(|d| d * factor);
                        }
                    }
                }
                rows.push((
                    t.table_type,
                    DataRow {
                        doc_id: row_doc_id.clone(),
                        department: department.clone(),
                        doc_kind: kind.as_str(),
                        fiscal_year: year,
                        row_no: i as i32 + 1,
                        key: row.key,
                        values,
                    },
                ));
            }
        }
    }
    DocOutput { document: doc, tables, checks, rows, facts }
}

/// `documents.error`: the file, then its problems.
fn document_error(rel_path: &str, problems: &[Problem]) -> String {
    format!("{rel_path}: {}", crate::problem::joined(problems).unwrap_or_default())
}

fn process_file(file: &SourceFile, settings: &Settings) -> DocOutput {
    match std::fs::read(&file.path) {
        Ok(bytes) => process_bytes(&file.rel_path, &bytes, settings),
        Err(e) => DocOutput {
            document: DocumentRecord {
                doc_id: String::new(),
                source_path: file.rel_path.clone(),
                layout: "unknown".into(),
                status: DocStatus::Failed,
                error: Some(document_error(&file.rel_path, &[Problem::whole(ProblemKind::CannotRead(e.to_string()))])),
                ..Default::default()
            },
            ..Default::default()
        },
    }
}

/// How many reasons and failing checks the summary keeps (memory must not grow with the archive).
const SHOWN: usize = 10;

/// What the end-of-run summary shows.
#[derive(Debug, Default)]
pub struct RunSummary {
    pub documents: usize,
    pub ok: usize,
    pub partial: usize,
    pub failed: usize,
    /// The first few reasons documents failed or are partial (all are in documents.parquet).
    pub reasons: Vec<String>,
    pub reasons_total: usize,
    pub tables_by_status: BTreeMap<&'static str, usize>,
    pub checks_by_status: BTreeMap<&'static str, usize>,
    /// The first few failing checks (all are in checks.parquet).
    pub failing_checks: Vec<String>,
    pub failing_total: usize,
    pub output: String,
    pub elapsed: Duration,
}

impl RunSummary {
    pub fn exit_code(&self) -> i32 {
        if self.partial + self.failed > 0 {
            1
        } else {
            0
        }
    }

    pub fn render(&self) -> String {
        let mut s = format!(
            "budget-etl: {} documents — {} ok, {} partial, {} failed\n",
            self.documents, self.ok, self.partial, self.failed
        );
        for r in self.reasons.iter().take(5) {
            let short: String = r.chars().take(160).collect();
            s.push_str(&format!("  ! {short}{}\n", if short.len() < r.len() { "…" } else { "" }));
        }
        if self.reasons_total > 5 {
            s.push_str(&format!("  … and {} more (see documents.parquet)\n", self.reasons_total - 5));
        }
        let join = |m: &BTreeMap<&str, usize>| m.iter().map(|(k, v)| format!("{v} {k}")).collect::<Vec<_>>().join(", ");
        s.push_str(&format!("tables: {}\n", join(&self.tables_by_status)));
        s.push_str(&format!("checks: {}\n", join(&self.checks_by_status)));
        for f in self.failing_checks.iter().take(5) {
            s.push_str(&format!("  ✗ {f}\n"));
        }
        if self.failing_total > 5 {
            s.push_str(&format!("  … and {} more failing checks (see checks.parquet)\n", self.failing_total - 5));
        }
        s.push_str(&format!("published: {} in {:.1}s\n", self.output, self.elapsed.as_secs_f64()));
        s
    }
}

fn progress_bar(n: usize, show: bool) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new(n as u64);
    pb.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} documents  {per_sec}  ETA {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    pb
}

impl RunSummary {
    fn add(&mut self, out: &DocOutput) {
        self.documents += 1;
        match out.document.status {
            DocStatus::Ok => self.ok += 1,
            DocStatus::Partial => self.partial += 1,
            DocStatus::Failed => self.failed += 1,
        }
        if let Some(e) = &out.document.error {
            self.reasons_total += 1;
            if self.reasons.len() < SHOWN {
                self.reasons.push(e.clone());
            }
        }
        for t in &out.tables {
            *self.tables_by_status.entry(t.status.as_str()).or_default() += 1;
        }
        for c in &out.checks {
            *self.checks_by_status.entry(c.status.as_str()).or_default() += 1;
            if c.status == CheckStatus::Fail {
                self.failing_total += 1;
                if self.failing_checks.len() >= SHOWN {
                    continue;
                }
                // One short line each: the message is in checks.parquet.
                self.failing_checks.push(format!(
                    "{} {} {}{} off by {} 元",
                    out.document.source_path,
                    c.check_id,
                    c.row_ref.clone().unwrap_or_default(),
                    c.column.as_ref().map(|col| format!(" [{col}]")).unwrap_or_default(),
                    c.difference.map(|d| d.to_string()).unwrap_or_else(|| "?".into())
                ));
            }
        }
    }
}

/// Where a document's rows go in the contract's order: (department, doc_kind, doc_id).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct SortKey {
    department: String,
    doc_kind: String,
    doc_id: String,
}

/// The sort key from a quick read (metadata only; the same functions the full extraction uses).
fn sort_key(file: &SourceFile, settings: &Settings) -> SortKey {
    let Ok(bytes) = std::fs::read(&file.path) else {
        return SortKey { department: String::new(), doc_kind: String::new(), doc_id: String::new() };
    };
    let doc_id = hex(&Sha256::digest(&bytes))[..16].to_string();
    let (department, kind) = match decode(&bytes, settings.encoding.as_deref()) {
        Ok(d) => std::panic::catch_unwind(|| crate::extract::sort_metadata(&d.text)).unwrap_or_default(),
        Err(_) => (None, None),
    };
    SortKey {
        department: department.unwrap_or_default(),
        doc_kind: kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
        doc_id,
    }
}

/// Documents extracted at a time: bounds memory; a fixed size keeps the output independent of
/// the thread count.
const CHUNK: usize = 128;

/// Runs the pipeline. `Err` means nothing was published (exit status 2).
pub fn run(settings: &Settings, show_progress: bool) -> Result<RunSummary, String> {
    run_shard(settings, None, show_progress)
}

/// Runs the pipeline over one shard of the archive (all of it with `None`). A shard writes its
/// `part-K-of-N.parquet` files into the shared output; N shards make one snapshot.
pub fn run_shard(settings: &Settings, shard: Option<Shard>, show_progress: bool) -> Result<RunSummary, String> {
    let started = Instant::now();
    let include = globset(&settings.include)?;
    let mut files = discover(&settings.input, &include)?;
    if let Some(s) = shard {
        files.retain(|f| s.owns(&f.rel_path));
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(settings.threads).build().map_err(|e| e.to_string())?;
    // Pass 1: each document's place in the output order, so rows stream to the writer.
    let keys: Vec<SortKey> = pool.install(|| files.par_iter().map(|f| sort_key(f, settings)).collect());
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|&a, &b| keys[a].cmp(&keys[b]).then_with(|| files[a].rel_path.cmp(&files[b].rel_path)));
    drop(keys);
    let mut staging = staging_dir(&settings.output);
    if let Some(s) = shard {
        let name = staging.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        staging = staging.with_file_name(format!("{name}.shard-{}-of-{}", s.index, s.count));
    }
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(|e| format!("{}: {e}", staging.display()))?;
    }
    if let Some(parent) = settings.output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| format!("output {} not writable: {e}", parent.display()))?;
    }
    let result = write_documents(settings, &files, &order, &pool, &staging, shard, show_progress).and_then(|summary| {
        match shard {
            Some(_) => publish_shard(&staging, &settings.output),
            None => publish(&staging, &settings.output, settings.keep_previous),
        }
        .map(|_| summary)
    });
    match result {
        Ok(mut summary) => {
            summary.output = settings.output.display().to_string();
            summary.elapsed = started.elapsed();
            Ok(summary)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            Err(format!("nothing published: {e}"))
        }
    }
}

/// Hands a chunk's outputs to the summary and the writer, in order.
fn write_outputs(writer: &mut SnapshotWriter, summary: &mut RunSummary, outputs: Vec<DocOutput>) -> Result<(), String> {
    for out in outputs {
        summary.add(&out);
        writer.add(out.document, out.tables, out.checks, out.rows)?;
        writer.add_facts(out.facts)?;
    }
    Ok(())
}

/// Extracts one chunk of documents in parallel, returned in the chunk's order.
fn extract_chunk(
    files: &[SourceFile],
    chunk: &[usize],
    sizes: &[u64],
    settings: &Settings,
    pb: &indicatif::ProgressBar,
) -> Vec<DocOutput> {
    // Largest files first, so the chunk does not end on one thread with a big file left.
    let mut by_size: Vec<usize> = (0..chunk.len()).collect();
    by_size.sort_by_key(|&j| std::cmp::Reverse(sizes[chunk[j]]));
    let mut done: Vec<(usize, DocOutput)> = by_size
        .par_iter()
        .with_max_len(1)
        .map(|&j| {
            let out = process_file(&files[chunk[j]], settings);
            pb.inc(1);
            (j, out)
        })
        .collect();
    done.sort_by_key(|(j, _)| *j);
    done.into_iter().map(|(_, out)| out).collect()
}

/// Pass 2: extracts the documents chunk by chunk in output order into a staging snapshot.
fn write_documents(
    settings: &Settings,
    files: &[SourceFile],
    order: &[usize],
    pool: &rayon::ThreadPool,
    staging: &std::path::Path,
    shard: Option<Shard>,
    show_progress: bool,
) -> Result<RunSummary, String> {
    let mut writer = SnapshotWriter::create(staging, shard)?;
    let pb = progress_bar(files.len(), show_progress);
    let sizes: Vec<u64> = files.iter().map(|f| std::fs::metadata(&f.path).map(|m| m.len()).unwrap_or(0)).collect();
    let mut summary = RunSummary::default();
    // Writing one chunk overlaps with extracting the next, inside the same pool: with one
    // thread they take turns, with more the writer's thread joins the extraction when it is done.
    pool.install(|| -> Result<(), String> {
        let mut extracted: Vec<DocOutput> = Vec::new();
        for chunk in order.chunks(CHUNK) {
            let done = std::mem::take(&mut extracted);
            let (written, next) = rayon::join(
                || write_outputs(&mut writer, &mut summary, done),
                || extract_chunk(files, chunk, &sizes, settings, &pb),
            );
            written?;
            extracted = next;
        }
        write_outputs(&mut writer, &mut summary, extracted)
    })?;
    // The files' last row groups and footers, in parallel (one file each).
    let (open_files, dir) = writer.into_open_files();
    pool.install(|| {
        open_files.into_par_iter().with_max_len(1).map(OpenFile::finish).collect::<Result<Vec<()>, String>>()
    })?;
    seal(&dir)?;
    pb.finish_and_clear();
    Ok(summary)
}
