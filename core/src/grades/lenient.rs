//! A tolerant reader for the grade export, which the swagger does not describe: the old
//! plugin read `questionId` as text, and a server may send numbers as numeric strings or
//! titles as numbers. Identifiers we never compute with accept any JSON scalar; grades
//! and maxima accept numbers and numeric strings; unknown fields are ignored (serde's
//! default). Anything else is still an error, never a silent zero.

use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde::Deserialize;
use std::fmt;

/// A number, a numeric string (`"7.5"`, `" 10 "`), or null/absent (`None`). A string
/// that is not a number is an error: a grade must never be guessed.
pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    struct NumberVisitor;
    impl<'de> Visitor<'de> for NumberVisitor {
        type Value = Option<f64>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a number, a numeric string or null")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let t = v.trim();
            if t.is_empty() {
                return Ok(None);
            }
            t.parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(Some)
                .ok_or_else(|| E::custom("a grade that is not a number"))
        }
    }
    d.deserialize_option(NumberVisitor)
}

/// Text, or a number or boolean written as text, or null/absent (`None`).
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct TextVisitor;
    impl<'de> Visitor<'de> for TextVisitor {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("text, a number or null")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
    }
    d.deserialize_option(TextVisitor)
}

/// Any JSON scalar (an identifier we never compute with): read and dropped.
pub fn any_scalar<'de, D: Deserializer<'de>>(d: D) -> Result<(), D::Error> {
    IgnoredAny::deserialize(d).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    struct Row {
        #[serde(default, deserialize_with = "number")]
        grade: Option<f64>,
        #[serde(default, deserialize_with = "text")]
        title: Option<String>,
        #[serde(default, deserialize_with = "any_scalar")]
        #[allow(dead_code)]
        id: (),
    }

    fn row(json: &str) -> Result<Row, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn numbers_and_numeric_strings_are_grades() {
        assert_eq!(row(r#"{"grade": 7.5}"#).unwrap().grade, Some(7.5));
        assert_eq!(row(r#"{"grade": 7}"#).unwrap().grade, Some(7.0));
        assert_eq!(row(r#"{"grade": " 7.5 "}"#).unwrap().grade, Some(7.5));
        assert_eq!(row(r#"{"grade": null}"#).unwrap().grade, None);
        assert_eq!(row(r#"{"grade": ""}"#).unwrap().grade, None);
        assert_eq!(row(r#"{}"#).unwrap().grade, None);
    }

    #[test]
    fn a_grade_that_is_not_a_number_is_an_error() {
        assert!(row(r#"{"grade": "seven"}"#).is_err());
        assert!(row(r#"{"grade": "NaN"}"#).is_err());
        assert!(row(r#"{"grade": "inf"}"#).is_err());
        assert!(row(r#"{"grade": [1]}"#).is_err());
    }

    #[test]
    fn titles_may_be_numbers_and_ids_any_scalar() {
        assert_eq!(
            row(r#"{"title": 2024}"#).unwrap().title.as_deref(),
            Some("2024")
        );
        assert_eq!(
            row(r#"{"title": "Lab"}"#).unwrap().title.as_deref(),
            Some("Lab")
        );
        assert_eq!(row(r#"{"title": null}"#).unwrap().title, None);
        for id in [r#""q-1""#, "17", "1.5", "true", "null"] {
            assert!(
                row(&format!(r#"{{"id": {id}, "unknown": {{"x": 1}}}}"#)).is_ok(),
                "{id}"
            );
        }
    }
}
