//! A workflow input, read from JavaScript through `serde-wasm-bindgen`, written as the
//! JSON text of a start request: `{"workflow":"NAME","input":INPUT}`, the layout core
//! parses in one pass.
//!
//! The input is written straight from the deserializer (no tree in between), in the
//! order JavaScript lists the object's keys, as `JSON.stringify` would: numbers that are
//! safe integers as integers, other finite numbers as the shortest decimal that reads
//! back the same, non-finite ones as `null`; a member whose value is `undefined` is left
//! out (so `{links: undefined}` means no links), an `undefined` elsewhere is `null`.
//! BigInts are written as the integers they are. Nesting is bounded, so a cyclic or
//! absurdly deep object is refused instead of overflowing the stack.

use kuracloud_core::error::WorkflowError;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;
use wasm_bindgen::JsValue;

/// Deepest nesting of arrays and objects in an input (core's JSON reader stops at 128
/// too, counting the request around the input).
pub const MAX_DEPTH: usize = 128;

/// The start request for `workflow` with the JavaScript value `input`.
pub fn start_request(workflow: &str, input: &JsValue) -> Result<String, WorkflowError> {
    request_with(
        workflow,
        serde_wasm_bindgen::Deserializer::from(input.clone()),
        true,
    )
}

/// The start request for `workflow` with `input` from any self-describing deserializer.
pub fn request_from<'de, D: Deserializer<'de>>(
    workflow: &str,
    input: D,
) -> Result<String, WorkflowError> {
    request_with(workflow, input, false)
}

/// `js_members`: `input` is serde-wasm-bindgen's, so object members can be looked at as
/// JavaScript values first (to leave out the `undefined` ones).
fn request_with<'de, D: Deserializer<'de>>(
    workflow: &str,
    input: D,
    js_members: bool,
) -> Result<String, WorkflowError> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"{\"workflow\":");
    // Writing into a `Vec` cannot fail, nor can serializing a `&str`.
    let _ = serde_json::to_writer(&mut out, workflow);
    out.extend_from_slice(b",\"input\":");
    input
        .deserialize_any(JsonWriter {
            out: &mut out,
            depth: 0,
            js_members,
        })
        .map_err(|e| {
            // serde-wasm-bindgen's errors are JavaScript `Error`s, shown as "Error: ...",
            // once per level they were passed up through.
            let text = e.to_string();
            let mut text = text.as_str();
            while let Some(rest) = text.strip_prefix("Error: ") {
                text = rest;
            }
            WorkflowError::invalid_input(format!("the workflow input cannot be read: {text}"))
        })?;
    out.push(b'}');
    String::from_utf8(out).map_err(|_| {
        WorkflowError::invalid_input("the workflow input cannot be read: it is not UTF-8 text")
    })
}

/// Writes the value it visits as JSON.
struct JsonWriter<'a> {
    out: &'a mut Vec<u8>,
    depth: usize,
    js_members: bool,
}

impl JsonWriter<'_> {
    fn nested<E: de::Error>(&self) -> Result<usize, E> {
        if self.depth >= MAX_DEPTH {
            Err(E::custom(format_args!(
                "it is nested more than {MAX_DEPTH} levels deep (or refers to itself)"
            )))
        } else {
            Ok(self.depth + 1)
        }
    }

    fn scalar<T: serde::Serialize + ?Sized, E: de::Error>(self, value: &T) -> Result<(), E> {
        serde_json::to_writer(&mut *self.out, value).map_err(E::custom)
    }
}

impl<'de> DeserializeSeed<'de> for JsonWriter<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for JsonWriter<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value JSON can hold")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.scalar(&v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.scalar(&v)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.scalar(&v)
    }

    /// `NaN` and the infinities are `null`, as `serde_json` and `JSON.stringify` write
    /// them.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.scalar(&v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.scalar(v)
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<(), E> {
        self.scalar(v)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let depth = self.nested()?;
        self.out.push(b'[');
        let mut first = true;
        loop {
            let mark = self.out.len();
            if !first {
                self.out.push(b',');
            }
            let element = JsonWriter {
                out: &mut *self.out,
                depth,
                js_members: self.js_members,
            };
            if seq.next_element_seed(element)?.is_none() {
                self.out.truncate(mark);
                break;
            }
            first = false;
        }
        self.out.push(b']');
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let depth = self.nested()?;
        self.out.push(b'{');
        let mut first = true;
        loop {
            let mark = self.out.len();
            if !first {
                self.out.push(b',');
            }
            if map
                .next_key_seed(KeyWriter {
                    out: &mut *self.out,
                })?
                .is_none()
            {
                self.out.truncate(mark);
                break;
            }
            self.out.push(b':');
            let value = JsonWriter {
                out: &mut *self.out,
                depth,
                js_members: self.js_members,
            };
            if self.js_members {
                if !map.next_value_seed(JsMember(value))? {
                    // `undefined`: no member, as in `JSON.stringify`.
                    self.out.truncate(mark);
                    continue;
                }
            } else {
                map.next_value_seed(value)?;
            }
            first = false;
        }
        self.out.push(b'}');
        Ok(())
    }
}

/// An object member's value from serde-wasm-bindgen, taken as the JavaScript value it is
/// (serde-wasm-bindgen's `preserve`): `false` for `undefined`, else written as JSON.
struct JsMember<'a>(JsonWriter<'a>);

impl<'de> DeserializeSeed<'de> for JsMember<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        let value: JsValue = serde_wasm_bindgen::preserve::deserialize(deserializer)?;
        if value.is_undefined() {
            return Ok(false);
        }
        serde_wasm_bindgen::Deserializer::from(value)
            .deserialize_any(self.0)
            .map_err(de::Error::custom)?;
        Ok(true)
    }
}

/// Writes an object key: a string, or a number written as a string (as JavaScript
/// names the keys of an object).
struct KeyWriter<'a> {
    out: &'a mut Vec<u8>,
}

impl KeyWriter<'_> {
    fn key<E: de::Error>(self, key: &str) -> Result<(), E> {
        serde_json::to_writer(&mut *self.out, key).map_err(E::custom)
    }
}

impl<'de> DeserializeSeed<'de> for KeyWriter<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KeyWriter<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or number as an object key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.key(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.key(&v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.key(&v.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn request(input: &Value) -> Result<String, WorkflowError> {
        request_from("students.preview", input.clone())
    }

    #[test]
    fn writes_the_request_core_reads_in_one_pass() {
        let input = json!({"connection": {"api_url": "http://h/", "token": "t\"\n"},
                           "course_id": 101, "students": [], "links": [{"user_id": 1, "student_id": 2}],
                           "x": [1.5, -3, null, true, "é", [], {}]});
        let text = request(&input).unwrap();
        assert_eq!(
            text,
            format!(r#"{{"workflow":"students.preview","input":{input}}}"#)
        );
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["input"], input);
        assert_eq!(
            request_from("a\"b", Value::Null).unwrap(),
            r#"{"workflow":"a\"b","input":null}"#
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let mut deep = json!(1);
        for _ in 0..MAX_DEPTH {
            deep = json!([deep]);
        }
        assert!(request(&deep).is_ok());
        let deeper = json!({ "a": deep });
        let error = request(&deeper).unwrap_err();
        assert_eq!(error.code, kuracloud_core::ErrorCode::InvalidInput);
        assert!(error.message.contains("nested more than 128 levels"));
    }

    #[test]
    fn every_workflow_starts_from_a_written_request() {
        for name in kuracloud_core::workflows::WORKFLOWS {
            let text = request_from(name, json!({"connection": {"token": ""}})).unwrap();
            let (_, step) = kuracloud_core::workflows::start(&text);
            // Read by the workflow (not refused as an unknown name or bad layout).
            let json = step.to_json();
            assert!(json.contains("invalid_input"), "{name}: {json}");
            assert!(!json.contains("unknown workflow"), "{name}: {json}");
        }
    }
}
