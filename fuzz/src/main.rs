//! `kuracloud-fuzz`: the seeded, structured fuzzer (see the crate documentation).
//!
//! ```text
//! kuracloud-fuzz [--seconds N] [--inputs N] [--seed S] [--jobs N] [--time-limit-ms MS]
//! kuracloud-fuzz --seed S --replay CASE      # one case, every call and answer printed
//! kuracloud-fuzz --inputs N --compare OTHER.wasm   # differential: the same cases on two
//!                                                  # modules must give the same outputs
//! ```
//! Exit status 1 when any case trapped, ran past its deadline, returned something that
//! is not a well-formed step, or hit the memory limit without being sent gigabytes.

use kuracloud_fuzz::fuzz::{run_case, CaseReport, Class, Options};
use kuracloud_fuzz::gen::Fault;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Default)]
struct Totals {
    cases: u64,
    calls: u64,
    by_class: BTreeMap<(String, &'static str), u64>,
    by_kind: BTreeMap<String, u64>,
    error_codes: BTreeMap<String, u64>,
    faults: BTreeMap<Fault, u64>,
    longest_call: Duration,
    /// The cases with the longest single call: (time, case, kind).
    slowest: Vec<(Duration, u64, String)>,
    findings: Vec<CaseReport>,
}

impl Totals {
    fn add(&mut self, report: CaseReport) {
        self.cases += 1;
        self.calls += report.calls as u64;
        let kind = if kuracloud_fuzz::fuzz::WORKFLOWS.contains(&report.kind.as_str())
            || report.kind == "abi"
        {
            report.kind.clone()
        } else {
            "(unknown workflow)".into()
        };
        *self.by_kind.entry(kind.clone()).or_default() += 1;
        *self
            .by_class
            .entry((kind, report.class.label()))
            .or_default() += 1;
        if let Class::Error(code) = &report.class {
            *self.error_codes.entry(code.clone()).or_default() += 1;
        }
        for f in &report.faults {
            *self.faults.entry(*f).or_default() += 1;
        }
        self.longest_call = self.longest_call.max(report.longest_call);
        self.slowest
            .push((report.longest_call, report.case, report.kind.clone()));
        if self.slowest.len() > 20 {
            self.slowest.sort_by(|a, b| b.cmp(a));
            self.slowest.truncate(5);
        }
        if report.is_finding() {
            self.findings.push(report);
        }
    }
}

/// Text from a case, safe for a terminal: escaped, and cut at 300 characters.
fn shown(text: &str) -> String {
    let cut: String = text.chars().take(300).collect();
    cut.escape_debug().to_string()
}

fn usage() -> ! {
    eprintln!(
        "usage: kuracloud-fuzz [--seconds N] [--inputs N] [--seed S] [--jobs N] [--time-limit-ms MS] [--compare OTHER.wasm]\n       kuracloud-fuzz --seed S --replay CASE"
    );
    std::process::exit(2)
}

fn main() {
    let mut seconds: Option<u64> = None;
    let mut inputs: Option<u64> = None;
    let mut seed: u64 = 1;
    let mut jobs: u64 = 1;
    let mut replay: Option<u64> = None;
    let mut compare: Option<&'static kuracloud_loader::KcModule> = None;
    let mut opts = Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || -> u64 {
            args.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| usage())
        };
        match arg.as_str() {
            "--seconds" => seconds = Some(value()),
            "--inputs" => inputs = Some(value()),
            "--seed" => seed = value(),
            "--jobs" => jobs = value().max(1),
            "--replay" => replay = Some(value()),
            "--time-limit-ms" => opts.time_per_call = Duration::from_millis(value()),
            "--compare" => {
                let path = args.next().unwrap_or_else(|| usage());
                let other =
                    kuracloud_loader::KcModule::load(path.as_ref(), None).unwrap_or_else(|e| {
                        eprintln!("cannot load {path}: {e}");
                        std::process::exit(2)
                    });
                compare = Some(&*Box::leak(Box::new(other)));
            }
            _ => usage(),
        }
    }
    // Compile once before the clock starts.
    let _ = kuracloud_fuzz::module();
    opts.record = compare.is_some();
    opts.unique_ids = compare.is_some() && std::env::var_os("FUZZ_UNIQUE_IDS").is_some();

    if let Some(case) = replay {
        opts.verbose = true;
        let report = run_case(seed, case, &opts);
        println!(
            "case {case} of seed {seed}: {} ({}) {}: {} calls",
            shown(&report.kind),
            report.class.label(),
            shown(&report.detail()),
            report.calls
        );
        std::process::exit(i32::from(report.is_finding()));
    }
    if seconds.is_none() && inputs.is_none() {
        usage();
    }
    let deadline = seconds.map(|s| Instant::now() + Duration::from_secs(s));
    let limit = inputs.unwrap_or(u64::MAX);
    let next = AtomicU64::new(0);
    let unconfirmed = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let totals = Mutex::new(Totals::default());
    let started = Instant::now();
    println!(
        "fuzzing the module with seed {seed}{}{} on {jobs} thread(s)",
        seconds.map_or(String::new(), |s| format!(", for {s} s")),
        inputs.map_or(String::new(), |n| format!(", at most {n} inputs"))
    );
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                if stop.load(Ordering::Relaxed) || deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                let case = next.fetch_add(1, Ordering::Relaxed);
                if case >= limit {
                    break;
                }
                let mut report = run_case(seed, case, &opts);
                if report.class == Class::Deadline {
                    // A call past its time limit is a finding when it happens again: on
                    // a machine shared with other work, a call of milliseconds can
                    // stall for seconds once.
                    let again = run_case(seed, case, &opts);
                    if again.class != Class::Deadline {
                        println!(
                            "case {case}: past the time limit once, then {} on its own run",
                            again.class.label()
                        );
                        unconfirmed.fetch_add(1, Ordering::Relaxed);
                        report = again;
                    }
                }
                if let Some(other) = compare {
                    // The same case on the other module: the same answers as long as it
                    // asks the same, so any difference in its outputs is a difference
                    // of the modules.
                    let theirs = run_case(
                        seed,
                        case,
                        &Options {
                            module: Some(other),
                            ..opts.clone()
                        },
                    );
                    if let Some(k) = (0..report.transcript.len().max(theirs.transcript.len()))
                        .find(|&k| report.transcript.get(k) != theirs.transcript.get(k))
                    {
                        let at = |t: &[String]| t.get(k).map_or("(nothing)".into(), |s| shown(s));
                        report.class = Class::BadOutput(format!(
                            "the modules differ at output {k}: {} | other: {}",
                            at(&report.transcript),
                            at(&theirs.transcript)
                        ));
                    }
                }
                let mut t = totals.lock().unwrap_or_else(|e| e.into_inner());
                if report.is_finding() {
                    println!(
                        "FINDING case {case}: {} -> {}: {}",
                        shown(&report.kind),
                        report.class.label(),
                        shown(&report.detail())
                    );
                }
                t.add(report);
                if t.cases % 100_000 == 0 {
                    println!(
                        "  {} cases, {:.0} s, {} findings",
                        t.cases,
                        started.elapsed().as_secs_f64(),
                        t.findings.len()
                    );
                }
            });
        }
    });
    let t = totals.into_inner().unwrap_or_else(|e| e.into_inner());
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{} cases ({} module calls) in {elapsed:.1} s: {:.0} cases/s; longest call {} ms",
        t.cases,
        t.calls,
        t.cases as f64 / elapsed.max(1e-9),
        t.longest_call.as_millis()
    );
    println!("by kind and outcome:");
    for (kind, n) in &t.by_kind {
        let classes: Vec<String> = t
            .by_class
            .iter()
            .filter(|((k, _), _)| k == kind)
            .map(|((_, c), n)| format!("{c} {n}"))
            .collect();
        println!("  {kind:<20} {n:>9}: {}", classes.join(", "));
    }
    let mut slowest = t.slowest.clone();
    slowest.sort_by(|a, b| b.cmp(a));
    let slowest: Vec<String> = slowest
        .iter()
        .take(5)
        .map(|(d, case, kind)| format!("case {case} ({}) {} ms", shown(kind), d.as_millis()))
        .collect();
    println!("longest calls: {}", slowest.join(", "));
    println!(
        "calls past the time limit once, not again: {}",
        unconfirmed.load(Ordering::Relaxed)
    );
    let codes: Vec<String> = t
        .error_codes
        .iter()
        .map(|(c, n)| format!("{c} {n}"))
        .collect();
    println!("clean errors by code: {}", codes.join(", "));
    let faults: Vec<String> = t.faults.iter().map(|(f, n)| format!("{f:?} {n}")).collect();
    println!("HTTP answers by fault: {}", faults.join(", "));
    if t.findings.is_empty() {
        println!("no findings");
        return;
    }
    println!(
        "{} findings; replay one with --seed {seed} --replay CASE:",
        t.findings.len()
    );
    for f in t.findings.iter().take(30) {
        println!(
            "  case {}: {} -> {}: {}",
            f.case,
            shown(&f.kind),
            f.class.label(),
            shown(&f.detail())
        );
    }
    std::process::exit(1);
}
