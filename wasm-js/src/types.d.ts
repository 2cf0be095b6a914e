// ---- kuraCloud workflow types (hand-written from kuracloud-core's serde types; the
// ---- JavaScript tests type-check every golden input and outcome against them).

/** Every workflow the module offers. */
export type WorkflowName =
  | 'connection.verify'
  | 'courses.list'
  | 'mapping.create'
  | 'mapping.remove'
  | 'mappings.check'
  | 'students.preview'
  | 'students.apply'
  | 'grades.sync';

/** How a workflow reaches one kuraCloud instance. */
export interface Connection {
  /** Base URL; empty or absent means https://api.kuracloud.com. */
  api_url?: string;
  token: string;
  /** Per-request timeout; 30 s when absent. */
  timeout_ms?: number;
}

/** A connection as Moodle stores it, for the workflows that handle several. */
export interface NamedConnection extends Connection {
  connection_id: number;
  instance_id?: string;
}

export interface MappingRef {
  mapping_id?: number;
  connection_id: number;
  course_id: number;
  moodle_course_id?: number;
}

/** An eligible Moodle user: active enrolment, student role. */
export interface MoodleStudent {
  user_id: number;
  email: string;
  first_name?: string;
  last_name?: string;
  idnumber?: string;
  /** Names of the user's groups in the course. */
  groups?: string[];
}

/** A stored link: this Moodle user is that kuraCloud student in the mapped course. */
export interface StudentLink {
  user_id: number;
  student_id: number;
}

export interface VerifyInput {
  connection: Connection;
  /** Fail with `lms_not_enabled` when the instance has LMS integration off (default true). */
  require_lms_enabled?: boolean;
}

export interface ListInput {
  connections: NamedConnection[];
  mappings?: MappingRef[];
}

export interface MappingInput {
  connection: Connection;
  course_id: number;
  moodle_course_name?: string | null;
}

export interface CheckInput {
  connections: NamedConnection[];
  mappings: MappingRef[];
}

/** The Moodle side of a student sync (`students.preview`, `students.apply`). */
export interface StudentSyncInput {
  connection: Connection;
  course_id: number;
  students: MoodleStudent[];
  links?: StudentLink[];
  /** `students.apply`: the fingerprint of the plan the teacher reviewed. */
  fingerprint?: string | null;
  /** `students.apply`: the teacher confirmed a plan that trips the mass-removal guard. */
  allow_mass_removal?: boolean;
  /** Students per write request (default 200, at most 1000). */
  batch_size?: number | null;
}

/** A user's grade in an item as Moodle has it now. */
export interface MoodleGrade {
  user_id: number;
  current?: number | null;
  locked?: boolean;
  /** The value this plugin last wrote (null: never). */
  last_written?: number | null;
}

/** An existing kuraCloud grade item in the Moodle course. */
export interface MoodleGradeItem {
  lesson_id: number;
  revision_id: number;
  item_id: number;
  name?: string;
  grademax: number;
  locked?: boolean;
  grades?: MoodleGrade[];
}

export interface PollSettings {
  initial_ms?: number;
  max_interval_ms?: number;
  budget_ms?: number;
  download_timeout_ms?: number;
}

export interface GradeSyncInput {
  connection: Connection;
  course_id: number;
  students: MoodleStudent[];
  links?: StudentLink[];
  items?: MoodleGradeItem[];
  poll?: PollSettings;
}

/** The module's stable error codes. */
export type ErrorCode =
  | 'bad_token'
  | 'lms_not_enabled'
  | 'course_not_found'
  | 'bad_request'
  | 'rate_limited'
  | 'server_error'
  | 'malformed_response'
  | 'timeout'
  | 'unreachable'
  | 'invalid_input'
  | 'export_failed'
  | 'export_timeout'
  | 'protocol'
  | 'unexpected_status';

/** Every text code (core/src/text.rs; docs/abi.md lists each with its parameters). */
export type TextCode =
  | 'bad_token'
  | 'lms_not_enabled'
  | 'lms_not_enabled_instance'
  | 'lms_not_enabled_course'
  | 'course_not_found'
  | 'course_deleted_restore_first'
  | 'export_not_found'
  | 'api_not_found'
  | 'bad_request'
  | 'rate_limited'
  | 'server_error'
  | 'unexpected_status'
  | 'timeout'
  | 'unreachable'
  | 'malformed_response'
  | 'invalid_input'
  | 'export_failed'
  | 'export_timeout'
  | 'export_without_token'
  | 'instance_without_id'
  | 'export_unreadable'
  | 'protocol'
  | 'skip_no_email'
  | 'skip_invalid_email'
  | 'conflict_shared_email'
  | 'conflict_active_and_deleted'
  | 'linked'
  | 'linked_deleted'
  | 'email_changed_matched'
  | 'matched_email'
  | 'matched_email_deleted'
  | 'reinvite_email_changed'
  | 'add_not_in_course'
  | 'delete_email_taken'
  | 'delete_not_enrolled'
  | 'details_changed'
  | 'restore_only'
  | 'restore_then_edit'
  | 'review_mass_removal'
  | 'review_conflicts'
  | 'invited'
  | 'invited_unlinked'
  | 'reinvited'
  | 'restored'
  | 'details_updated'
  | 'deleted'
  | 'partly_done'
  | 'not_sent'
  | 'mapping_ok'
  | 'course_deleted'
  | 'connection_gone'
  | 'students_not_synced'
  | 'grades_summary'
  | 'revision_no_max'
  | 'revision_max_out_of_range';

/**
 * A reason, status or error as a stable code and its parameters (names, emails,
 * counts, HTTP status, kuraCloud's own message as `said`); the codes are listed in
 * docs/abi.md. Render it in the page's language (`renderText` gives English).
 */
export interface Text {
  code: TextCode;
  params: Record<string, string | number>;
}

/** An error as data, inside an outcome (a failing connection, a partial apply). */
export interface WorkflowError {
  code: ErrorCode;
  text: Text;
  /** The same in English. */
  message: string;
  status?: number;
}

/**
 * What a failed workflow throws: a JavaScript `Error` named `KuracloudError`: `code` for
 * programs, `text` for people in any language (`renderText` gives English), `message`
 * the same in English, `status` kuraCloud's HTTP status if any.
 */
export interface KuracloudError extends Error {
  name: 'KuracloudError';
  code: ErrorCode;
  text: Text;
  status?: number;
}

export interface VerifyOutcome {
  instance_id: string;
  name: string;
  lms_enabled: boolean;
  grading_mode: string;
}

export interface ListedCourse {
  course_id: number;
  name: string;
  course_code: string;
  lms_enabled: boolean;
  mapped_to: number | null;
  mappable: boolean;
}

export interface ConnectionCourses {
  connection_id: number;
  ok: boolean;
  courses: ListedCourse[];
  error?: WorkflowError;
}

export interface ListOutcome {
  connections: ConnectionCourses[];
}

export interface MappingOutcome {
  course_id: number;
  name: string;
  course_code: string;
  lms_enabled: boolean;
}

export type MappingStatus = 'ok' | 'lms_not_enabled' | 'course_deleted' | 'connection_failing';

export interface MappingHealth {
  mapping_id: number;
  connection_id: number;
  course_id: number;
  status: MappingStatus;
  text: Text;
  course_name?: string;
}

export interface CheckOutcome {
  mappings: MappingHealth[];
}

export type StudentAction =
  | 'conflict'
  | 'skip'
  | 'delete'
  | 'reinvite'
  | 'add'
  | 'restore'
  | 'update'
  | 'unchanged';

/** The details kuraCloud holds for a student. */
export interface StudentFields {
  email: string;
  given_name: string;
  family_name: string;
  external_student_id: string;
  section: string;
}

/** One line of a student sync plan. */
export interface PlanEntry {
  action: StudentAction;
  /** The Moodle user (null for deletes of unmatched kuraCloud students). */
  user_id: number | null;
  /** The existing kuraCloud student acted on (null for adds). */
  student_id: number | null;
  /** Reinvite: the old kuraCloud account that will be deleted. */
  replaces_student_id?: number;
  name: string;
  email: string;
  /** Why; an update or a restore also lists the fields it edits in `changes`. */
  reason: Text;
  before?: StudentFields;
  after?: StudentFields;
  /** Restore and update: the fields that will be edited. */
  changes?: string[];
  /** A link row (user to student) is stored when this entry succeeds. */
  link: boolean;
}

export interface PlanCounts {
  add: number;
  reinvite: number;
  update: number;
  restore: number;
  delete: number;
  unchanged: number;
  conflict: number;
  skip: number;
}

export interface StudentSyncPlan {
  entries: PlanEntry[];
  counts: PlanCounts;
  /** Active kuraCloud students before the sync. */
  roster: number;
  /** More than half of a roster of five or more would be deleted. */
  mass_removal: boolean;
  /** Why the plan may not be applied without a teacher's review; an automatic sync applies only a plan with null here. */
  needs_review: Text | null;
  /** Links to forget: they point at kuraCloud students that no longer exist. */
  stale_links: StudentLink[];
  /** XXH3-128 of the plan and the roster it was computed on (32 hex digits). */
  fingerprint: string;
}

export interface PreviewOutcome {
  plan: StudentSyncPlan;
  requests: number;
}

export type ApplyStatus = 'applied' | 'partial' | 'stale' | 'needs_mass_removal_confirmation';

export type EntryResult = 'done' | 'failed' | 'not_attempted' | 'no_change';

export interface EntryReport {
  action: StudentAction;
  user_id: number | null;
  student_id: number | null;
  name: string;
  email: string;
  result: EntryResult;
  text: Text;
}

export interface ApplyOutcome {
  status: ApplyStatus;
  /** The plan that was applied, or the fresh plan when stale or unconfirmed. */
  plan: StudentSyncPlan;
  results: EntryReport[];
  /** Link rows to upsert (by user id), only for calls that succeeded. */
  links_store: StudentLink[];
  /** Link rows to delete: they point at kuraCloud students that no longer exist. */
  links_remove: StudentLink[];
  error?: WorkflowError;
  requests: number;
}

export type ItemAction = 'create' | 'update' | 'unchanged';

export type SkipReason = 'teacher_edited' | 'locked' | 'not_enrolled';

export interface GradeCounts {
  write: number;
  unchanged: number;
  teacher_edited: number;
  locked: number;
  not_enrolled: number;
  unknown_student: number;
  no_grade: number;
}

export interface GradeWrite {
  user_id: number;
  grade: number;
}

export interface SkippedGrade {
  user_id: number;
  reason: SkipReason;
  kuracloud_grade: number;
  moodle_grade: number | null;
}

export interface ItemOutcome {
  lesson_id: number;
  revision_id: number;
  /** The Moodle grade item, when it exists already. */
  item_id: number | null;
  name: string;
  grademax: number;
  action: ItemAction;
  counts: GradeCounts;
  writes: GradeWrite[];
  /** Equal grades never written by the plugin: record them without writing. */
  record: GradeWrite[];
  skipped: SkippedGrade[];
}

export interface MissingItem {
  lesson_id: number;
  revision_id: number;
  item_id: number;
  name: string;
}

export interface IgnoredRevision {
  lesson_id: number;
  revision_id: number;
  name: string;
  reason: Text;
}

export interface UnknownStudents {
  count: number;
  student_ids: number[];
}

/** `status: 'synced'` carries the grade mapping; `students_not_synced` does not. */
export type GradeSyncOutcome =
  | {
      status: 'synced';
      text: Text;
      student_counts: PlanCounts;
      items: ItemOutcome[];
      /** Moodle items no longer in the export: reported, never deleted. */
      missing_items: MissingItem[];
      ignored_revisions: IgnoredRevision[];
      unknown_students: UnknownStudents;
      totals: GradeCounts;
      requests: number;
    }
  | {
      status: 'students_not_synced';
      text: Text;
      student_counts: PlanCounts;
      requests: number;
    };

/** The input each workflow takes. */
export interface WorkflowInputs {
  'connection.verify': VerifyInput;
  'courses.list': ListInput;
  'mapping.create': MappingInput;
  'mapping.remove': MappingInput;
  'mappings.check': CheckInput;
  'students.preview': StudentSyncInput;
  'students.apply': StudentSyncInput;
  'grades.sync': GradeSyncInput;
}

/** The outcome each workflow gives. */
export interface WorkflowOutcomes {
  'connection.verify': VerifyOutcome;
  'courses.list': ListOutcome;
  'mapping.create': MappingOutcome;
  'mapping.remove': MappingOutcome;
  'mappings.check': CheckOutcome;
  'students.preview': PreviewOutcome;
  'students.apply': ApplyOutcome;
  'grades.sync': GradeSyncOutcome;
}

/** One HTTP request for the host to send as it is. */
export interface HttpRequest {
  method: string;
  url: string;
  /** Header name/value pairs, in order. */
  headers: [string, string][];
  body?: string;
  timeout_ms: number;
}

/** What a workflow asks its host to do. */
export type Effect =
  | { http: HttpRequest }
  /** Wait, then resume with `{}`. */
  | { sleep: { ms: number } }
  /** Move a progress bar (`done <= total`), then resume with `{}`. */
  | { progress: { stage: string; done: number; total: number } };

/** Why the host got no HTTP response at all. */
export interface TransportError {
  kind: 'timeout' | 'connect' | 'other';
  message?: string;
}

/** The host's answer to an effect: `{status, body}` or `{transport_error}` for `http`, `{}` otherwise. */
export interface EffectResult {
  status?: number;
  body?: string;
  transport_error?: TransportError;
}

/** A step: an effect to perform, or the workflow's outcome. Failures are thrown. */
export type Step<O = unknown> = { effect: Effect } | { done: O };

export interface ModuleInfo {
  module: 'kuracloud';
  version: string;
  abi: number;
  workflows: WorkflowName[];
}

/** `{module, version, abi, workflows}`, as the C ABI's `kc_info`. */
export function info(): ModuleInfo;

/** A text in English, as host-runner prints it (then what kuraCloud said, and details). */
export function renderText(text: Text): string;

/** A plan entry's reason in English, with what an update or a restore changes. */
export function renderReason(entry: Pick<PlanEntry, 'action' | 'reason' | 'changes'>): string;

/**
 * One workflow at a time (`start` replaces a running one); several `Workflow`s run side
 * by side. Call `free()` when done with it, or let the garbage collector do it.
 */
export class Workflow {
  constructor();
  /** Starts `workflow` with `input`; the first step. Throws a `KuracloudError` when it fails. */
  start<W extends WorkflowName>(workflow: W, input: WorkflowInputs[W]): Step<WorkflowOutcomes[W]>;
  /** Feeds the result of the effect asked for last; the next step. Throws a `KuracloudError` when the workflow fails. */
  resume(result: EffectResult): Step;
  /** Feeds an HTTP answer with a raw body (read as UTF-8); the next step. */
  resumeHttp(status: number, body: Uint8Array): Step;
  /** Whether a workflow waits for an effect's result. */
  readonly running: boolean;
  free(): void;
  [Symbol.dispose](): void;
}
