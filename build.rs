//! Build id for incremental runs: the crate version plus a hash of every source file, the
//! manifest and the lock file, so any code change (committed or not) or dependency change
//! changes the extraction version and makes the next run re-extract everything.

use std::path::{Path, PathBuf};

/// FNV-1a, 64 bits (no dependency; collisions between two builds are not a practical concern).
fn fnv(hash: &mut u64, bytes: &[u8]) {
    for b in bytes {
        *hash ^= u64::from(*b);
        *hash = hash.wrapping_mul(0x100000001b3);
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let mut files = Vec::new();
    files_under(&root.join("src"), &mut files);
    files.extend(["Cargo.toml", "Cargo.lock", "build.rs"].map(|f| root.join(f)));
    files.sort();
    let mut hash: u64 = 0xcbf29ce484222325;
    for f in &files {
        let rel = f.strip_prefix(&root).unwrap_or(f).to_string_lossy().replace('\\', "/");
        fnv(&mut hash, rel.as_bytes());
        fnv(&mut hash, &[0]);
        fnv(&mut hash, &std::fs::read(f).unwrap_or_default());
        fnv(&mut hash, &[0]);
    }
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!("cargo:rustc-env=BUDGET_ETL_BUILD_ID={version}+{hash:016x}");
    for watched in ["src", "Cargo.toml", "Cargo.lock", "build.rs"] {
        println!("cargo:rerun-if-changed={watched}");
    }
}
