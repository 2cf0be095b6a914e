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
 * Work that is all or nothing in the database, as a whole or batch by batch.
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

    /**
     * Runs $each over $units in transactions of $size units: each batch is committed before
     * the next begins, so a failure undoes only its own batch (and is rethrown), and what
     * was committed is seen by other sessions at once (a background task's stored progress
     * is a row written on this same connection).
     *
     * @param iterable $units The work, one unit at a time (a generator keeps it small).
     * @param int $size What a transaction holds (at least 1), in units or by $weight.
     * @param callable $each Does one unit, inside its batch's transaction.
     * @param callable $endofbatch Runs last inside each batch's transaction (bulk rows).
     * @param callable $committed Told each batch's units once they are committed.
     * @param callable|null $afterrollback Cleans up what a rollback cannot (caches).
     * @param callable|null $weight A unit's share of $size (default 1; 0 rides along).
     */
    public static function batches(iterable $units, int $size, callable $each, callable $endofbatch, callable $committed,
            ?callable $afterrollback = null, ?callable $weight = null): void {
        $size = max(1, $size);
        $batch = [];
        $load = 0;
        $run = function () use (&$batch, &$load, $each, $endofbatch, $committed, $afterrollback): void {
            self::run(function () use ($batch, $each, $endofbatch): void {
                foreach ($batch as $unit) {
                    $each($unit);
                }
                $endofbatch();
            }, $afterrollback);
            $committed($batch);
            $batch = [];
            $load = 0;
        };
        foreach ($units as $unit) {
            $batch[] = $unit;
            $load += $weight ? $weight($unit) : 1;
            if ($load >= $size) {
                $run();
            }
        }
        if ($batch) {
            $run();
        }
    }
}
