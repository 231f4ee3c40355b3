//! Helpers shared by the integration tests: where `../shared` is, and skipping without it
//! (failing instead under CI, which has it).

use std::path::{Path, PathBuf};

/// `../shared` beside the repository, where CI puts it.
fn shared_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

/// `../shared` beside the repository, if present.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = shared_path();
    dir.join("corpus/real").is_dir().then_some(dir)
}

/// What a test that needs the shared folder does.
#[derive(Debug, PartialEq)]
pub enum SharedAccess {
    /// The real corpus is there: use it.
    Present(PathBuf),
    /// Absent on a developer's machine: the test skips, saying why.
    Skip(String),
    /// Absent under CI, which has it: the test fails, saying why (a skip would pass silently).
    Missing(String),
}

/// Decides from the folder and whether the tests run under CI.
pub fn shared_access(dir: &Path, ci: bool) -> SharedAccess {
    let corpus = dir.join("corpus/real");
    if corpus.is_dir() {
        return SharedAccess::Present(dir.to_path_buf());
    }
    let why = format!("{} is absent (tests against the real corpus need ../shared beside the repo)", corpus.display());
    if ci {
        SharedAccess::Missing(format!("{why}; CI is set, and CI has it, so its absence is a failure"))
    } else {
        SharedAccess::Skip(why)
    }
}

/// The value of `CI` means CI (CI services set `CI=true`): set, and not empty, `0` or `false`.
pub fn ci_flag(value: Option<&str>) -> bool {
    value.is_some_and(|v| !matches!(v.trim().to_ascii_lowercase().as_str(), "" | "0" | "false"))
}

/// Says on stderr that (part of) a test is skipped and why. Written to the stderr handle, not
/// with `eprintln!`, which the test harness captures and hides for tests that pass.
pub fn report_skip(test: &str, why: &str) {
    use std::io::Write;
    // One write, so parallel tests' lines do not interleave.
    let _ = std::io::stderr().lock().write_all(format!("SKIP {test}: {why}\n").as_bytes());
}

/// Returns the shared folder, or prints why the calling test is skipped; under CI its absence
/// fails the test.
pub fn shared_or_skip(test: &str) -> Option<PathBuf> {
    match shared_access(&shared_path(), ci_flag(std::env::var("CI").ok().as_deref())) {
        SharedAccess::Present(dir) => Some(dir),
        SharedAccess::Skip(why) => {
            report_skip(test, &why);
            None
        }
        SharedAccess::Missing(why) => panic!("{test}: {why}"),
    }
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

/// Every file under a snapshot directory (relative path, bytes), sorted: two snapshots are
/// byte-identical when these are equal.
pub fn files_under(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().display().to_string(), std::fs::read(e.path()).unwrap()))
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOWHERE: &str = "/nonexistent/budget-etl-shared";

    #[test]
    fn missing_shared_fails_under_ci() {
        assert!(matches!(shared_access(Path::new(NOWHERE), true), SharedAccess::Missing(_)));
    }

    #[test]
    fn missing_shared_skips_outside_ci() {
        let SharedAccess::Skip(why) = shared_access(Path::new(NOWHERE), false) else { panic!("expected a skip") };
        assert!(why.contains("/nonexistent/budget-etl-shared/corpus/real is absent"), "{why}");
    }

    #[test]
    fn ci_flag_reads_the_usual_values() {
        for (value, ci) in [(None, false), (Some(""), false), (Some("0"), false), (Some("false"), false)] {
            assert_eq!(ci_flag(value), ci, "{value:?}");
        }
        for value in ["true", "1", "yes", "TRUE"] {
            assert!(ci_flag(Some(value)), "{value}");
        }
    }
}
