//! What can go wrong with a document or a table, and the line it applies to: one type that
//! `run` publishes and `inspect` prints, so the two cannot word or number it differently.

use crate::model::{DocKind, TableType};
use std::fmt;

/// A reason a document or table is `partial` or `failed`, at the (1-based, decoded-text) line
/// it applies to when there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub line: Option<usize>,
    pub kind: ProblemKind,
}

/// Every reason the pipeline reports; `Display` is the one-line message the output prints.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProblemKind {
    #[error("cannot read: {0}")]
    CannotRead(String),
    #[error("cannot decode: {0}")]
    CannotDecode(String),
    /// A PDF without readable text (its message names the page where one applies).
    #[error("{0}")]
    Pdf(crate::pdf::PdfError),
    #[error("internal error while parsing: {0}")]
    Internal(String),
    #[error("no budget or final-account table found (not a disclosure?)")]
    NoTables,
    #[error("{} is not a table of a {} document", .table_type.as_str(), .kind.as_str())]
    WrongKind { table_type: TableType, kind: DocKind },
    #[error("the text ends inside {} ({title}) and the tables after it are missing — the document looks cut off", .table_type.as_str())]
    CutOff { table_type: TableType, title: String },
    /// A table of the document failed; its own problem carries the line.
    #[error("{}: {}", .table_type.as_str(), .reason.as_deref().map(Problem::to_string).unwrap_or_default())]
    TableFailed { table_type: TableType, reason: Option<Box<Problem>> },
    #[error("no 编制部门/编制单位 line found")]
    NoDepartment,
    #[error("no 单位：万元 / 单位：元 line found; no amounts were published")]
    NoUnit,
    #[error("no fiscal year found in a title line")]
    NoFiscalYear,
    #[error("title found but no table rows follow")]
    NoRows,
    #[error("no unit (单位：万元 / 单位：元) stated for this table or its document; its amounts are not published")]
    TableNoUnit,
    #[error("a second {} table was ignored", .0.as_str())]
    SecondTable(TableType),
    #[error("row prints {printed} value cells, the table has {columns} columns")]
    RowTooWide { printed: usize, columns: usize },
    #[error("公开07表: no row of amounts found")]
    ThreePublicNoAmounts,
    #[error("公开07表 prints {printed} amounts, its header shows {columns} columns")]
    ThreePublicCount { printed: usize, columns: usize },
    #[error("公开07表: the header names none of the 三公 items")]
    ThreePublicNoItems,
}

impl Problem {
    pub fn at(line: usize, kind: ProblemKind) -> Problem {
        Problem { line: Some(line), kind }
    }

    /// A problem no single line shows (the whole document or table).
    pub fn whole(kind: ProblemKind) -> Problem {
        Problem { line: None, kind }
    }

    /// The same problem with its line numbers (its own and any nested table's) mapped through
    /// `f` (from flattened HTML lines to source lines).
    pub fn map_lines(self, f: &impl Fn(usize) -> usize) -> Problem {
        let kind = match self.kind {
            ProblemKind::TableFailed { table_type, reason } => {
                ProblemKind::TableFailed { table_type, reason: reason.map(|r| Box::new(r.map_lines(f))) }
            }
            k => k,
        };
        Problem { line: self.line.map(f), kind }
    }
}

impl From<ProblemKind> for Problem {
    fn from(kind: ProblemKind) -> Problem {
        Problem::whole(kind)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.kind),
            None => write!(f, "{}", self.kind),
        }
    }
}

/// A list of problems as the output's one-line `error`.
pub fn joined(problems: &[Problem]) -> Option<String> {
    (!problems.is_empty()).then(|| problems.iter().map(Problem::to_string).collect::<Vec<_>>().join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_as_before() {
        let p = Problem::at(12, ProblemKind::NoRows);
        assert_eq!(p.to_string(), "line 12: title found but no table rows follow");
        let t = Problem::whole(ProblemKind::TableFailed {
            table_type: TableType::ThreePublic,
            reason: Some(Box::new(Problem::at(40, ProblemKind::ThreePublicCount { printed: 13, columns: 12 }))),
        });
        assert_eq!(t.to_string(), "three_public: line 40: 公开07表 prints 13 amounts, its header shows 12 columns");
        assert_eq!(
            t.map_lines(&|l| l + 1).to_string(),
            "three_public: line 41: 公开07表 prints 13 amounts, its header shows 12 columns"
        );
    }
}
