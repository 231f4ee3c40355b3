//! The contract's vocabulary: table types, their columns, document and table metadata, rows.

use crate::problem::Problem;
use rust_decimal::Decimal;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocKind {
    Budget,
    Final,
}

impl DocKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Budget => "budget",
            DocKind::Final => "final",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    PdfText,
    SpacedText,
    AlignedText,
    MarkdownTsv,
    FinalTsv,
    Unknown,
}

impl Layout {
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::PdfText => "pdf_text",
            Layout::SpacedText => "spaced_text",
            Layout::AlignedText => "aligned_text",
            Layout::MarkdownTsv => "markdown_tsv",
            Layout::FinalTsv => "final_tsv",
            Layout::Unknown => "unknown",
        }
    }
}

/// The unit amounts are printed in; `factor` converts to yuan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SourceUnit {
    WanYuan,
    Yuan,
}

impl SourceUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceUnit::WanYuan => "万元",
            SourceUnit::Yuan => "元",
        }
    }
    pub fn factor(self) -> Decimal {
        match self {
            SourceUnit::WanYuan => Decimal::from(10_000),
            SourceUnit::Yuan => Decimal::ONE,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TableType {
    RevenueExpenditureSummary,
    RevenueByFunction,
    ExpenditureByFunction,
    FiscalSummary,
    GeneralBudgetExpenditure,
    BasicExpenditureByEconomic,
    ProjectExpenditure,
    GovFundExpenditure,
    StateCapitalExpenditure,
    ThreePublic,
    Carryover,
}

/// How a table type's rows are keyed in the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyShape {
    /// side, line_no, item, code
    TwoSided,
    /// code, level, name
    Coded,
    /// code, level, name, unit, project_name
    Project,
    /// item, item_name, basis
    ThreePublic,
    /// item
    Item,
}

impl TableType {
    pub const ALL: [TableType; 11] = [
        TableType::RevenueExpenditureSummary,
        TableType::RevenueByFunction,
        TableType::ExpenditureByFunction,
        TableType::FiscalSummary,
        TableType::GeneralBudgetExpenditure,
        TableType::BasicExpenditureByEconomic,
        TableType::ProjectExpenditure,
        TableType::GovFundExpenditure,
        TableType::StateCapitalExpenditure,
        TableType::ThreePublic,
        TableType::Carryover,
    ];

    /// 表7's value columns: the project total, then the economic classes.
    pub const PROJECT_COLUMNS: &'static [&'static str] = &[
        "total",
        "wages",
        "goods_services",
        "household_subsidy",
        "debt_interest",
        "capital_infra",
        "capital",
        "enterprise_subsidy_infra",
        "enterprise_subsidy",
        "social_security_fund",
        "other",
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TableType::RevenueExpenditureSummary => "revenue_expenditure_summary",
            TableType::RevenueByFunction => "revenue_by_function",
            TableType::ExpenditureByFunction => "expenditure_by_function",
            TableType::FiscalSummary => "fiscal_summary",
            TableType::GeneralBudgetExpenditure => "general_budget_expenditure",
            TableType::BasicExpenditureByEconomic => "basic_expenditure_by_economic",
            TableType::ProjectExpenditure => "project_expenditure",
            TableType::GovFundExpenditure => "gov_fund_expenditure",
            TableType::StateCapitalExpenditure => "state_capital_expenditure",
            TableType::ThreePublic => "three_public",
            TableType::Carryover => "carryover",
        }
    }

    pub fn from_name(s: &str) -> Option<TableType> {
        TableType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn key_shape(self) -> KeyShape {
        match self {
            TableType::RevenueExpenditureSummary | TableType::FiscalSummary => KeyShape::TwoSided,
            TableType::ProjectExpenditure => KeyShape::Project,
            TableType::ThreePublic => KeyShape::ThreePublic,
            TableType::Carryover => KeyShape::Item,
            _ => KeyShape::Coded,
        }
    }

    /// Every value column of the output file, both kinds together (the other kind leaves its
    /// columns null).
    pub fn output_columns(self) -> &'static [&'static str] {
        match self {
            TableType::RevenueExpenditureSummary => &["amount"],
            TableType::RevenueByFunction => &[
                "total",
                "fiscal_subtotal",
                "general_budget",
                "general_budget_transfer",
                "gov_fund",
                "gov_fund_transfer",
                "state_capital",
                "state_capital_transfer",
                "special_account",
                "unit_funds",
                "fiscal_carryover",
                "nonfiscal_carryover",
                "prior_carryover",
                "reserve_drawdown",
                "fiscal_appropriation",
                "higher_subsidy",
                "business_income",
                "education_fees",
                "operating_income",
                "affiliate_remittance",
                "other_income",
            ],
            TableType::ExpenditureByFunction => {
                &["total", "basic", "project", "remit_to_higher", "operating", "affiliate_subsidy"]
            }
            TableType::FiscalSummary => &["total", "general_budget", "gov_fund", "state_capital"],
            TableType::GeneralBudgetExpenditure => &["total", "basic", "project"],
            TableType::BasicExpenditureByEconomic => &["total", "personnel", "public"],
            TableType::ProjectExpenditure => TableType::PROJECT_COLUMNS,
            TableType::GovFundExpenditure | TableType::StateCapitalExpenditure => &[
                "total",
                "personnel",
                "public",
                "project",
                "opening_balance",
                "income",
                "basic",
                "closing_balance",
                "closing_carryover",
                "closing_surplus",
            ],
            TableType::ThreePublic => &["total", "general_budget", "gov_fund", "state_capital"],
            TableType::Carryover => &[
                "total",
                "fiscal_subtotal",
                "fiscal_personnel",
                "fiscal_public",
                "fiscal_project",
                "nonfiscal_subtotal",
                "nonfiscal_personnel",
                "nonfiscal_public",
                "nonfiscal_project",
            ],
        }
    }

    /// The value columns as the template prints them, left to right, for one kind (and, for
    /// two-sided tables, one side). `None` when the kind has no such table.
    pub fn printed_columns(self, kind: DocKind, side: Option<Side>) -> Option<&'static [&'static str]> {
        use DocKind::*;
        use TableType::*;
        Some(match (self, kind) {
            (RevenueExpenditureSummary, _) => &["amount"],
            (FiscalSummary, _) => match side {
                Some(Side::Revenue) => &["total"],
                _ => &["total", "general_budget", "gov_fund", "state_capital"],
            },
            (RevenueByFunction, Budget) => &self.output_columns()[..12],
            (RevenueByFunction, Final) => &[
                "total",
                "fiscal_appropriation",
                "higher_subsidy",
                "business_income",
                "education_fees",
                "operating_income",
                "affiliate_remittance",
                "other_income",
            ],
            (ExpenditureByFunction, Budget) => &["total", "basic", "project"],
            (ExpenditureByFunction, Final) => self.output_columns(),
            (GeneralBudgetExpenditure, _) => self.output_columns(),
            (BasicExpenditureByEconomic, _) => self.output_columns(),
            (ProjectExpenditure, Budget) => self.output_columns(),
            (ProjectExpenditure, Final) => return None,
            (GovFundExpenditure | StateCapitalExpenditure, Budget) => &["total", "personnel", "public", "project"],
            (GovFundExpenditure | StateCapitalExpenditure, Final) => &[
                "opening_balance",
                "income",
                "total",
                "basic",
                "project",
                "closing_balance",
                "closing_carryover",
                "closing_surplus",
            ],
            (ThreePublic, Budget) => self.output_columns(),
            (ThreePublic, Final) => &["total"],
            (Carryover, Budget) => self.output_columns(),
            (Carryover, Final) => return None,
        })
    }

    /// The template's number for the table (`表3`, `公开03表`).
    pub fn template_number(self, kind: DocKind) -> Option<String> {
        use TableType::*;
        let n = match (kind, self) {
            (DocKind::Budget, t) => return Some(format!("表{}", TableType::ALL.iter().position(|x| *x == t)? + 1)),
            (DocKind::Final, RevenueExpenditureSummary) => 1,
            (DocKind::Final, RevenueByFunction) => 2,
            (DocKind::Final, ExpenditureByFunction) => 3,
            (DocKind::Final, FiscalSummary) => 4,
            (DocKind::Final, GeneralBudgetExpenditure) => 5,
            (DocKind::Final, BasicExpenditureByEconomic) => 6,
            (DocKind::Final, ThreePublic) => 7,
            (DocKind::Final, GovFundExpenditure) => 8,
            (DocKind::Final, StateCapitalExpenditure) => 9,
            (DocKind::Final, ProjectExpenditure | Carryover) => return None,
        };
        Some(format!("公开{n:02}表"))
    }

    pub fn expected_for(self, kind: DocKind) -> bool {
        self.template_number(kind).is_some()
    }

    pub fn is_function_coded(self) -> bool {
        !matches!(self, TableType::BasicExpenditureByEconomic)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    Revenue,
    Expenditure,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Revenue => "revenue",
            Side::Expenditure => "expenditure",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableStatus {
    Parsed,
    DeclaredEmpty,
    Missing,
    Failed,
}

impl TableStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TableStatus::Parsed => "parsed",
            TableStatus::DeclaredEmpty => "declared_empty",
            TableStatus::Missing => "missing",
            TableStatus::Failed => "failed",
        }
    }
}

/// `documents.status`: every table read cleanly, some problem reported, or nothing read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum DocStatus {
    Ok,
    Partial,
    #[default]
    Failed,
}

impl DocStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DocStatus::Ok => "ok",
            DocStatus::Partial => "partial",
            DocStatus::Failed => "failed",
        }
    }
}

/// `checks.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CheckStatus {
    Pass,
    /// Off by no more than the rounding of the printed figures.
    Rounding,
    Fail,
    /// An input is missing.
    Skipped,
    /// Only for `column_ambiguous`.
    Ambiguous,
    /// Only for `column_unmapped`.
    Unmapped,
}

impl CheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Rounding => "rounding",
            CheckStatus::Fail => "fail",
            CheckStatus::Skipped => "skipped",
            CheckStatus::Ambiguous => "ambiguous",
            CheckStatus::Unmapped => "unmapped",
        }
    }
}

macro_rules! display_as_str {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }
    )*};
}
display_as_str!(DocStatus, CheckStatus, TableStatus);

/// A printed cell: `None` is blank or a dash.
pub type Amount = Option<Decimal>;

/// The key part of a contract row (which columns are filled depends on the table's KeyShape).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowKey {
    pub side: Option<Side>,
    pub line_no: Option<i32>,
    /// Two-sided, three_public and carryover: the item (three_public: the item id).
    pub item: Option<String>,
    /// three_public: the label as printed.
    pub item_name: Option<String>,
    /// three_public: `budget` / `actual`.
    pub basis: Option<&'static str>,
    pub code: Option<String>,
    pub level: Option<i8>,
    pub name: Option<String>,
    pub unit: Option<String>,
    pub project_name: Option<String>,
}

/// The numbers of one printed row, before or after column assignment.
#[derive(Debug, Clone, PartialEq)]
pub enum Cells {
    /// Every cell's column is known (tab-separated layouts keep blank cells).
    Placed(Vec<Amount>),
    /// The printed numbers in order, blank cells dropped: which column each belongs to is
    /// decided by `assign`.
    Unplaced(Vec<Amount>),
}

/// One printed value column: the contract column it means (`None`: the contract names no such
/// column; its numbers still go to `facts`) and its printed header path (white space removed,
/// groups joined by `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: Option<&'static str>,
    pub header: String,
}

/// A table's printed value columns, left to right, shared by all its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns(Arc<[Column]>);

impl Columns {
    pub fn new(columns: Vec<Column>) -> Columns {
        Columns(columns.into())
    }

    /// Columns known from a template rather than read from a header: each header is the
    /// contract column's canonical printed name. Only for layouts that print that template.
    pub fn template(names: &[&'static str]) -> Columns {
        Columns::new(
            names
                .iter()
                .map(|n| Column { name: Some(n), header: crate::table_spec::printed_name(n).to_string() })
                .collect(),
        )
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Column> {
        self.0.iter()
    }

    /// The contract column of printed column `i`.
    pub fn name(&self, i: usize) -> Option<&'static str> {
        self.0.get(i).and_then(|c| c.name)
    }

    /// Contract column names of the printed columns, left to right (`None` where unmapped).
    pub fn names(&self) -> impl Iterator<Item = Option<&'static str>> + '_ {
        self.0.iter().map(|c| c.name)
    }

    /// (index, contract column) of the mapped printed columns.
    pub fn named(&self) -> impl Iterator<Item = (usize, &'static str)> + '_ {
        self.names().enumerate().filter_map(|(i, n)| n.map(|n| (i, n)))
    }

    /// The contract columns printed, left to right, unmapped ones left out.
    pub fn mapped(&self) -> Vec<&'static str> {
        self.names().flatten().collect()
    }

    pub fn position(&self, name: &str) -> Option<usize> {
        self.0.iter().position(|c| c.name == Some(name))
    }
}

impl std::ops::Index<usize> for Columns {
    type Output = Column;
    fn index(&self, i: usize) -> &Column {
        &self.0[i]
    }
}

/// One row of a table as printed, keyed, with its numbers.
#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based line of the decoded text where the row starts.
    pub line: usize,
    pub key: RowKey,
    /// The printed value columns this row's numbers may fill, left to right.
    pub columns: Columns,
    pub cells: Cells,
    /// Column indices whose value the document does not determine (left null by `assign`).
    pub undetermined: Vec<usize>,
    /// Printed numbers `assign` could not place, with the columns each could belong to.
    pub unplaced: Vec<(Decimal, Vec<&'static str>)>,
    /// Column indices whose value the reader derived from the row's printed numbers by the
    /// contract's rules (final 公开06表: a grouped row's `total` is its one amount, 合计's
    /// `total` the sum of the two printed totals): values, not printed amounts, so not facts.
    pub derived: Vec<usize>,
}

impl Row {
    pub fn new(line: usize, key: RowKey, columns: Columns, cells: Cells) -> Row {
        Row { line, key, columns, cells, undetermined: Vec::new(), unplaced: Vec::new(), derived: Vec::new() }
    }

    /// The row with `columns` marked as derived rather than printed (see [`Row::derived`]).
    pub fn with_derived(mut self, columns: &[&str]) -> Row {
        self.derived = columns.iter().filter_map(|c| self.columns.position(c)).collect();
        self
    }

    /// The reference a check uses for this row: its code, else its item or name.
    pub fn reference(&self) -> String {
        self.key.code.clone().or_else(|| self.key.item.clone()).or_else(|| self.key.name.clone()).unwrap_or_default()
    }

    pub fn value(&self, column: &str) -> Option<Amount> {
        let i = self.columns.position(column)?;
        match &self.cells {
            Cells::Placed(v) => Some(v[i]),
            Cells::Unplaced(_) => None,
        }
    }
}

/// One contract table found in (or expected of) a document.
#[derive(Debug, Clone)]
pub struct Table {
    pub table_type: TableType,
    pub status: TableStatus,
    pub source_title: Option<String>,
    pub source_number: Option<String>,
    pub first_line: Option<usize>,
    pub last_line: Option<usize>,
    /// The unit the table states, else the document's; `None` when neither states one (the
    /// table is then `failed` and carries no amounts).
    pub unit: Option<SourceUnit>,
    /// Most decimals printed in any amount of the table: sets the rounding tolerance.
    pub decimals: u32,
    pub rows: Vec<Row>,
    pub error: Option<Problem>,
}

impl Table {
    pub fn missing(table_type: TableType, kind: DocKind, unit: Option<SourceUnit>) -> Table {
        Table {
            table_type,
            status: TableStatus::Missing,
            source_title: None,
            source_number: table_type.template_number(kind),
            first_line: None,
            last_line: None,
            unit,
            decimals: 2,
            rows: Vec::new(),
            error: None,
        }
    }

    /// Source unit -> yuan. Only tables with a unit carry amounts, so the `None` arm never scales
    /// a printed number.
    pub fn factor(&self) -> Decimal {
        self.unit.map_or(Decimal::ONE, SourceUnit::factor)
    }

    /// Half of the last printed digit, in the source unit.
    pub fn half_digit(&self) -> Decimal {
        Decimal::new(5, self.decimals + 1)
    }
}
