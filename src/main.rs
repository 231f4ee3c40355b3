//! Thin binary: parse the command line, run, map the outcome to an exit status
//! (0 all ok, 1 some documents failed or partial, 2 nothing published / bad invocation).

use budget_etl::cli::{Cli, Command};
use budget_etl::config::{load, Settings};
use clap::Parser;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

// The pipeline allocates many small strings and vectors per row; mimalloc keeps that cheap
// across threads (measured in the commit that added it).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn settings_from(config: Option<&Path>) -> Result<Settings, String> {
    let default = Path::new("pipeline.toml");
    let path = config.or_else(|| default.exists().then_some(default));
    load(path).map_err(|e| e.to_string())
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Run { config, input, output, threads, shard, full } => {
            let mut settings = match settings_from(config.as_deref()) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("budget-etl: {e}");
                    std::process::exit(2);
                }
            };
            if let Some(i) = input {
                settings.input = i;
            }
            if let Some(o) = output {
                settings.output = o;
            }
            if let Some(t) = threads {
                settings.threads = t;
            }
            settings.full = full;
            let shard = match shard.as_deref().map(budget_etl::sink::Shard::parse).transpose() {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("budget-etl: {e}");
                    std::process::exit(2);
                }
            };
            match budget_etl::run::run_shard(&settings, shard, std::io::stderr().is_terminal()) {
                Ok(summary) => {
                    eprint!("{}", summary.render());
                    summary.exit_code()
                }
                Err(e) => {
                    eprintln!("budget-etl: {e}");
                    2
                }
            }
        }
        Command::Inspect { file, config } => {
            let settings = settings_from(config.as_deref()).unwrap_or_default();
            match budget_etl::inspect::inspect(&file, &settings) {
                Ok(text) => {
                    print!("{text}");
                    0
                }
                Err(e) => {
                    eprintln!("budget-etl: {e}");
                    2
                }
            }
        }
        Command::Diff { snapshots, years, kind, output, config, top } => {
            let settings = settings_from(config.as_deref()).unwrap_or_default();
            let paths: Vec<PathBuf> = snapshots;
            match budget_etl::diff_cli::diff_command(&paths, years.as_deref(), &kind, output.as_deref(), &settings, top)
            {
                Ok((text, code)) => {
                    print!("{text}");
                    code
                }
                Err(e) => {
                    eprintln!("budget-etl: {e}");
                    2
                }
            }
        }
    };
    std::process::exit(code);
}
