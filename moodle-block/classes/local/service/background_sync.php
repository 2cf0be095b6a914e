<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.
namespace block_kuracloud\local\service;

use block_kuracloud\task\grade_sync_task;
use block_kuracloud\task\student_apply_task;

/**
 * Big syncs (a grade sync, or the apply of a reviewed student plan) run in the background: the page queues an ad hoc task and returns at
 * once; Moodle 4.5's stored progress shows its progress live on the page and in the block
 * (surviving a reload), a notification brings the result, the history keeps it. One sync
 * per mapping: a queued or running one is shown, never queued twice.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class background_sync {
    /** Default: syncs expected to touch more grades than this run in the background (a class of 30 x 10 stays in the page). */
    const DEFAULT_THRESHOLD = 1000;

    /**
     * Whether this Moodle has stored progress bars (4.5+); without them syncs stay in the page.
     *
     * @return bool
     */
    public static function supported(): bool {
        return class_exists('\\core\\output\\stored_progress_bar') && trait_exists('\\core\\task\\stored_progress_task_trait');
    }

    /** Grade items assumed before the first sync, whose items are not known yet (a typical course). */
    const ASSUMED_ITEMS = 10;

    /**
     * Grades a sync of the mapping is expected to touch: students times grade items (at
     * least ASSUMED_ITEMS: before the first sync the items are not known yet).
     *
     * @param \stdClass $mapping Mapping row.
     * @return int
     */
    public static function expected_grades(\stdClass $mapping): int {
        $students = count(snapshot::students((int)$mapping->courseid));
        return $students * max(self::ASSUMED_ITEMS, count(grade_sync::items((int)$mapping->courseid)));
    }

    /**
     * Whether a grade sync of the mapping goes to the background.
     *
     * @param \stdClass $mapping Mapping row.
     * @return bool
     */
    public static function should_queue(\stdClass $mapping): bool {
        $threshold = (int)(get_config('block_kuracloud', 'backgroundthreshold') ?: self::DEFAULT_THRESHOLD);
        return self::supported() && self::expected_grades($mapping) > $threshold;
    }

    /**
     * Whether applying a reviewed plan goes to the background: it writes (invites, edits,
     * restores, deletes) more students than the threshold.
     *
     * @param array $plan The reviewed plan.
     * @return bool
     */
    public static function should_queue_apply(array $plan): bool {
        $threshold = (int)(get_config('block_kuracloud', 'backgroundthreshold') ?: self::DEFAULT_THRESHOLD);
        $c = $plan['counts'];
        return self::supported() && $c['add'] + $c['reinvite'] + $c['update'] + $c['restore'] + $c['delete'] > $threshold;
    }

    /**
     * The stored progress bar's idnumber of a mapping's background sync (one at a time).
     *
     * @param int $mappingid Mapping id.
     * @return string
     */
    public static function idnumber(int $mappingid): string {
        return 'block_kuracloud_sync_' . $mappingid;
    }

    /**
     * The queued or running background sync of a mapping, if any (grades or students).
     *
     * @param int $mappingid Mapping id.
     * @return \core\task\adhoc_task|null
     */
    public static function pending(int $mappingid): ?\core\task\adhoc_task {
        foreach ([grade_sync_task::class, student_apply_task::class] as $class) {
            foreach (\core\task\manager::get_adhoc_tasks($class) as $task) {
                if ((int)($task->get_custom_data()->mappingid ?? 0) === $mappingid) {
                    return $task;
                }
            }
        }
        return null;
    }

    /**
     * Queues a background grade sync, unless one is queued or running already.
     *
     * @param \stdClass $mapping Mapping row.
     * @param int $userid The teacher who asked (notified with the result).
     * @return bool True when queued now, false when one was already pending.
     */
    public static function queue(\stdClass $mapping, int $userid): bool {
        return self::queue_task(new grade_sync_task(), $mapping, $userid, []);
    }

    /**
     * Queues the apply of a reviewed plan, unless a sync of the mapping is pending. The
     * task applies exactly the plan with this fingerprint, or nothing (stale).
     *
     * @param \stdClass $mapping Mapping row.
     * @param int $userid The teacher who confirmed it.
     * @param string $fingerprint The reviewed plan's fingerprint.
     * @param bool $allowmassremoval The teacher confirmed a mass removal.
     * @return bool True when queued now.
     */
    public static function queue_apply(\stdClass $mapping, int $userid, string $fingerprint, bool $allowmassremoval): bool {
        return self::queue_task(new student_apply_task(), $mapping, $userid,
            ['fingerprint' => $fingerprint, 'allowmassremoval' => $allowmassremoval]);
    }

    /**
     * Queues a background sync task with a fresh stored progress bar.
     *
     * @param \core\task\adhoc_task $task The task.
     * @param \stdClass $mapping Mapping row.
     * @param int $userid The teacher.
     * @param array $data More custom data.
     * @return bool True when queued now, false when a sync of the mapping was pending.
     */
    private static function queue_task(\core\task\adhoc_task $task, \stdClass $mapping, int $userid, array $data): bool {
        if (self::pending((int)$mapping->id)) {
            return false;
        }
        // The bar exists from now on, so the page and the block can show "queued" at once.
        $bar = new \core\output\stored_progress_bar(self::idnumber((int)$mapping->id));
        $bar->auto_update(false); // Stored only: this request renders no bar.
        $bar->start();
        $bar->update_full(0, get_string('backgroundqueued', 'block_kuracloud'));
        $task->set_custom_data(['mappingid' => (int)$mapping->id] + $data);
        $task->set_userid($userid);
        \core\task\manager::queue_adhoc_task($task, true);
        return true;
    }

    /**
     * The stored progress bar of a mapping's background grade sync while one is pending.
     *
     * @param int $mappingid Mapping id.
     * @return \core\output\stored_progress_bar|null
     */
    public static function progress(int $mappingid): ?\core\output\stored_progress_bar {
        if (!self::supported() || !self::pending($mappingid)) {
            return null;
        }
        return \core\output\stored_progress_bar::get_by_idnumber(self::idnumber($mappingid));
    }
}
