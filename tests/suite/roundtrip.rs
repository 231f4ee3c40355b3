//! Property tests over generated documents (`budget_etl_synth`, the `synth/` crate): fictional
//! but internally consistent budgets and final accounts, rendered in each layout with its
//! hazards, must come out of `process_bytes` exactly as generated —
//!
//! 1. document fields and every table status as generated;
//! 2. every generated row found (same key, same order), no extra rows, every non-null value
//!    equal to the generated one (in yuan);
//! 3. a cell the document does not determine (pdf_text, blank cells dropped) is null and
//!    reported as `column_ambiguous` naming its column; a null where the truth is a number is
//!    allowed only with that report; cells the document determines come out placed;
//! 4. no check fails (the generated documents are consistent).
//!
//! Failures the parser is responsible for are kept below as `#[ignore = "parser bug: …"]`
//! tests with a minimal reproducer.

use budget_etl::config::Settings;
use budget_etl::model::{CheckStatus, DocKind, Layout, TableType};
use budget_etl::run::{process_bytes, DocOutput};
use budget_etl::sink::DataRow;
use budget_etl_synth::{
    generate, generate_text, generate_with, CellClass, Encoding, ExpectedRow, Options, SynthDoc, TextLayout,
};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::time::Instant;

/// Documents per layout in the main property tests.
const DOCS_PER_LAYOUT: u64 = 300;

fn key_string(k: &budget_etl::model::RowKey) -> String {
    format!(
        "side={:?} line={:?} item={:?} item_name={:?} basis={:?} code={:?} level={:?} name={:?} unit={:?} project={:?}",
        k.side.map(|s| s.as_str()),
        k.line_no,
        k.item,
        k.item_name,
        k.basis,
        k.code,
        k.level,
        k.name,
        k.unit,
        k.project_name
    )
}

fn keyed<T>(items: Vec<(String, T)>) -> BTreeMap<String, T> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    items
        .into_iter()
        .map(|(k, v)| {
            let n = seen.entry(k.clone()).or_default();
            *n += 1;
            (format!("{k} #{n}"), v)
        })
        .collect()
}

fn reported(out: &DocOutput, tt: TableType, row_ref: &str, column: &str) -> bool {
    out.checks.iter().any(|c| {
        c.check_id == "column_ambiguous"
            && c.status == CheckStatus::Ambiguous
            && c.table_type == tt.as_str()
            && c.row_ref.as_deref() == Some(row_ref)
            && c.column.as_deref().unwrap_or("").split('|').any(|x| x == column)
    })
}

/// Every difference between a generated document's expectation and the extraction.
fn compare(doc: &SynthDoc, out: &DocOutput) -> Vec<String> {
    let mut problems = Vec::new();
    let d = &out.document;
    let fields: [(&str, Option<String>, String); 7] = [
        ("department", d.department.clone(), doc.department.clone()),
        ("fiscal_year", d.fiscal_year.map(|y| y.to_string()), doc.fiscal_year.to_string()),
        ("doc_kind", d.doc_kind.clone(), doc.doc_kind.as_str().to_string()),
        ("scope", d.scope.clone(), doc.scope.to_string()),
        ("source_unit", d.source_unit.clone(), doc.source_unit.as_str().to_string()),
        ("layout", Some(d.layout.clone()), doc.layout.as_str().to_string()),
        ("status", Some(d.status.to_string()), "ok".to_string()),
    ];
    for (f, got, want) in fields {
        if got.as_deref() != Some(want.as_str()) {
            problems.push(format!("document {f}: want {want}, got {got:?} ({:?})", d.error));
        }
    }
    let factor = doc.source_unit.factor();
    for et in &doc.tables {
        let tt = et.table_type;
        let status =
            out.tables.iter().find(|t| t.table_type == tt.as_str()).map(|t| t.status.as_str()).unwrap_or("absent");
        if status != et.status.as_str() {
            let err = out.tables.iter().find(|t| t.table_type == tt.as_str()).and_then(|t| t.error.clone());
            problems.push(format!("{}: status want {}, got {status} ({err:?})", tt.as_str(), et.status.as_str()));
        }
        let number = out.tables.iter().find(|t| t.table_type == tt.as_str()).and_then(|t| t.source_number.clone());
        if number.as_deref() != Some(et.source_number.as_str()) {
            problems.push(format!("{}: source_number want {}, got {number:?}", tt.as_str(), et.source_number));
        }
        let got_rows: Vec<&DataRow> = out.rows.iter().filter(|(t, _)| *t == tt).map(|(_, r)| r).collect();
        let want = keyed(et.rows.iter().map(|r| (key_string(&r.key), r)).collect());
        let got = keyed(got_rows.iter().map(|r| (key_string(&r.key), *r)).collect());
        for (k, er) in &want {
            let Some(gr) = got.get(k) else {
                problems.push(format!("{}: row not found (line {}): {k}", tt.as_str(), er.line));
                continue;
            };
            problems.extend(compare_row(tt, er, gr, factor, out));
        }
        for k in got.keys().filter(|k| !want.contains_key(*k)) {
            problems.push(format!("{}: extra row {k}", tt.as_str()));
        }
        if want.len() == got.len() && want.keys().all(|k| got.contains_key(k)) {
            let order_want: Vec<String> = et.rows.iter().map(|r| key_string(&r.key)).collect();
            let order_got: Vec<String> = got_rows.iter().map(|r| key_string(&r.key)).collect();
            if order_want != order_got {
                problems.push(format!("{}: rows out of printed order", tt.as_str()));
            }
        }
    }
    for c in out.checks.iter().filter(|c| c.status == CheckStatus::Fail) {
        problems
            .push(format!("check {} {} {:?} {:?} fails: {}", c.check_id, c.table_type, c.row_ref, c.column, c.message));
    }
    problems
}

fn compare_row(tt: TableType, er: &ExpectedRow, gr: &DataRow, factor: Decimal, out: &DocOutput) -> Vec<String> {
    let mut problems = Vec::new();
    let row_ref = er.reference();
    for (i, col) in tt.output_columns().iter().enumerate() {
        let got = gr.values[i];
        let want = er.values[i].map(|v| v * factor);
        let what = || format!("{} row {row_ref:?} (line {}) column {col}", tt.as_str(), er.line);
        match (want, got) {
            (None, None) => {}
            (None, Some(g)) => problems.push(format!("{}: want null, got {g}", what())),
            (Some(w), Some(g)) => {
                if w != g {
                    problems.push(format!("{}: want {w}, got {g}", what()));
                } else if er.classes[i] == CellClass::Ambiguous {
                    problems.push(format!(
                        "{}: the document does not determine this cell, but it was placed ({g})",
                        what()
                    ));
                }
            }
            (Some(w), None) => match er.classes[i] {
                CellClass::Determined => {
                    problems.push(format!("{}: want {w} (determined by the document), got null", what()))
                }
                CellClass::Ambiguous | CellClass::Open => {
                    if !reported(out, tt, &row_ref, col) {
                        problems.push(format!("{}: null without a column_ambiguous report (truth {w})", what()));
                    }
                }
            },
        }
    }
    problems
}

/// Runs `n` documents of one layout; returns the failing seeds with their problems.
fn run_layout(
    layout: Layout,
    kind: DocKind,
    seeds: std::ops::Range<u64>,
    opts: &Options,
) -> Vec<(u64, String, Vec<String>)> {
    let settings = Settings::default();
    let mut failures = Vec::new();
    for seed in seeds {
        let doc = generate_with(seed, layout, kind, opts);
        // Every few documents in another encoding / line ending.
        let encoding = match seed % 10 {
            3 => Encoding::Utf8Crlf,
            5 => Encoding::Gb18030,
            7 => Encoding::Utf16LeBom,
            9 => Encoding::Utf8Bom,
            _ => Encoding::Utf8,
        };
        let out = process_bytes(&doc.file_name, &encoding.encode(&doc.text), &settings);
        record(&mut failures, seed, &doc, compare(&doc, &out));
    }
    failures
}

/// Keeps a failing document's problems; `SYNTH_DUMP=DIR` also keeps its text for a closer look.
fn record(failures: &mut Vec<(u64, String, Vec<String>)>, seed: u64, doc: &SynthDoc, problems: Vec<String>) {
    if problems.is_empty() {
        return;
    }
    if let Ok(dir) = std::env::var("SYNTH_DUMP") {
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(std::path::Path::new(&dir).join(&doc.file_name), &doc.text);
    }
    failures.push((seed, doc.file_name.clone(), problems));
}

fn report(failures: &[(u64, String, Vec<String>)], total: u64) -> String {
    let mut s = format!("{} of {total} generated documents differ from their expectation\n", failures.len());
    let shown = std::env::var("SYNTH_SHOW").ok().and_then(|v| v.parse().ok()).unwrap_or(6);
    for (seed, name, problems) in failures.iter().take(shown) {
        s.push_str(&format!("seed {seed} ({name}): {} problems\n", problems.len()));
        for p in problems.iter().take(std::env::var("SYNTH_PROBLEMS").ok().and_then(|v| v.parse().ok()).unwrap_or(8)) {
            s.push_str(&format!("    {p}\n"));
        }
    }
    s
}

/// The generator's hazards minus the ones the parser is known to get wrong (each has an
/// ignored test below with a minimal reproducer).
fn passing_options(_layout: Layout) -> Options {
    Options {
        gov_fund_basic: true,
        md_project_hierarchy: true,
        md_code_like_integers: true,
        continued_grouped_projects: true,
        ..Options::default()
    }
}

fn property(layout: Layout, kind: DocKind) {
    let started = Instant::now();
    let failures = run_layout(layout, kind, 0..DOCS_PER_LAYOUT, &passing_options(layout));
    eprintln!(
        "{} {}: {DOCS_PER_LAYOUT} documents in {:.1}s",
        layout.as_str(),
        kind.as_str(),
        started.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{}", report(&failures, DOCS_PER_LAYOUT));
}

#[test]
fn pdf_text_budgets_round_trip() {
    property(Layout::PdfText, DocKind::Budget);
}

#[test]
fn markdown_tsv_budgets_round_trip() {
    property(Layout::MarkdownTsv, DocKind::Budget);
}

#[test]
fn final_tsv_finals_round_trip() {
    property(Layout::FinalTsv, DocKind::Final);
}

/// The generator really produces the hazards the property tests are about.
#[test]
fn generated_documents_carry_the_hazards() {
    let mut determined_single = 0;
    let mut ambiguous = 0;
    let mut page_breaks = 0;
    let mut wrapped = 0;
    let mut yuan = 0;
    let mut declared_empty = 0;
    let mut missing = 0;
    for seed in 0..60 {
        let doc = generate(seed, Layout::PdfText, DocKind::Budget);
        page_breaks += doc.text.matches("\n 编制").count();
        wrapped += doc
            .text
            .lines()
            .filter(|l| l.len() > 4 && l.chars().all(|c| c.is_ascii_digit() || c == ' ') && l.split(' ').count() >= 2)
            .count();
        yuan += (doc.source_unit == budget_etl::model::SourceUnit::Yuan) as usize;
        for t in &doc.tables {
            declared_empty += (t.status == budget_etl::model::TableStatus::DeclaredEmpty) as usize;
            for r in &t.rows {
                ambiguous += r.classes.iter().filter(|c| **c == CellClass::Ambiguous).count();
                // A row printing fewer numbers than columns whose split column is determined
                // (`行政运行 192.76 192.76`).
                if t.table_type == TableType::ExpenditureByFunction
                    && r.values.iter().filter(|v| v.is_some()).count() == 2
                    && r.classes.iter().zip(&r.values).all(|(c, v)| v.is_none() || *c == CellClass::Determined)
                {
                    determined_single += 1;
                }
            }
        }
        let md = generate(seed, Layout::MarkdownTsv, DocKind::Budget);
        missing += md.tables.iter().filter(|t| t.status == budget_etl::model::TableStatus::Missing).count();
    }
    assert!(determined_single > 100, "determined single-column rows: {determined_single}");
    assert!(ambiguous > 50, "ambiguous cells: {ambiguous}");
    assert!(page_breaks > 20, "page breaks: {page_breaks}");
    assert!(wrapped > 0, "number-only lines: {wrapped}");
    assert!(yuan > 3, "元 documents: {yuan}");
    assert!(declared_empty > 60, "declared-empty tables: {declared_empty}");
    assert!(missing > 5, "missing tables: {missing}");
    let text = generate(7, Layout::PdfText, DocKind::Budget).text;
    assert!(text.contains("※ ※ ※"), "numbering lines");
}

#[test]
fn generation_is_deterministic() {
    for layout in [Layout::PdfText, Layout::MarkdownTsv] {
        assert_eq!(generate(42, layout, DocKind::Budget).text, generate(42, layout, DocKind::Budget).text);
    }
    assert_eq!(
        generate(42, Layout::FinalTsv, DocKind::Final).text,
        generate(42, Layout::FinalTsv, DocKind::Final).text
    );
    assert_ne!(generate(1, Layout::PdfText, DocKind::Budget).text, generate(2, Layout::PdfText, DocKind::Budget).text);
}

/// How much the property tests actually assert: the classes of the printed cells of the
/// pdf_text documents (printed for the record; `Open` cells are only checked for "value or
/// reported null").
#[test]
fn pdf_text_claims_are_mostly_decided() {
    let (mut det, mut amb, mut open) = (0usize, 0usize, 0usize);
    for seed in 0..DOCS_PER_LAYOUT {
        let doc = generate_with(seed, Layout::PdfText, DocKind::Budget, &passing_options(Layout::PdfText));
        for t in &doc.tables {
            for r in &t.rows {
                for (v, c) in r.values.iter().zip(&r.classes) {
                    if v.is_some() {
                        match c {
                            CellClass::Determined => det += 1,
                            CellClass::Ambiguous => amb += 1,
                            CellClass::Open => open += 1,
                        }
                    }
                }
            }
        }
    }
    eprintln!("pdf_text printed cells: {det} determined, {amb} ambiguous, {open} open");
    assert!(open * 20 < det + amb, "too many cells the generator cannot classify: {open} of {}", det + amb + open);
}

// ---------------------------------------------------------------------------------------------
// The sample archive
// ---------------------------------------------------------------------------------------------

fn sample_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample")
}

#[test]
fn sample_archive_is_up_to_date() {
    let files = budget_etl_synth::sample_archive();
    assert!(files.len() >= 12);
    for f in &files {
        let path = sample_dir().join(&f.path);
        let on_disk = std::fs::read(&path).unwrap_or_else(|e| {
            panic!("{}: {e} (run `cargo run -p budget-etl-synth --example gen_sample -- sample`)", path.display())
        });
        assert!(
            on_disk == f.bytes(),
            "{} differs from the generator (run `cargo run -p budget-etl-synth --example gen_sample -- sample`)",
            f.path
        );
    }
}

#[test]
fn sample_archive_round_trips() {
    let settings = Settings::default();
    let mut problems = Vec::new();
    let mut encodings = std::collections::BTreeSet::new();
    for f in budget_etl_synth::sample_archive() {
        let out = process_bytes(&f.path, &f.bytes(), &settings);
        encodings.insert(out.document.encoding.clone().unwrap_or_default());
        for p in compare(&f.doc, &out) {
            problems.push(format!("{}: {p}", f.path));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for e in ["utf-8", "gb18030", "utf-16le"] {
        assert!(encodings.contains(e), "no {e} file in the sample: {encodings:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Parser bugs found by the generator (ignored until fixed)
// ---------------------------------------------------------------------------------------------

const GOV_FUND_HEADER: &str = "科目 政府性基金预算支出\n\n功能分类科目编码\n功能分类科目名称 合计\n\n基本支出\n项目支出\n\n类 款 项 人员经费 公用经费\n\n※ ※ ※ ※ 1 2 3 4";

fn gov_fund_doc(rows: &str) -> String {
    format!(
        " 第二部分 2025 年单位预算公开表\n\n表 8\n\n政府性基金预算支出情况表\n\n编制单位：青禾县示范服务中心 单位：万元\n\n{GOV_FUND_HEADER}\n\n{rows}\n"
    )
}

fn rows_of(out: &DocOutput, tt: TableType) -> Vec<&DataRow> {
    out.rows.iter().filter(|(t, _)| *t == tt).map(|(_, r)| r).collect()
}

/// Budget 表8 prints 合计 / 人员经费 / 公用经费 / 项目支出; a row `120.00 120.00` does not say
/// whether the 120.00 is personnel, public or project spending, so the project column must stay
/// null and be reported. The parser derives `total = project` from the final-account rule
/// `total = basic + project` (the budget has no `basic` column) and places it.
#[test]

fn gov_fund_rows_printing_two_numbers_are_ambiguous() {
    let text = gov_fund_doc(
        "总计 120.00 120.00\n\n212 城乡社区支出 120.00 120.00\n\n212 08 国有土地使用权出让收入安排的支出 120.00 120.00\n\n212 08 03 城市建设支出 120.00 120.00",
    );
    let out = process_bytes("gov_fund.txt", text.as_bytes(), &Settings::default());
    let rows = rows_of(&out, TableType::GovFundExpenditure);
    assert_eq!(rows.len(), 4);
    let cols = TableType::GovFundExpenditure.output_columns();
    let project = cols.iter().position(|c| *c == "project").unwrap();
    for r in rows {
        let row_ref = r.key.code.clone().or(r.key.name.clone()).unwrap();
        assert_eq!(r.values[0], Some(Decimal::from(1_200_000)), "{row_ref}: total");
        assert_eq!(r.values[project], None, "{row_ref}: project placed without proof");
        assert!(
            reported(&out, TableType::GovFundExpenditure, &row_ref, "project"),
            "{row_ref}: not reported as column_ambiguous"
        );
    }
}

/// The same rule turns a consistent budget 表8 row with personnel spending into a failing
/// `row_sum` check.
#[test]

fn gov_fund_basic_spending_is_consistent() {
    let text = gov_fund_doc(
        "总计 120.00 15.00 5.00 100.00\n\n212 城乡社区支出 120.00 15.00 5.00 100.00\n\n212 08 国有土地使用权出让收入安排的支出 120.00 15.00 5.00 100.00\n\n212 08 03 城市建设支出 120.00 15.00 5.00 100.00",
    );
    let out = process_bytes("gov_fund_basic.txt", text.as_bytes(), &Settings::default());
    let fails: Vec<String> = out
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Fail)
        .map(|c| format!("{} {:?}: {}", c.check_id, c.row_ref, c.message))
        .collect();
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

/// Property form of the two above: pdf_text budgets that all have government-fund spending.
#[test]

fn pdf_text_gov_fund_budgets_round_trip() {
    let opts = Options { gov_fund_percent: 100, ..passing_options(Layout::PdfText) };
    let failures = run_layout(Layout::PdfText, DocKind::Budget, 0..40, &opts);
    assert!(failures.is_empty(), "{}", report(&failures, 40));
}

/// The template's eleven columns, wrapped as `pdf_text` prints them.
const PROJECT_HEADER: &str = "科目编码\n\n功能分类科目名称 项目名称\n项目支出\n\n合计\n\n工资福利\n\n支出\n\n商品和服\n\n务支出\n\n对个人和\n\n家庭的补\n\n助\n\n债务利息\n\n及费用支\n\n出\n\n资本性支\n\n出（基本\n\n建设）\n\n资本性支\n\n出\n\n对企业补\n\n助（基本\n\n建设）\n\n对企业\n\n补助\n\n对社会保障\n\n基金补助\n其他支出\n\n类 款 项\n\n※ ※ ※ ※ ※ 1 2 3 4 5 6 7 8 9 10 11";

/// A 表7 grouped by sub-unit whose page break repeats the title with （续）: the rows after the
/// break still belong to the last unit heading.
#[test]

fn continued_grouped_project_table_keeps_its_unit() {
    let text = format!(
        " 第二部分 2025 年部门预算公开表\n\n表 7\n\n一般公共预算项目支出情况表\n\n编制部门：云岭市水利局 单位：万元\n\n{PROJECT_HEADER}\n\n\
总计 30.00 30.00\n\n云岭市水利局 10.00 10.00\n\n213 农林水支出 10.00 10.00\n\n213 03 水利 10.00 10.00\n\n\
213 03 06 水利工程运行与维护 河道巡查保洁经费 10.00 10.00\n\n云岭市水利服务中心 20.00 20.00\n\n213 农林水支出 20.00 20.00\n\n\
 一般公共预算项目支出情况表（续）\n\n编制部门：云岭市水利局 单位：万元\n\n{PROJECT_HEADER}\n\n\
213 03 水利 20.00 20.00\n\n213 03 06 水利工程运行与维护 监测设备运维经费 20.00 20.00\n"
    );
    let out = process_bytes("continued.txt", text.as_bytes(), &Settings::default());
    let rows = rows_of(&out, TableType::ProjectExpenditure);
    let units: Vec<(Option<String>, Option<String>)> =
        rows.iter().map(|r| (r.key.code.clone(), r.key.unit.clone())).collect();
    assert_eq!(rows.len(), 9, "{units:?}");
    for r in &rows[6..] {
        assert_eq!(r.key.unit.as_deref(), Some("云岭市水利服务中心"), "{:?} lost its unit", r.key.code);
    }
}

/// Property form: pdf_text department budgets whose grouped 表7 may break under a （续） title.
#[test]

fn pdf_text_continued_grouped_projects_round_trip() {
    let opts =
        Options { continued_grouped_projects: true, unit_scope: Some(false), ..passing_options(Layout::PdfText) };
    let failures = run_layout(Layout::PdfText, DocKind::Budget, 0..120, &opts);
    assert!(failures.is_empty(), "{}", report(&failures, 120));
}

/// markdown_tsv 表7 printing its class / 款 rows (and unit headings) as well as its project
/// rows: those rows leave the 项目名称 cell blank, and the parser takes the cells after the last
/// text cell as the values, so the blank 项目名称 cell becomes `total` and every value moves one
/// column right.
#[test]

fn markdown_project_class_rows_keep_their_columns() {
    let blanks = |n: usize| "\t".repeat(n);
    let text = format!(
        "# 青禾县农业农村局\n\n## 2025 年预算公开\n\n## **第二部分 2025 年部门预算公开表**\n\n表 7\n\n## 一般公共预算项目支出情况表\n\n编制部门：青禾县农业农村局\n\n单位：万元\n\n\
科目编码\t\t\t功能分类科目名称\t项目名称\t项目支出合计\t工资福利支出\t商品和服务支出\t对个人和家庭的补助\t债务利息及费用支出\t资本性支出（基本建设）\t资本性支出\t对企业补助（基本建设）\t对企业补助\t对社会保障基金补助\t其他支出\n\
类\t款\t项{b15}\n\
213\t\t\t农林水支出\t\t30.00\t\t30.00{b8}\n\
213\t1\t\t农业农村\t\t30.00\t\t30.00{b8}\n\
213\t1\t8\t病虫害控制\t病虫害统防统治经费\t30.00\t\t30.00{b8}\n\
\t\t\t\t合计\t30.00\t\t30.00{b8}\n",
        b15 = blanks(13),
        b8 = blanks(8)
    );
    let out = process_bytes("md_projects.md", text.as_bytes(), &Settings::default());
    let cols = TableType::ProjectExpenditure.output_columns();
    let goods = cols.iter().position(|c| *c == "goods_services").unwrap();
    let rows = rows_of(&out, TableType::ProjectExpenditure);
    assert_eq!(rows.len(), 4);
    for r in rows {
        assert_eq!(r.values[0], Some(Decimal::from(300_000)), "{:?}: total", r.key.code);
        assert_eq!(r.values[goods], Some(Decimal::from(300_000)), "{:?}: goods_services", r.key.code);
    }
}

/// A markdown 表6 whose conversion dropped trailing zeros: `313` in the 合计 column of a row
/// is an amount, but the parser's test for the final account's side-by-side 公开06表 layout reads
/// it as an economic code and parses the budget table as three groups of (code, name, amount).
#[test]

fn markdown_economic_table_with_code_like_amounts() {
    let text = "# 青禾县水利局\n\n## 2025 年预算公开\n\n## **第二部分 2025 年部门预算公开表**\n\n表 6\n\n## 一般公共预算基本支出情况表\n\n编制部门：青禾县水利局\n\n单位：万元\n\n\
经济分类科目编码\t\t经济分类科目名称\t一般公共预算基本支出\t\t\n\t\t\t合计\t人员经费\t公用经费\n类\t款\t\t\t\t\n\
301\t\t工资福利支出\t500.5\t500.5\t\n301\t1\t基本工资\t500.5\t500.5\t\n\
302\t\t商品和服务支出\t313\t\t313\n302\t1\t办公费\t313\t\t313\n\t\t合 计\t813.5\t500.5\t313\n";
    let out = process_bytes("md_economic.md", text.as_bytes(), &Settings::default());
    let rows = rows_of(&out, TableType::BasicExpenditureByEconomic);
    let got: Vec<(Option<String>, Option<String>, Option<Decimal>)> =
        rows.iter().map(|r| (r.key.code.clone(), r.key.name.clone(), r.values[0])).collect();
    assert_eq!(rows.len(), 5, "{got:?}");
    assert_eq!(
        got[2],
        (Some("302".to_string()), Some("商品和服务支出".to_string()), Some(Decimal::from(3_130_000))),
        "{got:?}"
    );
}

/// Property form of the markdown 表7 bug above.
#[test]

fn markdown_project_hierarchy_round_trip() {
    let opts = Options { md_project_hierarchy: true, unit_scope: Some(false), ..passing_options(Layout::MarkdownTsv) };
    let failures = run_layout(Layout::MarkdownTsv, DocKind::Budget, 0..60, &opts);
    assert!(failures.is_empty(), "{}", report(&failures, 60));
}

/// Every final with the real corpus' irregular 公开09表 header (30% of the default mix).
#[test]

fn markdown_code_like_amounts_round_trip() {
    let opts = Options { md_code_like_integers: true, ..passing_options(Layout::MarkdownTsv) };
    let failures = run_layout(Layout::MarkdownTsv, DocKind::Budget, 0..600, &opts);
    assert!(failures.is_empty(), "{}", report(&failures, 600));
}

#[test]
fn final_irregular_09_round_trip() {
    let opts = Options { final_irregular_09_percent: 100, ..passing_options(Layout::FinalTsv) };
    let failures = run_layout(Layout::FinalTsv, DocKind::Final, 0..40, &opts);
    assert!(failures.is_empty(), "{}", report(&failures, 40));
}

// ---------------------------------------------------------------------------------------------
// aligned_text and spaced_text (`budget_etl_synth::generate_text`)
// ---------------------------------------------------------------------------------------------

/// Documents per kind in the aligned_text / spaced_text property tests.
const TEXT_DOCS: u64 = 120;

/// Budgets: every value back exactly (a group cell spans the columns under it, blank or not; an
/// all-blank 表10 keeps its item rows).
#[test]
fn aligned_text_budgets_round_trip() {
    aligned_property(DocKind::Budget);
}

#[test]
#[ignore = "parser bug: aligned_text finals — the grid reader has no 公开06表 side-by-side groups; \
            公开02表's wrapped 上级补助/收入 is fitted as a group cell over 事业收入's 小计; some \
            公开07表 (三公) fail with no rows"]
fn aligned_text_finals_round_trip() {
    aligned_property(DocKind::Final);
}

/// `pdftotext -layout` keeps every column's position: every generated value comes back exactly.
fn aligned_property(kind: DocKind) {
    let settings = Settings::default();
    let opts = passing_options(Layout::AlignedText);
    let mut failures = Vec::new();
    for seed in 0..TEXT_DOCS {
        let doc = generate_text(seed, TextLayout::Aligned, kind, &opts);
        let out = process_bytes(&doc.file_name, doc.text.as_bytes(), &settings);
        record(&mut failures, seed, &doc, compare(&doc, &out));
    }
    assert!(failures.is_empty(), "{}", report(&failures, TEXT_DOCS));
}

/// How the values of one document came back: right, wrong (a number where the truth differs or
/// is blank), null with a `column_ambiguous` report, null without one.
#[derive(Default)]
struct Recall {
    printed: usize,
    right: usize,
    reported_null: usize,
    silent_null: usize,
    rows_missing: usize,
    wrong: Vec<String>,
}

fn recall_of(doc: &SynthDoc, out: &DocOutput, acc: &mut Recall) {
    let factor = doc.source_unit.factor();
    for et in &doc.tables {
        let tt = et.table_type;
        let got_rows: Vec<&DataRow> = out.rows.iter().filter(|(t, _)| *t == tt).map(|(_, r)| r).collect();
        let got = keyed(got_rows.iter().map(|r| (key_string(&r.key), *r)).collect());
        for (k, er) in keyed(et.rows.iter().map(|r| (key_string(&r.key), r)).collect()) {
            let printed = er.values.iter().filter(|v| v.is_some()).count();
            acc.printed += printed;
            let Some(gr) = got.get(&k) else {
                acc.rows_missing += 1;
                acc.silent_null += printed;
                continue;
            };
            for (i, col) in tt.output_columns().iter().enumerate() {
                let want = er.values[i].map(|v| v * factor);
                match (want, gr.values[i]) {
                    (None, None) => {}
                    (Some(w), Some(g)) if w == g => acc.right += 1,
                    (w, Some(g)) => acc.wrong.push(format!(
                        "seed {} {} row {:?} (line {}) {col}: want {w:?}, got {g}",
                        doc.seed,
                        tt.as_str(),
                        er.reference(),
                        er.line
                    )),
                    (Some(_), None) if reported(out, tt, &er.reference(), col) => acc.reported_null += 1,
                    (Some(_), None) => acc.silent_null += 1,
                }
            }
        }
    }
}

/// pdfplumber-style text drops blank cells: until a `spaced_text` reader lands the text goes
/// through whichever reader layout detection picks. A value may come back null (reported or
/// not: that is the recall printed), never wrong.
#[test]
fn spaced_text_is_never_wrong() {
    text_never_wrong(TextLayout::Spaced);
}

#[test]
#[ignore = "parser bug: see aligned_text_budgets_round_trip / aligned_text_finals_round_trip"]
fn aligned_text_is_never_wrong() {
    text_never_wrong(TextLayout::Aligned);
}

/// The renderings carry their layouts' marks: pages and wrapped header words in aligned_text,
/// single spaces and dropped blanks in spaced_text, no tab in either.
#[test]
fn text_layouts_carry_their_hazards() {
    let opts = Options::default();
    let (mut form_feeds, mut wrapped, mut dropped) = (0, 0, 0);
    for seed in 0..20 {
        for kind in [DocKind::Budget, DocKind::Final] {
            let aligned = generate_text(seed, TextLayout::Aligned, kind, &opts);
            let spaced = generate_text(seed, TextLayout::Spaced, kind, &opts);
            assert!(!aligned.text.contains('\t') && !spaced.text.contains('\t'));
            assert_eq!(aligned.layout, Layout::AlignedText);
            form_feeds += aligned.text.matches('\u{c}').count();
            // A header word continued on the line below at the same position.
            let lines: Vec<&str> = aligned.text.lines().collect();
            wrapped += lines
                .windows(2)
                .filter(|w| w[0].contains("安排的") && w[1].trim_start().chars().next().is_some_and(|c| !c.is_ascii()))
                .count();
            let tsv = generate_with(
                seed,
                if kind == DocKind::Budget { Layout::MarkdownTsv } else { Layout::FinalTsv },
                kind,
                &opts,
            );
            dropped += tsv.text.matches("\t\t").count();
            for l in spaced.text.lines().filter(|l| l.chars().any(|c| c.is_ascii_digit())) {
                assert!(!l.contains("  "), "spaced_text line with a run of spaces: {l:?}");
            }
        }
    }
    assert!(form_feeds >= 40 * 9, "form feeds: {form_feeds}");
    assert!(wrapped > 20, "wrapped header words: {wrapped}");
    assert!(dropped > 100, "blank cells dropped: {dropped}");
}

fn text_never_wrong(layout: TextLayout) {
    let settings = Settings::default();
    let opts = passing_options(Layout::PdfText);
    for kind in [DocKind::Budget, DocKind::Final] {
        let mut acc = Recall::default();
        for seed in 0..TEXT_DOCS {
            let doc = generate_text(seed, layout, kind, &opts);
            let out = process_bytes(&doc.file_name, doc.text.as_bytes(), &settings);
            recall_of(&doc, &out, &mut acc);
        }
        eprintln!(
            "{} {}: {} printed values in {TEXT_DOCS} documents: {} right ({:.1}%), {} null reported \
             ambiguous, {} null unreported ({} rows not found), {} wrong",
            layout.as_str(),
            kind.as_str(),
            acc.printed,
            acc.right,
            100.0 * acc.right as f64 / acc.printed.max(1) as f64,
            acc.reported_null,
            acc.silent_null,
            acc.rows_missing,
            acc.wrong.len()
        );
        assert!(
            acc.wrong.is_empty(),
            "{} wrong values:\n{}",
            acc.wrong.len(),
            acc.wrong[..acc.wrong.len().min(12)].join("\n")
        );
    }
}

/// `facts` holds every printed amount once: in the tab-separated layouts (every cell placed) the
/// facts of a document are exactly its generated non-blank cells, less the cells the contract
/// derives (a final 公开06表's `total` beside its `personnel` / `public`).
#[test]
fn facts_are_the_printed_amounts_of_generated_documents() {
    let settings = Settings::default();
    for (layout, kind) in [(Layout::MarkdownTsv, DocKind::Budget), (Layout::FinalTsv, DocKind::Final)] {
        for seed in 0..40 {
            let doc = generate_with(seed, layout, kind, &passing_options(layout));
            let out = process_bytes(&doc.file_name, doc.text.as_bytes(), &settings);
            let mut printed = 0;
            for t in &doc.tables {
                let cols = t.table_type.output_columns();
                for r in &t.rows {
                    let has = |c: &str| cols.iter().position(|x| *x == c).is_some_and(|i| r.values[i].is_some());
                    let derived = t.table_type == TableType::BasicExpenditureByEconomic
                        && kind == DocKind::Final
                        && (has("personnel") || has("public"));
                    printed +=
                        cols.iter().zip(&r.values).filter(|(c, v)| v.is_some() && !(derived && **c == "total")).count();
                }
            }
            assert_eq!(out.facts.len(), printed, "{} seed {seed}: facts vs printed amounts", layout.as_str());
        }
    }
}
