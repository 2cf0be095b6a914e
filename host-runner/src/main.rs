//! `host-runner`: run kuraCloud workflows through the module, or serve the simulator.

use anyhow::{anyhow, bail, Context, Result};
use kuracloud_host_runner::driver::DEFAULT_MAX_RESPONSE_BYTES;
use kuracloud_host_runner::sim::{sample, Simulator};
use kuracloud_host_runner::{
    default_cache_dir, default_cache_key_file, default_module_path, report, run_workflow,
    DiskCache, KcModule, Limits, RunOutcome, UreqHost,
};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage:
  host-runner run <workflow> --input FILE|- [--json] [--verbose] [--module PATH] [--no-cache]
                 [--links FILE] [--fingerprint F] [--allow-mass-removal] [--max-response-mb N]
      --links FILE   keep the student links in FILE, as Moodle keeps them in its table:
                     read into the input, and updated after students.apply
      --max-response-mb N   refuse kuraCloud responses larger than N MiB (default 64)
  host-runner sim [--port P] [--state FILE]
  host-runner info [--module PATH]
  host-runner demo [--module PATH]

Workflows: connection.verify, courses.list, mapping.create, mapping.remove,
mappings.check, students.preview, students.apply, grades.sync.
The module defaults to $KURACLOUD_WASM or the workspace build output. Compiled code is
cached in $KURACLOUD_CACHE_DIR (default .cache/compiled/ in the workspace), authenticated
with the secret in $KURACLOUD_CACHE_KEY_FILE (default .cache/compiled.key, created with
mode 0600; it must lie outside the cache directory). --no-cache compiles every time.";

struct Args {
    rest: Vec<String>,
}

impl Args {
    fn flag(&mut self, name: &str) -> bool {
        if let Some(i) = self.rest.iter().position(|a| a == name) {
            self.rest.remove(i);
            true
        } else {
            false
        }
    }

    fn value(&mut self, name: &str) -> Result<Option<String>> {
        if let Some(i) = self.rest.iter().position(|a| a == name) {
            if i + 1 >= self.rest.len() {
                bail!("{name} needs a value");
            }
            let v = self.rest.remove(i + 1);
            self.rest.remove(i);
            Ok(Some(v))
        } else {
            Ok(None)
        }
    }

    fn positional(&mut self) -> Option<String> {
        if self.rest.first().is_some_and(|a| !a.starts_with("--")) {
            Some(self.rest.remove(0))
        } else {
            None
        }
    }

    fn finish(&self) -> Result<()> {
        if let Some(a) = self.rest.first() {
            bail!("unexpected argument '{a}'");
        }
        Ok(())
    }
}

fn load_module(args: &mut Args) -> Result<KcModule> {
    let path = args
        .value("--module")?
        .map(PathBuf::from)
        .unwrap_or_else(default_module_path);
    let no_cache = args.flag("--no-cache");
    if !path.exists() {
        bail!(
            "the module {} does not exist; build it first (scripts/build-wasm.sh)",
            path.display()
        );
    }
    let cache = if no_cache {
        None
    } else {
        Some(
            DiskCache::with_key_file(default_cache_dir(), &default_cache_key_file())
                .context("the compiled-code cache is unusable (--no-cache runs without it)")?,
        )
    };
    Ok(KcModule::load(&path, cache.as_ref())?)
}

fn cmd_run(mut args: Args) -> Result<ExitCode> {
    let workflow = args
        .positional()
        .ok_or_else(|| anyhow!("run needs a workflow name"))?;
    let input = args
        .value("--input")?
        .ok_or_else(|| anyhow!("run needs --input FILE (or - for standard input)"))?;
    let json = args.flag("--json");
    let verbose = args.flag("--verbose");
    let links_file = args.value("--links")?.map(PathBuf::from);
    let fingerprint = args.value("--fingerprint")?;
    let allow_mass_removal = args.flag("--allow-mass-removal");
    let max_response_bytes = match args.value("--max-response-mb")? {
        None => DEFAULT_MAX_RESPONSE_BYTES,
        Some(mb) => match mb.parse::<u64>() {
            Ok(mb @ 1..=4096) => mb << 20,
            _ => bail!("--max-response-mb must be a whole number of MiB between 1 and 4096"),
        },
    };
    let module = load_module(&mut args)?;
    args.finish()?;
    let mut text = if input == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s
    } else {
        std::fs::read_to_string(&input).with_context(|| format!("cannot read {input}"))?
    };
    let mut links: Vec<serde_json::Value> = Vec::new();
    if links_file.is_some() || fingerprint.is_some() || allow_mass_removal {
        let mut value: serde_json::Value =
            serde_json::from_str(&text).context("the input is not JSON")?;
        if let Some(file) = &links_file {
            if file.exists() {
                links = serde_json::from_str(&std::fs::read_to_string(file)?)
                    .with_context(|| format!("{} is not a JSON array of links", file.display()))?;
            }
            value["links"] = serde_json::Value::Array(links.clone());
        }
        if let Some(f) = &fingerprint {
            value["fingerprint"] = serde_json::Value::String(f.clone());
        }
        if allow_mass_removal {
            value["allow_mass_removal"] = serde_json::Value::Bool(true);
        }
        text = value.to_string();
    }
    let mut instance = module.instantiate(Limits::default())?;
    let mut host = UreqHost::new(verbose).with_max_response_bytes(max_response_bytes);
    match run_workflow(&mut instance, &workflow, &text, &mut host)? {
        RunOutcome::Done(outcome) => {
            let value: serde_json::Value = serde_json::from_str(&outcome)?;
            if let (Some(file), "students.apply") = (&links_file, workflow.as_str()) {
                let merged = merge_links(&links, &value);
                std::fs::write(file, serde_json::to_string_pretty(&merged)?)?;
            }
            if json {
                println!("{outcome}");
            } else {
                print!("{}", report::render(&workflow, &value));
            }
            // An apply that did not apply everything is not a success.
            match value["status"].as_str() {
                Some("stale") => {
                    eprintln!("error: the plan changed since the preview; review the fresh plan and apply with its fingerprint");
                    Ok(ExitCode::from(1))
                }
                Some("needs_mass_removal_confirmation") => {
                    eprintln!("error: the plan deletes more than half of the kuraCloud students; set allow_mass_removal to confirm");
                    Ok(ExitCode::from(1))
                }
                Some("partial") => {
                    eprintln!(
                        "error: the sync stopped part way: {}",
                        kuracloud_host_runner::catalogue::render(&value["error"]["text"])
                    );
                    Ok(ExitCode::from(1))
                }
                Some("students_not_synced") => {
                    eprintln!("error: students must be synced before grades");
                    Ok(ExitCode::from(1))
                }
                _ => Ok(ExitCode::SUCCESS),
            }
        }
        RunOutcome::Failed {
            code,
            text,
            message,
            ..
        } => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({"error": {"code": code, "text": text, "message": message}})
                );
            }
            eprintln!(
                "error: {code}: {}",
                kuracloud_host_runner::catalogue::render(&text)
            );
            Ok(ExitCode::from(1))
        }
    }
}

/// Links after an apply: removals dropped, stored rows upserted by user.
fn merge_links(links: &[serde_json::Value], outcome: &serde_json::Value) -> Vec<serde_json::Value> {
    let key = |l: &serde_json::Value| {
        (
            l["user_id"].as_i64().unwrap_or(0),
            l["student_id"].as_i64().unwrap_or(0),
        )
    };
    let remove: Vec<(i64, i64)> = outcome["links_remove"]
        .as_array()
        .into_iter()
        .flatten()
        .map(key)
        .collect();
    let mut by_user: std::collections::BTreeMap<i64, i64> = links
        .iter()
        .map(key)
        .filter(|p| !remove.contains(p))
        .collect();
    for l in outcome["links_store"].as_array().into_iter().flatten() {
        let (u, s) = key(l);
        by_user.insert(u, s);
    }
    by_user
        .into_iter()
        .map(|(u, s)| serde_json::json!({"user_id": u, "student_id": s}))
        .collect()
}

fn cmd_sim(mut args: Args) -> Result<ExitCode> {
    let port: u16 = args
        .value("--port")?
        .map(|p| p.parse())
        .transpose()
        .context("--port must be a number")?
        .unwrap_or(8765);
    let state = args.value("--state")?.map(PathBuf::from);
    args.finish()?;
    let sample_used = state.as_ref().is_none_or(|f| !f.exists());
    let sim = Simulator::start_with_file(port, state.clone())?;
    println!("kuraCloud simulator listening on {}", sim.url());
    if sample_used {
        println!(
            "Sample instance 'Demo University': token {}",
            sample::SAMPLE_TOKEN
        );
        println!("  courses: 101 Physiology 101 (students, graded lessons), 102 Neuroscience Lab, 103 deleted");
        println!(
            "Second instance 'Second Campus' (LMS integration off): token {}",
            sample::SECOND_TOKEN
        );
    }
    if let Some(f) = &state {
        println!("State is saved to {}", f.display());
    }
    println!(
        "Control API: {}/_control/state, /_control/faults, /_control/export, /_control/requests",
        sim.url()
    );
    sim.wait();
    Ok(ExitCode::SUCCESS)
}

fn cmd_info(mut args: Args) -> Result<ExitCode> {
    let module = load_module(&mut args)?;
    args.finish()?;
    let mut instance = module.instantiate(Limits::default())?;
    println!("{}", instance.info()?);
    Ok(ExitCode::SUCCESS)
}

fn cmd_demo(mut args: Args) -> Result<ExitCode> {
    let module = load_module(&mut args)?;
    args.finish()?;
    let sim = Simulator::start(0, sample::sample_state(), None)?;
    let url = sim.url();
    println!(
        "Started a kuraCloud simulator at {url} (sample instance, token {})\n",
        sample::SAMPLE_TOKEN
    );
    let conn = serde_json::json!({"api_url": url, "token": sample::SAMPLE_TOKEN});
    let step =
        |title: &str, workflow: &str, input: serde_json::Value| -> Result<serde_json::Value> {
            println!("== {title} ({workflow})");
            let mut instance = module.instantiate(Limits::default())?;
            let mut host = UreqHost::new(false);
            let outcome = run_workflow(&mut instance, workflow, &input.to_string(), &mut host)?;
            match outcome {
                RunOutcome::Done(json) => {
                    let v: serde_json::Value = serde_json::from_str(&json)?;
                    print!("{}", report::render(workflow, &v));
                    println!();
                    Ok(v)
                }
                RunOutcome::Failed { code, text, .. } => {
                    bail!(
                        "{workflow} failed: {code}: {}",
                        kuracloud_host_runner::catalogue::render(&text)
                    )
                }
            }
        };
    let verified = step(
        "Verify the connection",
        "connection.verify",
        serde_json::json!({"connection": conn}),
    )?;
    println!(
        "Connected to kuraCloud instance '{}'.\n",
        verified["name"].as_str().unwrap_or("")
    );
    let bad = {
        let mut instance = module.instantiate(Limits::default())?;
        let input = serde_json::json!({"connection": {"api_url": url, "token": "wrong-token"}});
        run_workflow(
            &mut instance,
            "connection.verify",
            &input.to_string(),
            &mut UreqHost::new(false),
        )?
    };
    if let RunOutcome::Failed { code, text, .. } = bad {
        println!(
            "== A wrong token is refused: {code}: {}\n",
            kuracloud_host_runner::catalogue::render(&text)
        );
    }
    let mapped = serde_json::json!([]);
    step(
        "List the courses",
        "courses.list",
        serde_json::json!({"connections": [{"connection_id": 1, "api_url": url, "token": sample::SAMPLE_TOKEN}], "mappings": mapped}),
    )?;
    step(
        "Map kuraCloud course 101 to a Moodle course",
        "mapping.create",
        serde_json::json!({"connection": conn, "course_id": 101, "moodle_course_name": "PHYS101 Physiology (Moodle)"}),
    )?;
    step(
        "Check the mapping's health",
        "mappings.check",
        serde_json::json!({"connections": [{"connection_id": 1, "api_url": url, "token": sample::SAMPLE_TOKEN}],
            "mappings": [{"mapping_id": 1, "connection_id": 1, "course_id": 101, "moodle_course_id": 2}]}),
    )?;
    let students = serde_json::json!([
        {"user_id": 11, "email": "ana.lima@example.edu", "first_name": "Ana", "last_name": "Lima", "idnumber": "S001", "groups": ["Lab A"]},
        {"user_id": 12, "email": "ben.okafor@example.edu", "first_name": "Benjamin", "last_name": "Okafor", "idnumber": "S002", "groups": []},
        {"user_id": 13, "email": "chen.wei@example.edu", "first_name": "Chen", "last_name": "Wei", "idnumber": "S003", "groups": ["Lab B"]},
        {"user_id": 14, "email": "dana.smith@example.edu", "first_name": "Dana", "last_name": "Smith", "idnumber": "S004", "groups": ["Lab A", "Lab C"]}
    ]);
    let preview = step(
        "Preview the student sync",
        "students.preview",
        serde_json::json!({"connection": conn, "course_id": 101, "students": students}),
    )?;
    let applied = step(
        "Apply the reviewed plan",
        "students.apply",
        serde_json::json!({"connection": conn, "course_id": 101, "students": students,
            "fingerprint": preview["plan"]["fingerprint"]}),
    )?;
    step(
        "Sync grades",
        "grades.sync",
        serde_json::json!({"connection": conn, "course_id": 101, "students": students,
            "links": applied["links_store"], "poll": {"initial_ms": 50}}),
    )?;
    println!(
        "kuraCloud sent {} invite emails in this demo.",
        sim.state().invites.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let mut argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.is_empty() || argv.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return if argv.is_empty() {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        };
    }
    let command = argv.remove(0);
    let args = Args { rest: argv };
    let result = match command.as_str() {
        "run" => cmd_run(args),
        "sim" => cmd_sim(args),
        "info" => cmd_info(args),
        "demo" => cmd_demo(args),
        other => Err(anyhow!("unknown command '{other}'\n{USAGE}")),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let line = format!("{e:#}").replace('\n', " ");
            eprintln!("error: {line}");
            ExitCode::from(2)
        }
    }
}
