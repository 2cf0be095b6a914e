//! A kuraCloud roster as the student sync reads it: every student's id and five text
//! fields, the text of all of them in one string. A student costs 32 bytes plus its
//! text, about what its JSON costs, where a `Vec<Student>` cost five `String`s (120
//! bytes) and an allocation per non-empty field.

use super::types::Student;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// One kuraCloud student, borrowed from a [`Roster`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StudentRef<'a> {
    pub student_id: i64,
    pub email: &'a str,
    pub given_name: &'a str,
    pub family_name: &'a str,
    pub external_student_id: &'a str,
    pub section: &'a str,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    student_id: i64,
    /// Where the student's text starts, then where each of its five fields ends.
    bounds: [u32; 6],
}

#[derive(Debug, Clone, Default)]
pub struct Roster {
    slots: Vec<Slot>,
    text: String,
}

impl Roster {
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn get(&self, index: usize) -> Option<StudentRef<'_>> {
        self.slots.get(index).map(|slot| self.student(slot))
    }

    /// Student `index`'s id, without its text (what lookups compare most).
    pub fn id(&self, index: usize) -> Option<i64> {
        self.slots.get(index).map(|slot| slot.student_id)
    }

    /// Student `index`'s email alone.
    pub fn email(&self, index: usize) -> Option<&str> {
        let slot = self.slots.get(index)?;
        let [start, end, ..] = slot.bounds;
        self.text.get(start as usize..end as usize)
    }

    fn student(&self, slot: &Slot) -> StudentRef<'_> {
        let [start, email, given, family, external, section] = slot.bounds.map(|b| b as usize);
        let field = |from: usize, to: usize| self.text.get(from..to).unwrap_or_default();
        StudentRef {
            student_id: slot.student_id,
            email: field(start, email),
            given_name: field(email, given),
            family_name: field(given, family),
            external_student_id: field(family, external),
            section: field(external, section),
        }
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = StudentRef<'_>> + '_ {
        self.slots.iter().map(|slot| self.student(slot))
    }

    /// Adds a student; `false` when the roster's text would pass 4 GiB (never in a
    /// 32-bit module, whose whole memory is smaller).
    pub fn push(&mut self, student_id: i64, fields: [&str; 5]) -> bool {
        let mut bounds = [0u32; 6];
        let Ok(start) = u32::try_from(self.text.len()) else {
            return false;
        };
        bounds[0] = start;
        let mut end = self.text.len();
        for (bound, field) in bounds.iter_mut().skip(1).zip(fields) {
            end += field.len();
            let Ok(b) = u32::try_from(end) else {
                return false;
            };
            *bound = b;
        }
        for field in fields {
            self.text.push_str(field);
        }
        self.slots.push(Slot { student_id, bounds });
        true
    }

    /// Reads kuraCloud's answer (a JSON array of `studentUserOutput`) with the same
    /// rules and error messages as `Vec<Student>`: `studentId` and `email` required,
    /// the other fields optional and null as empty, unknown fields ignored. The lists
    /// grow as the students come and give back what they did not use. (Counting the
    /// students first, to allocate once, cost more than the growth: a scan of the body
    /// is slow in a module.)
    pub fn from_json(body: &str) -> serde_json::Result<Self> {
        let mut de = serde_json::Deserializer::from_str(body);
        let roster = de.deserialize_seq(RosterVisitor)?;
        de.end()?;
        Ok(roster)
    }
}

impl From<&[Student]> for Roster {
    fn from(students: &[Student]) -> Self {
        let mut roster = Roster::default();
        for s in students {
            roster.push(
                s.student_id,
                [
                    &s.email,
                    &s.given_name,
                    &s.family_name,
                    &s.external_student_id,
                    &s.section,
                ],
            );
        }
        roster
    }
}

/// `Student`'s fields as JSON carries them, borrowed where the text has no escapes.
/// Named `Student` too, so serde's messages about it are word for word `Student`'s.
mod raw {
    use super::null_as_empty;
    use serde::Deserialize;
    use std::borrow::Cow;

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Student<'a> {
        pub student_id: i64,
        #[serde(borrow)]
        pub email: Cow<'a, str>,
        #[serde(default, borrow, deserialize_with = "null_as_empty")]
        pub given_name: Cow<'a, str>,
        #[serde(default, borrow, deserialize_with = "null_as_empty")]
        pub family_name: Cow<'a, str>,
        // Checked as `Student` checks them, though the sync does not use them.
        #[serde(default)]
        #[allow(dead_code)]
        invite_complete: bool,
        #[serde(default)]
        #[allow(dead_code)]
        created_date: i64,
        #[serde(default, borrow, deserialize_with = "null_as_empty")]
        pub external_student_id: Cow<'a, str>,
        #[serde(default, borrow, deserialize_with = "null_as_empty")]
        pub section: Cow<'a, str>,
    }
}

/// A string, borrowed when it can be, or null as "".
fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Cow<'de, str>, D::Error> {
    struct TextVisitor;
    impl<'de> Visitor<'de> for TextVisitor {
        type Value = Cow<'de, str>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Cow::Borrowed(""))
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(Cow::Borrowed(""))
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_str(self)
        }
        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Cow::Borrowed(v))
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Cow::Owned(v.to_owned()))
        }
        fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
            Ok(Cow::Owned(v))
        }
    }
    d.deserialize_option(TextVisitor)
}

struct RosterVisitor;

impl<'de> Visitor<'de> for RosterVisitor {
    type Value = Roster;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Roster, A::Error> {
        let mut roster = Roster::default();
        while let Some(s) = seq.next_element::<raw::Student<'de>>()? {
            let fields = [
                s.email.as_ref(),
                &s.given_name,
                &s.family_name,
                &s.external_student_id,
                &s.section,
            ];
            if !roster.push(s.student_id, fields) {
                return Err(de::Error::custom("the roster's text is larger than 4 GiB"));
            }
        }
        roster.slots.shrink_to_fit();
        roster.text.shrink_to_fit();
        Ok(roster)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_vec_of_student() {
        let body = r#"[{"studentId":5,"email":"a@x.io","givenName":"Ana","familyName":null,
            "inviteComplete":true,"createdDate":7,"externalStudentId":"ID\n5","section":"Lab A","extra":[1]},
            {"studentId":-1,"email":"\u00e9@x.io"}]"#;
        let roster = Roster::from_json(body).unwrap();
        let students: Vec<Student> = serde_json::from_str(body).unwrap();
        assert_eq!(roster.len(), 2);
        for (r, s) in roster.iter().zip(&students) {
            assert_eq!(r.student_id, s.student_id);
            assert_eq!(r.email, s.email);
            assert_eq!(r.given_name, s.given_name);
            assert_eq!(r.family_name, s.family_name);
            assert_eq!(r.external_student_id, s.external_student_id);
            assert_eq!(r.section, s.section);
        }
        let from_students = Roster::from(&students[..]);
        assert!(from_students.iter().eq(roster.iter()));
        assert_eq!(roster.get(2), None);
    }

    #[test]
    fn refuses_what_vec_of_student_refuses_with_the_same_message() {
        for body in [
            "{}",
            "[1]",
            r#"[{"email":"a"}]"#,
            r#"[{"studentId":1}]"#,
            r#"[{"studentId":"1","email":"a"}]"#,
            r#"[{"studentId":1,"email":null}]"#,
            r#"[{"studentId":1,"email":"a","section":5}]"#,
            r#"[{"studentId":1,"email":"a","createdDate":"x"}]"#,
            r#"[{"studentId":1,"email":"a"}"#,
            r#"[{"studentId":1,"email":"a"}] x"#,
            r#"[{"studentId":1.5,"email":"a"}]"#,
            "[[1]]",
            r#"[[1, "a", "b", null, true, 2, "c", "d", "e"]]"#,
        ] {
            let ours = Roster::from_json(body).unwrap_err().to_string();
            let theirs = serde_json::from_str::<Vec<Student>>(body)
                .unwrap_err()
                .to_string();
            assert_eq!(ours, theirs, "{body}");
        }
    }

    #[test]
    fn the_lists_keep_no_room_they_did_not_use() {
        let body = serde_json::to_string(
            &(0..1000)
                .map(|i| serde_json::json!({"studentId": i, "email": format!("s{i}@x.io")}))
                .collect::<Vec<_>>(),
        )
        .unwrap();
        let roster = Roster::from_json(&body).unwrap();
        assert_eq!(roster.len(), 1000);
        assert_eq!(roster.slots.capacity(), 1000);
        assert_eq!(roster.text.capacity(), roster.text.len());
    }
}
