//! Incremental runs: a run that takes the last snapshot's rows of unchanged inputs publishes
//! exactly the bytes a full run over the same archive publishes — after inputs are added,
//! changed and deleted, after a config key that decides extraction changes and after one that
//! does not, per shard, and after a run killed midway.

use crate::common::files_under;
use budget_etl::config::{Rounding, Settings};
use budget_etl::model::{DocKind, Layout};
use budget_etl::run::{run, run_shard, RunSummary};
use budget_etl::sink::Shard;
use budget_etl_synth::generate;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Synthetic document `seed` (layouts and kinds in turn) at its path in the archive.
fn document(seed: u64) -> (String, Vec<u8>) {
    let layout = [Layout::PdfText, Layout::MarkdownTsv, Layout::FinalTsv][(seed % 3) as usize];
    let kind = if layout == Layout::FinalTsv { DocKind::Final } else { DocKind::Budget };
    let ext = if layout == Layout::MarkdownTsv { "md" } else { "txt" };
    (format!("{:02}/doc-{seed:04}.{ext}", seed % 7), generate(seed, layout, kind).text.into_bytes())
}

fn put(input: &Path, rel: &str, bytes: &[u8]) {
    let p = input.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

fn archive(input: &Path, seeds: std::ops::Range<u64>) {
    for seed in seeds {
        let (rel, bytes) = document(seed);
        put(input, &rel, &bytes);
    }
}

/// Gives the file at `seed`'s path the text of another document (a changed input).
fn change(input: &Path, seed: u64) {
    let (rel, _) = document(seed);
    let (_, other) = document(seed + 10_000);
    put(input, &rel, &other);
}

fn delete(input: &Path, seed: u64) {
    std::fs::remove_file(input.join(document(seed).0)).unwrap();
}

fn settings(input: &Path, output: &Path) -> Settings {
    Settings { input: input.to_path_buf(), output: output.to_path_buf(), threads: 2, ..Default::default() }
}

/// A full run of `input` with `s`'s settings into a fresh directory: the bytes to compare with.
fn full_run(s: &Settings, scratch: &Path) -> Vec<(String, Vec<u8>)> {
    let output = scratch.join(format!("full-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&output);
    run(&Settings { output: output.clone(), full: true, keep_previous: false, ..s.clone() }, false).unwrap();
    let files = files_under(&output);
    std::fs::remove_dir_all(&output).unwrap();
    files
}

fn assert_same(incremental: &Path, full: Vec<(String, Vec<u8>)>, what: &str) {
    assert_same_files(files_under(incremental), full, what);
}

fn assert_same_files(got: Vec<(String, Vec<u8>)>, full: Vec<(String, Vec<u8>)>, what: &str) {
    let names = |f: &[(String, Vec<u8>)]| f.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&got), names(&full), "{what}: the same files");
    for ((name, a), (_, b)) in got.iter().zip(&full) {
        assert!(a == b, "{what}: {name} differs from a full run's");
    }
}

fn counts(s: &RunSummary) -> (usize, usize, usize) {
    (s.reused, s.extracted, s.dropped)
}

#[test]
fn incremental_run_equals_full_run_after_adds_changes_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in"), dir.path().join("out"));
    // Enough documents for checks.parquet to have several row groups (a document's rows span two).
    archive(&input, 0..90);
    let s = settings(&input, &output);
    assert_eq!(counts(&run(&s, false).unwrap()), (0, 90, 0));
    assert!(output.join("_manifest.tsv").is_file());

    // Nothing changed: everything is reused, and the files are the previous ones.
    let first = files_under(&output);
    let again = run(&s, false).unwrap();
    assert_eq!(counts(&again), (90, 0, 0));
    assert_eq!(files_under(&output), first);
    assert!(again.render().contains("0 extracted, 90 reused from the last snapshot, 0 dropped"), "{}", again.render());

    archive(&input, 90..93);
    change(&input, 5);
    change(&input, 31);
    delete(&input, 7);
    delete(&input, 44);
    let summary = run(&s, false).unwrap();
    assert_eq!(counts(&summary), (86, 5, 2));
    assert_eq!(summary.documents, 91);
    assert_same(&output, full_run(&s, dir.path()), "after adding, changing and deleting inputs");

    // The summary counts a reused document as its extraction did.
    let full_summary = run(&Settings { output: dir.path().join("again"), full: true, ..s.clone() }, false).unwrap();
    assert_eq!(
        (summary.ok, summary.partial, summary.failed, &summary.tables_by_status, &summary.checks_by_status),
        (
            full_summary.ok,
            full_summary.partial,
            full_summary.failed,
            &full_summary.tables_by_status,
            &full_summary.checks_by_status
        )
    );
    assert_eq!(counts(&full_summary), (0, 91, 0));
}

#[test]
fn only_config_keys_that_decide_extraction_re_extract() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in"), dir.path().join("out"));
    archive(&input, 0..30);
    let s = settings(&input, &output);
    run(&s, false).unwrap();

    // `rounding` decides check statuses: every input is extracted again.
    let strict = Settings { rounding: Rounding::Strict, ..s.clone() };
    assert_eq!(counts(&run(&strict, false).unwrap()), (0, 30, 0));
    assert_same(&output, full_run(&strict, dir.path()), "after changing rounding");

    // `threads` and `keep_previous` do not: everything is reused.
    let other = Settings { threads: 1, keep_previous: false, ..strict.clone() };
    change(&input, 3);
    assert_eq!(counts(&run(&other, false).unwrap()), (29, 1, 0));
    assert_same(&output, full_run(&other, dir.path()), "after changing threads and keep_previous");

    // `--full` extracts everything whatever the snapshot.
    assert_eq!(counts(&run(&Settings { full: true, ..other.clone() }, false).unwrap()), (0, 30, 0));
}

#[test]
fn a_snapshot_of_another_extraction_version_is_not_reused() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in"), dir.path().join("out"));
    archive(&input, 0..12);
    let s = settings(&input, &output);
    run(&s, false).unwrap();
    // What an upgrade looks like: the manifest names another build's version.
    let manifest = output.join("_manifest.tsv");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let (header, rest) = text.split_once('\n').unwrap();
    let (name, _) = header.rsplit_once('\t').unwrap();
    std::fs::write(&manifest, format!("{name}\tffffffffffffffff\n{rest}")).unwrap();
    assert_eq!(counts(&run(&s, false).unwrap()), (0, 12, 0));
    assert_same(&output, full_run(&s, dir.path()), "after an upgrade");
    // No manifest at all (a snapshot from before incremental runs): a full run.
    std::fs::remove_file(output.join("_manifest.tsv")).unwrap();
    assert_eq!(counts(&run(&s, false).unwrap()), (0, 12, 0));
}

#[test]
fn each_shard_reuses_its_own_part() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    archive(&input, 0..40);
    let shards = [Shard { index: 0, count: 2 }, Shard { index: 1, count: 2 }];
    let run_all = |output: &Path, full: bool| -> Vec<RunSummary> {
        let s = Settings { full, ..settings(&input, output) };
        shards.iter().map(|&sh| run_shard(&s, Some(sh), false).unwrap()).collect()
    };
    let (incremental, full) = (dir.path().join("inc"), dir.path().join("full"));
    run_all(&incremental, false);
    run_all(&full, true);
    assert!(incremental.join("_manifest/part-0-of-2.tsv").is_file());
    archive(&input, 40..42);
    change(&input, 2);
    delete(&input, 9);
    let summaries = run_all(&incremental, false);
    let reused: usize = summaries.iter().map(|s| s.reused).sum();
    let extracted: usize = summaries.iter().map(|s| s.extracted).sum();
    assert_eq!((reused, extracted), (38, 3));
    assert!(summaries.iter().all(|s| s.reused > 0), "each shard reuses its part");
    run_all(&full, true);
    assert_same_files(files_under(&incremental), files_under(&full), "shards: incremental vs full");
}

#[test]
fn a_killed_incremental_run_leaves_the_snapshot_whole_and_the_next_run_right() {
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("in"), dir.path().join("out"));
    archive(&input, 0..80);
    let bin = env!("CARGO_BIN_EXE_budget-etl");
    let command = || {
        let mut c = Command::new(bin);
        c.args(["run", "--threads", "2", "--input"]).arg(&input).arg("--output").arg(&output);
        c
    };
    assert!(command().output().unwrap().status.code().is_some_and(|c| c < 2));
    for seed in (0..80).step_by(4) {
        change(&input, seed);
    }
    // Time one incremental run on a copy, then kill runs at moments spread over it.
    let copy: PathBuf = dir.path().join("copy");
    std::fs::create_dir_all(&copy).unwrap();
    for (name, bytes) in files_under(&output) {
        put(&copy, &name, &bytes);
    }
    let t = std::time::Instant::now();
    let timed = Command::new(bin)
        .args(["run", "--threads", "2", "--input"])
        .arg(&input)
        .arg("--output")
        .arg(&copy)
        .output()
        .unwrap();
    let whole = t.elapsed();
    let said = String::from_utf8_lossy(&timed.stderr);
    assert!(said.contains("20 extracted, 60 reused"), "{said}");
    let before = files_under(&output);
    for k in 1..=5u32 {
        let mut child = command().spawn().unwrap();
        std::thread::sleep(whole * k / 6);
        let _ = child.kill();
        let _ = child.wait();
        let now = files_under(&output);
        if now != before {
            // The run got to publish: then it is the whole new snapshot.
            assert_same(&output, full_run(&settings(&input, &output), dir.path()), "a run that published");
            return;
        }
    }
    let out = command().output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("20 extracted, 60 reused"));
    assert_same(&output, full_run(&settings(&input, &output), dir.path()), "the run after killed ones");
}
