//! `StudentSyncPlan`: what a student sync will do, computed from the Moodle snapshot and
//! the kuraCloud roster, with no I/O. The same function serves the preview and the
//! apply, so apply does exactly what the teacher reviewed.

use super::snapshot::{
    clean, clean_cow, cmp_caseless, email_key_cow, is_plausible_email, same_email, section_cow,
    section_of, MoodleStudent, StudentLink,
};
use crate::api::{Student, StudentEdit, StudentInput};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StudentAction {
    /// Two eligible Moodle users share an email: neither is touched.
    Conflict,
    /// The Moodle user cannot be sent (no or invalid email).
    Skip,
    /// Active kuraCloud student no eligible Moodle user matches.
    Delete,
    /// Email changed since the last sync: delete the old account, invite the new email.
    Reinvite,
    /// No kuraCloud student yet: invite.
    Add,
    /// Linked to (or matched by email with) a deleted kuraCloud student: restore.
    Restore,
    /// Details differ: edit.
    Update,
    Unchanged,
}

/// The details kuraCloud holds for a student.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudentFields {
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    pub external_student_id: String,
    pub section: String,
}

impl StudentFields {
    fn of_student(s: &Student) -> Self {
        Self {
            email: s.email.clone(),
            given_name: s.given_name.clone(),
            family_name: s.family_name.clone(),
            external_student_id: s.external_student_id.clone(),
            section: s.section.clone(),
        }
    }

    fn of_moodle(m: &MoodleStudent) -> Self {
        Self {
            email: clean(&m.email),
            given_name: clean(&m.first_name),
            family_name: clean(&m.last_name),
            external_student_id: clean(&m.idnumber),
            section: section_of(&m.groups),
        }
    }

    pub fn to_input(&self) -> StudentInput {
        StudentInput {
            email: self.email.clone(),
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            external_student_id: self.external_student_id.clone(),
            section: self.section.clone(),
        }
    }

    pub fn to_edit(&self, student_id: i64) -> StudentEdit {
        StudentEdit {
            student_id,
            email: self.email.clone(),
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            external_student_id: self.external_student_id.clone(),
            section: self.section.clone(),
        }
    }
}

/// One line of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanEntry {
    pub action: StudentAction,
    /// The Moodle user (absent for deletes of unmatched kuraCloud students).
    pub user_id: Option<i64>,
    /// The existing kuraCloud student acted on (absent for adds).
    pub student_id: Option<i64>,
    /// Reinvite: the old kuraCloud account that will be deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces_student_id: Option<i64>,
    pub name: String,
    pub email: String,
    pub reason: Cow<'static, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Box<StudentFields>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Box<StudentFields>>,
    /// Restore and update: the fields that will be edited.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<String>,
    /// A link row (user ↔ student) will be stored when this entry succeeds.
    pub link: bool,
    /// Unchanged entries carry no `after`; the fingerprint uses this hash of it instead.
    #[serde(skip)]
    pub after_hash: u128,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanCounts {
    pub add: usize,
    pub reinvite: usize,
    pub update: usize,
    pub restore: usize,
    pub delete: usize,
    pub unchanged: usize,
    pub conflict: usize,
    pub skip: usize,
}

impl PlanCounts {
    /// kuraCloud accounts this plan deletes (deletes and the old side of reinvites).
    pub fn removals(&self) -> usize {
        self.delete + self.reinvite
    }

    /// Writes other than edits: what makes grades unsafe to sync yet.
    pub fn roster_changes(&self) -> usize {
        self.add + self.reinvite + self.restore + self.delete
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentSyncPlan {
    pub entries: Vec<PlanEntry>,
    pub counts: PlanCounts,
    /// Active kuraCloud students before the sync.
    pub roster: usize,
    /// More than half of a roster of five or more would be deleted.
    pub mass_removal: bool,
    /// Links to forget: they point at kuraCloud students that no longer exist at all.
    pub stale_links: Vec<StudentLink>,
    /// XXH3-128 of the plan and of the kuraCloud roster it was computed on (32 hex digits).
    pub fingerprint: String,
}

impl StudentSyncPlan {
    /// Roughly the size of this plan as JSON (see `workflows::Outcome`): a little over,
    /// so the outcome buffer is allocated once.
    pub fn json_size_hint(&self) -> usize {
        let fields = |f: &Option<Box<StudentFields>>| {
            f.as_ref().map_or(0, |f| {
                110 + f.email.len()
                    + f.given_name.len()
                    + f.family_name.len()
                    + f.external_student_id.len()
                    + f.section.len()
            })
        };
        let entries: usize = self
            .entries
            .iter()
            .map(|e| {
                150 + e.name.len()
                    + e.email.len()
                    + e.reason.len()
                    + fields(&e.before)
                    + fields(&e.after)
                    + e.changes.iter().map(|c| c.len() + 3).sum::<usize>()
            })
            .sum();
        entries + self.stale_links.len() * 40 + 400
    }
}

/// The mass-removal guard: more than half of a roster of five or more.
pub fn trips_mass_removal(removals: usize, roster: usize) -> bool {
    roster >= 5 && removals * 2 > roster
}

/// Longest piece of kuraCloud text (an email) quoted in a reason.
const MAX_QUOTED_CHARS: usize = 254;

/// `text` as a reason quotes it: at most `MAX_QUOTED_CHARS` characters (then `…`),
/// control characters escaped.
fn quote(text: &str) -> String {
    crate::error::printable(text, MAX_QUOTED_CHARS)
}

fn display_name(first: &str, last: &str) -> String {
    let (first, last) = (first.trim(), last.trim());
    let mut name = String::with_capacity(first.len() + last.len() + 1);
    name.push_str(first);
    if !first.is_empty() && !last.is_empty() {
        name.push(' ');
    }
    name.push_str(last);
    if name.chars().any(char::is_control) {
        name = clean(&name);
    }
    if name.is_empty() {
        "(no name)".into()
    } else {
        name
    }
}

/// Computes the plan. `active` and `deleted` are the two kuraCloud reads.
pub fn plan(
    moodle: &[MoodleStudent],
    links: &[StudentLink],
    active: &[Student],
    deleted: &[Student],
) -> StudentSyncPlan {
    // Moodle side: one row per user (the first), then count users per email.
    let mut users: Vec<&MoodleStudent> = moodle.iter().collect();
    users.sort_by_key(|m| m.user_id);
    users.dedup_by_key(|m| m.user_id);
    let keyed: Vec<(&MoodleStudent, Cow<str>)> = users
        .iter()
        .map(|m| (*m, email_key_cow(&m.email)))
        .collect();
    let mut per_email: HashMap<&str, u32> = HashMap::default();
    per_email.reserve(keyed.len());
    for (_, key) in &keyed {
        *per_email.entry(key.as_ref()).or_default() += 1;
    }
    let key_of_user: HashMap<i64, &str> =
        keyed.iter().map(|(m, k)| (m.user_id, k.as_ref())).collect();

    let mut entries = Vec::with_capacity(moodle.len() + active.len());
    let mut conflicted_emails: HashSet<&str> = HashSet::default();
    let mut candidates: Vec<(&MoodleStudent, &str)> = Vec::with_capacity(keyed.len());
    for (m, key) in &keyed {
        let key = key.as_ref();
        let sharing = per_email.get(key).copied().unwrap_or(1);
        if is_plausible_email(&m.email) && sharing == 1 {
            candidates.push((*m, key));
            continue;
        }
        let fields = StudentFields::of_moodle(m);
        let (action, reason): (StudentAction, Cow<'static, str>) = if !is_plausible_email(&m.email)
        {
            let why = if key.is_empty() {
                "the Moodle user has no email address"
            } else {
                "the Moodle user's email address is not valid"
            };
            (StudentAction::Skip, why.into())
        } else {
            conflicted_emails.insert(key);
            (
                StudentAction::Conflict,
                format!("{sharing} Moodle users share this email; none of them is synced until the emails differ").into(),
            )
        };
        entries.push(PlanEntry {
            action,
            user_id: Some(m.user_id),
            student_id: None,
            replaces_student_id: None,
            name: display_name(&m.first_name, &m.last_name),
            email: fields.email.clone(),
            reason,
            before: None,
            after: Some(Box::new(fields)),
            changes: vec![],
            link: false,
            after_hash: 0,
        });
    }

    // kuraCloud side, indexed.
    let active_by_id: HashMap<i64, &Student> = active.iter().map(|s| (s.student_id, s)).collect();
    let deleted_by_id: HashMap<i64, &Student> = deleted
        .iter()
        .filter(|s| !active_by_id.contains_key(&s.student_id))
        .map(|s| (s.student_id, s))
        .collect();
    // By email: ids in ascending order (lowest first when kuraCloud holds one email twice).
    // A deleted student also listed as active is indexed as active only, like by id.
    fn index_by_email<'a>(
        list: impl ExactSizeIterator<Item = &'a Student>,
    ) -> HashMap<Cow<'a, str>, Vec<i64>> {
        let mut map: HashMap<Cow<'a, str>, Vec<i64>> = HashMap::default();
        map.reserve(list.len());
        for s in list {
            map.entry(email_key_cow(&s.email))
                .or_default()
                .push(s.student_id);
        }
        for ids in map.values_mut().filter(|ids| ids.len() > 1) {
            ids.sort_unstable();
        }
        map
    }
    let active_by_email = index_by_email(active.iter());
    let deleted_by_email = index_by_email(deleted_by_id.values().copied());

    // Links: one per user (first wins), one per student.
    let mut link_of_user: HashMap<i64, i64> = HashMap::default();
    let mut linked_students: HashSet<i64> = HashSet::default();
    let mut sorted_links = links.to_vec();
    sorted_links.sort();
    for l in &sorted_links {
        if link_of_user.contains_key(&l.user_id) || linked_students.contains(&l.student_id) {
            continue;
        }
        link_of_user.insert(l.user_id, l.student_id);
        linked_students.insert(l.student_id);
    }

    let mut claimed: HashSet<i64> = HashSet::default();
    // Students held by a conflict are never deleted.
    for l in &sorted_links {
        if let Some(key) = key_of_user.get(&l.user_id) {
            if conflicted_emails.contains(key) {
                claimed.insert(l.student_id);
            }
        }
    }
    for key in &conflicted_emails {
        for id in active_by_email.get(*key).into_iter().flatten() {
            claimed.insert(*id);
        }
    }

    // A student kuraCloud lists as active with one email and as deleted with another
    // (restored and edited between the two reads): which email is its own is unknown.
    // The Moodle users it could be (by either email, or by link) are conflicts the
    // teacher sees, and the student is held, until a fresh read agrees with itself.
    let mut unsettled: HashMap<i64, (&Student, &Student)> = HashMap::default();
    for d in deleted {
        if let Some(&a) = active_by_id.get(&d.student_id) {
            if !same_email(&a.email, &d.email) {
                unsettled.entry(d.student_id).or_insert((a, d));
            }
        }
    }
    if !unsettled.is_empty() {
        let mut by_email: HashMap<Cow<str>, i64> = HashMap::default();
        for (&id, (a, d)) in &unsettled {
            for email in [&a.email, &d.email] {
                let held = by_email.entry(email_key_cow(email)).or_insert(id);
                *held = (*held).min(id);
            }
        }
        candidates.retain(|&(m, key)| {
            let id = match by_email.get(key) {
                Some(&id) => id,
                None => match link_of_user.get(&m.user_id) {
                    Some(&id) if unsettled.contains_key(&id) => id,
                    _ => return true,
                },
            };
            let Some(&(a, d)) = unsettled.get(&id) else {
                return true;
            };
            claimed.insert(id);
            let fields = StudentFields::of_moodle(m);
            entries.push(PlanEntry {
                action: StudentAction::Conflict,
                user_id: Some(m.user_id),
                student_id: Some(id),
                replaces_student_id: None,
                name: display_name(&m.first_name, &m.last_name),
                email: fields.email.clone(),
                reason: format!(
                    "kuraCloud lists student {id} both as active ({}) and as deleted ({}): it changed while it was read. Nothing is done for this student; preview again",
                    quote(&a.email),
                    quote(&d.email)
                )
                .into(),
                before: Some(Box::new(StudentFields::of_student(a))),
                after: Some(Box::new(fields)),
                changes: vec![],
                link: false,
                after_hash: 0,
            });
            false
        });
    }

    // Pass 1: stored links whose student still has the user's email.
    let mut unresolved: Vec<(&MoodleStudent, &str, Option<i64>)> = Vec::new();
    let mut replaced: HashMap<i64, (i64, String)> = HashMap::default(); // old student -> (user, new email)
    for &(m, key) in &candidates {
        let Some(&linked) = link_of_user.get(&m.user_id) else {
            unresolved.push((m, key, None));
            continue;
        };
        if claimed.contains(&linked) {
            unresolved.push((m, key, None));
            continue;
        }
        if let Some(s) = active_by_id.get(&linked) {
            if same_email(&s.email, key) {
                claimed.insert(linked);
                entries.push(matched_entry(m, s, false, "linked"));
            } else {
                replaced.insert(linked, (m.user_id, clean(&m.email)));
                unresolved.push((m, key, Some(linked)));
            }
        } else if let Some(s) = deleted_by_id.get(&linked) {
            if same_email(&s.email, key) {
                claimed.insert(linked);
                entries.push(restore_entry(
                    m,
                    s,
                    false,
                    "linked to a student deleted in kuraCloud",
                ));
            } else {
                unresolved.push((m, key, Some(linked)));
            }
        } else {
            unresolved.push((m, key, None));
        }
    }
    // Pass 2a: match by email, active students first, then deleted ones. An account
    // whose linked user changed email is free to match here (e.g. two swapped emails).
    let mut unmatched: Vec<(&MoodleStudent, Option<i64>)> = Vec::new();
    for (m, key, old_link) in unresolved {
        let free = |map: &HashMap<Cow<str>, Vec<i64>>, claimed: &HashSet<i64>| {
            map.get(key)
                .and_then(|ids| ids.iter().find(|id| !claimed.contains(id)).copied())
        };
        let email_changed = old_link.is_some_and(|id| active_by_id.contains_key(&id));
        if let Some(id) = free(&active_by_email, &claimed) {
            claimed.insert(id);
            let why = if email_changed {
                "email changed; matched the existing kuraCloud student with the new email"
            } else {
                "matched by email"
            };
            if let Some(s) = active_by_id.get(&id) {
                entries.push(matched_entry(m, s, true, why));
            }
        } else if let Some(s) =
            free(&deleted_by_email, &claimed).and_then(|id| deleted_by_id.get(&id))
        {
            claimed.insert(s.student_id);
            entries.push(restore_entry(
                m,
                s,
                true,
                "matched by email with a student deleted in kuraCloud",
            ));
        } else {
            unmatched.push((m, old_link));
        }
    }

    // Pass 2b: no account to match: reinvite (email changed) or invite.
    for (m, old_link) in unmatched {
        let fields = StudentFields::of_moodle(m);
        let old = old_link
            .filter(|id| !claimed.contains(id))
            .and_then(|id| active_by_id.get(&id).copied());
        let (action, reason, before, replaces) = match old {
            Some(old) => {
                claimed.insert(old.student_id);
                (
                    StudentAction::Reinvite,
                    format!(
                        "email changed from {} to {}: the old kuraCloud account is deleted and an invite is sent to the new email",
                        quote(&old.email),
                        quote(&fields.email)
                    ),
                    Some(Box::new(StudentFields::of_student(old))),
                    Some(old.student_id),
                )
            }
            None => (
                StudentAction::Add,
                "not in the kuraCloud course yet: an invite is sent".to_string(),
                None,
                None,
            ),
        };
        entries.push(PlanEntry {
            action,
            user_id: Some(m.user_id),
            student_id: None,
            replaces_student_id: replaces,
            name: display_name(&m.first_name, &m.last_name),
            email: fields.email.clone(),
            reason: reason.into(),
            before,
            after: Some(Box::new(fields)),
            changes: vec![],
            link: true,
            after_hash: 0,
        });
    }

    // Every active student nobody claimed is deleted (once, however often it is listed).
    for s in active {
        if !claimed.insert(s.student_id) {
            continue;
        }
        let reason = match replaced.get(&s.student_id) {
            Some((_, new_email)) => format!(
                "the Moodle user's email changed to {}, which already has a kuraCloud account",
                quote(new_email)
            ),
            None => "not an actively enrolled student of the Moodle course".into(),
        };
        entries.push(PlanEntry {
            action: StudentAction::Delete,
            user_id: replaced.get(&s.student_id).map(|(u, _)| *u),
            student_id: Some(s.student_id),
            replaces_student_id: None,
            name: display_name(&s.given_name, &s.family_name),
            email: s.email.clone(),
            reason: reason.into(),
            before: Some(Box::new(StudentFields::of_student(s))),
            after: None,
            changes: vec![],
            link: false,
            after_hash: 0,
        });
    }

    // Users this very sync links: their stale rows are replaced by the new ones anyway.
    let relinked: HashSet<i64> = entries
        .iter()
        .filter(|e| e.link)
        .filter_map(|e| e.user_id)
        .collect();
    let stale_links: Vec<StudentLink> = sorted_links
        .iter()
        .filter(|l| {
            !active_by_id.contains_key(&l.student_id) && !deleted_by_id.contains_key(&l.student_id)
        })
        .filter(|l| !relinked.contains(&l.user_id))
        .copied()
        .collect();

    // Display order: by action, then name and email, case-insensitively. Entries are
    // large, so sort their indices, then move each entry into place once.
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&i, &j| {
        let (Some(a), Some(b)) = (entries.get(i), entries.get(j)) else {
            return i.cmp(&j);
        };
        a.action
            .cmp(&b.action)
            .then_with(|| cmp_caseless(&a.name, &b.name))
            .then_with(|| cmp_caseless(&a.email, &b.email))
            .then_with(|| a.user_id.cmp(&b.user_id))
            .then_with(|| a.student_id.cmp(&b.student_id))
    });
    permute(&mut entries, order);
    let mut counts = PlanCounts::default();
    for e in &entries {
        match e.action {
            StudentAction::Add => counts.add += 1,
            StudentAction::Reinvite => counts.reinvite += 1,
            StudentAction::Update => counts.update += 1,
            StudentAction::Restore => counts.restore += 1,
            StudentAction::Delete => counts.delete += 1,
            StudentAction::Unchanged => counts.unchanged += 1,
            StudentAction::Conflict => counts.conflict += 1,
            StudentAction::Skip => counts.skip += 1,
        }
    }
    let roster = active.len();
    let fingerprint = fingerprint(&entries, active, deleted);
    // Unchanged lines need no field-by-field detail; dropping it halves the outcome.
    for e in entries
        .iter_mut()
        .filter(|e| e.action == StudentAction::Unchanged)
    {
        e.before = None;
        e.after = None;
    }
    StudentSyncPlan {
        mass_removal: trips_mass_removal(counts.removals(), roster),
        entries,
        counts,
        roster,
        stale_links,
        fingerprint,
    }
}

/// Reorders `items` in place so that position `k` holds what was at `order[k]`
/// (`order` is a permutation), following each cycle once.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..items.len() {
        let mut dst = start;
        while let Some(slot) = order.get_mut(dst) {
            let src = std::mem::replace(slot, dst);
            if src == start || src >= items.len() {
                break;
            }
            items.swap(dst, src);
            dst = src;
        }
    }
}

fn matched_entry(m: &MoodleStudent, s: &Student, new_link: bool, why: &'static str) -> PlanEntry {
    // Compared without copying: most matched students are unchanged.
    let email = clean_cow(&m.email);
    let target = [
        clean_cow(&m.first_name),
        clean_cow(&m.last_name),
        clean_cow(&m.idnumber),
        section_cow(&m.groups),
    ];
    let mut changes = Vec::new();
    for (name, (want, have)) in [
        "given_name",
        "family_name",
        "external_student_id",
        "section",
    ]
    .iter()
    .zip(target.iter().zip([
        &s.given_name,
        &s.family_name,
        &s.external_student_id,
        &s.section,
    ])) {
        if want.as_ref() != have.as_str() {
            changes.push((*name).to_string());
        }
    }
    let name = display_name(&m.first_name, &m.last_name);
    if changes.is_empty() {
        let mut buf = Vec::with_capacity(128);
        for v in std::iter::once(email.as_ref()).chain(target.iter().map(|t| t.as_ref())) {
            push_field(&mut buf, v);
        }
        return PlanEntry {
            action: StudentAction::Unchanged,
            user_id: Some(m.user_id),
            student_id: Some(s.student_id),
            replaces_student_id: None,
            name,
            email: email.into_owned(),
            reason: Cow::Borrowed(why),
            before: None,
            after: None,
            changes,
            link: new_link,
            after_hash: xxhash_rust::xxh3::xxh3_128(&buf),
        };
    }
    let [given_name, family_name, external_student_id, section] = target;
    let after = StudentFields {
        email: email.into_owned(),
        given_name: given_name.into_owned(),
        family_name: family_name.into_owned(),
        external_student_id: external_student_id.into_owned(),
        section: section.into_owned(),
    };
    PlanEntry {
        action: StudentAction::Update,
        user_id: Some(m.user_id),
        student_id: Some(s.student_id),
        replaces_student_id: None,
        name,
        email: after.email.clone(),
        reason: Cow::Owned(format!(
            "{why}; details changed: {}",
            changes.join(", ").replace('_', " ")
        )),
        before: Some(Box::new(StudentFields::of_student(s))),
        after: Some(Box::new(after)),
        changes,
        link: new_link,
        after_hash: 0,
    }
}

fn restore_entry(m: &MoodleStudent, s: &Student, new_link: bool, why: &'static str) -> PlanEntry {
    let mut e = matched_entry(m, s, new_link, why);
    e.action = StudentAction::Restore;
    if e.after.is_none() {
        // Unchanged details: show them (the preview's "after" of a restore).
        e.after = Some(Box::new(StudentFields::of_moodle(m)));
        e.after_hash = 0;
    }
    e.before = Some(Box::new(StudentFields::of_student(s)));
    e.reason = if e.changes.is_empty() {
        Cow::Owned(format!("{why}: restore"))
    } else {
        Cow::Owned(format!(
            "{why}: restore, then edit {}",
            e.changes.join(", ").replace('_', " ")
        ))
    };
    // Restoring keeps the student's kuraCloud work; the link is (re)stored.
    e.link = true;
    e
}

/// A 128-bit XXH3 over the plan's operations and the kuraCloud roster. It detects
/// change between preview and apply (not an integrity check against an attacker, who
/// could change kuraCloud itself). Fields kuraCloud changes on its own (invite
/// accepted, creation date) are left out so they do not make a reviewed plan stale.
fn fingerprint(entries: &[PlanEntry], active: &[Student], deleted: &[Student]) -> String {
    let mut hash = FingerprintHasher::new();
    let mut roster: Vec<(bool, &Student)> = active
        .iter()
        .map(|s| (false, s))
        .chain(deleted.iter().map(|s| (true, s)))
        .collect();
    roster.sort_unstable_by_key(|(d, s)| (*d, s.student_id));
    for (is_deleted, s) in roster {
        hash.bytes(&[is_deleted as u8]);
        hash.number(Some(s.student_id));
        for v in [
            &s.email,
            &s.given_name,
            &s.family_name,
            &s.external_student_id,
            &s.section,
        ] {
            hash.field(v);
        }
    }
    hash.bytes(b"plan");
    for e in entries {
        hash.bytes(&[e.action as u8, e.link as u8]);
        hash.number(e.user_id);
        hash.number(e.student_id);
        hash.number(e.replaces_student_id);
        match &e.after {
            Some(a) => {
                hash.bytes(&[1]);
                for v in [
                    &a.email,
                    &a.given_name,
                    &a.family_name,
                    &a.external_student_id,
                    &a.section,
                ] {
                    hash.field(v);
                }
            }
            None => {
                hash.bytes(&[0]);
                hash.bytes(&e.after_hash.to_le_bytes());
            }
        }
    }
    format!("{:032x}", hash.finish())
}

/// A string as the fingerprint encodes it: length-prefixed, so no choice of strings
/// makes two inputs alike.
fn push_field(buf: &mut Vec<u8>, value: &str) {
    buf.extend_from_slice(&(value.len() as u32).to_le_bytes());
    buf.extend_from_slice(value.as_bytes());
}

/// Streaming XXH3-128 through a 64 KiB buffer: many small fields cost one large update
/// per buffer (far cheaper than an update per field), and memory stays small whatever
/// the roster. The digest is that of the whole stream, as if hashed in one piece.
struct FingerprintHasher {
    state: xxhash_rust::xxh3::Xxh3,
    buf: Vec<u8>,
}

impl FingerprintHasher {
    const BUFFER: usize = 64 * 1024;

    fn new() -> Self {
        Self {
            state: xxhash_rust::xxh3::Xxh3::new(),
            buf: Vec::with_capacity(Self::BUFFER),
        }
    }

    fn bytes(&mut self, value: &[u8]) {
        if self.buf.len() + value.len() > Self::BUFFER {
            self.state.update(&self.buf);
            self.buf.clear();
            if value.len() > Self::BUFFER {
                self.state.update(value);
                return;
            }
        }
        self.buf.extend_from_slice(value);
    }

    /// Length-prefixed, as `push_field` (the test below holds them together).
    fn field(&mut self, value: &str) {
        self.bytes(&(value.len() as u32).to_le_bytes());
        self.bytes(value.as_bytes());
    }

    fn number(&mut self, value: Option<i64>) {
        match value {
            Some(v) => {
                self.bytes(&[1]);
                self.bytes(&v.to_le_bytes());
            }
            None => self.bytes(&[0]),
        }
    }

    fn finish(mut self) -> u128 {
        self.state.update(&self.buf);
        self.state.digest128()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permute_moves_each_item_to_its_place() {
        let mut items: Vec<char> = "abcdef".chars().collect();
        // Position k receives the item at order[k]: two cycles and a fixed point.
        permute(&mut items, vec![2, 0, 1, 3, 5, 4]);
        assert_eq!(items.iter().collect::<String>(), "cabdfe");
        let mut none: Vec<u8> = vec![];
        permute(&mut none, vec![]);
    }

    #[test]
    fn the_size_hint_covers_the_plan_without_wasting_much() {
        let moodle: Vec<MoodleStudent> = (0..400)
            .map(|i| MoodleStudent {
                user_id: i,
                email: format!("student.{i}@uni.example"),
                first_name: if i % 7 == 0 {
                    "Zoë \"Q\"".into()
                } else {
                    "Ana".into()
                },
                last_name: "Lima".into(),
                idnumber: format!("ID{i}"),
                groups: vec!["Lab A".into()],
            })
            .collect();
        let kc = |id: i64, email: String, given: &str| Student {
            student_id: id,
            email,
            given_name: given.into(),
            family_name: "Lima".into(),
            invite_complete: true,
            created_date: 1,
            external_student_id: format!("ID{id}"),
            section: "Lab A".into(),
        };
        // Unchanged, updated, email changed, restored, added and deleted students.
        let active: Vec<Student> = (0..300)
            .map(|i| match i {
                0..100 => kc(i, format!("student.{i}@uni.example"), "Ana"),
                100..200 => kc(i, format!("student.{i}@uni.example"), "Other"),
                _ => kc(i, format!("old.{i}@uni.example"), "Ana"),
            })
            .chain((0..50).map(|i| kc(1000 + i, format!("gone.{i}@uni.example"), "Gone")))
            .collect();
        let deleted: Vec<Student> = (300..350)
            .map(|i| kc(i, format!("student.{i}@uni.example"), "Ana"))
            .collect();
        let links: Vec<StudentLink> = (0..350)
            .map(|i| StudentLink {
                user_id: i,
                student_id: i,
            })
            .collect();
        let plan = plan(&moodle, &links, &active, &deleted);
        let actual = serde_json::to_string(&plan).unwrap().len();
        let hint = plan.json_size_hint();
        assert!(hint >= actual, "hint {hint} < actual {actual}");
        assert!(
            hint < actual * 3 / 2,
            "hint {hint} far above actual {actual}"
        );
    }

    #[test]
    fn the_streamed_fingerprint_equals_one_shot_hashing() {
        // Enough data to cross several buffer boundaries, and one value larger than
        // the buffer itself.
        let mut hasher = FingerprintHasher::new();
        let mut whole = Vec::new();
        for i in 0..20_000u32 {
            let v = format!("student-{i}@uni.example");
            hasher.field(&v);
            push_field(&mut whole, &v);
        }
        let big = vec![7u8; 100_000];
        hasher.bytes(&big);
        whole.extend_from_slice(&big);
        hasher.number(Some(-3));
        whole.push(1);
        whole.extend_from_slice(&(-3i64).to_le_bytes());
        assert_eq!(hasher.finish(), xxhash_rust::xxh3::xxh3_128(&whole));
    }
}
