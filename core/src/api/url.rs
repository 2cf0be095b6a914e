//! Joining a connection's base URL with API paths.

/// The kuraCloud API URL most sites use.
pub const DEFAULT_API_URL: &str = "https://api.kuracloud.com";

/// `base` + `/v2` + `path`, tolerating a trailing slash (the old plugin produced `//v2`)
/// and a base that already ends in `/v2`.
pub fn api_url(base: &str, path: &str) -> String {
    let mut base = base.trim().trim_end_matches('/');
    if base.is_empty() {
        base = DEFAULT_API_URL;
    }
    let base = base.strip_suffix("/v2").unwrap_or(base);
    let path = path.trim_start_matches('/');
    format!("{base}/v2/{path}")
}

/// Longest API URL accepted.
pub const MAX_API_URL_CHARS: usize = 2048;

/// Checks that a configured API URL is an absolute http(s) URL with a host, and nothing
/// a request line or a URL parser could read two ways: no control characters (CR, LF,
/// NUL, ...) anywhere, no whitespace or backslash within it (surrounding spaces are
/// trimmed), no user name or password, no query or fragment.
pub fn validate_base(base: &str) -> Result<(), String> {
    let shown = || crate::error::printable(base.trim(), 200);
    if base.chars().any(char::is_control) {
        return Err(format!(
            "the API URL '{}' contains control characters",
            shown()
        ));
    }
    let base = base.trim();
    if base.is_empty() {
        return Ok(());
    }
    if base.chars().count() > MAX_API_URL_CHARS {
        return Err(format!(
            "the API URL '{}' is longer than {MAX_API_URL_CHARS} characters",
            shown()
        ));
    }
    if base.contains(|c: char| c.is_whitespace() || c == '\\') {
        return Err(format!(
            "the API URL '{}' contains spaces or backslashes",
            shown()
        ));
    }
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))
        .ok_or_else(|| {
            format!(
                "the API URL '{}' must start with https:// or http://",
                shown()
            )
        })?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return Err(format!(
            "the API URL '{}' must not carry a user name or password",
            shown()
        ));
    }
    if authority.is_empty() {
        return Err(format!("the API URL '{}' has no valid host", shown()));
    }
    if rest.contains(['?', '#']) {
        return Err(format!(
            "the API URL '{}' must not carry a query or fragment",
            shown()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_with_or_without_trailing_slashes() {
        assert_eq!(
            api_url("https://api.kuracloud.com", "/instance"),
            "https://api.kuracloud.com/v2/instance"
        );
        assert_eq!(
            api_url("https://api.kuracloud.com/", "instance"),
            "https://api.kuracloud.com/v2/instance"
        );
        assert_eq!(
            api_url("http://127.0.0.1:9/v2/", "course/5"),
            "http://127.0.0.1:9/v2/course/5"
        );
        assert_eq!(
            api_url("  ", "course"),
            "https://api.kuracloud.com/v2/course"
        );
        assert_eq!(
            api_url("https://x.test/base//", "course"),
            "https://x.test/base/v2/course"
        );
    }

    #[test]
    fn validates_base_urls() {
        assert!(validate_base("https://api.kuracloud.com").is_ok());
        assert!(validate_base("http://127.0.0.1:8080/").is_ok());
        assert!(validate_base("ftp://x").is_err());
        assert!(validate_base("https://").is_err());
        assert!(validate_base("https://x.test/?a=b").is_err());
        assert!(validate_base("api.kuracloud.com").is_err());
        assert!(validate_base("  https://api.kuracloud.com/  ").is_ok());
    }

    #[test]
    fn refuses_what_could_split_a_request_or_hide_a_host() {
        for bad in [
            "https://x.test/a\r\nX-Evil: 1",
            "https://x.test\n",
            "https://x.test/\r",
            "https://x.test/\u{0}",
            "\u{0}https://x.test",
            "https://x.test/a b",
            "https://x .test",
            "https://x.test/\t",
            "https://user:pass@x.test/",
            "https://user@x.test",
            "https://x.test\\@evil.test/",
            "https://@x.test",
        ] {
            let e = validate_base(bad).expect_err(bad);
            assert!(!e.chars().any(char::is_control), "{e:?}");
        }
        // An '@' in the path is no user name.
        assert!(validate_base("https://x.test/v2/@me").is_ok());
        let long = format!("https://x.test/{}", "a".repeat(5000));
        let e = validate_base(&long).unwrap_err();
        assert!(e.len() < 300, "{e}");
    }
}
