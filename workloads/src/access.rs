//! How Frenzy reaches a secured system: TLS files (`--cacert`, `--cert`, `--key`, `--insecure`)
//! and credentials (`--user`/`--password`, `--token`), for the built-in clients and, passed on in
//! the hello, for adapters.

use crate::error::PreflightError;
use crate::transport::root_cause;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use reqwest::{Certificate, Identity};
use std::path::{Path, PathBuf};

/// TLS files and settings to reach the nodes with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsFiles {
    /// CA certificate(s) (PEM) to verify the nodes with, instead of the system's roots.
    pub cacert: Option<PathBuf>,
    /// Client certificate (PEM), for servers that require one.
    pub cert: Option<PathBuf>,
    /// The client certificate's private key (PEM).
    pub key: Option<PathBuf>,
    /// Skip verifying the nodes' certificates (only when asked for explicitly).
    pub insecure: bool,
}

/// Credentials for the system under test.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Auth {
    /// User name (etcd's user/password auth).
    pub user: Option<String>,
    /// Password.
    pub password: Option<String>,
    /// A bearer token (HTTP services).
    pub token: Option<String>,
}

/// TLS and credentials together: everything about reaching a secured system.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    /// TLS files and settings.
    pub tls: TlsFiles,
    /// Credentials.
    pub auth: Auth,
}

impl Access {
    /// An HTTP client with these TLS settings (rustls), sending the bearer token if there is one.
    pub fn http_client(&self) -> Result<reqwest::Client, PreflightError> {
        let tls = &self.tls;
        let mut builder = reqwest::Client::builder();
        if let Some(path) = &tls.cacert {
            let certs = Certificate::from_pem_bundle(&read("--cacert", path)?)
                .map_err(|e| bad_file("--cacert", path, root_cause(&e)))?;
            if certs.is_empty() {
                return Err(bad_file(
                    "--cacert",
                    path,
                    "it holds no PEM certificate".into(),
                ));
            }
            builder = builder.tls_certs_only(certs);
        }
        match (&tls.cert, &tls.key) {
            (Some(cert), Some(key)) => {
                let mut pem = read("--cert", cert)?;
                pem.push(b'\n');
                pem.extend(read("--key", key)?);
                let identity = Identity::from_pem(&pem).map_err(|e| {
                    bad_file(
                        "--cert/--key",
                        cert,
                        format!("{} (is --key its key?)", root_cause(&e)),
                    )
                })?;
                builder = builder.identity(identity);
            }
            (None, None) => {}
            (Some(path), None) | (None, Some(path)) => {
                return Err(bad_file(
                    "--cert/--key",
                    path,
                    "a client certificate needs both --cert and --key".into(),
                ))
            }
        }
        if tls.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        if let Some(token) = &self.auth.token {
            let value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
                PreflightError::Credentials {
                    url: "--token".into(),
                    reason: "the token holds characters an HTTP header cannot carry".into(),
                }
            })?;
            builder = builder.default_headers(HeaderMap::from_iter([(AUTHORIZATION, value)]));
        }
        builder.build().map_err(|e| PreflightError::TlsFile {
            flag: "TLS",
            path: PathBuf::new(),
            reason: root_cause(&e),
        })
    }
}

fn read(flag: &'static str, path: &Path) -> Result<Vec<u8>, PreflightError> {
    std::fs::read(path).map_err(|e| bad_file(flag, path, e.to_string()))
}

fn bad_file(flag: &'static str, path: &Path, reason: String) -> PreflightError {
    PreflightError::TlsFile {
        flag,
        path: path.to_path_buf(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tls(cacert: Option<&str>, cert: Option<&str>, key: Option<&str>) -> Access {
        Access {
            tls: TlsFiles {
                cacert: cacert.map(PathBuf::from),
                cert: cert.map(PathBuf::from),
                key: key.map(PathBuf::from),
                insecure: false,
            },
            auth: Auth::default(),
        }
    }

    fn error(access: &Access) -> String {
        access.http_client().map(drop).unwrap_err().to_string()
    }

    #[test]
    fn unusable_tls_files_name_the_flag_and_the_file() {
        let err = error(&tls(Some("/no/such/ca.pem"), None, None));
        assert!(err.starts_with("--cacert /no/such/ca.pem: "), "{err}");
        let not_pem = std::env::current_exe().unwrap();
        let err = error(&tls(not_pem.to_str(), None, None));
        assert!(err.contains("no PEM certificate"), "{err}");
        let err = error(&tls(None, Some("/c.pem"), None));
        assert!(err.contains("needs both --cert and --key"), "{err}");
    }

    #[test]
    fn no_files_and_a_token_make_a_client() {
        let mut access = Access::default();
        access.auth.token = Some("t0ken".into());
        assert!(access.http_client().is_ok());
    }
}
