//! host-runner's errors: the loader's, the effect loop's and the simulator's. The CLI
//! (`main.rs`) adds its own context with `anyhow` and prints the chain.

use std::path::PathBuf;

/// What can go wrong running a workflow or starting the simulator.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Loading, instantiating or calling the module.
    #[error(transparent)]
    Module(#[from] kuracloud_loader::Error),
    #[error("the module returned a step this host cannot read: {0}")]
    UnreadableStep(serde_json::Error),
    #[error("the workflow did not finish within {0} steps")]
    TooManySteps(usize),
    /// [`crate::RunOutcome::done`] of a workflow that failed: its code and message.
    #[error("{code}: {message}")]
    Workflow { code: String, message: String },
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error("cannot listen on 127.0.0.1:{port}: {reason}")]
    Listen {
        port: u16,
        reason: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("the simulator has no IP address")]
    NoAddress,
    #[error("the state file {} is not valid: {reason}", path.display())]
    StateFile {
        path: PathBuf,
        reason: serde_json::Error,
    },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// host-runner's results.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use crate::sim::{sample, Simulator};
    use crate::RunOutcome;

    #[test]
    fn errors_say_what_happened() {
        let failed = RunOutcome::Failed {
            code: "bad_token".into(),
            text: serde_json::Value::Null,
            message: "kuraCloud refused the token".into(),
            status: Some(403),
        };
        assert_eq!(
            failed.done().unwrap_err().to_string(),
            "bad_token: kuraCloud refused the token"
        );

        let sim = Simulator::start(0, sample::sample_state(), None).unwrap();
        let taken = Simulator::start(sim.port(), sample::sample_state(), None)
            .err()
            .unwrap();
        let prefix = format!("cannot listen on 127.0.0.1:{}: ", sim.port());
        assert!(taken.to_string().starts_with(&prefix), "{taken}");

        let file = std::env::temp_dir().join(format!("kc-state-{}.json", std::process::id()));
        std::fs::write(&file, "not JSON").unwrap();
        let invalid = Simulator::start_with_file(0, Some(file.clone()))
            .err()
            .unwrap();
        assert_eq!(
            invalid.to_string(),
            format!(
                "the state file {} is not valid: expected ident at line 1 column 2",
                file.display()
            )
        );
        let _ = std::fs::remove_file(&file);
    }
}
