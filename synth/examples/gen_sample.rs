//! Writes the repository's sample archive (fictional budgets and final accounts from fixed
//! seeds, see `budget_etl_synth::sample_archive`) into a directory:
//!
//! ```text
//! cargo run -p budget-etl-synth --example gen_sample -- sample
//! ```
//!
//! `.txt` / `.md` files under the directory that the archive no longer holds are removed, so the
//! directory is exactly the archive afterwards.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn stale_files(dir: &Path, keep: &BTreeSet<PathBuf>, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            stale_files(&p, keep, out);
        } else if p.extension().is_some_and(|x| x == "txt" || x == "md") && !keep.contains(&p) {
            out.push(p);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: cargo run -p budget-etl-synth --example gen_sample -- <output-dir>");
        std::process::exit(2);
    };
    let root = PathBuf::from(dir);
    let files = budget_etl_synth::sample_archive();
    let keep: BTreeSet<PathBuf> = files.iter().map(|f| root.join(&f.path)).collect();
    let mut stale = Vec::new();
    stale_files(&root, &keep, &mut stale);
    for p in stale {
        std::fs::remove_file(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }
    for f in &files {
        let path = root.join(&f.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        std::fs::write(&path, f.bytes()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        println!(
            "{}  {:?}  {} {} {}  {}",
            f.path,
            f.encoding,
            f.doc.layout.as_str(),
            f.doc.doc_kind.as_str(),
            f.doc.source_unit.as_str(),
            f.doc.department
        );
    }
    println!("{} files written to {}", files.len(), root.display());
}
