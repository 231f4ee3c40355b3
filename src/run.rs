//! The `run` command: discover, decode and extract every document in parallel (the only place
//! threads appear), then publish one snapshot. One file's failure never stops the run.

use crate::checks::Rounding;
use crate::config::Settings;
use crate::discover::{discover, globset, SourceFile};
use crate::extract::{extract_with, Extracted};
use crate::incremental::{extraction_version, manifest_path, ManifestEntry, Previous};
use crate::model::{CheckStatus, DocStatus, TableStatus, TableType};
use crate::problem::{Problem, ProblemKind};
use crate::sink::{
    publish, publish_shard, seal, staging_dir, CheckRecord, DataRow, DocPlace, DocumentRecord, FactRow, OpenFile,
    Reuse, Shard, SnapshotWriter, TableRecord,
};
use crate::source::{read_source, Packed, SourceFormat, SourceText};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
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
    process_source(rel_path, bytes, None, settings, extract)
}

/// `process_bytes_with`, given the text when the first pass already rebuilt it from a PDF.
fn process_source(
    rel_path: &str,
    bytes: &[u8],
    read: Option<SourceText>,
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
    let format = SourceFormat::of_path(rel_path);
    doc.source_format = format.as_str().to_string();
    if format == SourceFormat::Pdf {
        doc.layout = "pdf".into();
    }
    // A PDF is interpreted here: a panic in the PDF reader fails this document only.
    let source = match std::panic::catch_unwind(|| match read {
        Some(s) => Ok(s),
        None => read_source(format, bytes, settings.encoding.as_deref()),
    }) {
        Ok(Ok(s)) => s,
        Ok(Err(kind)) => {
            doc.error = Some(document_error(rel_path, &[Problem::whole(kind)]));
            return DocOutput { document: doc, ..Default::default() };
        }
        Err(p) => {
            doc.error = Some(document_error(rel_path, &[Problem::whole(ProblemKind::Internal(panic_message(p)))]));
            return DocOutput { document: doc, ..Default::default() };
        }
    };
    doc.encoding = source.encoding.map(str::to_string);
    doc.pages = source.pages.map(|p| p as i32);
    let extracted = std::panic::catch_unwind(|| extract(&source.text, settings.rounding))
        .unwrap_or_else(|p| Extracted::failed(Problem::whole(ProblemKind::Internal(panic_message(p)))));
    let pages = source.page_of_lines();
    to_output(doc, extracted, pages.as_deref())
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default()
}

/// The page of a 1-based line, when the source has pages.
fn page_of(pages: Option<&[u32]>, line: Option<usize>) -> Option<i32> {
    let (pages, line) = (pages?, line?);
    pages.get(line.checked_sub(1)?).map(|&p| p as i32)
}

fn to_output(mut doc: DocumentRecord, ex: Extracted, pages: Option<&[u32]>) -> DocOutput {
    if doc.source_format != SourceFormat::Pdf.as_str() {
        doc.layout = ex.layout.as_str().to_string();
    }
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
            first_page: page_of(pages, t.first_line),
            last_page: page_of(pages, t.last_line),
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

fn process_file(file: &SourceFile, packed: Option<&Packed>, settings: &Settings) -> DocOutput {
    match std::fs::read(&file.path) {
        Ok(bytes) => process_source(&file.rel_path, &bytes, packed.and_then(Packed::unpack), settings, extract_with),
        Err(e) => DocOutput {
            document: DocumentRecord {
                doc_id: String::new(),
                source_path: file.rel_path.clone(),
                source_format: SourceFormat::of_path(&file.rel_path).as_str().to_string(),
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
    /// Documents whose rows came from the last snapshot (same path, bytes and extraction version).
    pub reused: usize,
    /// Documents extracted in this run (new, changed, or not reusable).
    pub extracted: usize,
    /// Inputs of the last snapshot that are gone.
    pub dropped: usize,
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
        s.push_str(&format!(
            "  {} extracted, {} reused from the last snapshot, {} dropped since it\n",
            self.extracted, self.reused, self.dropped
        ));
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
    fn add_document(&mut self, status: DocStatus, error: Option<&String>) {
        self.documents += 1;
        match status {
            DocStatus::Ok => self.ok += 1,
            DocStatus::Partial => self.partial += 1,
            DocStatus::Failed => self.failed += 1,
        }
        if let Some(e) = error {
            self.reasons_total += 1;
            if self.reasons.len() < SHOWN {
                self.reasons.push(e.clone());
            }
        }
    }

    /// A document taken from the last snapshot counts as it did when it was extracted (its
    /// failing checks are counted, not listed).
    fn add_reused(&mut self, e: &ManifestEntry) {
        self.reused += 1;
        self.add_document(e.status, e.error.as_ref());
        for (status, n) in &e.tables {
            *self.tables_by_status.entry(status).or_default() += n;
        }
        for (status, n) in &e.checks {
            *self.checks_by_status.entry(status).or_default() += n;
        }
        self.failing_total += e.checks.get(CheckStatus::Fail.as_str()).copied().unwrap_or(0);
    }

    fn add(&mut self, out: &DocOutput) {
        self.extracted += 1;
        self.add_document(out.document.status, out.document.error.as_ref());
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

/// What the first pass learns of a file: its place in the output order, its bytes' hash, and
/// whether the last snapshot's rows for it can be reused. A PDF's rebuilt text is kept (packed)
/// for pass 2, so each PDF is interpreted once.
#[derive(Debug)]
struct Keyed {
    key: SortKey,
    sha256: String,
    reused: bool,
    packed: Option<Packed>,
}

/// The sort key from a quick read (metadata only; the same functions the full extraction uses),
/// or from the last snapshot's manifest when the file is unchanged (then it is only hashed).
fn sort_key(file: &SourceFile, settings: &Settings, previous: &Previous) -> Keyed {
    let Ok(bytes) = std::fs::read(&file.path) else {
        let key = SortKey { department: String::new(), doc_kind: String::new(), doc_id: String::new() };
        return Keyed { key, sha256: String::new(), reused: false, packed: None };
    };
    let sha256 = hex(&Sha256::digest(&bytes));
    let doc_id = sha256[..16].to_string();
    if let Some(e) = previous.reusable(&file.rel_path, &sha256) {
        let key = SortKey { department: e.sort_department.clone(), doc_kind: e.sort_kind.clone(), doc_id };
        return Keyed { key, sha256, reused: true, packed: None };
    }
    let format = SourceFormat::of_path(&file.rel_path);
    let ((department, kind), packed) =
        std::panic::catch_unwind(|| match read_source(format, &bytes, settings.encoding.as_deref()) {
            Ok(s) => (crate::extract::sort_metadata(&s.text), s.pack()),
            Err(_) => ((None, None), None),
        })
        .unwrap_or_default();
    let key = SortKey {
        department: department.unwrap_or_default(),
        doc_kind: kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
        doc_id,
    };
    Keyed { key, sha256, reused: false, packed }
}

/// A document is reused only if its `doc_id` is unique in this run too, so its rows in the
/// previous files are told apart from every other document's.
fn keep_unique_reuse(keyed: &mut [Keyed]) {
    let mut count: HashMap<&str, usize> = HashMap::new();
    for k in keyed.iter() {
        *count.entry(k.key.doc_id.as_str()).or_default() += 1;
    }
    let duplicated: std::collections::HashSet<String> =
        count.into_iter().filter(|(_, n)| *n > 1).map(|(id, _)| id.to_string()).collect();
    for k in keyed.iter_mut().filter(|k| duplicated.contains(&k.key.doc_id)) {
        k.reused = false;
    }
}

/// Every document's place in the output order, for merging reused rows into the new files.
fn reuse_plan(keyed: &[Keyed], order: &[usize], previous: &std::path::Path) -> Reuse {
    let mut docs = HashMap::with_capacity(order.len());
    for (ordinal, &i) in order.iter().enumerate() {
        let place = DocPlace { ordinal: ordinal as u32, reused: keyed[i].reused };
        docs.entry(keyed[i].key.doc_id.clone()).or_insert(place);
    }
    let reused = keyed.iter().filter(|k| k.reused).count();
    Reuse { previous: previous.to_path_buf(), docs, reused }
}

/// The manifest's line for a document extracted in this run.
fn manifest_entry(file: &SourceFile, keyed: &Keyed, out: &DocOutput) -> ManifestEntry {
    let mut tables = BTreeMap::new();
    for t in &out.tables {
        *tables.entry(t.status.as_str()).or_default() += 1;
    }
    let mut checks = BTreeMap::new();
    for c in &out.checks {
        *checks.entry(c.status.as_str()).or_default() += 1;
    }
    ManifestEntry {
        rel_path: file.rel_path.clone(),
        // A file that changed between the two passes is never reused (its sort key is stale).
        sha256: if out.document.sha256 == keyed.sha256 { keyed.sha256.clone() } else { String::new() },
        sort_department: keyed.key.department.clone(),
        sort_kind: keyed.key.doc_kind.clone(),
        status: out.document.status,
        tables,
        checks,
        error: out.document.error.clone(),
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
    let version = extraction_version(settings);
    let mut previous = Previous::load(&settings.output, shard, &version);
    if settings.full {
        previous = previous.without_reuse();
    }
    // Pass 1: each document's place in the output order, so rows stream to the writer.
    let mut keyed: Vec<Keyed> = pool.install(|| files.par_iter().map(|f| sort_key(f, settings, &previous)).collect());
    keep_unique_reuse(&mut keyed);
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|&a, &b| keyed[a].key.cmp(&keyed[b].key).then_with(|| files[a].rel_path.cmp(&files[b].rel_path)));
    let plan = Plan { files: &files, keyed: &keyed, order: &order, previous: &previous, version: &version };
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
    let result = write_documents(settings, &plan, &pool, &staging, shard, show_progress).and_then(|summary| {
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

/// What pass 1 decided: the files, what each is, and the output order.
struct Plan<'a> {
    files: &'a [SourceFile],
    keyed: &'a [Keyed],
    order: &'a [usize],
    previous: &'a Previous,
    version: &'a str,
}

/// Hands a chunk's outputs (files `chunk`) to the summary, the manifest and the writer, in order.
fn write_outputs(
    writer: &mut SnapshotWriter,
    summary: &mut RunSummary,
    manifest: &mut [Option<ManifestEntry>],
    plan: &Plan,
    chunk: &[usize],
    outputs: Vec<DocOutput>,
) -> Result<(), String> {
    for (&i, out) in chunk.iter().zip(outputs) {
        summary.add(&out);
        manifest[i] = Some(manifest_entry(&plan.files[i], &plan.keyed[i], &out));
        writer.add(out.document, out.tables, out.checks, out.rows)?;
        writer.add_facts(out.facts)?;
    }
    Ok(())
}

/// Writes the snapshot's manifest (all entries, in file order), synced.
fn write_manifest(
    staging: &std::path::Path,
    shard: Option<Shard>,
    plan: &Plan,
    entries: Vec<Option<ManifestEntry>>,
) -> Result<(), String> {
    let entries: Vec<ManifestEntry> = entries.into_iter().flatten().collect();
    let path = manifest_path(staging, shard);
    let io = |e: std::io::Error| format!("{}: {e}", path.display());
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(&path, crate::incremental::render(plan.version, &entries)).map_err(io)?;
    std::fs::File::open(&path).and_then(|f| f.sync_all()).map_err(io)
}

/// Extracts one chunk of documents in parallel, returned in the chunk's order.
fn extract_chunk(
    files: &[SourceFile],
    keyed: &[Keyed],
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
            let out = process_file(&files[chunk[j]], keyed[chunk[j]].packed.as_ref(), settings);
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
    plan: &Plan,
    pool: &rayon::ThreadPool,
    staging: &std::path::Path,
    shard: Option<Shard>,
    show_progress: bool,
) -> Result<RunSummary, String> {
    let files = plan.files;
    let mut writer = SnapshotWriter::create(staging, shard)?;
    let mut summary = RunSummary::default();
    let mut manifest: Vec<Option<ManifestEntry>> = vec![None; files.len()];
    // Reused documents: counted and listed here; their rows are merged into each file at the end.
    for (i, _) in plan.keyed.iter().enumerate().filter(|(_, k)| k.reused) {
        let entry = plan.previous.entry(&files[i].rel_path).cloned().unwrap_or_default();
        summary.add_reused(&entry);
        manifest[i] = Some(entry);
    }
    if summary.reused > 0 {
        writer = writer.with_reuse(Arc::new(reuse_plan(plan.keyed, plan.order, &settings.output)))?;
    }
    summary.dropped = plan.previous.dropped(files.iter().map(|f| f.rel_path.as_str()));
    let to_extract: Vec<usize> = plan.order.iter().copied().filter(|&i| !plan.keyed[i].reused).collect();
    let pb = progress_bar(to_extract.len(), show_progress);
    let sizes: Vec<u64> = files.iter().map(|f| std::fs::metadata(&f.path).map(|m| m.len()).unwrap_or(0)).collect();
    // Writing one chunk overlaps with extracting the next, inside the same pool: with one
    // thread they take turns, with more the writer's thread joins the extraction when it is done.
    pool.install(|| -> Result<(), String> {
        let mut extracted: (&[usize], Vec<DocOutput>) = (&[], Vec::new());
        for chunk in to_extract.chunks(CHUNK) {
            let (done_chunk, done) = std::mem::take(&mut extracted);
            let (written, next) = rayon::join(
                || write_outputs(&mut writer, &mut summary, &mut manifest, plan, done_chunk, done),
                || extract_chunk(files, plan.keyed, chunk, &sizes, settings, &pb),
            );
            written?;
            extracted = (chunk, next);
        }
        let (done_chunk, done) = extracted;
        write_outputs(&mut writer, &mut summary, &mut manifest, plan, done_chunk, done)
    })?;
    write_manifest(staging, shard, plan, manifest)?;
    // The files' last row groups and footers, in parallel (one file each).
    let (open_files, dir) = writer.into_open_files();
    pool.install(|| {
        open_files.into_par_iter().with_max_len(1).map(OpenFile::finish).collect::<Result<Vec<()>, String>>()
    })?;
    seal(&dir)?;
    pb.finish_and_clear();
    Ok(summary)
}
