//! budget-etl: Chinese government budget and final-account disclosures (as text) -> clean
//! Parquet datasets, with the accounting identities that prove every number's column.

pub mod assign;
pub mod checks;
pub mod cli;
pub mod config;
pub mod decode;
pub mod diff;
pub mod diff_cli;
pub mod discover;
pub mod extract;
pub mod facts;
pub mod identity;
pub mod incremental;
pub mod inspect;
pub mod layout;
pub mod meta;
pub mod model;
pub mod normalize;
pub mod pdf;
pub mod problem;
pub mod run;
pub mod sink;
pub mod source;
pub mod spill;
pub mod table_spec;
