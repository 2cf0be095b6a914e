//! Rosters kuraCloud should never send, planned without a panic: the student sync plan
//! shows what it cannot decide as a conflict and writes nothing for it.

use kuracloud_core::api::Student;
use kuracloud_core::students::{
    MoodleStudent, Roster, StudentAction, StudentLink, StudentSyncPlan,
};
use kuracloud_core::text::{Code, Param};

/// The plan of these rosters.
fn plan(
    moodle: &[MoodleStudent],
    links: &[StudentLink],
    active: &[Student],
    deleted: &[Student],
) -> StudentSyncPlan {
    kuracloud_core::students::plan(moodle, links, Roster::from(active), &Roster::from(deleted))
}

fn kc(id: i64, email: &str) -> Student {
    Student {
        student_id: id,
        email: email.into(),
        given_name: "Ana".into(),
        family_name: "Lima".into(),
        invite_complete: true,
        created_date: 1,
        external_student_id: String::new(),
        section: String::new(),
    }
}

fn moodle(user_id: i64, email: &str) -> MoodleStudent {
    MoodleStudent {
        user_id,
        email: email.into(),
        first_name: "Ana".into(),
        last_name: "Lima".into(),
        idnumber: String::new(),
        groups: vec![],
    }
}

fn actions(p: &StudentSyncPlan) -> Vec<(StudentAction, Option<i64>, Option<i64>)> {
    p.entries()
        .map(|e| (e.action, e.user_id, e.student_id))
        .collect()
}

/// kuraCloud lists student 5 as active with one email and as deleted with another (a
/// restore and an email edit between the two reads). This used to panic on
/// `deleted_by_id[&id]` and fail the preview, the apply and the grade sync alike.
#[test]
fn a_student_listed_active_and_deleted_with_two_emails_is_a_conflict() {
    let active = [kc(5, "a@uni.example")];
    let deleted = [kc(5, "b@uni.example")];
    for users in [
        vec![moodle(1, "b@uni.example")],
        vec![moodle(1, "B@Uni.example ")],
        vec![moodle(1, "b@uni.example"), moodle(2, "a@uni.example")],
        vec![moodle(2, "a@uni.example"), moodle(1, "b@uni.example")],
    ] {
        let p = plan(&users, &[], &active, &deleted);
        assert_eq!(p.counts.conflict, users.len(), "{:?}", actions(&p));
        assert_eq!(
            p.counts.roster_changes(),
            0,
            "nothing is written: {:?}",
            actions(&p)
        );
        for e in p.entries() {
            assert_eq!(e.student_id, Some(5));
            assert_eq!(
                e.reason.code,
                Code::ConflictActiveAndDeleted,
                "{:?}",
                e.reason
            );
            let emails = [
                e.reason.param("active_email"),
                e.reason.param("deleted_email"),
            ];
            assert!(emails.contains(&Some(&Param::Str("a@uni.example".into()))));
            assert!(emails.contains(&Some(&Param::Str("b@uni.example".into()))));
            assert!(!e.link);
        }
    }
}

#[test]
fn a_user_linked_to_such_a_student_is_a_conflict_too() {
    let active = [kc(5, "a@uni.example"), kc(6, "c@uni.example")];
    let deleted = [kc(5, "b@uni.example")];
    let users = [moodle(1, "c@uni.example"), moodle(2, "d@uni.example")];
    let links = [StudentLink {
        user_id: 2,
        student_id: 5,
    }];
    let p = plan(&users, &links, &active, &deleted);
    assert_eq!(
        actions(&p),
        [
            (StudentAction::Conflict, Some(2), Some(5)),
            (StudentAction::Unchanged, Some(1), Some(6)),
        ]
    );
    // Nobody matches student 5 otherwise: it is still held, not deleted.
    assert_eq!(p.counts.delete, 0);
}

#[test]
fn nobody_matching_such_a_student_leaves_the_usual_rules() {
    // No Moodle user can be it: an active student nobody claims is deleted as always.
    let p = plan(
        &[moodle(1, "x@uni.example")],
        &[],
        &[kc(5, "a@uni.example")],
        &[kc(5, "b@uni.example")],
    );
    assert_eq!(p.counts.add, 1);
    assert_eq!(p.counts.delete, 1);
    assert_eq!(p.counts.conflict, 0);
}

#[test]
fn the_same_student_listed_twice_with_one_email_is_simply_active() {
    let p = plan(
        &[moodle(1, "a@uni.example")],
        &[],
        &[kc(5, "a@uni.example")],
        &[kc(5, "A@uni.example")],
    );
    assert_eq!(actions(&p), [(StudentAction::Unchanged, Some(1), Some(5))]);
    assert!(p.entries().next().unwrap().link);
}

#[test]
fn duplicate_ids_and_emails_in_a_roster_plan_without_panic() {
    let active = [
        kc(5, "a@uni.example"),
        kc(5, "b@uni.example"),
        kc(6, "a@uni.example"),
        kc(7, "b@uni.example"),
    ];
    let deleted = [
        kc(8, "c@uni.example"),
        kc(8, "d@uni.example"),
        kc(5, "c@uni.example"),
        kc(7, "d@uni.example"),
    ];
    let users = [
        moodle(1, "a@uni.example"),
        moodle(2, "b@uni.example"),
        moodle(3, "c@uni.example"),
        moodle(4, "d@uni.example"),
        moodle(4, "e@uni.example"),
    ];
    let links = [
        StudentLink {
            user_id: 3,
            student_id: 5,
        },
        StudentLink {
            user_id: 4,
            student_id: 8,
        },
    ];
    let p = plan(&users, &links, &active, &deleted);
    // Every Moodle user has one line; no kuraCloud student is deleted twice.
    for user in 1..=4 {
        assert_eq!(
            p.entries().filter(|e| e.user_id == Some(user)).count(),
            1,
            "user {user}: {:?}",
            actions(&p)
        );
    }
    let mut deleted_ids: Vec<i64> = p
        .entries()
        .filter(|e| e.action == StudentAction::Delete)
        .filter_map(|e| e.student_id)
        .collect();
    let n = deleted_ids.len();
    deleted_ids.dedup();
    assert_eq!(deleted_ids.len(), n, "{:?}", actions(&p));

    // One student listed twice, nobody to match it: one delete.
    let p = plan(
        &[],
        &[],
        &[kc(5, "a@uni.example"), kc(5, "a@uni.example")],
        &[],
    );
    assert_eq!(actions(&p), [(StudentAction::Delete, None, Some(5))]);
}

/// One id listed 40,000 times, and 40,000 links to it: every lookup of the id is one
/// probe (its first listing heads its chain), so this plans in linear time; walking the
/// chain on each lookup took 1.6 billion steps.
#[test]
fn an_id_listed_many_times_is_looked_up_in_constant_time() {
    let n = 40_000;
    let active: Vec<Student> = (0..n)
        .map(|i| kc(5, &format!("s{i}@uni.example")))
        .collect();
    // Two users per email: conflicts, whose links hold their students.
    let users: Vec<MoodleStudent> = (0..n)
        .map(|u| moodle(u, &format!("x{}@uni.example", u / 2)))
        .collect();
    let links: Vec<StudentLink> = (0..n)
        .map(|u| StudentLink {
            user_id: u,
            student_id: 5,
        })
        .collect();
    let start = std::time::Instant::now();
    let p = plan(&users, &links, &active, &[]);
    assert!(
        start.elapsed().as_secs() < 20,
        "{:?} for {n} students",
        start.elapsed()
    );
    assert_eq!(p.counts.conflict, n as usize);
    // The first listing is the student; it is held by the conflicts, never deleted.
    assert_eq!(p.counts.delete, 0);
}
