<?php
// Checks what moodle-plugin-ci's `validate` checks, without Moodle: version.php, a
// language string for every capability, db/access.php, table names in install.xml,
// db/upgrade.php, the block class; plus every get_string() of the plugin exists and
// every template documents an example context. Prints problems; exits 1 if any.

$dir = $argv[1] ?? dirname(__DIR__) . '/moodle-block';
$problems = [];
$fail = function (string $p) use (&$problems) {
    $problems[] = $p;
};

// Moodle constants the plugin's definition files use.
define('MOODLE_INTERNAL', true);
foreach (['RISK_MANAGETRUST' => 1, 'RISK_CONFIG' => 2, 'RISK_XSS' => 4, 'RISK_PERSONAL' => 8, 'RISK_SPAM' => 16,
        'RISK_DATALOSS' => 32, 'CAP_ALLOW' => 1, 'CAP_PREVENT' => -1, 'CAP_PROHIBIT' => -1000, 'CONTEXT_SYSTEM' => 10,
        'CONTEXT_USER' => 30, 'CONTEXT_COURSECAT' => 40, 'CONTEXT_COURSE' => 50, 'CONTEXT_MODULE' => 70,
        'CONTEXT_BLOCK' => 80, 'MATURITY_ALPHA' => 50, 'MATURITY_BETA' => 100, 'MATURITY_RC' => 150,
        'MATURITY_STABLE' => 200] as $name => $value) {
    define($name, $value);
}

// version.php
$plugin = new stdClass();
require $dir . '/version.php';
if (($plugin->component ?? '') !== 'block_kuracloud') {
    $fail('version.php: $plugin->component must be block_kuracloud');
}
if (!is_int($plugin->version ?? null) || !preg_match('/^\d{10}$/', (string)$plugin->version)) {
    $fail('version.php: $plugin->version must be YYYYMMDDXX');
}
if (!is_int($plugin->requires ?? null)) {
    $fail('version.php: $plugin->requires is missing');
}
if (($plugin->version ?? 0) <= 2022020206) {
    $fail('version.php: the version must be above the old plugin\'s 2022020206');
}

// Language strings.
$string = [];
require $dir . '/lang/en/block_kuracloud.php';
foreach (['pluginname'] as $required) {
    if (!isset($string[$required])) {
        $fail("lang: missing '$required'");
    }
}

// db/access.php
$capabilities = null;
require $dir . '/db/access.php';
if (!is_array($capabilities)) {
    $fail('db/access.php: $capabilities is not defined');
}
$allowedkeys = ['riskbitmask', 'captype', 'contextlevel', 'archetypes', 'clonepermissionsfrom'];
foreach ($capabilities ?? [] as $name => $def) {
    if (!preg_match('~^block/kuracloud:[a-z]+$~', $name)) {
        $fail("db/access.php: capability name $name");
    }
    foreach (array_diff(array_keys($def), $allowedkeys) as $key) {
        $fail("db/access.php: $name has an unknown key '$key' (misspelled?)");
    }
    if (!in_array($def['captype'] ?? '', ['read', 'write'], true)) {
        $fail("db/access.php: $name needs captype read or write");
    }
    if (!isset($def['contextlevel'])) {
        $fail("db/access.php: $name needs a contextlevel");
    }
    $short = substr($name, strlen('block/'));
    if (!isset($string[$short])) {
        $fail("lang: no string '$short' for capability $name");
    }
}
if (!isset($capabilities['block/kuracloud:addinstance'])) {
    $fail('db/access.php: a block needs block/kuracloud:addinstance');
}

// db/install.xml
$xml = @simplexml_load_file($dir . '/db/install.xml');
if (!$xml) {
    $fail('db/install.xml does not parse');
} else {
    if ((string)$xml['PATH'] !== 'blocks/kuracloud/db') {
        $fail('db/install.xml: PATH must be blocks/kuracloud/db');
    }
    foreach ($xml->TABLES->TABLE as $table) {
        $name = (string)$table['NAME'];
        if (!str_starts_with($name, 'block_kuracloud')) {
            $fail("db/install.xml: table $name lacks the block_kuracloud prefix");
        }
        if (strlen($name) > 28) {
            $fail("db/install.xml: table name $name is longer than 28 characters");
        }
        if (!$table->xpath('KEYS/KEY[@TYPE="primary"]')) {
            $fail("db/install.xml: table $name has no primary key");
        }
    }
}

// db/upgrade.php
$upgrade = file_get_contents($dir . '/db/upgrade.php');
if (!preg_match('/function\s+xmldb_block_kuracloud_upgrade\s*\(\s*\$oldversion\s*\)/', $upgrade)) {
    $fail('db/upgrade.php: xmldb_block_kuracloud_upgrade($oldversion) is missing');
}

// The block class.
if (!preg_match('/class\s+block_kuracloud\s+extends\s+block_base/', (string)@file_get_contents($dir . '/block_kuracloud.php'))) {
    $fail('block_kuracloud.php: class block_kuracloud extends block_base is missing');
}

// Every string the plugin asks for exists; every template has an example context.
$files = new RecursiveIteratorIterator(new RecursiveDirectoryIterator($dir, FilesystemIterator::SKIP_DOTS));
foreach ($files as $file) {
    $path = (string)$file;
    $text = file_get_contents($path);
    if (str_ends_with($path, '.php')) {
        preg_match_all("/get_string\(\s*'([a-z0-9_:]+)'\s*,\s*'block_kuracloud'/", $text, $m);
        foreach ($m[1] as $id) {
            if (!isset($string[$id])) {
                $fail("lang: '$id' is used in " . substr($path, strlen($dir) + 1) . ' but not defined');
            }
        }
        if (!str_contains($text, 'GNU General Public License') && !str_contains($path, '/lang/')) {
            $fail(substr($path, strlen($dir) + 1) . ': no GPL licence header');
        }
    }
    if (str_ends_with($path, '.mustache')) {
        preg_match_all('/\{\{#str\}\}\s*([a-z0-9_:]+)\s*,\s*block_kuracloud/', $text, $m);
        foreach ($m[1] as $id) {
            if (!isset($string[$id])) {
                $fail("lang: '$id' is used in " . basename($path) . ' but not defined');
            }
        }
        if (!str_contains($text, '@template block_kuracloud/') || !str_contains($text, 'Example context (json)')) {
            $fail(basename($path) . ': needs an @template docblock with an example context');
        }
    }
}

// Built files are declared in thirdpartylibs.xml (reviewers and code checkers skip them).
$libs = @simplexml_load_file($dir . '/thirdpartylibs.xml');
if (!$libs) {
    $fail('thirdpartylibs.xml is missing or not XML');
} else {
    $declared = array_map('strval', $libs->xpath('/libraries/library/location'));
    foreach (['wasm/kuracloud.wasm', 'wasm/kuracloud.php'] as $built) {
        if (!in_array($built, $declared, true)) {
            $fail("thirdpartylibs.xml does not declare $built");
        }
    }
}

// Server text never goes through {{#str}} as a parameter: the string helper renders its
// result again as a template when it holds '{{'. And no PARAM_RAW where a narrower type fits.
foreach ($files as $file) {
    $path = (string)$file;
    $rel = substr($path, strlen($dir) + 1);
    if (str_ends_with($path, '.mustache') && preg_match('/\{\{#str\}\}[^{]*\{\{[a-z]/', file_get_contents($path))) {
        $fail("$rel: {{#str}} with a context variable as parameter (build the text in PHP)");
    }
    if (str_ends_with($path, '.php') && !str_starts_with($rel, 'tests/') && !str_starts_with($rel, 'wasm/')
            && preg_match('/PARAM_RAW(?!_TRIMMED)\b/', file_get_contents($path))) {
        $fail("$rel: PARAM_RAW (use the narrowest PARAM_ type)");
    }
}

// The database only through repositories (classes/local/repository/), apart from code
// whose shape Moodle prescribes: the privacy provider's SQL, backup and restore steps, and
// upgrade code, which must run against the schema of its own version.
$dbplaces = ['classes/local/repository/', 'classes/privacy/', 'backup/', 'db/', 'classes/local/upgrade/', 'tests/', 'wasm/'];
foreach ($files as $file) {
    $path = (string)$file;
    $rel = substr($path, strlen($dir) + 1);
    if (!str_ends_with($path, '.php')) {
        continue;
    }
    $allowed = array_filter($dbplaces, fn($prefix) => str_starts_with($rel, $prefix));
    if (!$allowed && preg_match('/\$DB\b/', file_get_contents($path))) {
        $fail("$rel: uses \$DB (read and write through a class in classes/local/repository/)");
    }
}

foreach ($problems as $p) {
    echo "- $p\n";
}
echo count($problems) === 0 ? "plugin validation passed\n" : count($problems) . " problem(s)\n";
exit(count($problems) === 0 ? 0 : 1);
