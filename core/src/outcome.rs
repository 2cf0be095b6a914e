//! `Outcome`: what a workflow hands back, serialized once into a buffer sized up front.

use serde::Serialize;

/// A workflow's result. Large outcomes estimate their JSON size, so the buffer they are
/// written into is allocated once: a buffer that keeps doubling copies itself each time
/// and touches fresh linear memory, which costs a page fault per 4 KiB in a new instance.
pub trait Outcome: Serialize {
    /// Roughly how many bytes of JSON this outcome takes. Too low only costs a regrowth.
    fn json_size_hint(&self) -> usize {
        1024
    }
}

/// Room the step envelope (`{"done":` … `}`) adds around an outcome.
pub const ENVELOPE: usize = crate::effect::DONE_OPEN.len() + 1;

// One `unsafe`: a megabyte of serde_json output is not checked for UTF-8 again.
#[allow(unsafe_code)]
/// Serializes `outcome` into one buffer with room for the step envelope.
pub fn to_json<O: Outcome>(outcome: &O) -> serde_json::Result<String> {
    // Reserved, not demanded: a hint past what a 32-bit memory can address only costs
    // the buffer's regrowth, never a capacity-overflow panic.
    let mut buf = Vec::new();
    let _ = buf.try_reserve_exact(outcome.json_size_hint().saturating_add(ENVELOPE));
    serde_json::to_writer(&mut buf, outcome)?;
    // serde_json writes UTF-8 only; checking a megabyte again would cost time for nothing.
    // SAFETY: `to_writer` emits valid UTF-8 (serde_json's own `to_string` relies on it).
    Ok(unsafe { String::from_utf8_unchecked(buf) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Small {
        text: &'static str,
    }
    impl Outcome for Small {}

    #[derive(Serialize)]
    struct Sized(Vec<u32>);
    impl Outcome for Sized {
        fn json_size_hint(&self) -> usize {
            self.0.len() * 11 + 2
        }
    }

    #[test]
    fn outcomes_serialize_like_serde_json_with_room_for_the_envelope() {
        let small = Small {
            text: "é \"quoted\" \u{1}",
        };
        assert_eq!(
            to_json(&small).unwrap(),
            serde_json::to_string(&small).unwrap()
        );
        let big = Sized((0..10_000).collect());
        let json = to_json(&big).unwrap();
        assert_eq!(json, serde_json::to_string(&big).unwrap());
        // Allocated once: the hint covered it, with room left for the envelope.
        assert_eq!(json.capacity(), big.json_size_hint() + ENVELOPE);
    }
}
