//! Runs the same calls through wasmtime and through the generated PHP and gives the
//! outcomes as comparable text: `i32:N`, `i64:N`, `f32:BITS`/`f32:nan`, `f64:BITS`/
//! `f64:nan`, `void`, `trap:CODE` (the generated runtime's exception codes).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use wasmtime::{Engine, Instance, Module, Store, Trap, Val, ValType};

#[derive(Clone, Copy, Debug)]
pub enum V {
    I32(u32),
    I64(i64),
    F32(u32),
    F64(u64),
}

pub struct Call {
    pub export: String,
    pub args: Vec<V>,
}

pub fn call(export: &str, args: Vec<V>) -> Call {
    Call {
        export: export.to_string(),
        args,
    }
}

fn trap_code(t: &Trap) -> u32 {
    match t {
        Trap::UnreachableCodeReached => 1,
        Trap::MemoryOutOfBounds => 2,
        Trap::IntegerDivisionByZero => 3,
        Trap::IntegerOverflow => 4,
        Trap::BadConversionToInteger => 5,
        Trap::IndirectCallToNull => 6,
        Trap::BadSignature => 7,
        Trap::TableOutOfBounds => 8,
        Trap::StackOverflow => 11,
        other => panic!("unexpected trap {other:?}"),
    }
}

fn show(v: &Val) -> String {
    match v {
        Val::I32(x) => format!("i32:{}", *x as u32),
        Val::I64(x) => format!("i64:{x}"),
        Val::F32(b) => {
            if f32::from_bits(*b).is_nan() {
                "f32:nan".into()
            } else {
                format!("f32:{b}")
            }
        }
        Val::F64(b) => {
            if f64::from_bits(*b).is_nan() {
                "f64:nan".into()
            } else {
                format!("f64:{}", *b as i64)
            }
        }
        other => panic!("unexpected value {other:?}"),
    }
}

/// Each call on a fresh instance.
pub fn run_wasmtime(wasm: &[u8], calls: &[Call]) -> Vec<String> {
    let engine = Engine::default();
    let module = Module::new(&engine, wasm).expect("module");
    calls
        .iter()
        .map(|c| {
            let mut store = Store::new(&engine, ());
            let instance = Instance::new(&mut store, &module, &[]).expect("instance");
            let f = instance
                .get_func(&mut store, &c.export)
                .unwrap_or_else(|| panic!("no export {}", c.export));
            let ty = f.ty(&store);
            let args: Vec<Val> = c
                .args
                .iter()
                .map(|a| match a {
                    V::I32(x) => Val::I32(*x as i32),
                    V::I64(x) => Val::I64(*x),
                    V::F32(b) => Val::F32(*b),
                    V::F64(b) => Val::F64(*b),
                })
                .collect();
            let mut results: Vec<Val> = ty
                .results()
                .map(|t| match t {
                    ValType::I64 => Val::I64(0),
                    ValType::F32 => Val::F32(0),
                    ValType::F64 => Val::F64(0),
                    _ => Val::I32(0),
                })
                .collect();
            match f.call(&mut store, &args, &mut results) {
                Ok(()) => results.first().map(show).unwrap_or_else(|| "void".into()),
                Err(e) => match e.downcast_ref::<Trap>() {
                    Some(t) => format!("trap:{}", trap_code(t)),
                    None => panic!("{} failed: {e:?}", c.export),
                },
            }
        })
        .collect()
}

fn workdir() -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("wasm2php-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// `php` without the kuracloud extension (its exception class cannot be instantiated
/// from PHP; the generated runtime declares its own when the extension is absent).
pub fn php() -> Command {
    let scan = Command::new("php")
        .args(["-r", "echo PHP_CONFIG_FILE_SCAN_DIR;"])
        .env_remove("PHP_INI_SCAN_DIR")
        .output()
        .expect("php CLI (php8.2-cli) is needed");
    let scan = String::from_utf8_lossy(&scan.stdout).to_string();
    let dir = workdir().join("ini");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("ini dir");
    if let Ok(entries) = std::fs::read_dir(&scan) {
        for e in entries.flatten() {
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            let loads_ext = text
                .lines()
                .any(|l| l.trim_start().starts_with("extension") && l.contains("kuracloud"));
            if !loads_ext {
                let _ = std::os::unix::fs::symlink(e.path(), dir.join(e.file_name()));
            }
        }
    }
    let mut cmd = Command::new("php");
    cmd.env("PHP_INI_SCAN_DIR", &dir);
    cmd
}

const DRIVER: &str = r#"<?php
set_error_handler(function (int $no, string $message) {
    throw new ErrorException($message);
});
$class = require $argv[1];
$calls = json_decode(file_get_contents($argv[2]), true);
$out = [];
foreach ($calls as [$name, $args, $rtype]) {
    $w = new $class();
    $a = [];
    foreach ($args as [$t, $v]) {
        $a[] = match ($t) {
            'i32', 'i64' => (int) $v,
            'f32' => unpack('g', pack('V', (int) $v))[1],
            'f64' => unpack('e', pack('P', (int) $v))[1],
        };
    }
    try {
        $r = $w->$name(...$a);
        if ($rtype === 'void') {
            $out[] = $r === null ? 'void' : 'bad:' . var_export($r, true);
        } elseif ($rtype === 'i32') {
            $out[] = is_int($r) && $r >= 0 && $r <= 4294967295 ? "i32:$r" : 'bad:' . var_export($r, true);
        } elseif ($rtype === 'i64') {
            $out[] = is_int($r) ? "i64:$r" : 'bad:' . var_export($r, true);
        } elseif ($rtype === 'f32') {
            if (!is_float($r)) {
                $out[] = 'bad:' . var_export($r, true);
            } elseif (is_nan($r)) {
                $out[] = 'f32:nan';
            } else {
                $b = unpack('V', pack('g', $r))[1];
                $out[] = unpack('g', pack('g', $r))[1] === $r ? "f32:$b" : 'unrounded:' . var_export($r, true);
            }
        } else {
            $out[] = !is_float($r) ? 'bad:' . var_export($r, true) : (is_nan($r) ? 'f64:nan' : 'f64:' . unpack('q', pack('e', $r))[1]);
        }
    } catch (KuracloudWasm\Exception $e) {
        $out[] = 'trap:' . $e->getCode();
    } catch (Throwable $e) {
        $out[] = 'error:' . get_class($e) . ': ' . $e->getMessage();
    }
}
echo json_encode($out);
"#;

/// Each call on a fresh instance of the generated class.
pub fn run_php(wasm: &[u8], calls: &[Call], types: &dyn Fn(&str) -> String) -> Vec<String> {
    let php_src = wasm2php::translate(wasm, &wasm2php::Options::default())
        .unwrap_or_else(|e| panic!("translate: {e}"));
    let dir = workdir();
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let file = dir.join(format!("m{n}.php"));
    std::fs::write(&file, php_src).expect("write php");
    let driver = dir.join("driver.php");
    std::fs::write(&driver, DRIVER).expect("write driver");
    let list: Vec<String> = calls
        .iter()
        .map(|c| {
            let args: Vec<String> = c
                .args
                .iter()
                .map(|a| match a {
                    V::I32(x) => format!("[\"i32\",\"{x}\"]"),
                    V::I64(x) => format!("[\"i64\",\"{x}\"]"),
                    V::F32(b) => format!("[\"f32\",\"{b}\"]"),
                    V::F64(b) => format!("[\"f64\",\"{}\"]", *b as i64),
                })
                .collect();
            format!(
                "[\"{}\",[{}],\"{}\"]",
                c.export,
                args.join(","),
                types(&c.export)
            )
        })
        .collect();
    let calls_file = dir.join(format!("c{n}.json"));
    std::fs::write(&calls_file, format!("[{}]", list.join(","))).expect("write calls");
    let mut cmd = php();
    // Extra PHP settings, e.g. W2P_PHP_ARGS="-d opcache.enable_cli=1 -d opcache.jit=tracing ...".
    if let Ok(extra) = std::env::var("W2P_PHP_ARGS") {
        cmd.args(extra.split_whitespace());
    }
    let out = cmd
        .arg("-d")
        .arg("memory_limit=1G")
        .arg(&driver)
        .arg(&file)
        .arg(&calls_file)
        .output()
        .expect("run php");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "php failed on {}: {stdout}\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    if std::env::var_os("W2P_KEEP").is_none() {
        let _ = std::fs::remove_file(&calls_file);
        let _ = std::fs::remove_file(&file);
    }
    parse_json_strings(&stdout)
}

/// A JSON array of plain strings (no escapes beyond \" \\ and \/).
fn parse_json_strings(s: &str) -> Vec<String> {
    let s = s.trim();
    assert!(
        s.starts_with('[') && s.ends_with(']'),
        "not a JSON array: {s}"
    );
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_str = false;
    let mut esc = false;
    for c in s[1..s.len() - 1].chars() {
        if in_str {
            if esc {
                cur.push(c);
                esc = false;
            } else if c == '\\' {
                esc = true;
            } else if c == '"' {
                in_str = false;
                out.push(std::mem::take(&mut cur));
            } else {
                cur.push(c);
            }
        } else if c == '"' {
            in_str = true;
        }
    }
    out
}

/// Result type of each export, from the module.
pub fn result_types(wasm: &[u8]) -> impl Fn(&str) -> String {
    let engine = Engine::default();
    let module = Module::new(&engine, wasm).expect("module");
    let mut map = std::collections::HashMap::new();
    for e in module.exports() {
        if let wasmtime::ExternType::Func(f) = e.ty() {
            let r = f
                .results()
                .next()
                .map(|t| match t {
                    ValType::I32 => "i32",
                    ValType::I64 => "i64",
                    ValType::F32 => "f32",
                    ValType::F64 => "f64",
                    _ => "other",
                })
                .unwrap_or("void");
            map.insert(e.name().to_string(), r.to_string());
        }
    }
    move |name: &str| map.get(name).cloned().unwrap_or_default()
}

/// Runs `calls` through both and fails with every difference.
pub fn compare(wat: &str, calls: &[Call]) -> usize {
    let wasm = wat::parse_str(wat).unwrap_or_else(|e| panic!("wat: {e}"));
    let want = run_wasmtime(&wasm, calls);
    let types = result_types(&wasm);
    let got = run_php(&wasm, calls, &types);
    assert_eq!(want.len(), got.len());
    let mut diffs = Vec::new();
    for ((c, w), g) in calls.iter().zip(&want).zip(&got) {
        if w != g {
            diffs.push(format!("{}({:?}): wasmtime {w}, php {g}", c.export, c.args));
        }
    }
    assert!(
        diffs.is_empty(),
        "{} of {} calls differ:\n{}",
        diffs.len(),
        calls.len(),
        diffs
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    calls.len()
}

pub fn _unused(_: &Path) {}
