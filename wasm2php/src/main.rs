//! `wasm2php <in.wasm> <out.php>`: writes the PHP translation of a WebAssembly module.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: wasm2php <in.wasm> <out.php>");
        return ExitCode::from(2);
    };
    let wasm = match std::fs::read(input) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("wasm2php: cannot read {input}: {e}");
            return ExitCode::from(2);
        }
    };
    let name = std::path::Path::new(input)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let php = match wasm2php::translate(&wasm, &wasm2php::Options { source_name: name }) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("wasm2php: {input}: {e}");
            return ExitCode::from(1);
        }
    };
    // Written next to the target and renamed, so a reader never sees half a file.
    let tmp = format!("{output}.tmp{}", std::process::id());
    if let Err(e) = std::fs::write(&tmp, php).and_then(|_| std::fs::rename(&tmp, output)) {
        let _ = std::fs::remove_file(&tmp);
        eprintln!("wasm2php: cannot write {output}: {e}");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}
