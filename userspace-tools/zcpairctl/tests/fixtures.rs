// SPDX-License-Identifier: GPL-2.0
//! Parse every file in tests/fixtures/: netlink messages as the kernel
//! sends them (hand-built from the spec, or captured with
//! `ZCPAIRCTL_CAPTURE=DIR`). See tests/fixtures/README.md.

use std::path::{Path, PathBuf};

use serde_json::Value;
use zcpairctl::describe::{describe, read_fixture};
use zcpairctl::nl::Proto;

/// Set to write the `.json` of fixtures that have none.
const BLESS_ENV: &str = "ZCPAIRCTL_BLESS";

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("hex" | "bin")))
        .collect();
    files.sort();
    files
}

#[test]
fn every_fixture_parses_and_matches_its_json() {
    let files = fixtures();
    assert!(files.len() >= 8, "fixtures missing: {files:?}");
    for path in files {
        let name = path.file_name().unwrap().to_str().unwrap();
        let proto = Proto::from_file_name(name)
            .unwrap_or_else(|| panic!("{name}: name must start with rtnl- or genl-"));
        let bytes = read_fixture(name, &std::fs::read(&path).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = describe(proto, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!got.is_empty(), "{name}: no message");
        assert!(
            got.iter().all(|v| !v.is_null()),
            "{name}: a message of an unexpected type: {got:?}"
        );

        let expected = path.with_extension("json");
        if expected.exists() {
            let want: Value =
                serde_json::from_str(&std::fs::read_to_string(&expected).unwrap()).unwrap();
            assert_eq!(
                Value::Array(got),
                want,
                "{name} differs from {}",
                expected.display()
            );
        } else if std::env::var_os(BLESS_ENV).is_some() {
            let text = serde_json::to_string_pretty(&Value::Array(got)).unwrap();
            std::fs::write(&expected, text + "\n").unwrap();
        }
    }
}
