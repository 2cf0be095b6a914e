//! `wasm2php`: translates a WebAssembly module into one PHP class.
//!
//! The class has the module's exported functions as public methods and its linear
//! memory as a packed PHP array of 64-bit words. Every wasm function becomes a private
//! method whose locals are PHP locals; the value stack becomes PHP expressions;
//! structured control flow becomes `goto` to labels (no interpreter loop). Semantics
//! are WebAssembly's exactly: 32-bit values are kept in `[0, 2^32)`, 64-bit arithmetic
//! wraps instead of overflowing into floats, every trap throws
//! `\KuracloudWasm\Exception`, and an instance that trapped refuses further calls.
//! An instruction outside the supported set fails the translation, naming it.
//! The same module always gives the same bytes.

mod func;

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use wasmparser::{
    CompositeInnerType, DataKind, ElementItems, ElementKind, ExternalKind, FuncType, Operator,
    Parser, Payload, TypeRef, ValType, Validator, WasmFeatures,
};

/// A translation failure, said plainly (e.g. an unsupported instruction and where).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<wasmparser::BinaryReaderError> for Error {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        Error(format!("invalid module: {e}"))
    }
}

pub(crate) fn err<T>(msg: impl Into<String>) -> Result<T, Error> {
    Err(Error(msg.into()))
}

/// What the translator needs to know about a module.
pub(crate) struct ModuleInfo<'a> {
    pub types: Vec<FuncType>,
    /// Type index of every function.
    pub funcs: Vec<u32>,
    pub bodies: Vec<wasmparser::FunctionBody<'a>>,
    /// (type, mutable, initial value as PHP literal)
    pub globals: Vec<(ValType, bool, String)>,
    pub memory: Option<(u64, Option<u64>)>,
    pub table: Vec<Option<u32>>,
    pub table_max: u64,
    pub data: Vec<(u64, &'a [u8])>,
    pub exports: Vec<(String, u32)>,
    pub start: Option<u32>,
    /// Functions that can call themselves (directly or through others): they check the
    /// time and the call depth on entry.
    pub recursive: Vec<bool>,
}

impl ModuleInfo<'_> {
    pub fn func_type(&self, f: u32) -> &FuncType {
        &self.types[self.funcs[f as usize] as usize]
    }
}

fn const_expr(
    expr: &wasmparser::ConstExpr<'_>,
    globals: &[(ValType, bool, String)],
) -> Result<(ValType, String, i64), Error> {
    let mut ops = expr.get_operators_reader();
    let op = ops.read()?;
    let out = match op {
        Operator::I32Const { value } => (
            ValType::I32,
            (value as u32).to_string(),
            value as u32 as i64,
        ),
        Operator::I64Const { value } => (ValType::I64, func::i64_lit(value), value),
        Operator::F32Const { value } => (
            ValType::F32,
            func::f64_lit(f32::from_bits(value.bits()) as f64),
            0,
        ),
        Operator::F64Const { value } => {
            (ValType::F64, func::f64_lit(f64::from_bits(value.bits())), 0)
        }
        Operator::GlobalGet { global_index } => {
            let g = globals
                .get(global_index as usize)
                .ok_or_else(|| Error("constant expression reads an unknown global".into()))?;
            let v = g.2.parse::<i64>().unwrap_or(0);
            (g.0, g.2.clone(), v)
        }
        other => return err(format!("unsupported constant expression: {other:?}")),
    };
    match ops.read()? {
        Operator::End => Ok(out),
        other => err(format!("unsupported constant expression: {other:?}")),
    }
}

fn parse(wasm: &[u8]) -> Result<ModuleInfo<'_>, Error> {
    let features = WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::REFERENCE_TYPES
        | WasmFeatures::FLOATS;
    Validator::new_with_features(features)
        .validate_all(wasm)
        .map_err(|e| Error(format!("invalid module: {e}")))?;
    let mut m = ModuleInfo {
        types: Vec::new(),
        funcs: Vec::new(),
        bodies: Vec::new(),
        globals: Vec::new(),
        memory: None,
        table: Vec::new(),
        table_max: 0,
        data: Vec::new(),
        exports: Vec::new(),
        start: None,
        recursive: Vec::new(),
    };
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::TypeSection(r) => {
                for group in r {
                    for sub in group?.into_types() {
                        match sub.composite_type.inner {
                            CompositeInnerType::Func(f) => m.types.push(f),
                            _ => return err("only function types are supported"),
                        }
                    }
                }
            }
            Payload::ImportSection(r) => {
                for imports in r {
                    if let Some(import) = imports?.into_iter().next() {
                        let (_, import) = import?;
                        let what = match import.ty {
                            TypeRef::Func(_) | TypeRef::FuncExact(_) => "function",
                            TypeRef::Memory(_) => "memory",
                            TypeRef::Table(_) => "table",
                            TypeRef::Global(_) => "global",
                            TypeRef::Tag(_) => "tag",
                        };
                        return err(format!(
                            "the module imports the {what} {}::{}: only self-contained modules can be translated",
                            import.module, import.name
                        ));
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    m.funcs.push(t?);
                }
            }
            Payload::TableSection(r) => {
                for t in r {
                    let t = t?;
                    if !m.table.is_empty() || t.ty.initial > 100_000 {
                        return err("only one table of at most 100,000 elements is supported");
                    }
                    m.table = vec![None; t.ty.initial as usize];
                    m.table_max = t.ty.maximum.unwrap_or(t.ty.initial);
                }
            }
            Payload::MemorySection(r) => {
                for mem in r {
                    let mem = mem?;
                    if mem.memory64 || mem.shared || mem.page_size_log2.is_some() {
                        return err(
                            "only one 32-bit unshared memory with 64 KiB pages is supported",
                        );
                    }
                    m.memory = Some((mem.initial, mem.maximum));
                }
            }
            Payload::GlobalSection(r) => {
                for g in r {
                    let g = g?;
                    let (ty, lit, _) = const_expr(&g.init_expr, &m.globals)?;
                    if ty != g.ty.content_type {
                        return err("global initializer of another type");
                    }
                    m.globals.push((g.ty.content_type, g.ty.mutable, lit));
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e?;
                    if matches!(e.kind, ExternalKind::Func | ExternalKind::FuncExact) {
                        m.exports.push((e.name.to_string(), e.index));
                    }
                }
            }
            Payload::StartSection { func, .. } => m.start = Some(func),
            Payload::ElementSection(r) => {
                for e in r {
                    let e = e?;
                    let offset = match e.kind {
                        ElementKind::Active { offset_expr, .. } => {
                            const_expr(&offset_expr, &m.globals)?.2 as usize
                        }
                        ElementKind::Passive | ElementKind::Declared => continue,
                    };
                    let ElementItems::Functions(items) = e.items else {
                        return err("element segments with expressions are not supported");
                    };
                    for (i, f) in items.into_iter().enumerate() {
                        let slot = m
                            .table
                            .get_mut(offset + i)
                            .ok_or_else(|| Error("element segment outside the table".into()))?;
                        *slot = Some(f?);
                    }
                }
            }
            Payload::DataSection(r) => {
                for d in r {
                    let d = d?;
                    match d.kind {
                        DataKind::Active { offset_expr, .. } => {
                            let offset = const_expr(&offset_expr, &m.globals)?.2 as u64;
                            m.data.push((offset, d.data));
                        }
                        DataKind::Passive => {
                            return err("passive data segments (memory.init) are not supported")
                        }
                    }
                }
            }
            Payload::CodeSectionEntry(body) => m.bodies.push(body),
            _ => {}
        }
    }
    m.recursive = recursive_functions(&m)?;
    Ok(m)
}

/// Functions on a cycle of the call graph (call_indirect may reach any table entry of
/// its type).
fn recursive_functions(m: &ModuleInfo<'_>) -> Result<Vec<bool>, Error> {
    let n = m.funcs.len();
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, body) in m.bodies.iter().enumerate() {
        let mut ops = body.get_operators_reader()?;
        while !ops.eof() {
            match ops.read()? {
                Operator::Call { function_index } => edges[i].push(function_index as usize),
                Operator::CallIndirect { type_index, .. } => {
                    let ty = &m.types[type_index as usize];
                    for f in m.table.iter().flatten() {
                        if m.func_type(*f) == ty {
                            edges[i].push(*f as usize);
                        }
                    }
                }
                _ => {}
            }
        }
        edges[i].sort_unstable();
        edges[i].dedup();
    }
    // Tarjan's strongly connected components, iteratively.
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut rec = vec![false; n];
    let mut counter = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut next)) = work.last_mut() {
            if *next == 0 && index[v] == usize::MAX {
                index[v] = counter;
                low[v] = counter;
                counter += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if *next < edges[v].len() {
                let w = edges[v][*next];
                *next += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut members = Vec::new();
                loop {
                    let w = stack.pop().expect("tarjan stack");
                    on_stack[w] = false;
                    members.push(w);
                    if w == v {
                        break;
                    }
                }
                if members.len() > 1 || edges[v].contains(&v) {
                    for w in members {
                        rec[w] = true;
                    }
                }
            }
        }
    }
    Ok(rec)
}

/// Options of a translation.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Name of the source shown in the generated file's header (e.g. `kuracloud.wasm`).
    pub source_name: Option<String>,
}

fn php_type(t: ValType) -> &'static str {
    match t {
        ValType::F32 | ValType::F64 => "float",
        _ => "int",
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A binary string as a PHP double-quoted literal of printable ASCII.
fn php_bytes(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2 + 2);
    s.push('"');
    for (i, &b) in bytes.iter().enumerate() {
        let next_digit = bytes.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'$' => s.push_str("\\$"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            0 if !next_digit => s.push_str("\\0"),
            0x20..=0x7e => s.push(b as char),
            _ => {
                let _ = write!(s, "\\x{b:02x}");
                // \xHH takes at most two hex digits: a following hex digit is safe.
            }
        }
    }
    s.push('"');
    s
}

/// The licence of this project (and so of the modules it translates), Moodle's wording.
const GPL: &str = "// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.
//
";

/// Translates `wasm` into the PHP file's text.
pub fn translate(wasm: &[u8], opts: &Options) -> Result<String, Error> {
    let m = parse(wasm)?;
    let sha = Sha256::digest(wasm)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    let class = format!("Wasm_{}", &sha[..16]);
    let mut out = String::new();
    let source = opts
        .source_name
        .as_deref()
        .unwrap_or("a WebAssembly module");
    let _ = write!(
        out,
        "<?php\n{GPL}// Generated by wasm2php from {source} (sha256 {sha}). Do not edit.\n\
         // One class: the module's exports as public methods, its memory, its functions.\n\
         // @codingStandardsIgnoreFile\n\
         namespace KuracloudWasm {{\n\
         if (!\\class_exists(Exception::class, false)) {{\n\
         /** A trap or a limit overrun (the kuracloud extension declares the same class). */\n\
         class Exception extends \\Exception\n{{\n}}\n}}\n}}\n\n\
         namespace KuracloudWasm\\Generated {{\n\
         if (!\\class_exists({class}::class, false)) {{\n\
         /** The module {source}, translated to PHP. */\n\
         final class {class}\n{{\nconst SHA256 = '{sha}';\n"
    );

    // Memory and data.
    let (pages, max_pages) = m.memory.unwrap_or((0, Some(0)));
    let max_pages = max_pages.unwrap_or(65536).min(65536);
    let _ = writeln!(
        out,
        "const PAGES = {pages};\nconst MAX_PAGES = {max_pages};"
    );
    let mut data_word = 0u64;
    let mut blob: Vec<u8> = Vec::new();
    if !m.data.is_empty() {
        let start = m.data.iter().map(|d| d.0).min().unwrap_or(0) & !7;
        let end = m
            .data
            .iter()
            .map(|d| d.0 + d.1.len() as u64)
            .max()
            .unwrap_or(0);
        if end > pages * 65536 {
            return err("a data segment lies outside the initial memory");
        }
        let end = (end + 7) & !7;
        blob = vec![0u8; (end - start) as usize];
        for (offset, bytes) in &m.data {
            let o = (offset - start) as usize;
            blob[o..o + bytes.len()].copy_from_slice(bytes);
        }
        data_word = start / 8;
    }
    let _ = writeln!(
        out,
        "const DATA_WORD = {data_word};\nconst DATA = {};",
        php_bytes(&blob)
    );

    // Table: index => method, and per signature the entries callable with it.
    let _ = writeln!(out, "const TABLE_SIZE = {};", m.table.len());
    let mut table = String::from("const TABLE = [");
    for (i, f) in m.table.iter().enumerate() {
        if let Some(f) = f {
            let _ = write!(table, "{i}=>'_w{f}',");
        }
    }
    table.push_str("];\n");
    out.push_str(&table);
    let mut sigs: BTreeMap<u32, String> = BTreeMap::new();
    for body in &m.bodies {
        let mut ops = body.get_operators_reader()?;
        while !ops.eof() {
            if let Operator::CallIndirect { type_index, .. } = ops.read()? {
                sigs.entry(type_index).or_insert_with(|| {
                    let ty = &m.types[type_index as usize];
                    let mut s = format!("const T{type_index} = [");
                    for (i, f) in m.table.iter().enumerate() {
                        if let Some(f) = f {
                            if m.func_type(*f) == ty {
                                let _ = write!(s, "{i}=>'_w{f}',");
                            }
                        }
                    }
                    s.push_str("];\n");
                    s
                });
            }
        }
    }
    for s in sigs.values() {
        out.push_str(s);
    }
    let mut log2 = String::from("const LOG2 = [");
    for k in 0..63 {
        let _ = write!(log2, "{}=>{k},", 1u64 << k);
    }
    log2.push_str("];\n");
    out.push_str(&log2);

    // Mutable globals are properties; immutable ones are inlined.
    let mut globals_init = String::from("private function _globals(): void\n{\n");
    for (i, (_, mutable, lit)) in m.globals.iter().enumerate() {
        if *mutable {
            let _ = writeln!(out, "private $g{i};");
            let _ = writeln!(globals_init, "$this->g{i} = {lit};");
        }
    }
    globals_init.push_str("}\n");

    out.push_str(include_str!("runtime.php"));
    out.push_str(&globals_init);

    // Start function and exports: each a guarded call into the function.
    let mut start = String::from("private function _start(): void\n{\n");
    if let Some(f) = m.start {
        let _ = writeln!(
            start,
            "$this->_enter();\ntry {{\n$this->_w{f}($this->M);\n}} catch (\\Throwable $e) {{\nthrow $this->_fail($e);\n}}"
        );
    }
    start.push_str("}\n");
    out.push_str(&start);
    let mut seen = std::collections::BTreeSet::new();
    for (name, f) in &m.exports {
        if !is_identifier(name) || name.starts_with('_') || !seen.insert(name.to_ascii_lowercase())
        {
            return err(format!(
                "the export {name:?} cannot be a PHP method name (letters, digits, _; not starting with _; unique ignoring case)"
            ));
        }
        const RESERVED: [&str; 3] = ["read", "write", "memorybytes"];
        if RESERVED.contains(&name.to_ascii_lowercase().as_str()) {
            return err(format!(
                "the export {name:?} clashes with a method of the runtime"
            ));
        }
        let ty = m.func_type(*f);
        let params: Vec<String> = ty
            .params()
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{} $a{i}", php_type(*t)))
            .collect();
        let args: Vec<String> = ty
            .params()
            .iter()
            .enumerate()
            .map(|(i, t)| match t {
                ValType::I32 => format!(", $a{i} & 4294967295"),
                ValType::F32 => format!(", self::_f32($a{i})"),
                _ => format!(", $a{i}"),
            })
            .collect();
        let (ret, call) = match ty.results() {
            [] => (
                "void".to_string(),
                format!("$this->_w{f}($this->M{});", args.concat()),
            ),
            [t] => (
                php_type(*t).to_string(),
                format!("return $this->_w{f}($this->M{});", args.concat()),
            ),
            _ => {
                return err(format!(
                    "the export {name:?} returns several values: not supported"
                ))
            }
        };
        let _ = write!(
            out,
            "public function {name}({}): {ret}\n{{\n$this->_enter();\ntry {{\n{call}\n}} catch (\\Throwable $e) {{\nthrow $this->_fail($e);\n}}\n}}\n",
            params.join(", ")
        );
    }

    for (i, body) in m.bodies.iter().enumerate() {
        func::translate_function(&m, i as u32, body, &mut out)?;
    }
    let _ = write!(out, "}}\n}}\nreturn {class}::class;\n}}\n");
    Ok(out)
}
