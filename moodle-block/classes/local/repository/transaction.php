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


namespace block_kuracloud\local\repository;

/**
 * Work that is all or nothing in the database.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class transaction {
    /**
     * Runs $work in one delegated transaction: committed when it returns, rolled back
     * (never left open for whoever catches the failure) when it throws, and the failure
     * rethrown.
     *
     * @param callable $work The work; its result is returned.
     * @param callable|null $afterrollback Cleans up what the rollback cannot (caches).
     * @return mixed
     */
    public static function run(callable $work, ?callable $afterrollback = null) {
        global $DB;
        $transaction = $DB->start_delegated_transaction();
        try {
            $result = $work();
            $transaction->allow_commit();
            return $result;
        } catch (\Throwable $e) {
            try {
                // rollback() rethrows $e once the transaction is undone.
                $transaction->rollback($e);
            } finally {
                if ($afterrollback) {
                    $afterrollback();
                }
            }
        }
    }
}
