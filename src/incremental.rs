//! Incremental runs: which inputs a run takes from the last published snapshot instead of
//! extracting them again (same relative path, same bytes, same extraction version), and the
//! snapshot's manifest (`_manifest.tsv`) that records per input what that decision needs.

use crate::config::Settings;
use crate::model::{CheckStatus, DocStatus, TableStatus};
use crate::sink::Shard;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// This binary's build: the crate version plus a hash of its sources, `Cargo.toml` and
/// `Cargo.lock` (see `build.rs`), so every code or dependency change changes it.
pub const BUILD_ID: &str = env!("BUDGET_ETL_BUILD_ID");

/// The extraction version of this binary with these settings.
pub fn extraction_version(settings: &Settings) -> String {
    version_of(BUILD_ID, settings)
}

/// A hash of the build id and of every setting that decides a document's rows. Reset first,
/// because they do not: `input` and `output` (where files are; inputs are matched by their path
/// relative to `input`), `include` (which files are read, not what a file gives), `threads`
/// (the output is identical at any count), `keep_previous`, `aliases` (read by `diff` only) and
/// `full`. Every other key counts — today `encoding` and `rounding` — and so does any key added
/// later unless it is reset here.
pub fn version_of(build_id: &str, settings: &Settings) -> String {
    let d = Settings::default();
    let deciding = Settings {
        input: d.input,
        output: d.output,
        include: d.include,
        threads: d.threads,
        keep_previous: d.keep_previous,
        aliases: d.aliases,
        full: d.full,
        ..settings.clone()
    };
    let digest = Sha256::digest(format!("{build_id}\n{deciding:?}").as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// What the manifest keeps of one input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManifestEntry {
    pub rel_path: String,
    pub sha256: String,
    /// The document's place in the output order, as the run's first pass reads it.
    pub sort_department: String,
    pub sort_kind: String,
    /// What the run summary counts, so a reused document counts as if it had been extracted:
    /// its status, and its tables and checks by status.
    pub status: DocStatus,
    pub tables: BTreeMap<&'static str, usize>,
    pub checks: BTreeMap<&'static str, usize>,
    pub error: Option<String>,
}

impl ManifestEntry {
    /// The `doc_id` of the document (the first 16 hex digits of its SHA-256).
    pub fn doc_id(&self) -> &str {
        self.sha256.get(..16).unwrap_or("")
    }
}

const HEADER: &str = "budget-etl manifest 1";

/// Where a snapshot (or one shard's part of it) keeps its manifest. Hive readers ignore
/// `_`-prefixed names, and no contract file changes.
pub fn manifest_path(snapshot: &Path, shard: Option<Shard>) -> PathBuf {
    match shard {
        Some(s) => snapshot.join("_manifest").join(format!("part-{}-of-{}.tsv", s.index, s.count)),
        None => snapshot.join("_manifest.tsv"),
    }
}

/// Tabs, newlines and backslashes escaped, so one entry is one line of tab-separated fields.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn counts_text(counts: &BTreeMap<&'static str, usize>) -> String {
    counts.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")
}

/// `parsed=9 missing=2` back into counts; a status this build does not know makes the manifest
/// unreadable (and the run full).
fn counts_of(text: &str, statuses: &[&'static str]) -> Option<BTreeMap<&'static str, usize>> {
    text.split(' ')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=')?;
            Some((*statuses.iter().find(|s| **s == k)?, v.parse().ok()?))
        })
        .collect()
}

const DOC_STATUSES: [DocStatus; 3] = [DocStatus::Ok, DocStatus::Partial, DocStatus::Failed];
const TABLE_STATUSES: [TableStatus; 4] =
    [TableStatus::Parsed, TableStatus::DeclaredEmpty, TableStatus::Missing, TableStatus::Failed];
const CHECK_STATUSES: [CheckStatus; 6] = [
    CheckStatus::Pass,
    CheckStatus::Rounding,
    CheckStatus::Fail,
    CheckStatus::Skipped,
    CheckStatus::Ambiguous,
    CheckStatus::Unmapped,
];

/// The manifest's text: a header with the extraction version, then one line per input.
pub fn render(version: &str, entries: &[ManifestEntry]) -> String {
    let mut out = format!("{HEADER}\t{version}\n");
    for e in entries {
        let fields = [
            escape(&e.rel_path),
            escape(&e.sha256),
            escape(&e.sort_department),
            escape(&e.sort_kind),
            e.status.as_str().to_string(),
            counts_text(&e.tables),
            counts_text(&e.checks),
            // An empty field is no error (an error is never empty).
            e.error.as_deref().map(escape).unwrap_or_default(),
        ];
        out.push_str(&fields.join("\t"));
        out.push('\n');
    }
    out
}

/// Reads a manifest's text back: its version and entries; `None` if it is not one.
pub fn parse(text: &str) -> Option<(String, Vec<ManifestEntry>)> {
    let mut lines = text.lines();
    let version = lines.next()?.strip_prefix(HEADER)?.strip_prefix('\t')?.to_string();
    let tables: Vec<&'static str> = TABLE_STATUSES.iter().map(|s| s.as_str()).collect();
    let checks: Vec<&'static str> = CHECK_STATUSES.iter().map(|s| s.as_str()).collect();
    let mut entries = Vec::new();
    for line in lines {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 8 {
            return None;
        }
        entries.push(ManifestEntry {
            rel_path: unescape(f[0]),
            sha256: unescape(f[1]),
            sort_department: unescape(f[2]),
            sort_kind: unescape(f[3]),
            status: DOC_STATUSES.into_iter().find(|s| s.as_str() == f[4])?,
            tables: counts_of(f[5], &tables)?,
            checks: counts_of(f[6], &checks)?,
            error: (!f[7].is_empty()).then(|| unescape(f[7])),
        });
    }
    Some((version, entries))
}

/// The last published snapshot's manifest, as far as this run can use it.
#[derive(Debug, Default)]
pub struct Previous {
    /// False when the snapshot was made by another build or with settings that change extraction.
    same_version: bool,
    by_path: HashMap<String, ManifestEntry>,
    /// How many inputs of the snapshot had each `doc_id` (a duplicated one is never reused).
    doc_ids: HashMap<String, usize>,
}

impl Previous {
    /// Reads the manifest of the snapshot at `dir`; no manifest (or an unreadable one) means
    /// nothing can be reused.
    pub fn load(dir: &Path, shard: Option<Shard>, version: &str) -> Previous {
        let text = std::fs::read_to_string(manifest_path(dir, shard)).unwrap_or_default();
        let Some((found, entries)) = parse(&text) else { return Previous::default() };
        let mut doc_ids: HashMap<String, usize> = HashMap::new();
        for e in &entries {
            *doc_ids.entry(e.doc_id().to_string()).or_default() += 1;
        }
        let by_path = entries.into_iter().map(|e| (e.rel_path.clone(), e)).collect();
        Previous { same_version: found == version, by_path, doc_ids }
    }

    /// The snapshot's entry for this input, if its rows can be reused: same path, same bytes,
    /// same extraction version, and its `doc_id` unique in the snapshot (so its rows are told
    /// apart from any other input's).
    pub fn reusable(&self, rel_path: &str, sha256: &str) -> Option<&ManifestEntry> {
        let e = self.by_path.get(rel_path)?;
        let unique = self.doc_ids.get(e.doc_id()) == Some(&1);
        (self.same_version && unique && !sha256.is_empty() && e.sha256 == sha256).then_some(e)
    }

    /// The snapshot as a source of counts only: nothing is reused (`run --full`).
    pub fn without_reuse(mut self) -> Previous {
        self.same_version = false;
        self
    }

    /// The snapshot's entry for an input path.
    pub fn entry(&self, rel_path: &str) -> Option<&ManifestEntry> {
        self.by_path.get(rel_path)
    }

    /// Inputs of the snapshot that are no longer among `current` (relative paths).
    pub fn dropped<'a>(&self, current: impl IntoIterator<Item = &'a str>) -> usize {
        let current: std::collections::HashSet<&str> = current.into_iter().collect();
        self.by_path.keys().filter(|p| !current.contains(p.as_str())).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Rounding;

    #[test]
    fn version_follows_the_keys_that_decide_extraction() {
        let base = Settings::default();
        let v = version_of("0.1.0+a", &base);
        assert_eq!(v, version_of("0.1.0+a", &base));
        assert_ne!(v, version_of("0.1.0+b", &base), "a new build re-extracts");
        let strict = Settings { rounding: Rounding::Strict, ..base.clone() };
        assert_ne!(v, version_of("0.1.0+a", &strict));
        let gbk = Settings { encoding: Some("gb18030".into()), ..base.clone() };
        assert_ne!(v, version_of("0.1.0+a", &gbk));
        let elsewhere = Settings {
            input: "elsewhere".into(),
            output: "out2".into(),
            threads: 7,
            keep_previous: false,
            include: vec!["**/*.txt".into()],
            full: true,
            ..base.clone()
        };
        assert_eq!(v, version_of("0.1.0+a", &elsewhere));
    }

    #[test]
    fn manifest_round_trips() {
        let e = ManifestEntry {
            rel_path: "a b/x\t1.txt".into(),
            sha256: "0123456789abcdef0123".into(),
            sort_department: "某局\\".into(),
            sort_kind: "budget".into(),
            status: DocStatus::Partial,
            tables: [("parsed", 9), ("missing", 2)].into(),
            checks: BTreeMap::new(),
            error: Some("x.txt: line 3\nbad".into()),
        };
        let plain = ManifestEntry { rel_path: "y.txt".into(), ..Default::default() };
        let text = render("v1", &[e.clone(), plain.clone()]);
        assert_eq!(parse(&text), Some(("v1".to_string(), vec![e, plain])));
        assert_eq!(parse("something else\n"), None);
    }
}
