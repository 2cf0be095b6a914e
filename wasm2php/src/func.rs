//! One wasm function body -> one PHP method.
//!
//! The wasm value stack is kept symbolically as PHP expressions and only turned into
//! temporaries when evaluation order requires it: before a statement with side effects
//! every pending expression that could trap, read memory or globals, or call is
//! evaluated first, in push order. Blocks end in labels, loops start with one, and
//! branches are `goto` (PHP allows jumping out of, never into, a block).

use crate::{err, Error, ModuleInfo};
use std::fmt::Write as _;
use wasmparser::{BlockType, FunctionBody, MemArg, Operator, ValType};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum T {
    I32,
    I64,
    F32,
    F64,
    /// An i32 that is a PHP bool (a comparison): 0/1 once cast.
    Bool,
}

fn ty(v: ValType) -> Result<T, Error> {
    Ok(match v {
        ValType::I32 => T::I32,
        ValType::I64 => T::I64,
        ValType::F32 => T::F32,
        ValType::F64 => T::F64,
        other => return err(format!("values of type {other:?} are not supported")),
    })
}

// PHP operator precedence, loosest to tightest.
const P_TERN: u8 = 10;
const P_BOR: u8 = 30;
const P_BXOR: u8 = 35;
const P_BAND: u8 = 40;
const P_EQ: u8 = 45;
const P_CMP: u8 = 50;
const P_SHIFT: u8 = 60;
const P_ADD: u8 = 70;
const P_MUL: u8 = 80;
const P_NOT: u8 = 85;
const P_UNARY: u8 = 90;
const P_ATOM: u8 = 100;

/// Calls a function (side effects on memory, globals).
const EFFECT: u8 = 1;
/// May trap for another reason than memory (division, conversion).
const TRAP: u8 = 2;
/// Reads memory (and may trap out of bounds).
const MEM: u8 = 4;
/// Reads a mutable global.
const GLOB: u8 = 8;

const M32: &str = "4294967295";

#[derive(Clone, Debug)]
struct Expr {
    s: String,
    p: u8,
    t: T,
    fl: u8,
    /// Locals read (so a write to one of them evaluates the expression first).
    locals: Vec<u32>,
    /// Integer constant (i32 as u32, i64 as is).
    k: Option<i64>,
    /// One token: a variable, a property or a literal (cheap to repeat).
    simple: bool,
}

impl Expr {
    fn atom(s: String, t: T) -> Expr {
        Expr {
            s,
            p: P_ATOM,
            t,
            fl: 0,
            locals: Vec::new(),
            k: None,
            simple: false,
        }
    }
    fn var(s: String, t: T, local: Option<u32>) -> Expr {
        Expr {
            s,
            p: P_ATOM,
            t,
            fl: 0,
            locals: local.into_iter().collect(),
            k: None,
            simple: true,
        }
    }
    fn i32c(v: u32) -> Expr {
        Expr {
            s: v.to_string(),
            p: P_ATOM,
            t: T::I32,
            fl: 0,
            locals: Vec::new(),
            k: Some(v as i64),
            simple: true,
        }
    }
    fn i64c(v: i64) -> Expr {
        Expr {
            s: i64_lit(v),
            p: P_ATOM,
            t: T::I64,
            fl: 0,
            locals: Vec::new(),
            k: Some(v),
            simple: true,
        }
    }
    fn wrap(&self, p: u8) -> String {
        if self.p < p {
            format!("({})", self.s)
        } else {
            self.s.clone()
        }
    }
    fn wrap_le(&self, p: u8) -> String {
        if self.p <= p {
            format!("({})", self.s)
        } else {
            self.s.clone()
        }
    }
}

/// A new expression made of parts (flags and locals merged).
fn mk(s: String, p: u8, t: T, parts: &[&Expr]) -> Expr {
    let mut fl = 0;
    let mut locals = Vec::new();
    for e in parts {
        fl |= e.fl;
        for l in &e.locals {
            if !locals.contains(l) {
                locals.push(*l);
            }
        }
    }
    Expr {
        s,
        p,
        t,
        fl,
        locals,
        k: None,
        simple: false,
    }
}

fn bin(a: &Expr, op: &str, b: &Expr, p: u8, t: T) -> Expr {
    let nonassoc = p == P_CMP || p == P_EQ;
    let l = if nonassoc { a.wrap_le(p) } else { a.wrap(p) };
    mk(format!("{l}{op}{}", b.wrap_le(p)), p, t, &[a, b])
}

fn mask32(e: Expr) -> Expr {
    let m = Expr::i32c(u32::MAX);
    bin(&e, "&", &m, P_BAND, T::I32)
}

pub(crate) fn i64_lit(v: i64) -> String {
    if v == i64::MIN {
        "\\PHP_INT_MIN".into()
    } else if v < 0 {
        format!("({v})")
    } else {
        v.to_string()
    }
}

pub(crate) fn f64_lit(f: f64) -> String {
    if f.is_nan() {
        format!("self::_f64from({})", i64_lit(f.to_bits() as i64))
    } else if f.is_infinite() {
        if f > 0.0 {
            "\\INF".into()
        } else {
            "(-\\INF)".into()
        }
    } else if f.is_sign_negative() {
        format!("(-{:?})", -f)
    } else {
        format!("{f:?}")
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Func,
    Block,
    Loop,
    If,
}

struct Frame {
    kind: Kind,
    label: usize,
    results: Vec<T>,
    height: usize,
    vars: Vec<String>,
    targeted: bool,
    /// The rest of this frame's current arm cannot run.
    dead: bool,
    // `if` only:
    cond: Option<Expr>,
    header_pos: usize,
    has_else: bool,
    then_dead: bool,
    /// (text start, value) when the then arm is only `$r = value;`.
    then_only: Option<Expr>,
    arm_pos: usize,
    /// Definite assignment: locals assigned on every branch to this frame's end so far.
    da_end: Option<Vec<bool>>,
    /// Definite assignment at an `if`'s condition (where the else arm starts).
    da_entry: Vec<bool>,
}

struct Cx<'a, 'm> {
    m: &'a ModuleInfo<'m>,
    out: String,
    stack: Vec<Expr>,
    frames: Vec<Frame>,
    temps: u32,
    targeted: Vec<bool>,
    seq: usize,
    skip: usize,
    recursive: bool,
    results: Vec<T>,
    func: u32,
    local_types: Vec<T>,
    /// Locals certainly assigned at this point (reads of others need the zero init).
    assigned: Vec<bool>,
    needs_init: Vec<bool>,
}

fn block_types(m: &ModuleInfo<'_>, bt: BlockType) -> Result<Vec<T>, Error> {
    match bt {
        BlockType::Empty => Ok(Vec::new()),
        BlockType::Type(v) => Ok(vec![ty(v)?]),
        BlockType::FuncType(i) => {
            let f = &m.types[i as usize];
            if !f.params().is_empty() {
                return err("blocks with parameters are not supported");
            }
            f.results().iter().map(|v| ty(*v)).collect()
        }
    }
}

/// Which blocks (numbered in order of appearance) some branch targets.
fn targeted_blocks(body: &FunctionBody<'_>) -> Result<Vec<bool>, Error> {
    let mut targeted = Vec::new();
    let mut open: Vec<usize> = vec![usize::MAX];
    let mut ops = body.get_operators_reader()?;
    let mark = |open: &Vec<usize>, targeted: &mut Vec<bool>, depth: u32| {
        let b = open[open.len() - 1 - depth as usize];
        if b != usize::MAX {
            targeted[b] = true;
        }
    };
    while !ops.eof() {
        match ops.read()? {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                open.push(targeted.len());
                targeted.push(false);
            }
            Operator::End => {
                open.pop();
            }
            Operator::Br { relative_depth } | Operator::BrIf { relative_depth } => {
                mark(&open, &mut targeted, relative_depth)
            }
            Operator::BrTable { targets } => {
                for t in targets.targets() {
                    mark(&open, &mut targeted, t?);
                }
                mark(&open, &mut targeted, targets.default());
            }
            _ => {}
        }
    }
    Ok(targeted)
}

pub(crate) fn translate_function(
    m: &ModuleInfo<'_>,
    index: u32,
    body: &FunctionBody<'_>,
    out: &mut String,
) -> Result<(), Error> {
    let fty = m.func_type(index);
    let mut local_types: Vec<T> = fty
        .params()
        .iter()
        .map(|v| ty(*v))
        .collect::<Result<_, _>>()?;
    let nparams = local_types.len();
    for l in body.get_locals_reader()? {
        let (n, v) = l?;
        let t = ty(v)?;
        for _ in 0..n {
            local_types.push(t);
        }
    }
    let results: Vec<T> = fty
        .results()
        .iter()
        .map(|v| ty(*v))
        .collect::<Result<_, _>>()?;
    if results.len() > 1 {
        return err(format!(
            "function {index} returns several values: not supported"
        ));
    }
    let mut cx = Cx {
        m,
        out: String::new(),
        stack: Vec::new(),
        frames: Vec::new(),
        temps: 0,
        targeted: targeted_blocks(body)?,
        seq: 0,
        skip: 0,
        recursive: m.recursive[index as usize],
        results: results.clone(),
        func: index,
        local_types: local_types.clone(),
        assigned: (0..local_types.len()).map(|i| i < nparams).collect(),
        needs_init: vec![false; local_types.len()],
    };
    cx.frames.push(Frame {
        kind: Kind::Func,
        label: usize::MAX,
        results,
        height: 0,
        vars: Vec::new(),
        targeted: false,
        dead: false,
        cond: None,
        header_pos: 0,
        has_else: false,
        then_dead: false,
        then_only: None,
        arm_pos: 0,
        da_end: None,
        da_entry: Vec::new(),
    });
    let mut ops = body.get_operators_reader()?;
    while !ops.eof() {
        let (op, offset) = ops.read_with_offset()?;
        cx.op(op).map_err(|e| {
            Error(format!(
                "function {index}, byte offset {offset:#x}: {}",
                e.0
            ))
        })?;
    }

    // Signature and prologue.
    let params: Vec<String> = (0..nparams)
        .map(|i| {
            format!(
                ", {} $l{i}",
                if matches!(local_types[i], T::F32 | T::F64) {
                    "float"
                } else {
                    "int"
                }
            )
        })
        .collect();
    let _ = write!(
        out,
        "private function _w{index}(array &$M{})\n{{\n",
        params.concat()
    );
    let mut ints = String::new();
    let mut floats = String::new();
    for (i, t) in local_types.iter().enumerate().skip(nparams) {
        if !cx.needs_init[i] {
            continue;
        }
        if matches!(t, T::F32 | T::F64) {
            let _ = write!(floats, "$l{i}=");
        } else {
            let _ = write!(ints, "$l{i}=");
        }
    }
    if !ints.is_empty() {
        let _ = writeln!(out, "{ints}0;");
    }
    if !floats.is_empty() {
        let _ = writeln!(out, "{floats}0.0;");
    }
    if cx.recursive {
        out.push_str("if(--$this->F<0)$this->_tick();\n");
    }
    out.push_str(&cx.out);
    out.push_str("}\n");
    Ok(())
}

impl Cx<'_, '_> {
    fn emit(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn temp(&mut self) -> String {
        self.temps += 1;
        format!("$t{}", self.temps)
    }

    fn pop(&mut self) -> Expr {
        self.stack.pop().expect("validated module: stack underflow")
    }

    fn push(&mut self, e: Expr) {
        self.stack.push(e);
    }

    /// The value as a PHP int (a bool becomes 0/1).
    fn int(e: Expr) -> Expr {
        if e.t == T::Bool {
            let s = format!("(int){}", e.wrap(P_UNARY));
            let mut r = mk(s, P_UNARY, T::I32, &[&e]);
            r.k = e.k;
            r
        } else {
            e
        }
    }

    /// Evaluates stack[j] into a temporary (a constant stays as it is).
    fn spill_one(&mut self, j: usize) {
        let e = self.stack[j].clone();
        if e.k.is_some() || (e.simple && e.fl == 0 && e.locals.is_empty()) {
            return;
        }
        let t = self.temp();
        self.emit(&format!("{t}={};", e.s));
        self.stack[j] = Expr::var(t, e.t, None);
    }

    /// Evaluates stack[j] into a temporary, after every flagged entry below it.
    fn spill(&mut self, j: usize) {
        for i in 0..j {
            if self.stack[i].fl != 0 {
                self.spill_one(i);
            }
        }
        self.spill_one(j);
    }

    /// Before a statement: evaluate every pending expression that traps, reads memory
    /// or globals, or calls, in order.
    fn flush(&mut self) {
        for i in 0..self.stack.len() {
            if self.stack[i].fl != 0 {
                self.spill_one(i);
            }
        }
    }

    /// Before writing local `l`: evaluate the expressions that read it.
    fn flush_local(&mut self, l: u32) {
        for i in 0..self.stack.len() {
            if self.stack[i].locals.contains(&l) {
                self.spill(i);
            }
        }
    }

    /// Makes the top `n` entries simple (variables or literals).
    fn simple_top(&mut self, n: usize) {
        let len = self.stack.len();
        for i in len - n..len {
            if !self.stack[i].simple {
                self.spill(i);
            }
        }
    }

    /// Before a block: nothing pending may depend on what the block does.
    fn settle(&mut self) {
        for i in 0..self.stack.len() {
            if self.stack[i].k.is_none() {
                if self.stack[i].simple && self.stack[i].fl == 0 && self.stack[i].locals.is_empty()
                {
                    continue;
                }
                let t = self.temp();
                let e = self.stack[i].clone();
                self.emit(&format!("{t}={};", e.s));
                self.stack[i] = Expr::var(t, e.t, None);
            }
        }
    }

    fn frame(&mut self) -> &mut Frame {
        self.frames.last_mut().expect("frame")
    }

    fn new_block(&mut self, kind: Kind, results: Vec<T>) -> usize {
        let label = self.seq;
        self.seq += 1;
        let targeted = self.targeted[label];
        let vars = if (targeted && kind != Kind::Loop) || kind == Kind::If {
            results.iter().map(|_| self.temp()).collect()
        } else {
            Vec::new()
        };
        let height = self.stack.len();
        self.frames.push(Frame {
            kind,
            label,
            results,
            height,
            vars,
            targeted,
            dead: false,
            cond: None,
            header_pos: 0,
            has_else: false,
            then_dead: false,
            then_only: None,
            arm_pos: 0,
            da_end: None,
            da_entry: self.assigned.clone(),
        });
        label
    }

    /// Leaves the rest of the current arm unreachable.
    fn kill(&mut self) {
        let h = self.frame().height;
        self.stack.truncate(h);
        self.frame().dead = true;
        // Nothing runs here: every local counts as assigned.
        self.assigned.iter_mut().for_each(|a| *a = true);
    }

    /// A branch to the frame `depth` levels out carries the current assignments.
    fn da_branch(&mut self, depth: u32) {
        let i = self.frames.len() - 1 - depth as usize;
        if matches!(self.frames[i].kind, Kind::Block | Kind::If) {
            let cur = self.assigned.clone();
            let f = &mut self.frames[i];
            f.da_end = Some(match f.da_end.take() {
                None => cur,
                Some(e) => e.iter().zip(&cur).map(|(a, b)| *a && *b).collect(),
            });
        }
    }

    /// Joins the current state into the frame's end state.
    fn da_join_end(&mut self) {
        let cur = self.assigned.clone();
        let f = self.frames.last_mut().expect("frame");
        f.da_end = Some(match f.da_end.take() {
            None => cur,
            Some(e) => e.iter().zip(&cur).map(|(a, b)| *a && *b).collect(),
        });
    }

    /// `return` of the function's result (if any) from the top of the stack.
    fn ret_stmt(&mut self, value: Option<Expr>) -> String {
        match value {
            Some(v) => format!("return {};", Self::int(v).s),
            None => "return;".into(),
        }
    }

    /// Assignments and jump for a branch to the frame `depth` levels out, with its
    /// values on top of the stack (already evaluated in order by the caller).
    fn branch_code(&mut self, depth: u32, values: Vec<Expr>) -> String {
        let target = &self.frames[self.frames.len() - 1 - depth as usize];
        if target.kind == Kind::Func {
            return self.ret_stmt(values.into_iter().next());
        }
        let mut s = String::new();
        if target.kind != Kind::Loop {
            for (v, e) in target.vars.iter().zip(values) {
                let _ = write!(s, "{v}={};", Self::int(e).s);
            }
        }
        let _ = write!(s, "goto L{};", target.label);
        s
    }

    fn arity(&self, depth: u32) -> usize {
        let target = &self.frames[self.frames.len() - 1 - depth as usize];
        if target.kind == Kind::Loop {
            0
        } else {
            target.results.len()
        }
    }

    fn op(&mut self, op: Operator<'_>) -> Result<(), Error> {
        if self.frame().dead {
            match op {
                Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                    self.skip += 1;
                    self.seq += 1;
                    return Ok(());
                }
                Operator::End if self.skip > 0 => {
                    self.skip -= 1;
                    return Ok(());
                }
                Operator::Else if self.skip == 0 => {}
                Operator::End => {}
                _ => return Ok(()),
            }
        }
        match op {
            Operator::Nop => {}
            Operator::Unreachable => {
                self.flush();
                self.emit("$this->_unreachable();");
                self.kill();
            }
            Operator::Block { blockty } => {
                let r = block_types(self.m, blockty)?;
                self.settle();
                self.new_block(Kind::Block, r);
            }
            Operator::Loop { blockty } => {
                let r = block_types(self.m, blockty)?;
                self.settle();
                let label = self.new_block(Kind::Loop, r);
                if self.frame().targeted {
                    self.emit(&format!("L{label}:\nif(--$this->F<0)$this->_tick();"));
                }
            }
            Operator::If { blockty } => {
                let r = block_types(self.m, blockty)?;
                let cond = self.pop();
                self.settle();
                let header_pos = self.out.len();
                self.emit(&format!("if({}){{", cond.s));
                self.new_block(Kind::If, r);
                let arm_pos = self.out.len();
                let f = self.frame();
                f.cond = Some(cond);
                f.header_pos = header_pos;
                f.arm_pos = arm_pos;
            }
            Operator::Else => {
                let dead = self.frame().dead;
                if !dead {
                    let only = self.end_arm();
                    self.frame().then_only = only;
                    self.da_join_end();
                }
                self.assigned = self.frame().da_entry.clone();
                let h = self.frame().height;
                self.stack.truncate(h);
                self.emit("}else{");
                let pos = self.out.len();
                let f = self.frame();
                f.has_else = true;
                f.then_dead = dead;
                f.dead = false;
                f.arm_pos = pos;
            }
            Operator::End => self.end()?,
            Operator::Br { relative_depth } => {
                self.da_branch(relative_depth);
                let n = self.arity(relative_depth);
                let len = self.stack.len();
                for i in 0..len - n {
                    if self.stack[i].fl != 0 {
                        self.spill_one(i);
                    }
                }
                let values = self.stack.split_off(len - n);
                let code = self.branch_code(relative_depth, values);
                self.emit(&code);
                self.kill();
            }
            Operator::BrIf { relative_depth } => {
                self.da_branch(relative_depth);
                let cond = self.pop();
                let n = self.arity(relative_depth);
                self.flush();
                self.simple_top(n);
                let len = self.stack.len();
                let values = self.stack[len - n..].to_vec();
                let code = self.branch_code(relative_depth, values);
                self.emit(&format!("if({}){{{code}}}", cond.s));
            }
            Operator::BrTable { targets } => {
                let idx = Self::int(self.pop());
                let default = targets.default();
                let n = self.arity(default);
                self.flush();
                self.simple_top(n);
                let len = self.stack.len();
                let values = self.stack[len - n..].to_vec();
                let list: Vec<u32> = targets.targets().collect::<Result<_, _>>()?;
                for t in list.iter().chain(std::iter::once(&default)) {
                    self.da_branch(*t);
                }
                // Distinct targets in order of first appearance.
                let mut order: Vec<u32> = Vec::new();
                for t in &list {
                    if *t != default && !order.contains(t) {
                        order.push(*t);
                    }
                }
                if order.is_empty() {
                    let code = self.branch_code(default, values);
                    self.emit(&code);
                } else {
                    let mut s = format!("switch({}){{", idx.s);
                    for t in &order {
                        for (i, x) in list.iter().enumerate() {
                            if x == t {
                                let _ = write!(s, "case {i}:");
                            }
                        }
                        let code = self.branch_code(*t, values.clone());
                        s.push_str(&code);
                    }
                    let code = self.branch_code(default, values);
                    let _ = write!(s, "default:{code}}}");
                    self.emit(&s);
                }
                self.kill();
            }
            Operator::Return => {
                let n = self.results.len();
                let len = self.stack.len();
                for i in 0..len - n {
                    if self.stack[i].fl != 0 {
                        self.spill_one(i);
                    }
                }
                let v = if n == 1 { Some(self.pop()) } else { None };
                let code = self.ret_stmt(v);
                self.emit(&code);
                self.kill();
            }
            Operator::Call { function_index } => {
                let fty = self.m.func_type(function_index).clone();
                let args = self.pop_args(fty.params().len());
                let mut s = format!("$this->_w{function_index}($M");
                for a in &args {
                    let _ = write!(s, ",{}", a.s);
                }
                s.push(')');
                self.call_result(s, &args, fty.results())?;
            }
            Operator::CallIndirect { type_index, table_index } => {
                if table_index != 0 {
                    return err("call_indirect on a table other than 0");
                }
                let fty = self.m.types[type_index as usize].clone();
                let k = fty.params().len();
                // Arguments are evaluated before the index, and before the table check.
                let len = self.stack.len();
                if self.stack[len - 1 - k..len - 1].iter().any(|e| e.fl != 0) {
                    for i in len - 1 - k..len - 1 {
                        self.spill(i);
                    }
                }
                let idx_pos = self.stack.len() - 1;
                self.stack[idx_pos] = Self::int(self.stack[idx_pos].clone());
                if !self.stack[idx_pos].simple {
                    self.spill(idx_pos);
                }
                let idx = self.pop();
                let args = self.pop_args(k);
                let mut s = format!("$this->{{self::T{type_index}[{i}]??$this->_badcall({i})}}($M", i = idx.s);
                for a in &args {
                    let _ = write!(s, ",{}", a.s);
                }
                s.push(')');
                let mut parts: Vec<&Expr> = args.iter().collect();
                parts.push(&idx);
                let parts: Vec<Expr> = parts.into_iter().cloned().collect();
                self.call_result(s, &parts, fty.results())?;
            }
            Operator::Drop => {
                let e = self.pop();
                if e.fl & (EFFECT | TRAP | MEM) != 0 {
                    self.flush();
                    self.emit(&format!("{};", e.s));
                }
            }
            Operator::Select | Operator::TypedSelect { .. } => {
                let len = self.stack.len();
                for i in len - 3..len - 1 {
                    if self.stack[i].fl & (EFFECT | TRAP | MEM) != 0 {
                        self.spill(i);
                    }
                }
                let c = self.pop();
                let b = self.pop();
                let a = self.pop();
                let (a, b, t) = if a.t == T::Bool && b.t == T::Bool {
                    (a, b, T::Bool)
                } else {
                    let a = Self::int(a);
                    let b = Self::int(b);
                    let t = a.t;
                    (a, b, t)
                };
                let s = format!("({}?{}:{})", c.wrap_le(P_TERN), a.wrap_le(P_TERN), b.wrap_le(P_TERN));
                self.push(mk(s, P_ATOM, t, &[&c, &a, &b]));
            }
            Operator::TypedSelectMulti { .. } => return err("unsupported instruction: select with several types"),
            Operator::LocalGet { local_index } => {
                if !self.assigned[local_index as usize] {
                    self.needs_init[local_index as usize] = true;
                }
                let t = self.local_type(local_index);
                self.push(Expr::var(format!("$l{local_index}"), t, Some(local_index)));
            }
            Operator::LocalSet { local_index } => {
                let v = Self::int(self.pop());
                self.flush_local(local_index);
                self.flush();
                self.emit(&format!("$l{local_index}={};", v.s));
                self.assigned[local_index as usize] = true;
            }
            Operator::LocalTee { local_index } => {
                let v = Self::int(self.pop());
                self.flush_local(local_index);
                self.flush();
                self.emit(&format!("$l{local_index}={};", v.s));
                self.assigned[local_index as usize] = true;
                let t = self.local_type(local_index);
                self.push(Expr::var(format!("$l{local_index}"), t, Some(local_index)));
            }
            Operator::GlobalGet { global_index } => {
                let (vt, mutable, lit) = &self.m.globals[global_index as usize];
                let t = ty(*vt)?;
                if *mutable {
                    let mut e = Expr::var(format!("$this->g{global_index}"), t, None);
                    e.fl = GLOB;
                    self.push(e);
                } else {
                    let mut e = Expr::atom(lit.clone(), t);
                    e.simple = true;
                    if t == T::I32 || t == T::I64 {
                        e.k = lit.trim_matches(|c| c == '(' || c == ')').parse().ok();
                    }
                    self.push(e);
                }
            }
            Operator::GlobalSet { global_index } => {
                let v = Self::int(self.pop());
                self.flush();
                self.emit(&format!("$this->g{global_index}={};", v.s));
            }
            Operator::I32Const { value } => self.push(Expr::i32c(value as u32)),
            Operator::I64Const { value } => self.push(Expr::i64c(value)),
            Operator::F32Const { value } => {
                let mut e = Expr::atom(f64_lit(f32::from_bits(value.bits()) as f64), T::F32);
                e.simple = !e.s.contains('(');
                self.push(e)
            }
            Operator::F64Const { value } => {
                let mut e = Expr::atom(f64_lit(f64::from_bits(value.bits())), T::F64);
                e.simple = !e.s.contains('(');
                self.push(e)
            }

            // Memory.
            Operator::I32Load { memarg } => self.load(memarg, 4, false, T::I32)?,
            Operator::I64Load { memarg } => self.load(memarg, 8, false, T::I64)?,
            Operator::F32Load { memarg } => {
                self.load(memarg, 4, false, T::I32)?;
                self.call1("self::_f32from", T::F32);
            }
            Operator::F64Load { memarg } => {
                self.load(memarg, 8, false, T::I64)?;
                self.call1("self::_f64from", T::F64);
            }
            Operator::I32Load8S { memarg } => self.load(memarg, 1, true, T::I32)?,
            Operator::I32Load8U { memarg } => self.load(memarg, 1, false, T::I32)?,
            Operator::I32Load16S { memarg } => self.load(memarg, 2, true, T::I32)?,
            Operator::I32Load16U { memarg } => self.load(memarg, 2, false, T::I32)?,
            Operator::I64Load8S { memarg } => self.load(memarg, 1, true, T::I64)?,
            Operator::I64Load8U { memarg } => self.load(memarg, 1, false, T::I64)?,
            Operator::I64Load16S { memarg } => self.load(memarg, 2, true, T::I64)?,
            Operator::I64Load16U { memarg } => self.load(memarg, 2, false, T::I64)?,
            Operator::I64Load32S { memarg } => self.load(memarg, 4, true, T::I64)?,
            Operator::I64Load32U { memarg } => self.load(memarg, 4, false, T::I64)?,
            Operator::I32Store { memarg } => self.store(memarg, 4)?,
            Operator::I64Store { memarg } => self.store(memarg, 8)?,
            Operator::F32Store { memarg } => {
                self.call1("self::_f32bits", T::I32);
                self.store(memarg, 4)?
            }
            Operator::F64Store { memarg } => {
                self.call1("self::_f64bits", T::I64);
                self.store(memarg, 8)?
            }
            Operator::I32Store8 { memarg } | Operator::I64Store8 { memarg } => self.store(memarg, 1)?,
            Operator::I32Store16 { memarg } | Operator::I64Store16 { memarg } => self.store(memarg, 2)?,
            Operator::I64Store32 { memarg } => self.store(memarg, 4)?,
            Operator::MemorySize { mem: 0 } => {
                let mut e = Expr::atom("(\\count($M)>>13)".into(), T::I32);
                e.fl = MEM;
                self.push(e);
            }
            Operator::MemoryGrow { mem: 0 } => {
                let n = Self::int(self.pop());
                let mut e = mk(format!("$this->_grow($M,{})", n.s), P_ATOM, T::I32, &[&n]);
                e.fl |= EFFECT;
                self.push(e);
            }
            Operator::MemoryCopy { dst_mem: 0, src_mem: 0 } => {
                let n = Self::int(self.pop());
                let s = Self::int(self.pop());
                let d = Self::int(self.pop());
                self.flush();
                self.emit(&format!("$this->_copy($M,{},{},{});", d.s, s.s, n.s));
            }
            Operator::MemoryFill { mem: 0 } => {
                let n = Self::int(self.pop());
                let v = Self::int(self.pop());
                let d = Self::int(self.pop());
                self.flush();
                self.emit(&format!("$this->_fill($M,{},{},{});", d.s, v.s, n.s));
            }

            // i32.
            Operator::I32Eqz => {
                let a = self.pop();
                self.push(mk(format!("!{}", a.wrap(P_NOT)), P_NOT, T::Bool, &[&a]));
            }
            Operator::I32Eq => self.cmp("==", P_EQ, false, false),
            Operator::I32Ne => self.cmp("!=", P_EQ, false, false),
            Operator::I32LtU => self.cmp("<", P_CMP, false, false),
            Operator::I32GtU => self.cmp(">", P_CMP, false, false),
            Operator::I32LeU => self.cmp("<=", P_CMP, false, false),
            Operator::I32GeU => self.cmp(">=", P_CMP, false, false),
            Operator::I32LtS => self.cmp("<", P_CMP, true, false),
            Operator::I32GtS => self.cmp(">", P_CMP, true, false),
            Operator::I32LeS => self.cmp("<=", P_CMP, true, false),
            Operator::I32GeS => self.cmp(">=", P_CMP, true, false),
            Operator::I32Add => self.i32_arith(|a, b| a.wrapping_add(b), "+", P_ADD),
            Operator::I32Sub => self.i32_arith(|a, b| a.wrapping_sub(b), "-", P_ADD),
            Operator::I32Mul => self.i32_mul(),
            Operator::I32And => self.i32_bits(|a, b| a & b, "&", P_BAND),
            Operator::I32Or => self.i32_bits(|a, b| a | b, "|", P_BOR),
            Operator::I32Xor => self.i32_bits(|a, b| a ^ b, "^", P_BXOR),
            Operator::I32Shl => self.i32_shift(0),
            Operator::I32ShrU => self.i32_shift(1),
            Operator::I32ShrS => self.i32_shift(2),
            Operator::I32Rotl => self.i32_rot(false),
            Operator::I32Rotr => self.i32_rot(true),
            Operator::I32DivU => self.divrem("\\intdiv({a},{b})", T::I32, false),
            Operator::I32RemU => self.divrem("{a}%{b}", T::I32, true),
            Operator::I32DivS => self.divrem("self::_divs32({a},{b})", T::I32, false),
            Operator::I32RemS => self.divrem("({a}<<32>>32)%({b}<<32>>32)&4294967295", T::I32, true),
            Operator::I32Clz => self.call1("self::_clz32", T::I32),
            Operator::I32Ctz => self.call1("self::_ctz32", T::I32),
            Operator::I32Popcnt => self.call1("self::_popcnt", T::I32),
            Operator::I32WrapI64 => {
                let a = self.pop();
                if let Some(k) = a.k {
                    self.push(Expr::i32c(k as u32));
                } else {
                    self.push(mask32(a));
                }
            }
            Operator::I32Extend8S => self.sext(56, T::I32),
            Operator::I32Extend16S => self.sext(48, T::I32),

            // i64.
            Operator::I64Eqz => {
                let a = self.pop();
                self.push(mk(format!("{}==0", a.wrap_le(P_EQ)), P_EQ, T::Bool, &[&a]));
            }
            Operator::I64Eq => self.cmp("==", P_EQ, false, true),
            Operator::I64Ne => self.cmp("!=", P_EQ, false, true),
            Operator::I64LtS => self.cmp("<", P_CMP, false, true),
            Operator::I64GtS => self.cmp(">", P_CMP, false, true),
            Operator::I64LeS => self.cmp("<=", P_CMP, false, true),
            Operator::I64GeS => self.cmp(">=", P_CMP, false, true),
            Operator::I64LtU => self.cmp("<", P_CMP, true, true),
            Operator::I64GtU => self.cmp(">", P_CMP, true, true),
            Operator::I64LeU => self.cmp("<=", P_CMP, true, true),
            Operator::I64GeU => self.cmp(">=", P_CMP, true, true),
            Operator::I64Add => self.i64_add(false),
            Operator::I64Sub => self.i64_add(true),
            Operator::I64Mul => self.i64_mul(),
            Operator::I64And => self.i64_bits(|a, b| a & b, "&", P_BAND),
            Operator::I64Or => self.i64_bits(|a, b| a | b, "|", P_BOR),
            Operator::I64Xor => self.i64_bits(|a, b| a ^ b, "^", P_BXOR),
            Operator::I64Shl => self.i64_shift(0),
            Operator::I64ShrS => self.i64_shift(2),
            Operator::I64ShrU => self.i64_shift(1),
            Operator::I64Rotl => self.i64_rot(false),
            Operator::I64Rotr => self.i64_rot(true),
            Operator::I64DivS => self.divrem("\\intdiv({a},{b})", T::I64, false),
            Operator::I64RemS => self.divrem("{a}%{b}", T::I64, true),
            Operator::I64DivU => self.divrem("self::_divu64({a},{b})", T::I64, false),
            Operator::I64RemU => self.divrem("self::_remu64({a},{b})", T::I64, false),
            Operator::I64Clz => self.call1("self::_clz64", T::I64),
            Operator::I64Ctz => {
                // Inline (hash tables call it on every probe): the lowest set bit's
                // index from a table; 0 and the sign bit alone apart.
                let top = self.stack.len() - 1;
                if !self.stack[top].simple {
                    self.spill(top);
                }
                let a = self.pop();
                let x = &a.s;
                let s = format!("({x}?({x}===\\PHP_INT_MIN?63:self::LOG2[{x}&-{x}]):64)");
                self.push(mk(s, P_ATOM, T::I64, &[&a]));
            }
            Operator::I64Popcnt => self.call1("self::_popcnt", T::I64),
            Operator::I64ExtendI32U => {
                let a = Self::int(self.pop());
                let mut e = a;
                e.t = T::I64;
                self.push(e);
            }
            Operator::I64ExtendI32S | Operator::I64Extend32S => self.sext(32, T::I64),
            Operator::I64Extend8S => self.sext(56, T::I64),
            Operator::I64Extend16S => self.sext(48, T::I64),

            // Floats.
            Operator::F64Add => self.fbin("+", P_ADD, T::F64),
            Operator::F64Sub => self.fbin("-", P_ADD, T::F64),
            Operator::F64Mul => self.fbin("*", P_MUL, T::F64),
            Operator::F64Div => self.fcall2("\\fdiv", T::F64),
            Operator::F64Min => self.fcall2("self::_fmin", T::F64),
            Operator::F64Max => self.fcall2("self::_fmax", T::F64),
            Operator::F64Copysign => self.fcall2("self::_fcopysign", T::F64),
            Operator::F64Abs => self.call1("\\abs", T::F64),
            Operator::F64Neg => self.call1("self::_fneg", T::F64),
            Operator::F64Sqrt => self.call1("\\sqrt", T::F64),
            Operator::F64Ceil => self.call1("\\ceil", T::F64),
            Operator::F64Floor => self.call1("\\floor", T::F64),
            Operator::F64Trunc => self.call1("self::_ftrunc", T::F64),
            Operator::F64Nearest => self.call1("self::_fnearest", T::F64),
            Operator::F32Add => self.f32_of(|s| s.fbin("+", P_ADD, T::F32)),
            Operator::F32Sub => self.f32_of(|s| s.fbin("-", P_ADD, T::F32)),
            Operator::F32Mul => self.f32_of(|s| s.fbin("*", P_MUL, T::F32)),
            Operator::F32Div => self.f32_of(|s| s.fcall2("\\fdiv", T::F32)),
            Operator::F32Min => self.fcall2("self::_fmin", T::F32),
            Operator::F32Max => self.fcall2("self::_fmax", T::F32),
            Operator::F32Copysign => self.fcall2("self::_fcopysign", T::F32),
            Operator::F32Abs => self.call1("\\abs", T::F32),
            Operator::F32Neg => self.call1("self::_fneg", T::F32),
            Operator::F32Sqrt => self.f32_of(|s| s.call1("\\sqrt", T::F32)),
            Operator::F32Ceil => self.call1("\\ceil", T::F32),
            Operator::F32Floor => self.call1("\\floor", T::F32),
            Operator::F32Trunc => self.call1("self::_ftrunc", T::F32),
            Operator::F32Nearest => self.call1("self::_fnearest", T::F32),
            Operator::F32Eq | Operator::F64Eq => self.fcmp("=="),
            Operator::F32Ne | Operator::F64Ne => self.fcmp("!="),
            Operator::F32Lt | Operator::F64Lt => self.fcmp("<"),
            Operator::F32Gt | Operator::F64Gt => self.fcmp(">"),
            Operator::F32Le | Operator::F64Le => self.fcmp("<="),
            Operator::F32Ge | Operator::F64Ge => self.fcmp(">="),
            Operator::F64PromoteF32 => {
                let mut a = self.pop();
                a.t = T::F64;
                self.push(a);
            }
            Operator::F32DemoteF64 => self.call1("self::_f32", T::F32),
            Operator::F64ConvertI32S => self.conv("(float)({a}<<32>>32)", T::F64),
            Operator::F64ConvertI32U | Operator::F64ConvertI64S => self.conv("(float){a}", T::F64),
            Operator::F64ConvertI64U => self.call1("self::_f64u64", T::F64),
            Operator::F32ConvertI32S => self.conv("self::_f32((float)({a}<<32>>32))", T::F32),
            Operator::F32ConvertI32U => self.conv("self::_f32((float){a})", T::F32),
            Operator::F32ConvertI64S => self.call1("self::_f32i64", T::F32),
            Operator::F32ConvertI64U => self.call1("self::_f32u64", T::F32),
            Operator::I32ReinterpretF32 => self.call1("self::_f32bits", T::I32),
            Operator::F32ReinterpretI32 => self.call1("self::_f32from", T::F32),
            Operator::I64ReinterpretF64 => self.call1("self::_f64bits", T::I64),
            Operator::F64ReinterpretI64 => self.call1("self::_f64from", T::F64),
            Operator::I32TruncF32S | Operator::I32TruncF64S => {
                self.trunc("self::_trunc({a},-2147483649.0,2147483648.0)&4294967295", T::I32)
            }
            Operator::I32TruncF32U | Operator::I32TruncF64U => self.trunc("self::_trunc({a},-1.0,4294967296.0)", T::I32),
            Operator::I64TruncF32S | Operator::I64TruncF64S => {
                self.trunc("self::_trunc({a},-9223372036854777856.0,9223372036854775808.0)", T::I64)
            }
            Operator::I64TruncF32U | Operator::I64TruncF64U => {
                self.trunc("self::_trunc({a},-1.0,18446744073709551616.0)", T::I64)
            }
            Operator::I32TruncSatF32S | Operator::I32TruncSatF64S => self.conv(
                "self::_truncsat({a},-2147483648.0,2147483648.0,2147483648,2147483647)&4294967295",
                T::I32,
            ),
            Operator::I32TruncSatF32U | Operator::I32TruncSatF64U => {
                self.conv("self::_truncsat({a},0.0,4294967296.0,0,4294967295)", T::I32)
            }
            Operator::I64TruncSatF32S | Operator::I64TruncSatF64S => self.conv(
                "self::_truncsat({a},-9223372036854775808.0,9223372036854775808.0,\\PHP_INT_MIN,\\PHP_INT_MAX)",
                T::I64,
            ),
            Operator::I64TruncSatF32U | Operator::I64TruncSatF64U => {
                self.conv("self::_truncsat({a},0.0,18446744073709551616.0,0,-1)", T::I64)
            }
            other => {
                let name = format!("{other:?}");
                let name = name.split([' ', '{', '(']).next().unwrap_or("").to_string();
                return err(format!("unsupported instruction: {name}"));
            }
        }
        Ok(())
    }

    fn local_type(&self, l: u32) -> T {
        self.local_types[l as usize]
    }

    fn pop_args(&mut self, k: usize) -> Vec<Expr> {
        let at = self.stack.len() - k;
        self.stack
            .split_off(at)
            .into_iter()
            .map(Self::int)
            .collect()
    }

    fn call_result(&mut self, s: String, args: &[Expr], results: &[ValType]) -> Result<(), Error> {
        let parts: Vec<&Expr> = args.iter().collect();
        match results {
            [] => {
                self.flush();
                self.emit(&format!("{s};"));
            }
            [r] => {
                let mut e = mk(s, P_ATOM, ty(*r)?, &parts);
                e.fl |= EFFECT;
                self.push(e);
            }
            _ => return err("calls returning several values are not supported"),
        }
        Ok(())
    }

    /// Pushes `f(a)` for the top value.
    fn call1(&mut self, f: &str, t: T) {
        let a = Self::int(self.pop());
        let e = mk(format!("{f}({})", a.s), P_ATOM, t, &[&a]);
        self.push(e);
    }

    fn conv(&mut self, pattern: &str, t: T) {
        let a = Self::int(self.pop());
        let s = pattern.replace("{a}", &a.wrap(P_UNARY));
        let p = if pattern.contains("&4294967295") && !pattern.starts_with('(') {
            P_BAND
        } else {
            P_ATOM
        };
        let e = mk(s, p, t, &[&a]);
        self.push(e);
    }

    fn trunc(&mut self, pattern: &str, t: T) {
        self.conv(pattern, t);
        let top = self.stack.len() - 1;
        self.stack[top].fl |= TRAP;
    }

    fn f32_of(&mut self, f: impl FnOnce(&mut Self)) {
        f(self);
        self.call1("self::_f32", T::F32);
    }

    fn fbin(&mut self, op: &str, p: u8, t: T) {
        let b = self.pop();
        let a = self.pop();
        self.push(bin(&a, op, &b, p, t));
    }

    fn fcall2(&mut self, f: &str, t: T) {
        let b = self.pop();
        let a = self.pop();
        self.push(mk(format!("{f}({},{})", a.s, b.s), P_ATOM, t, &[&a, &b]));
    }

    fn fcmp(&mut self, op: &str) {
        let p = if op == "==" || op == "!=" {
            P_EQ
        } else {
            P_CMP
        };
        let b = self.pop();
        let a = self.pop();
        self.push(bin(&a, op, &b, p, T::Bool));
    }

    /// Integer comparison; `flip` compares with the sign bit flipped (i32 signed on
    /// unsigned representations, i64 unsigned on signed ones).
    fn cmp(&mut self, op: &str, p: u8, flip: bool, is64: bool) {
        let b = Self::int(self.pop());
        let a = Self::int(self.pop());
        if let (Some(x), Some(y)) = (a.k, b.k) {
            let r = if is64 {
                let (x, y) = if flip {
                    ((x as u64) as i128, (y as u64) as i128)
                } else {
                    (x as i128, y as i128)
                };
                cmp_eval(op, x, y)
            } else {
                let (x, y) = if flip {
                    (x as u32 as i32 as i128, y as u32 as i32 as i128)
                } else {
                    (x as i128, y as i128)
                };
                cmp_eval(op, x, y)
            };
            self.push(Expr::atom(if r { "true" } else { "false" }.into(), T::Bool));
            return;
        }
        if !flip {
            self.push(bin(&a, op, &b, p, T::Bool));
            return;
        }
        let f = |e: &Expr| -> Expr {
            if let Some(k) = e.k {
                if is64 {
                    Expr::i64c(k ^ i64::MIN)
                } else {
                    Expr::i64c(k ^ 0x8000_0000)
                }
            } else if is64 {
                bin(
                    e,
                    "^",
                    &Expr::atom("\\PHP_INT_MIN".into(), T::I64),
                    P_BXOR,
                    T::I64,
                )
            } else {
                bin(e, "^", &Expr::i64c(0x8000_0000), P_BXOR, T::I64)
            }
        };
        let (fa, fb) = (f(&a), f(&b));
        self.push(bin(&fa, op, &fb, p, T::Bool));
    }

    fn i32_arith(&mut self, fold: fn(u32, u32) -> u32, op: &str, p: u8) {
        let b = Self::int(self.pop());
        let a = Self::int(self.pop());
        if let (Some(x), Some(y)) = (a.k, b.k) {
            self.push(Expr::i32c(fold(x as u32, y as u32)));
            return;
        }
        if b.k == Some(0) {
            self.push(a);
            return;
        }
        self.push(mask32(bin(&a, op, &b, p, T::I32)));
    }

    fn i32_bits(&mut self, fold: fn(u32, u32) -> u32, op: &str, p: u8) {
        // PHP's & | ^ take bools as 0/1 and give ints: comparisons need no cast here.
        let b = self.pop();
        let a = self.pop();
        if let (Some(x), Some(y)) = (a.k, b.k) {
            self.push(Expr::i32c(fold(x as u32, y as u32)));
            return;
        }
        self.push(bin(&a, op, &b, p, T::I32));
    }

    fn i32_mul(&mut self) {
        let b = Self::int(self.pop());
        let a = Self::int(self.pop());
        match (a.k, b.k) {
            (Some(x), Some(y)) => self.push(Expr::i32c((x as u32).wrapping_mul(y as u32))),
            (Some(k), None) | (None, Some(k)) if k < 0x8000_0000 => {
                if k == 1 {
                    self.push(if a.k.is_some() { b } else { a });
                } else {
                    self.push(mask32(bin(&a, "*", &b, P_MUL, T::I32)));
                }
            }
            _ => self.push(mk(
                format!("self::_mul32({},{})", a.s, b.s),
                P_ATOM,
                T::I32,
                &[&a, &b],
            )),
        }
    }

    /// 0: shl, 1: shr_u, 2: shr_s.
    fn i32_shift(&mut self, kind: u8) {
        let b = Self::int(self.pop());
        let a = Self::int(self.pop());
        if let Some(k) = b.k {
            let k = (k & 31) as u32;
            if let Some(x) = a.k {
                let x = x as u32;
                let r = match kind {
                    0 => x << k,
                    1 => x >> k,
                    _ => ((x as i32) >> k) as u32,
                };
                self.push(Expr::i32c(r));
                return;
            }
            if k == 0 {
                self.push(a);
                return;
            }
            let e = match kind {
                0 => mask32(bin(&a, "<<", &Expr::i32c(k), P_SHIFT, T::I32)),
                1 => bin(&a, ">>", &Expr::i32c(k), P_SHIFT, T::I32),
                _ => mask32(mk(
                    format!("{}<<32>>{}", a.wrap(P_SHIFT), 32 + k),
                    P_SHIFT,
                    T::I32,
                    &[&a],
                )),
            };
            self.push(e);
            return;
        }
        let sh = format!("({}&31)", b.wrap(P_BAND));
        let e = match kind {
            0 => mask32(mk(
                format!("{}<<{sh}", a.wrap(P_SHIFT)),
                P_SHIFT,
                T::I32,
                &[&a, &b],
            )),
            1 => mk(
                format!("{}>>{sh}", a.wrap(P_SHIFT)),
                P_SHIFT,
                T::I32,
                &[&a, &b],
            ),
            _ => mask32(mk(
                format!("{}<<32>>32+{sh}", a.wrap(P_SHIFT)),
                P_SHIFT,
                T::I32,
                &[&a, &b],
            )),
        };
        self.push(e);
    }

    fn i32_rot(&mut self, right: bool) {
        let len = self.stack.len();
        if self.stack[len - 1].k.is_some() && !self.stack[len - 2].simple {
            self.spill(len - 2);
        }
        let b = Self::int(self.pop());
        let a = Self::int(self.pop());
        if let Some(k) = b.k {
            let mut k = (k & 31) as u32;
            if right {
                k = (32 - k) & 31;
            }
            if k == 0 {
                self.push(a);
                return;
            }
            let s = format!("({x}<<{k}|{x}>>{})&{M32}", 32 - k, x = a.wrap(P_SHIFT));
            self.push(mk(s, P_BAND, T::I32, &[&a]));
            return;
        }
        let s = if right {
            format!("self::_rotl32({},32-({}&31))", a.s, b.wrap(P_BAND))
        } else {
            format!("self::_rotl32({},{})", a.s, b.s)
        };
        self.push(mk(s, P_ATOM, T::I32, &[&a, &b]));
    }

    fn divrem(&mut self, pattern: &str, t: T, rem: bool) {
        let b = Self::int(self.pop());
        let a = Self::int(self.pop());
        let s = pattern
            .replace("{a}", &a.wrap(P_MUL + 1))
            .replace("{b}", &b.wrap(P_MUL + 1));
        let p = if pattern.ends_with("&4294967295") {
            P_BAND
        } else if rem && !pattern.starts_with("self") {
            P_MUL
        } else {
            P_ATOM
        };
        let mut e = mk(s, p, t, &[&a, &b]);
        // A constant divisor other than 0 (and -1 for signed) cannot trap.
        let safe = match b.k {
            Some(0) | None => false,
            Some(k) => {
                let signed64 = pattern.contains("intdiv") && t == T::I64 && k == -1;
                let signed32 = pattern.contains("divs32") && k == 0xFFFF_FFFF;
                !(signed64 || signed32)
            }
        };
        if !safe {
            e.fl |= TRAP;
        }
        self.push(e);
    }

    fn sext(&mut self, bits: u32, t: T) {
        let a = Self::int(self.pop());
        if let Some(k) = a.k {
            let v = (k << bits) >> bits;
            self.push(if t == T::I32 {
                Expr::i32c(v as u32)
            } else {
                Expr::i64c(v)
            });
            return;
        }
        let e = mk(
            format!("{}<<{bits}>>{bits}", a.wrap(P_SHIFT)),
            P_SHIFT,
            t,
            &[&a],
        );
        self.push(if t == T::I32 { mask32(e) } else { e });
    }

    fn i64_bits(&mut self, fold: fn(i64, i64) -> i64, op: &str, p: u8) {
        let b = Self::int(self.pop());
        let a = Self::int(self.pop());
        if let (Some(x), Some(y)) = (a.k, b.k) {
            self.push(Expr::i64c(fold(x, y)));
            return;
        }
        let mut e = bin(&a, op, &b, p, T::I64);
        e.t = T::I64;
        self.push(e);
    }

    /// Wrapping 64-bit add/sub: exact when the signs make overflow impossible, else
    /// computed with the sign bit flipped (which cannot overflow).
    fn i64_add(&mut self, sub: bool) {
        let len = self.stack.len();
        let b_const = self.stack[len - 1].k;
        let upto = if b_const.is_some() { len - 1 } else { len };
        for i in len - 2..upto {
            if !self.stack[i].simple {
                self.spill(i);
            }
        }
        let b = Self::int(self.pop());
        let a = Self::int(self.pop());
        if let (Some(x), Some(y)) = (a.k, b.k) {
            self.push(Expr::i64c(if sub {
                x.wrapping_sub(y)
            } else {
                x.wrapping_add(y)
            }));
            return;
        }
        let min = "\\PHP_INT_MIN";
        if let Some(mut c) = b.k {
            if sub && c != i64::MIN {
                c = -c;
            }
            if c == 0 {
                self.push(a);
                return;
            }
            let x = &a.s;
            let s = if c == i64::MIN {
                // a + MIN and a - MIN both flip the sign bit.
                format!("{}^{min}", a.wrap(P_BXOR))
            } else if c > 0 {
                format!("({x}<0?{x}+{c}:({x}^{min})+{c}^{min})")
            } else {
                format!("({x}>=0?{x}-{n}:({x}^{min})-{n}^{min})", n = -(c as i128))
            };
            let p = if c == i64::MIN { P_BXOR } else { P_ATOM };
            self.push(mk(s, p, T::I64, &[&a]));
            return;
        }
        let (x, y) = (&a.s, &b.s);
        let s = if sub {
            format!("(({x}^{y})>=0?{x}-{y}:({x}^{min})-{y}^{min})")
        } else {
            format!("(({x}^{y})<0?{x}+{y}:({x}^{min})+{y}^{min})")
        };
        self.push(mk(s, P_ATOM, T::I64, &[&a, &b]));
    }

    fn i64_mul(&mut self) {
        // A small constant factor: PHP multiplies exactly unless the product overflows
        // (it becomes a float then), so the helper only runs on overflow. The other
        // operand appears twice: it must be simple.
        let len = self.stack.len();
        let small = |k: Option<i64>| k.is_some_and(|k| k.unsigned_abs() < 1 << 32);
        let (ka, kb) = (self.stack[len - 2].k, self.stack[len - 1].k);
        if (small(kb) && ka.is_none()) || (small(ka) && kb.is_none()) {
            let var = if kb.is_some() { len - 2 } else { len - 1 };
            if !self.stack[var].simple {
                self.spill(var);
            }
        }
        let b = Self::int(self.pop());
        let a = Self::int(self.pop());
        if let (Some(x), Some(y)) = (a.k, b.k) {
            self.push(Expr::i64c(x.wrapping_mul(y)));
            return;
        }
        if a.k == Some(1) {
            self.push(b);
            return;
        }
        if b.k == Some(1) {
            self.push(a);
            return;
        }
        let s = if (small(b.k) && a.simple) || (small(a.k) && b.simple) {
            format!(
                "(\\is_int($r={x}*{y})?$r:self::_mul64({x},{y}))",
                x = a.wrap(P_MUL),
                y = b.wrap(P_MUL + 1)
            )
        } else {
            format!("self::_mul64({},{})", a.s, b.s)
        };
        self.push(mk(s, P_ATOM, T::I64, &[&a, &b]));
    }

    fn i64_shift(&mut self, kind: u8) {
        let b = Self::int(self.pop());
        let a = Self::int(self.pop());
        if let Some(k) = b.k {
            let k = (k & 63) as u32;
            if let Some(x) = a.k {
                let r = match kind {
                    0 => x << k,
                    1 => ((x as u64) >> k) as i64,
                    _ => x >> k,
                };
                self.push(Expr::i64c(r));
                return;
            }
            if k == 0 {
                self.push(a);
                return;
            }
            let e = match kind {
                0 => bin(&a, "<<", &Expr::i32c(k), P_SHIFT, T::I64),
                1 => {
                    let sh = bin(&a, ">>", &Expr::i32c(k), P_SHIFT, T::I64);
                    bin(&sh, "&", &Expr::i64c(i64::MAX >> (k - 1)), P_BAND, T::I64)
                }
                _ => bin(&a, ">>", &Expr::i32c(k), P_SHIFT, T::I64),
            };
            self.push(e);
            return;
        }
        let e = match kind {
            0 => mk(
                format!("{}<<({}&63)", a.wrap(P_SHIFT), b.wrap(P_BAND)),
                P_SHIFT,
                T::I64,
                &[&a, &b],
            ),
            1 => mk(
                format!("self::_shru64({},{})", a.s, b.s),
                P_ATOM,
                T::I64,
                &[&a, &b],
            ),
            _ => mk(
                format!("{}>>({}&63)", a.wrap(P_SHIFT), b.wrap(P_BAND)),
                P_SHIFT,
                T::I64,
                &[&a, &b],
            ),
        };
        self.push(e);
    }

    fn i64_rot(&mut self, right: bool) {
        let len = self.stack.len();
        if self.stack[len - 1].k.is_some() && !self.stack[len - 2].simple {
            self.spill(len - 2);
        }
        let b = Self::int(self.pop());
        let a = Self::int(self.pop());
        if let Some(k) = b.k {
            let mut k = (k & 63) as u32;
            if right {
                k = (64 - k) & 63;
            }
            if k == 0 {
                self.push(a);
                return;
            }
            let x = a.wrap(P_SHIFT);
            let s = format!("{x}<<{k}|{x}>>{}&{}", 64 - k, !(-1i64 << k));
            self.push(mk(s, P_BOR, T::I64, &[&a]));
            return;
        }
        let s = if right {
            format!("self::_rotl64({},64-({}&63))", a.s, b.wrap(P_BAND))
        } else {
            format!("self::_rotl64({},{})", a.s, b.s)
        };
        self.push(mk(s, P_ATOM, T::I64, &[&a, &b]));
    }

    /// The effective address of a memory access: base + offset (no wrap: wasm
    /// addresses are 33-bit and anything past memory traps).
    fn address(base: &Expr, offset: u64) -> (Option<u64>, String) {
        if let Some(k) = base.k {
            return (Some(k as u64 + offset), String::new());
        }
        if offset == 0 {
            (None, base.s.clone())
        } else {
            (None, format!("{}+{offset}", base.wrap(P_ADD)))
        }
    }

    fn load(&mut self, memarg: MemArg, n: u32, signed: bool, t: T) -> Result<(), Error> {
        if memarg.memory != 0 {
            return err("only memory 0 is supported");
        }
        let base = Self::int(self.pop());
        let (konst, addr) = Self::address(&base, memarg.offset);
        let bits = n * 8;
        let oob = "??$this->_oob()";
        let ext = |v: String, t: T| -> String {
            // v: the n-byte value in the low bits of a PHP int, unsigned.
            if signed && n < 8 {
                let sh = 64 - bits;
                if t == T::I32 {
                    format!("{v}<<{sh}>>{sh}&{M32}")
                } else {
                    format!("{v}<<{sh}>>{sh}")
                }
            } else {
                v
            }
        };
        let s = if let Some(e) = konst {
            let w = e >> 3;
            let sh = (e & 7) * 8;
            if sh + bits as u64 <= 64 {
                let word = format!("($M[{w}]{oob})");
                if n == 8 {
                    word
                } else if signed {
                    let up = 64 - bits as u64 - sh;
                    let r = format!("{word}<<{up}>>{}", 64 - bits);
                    if t == T::I32 {
                        format!("{r}&{M32}")
                    } else {
                        r
                    }
                } else if sh == 0 {
                    format!("{word}&{}", (1u64 << bits) - 1)
                } else {
                    format!("{word}>>{sh}&{}", (1u64 << bits) - 1)
                }
            } else {
                ext(format!("$this->_ld($M,{e},{n})"), t)
            }
        } else if n == 8 && memarg.align >= 3 {
            // Declared 8-aligned: a helper for the (never seen) unaligned case.
            format!("(($e={addr})&7?$this->_ld($M,$e,8):$M[$e>>3]{oob})")
        } else if n == 8 {
            // Declared unaligned: the high bits of one word and the low bits of the next.
            format!(
                "(($s=(($e={addr})&7)<<3)?($M[$w=$e>>3]{oob})>>$s&(\\PHP_INT_MAX>>$s-1)|($M[$w+1]{oob})<<64-$s:$M[$e>>3]{oob})"
            )
        } else if n == 1 {
            if signed {
                let r = format!("($M[($e={addr})>>3]{oob})<<56-(($e&7)<<3)>>56");
                if t == T::I32 {
                    format!("({r}&{M32})")
                } else {
                    format!("({r})")
                }
            } else {
                format!("(($M[($e={addr})>>3]{oob})>>(($e&7)<<3)&255)")
            }
        } else {
            let lim = 64 - bits + 1;
            let fast = if signed {
                let r = format!("($M[$e>>3]{oob})<<{}-$s>>{}", 64 - bits, 64 - bits);
                if t == T::I32 {
                    format!("{r}&{M32}")
                } else {
                    r
                }
            } else {
                format!("($M[$e>>3]{oob})>>$s&{}", (1u64 << bits) - 1)
            };
            let slow = ext(format!("$this->_ld($M,$e,{n})"), t);
            format!("(($s=(($e={addr})&7)<<3)<{lim}?{fast}:{slow})")
        };
        let p = if s.starts_with('(') && s.ends_with(')') && balanced(&s) {
            P_ATOM
        } else if s.contains('&') {
            P_BAND
        } else {
            P_SHIFT
        };
        let mut e = mk(s, p, t, &[&base]);
        e.fl |= MEM;
        self.push(e);
        Ok(())
    }

    fn store(&mut self, memarg: MemArg, n: u32) -> Result<(), Error> {
        if memarg.memory != 0 {
            return err("only memory 0 is supported");
        }
        let top = self.stack.len() - 1;
        self.stack[top] = Self::int(self.stack[top].clone());
        // The value is evaluated after the word it merges into is read: it must not
        // call (memory could change) nor trap otherwise than out of bounds; and it
        // appears twice in the text for wider stores.
        if (n != 1 && !self.stack[top].simple) || self.stack[top].fl & (EFFECT | TRAP) != 0 {
            self.spill(top);
        }
        let v = self.pop();
        let base = Self::int(self.pop());
        self.flush();
        let (konst, addr) = Self::address(&base, memarg.offset);
        let bits = n * 8;
        let vm = if let (Some(k), true) = (v.k, n < 8) {
            ((k as u64) & ((1u64 << bits) - 1)).to_string()
        } else if n == 8 || (n == 4 && v.t == T::I32) {
            v.wrap(P_SHIFT + 1)
        } else {
            format!("({}&{})", v.s, (1u64 << bits) - 1)
        };
        let s = if let Some(e) = konst {
            let w = e >> 3;
            let sh = (e & 7) * 8;
            if n == 8 && sh == 0 {
                format!("if(!isset($M[{w}]))$this->_oob();$M[{w}]={};", v.s)
            } else if sh + bits as u64 <= 64 {
                let m = ((1u128 << bits) - 1) << sh;
                let keep = !(m as u64) as i64;
                format!(
                    "$M[{w}]=($M[{w}]??$this->_oob())&{}|{vm}<<{sh};",
                    i64_lit(keep)
                )
            } else {
                format!("$this->_st($M,{e},{n},{});", v.s)
            }
        } else if n == 8 && memarg.align >= 3 {
            format!(
                "if(($E={addr})&7||!isset($M[$W=$E>>3]))$this->_st($M,$E,8,{});else $M[$W]={};",
                v.s, v.s
            )
        } else if n == 8 {
            // Declared unaligned: the low bits go high in one word, the high bits low in the next.
            let x = v.wrap(P_SHIFT + 1);
            format!(
                "if($S=(($E={addr})&7)<<3){{$W=$E>>3;$H=$M[$W+1]??$this->_oob();$M[$W]=($M[$W]??$this->_oob())&~(-1<<$S)|{x}<<$S;$M[$W+1]=$H&(-1<<$S)|{x}>>64-$S&~(-1<<$S);}}elseif(isset($M[$W=$E>>3]))$M[$W]={};else $this->_oob();",
                v.s
            )
        } else if n == 1 {
            format!("$W=($E={addr})>>3;$S=($E&7)<<3;$M[$W]=($M[$W]??$this->_oob())&~(255<<$S)|{vm}<<$S;")
        } else {
            let lim = 64 - bits + 1;
            let m = (1u64 << bits) - 1;
            format!(
                "if(($S=(($E={addr})&7)<<3)<{lim}){{$W=$E>>3;$M[$W]=($M[$W]??$this->_oob())&~({m}<<$S)|{vm}<<$S;}}else $this->_st($M,$E,{n},{});",
                v.s
            )
        };
        self.emit(&s);
        Ok(())
    }

    /// Ends the current arm of an `if` or a block: results into the frame's variables.
    /// Returns the value when the arm is nothing but that (for a ternary).
    fn end_arm(&mut self) -> Option<Expr> {
        let f = self.frames.last().expect("frame");
        let n = f.results.len();
        if f.vars.is_empty() {
            return None;
        }
        let vars = f.vars.clone();
        let arm_pos = f.arm_pos;
        let only = n == 1 && self.out.len() == arm_pos && self.stack.len() == f.height + 1;
        let len = self.stack.len();
        for i in 0..len - n {
            if self.stack[i].fl != 0 {
                self.spill_one(i);
            }
        }
        let only = only && self.out.len() == arm_pos;
        let values = self.stack.split_off(len - n);
        let keep = if only { Some(values[0].clone()) } else { None };
        for (v, e) in vars.iter().zip(values) {
            let s = format!("{v}={};", Self::int(e).s);
            self.emit(&s);
        }
        keep
    }

    fn end(&mut self) -> Result<(), Error> {
        let kind = self.frame().kind;
        match kind {
            Kind::Func => {
                if !self.frame().dead {
                    let v = if self.results.len() == 1 {
                        Some(self.pop())
                    } else {
                        None
                    };
                    if v.is_some() {
                        let code = self.ret_stmt(v);
                        self.emit(&code);
                    }
                }
                self.frames.pop();
                let _ = self.func;
            }
            Kind::Block | Kind::Loop => {
                let dead = self.frame().dead;
                let targeted = self.frame().targeted;
                if kind == Kind::Block {
                    if !dead {
                        self.da_join_end();
                    }
                    if let Some(e) = self.frame().da_end.clone() {
                        self.assigned = e;
                    }
                }
                if kind == Kind::Block && targeted && !dead {
                    self.end_arm();
                }
                let f = self.frames.pop().expect("frame");
                if kind == Kind::Block && targeted {
                    self.stack.truncate(f.height);
                    self.emit(&format!("L{}:", f.label));
                    for (v, t) in f.vars.iter().zip(&f.results) {
                        self.stack.push(Expr::var(v.clone(), *t, None));
                    }
                } else if dead {
                    self.stack.truncate(f.height);
                    self.kill();
                }
            }
            Kind::If => {
                let dead = self.frame().dead;
                let mut only = None;
                if !dead {
                    only = self.end_arm();
                    self.da_join_end();
                }
                if !self.frame().has_else {
                    // The missing else arm runs with the state at the condition.
                    let entry = self.frame().da_entry.clone();
                    self.assigned = entry;
                    self.da_join_end();
                }
                if let Some(e) = self.frame().da_end.clone() {
                    self.assigned = e;
                }
                let f = self.frames.pop().expect("frame");
                self.stack.truncate(f.height);
                if let (Some(then), Some(els), Some(cond)) = (&f.then_only, &only, &f.cond) {
                    if f.has_else && !f.targeted && !f.then_dead {
                        // `if (c) { $r = a; } else { $r = b; }` -> `(c ? a : b)`
                        self.out.truncate(f.header_pos);
                        let (a, b, t) = if then.t == T::Bool && els.t == T::Bool {
                            (then.clone(), els.clone(), T::Bool)
                        } else {
                            (
                                Self::int(then.clone()),
                                Self::int(els.clone()),
                                f.results[0],
                            )
                        };
                        let s = format!(
                            "({}?{}:{})",
                            cond.wrap_le(P_TERN),
                            a.wrap_le(P_TERN),
                            b.wrap_le(P_TERN)
                        );
                        let e = mk(s, P_ATOM, t, &[cond, &a, &b]);
                        self.stack.push(e);
                        return Ok(());
                    }
                }
                self.emit("}");
                if f.targeted {
                    self.emit(&format!("L{}:", f.label));
                }
                let then_dead = if f.has_else { f.then_dead } else { false };
                let all_dead = then_dead && dead;
                if all_dead && !f.targeted {
                    self.kill();
                } else {
                    for (v, t) in f.vars.iter().zip(&f.results) {
                        self.stack.push(Expr::var(v.clone(), *t, None));
                    }
                }
            }
        }
        Ok(())
    }
}

fn balanced(s: &str) -> bool {
    // Whether the outer parentheses of s enclose all of it.
    let mut depth = 0i32;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 && i != s.len() - 1 {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}

fn cmp_eval(op: &str, x: i128, y: i128) -> bool {
    match op {
        "==" => x == y,
        "!=" => x != y,
        "<" => x < y,
        ">" => x > y,
        "<=" => x <= y,
        _ => x >= y,
    }
}
