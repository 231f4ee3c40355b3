//! Scale-out: N shard runs write `part-K-of-N.parquet` files into one output; together they hold
//! exactly the rows of one unsharded run.

use crate::common;

use budget_etl::config::Settings;
use budget_etl::sink::Shard;
use polars::prelude::*;
use std::path::Path;

fn read_all(dir: &Path) -> DataFrame {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "parquet"))
        .map(|e| e.path().to_path_buf())
        .collect();
    files.sort();
    let mut all: Option<DataFrame> = None;
    for f in files {
        let mut df = ParquetReader::new(std::fs::File::open(&f).unwrap()).finish().unwrap();
        // The Hive partition value, as readers add it.
        let year = f
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .strip_prefix("fiscal_year=")
            .map(|y| y.parse::<i32>().unwrap());
        if let Some(y) = year {
            df.with_column(Column::new("fiscal_year".into(), vec![y; df.height()])).unwrap();
        }
        all = Some(match all {
            None => df,
            Some(mut a) => {
                a.vstack_mut(&df).unwrap();
                a
            }
        });
    }
    all.unwrap()
}

fn sorted(df: DataFrame, by: &[&str]) -> DataFrame {
    df.sort(by.iter().map(|s| s.to_string()).collect::<Vec<_>>(), SortMultipleOptions::default()).unwrap()
}

#[test]
fn shards_together_equal_one_run() {
    let Some(shared) = common::shared_or_skip("shards_together_equal_one_run") else { return };
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    for (name, bytes) in common::real_documents(&shared) {
        let text = String::from_utf8(bytes).unwrap();
        for i in 0..5 {
            let p = input.join(format!("{i}")).join(&name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text.replace("库尔勒市", &format!("样例{i}市"))).unwrap();
        }
    }
    let whole = dir.path().join("whole");
    budget_etl::run::run(&Settings { input: input.clone(), output: whole.clone(), ..Default::default() }, false)
        .unwrap();
    let sharded = dir.path().join("sharded");
    let n = 3;
    let mut docs = 0;
    for k in 0..n {
        let settings = Settings { input: input.clone(), output: sharded.clone(), ..Default::default() };
        let s = budget_etl::run::run_shard(&settings, Some(Shard { index: k, count: n }), false).unwrap();
        docs += s.documents;
        assert!(sharded.join("documents").join(format!("part-{k}-of-{n}.parquet")).exists());
    }
    assert_eq!(docs, 20, "every document is in exactly one shard");
    for tt in budget_etl::model::TableType::ALL {
        let a = whole.join(tt.as_str());
        let b = sharded.join(tt.as_str());
        assert_eq!(a.exists(), b.exists(), "{}", tt.as_str());
        if !a.exists() {
            continue;
        }
        let (x, y) = (sorted(read_all(&a), &["doc_id", "row_no"]), sorted(read_all(&b), &["doc_id", "row_no"]));
        assert!(x.equals_missing(&y), "{}: sharded rows differ from one run", tt.as_str());
    }
    let x = sorted(read_all(&whole.join("documents.parquet")), &["source_path"]);
    let y = sorted(read_all(&sharded.join("documents")), &["source_path"]);
    assert!(x.equals_missing(&y), "documents differ");
    let x = read_all(&whole.join("checks.parquet")).height();
    let y = read_all(&sharded.join("checks")).height();
    assert_eq!(x, y, "checks differ");
}

#[test]
fn shard_spec_is_validated() {
    assert_eq!(Shard::parse("1/4"), Ok(Shard { index: 1, count: 4 }));
    assert!(Shard::parse("4/4").is_err());
    assert!(Shard::parse("x/4").is_err());
    assert!(Shard::parse("0/0").is_err());
}
