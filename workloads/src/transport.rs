//! Plain-http plumbing shared by the clients: node URLs and what a transport error says about an
//! operation's outcome.

use crate::error::PreflightError;
use crate::op::{Completion, Op};
use reqwest::Url;

/// Parses a node's base URL: plain http with a host, as the contract is served.
pub fn node_url(raw: &str) -> Result<Url, PreflightError> {
    let bad = |reason: &str| PreflightError::BadUrl {
        url: raw.to_owned(),
        reason: reason.to_owned(),
    };
    let url = Url::parse(raw).map_err(|e| bad(&e.to_string()))?;
    if url.scheme() != "http" {
        return Err(bad(&format!(
            "scheme {:?} is not supported, only http",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("a node URL takes no query or fragment"));
    }
    Ok(url)
}

/// `base` with `segments` appended to its path, each escaped as one path segment.
pub fn join(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url
}

/// What a failed request says about `op`: a connection that could not be made means the request
/// was never sent (`fail`); any other failure happened after sending, so the outcome is unknown.
pub fn transport_failure(op: &Op, error: &reqwest::Error) -> Completion {
    if error.is_connect() {
        Completion::refused(op, format!("connection failed: {}", root_cause(error)))
    } else {
        Completion::unknown(op, format!("no answer: {}", root_cause(error)))
    }
}

/// The innermost cause of an error, which names what actually went wrong.
pub fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_urls_must_be_plain_http_with_a_host() {
        assert!(node_url("http://127.0.0.1:2379").is_ok());
        for bad in [
            "127.0.0.1:80",
            "https://127.0.0.1",
            "http://",
            "ftp://x",
            "http://h/?a=1",
        ] {
            assert!(node_url(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn segments_are_escaped() {
        let base = node_url("http://127.0.0.1:8080").unwrap();
        let url = join(&base, &["holds", "e1:ab/c", "confirm"]);
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:8080/holds/e1:ab%2Fc/confirm"
        );
    }
}
