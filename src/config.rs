//! `pipeline.toml` -> `Settings`. Unknown keys and bad values are rejected with a message
//! naming the key; command-line flags override the file.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file as written (every key optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Input directory (relative to the config file's directory).
    pub input: Option<PathBuf>,
    /// Output directory where the snapshot is published.
    pub output: Option<PathBuf>,
    /// Globs of files to read, relative to the input directory.
    pub include: Option<Vec<String>>,
    /// Worker threads; 0 = one per core.
    pub threads: Option<usize>,
    /// `auto`, or an encoding label (`utf-8`, `gb18030`, `utf-16le`, …) to force.
    pub encoding: Option<String>,
    /// `envelope` (the contract's (n + 1) × half-digit tolerance) or `strict` (any difference fails).
    pub rounding: Option<String>,
    /// Keep the previously published snapshot beside the output as `<output>.previous`.
    pub keep_previous: Option<bool>,
    /// Printed department name -> the name analysts key on (used by `diff`).
    pub aliases: Option<BTreeMap<String, String>>,
}

pub use crate::checks::Rounding;

/// Resolved settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub input: PathBuf,
    pub output: PathBuf,
    pub include: Vec<String>,
    pub threads: usize,
    pub encoding: Option<String>,
    pub rounding: Rounding,
    pub keep_previous: bool,
    pub aliases: BTreeMap<String, String>,
    /// Extract every input even where the last snapshot's rows could be reused (`run --full`;
    /// not a config key).
    pub full: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            input: PathBuf::from("sample"),
            output: PathBuf::from("output"),
            include: vec!["**/*.txt".into(), "**/*.md".into(), "**/*.pdf".into()],
            threads: 0,
            encoding: None,
            rounding: Rounding::Envelope,
            keep_previous: true,
            aliases: BTreeMap::new(),
            full: false,
        }
    }
}

impl Settings {
    /// The alias of a printed department name, or the name itself.
    pub fn department_key<'a>(&'a self, printed: &'a str) -> &'a str {
        self.aliases.get(printed).map(String::as_str).unwrap_or(printed)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("{0}: {1}")]
    Parse(PathBuf, String),
    #[error("{path}: key `{key}`: {message}")]
    Value { path: PathBuf, key: &'static str, message: String },
}

pub fn parse_options(text: &str, path: &Path) -> Result<Options, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Parse(path.to_path_buf(), e.to_string().trim().replace('\n', " ")))
}

/// Reads a config file (if any) into settings; relative paths are taken from the file's folder.
pub fn load(path: Option<&Path>) -> Result<Settings, ConfigError> {
    let mut settings = Settings::default();
    let Some(path) = path else { return Ok(settings) };
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read(path.to_path_buf(), e))?;
    let opts = parse_options(&text, path)?;
    let base = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let bad = |key: &'static str, message: String| ConfigError::Value { path: path.to_path_buf(), key, message };
    if let Some(p) = opts.input {
        settings.input = base.join(p);
    } else {
        settings.input = base.join(&settings.input);
    }
    if let Some(p) = opts.output {
        settings.output = base.join(p);
    } else {
        settings.output = base.join(&settings.output);
    }
    if let Some(globs) = opts.include {
        if globs.is_empty() {
            return Err(bad("include", "must list at least one glob".into()));
        }
        crate::discover::globset(&globs).map_err(|e| bad("include", e))?;
        settings.include = globs;
    }
    if let Some(t) = opts.threads {
        if t > 1024 {
            return Err(bad("threads", format!("{t} is not a sensible thread count (0 = one per core)")));
        }
        settings.threads = t;
    }
    if let Some(e) = opts.encoding {
        if !e.eq_ignore_ascii_case("auto") && encoding_rs::Encoding::for_label(e.as_bytes()).is_none() {
            return Err(bad(
                "encoding",
                format!("{e:?} is not an encoding label (use auto, utf-8, gb18030, utf-16le, …)"),
            ));
        }
        settings.encoding = (!e.eq_ignore_ascii_case("auto")).then_some(e);
    }
    if let Some(r) = opts.rounding {
        settings.rounding = match r.as_str() {
            "envelope" => Rounding::Envelope,
            "strict" => Rounding::Strict,
            other => return Err(bad("rounding", format!("{other:?} is not one of envelope, strict"))),
        };
    }
    if let Some(k) = opts.keep_previous {
        settings.keep_previous = k;
    }
    if let Some(a) = opts.aliases {
        settings.aliases = a;
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_unknown_keys_and_bad_values() {
        let p = Path::new("x.toml");
        let err = parse_options("inptu = \"a\"", p).unwrap_err().to_string();
        assert!(err.contains("inptu"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("p.toml");
        std::fs::write(&f, "rounding = \"loose\"").unwrap();
        let err = load(Some(&f)).unwrap_err().to_string();
        assert!(err.contains("`rounding`"), "{err}");
        std::fs::write(&f, "encoding = \"klingon\"").unwrap();
        assert!(load(Some(&f)).unwrap_err().to_string().contains("`encoding`"));
        std::fs::write(&f, "threads = 4\n[aliases]\n\"新疆巴州某中心\" = \"某中心\"\n").unwrap();
        let s = load(Some(&f)).unwrap();
        assert_eq!(s.threads, 4);
        assert_eq!(s.department_key("新疆巴州某中心"), "某中心");
    }
}
