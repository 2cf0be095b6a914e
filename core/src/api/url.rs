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

/// Checks that a configured API URL is an absolute http(s) URL with a host.
pub fn validate_base(base: &str) -> Result<(), String> {
    let base = base.trim();
    if base.is_empty() {
        return Ok(());
    }
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))
        .ok_or_else(|| format!("the API URL '{base}' must start with https:// or http://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(format!("the API URL '{base}' has no valid host"));
    }
    if rest.contains(['?', '#']) {
        return Err(format!(
            "the API URL '{base}' must not carry a query or fragment"
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
    }
}
