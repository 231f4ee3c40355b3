//! Command line: `run`, `inspect`, `diff` (clap derive).

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "budget-etl",
    version,
    about = "Chinese budget / final-account disclosures (text) -> Parquet datasets"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Extract every document under the input directory and publish a snapshot.
    Run {
        /// Config file (default: ./pipeline.toml if present).
        #[arg(long)]
        config: Option<PathBuf>,
        #[arg(long)]
        input: Option<PathBuf>,
        #[arg(long)]
        output: Option<PathBuf>,
        /// Worker threads (0 = one per core).
        #[arg(long)]
        threads: Option<usize>,
        /// Process only shard K of N (0-based; documents chosen by a stable hash of their
        /// relative path) and write its `part-K-of-N.parquet` files into the shared output.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Extract every input again instead of reusing the last snapshot's rows of unchanged ones.
        #[arg(long)]
        full: bool,
    },
    /// Show one document: layout, metadata, every table as a grid, its checks.
    Inspect {
        file: PathBuf,
        /// Config file (for a forced encoding).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Compare two published snapshots, or two fiscal years within one snapshot.
    Diff {
        /// OLD and NEW snapshot directories; with --years, the one snapshot to compare within.
        #[arg(num_args = 1..=2)]
        snapshots: Vec<PathBuf>,
        /// Compare fiscal year A (old) with year B (new) within one snapshot.
        #[arg(long, num_args = 2, value_names = ["A", "B"])]
        years: Option<Vec<i32>>,
        /// With --years: `budget`, `final`, or `budget-final` (预决算对比: budget of A vs final of B).
        #[arg(long, default_value = "budget")]
        kind: String,
        /// Write the full change list as Parquet into this directory.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Config file (department aliases).
        #[arg(long)]
        config: Option<PathBuf>,
        /// How many of the largest changes to print.
        #[arg(long, default_value_t = 20)]
        top: usize,
    },
}
