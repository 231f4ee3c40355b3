//! The comparison logic of `budget-etl diff`, as pure functions over polars frames (no I/O, no
//! printing): published snapshots -> one long "cell" frame keyed by (department through the
//! aliases, doc_kind, fiscal_year, scope, table_type, row key + occurrence, column); two snapshots ->
//! the documents added / removed / changed and every changed cell with old, new and delta; one
//! snapshot -> the cells of one department in year A against year B (budget vs budget, final vs
//! final, or budget against final) with delta and percentage.

use crate::model::{DocKind, KeyShape, TableType};
use polars::prelude::*;
use std::collections::BTreeMap;

/// One published snapshot, as read from its Parquet files.
#[derive(Debug, Clone, Default)]
pub struct SnapshotFrames {
    /// `documents.parquet` as published.
    pub documents: DataFrame,
    /// Every partition of a table type stacked, with the `fiscal_year` (Int32) partition column
    /// added back. Table types without any partition are absent.
    pub tables: BTreeMap<TableType, DataFrame>,
}

/// What changed between two snapshots.
#[derive(Debug, Clone)]
pub struct SnapshotDiff {
    /// One row per document key present in either snapshot, see [`DOCUMENT_COLUMNS`].
    pub documents: DataFrame,
    /// One row per changed cell of a document present in both snapshots, see [`CELL_COLUMNS`].
    pub cells: DataFrame,
}

impl SnapshotDiff {
    /// Nothing was added, removed or changed.
    pub fn is_empty(&self) -> PolarsResult<bool> {
        Ok(self.cells.height() == 0 && count_where(&self.documents, "change", |c| c != "unchanged")? == 0)
    }
}

/// Year A against year B within one snapshot.
#[derive(Debug, Clone)]
pub struct YearsDiff {
    /// One row per department key found on either side: `department`, `in_old`, `in_new`,
    /// `old_doc_id`, `new_doc_id` (the first, when a side has several), `old_documents`,
    /// `new_documents` (how many).
    pub departments: DataFrame,
    /// One row per cell of a department present on both sides where either value is printed,
    /// see [`YEAR_COLUMNS`].
    pub cells: DataFrame,
}

/// Which documents of one snapshot a side of a year comparison takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Side {
    pub fiscal_year: i32,
    pub kind: DocKind,
}

/// Columns of [`SnapshotDiff::documents`].
pub const DOCUMENT_COLUMNS: &[&str] = &[
    "department",
    "doc_kind",
    "fiscal_year",
    "scope",
    "occurrence",
    "change",
    "cells_changed",
    "old_doc_id",
    "new_doc_id",
    "old_source_path",
    "new_source_path",
    "old_status",
    "new_status",
];

/// Columns of [`SnapshotDiff::cells`] (the `--output` change list).
pub const CELL_COLUMNS: &[&str] = &[
    "department",
    "doc_kind",
    "fiscal_year",
    "scope",
    "table_type",
    "row_key",
    "occurrence",
    "label",
    "column",
    "change",
    "old",
    "new",
    "delta",
    "old_doc_id",
    "new_doc_id",
    "old_row_no",
    "new_row_no",
];

/// Columns of [`YearsDiff::cells`].
pub const YEAR_COLUMNS: &[&str] = &[
    "department",
    "table_type",
    "row_key",
    "occurrence",
    "label",
    "column",
    "old_year",
    "old_kind",
    "new_year",
    "new_kind",
    "old",
    "new",
    "delta",
    "pct",
    "old_doc_id",
    "new_doc_id",
    "old_row_no",
    "new_row_no",
];

fn money() -> DataType {
    DataType::Decimal(18, 2)
}

fn zero() -> Expr {
    lit(0i64).cast(money())
}

/// A string column, or an all-null string when the frame does not have it (older snapshot).
fn text(schema: &Schema, name: &str) -> Expr {
    if schema.contains(name) {
        col(name).cast(DataType::String)
    } else {
        lit(NULL).cast(DataType::String)
    }
}

/// The same, with null as "" (key parts are never null, so joins match them).
fn part(schema: &Schema, name: &str) -> Expr {
    text(schema, name).fill_null(lit(""))
}

/// `a / b`, or just the non-empty one.
fn join_parts(a: Expr, b: Expr) -> Expr {
    when(a.clone().eq(lit("")))
        .then(b.clone())
        .when(b.clone().eq(lit("")))
        .then(a.clone())
        .otherwise(a + lit(" / ") + b)
}

/// The row key (without the occurrence) and the printed label of a row, by key shape.
/// `basis_in_key`: whether the three_public `basis` is part of the key (not when a budget's
/// 预算数 is compared with a final's 决算数).
fn row_key_exprs(tt: TableType, schema: &Schema, basis_in_key: bool) -> (Expr, Expr) {
    let coded = || {
        let code = part(schema, "code");
        let total = text(schema, "level").cast(DataType::Int32).eq(lit(0)).and(code.clone().eq(lit("")));
        when(total).then(lit("total")).when(code.clone().eq(lit(""))).then(part(schema, "name")).otherwise(code)
    };
    match tt.key_shape() {
        KeyShape::TwoSided => (part(schema, "side") + lit(":") + part(schema, "item"), part(schema, "item")),
        KeyShape::Coded => (coded(), part(schema, "name")),
        KeyShape::Project => {
            let key = join_parts(join_parts(part(schema, "unit"), coded()), part(schema, "project_name"));
            let label = when(part(schema, "project_name").eq(lit("")))
                .then(part(schema, "name"))
                .otherwise(part(schema, "project_name"));
            (key, label)
        }
        KeyShape::ThreePublic => {
            let key = if basis_in_key {
                part(schema, "item") + lit(":") + part(schema, "basis")
            } else {
                part(schema, "item")
            };
            (key, part(schema, "item_name"))
        }
        KeyShape::Item => (part(schema, "item"), part(schema, "item")),
    }
}

/// Options for building the long cell frame.
#[derive(Debug, Clone, Copy)]
struct LongOptions {
    basis_in_key: bool,
    /// Keep only three_public rows of this basis (for a final compared with a budget).
    three_public_final_basis: Option<&'static str>,
    /// Keep only the value columns both kinds print (budget against final).
    comparable_columns_only: bool,
}

const LONG_KEY: &[&str] =
    &["department", "doc_kind", "fiscal_year", "scope", "table_type", "row_key", "occurrence", "column"];

/// `printed -> key` as a two-column frame for joining.
fn alias_frame(aliases: &BTreeMap<String, String>) -> PolarsResult<LazyFrame> {
    let printed: Vec<&str> = aliases.keys().map(String::as_str).collect();
    let key: Vec<&str> = aliases.values().map(String::as_str).collect();
    Ok(DataFrame::new_infer_height(vec![Column::new("__printed".into(), printed), Column::new("__alias".into(), key)])?
        .lazy())
}

/// Replaces `department` by its alias (through a join).
fn apply_aliases(lf: LazyFrame, aliases: &BTreeMap<String, String>) -> PolarsResult<LazyFrame> {
    Ok(lf
        .join(alias_frame(aliases)?, [col("department")], [col("__printed")], JoinArgs::new(JoinType::Left))
        .with_column(
            when(col("__alias").is_not_null()).then(col("__alias")).otherwise(col("department")).alias("department"),
        ))
}

/// Documents with their key: department (aliased; `(unreadable) <path>` when it has none),
/// doc_kind, fiscal_year, scope, and an occurrence counter among documents sharing the key
/// (ordered by source path).
fn document_keys(docs: &DataFrame, aliases: &BTreeMap<String, String>) -> PolarsResult<LazyFrame> {
    let schema = docs.schema();
    let lf = docs.clone().lazy().select([
        part(schema, "doc_id").alias("doc_id"),
        part(schema, "source_path").alias("source_path"),
        when(text(schema, "department").is_null())
            .then(lit("(unreadable) ") + part(schema, "source_path"))
            .otherwise(text(schema, "department"))
            .alias("department"),
        part(schema, "doc_kind").alias("doc_kind"),
        if schema.contains("fiscal_year") {
            col("fiscal_year").cast(DataType::Int32).fill_null(lit(0))
        } else {
            lit(0i32)
        }
        .alias("fiscal_year"),
        part(schema, "scope").alias("scope"),
        part(schema, "status").alias("status"),
    ]);
    let key = ["department", "doc_kind", "fiscal_year", "scope"].map(col);
    Ok(apply_aliases(lf, aliases)?
        .sort(
            ["department", "doc_kind", "fiscal_year", "scope", "source_path", "doc_id"],
            SortMultipleOptions::default(),
        )
        .with_row_index("__index", None)
        .with_column(occurrence(key)?)
        .select(
            ["doc_id", "source_path", "department", "doc_kind", "fiscal_year", "scope", "occurrence", "status"]
                .map(col),
        ))
}

/// One table type's rows -> long cells: the key columns of [`LONG_KEY`] plus `label`, `value`
/// (Decimal(18,2), never null: blank cells are left out), `doc_id`, `row_no`, `tt_idx`,
/// `col_idx` (for ordering).
fn long_cells(tt: TableType, rows: &DataFrame, docs: LazyFrame, opts: LongOptions) -> PolarsResult<Option<LazyFrame>> {
    let schema = rows.schema();
    let mut columns: Vec<(usize, &str)> =
        tt.output_columns().iter().copied().enumerate().filter(|(_, c)| schema.contains(c)).collect();
    if opts.comparable_columns_only {
        let budget = tt.printed_columns(DocKind::Budget, None).unwrap_or(&[]);
        let fin = tt.printed_columns(DocKind::Final, None).unwrap_or(&[]);
        columns.retain(|(_, c)| budget.contains(c) && fin.contains(c));
    }
    if columns.is_empty() || rows.height() == 0 {
        return Ok(None);
    }
    let (row_key, label) = row_key_exprs(tt, schema, opts.basis_in_key);
    let mut lf = rows.clone().lazy();
    if let (KeyShape::ThreePublic, Some(basis)) = (tt.key_shape(), opts.three_public_final_basis) {
        lf = lf.filter(part(schema, "doc_kind").neq(lit("final")).or(part(schema, "basis").eq(lit(basis))));
    }
    let mut select = vec![
        part(schema, "doc_id").alias("doc_id"),
        text(schema, "department").alias("department"),
        part(schema, "doc_kind").alias("doc_kind"),
        col("fiscal_year").cast(DataType::Int32).alias("fiscal_year"),
        lit(tt.as_str()).alias("table_type"),
        lit(TableType::ALL.iter().position(|t| *t == tt).unwrap_or(0) as i32).alias("tt_idx"),
        row_key.alias("row_key"),
        label.alias("label"),
        if schema.contains("row_no") { col("row_no").cast(DataType::Int32) } else { lit(0i32) }.alias("row_no"),
    ];
    select.extend(columns.iter().map(|(_, c)| col(*c).cast(money())));
    // Department and scope come from the document (so they go through the same aliasing).
    let lf = lf
        .select(select)
        .join(
            docs.select([col("doc_id"), col("department").alias("__doc_department"), col("scope"), col("source_path")]),
            [col("doc_id")],
            [col("doc_id")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(
            when(col("__doc_department").is_not_null())
                .then(col("__doc_department"))
                .otherwise(col("department").fill_null(lit("")))
                .alias("department"),
        )
        .with_column(col("scope").fill_null(lit("")))
        .with_column(col("source_path").fill_null(lit("")));
    let group = ["department", "doc_kind", "fiscal_year", "scope", "table_type", "row_key"].map(col);
    let lf = lf
        .sort(
            ["department", "doc_kind", "fiscal_year", "scope", "row_key", "source_path", "doc_id", "row_no"],
            SortMultipleOptions::default(),
        )
        .with_row_index("__index", None)
        .with_column(occurrence(group)?);
    let mut parts = Vec::new();
    for (idx, name) in columns {
        parts.push(lf.clone().filter(col(name).is_not_null()).select([
            col("department"),
            col("doc_kind"),
            col("fiscal_year"),
            col("scope"),
            col("table_type"),
            col("row_key"),
            col("occurrence"),
            lit(name).alias("column"),
            col("label"),
            col(name).alias("value"),
            col("doc_id"),
            col("row_no"),
            col("tt_idx"),
            lit(idx as i32).alias("col_idx"),
        ]));
    }
    Ok(Some(concat(parts, UnionArgs::default())?))
}

/// An empty long cell frame (a snapshot without any table rows).
fn empty_long() -> PolarsResult<LazyFrame> {
    let s = |n: &str| Column::new_empty(n.into(), &DataType::String);
    let i = |n: &str| Column::new_empty(n.into(), &DataType::Int32);
    Ok(DataFrame::new_infer_height(vec![
        s("department"),
        s("doc_kind"),
        i("fiscal_year"),
        s("scope"),
        s("table_type"),
        s("row_key"),
        i("occurrence"),
        s("column"),
        s("label"),
        Column::new_empty("value".into(), &money()),
        s("doc_id"),
        i("row_no"),
        i("tt_idx"),
        i("col_idx"),
    ])?
    .lazy())
}

/// Every printed cell of a snapshot in long form (see [`long_cells`]).
fn all_cells(snap: &SnapshotFrames, aliases: &BTreeMap<String, String>, opts: LongOptions) -> PolarsResult<LazyFrame> {
    let docs = document_keys(&snap.documents, aliases)?.cache();
    let mut parts = vec![empty_long()?];
    for (tt, rows) in &snap.tables {
        if let Some(lf) = long_cells(*tt, rows, docs.clone(), opts)? {
            parts.push(lf);
        }
    }
    concat(parts, UnionArgs::default())
}

/// 1-based position of a row among the rows sharing `group`. The frame must be sorted so that
/// each group's rows are contiguous and in order; the row index is added after that sort.
fn occurrence<const N: usize>(group: [Expr; N]) -> PolarsResult<Expr> {
    // (`int_range().over()` and `cum_count` need polars features this crate does not enable.)
    let first = col("__index").cast(DataType::Int64).min().over(group)?;
    Ok((col("__index").cast(DataType::Int64) - first + lit(1i64)).cast(DataType::Int32).alias("occurrence"))
}

fn renamed(lf: LazyFrame, prefix: &str, keys: &[&str], others: &[&str]) -> LazyFrame {
    let mut cols: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
    cols.extend(others.iter().map(|o| col(*o).alias(format!("{prefix}{o}"))));
    lf.select(cols)
}

/// `new - old` with a missing side counted as 0, as Decimal(18,2).
fn delta() -> Expr {
    (col("new").fill_null(zero()) - col("old").fill_null(zero())).cast(money()).alias("delta")
}

/// Compares two snapshots cell by cell. Documents are matched by (department through the
/// aliases, doc_kind, fiscal_year, scope, occurrence); cells of documents present in both are
/// compared by (that, table_type, row_key, occurrence, column). A cell whose value appears
/// (`added`), disappears (`removed`) or differs (`changed`) is reported; cells of documents
/// only in one snapshot are not (the document is reported `added` / `removed`).
pub fn diff_snapshots(
    old: &SnapshotFrames,
    new: &SnapshotFrames,
    aliases: &BTreeMap<String, String>,
) -> PolarsResult<SnapshotDiff> {
    let doc_key = ["department", "doc_kind", "fiscal_year", "scope", "occurrence"];
    let old_docs = document_keys(&old.documents, aliases)?;
    let new_docs = document_keys(&new.documents, aliases)?;
    let docs = renamed(old_docs, "old_", &doc_key, &["doc_id", "source_path", "status"])
        .with_column(lit(true).alias("__in_old"))
        .join(
            renamed(new_docs, "new_", &doc_key, &["doc_id", "source_path", "status"])
                .with_column(lit(true).alias("__in_new")),
            doc_key.map(col),
            doc_key.map(col),
            JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
        )
        .cache();
    let both = docs
        .clone()
        .filter(col("__in_old").is_not_null().and(col("__in_new").is_not_null()))
        .select([col("old_doc_id"), col("new_doc_id")]);

    let opts = LongOptions { basis_in_key: true, three_public_final_basis: None, comparable_columns_only: false };
    let others = ["label", "value", "doc_id", "row_no", "tt_idx", "col_idx"];
    // Only documents present in both snapshots (inner joins on the document ids).
    let old_cells = renamed(all_cells(old, aliases, opts)?, "old_", LONG_KEY, &others).join(
        both.clone().select([col("old_doc_id")]),
        [col("old_doc_id")],
        [col("old_doc_id")],
        JoinArgs::new(JoinType::Inner),
    );
    let new_cells = renamed(all_cells(new, aliases, opts)?, "new_", LONG_KEY, &others).join(
        both.select([col("new_doc_id")]),
        [col("new_doc_id")],
        [col("new_doc_id")],
        JoinArgs::new(JoinType::Inner),
    );
    let cells = old_cells
        .join(
            new_cells,
            LONG_KEY.iter().map(|k| col(*k)).collect::<Vec<_>>(),
            LONG_KEY.iter().map(|k| col(*k)).collect::<Vec<_>>(),
            JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
        )
        .rename(["old_value", "new_value"], ["old", "new"], true)
        .filter(col("old").neq_missing(col("new")))
        .with_columns([
            when(col("old").is_null())
                .then(lit("added"))
                .when(col("new").is_null())
                .then(lit("removed"))
                .otherwise(lit("changed"))
                .alias("change"),
            delta(),
            when(col("new_label").is_not_null()).then(col("new_label")).otherwise(col("old_label")).alias("label"),
            when(col("new_tt_idx").is_not_null()).then(col("new_tt_idx")).otherwise(col("old_tt_idx")).alias("__tt"),
            when(col("new_row_no").is_not_null()).then(col("new_row_no")).otherwise(col("old_row_no")).alias("__row"),
            when(col("new_col_idx").is_not_null())
                .then(col("new_col_idx"))
                .otherwise(col("old_col_idx"))
                .alias("__col"),
        ])
        .sort(
            ["department", "doc_kind", "fiscal_year", "scope", "__tt", "__row", "row_key", "occurrence", "__col"],
            SortMultipleOptions::default(),
        )
        .select(CELL_COLUMNS.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .collect()?;

    let counts = cells
        .clone()
        .lazy()
        .group_by(["old_doc_id", "new_doc_id"].map(col))
        .agg([len().cast(DataType::Int32).alias("cells_changed")]);
    let documents = docs
        .join(
            counts,
            [col("old_doc_id"), col("new_doc_id")],
            [col("old_doc_id"), col("new_doc_id")],
            JoinArgs::new(JoinType::Left),
        )
        .with_column(col("cells_changed").fill_null(lit(0i32)))
        .with_column(
            when(col("__in_old").is_null())
                .then(lit("added"))
                .when(col("__in_new").is_null())
                .then(lit("removed"))
                .when(
                    col("old_doc_id")
                        .neq(col("new_doc_id"))
                        .or(col("old_status").neq(col("new_status")))
                        .or(col("cells_changed").gt(lit(0i32))),
                )
                .then(lit("changed"))
                .otherwise(lit("unchanged"))
                .alias("change"),
        )
        .sort(["department", "doc_kind", "fiscal_year", "scope", "occurrence"], SortMultipleOptions::default())
        .select(DOCUMENT_COLUMNS.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .collect()?;
    Ok(SnapshotDiff { documents, cells })
}

/// The two sides a `--kind` compares: `budget` (budget A vs budget B), `final` (final A vs
/// final B), `budget-final` (预决算对比: the budget of year A against the final account of year
/// B; pass the same year twice for one year's execution).
pub fn sides_for(kind: &str, year_a: i32, year_b: i32) -> Result<(Side, Side), String> {
    let (ka, kb) = match kind {
        "budget" => (DocKind::Budget, DocKind::Budget),
        "final" => (DocKind::Final, DocKind::Final),
        "budget-final" => (DocKind::Budget, DocKind::Final),
        other => return Err(format!("--kind {other:?} is not one of budget, final, budget-final")),
    };
    Ok((Side { fiscal_year: year_a, kind: ka }, Side { fiscal_year: year_b, kind: kb }))
}

/// Compares, within one snapshot, every department's cells of side `a` with side `b`, keyed by
/// (department through the aliases, table_type, row_key, occurrence, column). Departments are
/// compared only when they have documents on both sides; a cell printed on one side only counts
/// the other as 0 for `delta` (`pct` is null then, and when the old value is 0). Budget against
/// final: only the value columns both templates print, and the final's 三公 决算数 (`actual`)
/// against the budget's 预算数.
pub fn diff_years(
    snap: &SnapshotFrames,
    aliases: &BTreeMap<String, String>,
    a: Side,
    b: Side,
) -> PolarsResult<YearsDiff> {
    let mixed = a.kind != b.kind;
    let opts = LongOptions {
        basis_in_key: !mixed,
        three_public_final_basis: mixed.then_some("actual"),
        comparable_columns_only: mixed,
    };
    let cells = all_cells(snap, aliases, opts)?.cache();
    let docs = document_keys(&snap.documents, aliases)?.cache();
    let side_docs = |s: Side| {
        docs.clone()
            .filter(col("fiscal_year").eq(lit(s.fiscal_year)).and(col("doc_kind").eq(lit(s.kind.as_str()))))
            .group_by([col("department")])
            .agg([col("doc_id").min().alias("doc_id"), len().cast(DataType::Int32).alias("documents")])
    };
    let departments = side_docs(a)
        .select([
            col("department"),
            col("doc_id").alias("old_doc_id"),
            col("documents").alias("old_documents"),
            lit(true).alias("in_old"),
        ])
        .join(
            side_docs(b).select([
                col("department"),
                col("doc_id").alias("new_doc_id"),
                col("documents").alias("new_documents"),
                lit(true).alias("in_new"),
            ]),
            [col("department")],
            [col("department")],
            JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
        )
        .with_columns([
            col("in_old").fill_null(lit(false)),
            col("in_new").fill_null(lit(false)),
            col("old_documents").fill_null(lit(0i32)),
            col("new_documents").fill_null(lit(0i32)),
        ])
        .sort(["department"], SortMultipleOptions::default())
        .select(
            ["department", "in_old", "in_new", "old_doc_id", "new_doc_id", "old_documents", "new_documents"].map(col),
        )
        .collect()?;
    let matched = departments.clone().lazy().filter(col("in_old").and(col("in_new"))).select([col("department")]);

    let key = ["department", "table_type", "row_key", "occurrence", "column"];
    let others = ["label", "value", "doc_id", "row_no", "tt_idx", "col_idx"];
    let side = |s: Side, prefix: &str| {
        renamed(
            cells
                .clone()
                .filter(col("fiscal_year").eq(lit(s.fiscal_year)).and(col("doc_kind").eq(lit(s.kind.as_str())))),
            prefix,
            &key,
            &others,
        )
        .join(matched.clone(), [col("department")], [col("department")], JoinArgs::new(JoinType::Inner))
    };
    let cells = side(a, "old_")
        .join(
            side(b, "new_"),
            key.map(col),
            key.map(col),
            JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
        )
        .rename(["old_value", "new_value"], ["old", "new"], true)
        .with_columns([
            delta(),
            when(col("old").is_not_null().and(col("new").is_not_null()).and(col("old").neq(zero())))
                .then(
                    (col("new").cast(DataType::Float64) - col("old").cast(DataType::Float64))
                        / col("old").cast(DataType::Float64)
                        * lit(100.0),
                )
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("pct"),
            when(col("new_label").is_not_null()).then(col("new_label")).otherwise(col("old_label")).alias("label"),
            lit(a.fiscal_year).alias("old_year"),
            lit(a.kind.as_str()).alias("old_kind"),
            lit(b.fiscal_year).alias("new_year"),
            lit(b.kind.as_str()).alias("new_kind"),
            when(col("new_tt_idx").is_not_null()).then(col("new_tt_idx")).otherwise(col("old_tt_idx")).alias("__tt"),
            when(col("old_row_no").is_not_null()).then(col("old_row_no")).otherwise(col("new_row_no")).alias("__row"),
            when(col("new_col_idx").is_not_null())
                .then(col("new_col_idx"))
                .otherwise(col("old_col_idx"))
                .alias("__col"),
        ])
        .sort(["department", "__tt", "__row", "row_key", "occurrence", "__col"], SortMultipleOptions::default())
        .select(YEAR_COLUMNS.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .collect()?;
    Ok(YearsDiff { departments, cells })
}

/// The `n` rows with the largest absolute `delta` (ties in the frame's order).
pub fn largest_changes(cells: &DataFrame, n: usize) -> PolarsResult<DataFrame> {
    let abs = when(col("delta").lt(zero())).then(zero() - col("delta")).otherwise(col("delta"));
    cells
        .clone()
        .lazy()
        .with_row_index("__order", None)
        .with_column(abs.cast(money()).alias("__abs"))
        .sort(
            ["__abs", "__order"],
            SortMultipleOptions::default().with_order_descending_multi([true, false]).with_nulls_last(true),
        )
        .limit(n as IdxSize)
        .drop(by_name(["__abs", "__order"], true, false))
        .collect()
}

/// The cells printed on both sides (`both`), or on one side only (`!both`).
pub fn printed_on_both(cells: &DataFrame, both: bool) -> PolarsResult<DataFrame> {
    let on_both = col("old").is_not_null().and(col("new").is_not_null());
    cells.clone().lazy().filter(if both { on_both } else { on_both.not() }).collect()
}

/// How many rows of a string column satisfy `pred`.
pub fn count_where(df: &DataFrame, column: &str, pred: impl Fn(&str) -> bool) -> PolarsResult<usize> {
    Ok(df.column(column)?.str()?.iter().filter(|v| v.is_some_and(&pred)).count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(rows: &[(&str, &str, &str, i32)]) -> DataFrame {
        let c = |f: fn(&(&str, &str, &str, i32)) -> String, name: &str| {
            Column::new(name.into(), rows.iter().map(f).collect::<Vec<_>>())
        };
        DataFrame::new_infer_height(vec![
            c(|r| r.0.to_string(), "doc_id"),
            c(|r| format!("{}.txt", r.0), "source_path"),
            c(|r| r.1.to_string(), "department"),
            c(|r| r.2.to_string(), "doc_kind"),
            Column::new("fiscal_year".into(), rows.iter().map(|r| r.3).collect::<Vec<_>>()),
            Column::new("scope".into(), vec!["department"; rows.len()]),
            Column::new("status".into(), vec!["ok"; rows.len()]),
        ])
        .unwrap()
    }

    /// A general_budget_expenditure row: doc_id, department, kind, year, code, total and basic (cents).
    type Row<'a> = (&'a str, &'a str, &'a str, i32, Option<&'a str>, Option<i128>, Option<i128>);

    fn table(rows: &[Row]) -> DataFrame {
        let money = |name: &str, v: Vec<Option<i128>>| {
            Int128Chunked::from_iter_options(name.into(), v.into_iter())
                .into_decimal(18, 2)
                .unwrap()
                .into_series()
                .into_column()
        };
        DataFrame::new_infer_height(vec![
            Column::new("doc_id".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
            Column::new("department".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
            Column::new("doc_kind".into(), rows.iter().map(|r| r.2).collect::<Vec<_>>()),
            Column::new("row_no".into(), (1..=rows.len() as i32).collect::<Vec<_>>()),
            Column::new("code".into(), rows.iter().map(|r| r.4).collect::<Vec<_>>()),
            Column::new("level".into(), rows.iter().map(|r| if r.4.is_some() { 3i8 } else { 0 }).collect::<Vec<_>>()),
            Column::new("name".into(), rows.iter().map(|r| r.4.unwrap_or("合计")).collect::<Vec<_>>()),
            money("total", rows.iter().map(|r| r.5).collect()),
            money("basic", rows.iter().map(|r| r.6).collect()),
            money("project", vec![None; rows.len()]),
            Column::new("fiscal_year".into(), rows.iter().map(|r| r.3).collect::<Vec<_>>()),
        ])
        .unwrap()
    }

    fn snapshot(d: DataFrame, t: DataFrame) -> SnapshotFrames {
        SnapshotFrames { documents: d, tables: BTreeMap::from([(TableType::GeneralBudgetExpenditure, t)]) }
    }

    fn col_str(df: &DataFrame, name: &str) -> Vec<String> {
        df.column(name).unwrap().str().unwrap().iter().map(|v| v.unwrap_or("-").to_string()).collect()
    }

    fn col_cents(df: &DataFrame, name: &str) -> Vec<Option<i128>> {
        df.column(name).unwrap().decimal().unwrap().physical().iter().collect()
    }

    #[test]
    fn changed_added_removed_cells_repeated_keys_and_documents() {
        let old = snapshot(
            docs(&[("a1", "甲", "budget", 2025), ("b1", "乙", "budget", 2025)]),
            table(&[
                ("a1", "甲", "budget", 2025, None, Some(300), Some(300)),
                ("a1", "甲", "budget", 2025, Some("2010301"), Some(100), Some(100)),
                ("a1", "甲", "budget", 2025, Some("2010301"), Some(200), Some(200)),
                ("b1", "乙", "budget", 2025, None, Some(5), None),
            ]),
        );
        // 甲 edited: the second 2010301 row's total changes, its basic goes blank, the total
        // row gains nothing; 乙 is gone; 丙 is new.
        let new = snapshot(
            docs(&[("a2", "甲", "budget", 2025), ("c1", "丙", "final", 2024)]),
            table(&[
                ("a2", "甲", "budget", 2025, None, Some(300), Some(300)),
                ("a2", "甲", "budget", 2025, Some("2010301"), Some(100), Some(100)),
                ("a2", "甲", "budget", 2025, Some("2010301"), Some(250), None),
                ("c1", "丙", "final", 2024, None, Some(7), Some(7)),
            ]),
        );
        let d = diff_snapshots(&old, &new, &BTreeMap::new()).unwrap();
        assert_eq!(col_str(&d.cells, "row_key"), ["2010301", "2010301"], "{}", d.cells);
        assert_eq!(d.cells.column("occurrence").unwrap().i32().unwrap().iter().collect::<Vec<_>>(), [Some(2), Some(2)]);
        assert_eq!(col_str(&d.cells, "column"), ["total", "basic"]);
        assert_eq!(col_str(&d.cells, "change"), ["changed", "removed"]);
        assert_eq!(col_cents(&d.cells, "old"), [Some(200), Some(200)]);
        assert_eq!(col_cents(&d.cells, "new"), [Some(250), None]);
        assert_eq!(col_cents(&d.cells, "delta"), [Some(50), Some(-200)]);
        assert_eq!(col_str(&d.documents, "department"), ["丙", "乙", "甲"]);
        assert_eq!(col_str(&d.documents, "change"), ["added", "removed", "changed"]);
        assert!(!d.is_empty().unwrap());
        let big = largest_changes(&d.cells, 1).unwrap();
        assert_eq!(col_str(&big, "column"), ["basic"]);

        let same = diff_snapshots(&old, &old, &BTreeMap::new()).unwrap();
        assert!(same.is_empty().unwrap());
    }

    #[test]
    fn years_through_aliases_with_percentages() {
        let snap = snapshot(
            docs(&[("a", "某中心", "budget", 2025), ("b", "新疆巴州某中心", "final", 2022)]),
            table(&[
                ("a", "某中心", "budget", 2025, None, Some(40_000), Some(40_000)),
                ("a", "某中心", "budget", 2025, Some("2010301"), Some(40_000), Some(40_000)),
                ("b", "新疆巴州某中心", "final", 2022, None, Some(30_000), Some(30_000)),
                ("b", "新疆巴州某中心", "final", 2022, Some("2010399"), Some(30_000), Some(30_000)),
            ]),
        );
        let aliases = BTreeMap::from([("新疆巴州某中心".to_string(), "某中心".to_string())]);
        let (a, b) = sides_for("budget-final", 2025, 2022).unwrap();
        let d = diff_years(&snap, &aliases, a, b).unwrap();
        assert_eq!(col_str(&d.cells, "row_key"), ["total", "total", "2010301", "2010301", "2010399", "2010399"]);
        assert_eq!(col_cents(&d.cells, "delta")[..2], [Some(-10_000), Some(-10_000)]);
        let pct: Vec<Option<f64>> = d.cells.column("pct").unwrap().f64().unwrap().iter().collect();
        assert_eq!(pct[0], Some(-25.0));
        assert_eq!(pct[2], None, "printed on one side only");
        assert_eq!(col_cents(&d.cells, "delta")[2], Some(-40_000));
        let both = printed_on_both(&d.cells, true).unwrap();
        assert_eq!(both.height(), 2);
        // No alias: nothing matches.
        assert_eq!(diff_years(&snap, &BTreeMap::new(), a, b).unwrap().cells.height(), 0);
        assert!(sides_for("actual", 1, 2).is_err());
    }
}
