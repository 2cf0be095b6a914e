//! The generated PHP that ships is exactly what the translator makes of the module:
//! `dist/kuracloud.php` (and the plugin's `moodle-block/wasm/kuracloud.php`, when
//! packaged) must equal the translation of `dist/kuracloud.wasm`, which must be
//! deterministic. `scripts/build-wasm.sh` writes both the module and its translation;
//! `scripts/package-block.sh` checks the zip's copy the same way.

use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn shipped_php_is_the_translation_of_the_module() {
    let wasm_path = root().join("dist/kuracloud.wasm");
    let wasm = std::fs::read(&wasm_path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run scripts/build-wasm.sh first)",
            wasm_path.display()
        )
    });
    let opts = wasm2php::Options {
        source_name: Some("kuracloud.wasm".into()),
    };
    let php = wasm2php::translate(&wasm, &opts).expect("the module translates");
    assert_eq!(
        php,
        wasm2php::translate(&wasm, &opts).expect("again"),
        "the translation is not deterministic"
    );
    let dist = root().join("dist/kuracloud.php");
    let shipped = std::fs::read_to_string(&dist)
        .unwrap_or_else(|e| panic!("{}: {e} (run scripts/build-wasm.sh)", dist.display()));
    assert!(
        shipped == php,
        "dist/kuracloud.php is not the translation of dist/kuracloud.wasm: run scripts/build-wasm.sh (never edit it by hand)"
    );
    let packaged = root().join("moodle-block/wasm/kuracloud.php");
    if let Ok(copy) = std::fs::read_to_string(&packaged) {
        assert!(
            copy == php,
            "moodle-block/wasm/kuracloud.php is stale: run scripts/package-block.sh"
        );
    }
}
