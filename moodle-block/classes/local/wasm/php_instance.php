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


namespace block_kuracloud\local\wasm;

/**
 * One instance of the generated-PHP module: the same API as the extension's
 * \KuracloudWasm\Instance (start, resume, resumeHttp, info, memoryBytes), so the effect
 * loop drives either. Every failure throws \KuracloudWasm\Exception with the
 * extension's wording; after a trap or a limit overrun the instance refuses further
 * calls. Plain PHP, no Moodle dependency.
 *
 * @package    block_kuracloud
 * @copyright  2026 block_kuracloud contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class php_instance {
    /** @var string|null Why the instance is unusable, after a failure. */
    private ?string $poisoned = null;

    /**
     * Constructor (see php_module::instantiate()).
     *
     * @param object $wasm The generated class's instance.
     * @param int $memorymb Its memory limit, MiB.
     * @param int $timelimitms Its time limit per call, ms.
     */
    public function __construct(
        private readonly object $wasm,
        private readonly int $memorymb,
        private readonly int $timelimitms,
    ) {
    }

    /**
     * kc_info: module version, ABI version, workflows (JSON).
     *
     * @return string
     */
    public function info(): string {
        return $this->call(null);
    }

    /**
     * kc_start with {"workflow": ..., "input": ...}; returns the first step (JSON).
     *
     * @param string $request The request.
     * @return string
     */
    public function start(string $request): string {
        return $this->call('kc_start', $request);
    }

    /**
     * kc_resume with an effect result (JSON); returns the next step.
     *
     * @param string $result The result.
     * @return string
     */
    public function resume(string $result): string {
        return $this->call('kc_resume', $result);
    }

    /**
     * kc_resume for an HTTP answer, the body passed raw after a header line.
     *
     * @param int $status HTTP status, 100 to 599.
     * @param string $body The body, any bytes.
     * @return string
     */
    public function resumeHttp(int $status, string $body): string {
        if ($status < 100 || $status > 599) {
            throw new \KuracloudWasm\Exception('an HTTP status must be between 100 and 599');
        }
        return $this->call('kc_resume', '{"status":' . $status . ',"body_follows":true}' . "\n" . $body);
    }

    /**
     * Linear memory so far, bytes (memories only grow).
     *
     * @return int
     */
    public function memoryBytes(): int {
        return $this->wasm->memoryBytes();
    }

    /**
     * One call into the module: input written into a buffer it allocates, output read
     * from the buffer it returns and freed.
     *
     * @param string|null $export kc_start or kc_resume; null for kc_info.
     * @param string $input The input.
     * @return string The output.
     */
    private function call(?string $export, string $input = ''): string {
        if ($this->poisoned !== null) {
            throw new \KuracloudWasm\Exception('this module instance is unusable after an earlier failure: ' . $this->poisoned);
        }
        $wasm = $this->wasm;
        try {
            if ($export === null) {
                $packed = $wasm->kc_info();
            } else {
                $len = \strlen($input);
                if ($len > 0xFFFFFFFF) {
                    throw new \KuracloudWasm\Exception("input of {$len} bytes is too large for the module");
                }
                $ptr = $wasm->kc_alloc($len);
                $wasm->write($ptr, $input);
                $packed = $export === 'kc_start' ? $wasm->kc_start($ptr, $len) : $wasm->kc_resume($ptr, $len);
            }
            $ptr = $packed >> 32 & 0xFFFFFFFF;
            $len = $packed & 0xFFFFFFFF;
            $out = $wasm->read($ptr, $len);
            $wasm->kc_free($ptr, $len);
        } catch (\KuracloudWasm\Exception $e) {
            $this->poisoned = $this->explain($e);
            throw new \KuracloudWasm\Exception($this->poisoned, 0, $e);
        }
        if (!\preg_match('//u', $out)) {
            $this->poisoned = 'the kuraCloud module failed: the module returned output that is not UTF-8';
            throw new \KuracloudWasm\Exception($this->poisoned);
        }
        return $out;
    }

    /**
     * A trap or limit overrun, said as the extension says it.
     *
     * @param \KuracloudWasm\Exception $e What the generated code threw.
     * @return string
     */
    private function explain(\KuracloudWasm\Exception $e): string {
        switch ($e->getCode()) {
            case 9:
                return "the kuraCloud module exceeded its time limit of {$this->timelimitms} ms per call and was stopped";
            case 10:
                return "the kuraCloud module exceeded its memory limit of {$this->memorymb} MiB and was stopped";
            case 13:
                return 'the kuraCloud module needs more memory than PHP\'s memory_limit (' . \ini_get('memory_limit')
                    . ') allows and was stopped: raise memory_limit, or install the kuracloud extension';
            case 1:
                return 'the kuraCloud module stopped on an internal error (a panic); this is a bug, please report it';
            default:
                $message = $e->getMessage();
                if (\str_starts_with($message, 'wasm trap: ')) {
                    return 'the kuraCloud module trapped: ' . \substr($message, \strlen('wasm trap: '));
                }
                return 'the kuraCloud module failed: ' . $message;
        }
    }
}
