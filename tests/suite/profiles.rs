//! The build profiles: the shipped (release) binary without debug info, and a `profiling`
//! profile with it, which the profiling script builds and runs.

use toml::{Table, Value};

fn repo_file(path: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn profile(name: &str) -> Option<Table> {
    let manifest: Table = toml::from_str(&repo_file("Cargo.toml")).unwrap();
    manifest.get("profile")?.get(name)?.as_table().cloned()
}

/// `debug` as Cargo reads it: absent, `false`, `0` and `"none"` mean no debug info.
fn has_debug_info(profile: &Table) -> bool {
    match profile.get("debug") {
        None | Some(Value::Boolean(false)) | Some(Value::Integer(0)) => false,
        Some(Value::String(s)) => s != "none",
        Some(_) => true,
    }
}

#[test]
fn release_binary_has_no_debug_info() {
    let release = profile("release").unwrap_or_default();
    assert!(!has_debug_info(&release), "[profile.release] keeps debug info: {release:?}");
}

#[test]
fn profiling_profile_is_release_with_debug_info() {
    let profiling = profile("profiling").expect("no [profile.profiling] in Cargo.toml");
    assert_eq!(profiling.get("inherits").and_then(Value::as_str), Some("release"));
    assert!(has_debug_info(&profiling), "[profile.profiling] has no debug info: {profiling:?}");
}

#[test]
fn profile_script_uses_the_profiling_profile() {
    let script = repo_file("scripts/profile.sh");
    assert!(
        script.contains("cargo build --profile profiling"),
        "scripts/profile.sh does not build the profiling profile"
    );
    assert!(
        script.contains("target/profiling/budget-etl"),
        "scripts/profile.sh does not run target/profiling/budget-etl"
    );
    assert!(!script.contains("target/release/"), "scripts/profile.sh still runs a release binary");
}
