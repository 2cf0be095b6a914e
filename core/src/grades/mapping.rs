//! From the export and the Moodle gradebook state to per-grade decisions. Pure.

use super::export::{LessonExport, RevisionExport, StudentGradeSum};
use super::state::{GradeItemKey, MoodleGrade, MoodleGradeItem};
use crate::students::StudentLink;
use crate::text::{Code, Text};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Moodle keeps five decimals; closer than this is the same grade.
const EPSILON: f64 = 0.000_005;
/// Ids of unknown students listed in the outcome (the count is always exact).
const MAX_LISTED_UNKNOWN: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemAction {
    Create,
    /// Name or maximum changed.
    Update,
    Unchanged,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The Moodle grade differs from what we last wrote (or was set by someone else).
    TeacherEdited,
    Locked,
    /// Linked Moodle user is no longer an enrolled student.
    NotEnrolled,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeCounts {
    pub write: usize,
    pub unchanged: usize,
    pub teacher_edited: usize,
    pub locked: usize,
    pub not_enrolled: usize,
    pub unknown_student: usize,
    /// All question grades null and no offset: no grade given.
    pub no_grade: usize,
}

impl GradeCounts {
    fn add(&mut self, o: &GradeCounts) {
        self.write += o.write;
        self.unchanged += o.unchanged;
        self.teacher_edited += o.teacher_edited;
        self.locked += o.locked;
        self.not_enrolled += o.not_enrolled;
        self.unknown_student += o.unknown_student;
        self.no_grade += o.no_grade;
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeWrite {
    pub user_id: i64,
    pub grade: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedGrade {
    pub user_id: i64,
    pub reason: SkipReason,
    pub kuracloud_grade: f64,
    pub moodle_grade: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemOutcome {
    pub lesson_id: i64,
    pub revision_id: i64,
    /// The Moodle grade item, when it exists already.
    pub item_id: Option<i64>,
    pub name: String,
    pub grademax: f64,
    pub action: ItemAction,
    pub counts: GradeCounts,
    pub writes: Vec<GradeWrite>,
    /// Equal grades we never wrote (e.g. from the old plugin): record them as ours
    /// without writing, so later kuraCloud changes flow in.
    pub record: Vec<GradeWrite>,
    pub skipped: Vec<SkippedGrade>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingItem {
    pub lesson_id: i64,
    pub revision_id: i64,
    pub item_id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IgnoredRevision {
    pub lesson_id: i64,
    pub revision_id: i64,
    pub name: String,
    pub reason: Text,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UnknownStudents {
    pub count: usize,
    pub student_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeMapping {
    pub items: Vec<ItemOutcome>,
    /// Moodle items no longer in the export: reported, never deleted.
    pub missing_items: Vec<MissingItem>,
    pub ignored_revisions: Vec<IgnoredRevision>,
    pub unknown_students: UnknownStudents,
    pub totals: GradeCounts,
}

impl GradeMapping {
    /// Roughly the size of this mapping as JSON (see `outcome::Outcome`).
    pub fn json_size_hint(&self) -> usize {
        let items: usize = self
            .items
            .iter()
            .map(|i| {
                300 + i.name.len() + (i.writes.len() + i.record.len()) * 40 + i.skipped.len() * 110
            })
            .sum();
        let named = |name: &str| 80 + name.len();
        items
            + self
                .missing_items
                .iter()
                .map(|m| named(&m.name))
                .sum::<usize>()
            + self
                .ignored_revisions
                .iter()
                .map(|r| named(&r.name) + r.reason.json_size_hint())
                .sum::<usize>()
            + self.unknown_students.student_ids.len() * 12
            + 400
    }
}

/// Grade item name: the revision title, else the lesson title, else the ids.
pub fn item_name(lesson: &LessonExport, revision: &RevisionExport) -> String {
    let pick = |s: &Option<String>| {
        s.as_deref()
            .map(|t| t.chars().filter(|c| !c.is_control()).collect::<String>())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    };
    let name = pick(&revision.published_revision_title)
        .or_else(|| pick(&lesson.published_lesson_title))
        .unwrap_or_else(|| {
            format!(
                "kuraCloud lesson {} revision {}",
                lesson.published_lesson_id, revision.published_revision_id
            )
        });
    name.chars().take(255).collect()
}

/// Sum of the questions' maximum grades.
pub fn revision_max(revision: &RevisionExport) -> f64 {
    round5(
        revision
            .questions
            .iter()
            .filter_map(|q| q.max_grade)
            .filter(|m| m.is_finite() && *m > 0.0)
            .sum(),
    )
}

/// Sum of question grades (null counts as 0) plus the offset, clamped to [0, max];
/// None when every question grade is null and the offset is null or 0.
pub fn student_grade(g: &StudentGradeSum, max: f64) -> Option<f64> {
    let offset = g.grade_offset.filter(|o| o.is_finite());
    if !g.questions.any_graded && offset.unwrap_or(0.0) == 0.0 {
        return None;
    }
    let raw = g.questions.sum + offset.unwrap_or(0.0);
    Some(round5(raw.clamp(0.0, max)))
}

fn round5(v: f64) -> f64 {
    (v * 100_000.0).round() / 100_000.0
}

fn same(a: f64, b: f64) -> bool {
    (a - b).abs() < EPSILON
}

/// What the export says about every graded revision, against the Moodle gradebook:
/// per item, the grades to write, record or skip; the items gone from the export; the
/// revisions that cannot be an item; the kuraCloud students without a link.
pub fn map_grades(
    lessons: &[LessonExport],
    items: &[MoodleGradeItem],
    links: &[StudentLink],
    enrolled: &HashSet<i64>,
) -> GradeMapping {
    let items_by_key: HashMap<GradeItemKey, &MoodleGradeItem> =
        items.iter().map(|i| (i.key, i)).collect();
    let ctx = Students {
        user_of: links.iter().map(|l| (l.student_id, l.user_id)).collect(),
        enrolled,
    };
    let mut seen_keys: HashSet<GradeItemKey> = HashSet::new();
    let mut unknown: BTreeSet<i64> = BTreeSet::new();
    let mut out_items = Vec::new();
    let mut ignored = Vec::new();
    let mut totals = GradeCounts::default();

    for lesson in lessons {
        for revision in &lesson.graded_published_revisions {
            let key = GradeItemKey {
                lesson_id: lesson.published_lesson_id,
                revision_id: revision.published_revision_id,
            };
            let name = item_name(lesson, revision);
            if !seen_keys.insert(key) {
                continue; // the same revision twice in one export: first wins
            }
            let max = revision_max(revision);
            if let Some(reason) = unusable_max(max) {
                ignored.push(IgnoredRevision {
                    lesson_id: key.lesson_id,
                    revision_id: key.revision_id,
                    name,
                    reason: Text::of(reason),
                });
                continue;
            }
            let existing = items_by_key.get(&key).copied();
            let item = map_item(key, name, max, existing, revision, &ctx, &mut unknown);
            totals.add(&item.counts);
            out_items.push(item);
        }
    }

    GradeMapping {
        items: out_items,
        missing_items: missing_items(items, &seen_keys),
        ignored_revisions: ignored,
        unknown_students: UnknownStudents {
            count: unknown.len(),
            student_ids: unknown.into_iter().take(MAX_LISTED_UNKNOWN).collect(),
        },
        totals,
    }
}

/// Who the export's students are in Moodle.
struct Students<'a> {
    /// kuraCloud student id -> Moodle user id, from the stored links.
    user_of: HashMap<i64, i64>,
    enrolled: &'a HashSet<i64>,
}

/// A revision whose maximum grade is not a positive number cannot be a grade item.
fn unusable_max(max: f64) -> Option<Code> {
    if max <= 0.0 {
        Some(Code::RevisionNoMax)
    } else if !max.is_finite() {
        Some(Code::RevisionMaxOutOfRange)
    } else {
        None
    }
}

/// A Moodle item is created when missing and updated when its name or maximum changed.
fn item_action(existing: Option<&MoodleGradeItem>, name: &str, max: f64) -> ItemAction {
    match existing {
        None => ItemAction::Create,
        Some(i) if !same(i.grademax, max) || i.name != name => ItemAction::Update,
        Some(_) => ItemAction::Unchanged,
    }
}

/// One revision's grades against its Moodle item (if it exists yet).
fn map_item(
    key: GradeItemKey,
    name: String,
    max: f64,
    existing: Option<&MoodleGradeItem>,
    revision: &RevisionExport,
    students: &Students,
    unknown: &mut BTreeSet<i64>,
) -> ItemOutcome {
    let state: HashMap<i64, &MoodleGrade> = existing
        .map(|i| i.grades.iter().map(|g| (g.user_id, g)).collect())
        .unwrap_or_default();
    let item_locked = existing.is_some_and(|i| i.locked);
    let mut item = ItemOutcome {
        lesson_id: key.lesson_id,
        revision_id: key.revision_id,
        item_id: existing.map(|i| i.item_id),
        action: item_action(existing, &name, max),
        name,
        grademax: max,
        counts: GradeCounts::default(),
        writes: Vec::new(),
        record: Vec::new(),
        skipped: Vec::new(),
    };
    let mut users_done: HashSet<i64> = HashSet::new();
    for g in &revision.student_grades {
        let Some(grade) = student_grade(g, max) else {
            item.counts.no_grade += 1;
            continue;
        };
        let Some(&user_id) = students.user_of.get(&g.student_id) else {
            item.counts.unknown_student += 1;
            unknown.insert(g.student_id);
            continue;
        };
        if !users_done.insert(user_id) {
            continue;
        }
        let current = state.get(&user_id).copied();
        let enrolled = students.enrolled.contains(&user_id);
        decide(&mut item, user_id, grade, current, enrolled, item_locked);
    }
    item
}

/// One student's grade: skipped when the user left the course, the grade or item is
/// locked, or a teacher changed what we wrote (never overwritten); recorded when Moodle
/// already holds it; written otherwise.
fn decide(
    item: &mut ItemOutcome,
    user_id: i64,
    grade: f64,
    current: Option<&MoodleGrade>,
    enrolled: bool,
    item_locked: bool,
) {
    let moodle_grade = current.and_then(|s| s.current);
    let skip = |reason| SkippedGrade {
        user_id,
        reason,
        kuracloud_grade: grade,
        moodle_grade,
    };
    if !enrolled {
        item.counts.not_enrolled += 1;
        item.skipped.push(skip(SkipReason::NotEnrolled));
        return;
    }
    if item_locked || current.is_some_and(|s| s.locked) {
        item.counts.locked += 1;
        item.skipped.push(skip(SkipReason::Locked));
        return;
    }
    let last = current.and_then(|s| s.last_written);
    match (moodle_grade, last) {
        // Someone changed or removed what we wrote.
        (c, Some(lw)) if c.is_none_or(|c| !same(c, lw)) => {
            item.counts.teacher_edited += 1;
            item.skipped.push(skip(SkipReason::TeacherEdited));
        }
        (Some(c), _) if same(c, grade) => {
            item.counts.unchanged += 1;
            if last.is_none() {
                item.record.push(GradeWrite { user_id, grade });
            }
        }
        // A grade we never wrote: someone else set it.
        (Some(_), None) => {
            item.counts.teacher_edited += 1;
            item.skipped.push(skip(SkipReason::TeacherEdited));
        }
        _ => {
            item.counts.write += 1;
            item.writes.push(GradeWrite { user_id, grade });
        }
    }
}

/// Moodle items the export no longer has: reported, never deleted.
fn missing_items(items: &[MoodleGradeItem], seen: &HashSet<GradeItemKey>) -> Vec<MissingItem> {
    let mut missing: Vec<MissingItem> = items
        .iter()
        .filter(|i| !seen.contains(&i.key))
        .map(|i| MissingItem {
            lesson_id: i.key.lesson_id,
            revision_id: i.key.revision_id,
            item_id: i.item_id,
            name: i.name.clone(),
        })
        .collect();
    missing.sort_by_key(|m| (m.lesson_id, m.revision_id));
    missing
}

#[cfg(test)]
mod tests {
    use super::super::export::QuestionSum;
    use super::*;

    fn sum(s: f64, any: bool, offset: Option<f64>) -> StudentGradeSum {
        StudentGradeSum {
            student_id: 1,
            grade_offset: offset,
            questions: QuestionSum {
                sum: s,
                any_graded: any,
            },
        }
    }

    #[test]
    fn the_size_hint_covers_the_mapping_without_wasting_much() {
        let item = |lesson: i64, writes: i64| ItemOutcome {
            lesson_id: lesson,
            revision_id: lesson * 10,
            item_id: Some(lesson + 500),
            name: format!("Lab {lesson}: \"Action potentials\" é"),
            grademax: 100.0,
            action: ItemAction::Unchanged,
            counts: GradeCounts::default(),
            writes: (0..writes)
                .map(|u| GradeWrite {
                    user_id: 100_000 + u,
                    grade: 87.123_45,
                })
                .collect(),
            record: (0..writes / 2)
                .map(|u| GradeWrite {
                    user_id: 200_000 + u,
                    grade: 3.0,
                })
                .collect(),
            skipped: (0..writes / 10)
                .map(|u| SkippedGrade {
                    user_id: 300_000 + u,
                    reason: SkipReason::TeacherEdited,
                    kuracloud_grade: 55.5,
                    moodle_grade: Some(61.25),
                })
                .collect(),
        };
        let mapping = GradeMapping {
            items: (1..=20).map(|l| item(l, 300)).collect(),
            missing_items: vec![MissingItem {
                lesson_id: 7,
                revision_id: 70,
                item_id: 9,
                name: "Old lab".into(),
            }],
            ignored_revisions: vec![IgnoredRevision {
                lesson_id: 8,
                revision_id: 80,
                name: "Draft".into(),
                reason: Text::of(Code::RevisionNoMax),
            }],
            unknown_students: UnknownStudents {
                count: 3,
                student_ids: vec![1, 2, 3],
            },
            totals: GradeCounts::default(),
        };
        let actual = serde_json::to_string(&mapping).unwrap().len();
        let hint = mapping.json_size_hint();
        assert!(hint >= actual, "hint {hint} < actual {actual}");
        assert!(
            hint < actual * 3 / 2,
            "hint {hint} far above actual {actual}"
        );
    }

    #[test]
    fn grades_are_summed_offset_and_clamped() {
        assert_eq!(student_grade(&sum(3.0, true, Some(1.5)), 10.0), Some(4.5));
        assert_eq!(student_grade(&sum(3.0, true, Some(-9.0)), 10.0), Some(0.0));
        assert_eq!(student_grade(&sum(12.0, true, None), 10.0), Some(10.0));
        assert_eq!(student_grade(&sum(0.0, false, None), 10.0), None);
        assert_eq!(student_grade(&sum(0.0, false, Some(0.0)), 10.0), None);
        assert_eq!(student_grade(&sum(0.0, false, Some(2.0)), 10.0), Some(2.0));
        assert_eq!(student_grade(&sum(0.1 + 0.2, true, None), 10.0), Some(0.3));
    }
}
