//! `diff` command front end (placeholder until the diff issue is done).

use crate::config::Settings;
use std::path::{Path, PathBuf};

pub fn diff_command(
    _paths: &[PathBuf],
    _years: Option<&[i32]>,
    _kind: &str,
    _output: Option<&Path>,
    _settings: &Settings,
    _top: usize,
) -> Result<(String, i32), String> {
    Err("diff is not implemented yet".into())
}
