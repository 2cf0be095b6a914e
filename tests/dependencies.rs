//! The extension you test is the extension you install: the PHP extension
//! (`kuracloud-php`) embeds the loader (`kuracloud-loader`) and never host-runner, its
//! simulator's HTTP server (tiny_http) or its HTTP client (ureq): neither built alone nor
//! built together with host-runner, where Cargo unifies the features of shared
//! dependencies and could pull them in through one of them.

use std::collections::BTreeSet;
use std::process::Command;

/// Crates that must never be in the extension's build.
const FORBIDDEN: &[&str] = &["kuracloud-host-runner", "tiny_http", "ureq"];

/// `cargo tree` of `packages` (normal dependencies, every path printed) as
/// `(depth, crate name)` lines.
fn tree(packages: &[&str]) -> Vec<(usize, String)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    let mut command = Command::new(cargo);
    command.args(["tree", "--offline", "--manifest-path", manifest]);
    command.args(["-e", "normal", "--prefix", "depth", "--no-dedupe"]);
    command.args(["--format", "{p}"]);
    for package in packages {
        command.args(["-p", package]);
    }
    let out = command.output().expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("cargo tree prints UTF-8")
        .lines()
        .filter_map(|line| {
            let digits = line.bytes().take_while(u8::is_ascii_digit).count();
            let depth = line[..digits].parse().ok()?;
            let name = line[digits..].split_whitespace().next()?;
            Some((depth, name.to_string()))
        })
        .collect()
}

/// The crates under the root `root` of `lines` (several roots print one after another).
fn crates_under(lines: &[(usize, String)], root: &str) -> BTreeSet<String> {
    let start = lines
        .iter()
        .position(|(depth, name)| *depth == 0 && name == root)
        .unwrap_or_else(|| panic!("{root} is not a root of the tree"));
    lines[start..]
        .iter()
        .enumerate()
        .take_while(|(i, (depth, _))| *i == 0 || *depth > 0)
        .map(|(_, (_, name))| name.clone())
        .collect()
}

fn assert_clean(crates: &BTreeSet<String>, build: &str) {
    assert!(
        crates.contains("kuracloud-loader") && crates.contains("wasmtime"),
        "{build}: the extension's tree lacks the loader or wasmtime: {crates:?}"
    );
    for forbidden in FORBIDDEN {
        assert!(
            !crates.contains(*forbidden),
            "{build}: the PHP extension depends on {forbidden}; it must embed only the \
             loader (kuracloud-loader), not host-runner's simulator or HTTP client"
        );
    }
}

#[test]
fn the_php_extension_never_depends_on_host_runner() {
    let lines = tree(&["kuracloud-php"]);
    assert_clean(&crates_under(&lines, "kuracloud-php"), "built alone");
}

#[test]
fn building_with_host_runner_adds_nothing_to_the_php_extension() {
    let lines = tree(&["kuracloud-host-runner", "kuracloud-php"]);
    // The check sees what it looks for: host-runner's own tree has them all.
    let host_runner = crates_under(&lines, "kuracloud-host-runner");
    for name in FORBIDDEN.iter().chain(&["kuracloud-loader"]) {
        assert!(
            host_runner.contains(*name),
            "host-runner's tree lacks {name}"
        );
    }
    assert_clean(
        &crates_under(&lines, "kuracloud-php"),
        "built with host-runner",
    );
}
