//! Per-step timing of a 5,000-student preview in the module (the benchmark's data):
//! `cargo run --release -p kuracloud-host-runner --example preview_steps -- 5`.
use kuracloud_host_runner::{default_module_path, KcModule, Limits};
use std::time::Instant;

#[path = "../benches/common/preview_data.rs"]
mod preview_data;

fn main() {
    let module = KcModule::load(&default_module_path(), None).unwrap();
    let data = preview_data::PreviewData::generate();
    let request = data.start_request();
    let n: usize = std::env::args()
        .nth(1)
        .map(|x| x.parse().unwrap())
        .unwrap_or(5);
    let mib = |b: usize| b as f64 / (1 << 20) as f64;
    for _ in 0..n {
        let mut inst = module.instantiate(Limits::default()).unwrap();
        let t = Instant::now();
        inst.start(request.as_bytes()).unwrap();
        let (t1, m1) = (t.elapsed(), inst.memory_bytes());
        inst.resume(b"{}").unwrap();
        inst.resume_http(200, &data.active_body).unwrap();
        let (t2, m2) = (t.elapsed(), inst.memory_bytes());
        inst.resume(b"{}").unwrap();
        inst.resume_http(200, &data.deleted_body).unwrap();
        let t3 = t.elapsed();
        let done = inst.resume(b"{}").unwrap();
        let (t4, m4) = (t.elapsed(), inst.memory_bytes());
        assert!(
            done.starts_with("{\"done\":"),
            "the preview failed: {done:.300}"
        );
        if n <= 5 {
            println!(
                "start {:?} active {:?} deleted {:?} plan+out {:?} total {:?}",
                t1,
                t2 - t1,
                t3 - t2,
                t4 - t3,
                t4
            );
            println!(
                "  module memory after start {:.1} MiB, active {:.1} MiB, done {:.1} MiB",
                mib(m1),
                mib(m2),
                mib(m4)
            );
        }
    }
}
