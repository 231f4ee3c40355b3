//! Walks the input directory: the files the include globs select, sorted by relative path.

use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the input directory, `/`-separated.
    pub rel_path: String,
    pub path: PathBuf,
}

pub fn globset(patterns: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        b.add(Glob::new(p).map_err(|e| format!("include pattern {p:?}: {e}"))?);
    }
    b.build().map_err(|e| e.to_string())
}

pub fn discover(input: &Path, include: &GlobSet) -> Result<Vec<SourceFile>, String> {
    if !input.is_dir() {
        return Err(format!("input directory {} is not readable", input.display()));
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(input).follow_links(true) {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => return Err(format!("walking {}: {e}", input.display())),
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(input).unwrap_or(entry.path());
        let rel_path = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        if include.is_match(&rel_path) {
            files.push(SourceFile { rel_path, path: entry.path().to_path_buf() });
        }
    }
    files.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    Ok(files)
}
