//! PDF input: the real PDFs are read directly (pages, page spans of tables, `inspect`); damaged
//! copies of them (truncated, flipped bytes, deleted objects, a broken xref) never panic or hang;
//! encrypted, textless and non-disclosure PDFs fail with a one-line reason; a folder mixing PDFs
//! and text is one run, and an unchanged PDF is reused by the next run.

use crate::common;

use budget_etl::config::Settings;
use budget_etl::pdf::{rebuild, PdfError};
use budget_etl::run::{process_bytes, run};
use polars::prelude::*;
use std::path::Path;
use std::time::Duration;

/// The external corpus's PDFs, sorted by name.
fn real_pdfs(shared: &Path) -> Vec<(String, Vec<u8>)> {
    let dir = shared.join("corpus/external/pdf");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "pdf")).collect()
        })
        .unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.file_name().unwrap().to_string_lossy().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

/// A one-page PDF drawing `content` with Helvetica as /F1; `extra` objects follow (numbered
/// from 6); `trailer` is added to the trailer dictionary. Offsets in the xref are exact.
fn one_page_pdf(content: &str, extra: &[String], trailer: &str) -> Vec<u8> {
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    objects.extend_from_slice(extra);
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").bytes());
    }
    out.extend(
        format!("trailer\n<< /Size {} /Root 1 0 R {trailer}>>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).bytes(),
    );
    out
}

fn read_parquet(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap()).finish().unwrap()
}

#[test]
fn real_pdfs_are_read_with_pages_and_page_spans() {
    let Some(shared) = common::shared_or_skip("real_pdfs_are_read_with_pages_and_page_spans") else { return };
    let pdfs = real_pdfs(&shared);
    assert!(!pdfs.is_empty(), "no PDFs under corpus/external/pdf");
    let settings = Settings::default();
    let mut later_pages = 0;
    for (name, bytes) in &pdfs {
        let out = process_bytes(name, bytes, &settings);
        let d = &out.document;
        assert_eq!(
            (d.source_format.as_str(), d.layout.as_str(), d.encoding.as_deref()),
            ("pdf", "pdf", None),
            "{name}"
        );
        let pages = d.pages.unwrap_or_else(|| panic!("{name}: no page count"));
        assert!(pages > 0, "{name}");
        assert_ne!(d.status.as_str(), "failed", "{name}: {:?}", d.error);
        assert!(d.fiscal_year.is_some() && d.doc_kind.is_some(), "{name}: {d:?}");
        for t in out.tables.iter().filter(|t| t.first_line.is_some()) {
            let (a, b) = (t.first_page.unwrap(), t.last_page.unwrap());
            assert!(1 <= a && a <= b && b <= pages, "{name} {}: pages {a}-{b} of {pages}", t.table_type);
            later_pages += usize::from(a > 1);
        }
        assert!(out.tables.iter().any(|t| t.first_page.is_some()), "{name}: no table with a page span");
        assert!(!out.rows.is_empty() && !out.facts.is_empty(), "{name}: no rows published");
    }
    // Tables sit on many pages: the page numbers follow the text, they are not all page 1.
    assert!(later_pages > pdfs.len(), "only {later_pages} tables after page 1");
}

/// Damaged copies of `bytes`: truncations at nine points, bytes flipped at seeded positions,
/// objects deleted, the startxref offset pointing nowhere, the xref table overwritten.
fn damaged(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> =
        (1..10).map(|k| (format!("cut at {k}/10"), bytes[..bytes.len() * k / 10].to_vec())).collect();
    out.push(("cut to the header".into(), bytes[..bytes.len().min(20)].to_vec()));
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for k in 0..6 {
        let mut d = bytes.to_vec();
        for _ in 0..16 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let i = (seed % d.len() as u64) as usize;
            d[i] ^= 0xff;
        }
        out.push((format!("16 bytes flipped (#{k})"), d));
    }
    let starts: Vec<usize> = bytes.windows(6).enumerate().filter(|(_, w)| w == b" 0 obj").map(|(i, _)| i).collect();
    for k in 0..4 {
        let Some(&start) = starts.get(starts.len() * k / 4 + 1) else { continue };
        if let Some(len) = bytes[start..].windows(6).position(|w| w == b"endobj") {
            let mut d = bytes[..start].to_vec();
            d.extend_from_slice(&bytes[start + len + 6..]);
            out.push((format!("object at byte {start} deleted"), d));
        }
    }
    if let Some(p) = bytes.windows(9).rposition(|w| w == b"startxref") {
        let mut d = bytes.to_vec();
        for b in d.iter_mut().skip(p + 10).take(4) {
            *b = b'9';
        }
        out.push(("startxref offset broken".into(), d));
    }
    if let Some(p) = bytes.windows(4).rposition(|w| w == b"xref") {
        let mut d = bytes.to_vec();
        for b in d.iter_mut().skip(p).take(400) {
            *b = b'#';
        }
        out.push(("xref overwritten".into(), d));
    }
    out
}

/// Runs `f` on its own thread; fails if it does not finish within `limit` (a hang, not speed:
/// the limit is many times what the work takes).
fn within<T: Send + 'static>(limit: Duration, what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(value) => value,
        // The work failed an assertion: fail with its message.
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the worker ended without sending"),
        },
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("{what}: did not finish within {limit:?} (a hang)"),
    }
}

#[test]
fn damaged_pdfs_fail_with_a_reason_and_never_panic_or_hang() {
    let Some(shared) = common::shared_or_skip("damaged_pdfs_fail_with_a_reason_and_never_panic_or_hang") else {
        return;
    };
    let (failed, total) = within(Duration::from_secs(900), "the damaged copies", move || {
        let settings = Settings::default();
        let (mut failed, mut total) = (0, 0);
        for (name, bytes) in real_pdfs(&shared) {
            for (what, copy) in damaged(&bytes) {
                total += 1;
                // The PDF reader itself, unguarded: a panic there fails the test.
                let read = std::panic::catch_unwind(|| rebuild(&copy));
                assert!(read.is_ok(), "{name}, {what}: the PDF reader panicked");
                let out = process_bytes(&name, &copy, &settings);
                let d = &out.document;
                assert_eq!(d.source_format, "pdf", "{name}, {what}");
                if d.status.as_str() == "failed" {
                    failed += 1;
                    let reason = d.error.clone().unwrap_or_default();
                    assert!(reason.starts_with(&name) && !reason.contains('\n'), "{name}, {what}: {reason}");
                    // A panic in the readers is caught per document as an internal error: none may.
                    assert!(!reason.contains("internal error"), "{name}, {what}: {reason}");
                }
                if read.unwrap().is_err() {
                    assert_eq!(d.status.as_str(), "failed", "{name}, {what}");
                }
            }
        }
        (failed, total)
    });
    // The failures were really exercised (most truncations lose the page tree or the tables).
    assert!(failed > total / 4 && total > 200, "{failed} of {total} damaged copies failed");
}

#[test]
fn encrypted_textless_and_non_disclosure_pdfs_fail_with_a_reason() {
    let settings = Settings::default();
    let encrypt = format!("<< /Filter /Standard /V 1 /R 2 /O <{}> /U <{}> /P -4 >>", "ab".repeat(32), "cd".repeat(32));
    let id = "/Encrypt 6 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>] ";
    let encrypted = one_page_pdf("BT /F1 12 Tf 72 700 Td (secret) Tj ET", &[encrypt], id);
    assert!(matches!(rebuild(&encrypted), Err(PdfError::Encrypted)));
    let scanned = one_page_pdf("0 0 1 rg 72 72 200 100 re f", &[], "");
    assert!(matches!(rebuild(&scanned), Err(PdfError::NoTextLayer(1))));
    let notice = one_page_pdf("BT /F1 12 Tf 72 700 Td (Notice on the spring planting) Tj ET", &[], "");
    assert_eq!(rebuild(&notice).unwrap().text, "Notice on the spring planting\n");
    for (file, bytes, reason) in [
        ("a/encrypted.pdf", &encrypted, "encrypted"),
        ("a/scanned.pdf", &scanned, "no text layer"),
        ("a/notice.pdf", &notice, "no budget or final-account table"),
        ("a/not_a_pdf.pdf", &b"hello"[..].to_vec(), "not a readable PDF"),
    ] {
        let out = process_bytes(file, bytes, &settings);
        let d = &out.document;
        assert_eq!((d.status.as_str(), d.source_format.as_str()), ("failed", "pdf"), "{file}");
        let error = d.error.clone().unwrap_or_default();
        assert!(error.starts_with(file) && error.contains(reason) && !error.contains('\n'), "{file}: {error}");
    }
}

/// Two real PDFs, one real text, and a truncated PDF in one input folder.
fn mixed_folder(shared: &Path, input: &Path) -> Vec<String> {
    let pdfs = real_pdfs(shared);
    let texts = common::real_documents(shared);
    std::fs::create_dir_all(input.join("pdf")).unwrap();
    std::fs::create_dir_all(input.join("text")).unwrap();
    let mut names = Vec::new();
    for (name, bytes) in pdfs.iter().take(2) {
        std::fs::write(input.join("pdf").join(name), bytes).unwrap();
        names.push(format!("pdf/{name}"));
    }
    let (text_name, text) = &texts[0];
    std::fs::write(input.join("text").join(text_name), text).unwrap();
    std::fs::write(input.join("pdf/broken.pdf"), &pdfs[0].1[..1000]).unwrap();
    names
}

#[test]
fn a_folder_of_pdfs_and_text_is_one_run() {
    let Some(shared) = common::shared_or_skip("a_folder_of_pdfs_and_text_is_one_run") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let pdf_names = mixed_folder(&shared, &input);
    let output = tmp.path().join("out");
    let settings = Settings { input: input.clone(), output: output.clone(), threads: 2, ..Settings::default() };
    let summary = run(&settings, false).unwrap();
    assert_eq!(summary.documents, 4, "{:#?}", summary.reasons);
    assert_eq!(summary.failed, 1, "{:#?}", summary.reasons);
    assert!(summary.reasons.iter().any(|r| r.starts_with("pdf/broken.pdf")), "{:#?}", summary.reasons);

    let docs = read_parquet(&output.join("documents.parquet"));
    let col = |name: &str| docs.column(name).unwrap().as_materialized_series().clone();
    let (paths, formats, layouts, encodings, pages, status) =
        (col("source_path"), col("source_format"), col("layout"), col("encoding"), col("pages"), col("status"));
    let mut pdf_ids = Vec::new();
    for i in 0..docs.height() {
        let path = paths.str().unwrap().get(i).unwrap().to_string();
        let format = formats.str().unwrap().get(i).unwrap();
        let page_count = pages.i32().unwrap().get(i);
        if path.ends_with(".pdf") {
            assert_eq!(format, "pdf", "{path}");
            assert_eq!(encodings.str().unwrap().get(i), None, "{path}");
            if pdf_names.contains(&path) {
                assert_eq!(layouts.str().unwrap().get(i), Some("pdf"), "{path}");
                assert!(page_count.is_some_and(|n| n > 0), "{path}");
                assert_ne!(status.str().unwrap().get(i), Some("failed"), "{path}");
                pdf_ids.push(docs.column("doc_id").unwrap().str().unwrap().get(i).unwrap().to_string());
            }
        } else {
            assert_eq!((format, page_count), ("text", None), "{path}");
            assert!(encodings.str().unwrap().get(i).is_some(), "{path}");
        }
    }
    assert_eq!(pdf_ids.len(), 2);
    // Page spans: set for the PDFs' tables found in the text, null for the text document's.
    let tables = read_parquet(&output.join("tables.parquet"));
    let ids = tables.column("doc_id").unwrap().str().unwrap().clone();
    let first_line = tables.column("first_line").unwrap().i32().unwrap().clone();
    let first_page = tables.column("first_page").unwrap().i32().unwrap().clone();
    let (mut pdf_spans, mut text_spans) = (0, 0);
    for i in 0..tables.height() {
        let from_pdf = pdf_ids.iter().any(|id| Some(id.as_str()) == ids.get(i));
        if first_line.get(i).is_some() {
            assert_eq!(first_page.get(i).is_some(), from_pdf, "table row {i}");
            if from_pdf {
                pdf_spans += 1;
            } else {
                text_spans += 1;
            }
        }
    }
    assert!(pdf_spans > 0 && text_spans > 0, "{pdf_spans} PDF tables, {text_spans} text tables");
}

#[test]
fn an_unchanged_pdf_is_reused_by_the_next_run_and_a_changed_one_is_read_again() {
    let Some(shared) = common::shared_or_skip("an_unchanged_pdf_is_reused_by_the_next_run") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let pdf_names = mixed_folder(&shared, &input);
    let output = tmp.path().join("out");
    let settings = Settings { input: input.clone(), output: output.clone(), threads: 2, ..Settings::default() };
    run(&settings, false).unwrap();
    let second = run(&settings, false).unwrap();
    assert_eq!((second.reused, second.extracted), (4, 0));
    // A PDF replaced by another PDF's bytes (same path) is read again; the rest is reused, and
    // the snapshot is the one a full run publishes.
    let pdfs = real_pdfs(&shared);
    std::fs::write(input.join(&pdf_names[0]), &pdfs[2].1).unwrap();
    let third = run(&settings, false).unwrap();
    assert_eq!((third.reused, third.extracted), (3, 1));
    let full = tmp.path().join("full");
    run(&Settings { output: full.clone(), full: true, keep_previous: false, ..settings.clone() }, false).unwrap();
    assert!(
        common::files_under(&output) == common::files_under(&full),
        "the incremental snapshot differs from a full run's"
    );
}

#[test]
fn inspect_shows_the_rebuilt_text_by_page_and_the_tables_page_spans() {
    let Some(shared) = common::shared_or_skip("inspect_shows_the_rebuilt_text_by_page") else { return };
    let dir = shared.join("corpus/external/pdf");
    let (name, _) = real_pdfs(&shared).into_iter().next().unwrap();
    let shown = budget_etl::inspect::inspect(&dir.join(&name), &Settings::default()).unwrap();
    assert!(shown.contains("format:      pdf") && shown.contains("\npages:       "), "{shown}");
    assert!(shown.contains("--- page 1\n") && shown.contains("--- page 2\n"), "{shown}");
    // The page each listed line is on, as the listing shows it.
    let mut page_of_line = std::collections::HashMap::new();
    let mut page = 0;
    for l in shown.lines() {
        if let Some(p) = l.strip_prefix("--- page ") {
            page = p.parse::<i32>().unwrap();
        } else if let Some((n, _)) = l.split_once(" | ") {
            if let Ok(n) = n.trim().parse::<i32>() {
                page_of_line.insert(n, page);
            }
        }
    }
    // Each table's span agrees with the listing: its first line is on its first page.
    let spans: Vec<(i32, i32)> = shown
        .lines()
        .filter_map(|l| {
            let rest = &l[l.find(", lines ")? + 8..];
            let (lines, pages) = rest.split_once(", pages ")?;
            let first_line = lines.split('-').next()?.parse().ok()?;
            let first_page = pages.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()?;
            Some((first_line, first_page))
        })
        .collect();
    assert!(spans.len() >= 3, "{shown}");
    for (line, page) in spans {
        assert_eq!(page_of_line.get(&line), Some(&page), "line {line}");
    }
}
