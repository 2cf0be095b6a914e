//! `StudentSyncPlan`: what a student sync will do, computed from the Moodle snapshot and
//! the kuraCloud roster, with no I/O. The same function serves the preview and the
//! apply, so apply does exactly what the teacher reviewed.

use super::index::{hash_id, hash_str, Index};
use super::snapshot::{
    clean, clean_cow, cmp_caseless, email_key_cow, is_plausible_email, same_email, section_cow,
    section_of, MoodleStudent, StudentLink,
};
use crate::api::roster::{Roster, StudentRef};
use crate::api::{StudentEdit, StudentInput};
use crate::text::{Code, Text};
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
    fn of_student(s: StudentRef) -> Self {
        Self {
            email: s.email.to_string(),
            given_name: s.given_name.to_string(),
            family_name: s.family_name.to_string(),
            external_student_id: s.external_student_id.to_string(),
            section: s.section.to_string(),
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
    /// Why, as a code and its parameters (see `crate::text`). An update or a restore
    /// says which fields change in `changes`; hosts add them to the reason.
    pub reason: Text,
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

/// The plan. Its entries, in display order, are the listed ones (every Moodle user's
/// line) with the deletes of kuraCloud students nobody matches in their place among
/// them; the deletes are kept as indices into the active roster, which the plan holds,
/// and made into entries only when written or applied.
#[derive(Debug, Clone)]
pub struct StudentSyncPlan {
    /// Every entry but the deletes of unmatched students, in display order.
    listed: Vec<PlanEntry>,
    pub counts: PlanCounts,
    /// Active kuraCloud students before the sync.
    pub roster: usize,
    /// More than half of a roster of five or more would be deleted.
    pub mass_removal: bool,
    /// Links to forget: they point at kuraCloud students that no longer exist at all.
    pub stale_links: Vec<StudentLink>,
    /// XXH3-128 of the plan and of the kuraCloud roster it was computed on (32 hex digits).
    pub fingerprint: String,
    /// The unmatched active students, by index into `active`, in display order.
    deletes: Vec<u32>,
    /// Of those, the accounts whose user changed email to one that has an account
    /// already: student id -> (user id, new email).
    replaced: HashMap<i64, (i64, String)>,
    active: Roster,
}

impl StudentSyncPlan {
    /// The listed entries that come before the deletes, and those after.
    fn split(&self) -> (&[PlanEntry], &[PlanEntry]) {
        let at = self
            .listed
            .partition_point(|e| e.action <= StudentAction::Delete);
        self.listed.split_at(at)
    }

    /// Every entry, in display order (the deletes made into entries on the way).
    pub fn entries(&self) -> impl Iterator<Item = Cow<'_, PlanEntry>> + '_ {
        let (before, after) = self.split();
        before
            .iter()
            .map(Cow::Borrowed)
            .chain(
                self.deletes
                    .iter()
                    .filter_map(|&i| self.delete_entry(i as usize))
                    .map(Cow::Owned),
            )
            .chain(after.iter().map(Cow::Borrowed))
    }

    /// How many entries `entries` yields.
    pub fn len(&self) -> usize {
        self.listed.len() + self.deletes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether any entry stores a link (deletes never do).
    pub fn links_any(&self) -> bool {
        self.listed.iter().any(|e| e.link)
    }

    /// The delete of active student `index` nobody matches.
    fn delete_entry(&self, index: usize) -> Option<PlanEntry> {
        let s = self.active.get(index)?;
        let replaced = self.replaced.get(&s.student_id);
        Some(PlanEntry {
            action: StudentAction::Delete,
            user_id: replaced.map(|(u, _)| *u),
            student_id: Some(s.student_id),
            replaces_student_id: None,
            name: display_name(s.given_name, s.family_name),
            email: s.email.to_string(),
            reason: match replaced {
                Some((_, new_email)) => {
                    Text::of(Code::DeleteEmailTaken).with("email", quote(new_email))
                }
                None => Text::of(Code::DeleteNotEnrolled),
            },
            before: Some(Box::new(StudentFields::of_student(s))),
            after: None,
            changes: vec![],
            link: false,
            after_hash: 0,
        })
    }

    /// Roughly the size of this plan as JSON (see `outcome::Outcome`): a little over,
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
        let listed: usize = self
            .listed
            .iter()
            .map(|e| {
                150 + e.name.len()
                    + e.email.len()
                    + e.reason.json_size_hint()
                    + fields(&e.before)
                    + fields(&e.after)
                    + e.changes.iter().map(|c| c.len() + 3).sum::<usize>()
            })
            .sum();
        // A delete is about 200 bytes of JSON around its text (the name is at most the
        // given and family names and a space, or "(no name)").
        let deletes: usize = self
            .deletes
            .iter()
            .filter_map(|&i| self.active.get(i as usize))
            .map(|s| {
                let reason = self
                    .replaced
                    .get(&s.student_id)
                    .map_or(45, |(_, e)| 60 + e.len());
                215 + (s.given_name.len() + s.family_name.len()).max(9)
                    + s.email.len() * 2
                    + reason
                    + s.given_name.len()
                    + s.family_name.len()
                    + s.external_student_id.len()
                    + s.section.len()
            })
            .sum();
        listed + deletes + self.stale_links.len() * 40 + 400
    }
}

/// The plan as JSON, as a struct of these fields would write it.
impl Serialize for StudentSyncPlan {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeSeq, SerializeStruct};
        struct Entries<'a>(&'a StudentSyncPlan);
        impl Serialize for Entries<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
                for e in self.0.entries() {
                    seq.serialize_element(e.as_ref())?;
                }
                seq.end()
            }
        }
        let mut st = serializer.serialize_struct("StudentSyncPlan", 7)?;
        st.serialize_field("entries", &Entries(self))?;
        st.serialize_field("counts", &self.counts)?;
        st.serialize_field("roster", &self.roster)?;
        st.serialize_field("mass_removal", &self.mass_removal)?;
        st.serialize_field("needs_review", &self.needs_review())?;
        st.serialize_field("stale_links", &self.stale_links)?;
        st.serialize_field("fingerprint", &self.fingerprint)?;
        st.end()
    }
}

impl StudentSyncPlan {
    /// Why this plan may not be applied without a teacher's review, if it may not: it
    /// trips the mass-removal guard, or it has conflicts (the teacher must make the
    /// emails differ). An automatic sync applies only a plan that needs no review.
    pub fn needs_review(&self) -> Option<Text> {
        if self.mass_removal {
            Some(Text::of(Code::ReviewMassRemoval))
        } else if self.counts.conflict > 0 {
            Some(Text::of(Code::ReviewConflicts).with("count", self.counts.conflict))
        } else {
            None
        }
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

/// Which roster a claimed student is in, and where.
#[derive(Clone, Copy)]
enum Held {
    Active(usize),
    Deleted(usize),
}

/// The kuraCloud side, indexed. A student listed twice (the same id) is the first
/// listing; a deleted student also listed as active is active only.
struct KcSide<'a> {
    active: &'a Roster,
    deleted: &'a Roster,
    active_ids: Index,
    deleted_ids: Index,
    active_emails: Index,
    deleted_emails: Index,
    /// Per active index: a repeat of an id listed before it.
    repeated: Vec<bool>,
    /// Claimed students (never deleted), by active index, then by deleted index.
    claimed: Vec<bool>,
}

impl<'a> KcSide<'a> {
    fn new(active: &'a Roster, deleted: &'a Roster) -> Self {
        let id_index = |roster: &Roster| {
            let id = |i: usize| roster.id(i).unwrap_or(0);
            Index::build(
                roster.len(),
                |_| true,
                |i| hash_id(id(i)),
                |i, j| id(i) == id(j),
            )
        };
        let active_built = id_index(active);
        let deleted_built = id_index(deleted);
        let email_index = |roster: &Roster, include: &dyn Fn(usize) -> bool| {
            let email = |i: usize| roster.email(i).unwrap_or("");
            Index::build(
                roster.len(),
                include,
                |i| hash_str(&email_key_cow(email(i))),
                |i, j| same_email(email(i), email(j)),
            )
            .index
        };
        let active_emails = email_index(active, &|i| {
            !active_built.repeated.get(i).copied().unwrap_or(true)
        });
        let deleted_emails = email_index(deleted, &|j| {
            !deleted_built.repeated.get(j).copied().unwrap_or(true)
                && deleted
                    .id(j)
                    .is_some_and(|id| Self::first(active, &active_built.index, id).is_none())
        });
        KcSide {
            active,
            deleted,
            active_ids: active_built.index,
            deleted_ids: deleted_built.index,
            active_emails,
            deleted_emails,
            repeated: active_built.repeated,
            claimed: vec![false; active.len() + deleted.len()],
        }
    }

    /// The first listing of `id` in `roster` through `index` (the head of its chain:
    /// however often an id is listed, this costs one probe).
    fn first(roster: &Roster, index: &Index, id: i64) -> Option<usize> {
        index.find(hash_id(id), |i| roster.id(i) == Some(id)).next()
    }

    fn active_index(&self, id: i64) -> Option<usize> {
        Self::first(self.active, &self.active_ids, id)
    }

    /// A deleted student that is not also active.
    fn deleted_index(&self, id: i64) -> Option<usize> {
        if self.active_index(id).is_some() {
            return None;
        }
        Self::first(self.deleted, &self.deleted_ids, id)
    }

    fn active_student(&self, id: i64) -> Option<StudentRef<'a>> {
        self.active_index(id).and_then(|i| self.active.get(i))
    }

    fn deleted_student(&self, id: i64) -> Option<StudentRef<'a>> {
        self.deleted_index(id).and_then(|j| self.deleted.get(j))
    }

    fn held(&self, id: i64) -> Option<Held> {
        self.active_index(id)
            .map(Held::Active)
            .or_else(|| self.deleted_index(id).map(Held::Deleted))
    }

    fn flag(&self, held: Held) -> usize {
        match held {
            Held::Active(i) => i,
            Held::Deleted(j) => self.active.len() + j,
        }
    }

    fn claim(&mut self, id: i64) {
        if let Some(held) = self.held(id) {
            let at = self.flag(held);
            if let Some(c) = self.claimed.get_mut(at) {
                *c = true;
            }
        }
    }

    /// Claimed, or not a student of either roster (nothing to claim).
    fn is_claimed(&self, id: i64) -> bool {
        self.held(id)
            .is_some_and(|held| self.claimed.get(self.flag(held)).copied().unwrap_or(true))
    }

    /// Students with this email key (ids ascending) in the active roster.
    fn active_with_email(&self, key: &str) -> Vec<i64> {
        Self::with_email(self.active, &self.active_emails, key)
    }

    fn with_email(roster: &Roster, index: &Index, key: &str) -> Vec<i64> {
        let mut ids: Vec<i64> = index
            .find(hash_str(key), |i| {
                roster.email(i).is_some_and(|e| same_email(e, key))
            })
            .filter_map(|i| roster.id(i))
            .collect();
        ids.sort_unstable();
        ids
    }

    /// The lowest id with this email key nobody claimed yet.
    fn free(&self, roster: &Roster, index: &Index, key: &str) -> Option<i64> {
        index
            .find(hash_str(key), |i| {
                roster.email(i).is_some_and(|e| same_email(e, key))
            })
            .filter_map(|i| roster.id(i))
            .filter(|&id| !self.is_claimed(id))
            .min()
    }
}

/// Computes the plan. `active` and `deleted` are the two kuraCloud reads; the plan
/// keeps the active roster, whose unmatched students it lists as deletes.
///
/// The rules, in the order they apply: users without a usable email are skipped and
/// users sharing one are conflicts; stored links count once per user and per student;
/// students a conflict could be are held, never deleted; a student listed active and
/// deleted with two emails is a conflict; then users are matched by link, by email
/// (active before deleted), or invited; every active student nobody claimed is deleted.
pub fn plan(
    moodle: &[MoodleStudent],
    links: &[StudentLink],
    active: Roster,
    deleted: &Roster,
) -> StudentSyncPlan {
    let keyed = users_by_email_key(moodle);
    let mut entries = Vec::with_capacity(moodle.len());
    let (mut candidates, conflicted_emails) = skip_or_conflict(&keyed, &mut entries);
    let mut kc = KcSide::new(&active, deleted);
    let (sorted_links, link_of_user) = one_link_per_user_and_student(links);
    hold_students_of_conflicts(&mut kc, &keyed, &sorted_links, &conflicted_emails);
    hold_unsettled_students(&mut kc, &link_of_user, &mut candidates, &mut entries);
    let (unresolved, mut replaced) =
        match_by_link(&mut kc, &link_of_user, &candidates, &mut entries);
    let unmatched = match_by_email(&mut kc, unresolved, &mut entries);
    invite_or_reinvite(&mut kc, unmatched, &mut entries);
    let mut deletes = delete_unclaimed(&kc);
    // The account a user had before changing email to one that has an account already.
    replaced.retain(|id, _| {
        kc.active_index(*id)
            .is_some_and(|i| !kc.claimed.get(i).copied().unwrap_or(true))
    });
    let stale_links = stale_links(&kc, &sorted_links, &entries);
    drop(kc);
    sort_for_display(&mut entries);
    sort_deletes_for_display(&mut deletes, &active, &replaced);
    let counts = count_actions(&entries, deletes.len());
    let roster = active.len();
    let mut plan = StudentSyncPlan {
        mass_removal: trips_mass_removal(counts.removals(), roster),
        listed: entries,
        counts,
        roster,
        stale_links,
        fingerprint: String::new(),
        deletes,
        replaced,
        active,
    };
    plan.fingerprint = fingerprint(&plan, deleted);
    drop_unchanged_details(&mut plan.listed);
    plan
}

/// One row per Moodle user (the first listed), by user id, with its email key.
fn users_by_email_key(moodle: &[MoodleStudent]) -> Vec<(&MoodleStudent, Cow<'_, str>)> {
    let mut users: Vec<&MoodleStudent> = moodle.iter().collect();
    users.sort_by_key(|m| m.user_id);
    users.dedup_by_key(|m| m.user_id);
    users
        .iter()
        .map(|m| (*m, email_key_cow(&m.email)))
        .collect()
}

/// A user without a plausible email is skipped; users sharing an email are conflicts
/// (none of them is synced). Returns the others, the candidates for matching, and the
/// conflicted email keys.
fn skip_or_conflict<'k>(
    keyed: &'k [(&'k MoodleStudent, Cow<'k, str>)],
    entries: &mut Vec<PlanEntry>,
) -> (Vec<(&'k MoodleStudent, &'k str)>, HashSet<&'k str>) {
    let mut per_email: HashMap<&str, u32> = HashMap::default();
    per_email.reserve(keyed.len());
    for (_, key) in keyed {
        *per_email.entry(key.as_ref()).or_default() += 1;
    }
    let mut conflicted_emails: HashSet<&str> = HashSet::default();
    let mut candidates: Vec<(&MoodleStudent, &str)> = Vec::with_capacity(keyed.len());
    for (m, key) in keyed {
        let key = key.as_ref();
        let sharing = per_email.get(key).copied().unwrap_or(1);
        if is_plausible_email(&m.email) && sharing == 1 {
            candidates.push((*m, key));
            continue;
        }
        let (action, reason) = if !is_plausible_email(&m.email) {
            let why = if key.is_empty() {
                Code::SkipNoEmail
            } else {
                Code::SkipInvalidEmail
            };
            (StudentAction::Skip, Text::of(why))
        } else {
            conflicted_emails.insert(key);
            (
                StudentAction::Conflict,
                Text::of(Code::ConflictSharedEmail).with("count", sharing),
            )
        };
        entries.push(unmatched_entry(m, action, reason));
    }
    (candidates, conflicted_emails)
}

/// A skip or a conflict: the user's details, no kuraCloud student, no link.
fn unmatched_entry(m: &MoodleStudent, action: StudentAction, reason: Text) -> PlanEntry {
    let fields = StudentFields::of_moodle(m);
    PlanEntry {
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
    }
}

/// The stored links, sorted, and of them one per user (first wins) and one per student:
/// user id -> student id.
fn one_link_per_user_and_student(links: &[StudentLink]) -> (Vec<StudentLink>, HashMap<i64, i64>) {
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
    (sorted_links, link_of_user)
}

/// Students held by a conflict are never deleted: those linked to a conflicted user,
/// and the active students with a conflicted email.
fn hold_students_of_conflicts(
    kc: &mut KcSide,
    keyed: &[(&MoodleStudent, Cow<str>)],
    sorted_links: &[StudentLink],
    conflicted_emails: &HashSet<&str>,
) {
    let key_of_user: HashMap<i64, &str> =
        keyed.iter().map(|(m, k)| (m.user_id, k.as_ref())).collect();
    for l in sorted_links {
        if let Some(key) = key_of_user.get(&l.user_id) {
            if conflicted_emails.contains(key) {
                kc.claim(l.student_id);
            }
        }
    }
    for key in conflicted_emails {
        for id in kc.active_with_email(key) {
            kc.claim(id);
        }
    }
}

/// A student kuraCloud lists as active with one email and as deleted with another
/// (restored and edited between the two reads): which email is its own is unknown.
/// The Moodle users it could be (by either email, or by link) are conflicts the
/// teacher sees, and the student is held, until a fresh read agrees with itself.
fn hold_unsettled_students(
    kc: &mut KcSide,
    link_of_user: &HashMap<i64, i64>,
    candidates: &mut Vec<(&MoodleStudent, &str)>,
    entries: &mut Vec<PlanEntry>,
) {
    let mut unsettled: HashMap<i64, (StudentRef, StudentRef)> = HashMap::default();
    for d in kc.deleted.iter() {
        if let Some(a) = kc.active_student(d.student_id) {
            if !same_email(a.email, d.email) {
                unsettled.entry(d.student_id).or_insert((a, d));
            }
        }
    }
    if unsettled.is_empty() {
        return;
    }
    let mut by_email: HashMap<Cow<str>, i64> = HashMap::default();
    for (&id, (a, d)) in &unsettled {
        for email in [a.email, d.email] {
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
        kc.claim(id);
        entries.push(unsettled_entry(m, id, a, d));
        false
    });
}

/// The conflict of a user who could be student `id`, listed active as `a` and deleted
/// as `d`.
fn unsettled_entry(m: &MoodleStudent, id: i64, a: StudentRef, d: StudentRef) -> PlanEntry {
    let fields = StudentFields::of_moodle(m);
    PlanEntry {
        action: StudentAction::Conflict,
        user_id: Some(m.user_id),
        student_id: Some(id),
        replaces_student_id: None,
        name: display_name(&m.first_name, &m.last_name),
        email: fields.email.clone(),
        reason: Text::of(Code::ConflictActiveAndDeleted)
            .with("student_id", id)
            .with("active_email", quote(a.email))
            .with("deleted_email", quote(d.email)),
        before: Some(Box::new(StudentFields::of_student(a))),
        after: Some(Box::new(fields)),
        changes: vec![],
        link: false,
        after_hash: 0,
    }
}

/// A user not matched yet, with their email key and the student they were linked to
/// when that student's email differs.
type Unresolved<'k> = (&'k MoodleStudent, &'k str, Option<i64>);

/// Pass 1: stored links whose student still has the user's email (active: linked;
/// deleted: restore). The rest are unresolved; an active linked account whose email
/// differs is remembered as replaced: old student -> (user, new email).
fn match_by_link<'k>(
    kc: &mut KcSide,
    link_of_user: &HashMap<i64, i64>,
    candidates: &[(&'k MoodleStudent, &'k str)],
    entries: &mut Vec<PlanEntry>,
) -> (Vec<Unresolved<'k>>, HashMap<i64, (i64, String)>) {
    let mut unresolved: Vec<Unresolved> = Vec::new();
    let mut replaced: HashMap<i64, (i64, String)> = HashMap::default();
    for &(m, key) in candidates {
        let Some(&linked) = link_of_user.get(&m.user_id) else {
            unresolved.push((m, key, None));
            continue;
        };
        if kc.is_claimed(linked) {
            unresolved.push((m, key, None));
            continue;
        }
        if let Some(s) = kc.active_student(linked) {
            if same_email(s.email, key) {
                kc.claim(linked);
                entries.push(matched_entry(m, s, false, Code::Linked));
            } else {
                replaced.insert(linked, (m.user_id, clean(&m.email)));
                unresolved.push((m, key, Some(linked)));
            }
        } else if let Some(s) = kc.deleted_student(linked) {
            if same_email(s.email, key) {
                kc.claim(linked);
                entries.push(restore_entry(m, s, false, Code::LinkedDeleted));
            } else {
                unresolved.push((m, key, Some(linked)));
            }
        } else {
            unresolved.push((m, key, None));
        }
    }
    (unresolved, replaced)
}

/// Pass 2a: match by email, active students first, then deleted ones. An account
/// whose linked user changed email is free to match here (e.g. two swapped emails).
/// Returns the users no account matches, with their old link.
fn match_by_email<'k>(
    kc: &mut KcSide,
    unresolved: Vec<Unresolved<'k>>,
    entries: &mut Vec<PlanEntry>,
) -> Vec<(&'k MoodleStudent, Option<i64>)> {
    let mut unmatched: Vec<(&MoodleStudent, Option<i64>)> = Vec::new();
    for (m, key, old_link) in unresolved {
        let email_changed = old_link.is_some_and(|id| kc.active_index(id).is_some());
        if let Some(s) = kc
            .free(kc.active, &kc.active_emails, key)
            .and_then(|id| kc.active_student(id))
        {
            kc.claim(s.student_id);
            let why = if email_changed {
                Code::EmailChangedMatched
            } else {
                Code::MatchedEmail
            };
            entries.push(matched_entry(m, s, true, why));
        } else if let Some(s) = kc
            .free(kc.deleted, &kc.deleted_emails, key)
            .and_then(|id| kc.deleted_student(id))
        {
            kc.claim(s.student_id);
            entries.push(restore_entry(m, s, true, Code::MatchedEmailDeleted));
        } else {
            unmatched.push((m, old_link));
        }
    }
    unmatched
}

/// Pass 2b: no account to match: reinvite when the user's linked active account is
/// still free (email changed: it is deleted), else invite.
fn invite_or_reinvite(
    kc: &mut KcSide,
    unmatched: Vec<(&MoodleStudent, Option<i64>)>,
    entries: &mut Vec<PlanEntry>,
) {
    for (m, old_link) in unmatched {
        let fields = StudentFields::of_moodle(m);
        let old = old_link
            .filter(|id| !kc.is_claimed(*id))
            .and_then(|id| kc.active_student(id));
        let (action, reason, before, replaces) = match old {
            Some(old) => {
                kc.claim(old.student_id);
                (
                    StudentAction::Reinvite,
                    Text::of(Code::ReinviteEmailChanged)
                        .with("old_email", quote(old.email))
                        .with("new_email", quote(&fields.email)),
                    Some(Box::new(StudentFields::of_student(old))),
                    Some(old.student_id),
                )
            }
            None => (
                StudentAction::Add,
                Text::of(Code::AddNotInCourse),
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
            reason,
            before,
            after: Some(Box::new(fields)),
            changes: vec![],
            link: true,
            after_hash: 0,
        });
    }
}

/// Every active student nobody claimed is deleted (once, however often it is
/// listed). Kept as indices into the roster: a roster of a million unknown students
/// costs 4 bytes per student here, not a plan entry.
fn delete_unclaimed(kc: &KcSide) -> Vec<u32> {
    (0..kc.active.len())
        .filter(|&i| {
            !kc.repeated.get(i).copied().unwrap_or(true)
                && !kc.claimed.get(i).copied().unwrap_or(true)
        })
        .map(|i| i as u32)
        .collect()
}

/// Links to forget: their student is in neither roster. Users this very sync links are
/// left out: their stale rows are replaced by the new ones anyway.
fn stale_links(
    kc: &KcSide,
    sorted_links: &[StudentLink],
    entries: &[PlanEntry],
) -> Vec<StudentLink> {
    let relinked: HashSet<i64> = entries
        .iter()
        .filter(|e| e.link)
        .filter_map(|e| e.user_id)
        .collect();
    sorted_links
        .iter()
        .filter(|l| kc.held(l.student_id).is_none())
        .filter(|l| !relinked.contains(&l.user_id))
        .copied()
        .collect()
}

/// Display order: by action, then name and email, case-insensitively. Entries are
/// large, so sort their indices, then move each entry into place once.
fn sort_for_display(entries: &mut [PlanEntry]) {
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
    permute(entries, order);
}

/// The deletes by the same keys as `sort_for_display` (their action is the same).
fn sort_deletes_for_display(
    deletes: &mut [u32],
    active: &Roster,
    replaced: &HashMap<i64, (i64, String)>,
) {
    deletes.sort_by(|&i, &j| {
        let (Some(a), Some(b)) = (active.get(i as usize), active.get(j as usize)) else {
            return i.cmp(&j);
        };
        cmp_names(&a, &b)
            .then_with(|| cmp_caseless(a.email, b.email))
            .then_with(|| {
                let user = |s: &StudentRef| replaced.get(&s.student_id).map(|(u, _)| *u);
                user(&a).cmp(&user(&b))
            })
            .then_with(|| a.student_id.cmp(&b.student_id))
    });
}

/// The listed entries per action, and the unmatched deletes.
fn count_actions(entries: &[PlanEntry], deletes: usize) -> PlanCounts {
    let mut counts = PlanCounts::default();
    for e in entries {
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
    counts.delete += deletes;
    counts
}

/// Unchanged lines need no field-by-field detail; dropping it halves the outcome.
/// (After the fingerprint, which hashes them.)
fn drop_unchanged_details(entries: &mut [PlanEntry]) {
    for e in entries
        .iter_mut()
        .filter(|e| e.action == StudentAction::Unchanged)
    {
        e.before = None;
        e.after = None;
    }
}

/// The parts of `display_name(first, last)` when neither has control characters.
fn name_parts<'a>(first: &'a str, last: &'a str) -> Option<[&'a str; 3]> {
    let (f, l) = (first.trim(), last.trim());
    if f.chars().chain(l.chars()).any(char::is_control) {
        return None;
    }
    Some(match (f.is_empty(), l.is_empty()) {
        (true, true) => ["(no name)", "", ""],
        (false, false) => [f, " ", l],
        (false, true) => [f, "", ""],
        (true, false) => [l, "", ""],
    })
}

/// `cmp_caseless` of two students' display names, without building them (the usual
/// case) when sorting a million deletes.
fn cmp_names(a: &StudentRef, b: &StudentRef) -> std::cmp::Ordering {
    match (
        name_parts(a.given_name, a.family_name),
        name_parts(b.given_name, b.family_name),
    ) {
        (Some([a1, "", ""]), Some([b1, "", ""])) => cmp_caseless(a1, b1),
        (Some(x), Some(y)) => {
            fn lower<'a>(parts: [&'a str; 3]) -> impl Iterator<Item = char> + 'a {
                parts
                    .into_iter()
                    .flat_map(str::chars)
                    .flat_map(char::to_lowercase)
            }
            lower(x).cmp(lower(y))
        }
        _ => cmp_caseless(
            &display_name(a.given_name, a.family_name),
            &display_name(b.given_name, b.family_name),
        ),
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

fn matched_entry(m: &MoodleStudent, s: StudentRef, new_link: bool, why: Code) -> PlanEntry {
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
        s.given_name,
        s.family_name,
        s.external_student_id,
        s.section,
    ])) {
        if want.as_ref() != have {
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
            reason: Text::of(why),
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
        reason: Text::of(why),
        before: Some(Box::new(StudentFields::of_student(s))),
        after: Some(Box::new(after)),
        changes,
        link: new_link,
        after_hash: 0,
    }
}

fn restore_entry(m: &MoodleStudent, s: StudentRef, new_link: bool, why: Code) -> PlanEntry {
    let mut e = matched_entry(m, s, new_link, why);
    e.action = StudentAction::Restore;
    if e.after.is_none() {
        // Unchanged details: show them (the preview's "after" of a restore).
        e.after = Some(Box::new(StudentFields::of_moodle(m)));
        e.after_hash = 0;
    }
    e.before = Some(Box::new(StudentFields::of_student(s)));
    // Restoring keeps the student's kuraCloud work; the link is (re)stored.
    e.link = true;
    e
}

/// A 128-bit XXH3 over the plan's operations and the kuraCloud roster. It detects
/// change between preview and apply (not an integrity check against an attacker, who
/// could change kuraCloud itself). Fields kuraCloud changes on its own (invite
/// accepted, creation date) are left out so they do not make a reviewed plan stale.
fn fingerprint(plan: &StudentSyncPlan, deleted: &Roster) -> String {
    let mut hash = FingerprintHasher::new();
    // The roster by (deleted, id): the sort of indices is the sort of students.
    for (is_deleted, roster) in [(false, &plan.active), (true, deleted)] {
        let mut order: Vec<u32> = (0..roster.len() as u32).collect();
        order.sort_unstable_by_key(|&i| roster.id(i as usize));
        for s in order.iter().filter_map(|&i| roster.get(i as usize)) {
            hash.bytes(&[is_deleted as u8]);
            hash.number(Some(s.student_id));
            for v in [
                s.email,
                s.given_name,
                s.family_name,
                s.external_student_id,
                s.section,
            ] {
                hash.field(v);
            }
        }
    }
    hash.bytes(b"plan");
    let (before, after) = plan.split();
    let entry = |hash: &mut FingerprintHasher, e: &PlanEntry| {
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
    };
    for e in before {
        entry(&mut hash, e);
    }
    // A delete as `entry` would hash it, without making it into an entry.
    for s in plan
        .deletes
        .iter()
        .filter_map(|&i| plan.active.get(i as usize))
    {
        hash.bytes(&[StudentAction::Delete as u8, 0]);
        hash.number(plan.replaced.get(&s.student_id).map(|(u, _)| *u));
        hash.number(Some(s.student_id));
        hash.number(None);
        hash.bytes(&[0]);
        hash.bytes(&0u128.to_le_bytes());
    }
    for e in after {
        entry(&mut hash, e);
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
    use crate::api::Student;

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
        let plan = plan(
            &moodle,
            &links,
            Roster::from(&active[..]),
            &Roster::from(&deleted[..]),
        );
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
