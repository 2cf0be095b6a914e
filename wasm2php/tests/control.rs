//! Memory, control flow, calls and traps: wasmtime and the generated PHP agree.

mod common;

use common::{call, compare, V};

/// Fills bytes [0, 80) with a pattern, so loads and stores see distinct bytes.
const INIT: &str = "(local $i i32)
  (loop $l
    (i32.store8 (local.get $i) (i32.add (i32.mul (local.get $i) (i32.const 37)) (i32.const 11)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br_if $l (i32.lt_u (local.get $i) (i32.const 80))))";

/// A hash of bytes [0, 80) (and of 8 bytes at the end of memory).
const HASH: &str = "(local.set $h (i64.const 0))
  (local.set $i (i32.const 0))
  (loop $k
    (local.set $h (i64.xor (i64.rotl (local.get $h) (i64.const 7)) (i64.load (local.get $i))))
    (local.set $i (i32.add (local.get $i) (i32.const 8)))
    (br_if $k (i32.lt_u (local.get $i) (i32.const 80))))
  (i64.xor (local.get $h) (i64.load (i32.const 65528)))";

fn addresses() -> Vec<u32> {
    let mut a: Vec<u32> = (0..20).collect();
    a.extend([
        64,
        65519,
        65520,
        65527,
        65528,
        65529,
        65532,
        65534,
        65535,
        65536,
        65537,
        0x7fff_ffff,
        0xffff_fff8,
        0xffff_ffff,
    ]);
    a
}

#[test]
fn loads_and_stores() {
    let loads = [
        ("i32.load", "i64.extend_i32_u"),
        ("i32.load8_s", "i64.extend_i32_u"),
        ("i32.load8_u", "i64.extend_i32_u"),
        ("i32.load16_s", "i64.extend_i32_u"),
        ("i32.load16_u", "i64.extend_i32_u"),
        ("i64.load", ""),
        ("i64.load8_s", ""),
        ("i64.load8_u", ""),
        ("i64.load16_s", ""),
        ("i64.load16_u", ""),
        ("i64.load32_s", ""),
        ("i64.load32_u", ""),
        ("f32.load", "i32.reinterpret_f32 i64.extend_i32_u"),
        ("f64.load", "i64.reinterpret_f64"),
        // Declared unaligned: translated differently from naturally aligned ones.
        ("i64.load@1", ""),
        ("i64.load@4", ""),
        ("i32.load@1", "i64.extend_i32_u"),
        ("i32.load16_u@1", "i64.extend_i32_u"),
    ];
    let stores = [
        ("i32.store", "i32.wrap_i64"),
        ("i32.store8", "i32.wrap_i64"),
        ("i32.store16", "i32.wrap_i64"),
        ("i64.store", ""),
        ("i64.store8", ""),
        ("i64.store16", ""),
        ("i64.store32", ""),
        ("f64.store", "f64.reinterpret_i64"),
        ("f32.store", "i32.wrap_i64 f32.reinterpret_i32"),
        ("i64.store@1", ""),
        ("i64.store@4", ""),
        ("i32.store@1", "i32.wrap_i64"),
        ("i64.store32@2", ""),
    ];
    // "op@A": the instruction with align=A after its offset.
    let split = |op: &str| -> (String, String) {
        match op.split_once('@') {
            Some((o, a)) => (o.to_string(), format!(" align={a}")),
            None => (op.to_string(), String::new()),
        }
    };
    let mut wat = String::from("(module (memory 1 2)\n");
    let mut calls = Vec::new();
    for (i, (op, ext)) in loads.iter().enumerate() {
        let (op, align) = split(op);
        for offset in [0u32, 3, 8, 65535] {
            let n = format!("ld{i}_o{offset}");
            wat.push_str(&format!(
                "(func (export \"{n}\") (param $a i32) (result i64) {INIT}
                   (i64.store (i32.const 65528) (i64.const 0x0102030405060708))
                   (local.get $a) {op} offset={offset}{align} {ext})\n"
            ));
            for a in addresses() {
                calls.push(call(&n, vec![V::I32(a)]));
            }
        }
        // Constant addresses.
        for a in [0u32, 1, 5, 6, 7, 12, 65528, 65532, 65535] {
            let n = format!("ld{i}_k{a}");
            wat.push_str(&format!(
                "(func (export \"{n}\") (result i64) {INIT}
                   (i64.store (i32.const 65528) (i64.const 0x0102030405060708))
                   (i32.const {a}) {op}{align} {ext})\n"
            ));
            calls.push(call(&n, vec![]));
        }
    }
    for (i, (op, conv)) in stores.iter().enumerate() {
        let (op, align) = split(op);
        for offset in [0u32, 5, 65535] {
            let n = format!("st{i}_o{offset}");
            wat.push_str(&format!(
                "(func (export \"{n}\") (param $a i32) (param $v i64) (result i64) (local $h i64) {INIT}
                   (local.get $a) (local.get $v) {conv} {op} offset={offset}{align}
                   {HASH})\n"
            ));
            for a in addresses() {
                for v in [0i64, -1, 0x1122_3344_5566_7788, 0x7ff8_0000_0000_0001] {
                    calls.push(call(&n, vec![V::I32(a), V::I64(v)]));
                }
            }
        }
        for a in [0u32, 3, 7, 13, 65528, 65533] {
            let n = format!("st{i}_k{a}");
            wat.push_str(&format!(
                "(func (export \"{n}\") (param $v i64) (result i64) (local $h i64) {INIT}
                   (i32.const {a}) (local.get $v) {conv} {op}{align}
                   {HASH})\n"
            ));
            calls.push(call(&n, vec![V::I64(0x1122_3344_5566_7788)]));
            calls.push(call(&n, vec![V::I64(-2)]));
        }
    }
    // A store whose value is loaded from memory (the word it merges into is read first).
    wat.push_str(&format!(
        "(func (export \"st_from_ld\") (param $a i32) (param $b i32) (result i64) (local $h i64) {INIT}
           (i32.store8 (local.get $a) (i32.load8_u (local.get $b)))
           (i32.store16 (local.get $b) (i32.load16_u (local.get $a)))
           (i64.store (local.get $a) (i64.load (local.get $b)))
           {HASH})\n"
    ));
    for a in 0..12u32 {
        for b in 0..12u32 {
            calls.push(call("st_from_ld", vec![V::I32(a), V::I32(b)]));
        }
    }
    wat.push(')');
    compare(&wat, &calls);
}

#[test]
fn bulk_memory_and_growth() {
    let wat = format!(
        "(module (memory 1 3)
          (func (export \"copy\") (param $d i32) (param $s i32) (param $n i32) (result i64) (local $h i64) {INIT}
            (memory.copy (local.get $d) (local.get $s) (local.get $n))
            {HASH})
          (func (export \"fill\") (param $d i32) (param $v i32) (param $n i32) (result i64) (local $h i64) {INIT}
            (memory.fill (local.get $d) (local.get $v) (local.get $n))
            {HASH})
          (func (export \"grow\") (param $n i32) (result i32)
            (drop (memory.grow (local.get $n)))
            (i32.add (i32.mul (memory.grow (local.get $n)) (i32.const 1000)) (memory.size)))
          (func (export \"grow_store\") (param $a i32) (result i32)
            (drop (memory.grow (i32.const 2)))
            (i32.store (local.get $a) (i32.const 0x01020304))
            (i32.load (local.get $a))))"
    );
    let mut calls = Vec::new();
    let spots = [
        0u32,
        1,
        3,
        7,
        8,
        9,
        16,
        23,
        40,
        65500,
        65535,
        65536,
        0xffff_fff0,
    ];
    for d in spots {
        for s in spots {
            for n in [0u32, 1, 2, 5, 7, 8, 9, 15, 16, 17, 33, 36, 70] {
                calls.push(call("copy", vec![V::I32(d), V::I32(s), V::I32(n)]));
            }
        }
        for n in [0u32, 1, 3, 8, 13, 36, 80, 100, 65536] {
            calls.push(call("fill", vec![V::I32(d), V::I32(0x1ab), V::I32(n)]));
        }
    }
    for n in [0u32, 1, 2, 3, 0xffff_ffff] {
        calls.push(call("grow", vec![V::I32(n)]));
    }
    for a in [0u32, 65536, 131068, 196604, 196605, 196608] {
        calls.push(call("grow_store", vec![V::I32(a)]));
    }
    compare(&wat, &calls);
}

#[test]
fn control_flow_calls_and_traps() {
    let wat = r#"(module
      (type $ii (func (param i32) (result i32)))
      (type $v (func))
      (table 6 funcref)
      (elem (i32.const 1) $double $square $nothing $double)
      (global $g (mut i32) (i32.const 7))
      (global $g64 (mut i64) (i64.const -3))
      (memory 1)
      (func $double (type $ii) (i32.mul (local.get 0) (i32.const 2)))
      (func $square (type $ii) (i32.mul (local.get 0) (local.get 0)))
      (func $nothing (type $v))
      (func (export "indirect") (param $i i32) (param $x i32) (result i32)
        (call_indirect (type $ii) (local.get $x) (local.get $i)))
      (func (export "fact") (param $n i64) (result i64) (local $r i64)
        (local.set $r (i64.const 1))
        (block $done
          (loop $l
            (br_if $done (i64.le_s (local.get $n) (i64.const 1)))
            (local.set $r (i64.mul (local.get $r) (local.get $n)))
            (local.set $n (i64.sub (local.get $n) (i64.const 1)))
            (br $l)))
        (local.get $r))
      (func $fib (export "fib") (param $n i32) (result i32)
        (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
          (then (local.get $n))
          (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                         (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
      (func (export "table") (param $i i32) (result i32)
        (block $d (block $c (block $b (block $a
          (br_table $a $b $c $a $d (local.get $i)))
          (return (i32.const 100)))
          (return (i32.const 101)))
          (return (i32.const 102)))
        (i32.const 103))
      (func (export "table_values") (param $i i32) (param $x i32) (result i32)
        (i32.add (i32.const 1000)
          (block $out (result i32)
            (block $two (result i32)
              (block $one (result i32)
                (local.get $x)
                (local.get $i)
                (br_table $one $two $out))
              (i32.mul (i32.const 10))
              (br $out))
            (i32.mul (i32.const 100)))))
      (func (export "collatz") (param $n i32) (result i32) (local $steps i32)
        (block $end
          (loop $l
            (br_if $end (i32.eq (local.get $n) (i32.const 1)))
            (local.set $n
              (if (result i32) (i32.and (local.get $n) (i32.const 1))
                (then (i32.add (i32.mul (local.get $n) (i32.const 3)) (i32.const 1)))
                (else (i32.shr_u (local.get $n) (i32.const 1)))))
            (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
            (br $l)))
        (local.get $steps))
      (func (export "select_effects") (param $c i32) (result i32)
        (global.set $g (i32.const 1))
        (select
          (call $bump (i32.const 10))
          (call $bump (i32.const 100))
          (local.get $c))
        (i32.mul (global.get $g) (i32.const 1000))
        (i32.add))
      (func $bump (param $x i32) (result i32)
        (global.set $g (i32.add (global.get $g) (local.get $x)))
        (global.get $g))
      (func (export "order") (param $x i32) (result i32)
        ;; the global read is before the call that changes it
        (i32.sub (global.get $g) (call $bump (local.get $x))))
      (func (export "tee_order") (param $x i32) (result i32)
        ;; the old value of $x is on the stack when tee writes it
        (i32.sub (local.get $x) (local.tee $x (i32.const 5))))
      (func (export "brif_value") (param $c i32) (result i32)
        (block $b (result i32)
          (drop (br_if $b (call $bump (i32.const 3)) (local.get $c)))
          (i32.const 77)))
      (func (export "g64") (param $x i64) (result i64)
        (global.set $g64 (i64.add (global.get $g64) (local.get $x)))
        (global.get $g64))
      (func (export "nested_if") (param $a i32) (param $b i32) (result i32)
        (if (result i32) (local.get $a)
          (then (if (result i32) (local.get $b) (then (i32.const 1)) (else (i32.const 2))))
          (else (if (result i32) (local.get $b) (then (i32.const 3)) (else (i32.div_u (i32.const 4) (local.get $b)))))))
      (func (export "unreachable") (param $a i32) (result i32)
        (if (local.get $a) (then unreachable))
        (i32.const 9))
      (func (export "dead_code") (param $a i32) (result i32)
        (block $b (result i32)
          (br $b (i32.const 5))
          (i32.const 6)
          (drop)
          (i32.const 7)))
      (func $forever (export "forever") (param $a i32) (result i32)
        (call $forever (local.get $a)))
      (func (export "load_trap_order") (param $a i32) (result i32)
        ;; the division traps before the out-of-bounds load is reached
        (i32.add (i32.div_u (i32.const 1) (local.get $a)) (i32.load (i32.const 70000))))
    )"#;
    let mut calls = Vec::new();
    for i in 0..8u32 {
        calls.push(call("indirect", vec![V::I32(i), V::I32(7)]));
        calls.push(call("table", vec![V::I32(i)]));
        calls.push(call("table_values", vec![V::I32(i), V::I32(3)]));
    }
    calls.push(call("indirect", vec![V::I32(0xffff_ffff), V::I32(7)]));
    for n in [0i64, 1, 5, 20, 21, 25, -3] {
        calls.push(call("fact", vec![V::I64(n)]));
    }
    for n in [0u32, 1, 2, 10, 20] {
        calls.push(call("fib", vec![V::I32(n)]));
    }
    for n in [1u32, 6, 27, 97, 871] {
        calls.push(call("collatz", vec![V::I32(n)]));
    }
    for c in [0u32, 1] {
        calls.push(call("select_effects", vec![V::I32(c)]));
        calls.push(call("brif_value", vec![V::I32(c)]));
        calls.push(call("unreachable", vec![V::I32(c)]));
        calls.push(call("load_trap_order", vec![V::I32(c)]));
    }
    for x in [0u32, 5, 0xffff_ffff] {
        calls.push(call("order", vec![V::I32(x)]));
        calls.push(call("tee_order", vec![V::I32(x)]));
    }
    calls.push(call("g64", vec![V::I64(i64::MAX)]));
    for a in 0..2u32 {
        for b in 0..2u32 {
            calls.push(call("nested_if", vec![V::I32(a), V::I32(b)]));
        }
    }
    calls.push(call("dead_code", vec![V::I32(0)]));
    calls.push(call("forever", vec![V::I32(0)]));
    compare(wat, &calls);
}

#[test]
fn unsupported_instructions_fail_the_translation_by_name() {
    let wasm = wat::parse_str(
        r#"(module (table 2 funcref)
             (func (export "size") (result i32) (table.size 0)))"#,
    )
    .expect("wat");
    let err = wasm2php::translate(&wasm, &wasm2php::Options::default())
        .expect_err("table.size is not supported");
    assert!(
        err.0.contains("unsupported instruction: TableSize"),
        "{err}"
    );
    let wasm = wat::parse_str(r#"(module (import "env" "f" (func)))"#).expect("wat");
    let err = wasm2php::translate(&wasm, &wasm2php::Options::default())
        .expect_err("imports are not supported");
    assert!(err.0.contains("imports the function env::f"), "{err}");
}
