// ---- runtime (wasm2php/src/runtime.php) ----
// Linear memory is $M: a packed array of 64-bit little-endian words (byte address a is
// bits (a & 7) * 8 of word a >> 3). i32 values are ints in [0, 2^32); i64 values are
// PHP ints holding the same 64 bits; f32 values are floats rounded to f32.

private array $M;
private int $F = 0;
private int $deadline = 0;
private int $limitNs;
private ?string $dead = null;
private static ?array $init = null;

/**
 * @param int $memoryLimit Largest linear memory, bytes: memory.grow beyond it traps.
 * @param int $timeLimitMs Longest a call from outside may run, ms.
 */
public function __construct(private int $memoryLimit = 536870912, int $timeLimitMs = 30000)
{
    $this->limitNs = $timeLimitMs * 1000000;
    if ((self::PAGES << 16) > $memoryLimit) {
        throw new \KuracloudWasm\Exception('the module needs ' . (self::PAGES << 16) . ' bytes of memory, more than its limit of ' . $memoryLimit, 10);
    }
    $this->M = self::$init ??= self::_initMem();
    $this->_globals();
    $this->_start();
}

/** Linear memory size, bytes. */
public function memoryBytes(): int
{
    return \count($this->M) << 3;
}

/** Reads $len bytes of linear memory at $ptr. */
public function read(int $ptr, int $len): string
{
    if ($len <= 0) {
        return '';
    }
    $end = $ptr + $len;
    if ($ptr < 0 || $end > (\count($this->M) << 3)) {
        throw new \KuracloudWasm\Exception('wasm trap: out of bounds memory access', 2);
    }
    $w1 = ($end + 7) >> 3;
    $out = '';
    for ($w = $ptr >> 3; $w < $w1; $w += 4096) {
        $out .= \pack('P*', ...\array_slice($this->M, $w, \min(4096, $w1 - $w)));
    }
    return \substr($out, $ptr & 7, $len);
}

/** Writes $bytes into linear memory at $ptr. */
public function write(int $ptr, string $bytes): void
{
    self::_write($this->M, $ptr, $bytes);
}

private static function _write(array &$M, int $ptr, string $bytes): void
{
    $len = \strlen($bytes);
    if ($len === 0) {
        return;
    }
    $end = $ptr + $len;
    if ($ptr < 0 || $end > (\count($M) << 3)) {
        throw new \KuracloudWasm\Exception('wasm trap: out of bounds memory access', 2);
    }
    $w = $ptr >> 3;
    $head = $ptr & 7;
    $tail = $end & 7;
    if ($head !== 0) {
        $bytes = \substr(\pack('P', $M[$w]), 0, $head) . $bytes;
    }
    if ($tail !== 0) {
        $bytes .= \substr(\pack('P', $M[($end - 1) >> 3]), $tail);
    }
    $n = \strlen($bytes);
    for ($o = 0; $o < $n; $o += 32768) {
        foreach (\unpack('P*', \substr($bytes, $o, 32768)) as $v) {
            $M[$w++] = $v;
        }
    }
}

private static function _initMem(): array
{
    $M = \array_fill(0, self::PAGES << 13, 0);
    $w = self::DATA_WORD;
    foreach (\unpack('P*', self::DATA) as $v) {
        $M[$w++] = $v;
    }
    return $M;
}

private function _enter(): void
{
    if ($this->dead !== null) {
        throw new \KuracloudWasm\Exception('this instance is unusable after an earlier failure: ' . $this->dead, 12);
    }
    $this->deadline = \hrtime(true) + $this->limitNs;
    $this->F = 10000;
}

private function _fail(\Throwable $e): \KuracloudWasm\Exception
{
    if (!$e instanceof \KuracloudWasm\Exception) {
        if ($e instanceof \DivisionByZeroError) {
            $e = new \KuracloudWasm\Exception('wasm trap: integer divide by zero', 3);
        } elseif ($e instanceof \ArithmeticError) {
            $e = new \KuracloudWasm\Exception('wasm trap: integer overflow', 4);
        } else {
            $e = new \KuracloudWasm\Exception('the module failed: ' . \get_class($e) . ': ' . $e->getMessage(), 99, $e);
        }
    }
    $this->dead ??= $e->getMessage();
    return $e;
}

/**
 * Every 10,000 loop iterations or calls of recursive functions: the time limit, and
 * the call depth (recursion deeper than a native stack would allow traps, long before
 * PHP runs out of memory).
 */
private function _tick(): void
{
    if (\hrtime(true) > $this->deadline) {
        throw new \KuracloudWasm\Exception('the module exceeded its time limit of ' . \intdiv($this->limitNs, 1000000) . ' ms per call and was stopped', 9);
    }
    if (\count(\debug_backtrace(\DEBUG_BACKTRACE_IGNORE_ARGS, 5001)) > 5000) {
        $this->_deep();
    }
    $this->F = 10000;
}

/** Recursion deeper than the module could run on a native stack. */
private function _deep(): never
{
    throw new \KuracloudWasm\Exception('wasm trap: call stack exhausted', 11);
}

private function _oob(): never
{
    throw new \KuracloudWasm\Exception('wasm trap: out of bounds memory access', 2);
}

private function _unreachable(): never
{
    throw new \KuracloudWasm\Exception('wasm trap: wasm `unreachable` instruction executed', 1);
}

private static function _ovf(): never
{
    throw new \KuracloudWasm\Exception('wasm trap: integer overflow', 4);
}

private static function _badconv(): never
{
    throw new \KuracloudWasm\Exception('wasm trap: invalid conversion to integer', 5);
}

private function _badcall(int $i): never
{
    if ($i >= self::TABLE_SIZE) {
        throw new \KuracloudWasm\Exception('wasm trap: undefined element: out of bounds table access', 8);
    }
    if (!isset(self::TABLE[$i])) {
        throw new \KuracloudWasm\Exception('wasm trap: uninitialized element', 6);
    }
    throw new \KuracloudWasm\Exception('wasm trap: indirect call type mismatch', 7);
}

/** Loads $n (1..8) bytes at byte address $e, any alignment, little-endian, unsigned (n < 8). */
private function _ld(array &$M, int $e, int $n): int
{
    $w = $e >> 3;
    $s = ($e & 7) << 3;
    $lo = $M[$w] ?? $this->_oob();
    if ($s + ($n << 3) <= 64) {
        $v = $lo >> $s;
    } else {
        $v = ($lo >> $s & (\PHP_INT_MAX >> ($s - 1))) | ($M[$w + 1] ?? $this->_oob()) << (64 - $s);
    }
    return $n === 8 ? $v : $v & ((1 << ($n << 3)) - 1);
}

/** Stores the low $n (1..8) bytes of $v at byte address $e, any alignment. */
private function _st(array &$M, int $e, int $n, int $v): void
{
    $w = $e >> 3;
    $s = ($e & 7) << 3;
    $bits = $n << 3;
    $mask = $n === 8 ? -1 : (1 << $bits) - 1;
    $lo = $M[$w] ?? $this->_oob();
    if ($s + $bits <= 64) {
        $M[$w] = ($lo & ~($mask << $s)) | ($v & $mask) << $s;
        return;
    }
    $hi = $M[$w + 1] ?? $this->_oob();
    $k = $s + $bits - 64;
    $hm = (1 << $k) - 1;
    $M[$w] = ($lo & ((1 << $s) - 1)) | $v << $s;
    $M[$w + 1] = ($hi & ~$hm) | ($v >> (64 - $s) & $hm);
}

/** memory.copy */
private function _copy(array &$M, int $d, int $s, int $n): void
{
    $size = \count($M) << 3;
    if ($s + $n > $size || $d + $n > $size) {
        $this->_oob();
    }
    if ($n === 0 || $d === $s) {
        return;
    }
    if ($n > 262144) {
        // A long copy is a loop in PHP: the time limit applies to it too.
        $this->_tick();
    }
    if ($n <= 8) {
        $this->_st($M, $d, $n, $this->_ld($M, $s, $n));
        return;
    }
    if ((($d ^ $s) & 7) === 0 && ($d < $s || $d >= $s + $n)) {
        $h = (8 - ($d & 7)) & 7;
        if ($h !== 0) {
            $this->_st($M, $d, $h, $this->_ld($M, $s, $h));
            $d += $h;
            $s += $h;
            $n -= $h;
        }
        $dw = $d >> 3;
        $sw = $s >> 3;
        $k = $n >> 3;
        for ($i = 0; $i < $k; $i++) {
            $M[$dw + $i] = $M[$sw + $i];
        }
        $t = $n & 7;
        if ($t !== 0) {
            $o = $k << 3;
            $this->_st($M, $d + $o, $t, $this->_ld($M, $s + $o, $t));
        }
        return;
    }
    // Any other layout or overlap: through a string (read completely, then written).
    $w1 = ($s + $n + 7) >> 3;
    $str = '';
    for ($w = $s >> 3; $w < $w1; $w += 4096) {
        $str .= \pack('P*', ...\array_slice($M, $w, \min(4096, $w1 - $w)));
    }
    self::_write($M, $d, \substr($str, $s & 7, $n));
}

/** memory.fill */
private function _fill(array &$M, int $d, int $v, int $n): void
{
    if ($d + $n > (\count($M) << 3)) {
        $this->_oob();
    }
    if ($n === 0) {
        return;
    }
    if ($n > 262144) {
        $this->_tick();
    }
    $b = $v & 255;
    $x = $b | $b << 8;
    $x |= $x << 16;
    $x |= $x << 32;
    $h = (8 - ($d & 7)) & 7;
    if ($h !== 0) {
        if ($h > $n) {
            $h = $n;
        }
        $this->_st($M, $d, $h, $x);
        $d += $h;
        $n -= $h;
    }
    $dw = $d >> 3;
    $k = $n >> 3;
    for ($i = 0; $i < $k; $i++) {
        $M[$dw + $i] = $x;
    }
    $t = $n & 7;
    if ($t !== 0) {
        $this->_st($M, $d + ($k << 3), $t, $x);
    }
}

/** memory.grow: the old size in pages, or -1 (as u32) beyond the module's maximum. */
private function _grow(array &$M, int $n): int
{
    $old = \count($M) >> 13;
    if ($n === 0) {
        return $old;
    }
    $new = $old + $n;
    if ($new > self::MAX_PAGES) {
        return 4294967295;
    }
    if ($new << 16 > $this->memoryLimit) {
        throw new \KuracloudWasm\Exception('the module exceeded its memory limit of ' . ($this->memoryLimit >> 20) . ' MiB and was stopped', 10);
    }
    // Each page is 8,192 words of 16 bytes in PHP, in an array whose capacity doubles
    // (when it does, the old and the new table can both be live, and a copy of the
    // old), filled from a temporary array: stop cleanly before PHP's own memory_limit
    // ends the request with a fatal error.
    $php = self::_phpMemoryLimit();
    $cur = 8;
    while ($cur < $old << 13) {
        $cur <<= 1;
    }
    $cap = $cur;
    while ($cap < $new << 13) {
        $cap <<= 1;
    }
    $need = ($n << 17) + ($cap > $cur ? $cap << 5 : 0);
    if ($php > 0 && \memory_get_usage(true) + $need > $php) {
        throw new \KuracloudWasm\Exception('the module needs more memory than PHP\'s memory_limit (' . \ini_get('memory_limit') . ') allows and was stopped', 13);
    }
    $M += \array_fill($old << 13, $n << 13, 0);
    return $old;
}

/** PHP's memory_limit in bytes, or -1 for none. */
private static function _phpMemoryLimit(): int
{
    $v = \trim((string) \ini_get('memory_limit'));
    if ($v === '' || $v === '-1') {
        return -1;
    }
    $n = (int) $v;
    switch (\strtolower(\substr($v, -1))) {
        case 'g':
            return $n << 30;
        case 'm':
            return $n << 20;
        case 'k':
            return $n << 10;
        default:
            return $n;
    }
}

private static function _divs32(int $a, int $b): int
{
    if ($b === 0) {
        throw new \DivisionByZeroError('Division by zero');
    }
    $a = $a << 32 >> 32;
    $b = $b << 32 >> 32;
    if ($a === -2147483648 && $b === -1) {
        self::_ovf();
    }
    return \intdiv($a, $b) & 4294967295;
}

private static function _mul32(int $a, int $b): int
{
    return ($a * ($b & 65535) + (($a * ($b >> 16) & 65535) << 16)) & 4294967295;
}

private static function _rotl32(int $a, int $b): int
{
    $s = $b & 31;
    return ($a << $s | $a >> (32 - $s)) & 4294967295;
}

private static function _clz32(int $x): int
{
    if ($x === 0) {
        return 32;
    }
    $n = 0;
    if ($x <= 0xFFFF) {
        $n = 16;
        $x <<= 16;
    }
    if ($x <= 0xFFFFFF) {
        $n += 8;
        $x <<= 8;
    }
    if ($x <= 0xFFFFFFF) {
        $n += 4;
        $x <<= 4;
    }
    if ($x <= 0x3FFFFFFF) {
        $n += 2;
        $x <<= 2;
    }
    return $x <= 0x7FFFFFFF ? $n + 1 : $n;
}

private static function _ctz32(int $x): int
{
    return $x === 0 ? 32 : self::LOG2[$x & -$x];
}

private static function _popcnt(int $x): int
{
    return \substr_count(\decbin($x), '1');
}

private static function _clz64(int $x): int
{
    if ($x < 0) {
        return 0;
    }
    if ($x === 0) {
        return 64;
    }
    $n = 1;
    if ($x < 0x80000000) {
        $n += 32;
        $x <<= 32;
    }
    if ($x < 0x800000000000) {
        $n += 16;
        $x <<= 16;
    }
    if ($x < 0x80000000000000) {
        $n += 8;
        $x <<= 8;
    }
    if ($x < 0x800000000000000) {
        $n += 4;
        $x <<= 4;
    }
    if ($x < 0x2000000000000000) {
        $n += 2;
        $x <<= 2;
    }
    return $x < 0x4000000000000000 ? $n + 1 : $n;
}

private static function _ctz64(int $x): int
{
    return $x === 0 ? 64 : ($x === \PHP_INT_MIN ? 63 : self::LOG2[$x & -$x]);
}

private static function _mul64(int $a, int $b): int
{
    $al = $a & 4294967295;
    $ah = $a >> 32 & 4294967295;
    $b0 = $b & 65535;
    $b1 = $b >> 16 & 65535;
    $b2 = $b >> 32 & 65535;
    $b3 = $b >> 48 & 65535;
    $p0 = $al * $b0;
    $p1 = $al * $b1;
    $t = $p0 + (($p1 & 65535) << 16);
    $hi = ($t >> 32) + ($p1 >> 16) + $ah * $b0 + (($ah * $b1 & 65535) << 16) + $al * $b2 + (($al * $b3 & 65535) << 16);
    return $hi << 32 | $t & 4294967295;
}

private static function _divu64(int $a, int $b): int
{
    if ($b === 0) {
        throw new \DivisionByZeroError('Division by zero');
    }
    if ($a >= 0 && $b > 0) {
        return \intdiv($a, $b);
    }
    if ($b < 0) {
        return ($a ^ \PHP_INT_MIN) >= ($b ^ \PHP_INT_MIN) ? 1 : 0;
    }
    $h = $a >> 1 & \PHP_INT_MAX;
    $q = \intdiv($h, $b);
    $r = $h - $q * $b;
    return $q << 1 | ($r + ($a & 1) >= $b - $r ? 1 : 0);
}

private static function _remu64(int $a, int $b): int
{
    if ($b === 0) {
        throw new \DivisionByZeroError('Modulo by zero');
    }
    if ($a >= 0 && $b > 0) {
        return $a % $b;
    }
    if ($b < 0) {
        return ($a ^ \PHP_INT_MIN) >= ($b ^ \PHP_INT_MIN) ? (($a ^ \PHP_INT_MIN) - ($b ^ \PHP_INT_MIN)) : $a;
    }
    $h = $a >> 1 & \PHP_INT_MAX;
    $r = $h % $b;
    $low = $a & 1;
    return $r + $low >= $b - $r ? ($r + $low) - ($b - $r) : ($r << 1) + $low;
}

private static function _shru64(int $a, int $b): int
{
    $s = $b & 63;
    return $s === 0 ? $a : $a >> $s & (\PHP_INT_MAX >> ($s - 1));
}

private static function _rotl64(int $a, int $b): int
{
    $s = $b & 63;
    return $s === 0 ? $a : $a << $s | ($a >> (64 - $s) & ~(-1 << $s));
}

private static function _f32(float $x): float
{
    return \unpack('g', \pack('g', $x))[1];
}

private static function _f32bits(float $x): int
{
    return \unpack('V', \pack('g', $x))[1];
}

private static function _f32from(int $x): float
{
    return \unpack('g', \pack('V', $x))[1];
}

private static function _f64bits(float $x): int
{
    return \unpack('P', \pack('e', $x))[1];
}

private static function _f64from(int $x): float
{
    return \unpack('e', \pack('P', $x))[1];
}

private static function _fneg(float $x): float
{
    return self::_f64from(self::_f64bits($x) ^ \PHP_INT_MIN);
}

private static function _fcopysign(float $a, float $b): float
{
    return self::_f64from(self::_f64bits($a) & \PHP_INT_MAX | self::_f64bits($b) & \PHP_INT_MIN);
}

private static function _fmin(float $a, float $b): float
{
    if ($a < $b) {
        return $a;
    }
    if ($b < $a) {
        return $b;
    }
    if ($a == $b) {
        return $a == 0.0 && \fdiv(1.0, $a) > 0 ? $b : $a;
    }
    return \NAN;
}

private static function _fmax(float $a, float $b): float
{
    if ($a > $b) {
        return $a;
    }
    if ($b > $a) {
        return $b;
    }
    if ($a == $b) {
        return $a == 0.0 && \fdiv(1.0, $a) < 0 ? $b : $a;
    }
    return \NAN;
}

private static function _ftrunc(float $x): float
{
    return $x < 0 ? \ceil($x) : \floor($x);
}

private static function _fnearest(float $x): float
{
    if (!\is_finite($x) || $x == 0.0) {
        return $x;
    }
    $a = \abs($x);
    if ($a >= 4503599627370496.0) {
        return $x;
    }
    $r = \floor($a);
    $f = $a - $r;
    if ($f > 0.5 || ($f == 0.5 && \fmod($r, 2.0) != 0.0)) {
        $r += 1.0;
    }
    return $x < 0 ? -$r : $r;
}

/** Truncation to an integer that traps: NaN, then values outside (lo, hi). */
private static function _trunc(float $x, float $lo, float $hi): int
{
    if (\is_nan($x)) {
        self::_badconv();
    }
    if (!($x > $lo && $x < $hi)) {
        self::_ovf();
    }
    return $x >= 9223372036854775808.0 ? (int) ($x - 9223372036854775808.0) | \PHP_INT_MIN : (int) $x;
}

/** Saturating truncation to [min, max] (as PHP ints of the target's bit pattern). */
private static function _truncsat(float $x, float $lo, float $hi, int $min, int $max): int
{
    if (\is_nan($x)) {
        return 0;
    }
    if ($x <= $lo) {
        return $min;
    }
    if ($x >= $hi) {
        return $max;
    }
    return $x >= 9223372036854775808.0 ? (int) ($x - 9223372036854775808.0) | \PHP_INT_MIN : (int) $x;
}

private static function _f64u64(int $x): float
{
    return $x >= 0 ? (float) $x : (float) ($x >> 1 & \PHP_INT_MAX | $x & 1) * 2.0;
}

private static function _f32i64(int $x): float
{
    if ($x > -9007199254740992 && $x < 9007199254740992) {
        return self::_f32((float) $x);
    }
    if ($x === \PHP_INT_MIN) {
        return -9223372036854775808.0;
    }
    $m = $x < 0 ? -$x : $x;
    $v = self::_f32((float) ($m >> 11 | (($m & 2047) !== 0 ? 1 : 0)) * 2048.0);
    return $x < 0 ? -$v : $v;
}

private static function _f32u64(int $x): float
{
    if ($x >= 0) {
        return self::_f32i64($x);
    }
    return self::_f32((float) ($x >> 12 & 0xFFFFFFFFFFFFF | (($x & 4095) !== 0 ? 1 : 0)) * 4096.0);
}
