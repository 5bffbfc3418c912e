//! HTTP plumbing shared by the clients: node URLs, what a transport error says about an
//! operation's outcome, and what it says about a node at preflight.

use crate::error::PreflightError;
use crate::op::{Completion, Op};
use reqwest::Url;

/// Parses a node's base URL: http or https with a host.
pub fn node_url(raw: &str) -> Result<Url, PreflightError> {
    let bad = |reason: &str| PreflightError::BadUrl {
        url: raw.to_owned(),
        reason: reason.to_owned(),
    };
    let url = Url::parse(raw).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad(&format!(
            "scheme {:?} is not supported, only http and https",
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

/// What a request that got no answer at preflight says about the node at `url`: a certificate
/// that does not verify, a client certificate the node rejected, or nothing listening; `None`
/// for anything else (something answered, but not as the contract says).
pub fn unreachable_node(url: &str, error: &reqwest::Error) -> Option<PreflightError> {
    let chain = error_chain(error);
    let url = url.to_owned();
    if let Some(at) = chain.find("invalid peer certificate") {
        return Some(PreflightError::Untrusted {
            url,
            reason: certificate_in_words(&chain[at..]),
        });
    }
    if let Some(at) = chain.find("received fatal alert") {
        return Some(PreflightError::ClientCertRejected {
            url,
            reason: chain[at..].to_owned(),
        });
    }
    (error.is_connect() || error.is_timeout()).then(|| PreflightError::Unreachable {
        url,
        reason: root_cause(error),
    })
}

/// Why a node's certificate does not verify, in words, with the TLS library's own reason after.
fn certificate_in_words(reason: &str) -> String {
    const WORDS: [(&str, &str); 6] = [
        (
            "UnknownIssuer",
            "it is signed by a CA that is neither --cacert nor one of the system's roots",
        ),
        (
            "CaUsedAsEndEntity",
            "the node serves a CA certificate as its own (a self-signed certificate with \
             CA:TRUE, as `openssl req -x509` makes by default); serve a certificate signed by \
             that CA",
        ),
        ("NotValidForName", "it is not valid for this host name"),
        ("Expired", "it has expired"),
        ("NotValidYet", "it is not valid yet (check the clocks)"),
        ("BadSignature", "its signature does not verify"),
    ];
    match WORDS.iter().find(|(name, _)| reason.contains(name)) {
        Some((_, words)) => format!("{words} ({reason})"),
        None => reason.to_owned(),
    }
}

/// How many times preflight sends a request whose connection dropped before any answer.
const PREFLIGHT_ATTEMPTS: usize = 4;

/// Sends a preflight request again when its connection dropped after sending and before any
/// answer. Under TLS 1.3 a node that rejects the client certificate says so in an alert right after
/// the handshake; when the request is already on its way, the node's close can reset the
/// connection before the client reads that alert, so one attempt alone may see only the drop.
/// `transport` picks the transport error out of the caller's error type.
pub async fn retry_dropped<T, E, F, Fut>(
    mut send: F,
    transport: impl Fn(&E) -> Option<&reqwest::Error>,
) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let mut attempt = 1;
    loop {
        match send().await {
            Err(e) if attempt < PREFLIGHT_ATTEMPTS && transport(&e).is_some_and(dropped) => {
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}

/// Whether a request was sent and its connection then closed with no answer and no TLS alert.
fn dropped(error: &reqwest::Error) -> bool {
    !error.is_connect()
        && !error.is_timeout()
        && error.is_request()
        && !error_chain(error).contains("received fatal alert")
}

/// Every cause of an error, outermost first, joined by ": ".
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(next) = cause {
        text.push_str(": ");
        text.push_str(&next.to_string());
        cause = next.source();
    }
    text
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
    fn node_urls_must_be_http_or_https_with_a_host() {
        assert!(node_url("http://127.0.0.1:2379").is_ok());
        assert!(node_url("https://127.0.0.1:2379").is_ok());
        for bad in ["127.0.0.1:80", "http://", "ftp://x", "http://h/?a=1"] {
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
