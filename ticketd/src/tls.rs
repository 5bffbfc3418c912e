//! Serving the contract over https: the certificate and key from PEM files, and a listener that
//! completes each TLS handshake off the accept loop (a slow or failed handshake delays no one).

use crate::server::ServeError;
use axum::serve::Listener;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// How long a client has to complete its handshake.
const HANDSHAKE_TIME: Duration = Duration::from_secs(10);

/// The server certificate (chain) and its private key, as PEM files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    /// The certificate chain, leaf first.
    pub cert: PathBuf,
    /// The leaf's private key.
    pub key: PathBuf,
}

impl TlsConfig {
    /// Reads the files into an acceptor; a file that cannot be used is a configuration error.
    pub fn acceptor(&self) -> Result<TlsAcceptor, ServeError> {
        let bad = |path: &Path, e: &dyn std::fmt::Display| {
            ServeError::Config(format!("TLS file {}: {e}", path.display()))
        };
        let certs = CertificateDer::pem_file_iter(&self.cert)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| bad(&self.cert, &e))?;
        if certs.is_empty() {
            return Err(bad(&self.cert, &"no PEM certificate in it"));
        }
        let key = PrivateKeyDer::from_pem_file(&self.key).map_err(|e| bad(&self.key, &e))?;
        let config = ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| bad(&self.key, &format!("{e} (is it the certificate's key?)")))?;
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

/// A listener whose connections arrive with their handshake done, over any inner listener.
pub struct TlsListener<L: Listener> {
    ready: mpsc::Receiver<(TlsStream<L::Io>, SocketAddr)>,
    addr: SocketAddr,
}

impl<L: Listener<Addr = SocketAddr>> TlsListener<L> {
    /// Accepts on `inner`, shaking hands with `acceptor`; the returned task does the accepting.
    pub fn new(
        mut inner: L,
        acceptor: TlsAcceptor,
    ) -> std::io::Result<(TlsListener<L>, JoinHandle<()>)> {
        let addr = inner.local_addr()?;
        let (tx, ready) = mpsc::channel(64);
        let task = tokio::spawn(async move {
            loop {
                let (io, peer) = inner.accept().await;
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    let handshake = tokio::time::timeout(HANDSHAKE_TIME, acceptor.accept(io));
                    if let Ok(Ok(tls)) = handshake.await {
                        let _ = tx.send((tls, peer)).await;
                    }
                });
            }
        });
        Ok((TlsListener { ready, addr }, task))
    }
}

impl<L: Listener<Addr = SocketAddr>> Listener for TlsListener<L> {
    type Io = TlsStream<L::Io>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accepting task is gone (the server is stopping): no connection will come.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.addr)
    }
}
