//! The sample instance a newcomer gets from `host-runner sim` without a state file.

use super::state::*;

pub const SAMPLE_TOKEN: &str = "demo-token";
pub const SECOND_TOKEN: &str = "second-token";

fn student(
    id: i64,
    email: &str,
    given: &str,
    family: &str,
    ext: &str,
    section: &str,
    deleted: bool,
) -> SimStudent {
    SimStudent {
        student_id: id,
        email: email.into(),
        given_name: given.into(),
        family_name: family.into(),
        invite_complete: true,
        created_date: 1_700_000_000_000 + id,
        external_student_id: ext.into(),
        section: section.into(),
        deleted,
    }
}

fn grade(student_id: i64, offset: Option<f64>, grades: &[(i64, Option<f64>)]) -> SimStudentGrade {
    SimStudentGrade {
        student_id,
        grade_offset: offset,
        question_grades: grades
            .iter()
            .map(|(q, g)| SimQuestionGrade {
                question_id: *q,
                question_grade: *g,
            })
            .collect(),
    }
}

/// Demo University: three courses (one deleted) with students and graded lessons, and
/// a second instance whose LMS integration is off.
pub fn sample_state() -> SimState {
    let physiology = SimCourse {
        course_id: 101,
        name: "Physiology 101".into(),
        course_code: "PHYS101".into(),
        lms_enabled: false,
        lms_course_name: String::new(),
        deleted: false,
        students: vec![
            student(
                1001,
                "ana.lima@example.edu",
                "Ana",
                "Lima",
                "S001",
                "Lab A",
                false,
            ),
            student(
                1002,
                "ben.okafor@example.edu",
                "Ben",
                "Okafor",
                "S002",
                "",
                false,
            ),
            student(
                1003,
                "old.student@example.edu",
                "Old",
                "Student",
                "S999",
                "",
                false,
            ),
            student(
                1004,
                "chen.wei@example.edu",
                "Chen",
                "Wei",
                "S003",
                "Lab B",
                true,
            ),
        ],
        lessons: vec![SimLesson {
            published_content_id: 501,
            published_lesson_id: 601,
            published_lesson_title: "Nerve conduction".into(),
            revisions: vec![
                SimRevision {
                    published_revision_id: 701,
                    published_revision_title: "Nerve conduction (2024)".into(),
                    questions: vec![
                        SimQuestion {
                            question_id: 1,
                            max_grade: Some(5.0),
                        },
                        SimQuestion {
                            question_id: 2,
                            max_grade: Some(5.0),
                        },
                    ],
                    grades: vec![
                        grade(1001, None, &[(1, Some(4.0)), (2, Some(3.5))]),
                        grade(1002, Some(-20.0), &[(1, Some(2.0)), (2, None)]),
                        grade(1003, None, &[(1, None), (2, None)]),
                    ],
                },
                SimRevision {
                    published_revision_id: 702,
                    published_revision_title: "Nerve conduction (2025)".into(),
                    questions: vec![SimQuestion {
                        question_id: 3,
                        max_grade: Some(10.0),
                    }],
                    grades: vec![
                        grade(1001, Some(2.0), &[(3, Some(9.5))]),
                        grade(1002, None, &[(3, Some(6.0))]),
                    ],
                },
            ],
        }],
    };
    let neuro = SimCourse {
        course_id: 102,
        name: "Neuroscience Lab".into(),
        course_code: "NEUR210".into(),
        lms_enabled: false,
        lms_course_name: String::new(),
        deleted: false,
        students: vec![],
        lessons: vec![],
    };
    let old = SimCourse {
        course_id: 103,
        name: "Archived Anatomy".into(),
        course_code: "ANAT100".into(),
        lms_enabled: true,
        lms_course_name: "Anatomy 2019".into(),
        deleted: true,
        students: vec![],
        lessons: vec![],
    };
    SimState {
        instances: vec![
            SimInstance {
                instance_id: "demo-university".into(),
                display_name: "Demo University".into(),
                grading_mode: "kuraGrading".into(),
                sidebar_colour: "DEFAULT".into(),
                lms_enabled: true,
                tokens: vec![SAMPLE_TOKEN.into()],
                courses: vec![physiology, neuro, old],
            },
            SimInstance {
                instance_id: "second-campus".into(),
                display_name: "Second Campus".into(),
                grading_mode: "kuraGrading".into(),
                sidebar_colour: "DEFAULT".into(),
                lms_enabled: false,
                tokens: vec![SECOND_TOKEN.into()],
                courses: vec![SimCourse {
                    course_id: 201,
                    name: "Biology 201".into(),
                    course_code: "BIO201".into(),
                    lms_enabled: false,
                    lms_course_name: String::new(),
                    deleted: false,
                    students: vec![],
                    lessons: vec![],
                }],
            },
        ],
        next_id: 100_000,
        invites: vec![],
        exports: vec![],
    }
}
