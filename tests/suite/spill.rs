//! Data rows beyond the writer's memory budget wait in spill files: a snapshot written with a
//! tiny budget (every partition spills many blocks) is byte-identical to one held in memory.

use crate::common;

use budget_etl::config::Settings;
use budget_etl::run::{process_bytes, DocOutput};
use budget_etl::sink::{seal, SnapshotWriter};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn outputs(shared: &Path) -> Vec<DocOutput> {
    let mut outs = Vec::new();
    for (name, bytes) in common::real_documents(shared) {
        let text = String::from_utf8(bytes).unwrap();
        for i in 0..3 {
            let copy = text.replace("库尔勒", &format!("样例{i}"));
            outs.push(process_bytes(&format!("{i}/{name}"), copy.as_bytes(), &Settings::default()));
        }
    }
    outs
}

fn write(dir: &Path, budget: usize, outs: Vec<DocOutput>) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut writer = SnapshotWriter::create(dir, None).unwrap().with_row_budget(budget);
    for o in outs {
        writer.add(o.document, o.tables, o.checks, o.rows).unwrap();
    }
    let (files, dir) = writer.into_open_files();
    for f in files {
        f.finish().unwrap();
    }
    seal(&dir).unwrap();
    walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(&dir).unwrap().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect()
}

#[test]
fn spilled_rows_give_the_same_snapshot() {
    let Some(shared) = common::shared_or_skip("spilled_rows_give_the_same_snapshot") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let in_memory = write(&tmp.path().join("memory"), 1 << 20, outputs(&shared));
    let spilled = write(&tmp.path().join("spilled"), 7, outputs(&shared));
    assert!(
        in_memory.keys().any(|p| p.starts_with("expenditure_by_function")),
        "{:?}",
        in_memory.keys().collect::<Vec<_>>()
    );
    assert_eq!(
        in_memory.keys().collect::<Vec<_>>(),
        spilled.keys().collect::<Vec<_>>(),
        "same files (no spill files left)"
    );
    for (path, bytes) in &in_memory {
        assert!(spilled[path] == *bytes, "{} differs", path.display());
    }
}
