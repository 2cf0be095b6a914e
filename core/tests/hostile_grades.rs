//! Grade exports kuraCloud should never send, mapped without a panic and without a
//! number JSON cannot carry.

use kuracloud_core::grades::export::LessonExport;
use kuracloud_core::grades::map_grades;
use kuracloud_core::students::StudentLink;
use kuracloud_core::text::{Code, Text};
use std::collections::HashSet;

fn export(max: &str, grade: &str) -> Vec<LessonExport> {
    serde_json::from_str(&format!(
        r#"[{{"publishedLessonId":1,"gradedPublishedRevisions":[{{"publishedRevisionId":2,
            "questions":[{{"questionId":1,"maxGrade":{max}}},{{"questionId":2,"maxGrade":{max}}}],
            "studentGrades":[{{"studentId":7,"questionGrades":[{{"questionId":1,"questionGrade":{grade}}},{{"questionId":2,"questionGrade":{grade}}}]}}]}}]}}]"#
    ))
    .unwrap()
}

#[test]
fn a_maximum_grade_beyond_any_number_is_ignored_not_sent_as_null() {
    let links = [StudentLink {
        user_id: 70,
        student_id: 7,
    }];
    let enrolled: HashSet<i64> = [70].into();
    // Two questions of 1e308 each sum past f64's range.
    let m = map_grades(&export("1e308", "1e308"), &[], &links, &enrolled);
    assert!(m.items.is_empty());
    assert_eq!(m.ignored_revisions.len(), 1);
    assert_eq!(
        m.ignored_revisions[0].reason,
        Text::of(Code::RevisionMaxOutOfRange)
    );
    let json = serde_json::to_string(&m).unwrap();
    assert!(!json.contains("null"), "{json}");

    // Grades past f64's range are clamped to the maximum.
    let m = map_grades(&export("10", "1e308"), &[], &links, &enrolled);
    assert_eq!(m.items[0].writes[0].grade, 20.0);
    let m = map_grades(&export("10", "-1e308"), &[], &links, &enrolled);
    assert_eq!(m.items[0].writes[0].grade, 0.0);
}
