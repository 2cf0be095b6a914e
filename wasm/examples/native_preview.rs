//! The benchmark's 5,000-student preview through the same ABI handlers, natively, for
//! profiling with `perf`: `cargo run --release -p kuracloud-wasm --example native_preview -- 50`.
use std::time::Instant;

#[path = "../../host-runner/benches/common/preview_data.rs"]
mod preview_data;

fn main() {
    let data = preview_data::PreviewData::generate();
    let request = data.start_request();
    let n: u32 = std::env::args()
        .nth(1)
        .map(|x| x.parse().unwrap())
        .unwrap_or(5);
    let answer = |body: &[u8]| {
        let mut v = br#"{"status":200,"body_follows":true}"#.to_vec();
        v.push(b'\n');
        v.extend_from_slice(body);
        v
    };
    let (active, deleted) = (answer(&data.active_body), answer(&data.deleted_body));
    let mut outcome = String::new();
    let t = Instant::now();
    for _ in 0..n {
        kuracloud_wasm::handle_start(request.as_bytes());
        kuracloud_wasm::handle_resume(b"{}".to_vec());
        kuracloud_wasm::handle_resume(active.clone());
        kuracloud_wasm::handle_resume(b"{}".to_vec());
        kuracloud_wasm::handle_resume(deleted.clone());
        outcome = kuracloud_wasm::handle_resume(b"{}".to_vec());
    }
    assert!(
        outcome.starts_with("{\"done\":"),
        "the preview failed: {outcome:.300}"
    );
    println!(
        "{:?} per preview, outcome {} bytes",
        t.elapsed() / n.max(1),
        outcome.len()
    );
}
