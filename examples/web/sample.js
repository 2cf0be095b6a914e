// The sample the page's "Load the sample" button fills in: the Moodle side of
// tests/golden/students-preview.json and what host-runner's sample simulator answers for
// kuraCloud course 101 (js/test/browser.test.js checks both, and that the page's
// fingerprint is the one host-runner computes).
window.kuracloudSample = {
  snapshot: {
    "course_id": 101,
    "students": [
      {"user_id": 11, "email": "ana.lima@example.edu", "first_name": "Ana", "last_name": "Lima", "idnumber": "S001", "groups": ["Lab A"]},
      {"user_id": 12, "email": "Ben.Okafor@example.edu", "first_name": "Benjamin", "last_name": "Okafor", "idnumber": "S002", "groups": []},
      {"user_id": 13, "email": "chen.wei@example.edu", "first_name": "Chen", "last_name": "Wei", "idnumber": "S003", "groups": ["Lab B"]},
      {"user_id": 14, "email": "dana.smith@example.edu", "first_name": "Dana", "last_name": "Smith", "idnumber": "S004", "groups": ["Lab C", "Lab A"]},
      {"user_id": 15, "email": "josé.núñez@example.edu", "first_name": "José", "last_name": "Núñez", "idnumber": "", "groups": []}
    ],
    "links": [{"user_id": 11, "student_id": 1001}]
  },
  students: [
    {"createdDate": 1700000001001, "email": "ana.lima@example.edu", "externalStudentId": "S001", "familyName": "Lima", "givenName": "Ana", "inviteComplete": true, "section": "Lab A", "studentId": 1001},
    {"createdDate": 1700000001002, "email": "ben.okafor@example.edu", "externalStudentId": "S002", "familyName": "Okafor", "givenName": "Ben", "inviteComplete": true, "section": "", "studentId": 1002},
    {"createdDate": 1700000001003, "email": "old.student@example.edu", "externalStudentId": "S999", "familyName": "Student", "givenName": "Old", "inviteComplete": true, "section": "", "studentId": 1003}
  ],
  deleted: [
    {"createdDate": 1700000001004, "email": "chen.wei@example.edu", "externalStudentId": "S003", "familyName": "Wei", "givenName": "Chen", "inviteComplete": true, "section": "Lab B", "studentId": 1004}
  ],
};
