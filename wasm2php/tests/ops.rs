//! Instruction-level parity: every operator the translator emits, on edge values, run
//! through wasmtime and through the generated PHP, with the same results and traps.
//! Each binary operator is also compiled with a constant right operand and with both
//! operands constant, since the translator specializes (and folds) those.

mod common;

use common::{call, compare, Call, V};

const I32S: [u32; 18] = [
    0,
    1,
    2,
    3,
    7,
    8,
    31,
    32,
    33,
    63,
    0x7fff_ffff,
    0x8000_0000,
    0x8000_0001,
    0xffff_fffe,
    0xffff_ffff,
    0x1234_5678,
    0xdead_beef,
    0x0000_ff80,
];

const I64S: [i64; 20] = [
    0,
    1,
    2,
    -1,
    -2,
    7,
    63,
    64,
    65,
    i64::MAX,
    i64::MIN,
    i64::MIN + 1,
    i64::MAX - 1,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x1_0000_0000,
    -0x1_0000_0000,
    0x1234_5678_9abc_def0,
    -0x0edc_ba98_7654_3211,
];

fn f64s() -> Vec<f64> {
    vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        1.5,
        2.5,
        -2.5,
        3.5,
        0.499_999_999_999_999_94,
        4.7,
        -4.7,
        1e-7,
        123_456_789.123,
        2147483647.0,
        2147483648.0,
        -2147483648.0,
        -2147483649.0,
        4294967295.0,
        4294967296.0,
        9.223_372_036_854_776e18,
        -9.223_372_036_854_776e18,
        1.844_674_407_370_955_2e19,
        9_007_199_254_740_993.0,
        1e300,
        -1e300,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
        -5e-324,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -f64::NAN,
    ]
}

fn f32s() -> Vec<f32> {
    vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -2.5,
        3.5,
        0.1,
        4.7,
        -4.7,
        16_777_217.0,
        2147483648.0,
        -2147483648.0,
        4294967296.0,
        9.223_372e18,
        -9.223_372e18,
        f32::MAX,
        f32::MIN_POSITIVE,
        1e-45,
        -1e-45,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        -f32::NAN,
    ]
}

fn ty_lit(t: &str, v: V) -> String {
    match v {
        V::I32(x) => format!("(i32.const {})", x as i32),
        V::I64(x) => format!("(i64.const {x})"),
        V::F32(b) => format!("(f32.const {})", wat_f32(b)),
        V::F64(b) => format!("(f64.const {})", wat_f64(b)),
    }
    .replace("$t", t)
}

fn wat_f64(b: u64) -> String {
    let f = f64::from_bits(b);
    if f.is_nan() {
        format!(
            "{}nan:0x{:x}",
            if f.is_sign_negative() { "-" } else { "" },
            b & 0x000f_ffff_ffff_ffff
        )
    } else if f.is_infinite() {
        if f > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        }
    } else {
        format!("{f:e}")
    }
}

fn wat_f32(b: u32) -> String {
    let f = f32::from_bits(b);
    if f.is_nan() {
        format!(
            "{}nan:0x{:x}",
            if f.is_sign_negative() { "-" } else { "" },
            b & 0x007f_ffff
        )
    } else if f.is_infinite() {
        if f > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        }
    } else {
        format!("{f:e}")
    }
}

fn values(t: &str) -> Vec<V> {
    match t {
        "i32" => I32S.iter().map(|x| V::I32(*x)).collect(),
        "i64" => I64S.iter().map(|x| V::I64(*x)).collect(),
        "f32" => f32s().iter().map(|x| V::F32(x.to_bits())).collect(),
        _ => f64s().iter().map(|x| V::F64(x.to_bits())).collect(),
    }
}

/// (op, operand type, result type)
fn binary_ops() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut v = Vec::new();
    for op in [
        "add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or", "xor", "shl",
        "shr_s", "shr_u", "rotl", "rotr",
    ] {
        v.push((op, "i32", "i32"));
        v.push((op, "i64", "i64"));
    }
    for op in [
        "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u",
    ] {
        v.push((op, "i32", "i32"));
        v.push((op, "i64", "i32"));
    }
    for op in ["add", "sub", "mul", "div", "min", "max", "copysign"] {
        v.push((op, "f32", "f32"));
        v.push((op, "f64", "f64"));
    }
    for op in ["eq", "ne", "lt", "gt", "le", "ge"] {
        v.push((op, "f32", "i32"));
        v.push((op, "f64", "i32"));
    }
    v
}

fn name(t: &str, op: &str) -> String {
    format!("{t}_{op}")
}

#[test]
fn binary_operators() {
    let mut wat = String::from("(module\n");
    let mut calls: Vec<Call> = Vec::new();
    for (op, t, r) in binary_ops() {
        let n = name(t, op);
        wat.push_str(&format!(
            "(func (export \"{n}\") (param {t} {t}) (result {r}) local.get 0 local.get 1 {t}.{op})\n"
        ));
        let vals = values(t);
        // A float result that is NaN is compared as NaN; its bits only where wasm
        // fixes them (copysign, below).
        for a in &vals {
            for b in &vals {
                calls.push(call(&n, vec![*a, *b]));
            }
        }
        // Constant right operand, and both constant.
        for (ci, c) in vals
            .iter()
            .enumerate()
            .step_by(if t.starts_with('f') { 3 } else { 1 })
        {
            let nc = format!("{n}_c{ci}");
            wat.push_str(&format!(
                "(func (export \"{nc}\") (param {t}) (result {r}) local.get 0 {} {t}.{op})\n",
                ty_lit(t, *c)
            ));
            for a in &vals {
                calls.push(call(&nc, vec![*a]));
            }
            if ci % 4 == 0 {
                for (ai, a) in vals.iter().enumerate().step_by(3) {
                    let nk = format!("{n}_k{ci}_{ai}");
                    wat.push_str(&format!(
                        "(func (export \"{nk}\") (result {r}) {} {} {t}.{op})\n",
                        ty_lit(t, *a),
                        ty_lit(t, *c)
                    ));
                    calls.push(call(&nk, vec![]));
                }
            }
        }
    }
    // copysign bits, NaNs included.
    for t in ["f32", "f64"] {
        let it = if t == "f32" { "i32" } else { "i64" };
        wat.push_str(&format!(
            "(func (export \"{t}_copysign_bits\") (param {t} {t}) (result {it}) local.get 0 local.get 1 {t}.copysign {it}.reinterpret_{t})\n"
        ));
        for a in values(t) {
            for b in values(t) {
                calls.push(call(&format!("{t}_copysign_bits"), vec![a, b]));
            }
        }
    }
    wat.push(')');
    let n = compare(&wat, &calls);
    assert!(n > 20_000, "{n} calls");
}

#[test]
fn unary_operators_and_conversions() {
    // (name, param type, result type, body after local.get 0)
    let ops: Vec<(&str, &str, &str, &str)> = vec![
        ("i32_eqz", "i32", "i32", "i32.eqz"),
        ("i64_eqz", "i64", "i32", "i64.eqz"),
        ("i32_clz", "i32", "i32", "i32.clz"),
        ("i32_ctz", "i32", "i32", "i32.ctz"),
        ("i32_popcnt", "i32", "i32", "i32.popcnt"),
        ("i64_clz", "i64", "i64", "i64.clz"),
        ("i64_ctz", "i64", "i64", "i64.ctz"),
        ("i64_popcnt", "i64", "i64", "i64.popcnt"),
        ("i32_extend8_s", "i32", "i32", "i32.extend8_s"),
        ("i32_extend16_s", "i32", "i32", "i32.extend16_s"),
        ("i64_extend8_s", "i64", "i64", "i64.extend8_s"),
        ("i64_extend16_s", "i64", "i64", "i64.extend16_s"),
        ("i64_extend32_s", "i64", "i64", "i64.extend32_s"),
        ("i32_wrap_i64", "i64", "i32", "i32.wrap_i64"),
        ("i64_extend_i32_s", "i32", "i64", "i64.extend_i32_s"),
        ("i64_extend_i32_u", "i32", "i64", "i64.extend_i32_u"),
        ("f64_abs", "f64", "i64", "f64.abs i64.reinterpret_f64"),
        ("f64_neg", "f64", "i64", "f64.neg i64.reinterpret_f64"),
        ("f32_abs", "f32", "i32", "f32.abs i32.reinterpret_f32"),
        ("f32_neg", "f32", "i32", "f32.neg i32.reinterpret_f32"),
        ("f64_sqrt", "f64", "f64", "f64.sqrt"),
        ("f64_ceil", "f64", "f64", "f64.ceil"),
        ("f64_floor", "f64", "f64", "f64.floor"),
        ("f64_trunc", "f64", "f64", "f64.trunc"),
        ("f64_nearest", "f64", "f64", "f64.nearest"),
        ("f32_sqrt", "f32", "f32", "f32.sqrt"),
        ("f32_ceil", "f32", "f32", "f32.ceil"),
        ("f32_floor", "f32", "f32", "f32.floor"),
        ("f32_trunc", "f32", "f32", "f32.trunc"),
        ("f32_nearest", "f32", "f32", "f32.nearest"),
        ("f64_promote", "f32", "f64", "f64.promote_f32"),
        ("f32_demote", "f64", "f32", "f32.demote_f64"),
        ("f64_conv_i32_s", "i32", "f64", "f64.convert_i32_s"),
        ("f64_conv_i32_u", "i32", "f64", "f64.convert_i32_u"),
        ("f64_conv_i64_s", "i64", "f64", "f64.convert_i64_s"),
        ("f64_conv_i64_u", "i64", "f64", "f64.convert_i64_u"),
        ("f32_conv_i32_s", "i32", "f32", "f32.convert_i32_s"),
        ("f32_conv_i32_u", "i32", "f32", "f32.convert_i32_u"),
        ("f32_conv_i64_s", "i64", "f32", "f32.convert_i64_s"),
        ("f32_conv_i64_u", "i64", "f32", "f32.convert_i64_u"),
        ("i64_reinterpret", "f64", "i64", "i64.reinterpret_f64"),
        (
            "f64_reinterpret",
            "i64",
            "i64",
            "f64.reinterpret_i64 i64.reinterpret_f64",
        ),
        ("i32_reinterpret", "f32", "i32", "i32.reinterpret_f32"),
        ("f32_reinterpret", "i32", "f32", "f32.reinterpret_i32"),
    ];
    let mut ops: Vec<(String, &str, &str, String)> = ops
        .into_iter()
        .map(|(a, b, c, d)| (a.to_string(), b, c, d.to_string()))
        .collect();
    for (src, it) in [
        ("f32", "i32"),
        ("f64", "i32"),
        ("f32", "i64"),
        ("f64", "i64"),
    ] {
        for s in ["s", "u"] {
            ops.push((
                format!("{it}_trunc_{src}_{s}"),
                src,
                it,
                format!("{it}.trunc_{src}_{s}"),
            ));
            ops.push((
                format!("{it}_trunc_sat_{src}_{s}"),
                src,
                it,
                format!("{it}.trunc_sat_{src}_{s}"),
            ));
        }
    }
    let mut wat = String::from("(module\n");
    let mut calls = Vec::new();
    for (n, p, r, body) in &ops {
        wat.push_str(&format!(
            "(func (export \"{n}\") (param {p}) (result {r}) local.get 0 {body})\n"
        ));
        let mut vals = values(p);
        if *p == "i64" && n.contains("conv") {
            // Rounding of large integers to floats: around 2^53 and 2^63, ties included.
            for x in [
                (1i64 << 53) + 1,
                (1i64 << 53) + 3,
                (1i64 << 54) + 2,
                (1i64 << 24) + 1,
                0x7fff_ff80_0000_0000,
                0x7fff_ffc0_0000_0001,
                -0x7fff_ff80_0000_0001,
                0x0020_0000_1000_0000,
                0x0020_0000_1000_0001,
                -1 - (1i64 << 40),
            ] {
                vals.push(V::I64(x));
            }
        }
        if *p == "i32" && n.contains("conv") {
            for x in [0x0100_0001u32, 0x0100_0003, 0xffff_ff7f, 0x8000_0081] {
                vals.push(V::I32(x));
            }
        }
        for a in &vals {
            calls.push(call(n, vec![*a]));
        }
        // And on a constant operand (folding or specialized code).
        for (i, a) in vals.iter().enumerate().step_by(2) {
            let nk = format!("{n}_k{i}");
            wat.push_str(&format!(
                "(func (export \"{nk}\") (result {r}) {} {body})\n",
                ty_lit(p, *a)
            ));
            calls.push(call(&nk, vec![]));
        }
    }
    wat.push(')');
    compare(&wat, &calls);
}
