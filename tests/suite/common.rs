//! Helpers shared by the integration tests: where `../shared` is, and skipping without it.

use std::path::PathBuf;

/// `../shared` beside the repository, if present.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    dir.join("corpus/real").is_dir().then_some(dir)
}

/// Returns the shared folder, or prints why the calling test is skipped.
pub fn shared_or_skip(test: &str) -> Option<PathBuf> {
    let dir = shared_dir();
    if dir.is_none() {
        eprintln!(
            "SKIP {test}: ../shared/corpus/real is absent (tests against the real corpus need it beside the repo)"
        );
    }
    dir
}

/// The real documents, sorted by name.
pub fn real_documents(shared: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(shared.join("corpus/real"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt" || x == "md"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.file_name().unwrap().to_string_lossy().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}
