//! What the host tells us about the Moodle side of a student sync.

use crate::api::Connection;
use serde::{Deserialize, Serialize};

/// An eligible Moodle user: active enrolment, student course role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MoodleStudent {
    pub user_id: i64,
    pub email: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub idnumber: String,
    /// Names of the user's groups in the course.
    #[serde(default)]
    pub groups: Vec<String>,
}

/// A stored link: this Moodle user is that kuraCloud student in the mapped course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StudentLink {
    pub user_id: i64,
    pub student_id: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudentSyncInput {
    pub connection: Connection,
    pub course_id: i64,
    pub students: Vec<MoodleStudent>,
    #[serde(default)]
    pub links: Vec<StudentLink>,
    /// `students.apply`: the fingerprint of the plan the teacher reviewed.
    #[serde(default)]
    pub fingerprint: Option<String>,
    /// `students.apply`: the teacher confirmed a plan that trips the mass-removal guard.
    #[serde(default)]
    pub allow_mass_removal: bool,
    /// Students per write request (default 200, at most 1000).
    #[serde(default)]
    pub batch_size: Option<usize>,
}

/// Section sent to kuraCloud: the user's group in the course. With several groups, the
/// alphabetically first name (case-insensitive, ties by exact text) wins, so the choice
/// is stable between syncs whatever order Moodle lists the groups in. No group: "".
pub fn section_of(groups: &[String]) -> String {
    section_cow(groups).into_owned()
}

/// Case-insensitive order without allocating. ASCII is compared byte by byte; from the
/// first non-ASCII character on, by lowercased characters (the ASCII prefix compares the
/// same either way, so the order is that of comparing lowercased strings).
pub fn cmp_caseless(a: &str, b: &str) -> std::cmp::Ordering {
    let (ab, bb) = (a.as_bytes(), b.as_bytes());
    for (i, (&x, &y)) in ab.iter().zip(bb).enumerate() {
        if !x.is_ascii() || !y.is_ascii() {
            // Both strings are ASCII up to `i`, so `i` is a character boundary in both.
            let (a, b) = (
                a.get(i..).unwrap_or_default(),
                b.get(i..).unwrap_or_default(),
            );
            return a
                .chars()
                .flat_map(char::to_lowercase)
                .cmp(b.chars().flat_map(char::to_lowercase));
        }
        let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
        if x != y {
            return x.cmp(&y);
        }
    }
    ab.len().cmp(&bb.len())
}

/// `clean`, borrowing when nothing needs removing (the usual case).
pub fn clean_cow(value: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = value.trim();
    if trimmed.chars().any(char::is_control) {
        std::borrow::Cow::Owned(clean(value))
    } else {
        std::borrow::Cow::Borrowed(trimmed)
    }
}

/// `section_of`, borrowing from the group name. The one rule for both what is sent and
/// what is compared, so a sync converges whatever the names hold.
pub fn section_cow(groups: &[String]) -> std::borrow::Cow<'_, str> {
    groups
        .iter()
        .map(|g| clean_cow(g))
        .filter(|g| !g.is_empty())
        .min_by(|a, b| cmp_caseless(a, b).then_with(|| a.cmp(b)))
        .unwrap_or(std::borrow::Cow::Borrowed(""))
}

/// Trimmed, without control characters: what we send and compare.
pub fn clean(value: &str) -> String {
    let trimmed = value.trim();
    if !trimmed.chars().any(char::is_control) {
        return trimmed.to_string();
    }
    trimmed
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_string()
}

/// `email_key`, borrowing when the address is already in key form (the usual case).
pub fn email_key_cow(email: &str) -> std::borrow::Cow<'_, str> {
    let trimmed = email.trim();
    if trimmed
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase() && !b.is_ascii_control())
    {
        std::borrow::Cow::Borrowed(trimmed)
    } else {
        std::borrow::Cow::Owned(email_key(email))
    }
}

/// Emails compare case-insensitively and ignore surrounding whitespace.
pub fn email_key(email: &str) -> String {
    let mut key = clean(email);
    if key.is_ascii() {
        key.make_ascii_lowercase();
        key
    } else {
        key.to_lowercase()
    }
}

/// A plausible address: one '@', something on both sides, no spaces. kuraCloud rejects
/// a whole invite batch over one bad address, so bad ones are held back here.
pub fn is_plausible_email(email: &str) -> bool {
    let email = email.trim();
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let no_spaces = if email.is_ascii() {
        !email
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
    } else {
        !email.chars().any(|c| c.is_whitespace() || c.is_control())
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && no_spaces
        && email.len() <= 254
}

/// `email_key(a) == email_key(b)`, without allocating in the usual case: plain ASCII is
/// compared byte by byte; anything else (non-ASCII, control characters, which `clean`
/// removes) goes through `email_key`.
pub fn same_email(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    let (ab, bb) = (a.as_bytes(), b.as_bytes());
    let plain = |c: u8| c.is_ascii() && !c.is_ascii_control();
    for (&x, &y) in ab.iter().zip(bb) {
        if !plain(x) || !plain(y) {
            return email_key(a) == email_key(b);
        }
        // Everything before is kept as is by `email_key`, so this byte decides.
        if !x.eq_ignore_ascii_case(&y) {
            return false;
        }
    }
    let n = ab.len().min(bb.len());
    let (a_rest, b_rest) = (
        ab.get(n..).unwrap_or_default(),
        bb.get(n..).unwrap_or_default(),
    );
    if a_rest.iter().chain(b_rest).all(|&c| plain(c)) {
        ab.len() == bb.len()
    } else {
        email_key(a) == email_key(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_is_the_first_group_alphabetically() {
        let g = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(section_of(&g(&[])), "");
        assert_eq!(section_of(&g(&["Lab B", "lab a", "Lab C"])), "lab a");
        assert_eq!(section_of(&g(&["  ", "Zeta "])), "Zeta");
        assert_eq!(section_of(&g(&["b", "B"])), "B");
        // A name of control characters alone is no group, for sending and comparing alike.
        assert_eq!(section_of(&g(&["\u{1}", "Lab B"])), "Lab B");
        assert_eq!(section_cow(&g(&["\u{1}", "Lab B"])), "Lab B");
    }

    #[test]
    fn caseless_order_and_email_equality_match_their_allocating_definitions() {
        let samples = [
            "",
            "a",
            "A",
            "ab",
            "aB",
            "abc",
            "b",
            "Zoë",
            "zoe",
            "ZOË",
            "zoë a",
            "é",
            "É",
            "a\u{1}b",
            "ab\u{1}",
            " ab ",
            "AB ",
            "Straße",
            "STRASSE",
            "ǅ",
            "ǆ",
            "İ",
            "i̇",
            "x@uni.example",
            "X@Uni.Example",
            "x@uni.example\u{7}",
            "\u{7}x@uni.example",
        ];
        for a in samples {
            for b in samples {
                let lower = |s: &str| s.chars().flat_map(char::to_lowercase).collect::<String>();
                assert_eq!(
                    cmp_caseless(a, b),
                    lower(a).cmp(&lower(b)),
                    "{a:?} vs {b:?}"
                );
                assert_eq!(
                    same_email(a, b),
                    email_key(a) == email_key(b),
                    "{a:?} vs {b:?}"
                );
            }
        }
        assert!(!is_plausible_email("a\u{a0}b@c.de"));
        assert!(is_plausible_email("zoë@uni.example"));
    }

    #[test]
    fn emails_compare_loosely_and_are_checked() {
        assert_eq!(email_key("  Ana@Example.ORG "), "ana@example.org");
        assert!(is_plausible_email("a.b+c@uni.example"));
        assert!(!is_plausible_email("no-at-sign"));
        assert!(!is_plausible_email("a@b@c.d"));
        assert!(!is_plausible_email("a b@c.d"));
        assert!(!is_plausible_email("a@localhost"));
        assert!(!is_plausible_email(""));
    }
}
