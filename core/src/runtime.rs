//! A tiny executor that turns an `async` workflow into a step machine.
//!
//! Workflows are written as plain `async fn`s that `await` effects through [`Io`]. The
//! compiler turns each into a state machine; [`Run`] polls it once per host step. When
//! the workflow awaits an effect, the effect is parked in a shared slot and handed to
//! the host; the host's result goes back into the slot and the next poll picks it up.
//! No threads, no clock, no waker: the host *is* the event loop (like quinn-proto).

use crate::effect::{Effect, EffectResult, HttpRequest, Step, TransportError};
use crate::error::{WfResult, WorkflowError};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

#[derive(Default)]
enum Slot {
    #[default]
    Empty,
    Asked(Effect),
    Waiting,
    Answered(EffectResult),
}

/// The workflow's handle for asking the host to do things.
#[derive(Clone, Default)]
pub struct Io {
    slot: Rc<RefCell<Slot>>,
}

/// An HTTP response as the host saw it.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
}

impl Io {
    pub fn perform(&self, effect: Effect) -> EffectFuture {
        EffectFuture {
            slot: self.slot.clone(),
            effect: Some(effect),
        }
    }

    pub async fn http(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let result = self.perform(Effect::Http(request)).await;
        if let Some(error) = result.transport_error {
            return Err(error);
        }
        match result.status {
            Some(status) => Ok(HttpResponse {
                status,
                body: result.body.unwrap_or_default(),
            }),
            None => Err(TransportError {
                kind: "other".into(),
                message: "the host returned neither a status nor a transport error".into(),
            }),
        }
    }

    pub async fn sleep(&self, ms: u64) {
        self.perform(Effect::Sleep { ms }).await;
    }

    pub async fn progress(&self, stage: &str, done: u64, total: u64) {
        let total = total.max(1);
        self.perform(Effect::Progress {
            stage: stage.into(),
            done: done.min(total),
            total,
        })
        .await;
    }
}

pub struct EffectFuture {
    slot: Rc<RefCell<Slot>>,
    effect: Option<Effect>,
}

impl Future for EffectFuture {
    type Output = EffectResult;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<EffectResult> {
        let mut slot = self.slot.borrow_mut();
        if let Slot::Answered(_) = &*slot {
            if let Slot::Answered(result) = std::mem::take(&mut *slot) {
                return Poll::Ready(result);
            }
        }
        drop(slot);
        if let Some(effect) = self.effect.take() {
            *self.slot.borrow_mut() = Slot::Asked(effect);
        }
        Poll::Pending
    }
}

type BoxedWorkflow = Pin<Box<dyn Future<Output = WfResult<String>>>>;

/// One running workflow.
pub struct Run {
    io: Io,
    future: Option<BoxedWorkflow>,
}

impl Run {
    /// Starts `make(io)` and returns the run with its first step.
    pub fn start<F, Fut>(make: F) -> (Self, Step)
    where
        F: FnOnce(Io) -> Fut,
        Fut: Future<Output = WfResult<String>> + 'static,
    {
        let io = Io::default();
        let future: BoxedWorkflow = Box::pin(make(io.clone()));
        let mut run = Run {
            io,
            future: Some(future),
        };
        let step = run.poll();
        (run, step)
    }

    /// Feeds the result of the effect asked for last.
    pub fn resume(&mut self, result: EffectResult) -> Step {
        {
            let mut slot = self.io.slot.borrow_mut();
            if !matches!(&*slot, Slot::Waiting) || self.future.is_none() {
                return Step::Error(WorkflowError::protocol(
                    "resume called but no effect is awaiting a result",
                ));
            }
            *slot = Slot::Answered(result);
        }
        self.poll()
    }

    pub fn is_finished(&self) -> bool {
        self.future.is_none()
    }

    fn poll(&mut self) -> Step {
        let Some(future) = self.future.as_mut() else {
            return Step::Error(WorkflowError::protocol("the workflow has already finished"));
        };
        let mut cx = Context::from_waker(Waker::noop());
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(result) => {
                self.future = None;
                match result {
                    Ok(json) => Step::Done(json),
                    Err(error) => Step::Error(error),
                }
            }
            Poll::Pending => {
                let mut slot = self.io.slot.borrow_mut();
                match std::mem::replace(&mut *slot, Slot::Waiting) {
                    Slot::Asked(effect) => Step::Effect(effect),
                    _ => {
                        drop(slot);
                        self.future = None;
                        Step::Error(WorkflowError::protocol(
                            "the workflow is waiting on something other than an effect",
                        ))
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_workflow_yields_effects_in_order_and_finishes() {
        let (mut run, step) = Run::start(|io| async move {
            io.sleep(5).await;
            io.progress("x", 3, 2).await;
            Ok(r#"{"ok":true}"#.to_string())
        });
        assert!(matches!(step, Step::Effect(Effect::Sleep { ms: 5 })));
        let step = run.resume(EffectResult::ack());
        assert_eq!(
            step.to_json(),
            r#"{"effect":{"progress":{"stage":"x","done":2,"total":2}}}"#
        );
        let step = run.resume(EffectResult::ack());
        assert_eq!(step.to_json(), r#"{"done":{"ok":true}}"#);
        assert_eq!(step.clone().into_json(), step.to_json());
        assert!(run.is_finished());
        assert!(
            matches!(run.resume(EffectResult::ack()), Step::Error(e) if e.code == crate::error::ErrorCode::Protocol)
        );
    }
}
