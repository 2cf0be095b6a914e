//! Functions a reader can hold: no function in the core's code (tests aside) is longer
//! than `MAX_LINES` lines, from its `fn` line to its closing brace. A long function is
//! split along the steps it already has, each step a function named for the rule it
//! applies (see `students::plan`).
//!
//! The scanner is simple on purpose: comments, strings and character literals are
//! blanked, then braces are counted; an item after `#[cfg(test)]` is skipped whole.

use std::path::Path;

const MAX_LINES: usize = 80;

/// `source` with comments and string and character literals replaced by spaces
/// (newlines kept, so lines still count).
fn blank(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    let keep = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(keep(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && matches!(next, Some('"') | Some('#'))
            && !chars
                .get(i.wrapping_sub(1))
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            // A raw string r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let closing: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let body: String = chars[j + 1..].iter().collect();
            let end = body.find(&closing).map_or(chars.len(), |at| {
                j + 1 + body[..at].chars().count() + closing.chars().count()
            });
            for &ch in &chars[i..end] {
                out.push(keep(ch));
            }
            i = end;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if let Some(&ch) = chars.get(i) {
                    out.push(keep(ch));
                }
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{..}'), not a lifetime ('a).
            let end = if next == Some('\\') {
                (i + 2..chars.len()).find(|&k| chars[k] == '\'')
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(end) => {
                    out.extend(std::iter::repeat_n(' ', end + 1 - i));
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Every function outside test code: (name, first line, length in lines).
fn functions(source: &str) -> Vec<(String, usize, usize)> {
    let code = blank(source);
    let bytes = code.as_bytes();
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    // Where an item's block ends, from the `{` that opens it; `;` first: no block.
    let block_end = |from: usize| -> Option<(usize, usize)> {
        let open = from + code[from..].find(['{', ';'])?;
        if bytes[open] == b';' {
            return None;
        }
        let mut depth = 0usize;
        for (k, b) in bytes.iter().enumerate().skip(open) {
            match b {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some((open, k));
                    }
                }
                _ => {}
            }
        }
        None
    };
    // Test code: the item after each `#[cfg(test)]`.
    let mut skipped: Vec<(usize, usize)> = vec![];
    let mut from = 0;
    while let Some(at) = code[from..].find("#[cfg(test)]") {
        let at = from + at;
        let end = block_end(at).map_or(at + 1, |(_, end)| end);
        skipped.push((at, end));
        from = end;
    }
    let mut out = vec![];
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut k = 0;
    while let Some(at) = code[k..].find("fn ") {
        let at = k + at;
        k = at + 3;
        if at > 0 && is_ident(bytes[at - 1]) {
            continue;
        }
        let name: String = code[at + 3..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() || skipped.iter().any(|(s, e)| (*s..=*e).contains(&at)) {
            continue;
        }
        if let Some((_, end)) = block_end(at) {
            out.push((name, line_of(at), line_of(end) - line_of(at) + 1));
        }
    }
    out
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_function_in_the_core_is_longer_than_80_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![];
    sources(&root.join("src"), &mut files);
    files.sort();
    let mut seen = 0;
    let mut long = vec![];
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        for (name, line, lines) in functions(&source) {
            seen += 1;
            if lines > MAX_LINES {
                let shown = file.strip_prefix(root).unwrap_or(file).display();
                long.push(format!("{shown}:{line} fn {name}: {lines} lines"));
            }
        }
    }
    assert!(
        seen > 200,
        "only {seen} functions found: is the scanner broken?"
    );
    assert!(
        long.is_empty(),
        "functions over {MAX_LINES} lines (split them along their steps):\n{}",
        long.join("\n")
    );
}

#[test]
fn the_scanner_counts_lines_and_skips_strings_comments_and_tests() {
    let source = r##"
fn short() {
    let s = "{ not a brace";
    let c = '{';
    let r = r#"}" }"#;
    // }
    /* { /* } */ */
}

pub(crate) async fn generic<'a, T: Fn(&'a str) -> u8>(x: &'a str) -> Option<fn(u8)> where T: Copy {
    if x.is_empty() { None } else { None }
}

trait Declared {
    fn no_body(&self);
}

#[cfg(test)]
mod tests {
    fn in_a_test() {}
}
"##;
    let found: Vec<(String, usize, usize)> = functions(source);
    assert_eq!(
        found,
        [("short".to_string(), 2, 7), ("generic".to_string(), 10, 3)]
    );
}
