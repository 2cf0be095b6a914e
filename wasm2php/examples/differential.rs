//! Differential check of the generated PHP against wasmtime on the real module:
//! random workflow inputs and random kuraCloud answers, every step compared byte for
//! byte. Run by `scripts/differential.sh`:
//!
//! `differential WASM PHP_FILE [--cases N] [--seed S]`
//!
//! Each case is a start request (a workflow with mostly plausible, sometimes broken
//! input) and a script of answers: per step an HTTP status (mostly 200) or a transport
//! error, and per kind of request (instance, courses, students, deleted students,
//! export, export status, download, writes) a few bodies (plausible JSON, mutated JSON,
//! truncated JSON, bytes that are not UTF-8). Both hosts pick answers by the same rule,
//! so they stay in step while the module's outputs agree. The PHP side is
//! `differential.php` next to this file, run without the kuracloud extension.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::Instant;
use wasmtime::{Engine, Instance, Memory, Module, Store, Trap, TypedFunc};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

fn js(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn text(r: &mut Rng) -> String {
    let parts = [
        "Ana",
        "ben",
        "Chen",
        "Dana",
        "Émile",
        "Zoë",
        "O'Brien",
        "  spaced  ",
        "",
        "Lab A",
        "lab a",
        "Γιώργος",
        "李",
        "a\tb",
        "x\u{7}y",
        "Ünïcødé",
        "Smith-Jones",
        "😀",
    ];
    let mut s = String::new();
    for _ in 0..=r.below(2) {
        let p = r.pick(&parts);
        if p.chars().any(|c| c.is_control()) && !r.chance(10) {
            continue;
        }
        s.push_str(p);
    }
    s
}

fn email(r: &mut Rng, i: u64) -> String {
    let forms = [
        "s{}@uni.example",
        "S{}@Uni.Example",
        " s{}@uni.example ",
        "old{}@uni.example",
        "x{}@other.example",
    ];
    let odd = ["not-an-email", ""];
    (if r.chance(95) {
        r.pick(&forms)
    } else {
        r.pick(&odd)
    })
    .replace("{}", &(i % 23).to_string())
}

fn num(r: &mut Rng) -> String {
    match r.below(40) {
        0 => "-1".into(),
        1 => "0".into(),
        2 => "18446744073709551615".into(),
        3 => "9007199254740993".into(),
        4 => "1.5".into(),
        5 => "null".into(),
        6 => "\"7\"".into(),
        _ => (1 + r.below(30)).to_string(),
    }
}

fn grade(r: &mut Rng) -> String {
    match r.below(10) {
        0 => "null".into(),
        1 => "-2.5".into(),
        2 => "1e308".into(),
        3 => "\"x\"".into(),
        _ => format!("{}", r.below(21) as f64 / 2.0),
    }
}

fn connection(r: &mut Rng) -> String {
    let url = if r.chance(85) {
        r.pick(&[
            "http://kc.test",
            "http://kc.test/",
            "https://api.kuracloud.example/api",
        ])
    } else {
        r.pick(&["ftp://x", "not a url", "http://kc.test/a b"])
    };
    let token = if r.chance(90) {
        "t"
    } else {
        r.pick(&["", "tok en", "x\ny"])
    };
    let mut s = format!("{{\"api_url\":{},\"token\":{}", js(url), js(token));
    if r.chance(10) {
        let _ = write!(s, ",\"timeout_ms\":{}", num(r));
    }
    s.push('}');
    s
}

fn students(r: &mut Rng) -> String {
    let n = r.below(12);
    let mut v = Vec::new();
    for i in 0..n {
        let mut groups = Vec::new();
        for _ in 0..r.below(3) {
            groups.push(js(&text(r)));
        }
        v.push(format!(
            "{{\"user_id\":{},\"email\":{},\"first_name\":{},\"last_name\":{},\"idnumber\":{},\"groups\":[{}]}}",
            if r.chance(90) { (i + 1).to_string() } else { num(r) },
            js(&email(r, i)),
            js(&text(r)),
            js(&text(r)),
            js(&text(r)),
            groups.join(",")
        ));
    }
    format!("[{}]", v.join(","))
}

fn links(r: &mut Rng) -> String {
    let mut v = Vec::new();
    for i in 0..r.below(8) {
        v.push(format!(
            "{{\"user_id\":{},\"student_id\":{}}}",
            i + 1,
            if r.chance(85) {
                (i + 1).to_string()
            } else {
                num(r)
            }
        ));
    }
    format!("[{}]", v.join(","))
}

fn items(r: &mut Rng) -> String {
    let mut v = Vec::new();
    for i in 0..r.below(4) {
        let mut g = Vec::new();
        for u in 0..r.below(5) {
            g.push(format!(
                "{{\"user_id\":{},\"current\":{},\"last_written\":{}}}",
                u + 1,
                grade(r),
                grade(r)
            ));
        }
        v.push(format!(
            "{{\"lesson_id\":{},\"revision_id\":{},\"item_id\":{},\"name\":{},\"grademax\":{},\"grades\":[{}]}}",
            1000 + r.below(3),
            i,
            i + 1,
            js(&text(r)),
            grade(r),
            g.join(",")
        ));
    }
    format!("[{}]", v.join(","))
}

fn request(r: &mut Rng) -> String {
    let workflows = [
        "connection.verify",
        "courses.list",
        "mapping.create",
        "mapping.remove",
        "mappings.check",
        "students.preview",
        "students.apply",
        "grades.sync",
        "no.such.workflow",
    ];
    let w = r.pick(&workflows);
    let course = if r.chance(90) {
        (100 + r.below(4)).to_string()
    } else {
        num(r)
    };
    let input = match w {
        "courses.list" | "mappings.check" => {
            let mut c = Vec::new();
            for i in 0..r.below(3) {
                let conn = connection(r);
                c.push(format!("{{\"connection_id\":{},{}", i + 1, &conn[1..]));
            }
            let mut m = Vec::new();
            for i in 0..r.below(3) {
                m.push(format!(
                    "{{\"mapping_id\":{},\"connection_id\":{},\"course_id\":{}}}",
                    i + 1,
                    1 + r.below(3),
                    100 + r.below(4)
                ));
            }
            format!(
                "{{\"connections\":[{}],\"mappings\":[{}]}}",
                c.join(","),
                m.join(",")
            )
        }
        "connection.verify" => format!("{{\"connection\":{}}}", connection(r)),
        "mapping.create" | "mapping.remove" => format!(
            "{{\"connection\":{},\"course_id\":{course}}}",
            connection(r)
        ),
        _ => {
            let mut s = format!(
                "{{\"connection\":{},\"course_id\":{course},\"students\":{},\"links\":{}",
                connection(r),
                students(r),
                links(r)
            );
            if w == "students.apply" {
                let _ = write!(
                    s,
                    ",\"fingerprint\":{}",
                    js(r.pick(&["", "0", "deadbeef", "0123456789abcdef0123456789abcdef"]))
                );
                if r.chance(30) {
                    s.push_str(",\"confirm_mass_removal\":true");
                }
            }
            if w == "grades.sync" {
                let _ = write!(
                    s,
                    ",\"items\":{},\"poll\":{{\"initial_ms\":{}}}",
                    items(r),
                    1 + r.below(5)
                );
            }
            s.push('}');
            s
        }
    };
    let input = if r.chance(3) {
        mutate(r, input.into_bytes())
    } else {
        input.into_bytes()
    };
    let mut out = format!("{{\"workflow\":{},\"input\":", js(w)).into_bytes();
    out.extend(input);
    out.push(b'}');
    String::from_utf8_lossy(&out).into_owned()
}

/// Breaks JSON text a little: truncates, drops or duplicates a byte, or inserts bytes.
fn mutate(r: &mut Rng, mut b: Vec<u8>) -> Vec<u8> {
    if b.is_empty() {
        return b;
    }
    let at = r.below(b.len() as u64) as usize;
    match r.below(5) {
        0 => b.truncate(at),
        1 => {
            b.remove(at);
        }
        2 => {
            let c = b[at];
            b.insert(at, c);
        }
        3 => b.insert(at, [0xff, b'"', b'{', b']', 0, b'\\'][r.below(6) as usize]),
        _ => b[at] = b"0123456789\",:[]{}"[r.below(17) as usize],
    }
    b
}

fn kc_student(r: &mut Rng, i: u64, deleted: bool) -> String {
    format!(
        "{{\"studentId\":{},\"email\":{},\"givenName\":{},\"familyName\":{},\"inviteComplete\":{},\"createdDate\":1,\"externalStudentId\":{},\"section\":{},\"deleted\":{}}}",
        if r.chance(95) { (i + 1).to_string() } else { num(r) },
        js(&email(r, i)),
        js(&text(r)),
        js(&text(r)),
        r.chance(80),
        js(&text(r)),
        js(&text(r)),
        deleted
    )
}

fn body(r: &mut Rng, kind: &str) -> Vec<u8> {
    let json = match kind {
        "instance" => format!(
            "{{\"instanceId\":{},\"name\":{},\"lmsEnabled\":{}}}",
            num(r),
            js(&text(r)),
            r.pick(&["true", "false", "null", "1"])
        ),
        "course" | "write" => {
            let one = |r: &mut Rng| {
                format!(
                    "{{\"courseId\":{},\"name\":{},\"courseCode\":{},\"lmsEnabled\":{},\"lmsCourseName\":{},\"deleted\":{}}}",
                    100 + r.below(4),
                    js(&text(r)),
                    js(&text(r)),
                    r.chance(50),
                    js(&text(r)),
                    r.chance(20)
                )
            };
            if r.chance(50) {
                let n = r.below(4);
                let v: Vec<String> = (0..n).map(|_| one(r)).collect();
                format!("[{}]", v.join(","))
            } else if r.chance(30) {
                format!("{{\"message\":{}}}", js(&text(r)))
            } else {
                one(r)
            }
        }
        "students" | "deleted" => {
            let n = r.below(12);
            let v: Vec<String> = (0..n)
                .map(|i| kc_student(r, i, kind == "deleted"))
                .collect();
            format!("[{}]", v.join(","))
        }
        "export" => format!("{{\"taskToken\":{}}}", js(r.pick(&["t1", "", "a/b"]))),
        "status" => format!(
            "{{\"status\":{}}}",
            js(r.pick(&["SUCCEEDED", "FAILED", "PENDING", "RUNNING", "odd"]))
        ),
        _ => {
            let mut lessons = Vec::new();
            for l in 0..r.below(3) {
                let mut grades = Vec::new();
                for s in 0..r.below(6) {
                    grades.push(format!(
                        "{{\"studentId\":{},\"gradeOffset\":{},\"questionGrades\":[{{\"questionId\":1,\"questionGrade\":{}}},{{\"questionId\":2,\"questionGrade\":{}}}]}}",
                        s + 1,
                        grade(r),
                        grade(r),
                        grade(r)
                    ));
                }
                lessons.push(format!(
                    "{{\"publishedContentId\":1,\"publishedLessonId\":{},\"publishedLessonTitle\":{},\"gradedPublishedRevisions\":[{{\"publishedRevisionId\":{},\"publishedRevisionTitle\":{},\"questions\":[{{\"questionId\":1,\"maxGrade\":{}}},{{\"questionId\":2,\"maxGrade\":{}}}],\"studentGrades\":[{}]}}]}}",
                    1000 + l,
                    js(&text(r)),
                    l,
                    js(&text(r)),
                    grade(r),
                    grade(r),
                    grades.join(",")
                ));
            }
            format!("[{}]", lessons.join(","))
        }
    };
    match r.below(20) {
        0 => mutate(r, json.into_bytes()),
        1 => vec![0xc3, 0x28, b'[', b']'],
        2 => Vec::new(),
        3 => b"[".repeat(200 + r.below(300) as usize),
        _ => json.into_bytes(),
    }
}

const KINDS: [&str; 8] = [
    "instance", "course", "students", "deleted", "export", "status", "download", "write",
];

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// One case: request, statuses per step, bodies per kind (as the JSON the PHP side reads).
fn case(r: &mut Rng) -> (String, Vec<i64>, Vec<Vec<Vec<u8>>>, String) {
    let req = request(r);
    let statuses: Vec<i64> = (0..40)
        .map(|_| {
            if r.chance(4) {
                -1 - r.below(3) as i64 // transport errors
            } else if r.chance(85) {
                200
            } else {
                [201, 204, 400, 401, 403, 404, 409, 429, 500, 502, 503][r.below(11) as usize]
            }
        })
        .collect();
    let bodies: Vec<Vec<Vec<u8>>> = KINDS
        .iter()
        .map(|k| (0..3).map(|_| body(r, k)).collect())
        .collect();
    let json = format!(
        "{{\"request\":{},\"statuses\":[{}],\"bodies\":[{}]}}",
        js(&req),
        statuses
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(","),
        bodies
            .iter()
            .map(|k| format!(
                "[{}]",
                k.iter()
                    .map(|b| format!("\"{}\"", hex(b)))
                    .collect::<Vec<_>>()
                    .join(",")
            ))
            .collect::<Vec<_>>()
            .join(",")
    );
    (req, statuses, bodies, json)
}

/// The kind of request an effect is (both hosts use this rule).
fn kind_of(method: &str, url: &str) -> usize {
    let k = if url.contains("/download") {
        "download"
    } else if url.contains("exportgrades.json/") {
        "status"
    } else if url.contains("exportgrades.json") {
        "export"
    } else if method != "GET" {
        "write"
    } else if url.contains("deleted=true") {
        "deleted"
    } else if url.contains("/student") {
        "students"
    } else if url.contains("/course") {
        "course"
    } else {
        "instance"
    };
    KINDS.iter().position(|x| *x == k).unwrap_or(0)
}

/// A tiny reader for the one thing needed from a step: method and URL of an http effect.
fn effect_http(step: &str) -> Option<(String, String)> {
    if !step.starts_with("{\"effect\":{\"http\":") {
        return None;
    }
    let field = |name: &str| -> String {
        let key = format!("\"{name}\":\"");
        let at = step.find(&key).map(|i| i + key.len()).unwrap_or(step.len());
        let rest = &step[at..];
        let mut out = String::new();
        let mut esc = false;
        for c in rest.chars() {
            if esc {
                out.push(c);
                esc = false;
            } else if c == '\\' {
                esc = true;
            } else if c == '"' {
                break;
            } else {
                out.push(c);
            }
        }
        out
    };
    Some((field("method"), field("url")))
}

struct Wasm {
    store: Store<()>,
    memory: Memory,
    alloc: TypedFunc<u32, u32>,
    free: TypedFunc<(u32, u32), ()>,
    start: TypedFunc<(u32, u32), u64>,
    resume: TypedFunc<(u32, u32), u64>,
}

impl Wasm {
    fn new(engine: &Engine, module: &Module) -> Wasm {
        let mut store = Store::new(engine, ());
        let instance = Instance::new(&mut store, module, &[]).expect("instance");
        Wasm {
            memory: instance.get_memory(&mut store, "memory").expect("memory"),
            alloc: instance
                .get_typed_func(&mut store, "kc_alloc")
                .expect("kc_alloc"),
            free: instance
                .get_typed_func(&mut store, "kc_free")
                .expect("kc_free"),
            start: instance
                .get_typed_func(&mut store, "kc_start")
                .expect("kc_start"),
            resume: instance
                .get_typed_func(&mut store, "kc_resume")
                .expect("kc_resume"),
            store,
        }
    }
    fn call(&mut self, start: bool, input: &[u8]) -> Result<String, String> {
        let trap = |e: wasmtime::Error| match e.downcast_ref::<Trap>() {
            Some(t) => format!("trap: {t}"),
            None => format!("error: {e}"),
        };
        let ptr = self
            .alloc
            .call(&mut self.store, input.len() as u32)
            .map_err(trap)?;
        self.memory
            .write(&mut self.store, ptr as usize, input)
            .map_err(|e| format!("error: {e}"))?;
        let f = if start { &self.start } else { &self.resume };
        let packed = f
            .call(&mut self.store, (ptr, input.len() as u32))
            .map_err(trap)?;
        let (p, l) = ((packed >> 32) as u32, packed as u32);
        let mut out = vec![0u8; l as usize];
        self.memory
            .read(&self.store, p as usize, &mut out)
            .map_err(|e| format!("error: {e}"))?;
        self.free.call(&mut self.store, (p, l)).map_err(trap)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

/// Runs a case on wasmtime: the outputs of every step, as the PHP side prints them.
fn run_wasmtime(
    engine: &Engine,
    module: &Module,
    req: &str,
    statuses: &[i64],
    bodies: &[Vec<Vec<u8>>],
) -> Vec<String> {
    let mut w = Wasm::new(engine, module);
    let mut out = Vec::new();
    let mut used = [0usize; 8];
    let mut step = match w.call(true, req.as_bytes()) {
        Ok(s) => s,
        Err(e) => return vec![e.split(':').next().unwrap_or("").to_string()],
    };
    for status in statuses {
        out.push(step.clone());
        if !step.starts_with("{\"effect\":") {
            return out;
        }
        let input: Vec<u8> = match effect_http(&step) {
            Some((method, url)) => {
                if *status < 0 {
                    let kind = ["timeout", "connect", "other"][(-status - 1) as usize];
                    format!(
                        "{{\"transport_error\":{{\"kind\":\"{kind}\",\"message\":\"simulated\"}}}}"
                    )
                    .into_bytes()
                } else {
                    let k = kind_of(&method, &url);
                    let b = &bodies[k][used[k] % bodies[k].len()];
                    used[k] += 1;
                    let mut v =
                        format!("{{\"status\":{status},\"body_follows\":true}}\n").into_bytes();
                    v.extend_from_slice(b);
                    v
                }
            }
            None => b"{}".to_vec(),
        };
        step = match w.call(false, &input) {
            Ok(s) => s,
            Err(e) => {
                out.push(e.split(':').next().unwrap_or("").to_string());
                return out;
            }
        };
    }
    out.push(step);
    out.push("out of answers".into());
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (wasm_path, php_path) = match args.as_slice() {
        [a, b, ..] => (a.clone(), b.clone()),
        _ => {
            eprintln!("usage: differential WASM PHP_FILE [--cases N] [--seed S]");
            std::process::exit(2);
        }
    };
    let opt = |name: &str, default: u64| -> u64 {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let cases = opt("--cases", 10_000);
    let seed = opt("--seed", 1);
    let engine = Engine::default();
    let module = Module::from_file(&engine, &wasm_path).expect("module");
    let mut rng = Rng(seed);
    let mut list = Vec::new();
    let mut file = String::from("[");
    for i in 0..cases {
        let c = case(&mut rng);
        if i > 0 {
            file.push(',');
        }
        file.push_str(&c.3);
        list.push(c);
    }
    file.push(']');
    let dir = std::env::temp_dir().join(format!("kc-differential-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let cases_file = dir.join("cases.json");
    std::fs::write(&cases_file, &file).expect("write cases");

    let t = Instant::now();
    let want: Vec<Vec<String>> = list
        .iter()
        .map(|c| run_wasmtime(&engine, &module, &c.0, &c.1, &c.2))
        .collect();
    let wasmtime_s = t.elapsed().as_secs_f64();

    let driver = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/differential.php");
    let t = Instant::now();
    let php = std::env::var("PHP").unwrap_or_else(|_| "php".into());
    let mut child = Command::new(php)
        .arg(driver)
        .arg(&php_path)
        .arg(&cases_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("php");
    let mut stdout = String::new();
    std::io::Read::read_to_string(child.stdout.as_mut().expect("stdout"), &mut stdout)
        .expect("read");
    let status = child.wait().expect("php");
    let php_s = t.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&dir);
    if !status.success() {
        eprintln!("the PHP side failed");
        std::process::exit(1);
    }
    // One line per case: the steps, each as hex, separated by spaces.
    let got: Vec<Vec<String>> = stdout
        .lines()
        .map(|l| {
            l.split(' ')
                .filter(|s| !s.is_empty())
                .map(|h| {
                    let bytes: Vec<u8> = (0..h.len() / 2)
                        .filter_map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).ok())
                        .collect();
                    String::from_utf8_lossy(&bytes).into_owned()
                })
                .collect()
        })
        .collect();
    let mut diffs = 0;
    let mut steps = 0;
    let mut outcomes = std::collections::BTreeMap::<String, u64>::new();
    let mut first_trap: Option<usize> = None;
    for (i, (w, g)) in want.iter().zip(&got).enumerate() {
        steps += w.len();
        let last = w
            .iter()
            .rev()
            .find(|s| !s.starts_with("out of"))
            .cloned()
            .unwrap_or_default();
        let kind = if last.starts_with("{\"done\"") {
            "done".to_string()
        } else if let Some(rest) = last.strip_prefix("{\"error\":{\"code\":\"") {
            format!("error {}", rest.split('"').next().unwrap_or(""))
        } else {
            last.chars().take(20).collect()
        };
        if kind == "trap" && first_trap.is_none() {
            first_trap = Some(i);
        }
        *outcomes.entry(kind).or_default() += 1;
        if w != g {
            diffs += 1;
            if diffs <= 5 {
                let at = w
                    .iter()
                    .zip(g)
                    .position(|(a, b)| a != b)
                    .unwrap_or(w.len().min(g.len()));
                println!(
                    "DIFFERENCE in case {i} (seed {seed}) at step {at}:\n  request {}\n  wasmtime {:?}\n  php      {:?}",
                    list[i].0,
                    w.get(at),
                    g.get(at)
                );
            }
        }
    }
    if got.len() != want.len() {
        println!(
            "the PHP side answered {} of {} cases",
            got.len(),
            want.len()
        );
        diffs += want.len().abs_diff(got.len());
    }
    let mut o = std::io::stdout();
    let _ = writeln!(
        o,
        "{cases} cases ({steps} steps), seed {seed}: {diffs} differences; wasmtime {wasmtime_s:.1} s, generated PHP {php_s:.1} s"
    );
    let _ = writeln!(o, "outcomes: {outcomes:?}");
    if let Some(i) = first_trap {
        // A trap under both hosts is the module's own failure (a panic), not the
        // translation's: shown so it can be reproduced.
        let _ = writeln!(o, "first trapping case {i}: request {}", list[i].0);
        for (n, s) in want[i].iter().enumerate() {
            let _ = writeln!(o, "  step {n}: {}", s.chars().take(300).collect::<String>());
        }
    }
    if diffs > 0 {
        std::process::exit(1);
    }
}
