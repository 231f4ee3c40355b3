//! Writing one snapshot file in row groups, and, in an incremental run, merging into it the
//! previous snapshot's rows of the documents this run reuses: both streams are in document
//! order, so the merged file — cut into the same row groups — is byte-identical to a full run's.

use super::{err, StreamFile};
use polars::io::parquet::read::{FileMetadata, ParallelStrategy};
use polars::prelude::*;
use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A document's place in this run's output order, and whether its rows come from the previous
/// snapshot instead of this run's extraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocPlace {
    pub ordinal: u32,
    pub reused: bool,
}

/// What a run takes from the previous snapshot.
#[derive(Debug, Default)]
pub struct Reuse {
    /// The previous snapshot (for a shard: the shared output), read before this run publishes.
    pub previous: PathBuf,
    /// Every document of this run by `doc_id` (a duplicated `doc_id`: its first place; such
    /// documents are never reused).
    pub docs: HashMap<String, DocPlace>,
    /// How many documents are reused (each has exactly one row in the previous documents file).
    pub reused: usize,
}

impl Reuse {
    fn reused_ordinal(&self, doc_id: &str) -> Option<u32> {
        self.docs.get(doc_id).filter(|p| p.reused).map(|p| p.ordinal)
    }
}

/// Writes a file's rows in row groups of a fixed size (the last one holds the rest), whatever
/// the sizes of the frames it is given.
struct GroupWriter {
    path: PathBuf,
    rows_per_group: usize,
    file: Option<StreamFile>,
    buffered: Vec<DataFrame>,
    buffered_rows: usize,
}

impl GroupWriter {
    fn emit(&mut self, df: DataFrame) -> Result<(), String> {
        if df.height() == 0 {
            return Ok(());
        }
        if self.buffered_rows == 0 && df.height() == self.rows_per_group {
            return self.write(df);
        }
        self.buffered_rows += df.height();
        self.buffered.push(df);
        while self.buffered_rows >= self.rows_per_group {
            let all = self.take_buffered()?;
            let rest = all.slice(self.rows_per_group as i64, all.height() - self.rows_per_group);
            self.write(all.slice(0, self.rows_per_group))?;
            self.buffered_rows = rest.height();
            if rest.height() > 0 {
                self.buffered.push(rest);
            }
        }
        Ok(())
    }

    fn take_buffered(&mut self) -> Result<DataFrame, String> {
        let mut frames = std::mem::take(&mut self.buffered).into_iter();
        let mut all = frames.next().unwrap_or_default();
        for f in frames {
            all.vstack_mut(&f).map_err(|e| format!("{}: {e}", self.path.display()))?;
        }
        Ok(all)
    }

    /// One row group: one chunk, as a full run's frame is.
    fn write(&mut self, mut df: DataFrame) -> Result<(), String> {
        df.rechunk_mut();
        if self.file.is_none() {
            self.file = Some(StreamFile::create(self.path.clone(), df.schema())?);
        }
        self.file.as_mut().map(|f| f.write(&df)).transpose().map(|_| ())
    }

    /// Writes the rest; a file without rows is written (with `empty`'s schema) only if given.
    fn finish(mut self, empty: Option<DataFrame>) -> Result<(), String> {
        if self.buffered_rows > 0 {
            let rest = self.take_buffered()?;
            self.write(rest)?;
        }
        if self.file.is_none() {
            if let Some(df) = empty {
                self.file = Some(StreamFile::create(self.path.clone(), df.schema())?);
            }
        }
        self.file.map(StreamFile::finish).transpose().map(|_| ())
    }
}

/// The previous snapshot's file, read one row group at a time: the runs of rows of reused
/// documents, in order.
struct PreviousFile {
    path: PathBuf,
    metadata: Arc<FileMetadata>,
    next_group: usize,
    next_offset: usize,
    frame: DataFrame,
    /// (first row, rows, ordinal) of each reused document's rows in `frame`.
    runs: VecDeque<(usize, usize, u32)>,
    last: Option<u32>,
    taken: usize,
}

impl PreviousFile {
    fn open(path: PathBuf) -> Result<Option<PreviousFile>, String> {
        if !path.is_file() {
            return Ok(None);
        }
        let file = File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let metadata = ParquetReader::new(file).get_metadata().map_err(|e| format!("{}: {e}", path.display()))?.clone();
        let frame = DataFrame::default();
        let runs = VecDeque::new();
        Ok(Some(PreviousFile { path, metadata, next_group: 0, next_offset: 0, frame, runs, last: None, taken: 0 }))
    }

    /// Reads row groups until one holds rows of a reused document; false at the end of the file.
    fn fill(&mut self, reuse: &Reuse) -> Result<bool, String> {
        while self.runs.is_empty() {
            let Some(group) = self.metadata.row_groups.get(self.next_group) else { return Ok(false) };
            let rows = group.num_rows();
            let at = |e: PolarsError| format!("{}: {e}", self.path.display());
            let file = File::open(&self.path).map_err(|e| format!("{}: {e}", self.path.display()))?;
            let mut reader = ParquetReader::new(file)
                .read_parallel(ParallelStrategy::None)
                .with_slice(Some((self.next_offset, rows)));
            reader.set_metadata(self.metadata.clone());
            self.frame = reader.finish().map_err(at)?;
            self.next_group += 1;
            self.next_offset += rows;
            let ids = self.frame.column("doc_id").and_then(|c| c.str().cloned()).map_err(at)?;
            let mut start = 0;
            let mut current: Option<&str> = None;
            let mut push = |start: usize, end: usize, id: Option<&str>| -> Result<(), String> {
                let Some(ordinal) = id.and_then(|id| reuse.reused_ordinal(id)) else { return Ok(()) };
                // Equal: the document's rows go on from the previous row group.
                if self.last.is_some_and(|l| l > ordinal) {
                    return Err(format!(
                        "{}: rows are not in this run's document order (run with --full)",
                        self.path.display()
                    ));
                }
                self.last = Some(ordinal);
                self.runs.push_back((start, end - start, ordinal));
                Ok(())
            };
            for (i, id) in ids.iter().enumerate() {
                if i > 0 && id != current {
                    push(start, i, current)?;
                    start = i;
                }
                current = id;
            }
            if !ids.is_empty() {
                push(start, ids.len(), current)?;
            }
        }
        Ok(true)
    }

    /// Writes the reused rows of the documents placed before `ordinal` (all of them with `None`).
    fn emit_before(&mut self, ordinal: Option<u32>, reuse: &Reuse, out: &mut GroupWriter) -> Result<(), String> {
        let before = |o: u32| ordinal.is_none_or(|limit| o < limit);
        while self.fill(reuse)? && self.runs.front().is_some_and(|r| before(r.2)) {
            let (start, mut len, _) = self.runs.pop_front().unwrap_or_default();
            // Adjacent runs go out as one slice.
            while let Some(&(s, l, o)) = self.runs.front() {
                if s != start + len || !before(o) {
                    break;
                }
                len += l;
                self.runs.pop_front();
            }
            self.taken += len;
            out.emit(self.frame.slice(start as i64, len))?;
        }
        Ok(())
    }

    /// Does every row belong to a reused document? (Then this run's file is this file.)
    fn all_reused(path: &Path, reuse: &Reuse) -> Result<bool, String> {
        let at = |e: PolarsError| format!("{}: {e}", path.display());
        let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let df = ParquetReader::new(file)
            .read_parallel(ParallelStrategy::None)
            .with_columns(Some(vec!["doc_id".to_string()]))
            .finish()
            .map_err(at)?;
        let ids = df.column("doc_id").and_then(|c| c.str().cloned()).map_err(at)?;
        let mut last: Option<&str> = None;
        for id in ids.iter() {
            if id != last {
                if id.and_then(|id| reuse.reused_ordinal(id)).is_none() {
                    return Ok(false);
                }
                last = id;
            }
        }
        Ok(true)
    }
}

/// One file of a snapshot being written: frames of this run's rows arrive in document order;
/// in an incremental run the previous snapshot's rows of reused documents are merged in.
pub(super) struct FrameOut {
    out: GroupWriter,
    reuse: Option<Arc<Reuse>>,
    previous: Option<PreviousFile>,
    /// The place of the last document this run's rows came from.
    last_new: u32,
}

impl FrameOut {
    /// The file `rel` of the snapshot `dir`, in row groups of `rows_per_group`.
    pub fn create(
        dir: &Path,
        rel: &Path,
        rows_per_group: usize,
        reuse: Option<Arc<Reuse>>,
    ) -> Result<FrameOut, String> {
        let previous = match &reuse {
            Some(r) => PreviousFile::open(r.previous.join(rel))?,
            None => None,
        };
        let out =
            GroupWriter { path: dir.join(rel), rows_per_group, file: None, buffered: Vec::new(), buffered_rows: 0 };
        Ok(FrameOut { out, reuse, previous, last_new: 0 })
    }

    /// Adds this run's rows (documents in output order).
    pub fn push(&mut self, df: DataFrame) -> Result<(), String> {
        let (Some(reuse), Some(previous)) = (&self.reuse, &mut self.previous) else { return self.out.emit(df) };
        let ids = df.column("doc_id").and_then(|c| c.str().cloned()).map_err(err)?;
        let mut written = 0;
        let mut current: Option<&str> = None;
        for (i, id) in ids.iter().enumerate() {
            if i > 0 && id == current {
                continue;
            }
            current = id;
            // A document not in the plan (it could not be read in the first pass) stays where it came.
            let ordinal = id.and_then(|id| reuse.docs.get(id)).map_or(self.last_new, |p| p.ordinal);
            self.last_new = ordinal;
            if previous.fill(reuse)? && previous.runs.front().is_some_and(|r| r.2 < ordinal) {
                self.out.emit(df.slice(written as i64, i - written))?;
                written = i;
                previous.emit_before(Some(ordinal), reuse, &mut self.out)?;
            }
        }
        self.out.emit(df.slice(written as i64, df.height() - written))
    }

    /// Writes the remaining previous rows and closes the file; returns how many rows came from
    /// the previous snapshot. Without rows, the file is written only if `empty` gives its schema.
    pub fn finish(mut self, empty: Option<DataFrame>) -> Result<usize, String> {
        let mut taken = 0;
        if let (Some(reuse), Some(previous)) = (&self.reuse, &mut self.previous) {
            previous.emit_before(None, reuse, &mut self.out)?;
            taken = previous.taken;
        }
        self.out.finish(empty)?;
        Ok(taken)
    }
}

/// If no document with rows in the previous file `rel` changed, and this run adds none, the new
/// file is the previous one: linked (or copied) instead of rewritten. True if it was.
pub(super) fn carry_over(dir: &Path, rel: &Path, reuse: &Reuse) -> Result<bool, String> {
    let previous = reuse.previous.join(rel);
    if !previous.is_file() || !PreviousFile::all_reused(&previous, reuse)? {
        return Ok(false);
    }
    let target = dir.join(rel);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    // Published files are never written again, so sharing their bytes is safe.
    if std::fs::hard_link(&previous, &target).is_err() {
        std::fs::copy(&previous, &target).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    Ok(true)
}
