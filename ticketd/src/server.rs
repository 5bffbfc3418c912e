//! Starting ticketd on a listener, in-process or from the binary, and stopping it.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::{Config, ModeConfig};
use crate::etcd::{self, EtcdTickets};
use crate::eventual::{self, Region};
use crate::http::{self, App};
use crate::idle_timeout::{IdleTimeoutListener, SHUTDOWN_DEADLINE};
use crate::json_errors;
use crate::tls::TlsListener;
use crate::validate::check_name;

/// The shortest shared secret eventual-mode peers may use.
pub const MIN_SECRET_CHARS: usize = 16;

/// Why ticketd could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The configuration is unusable; the message says which setting and why.
    #[error("invalid ticketd configuration: {0}")]
    Config(String),
    /// The listener failed.
    #[error("ticketd's listener failed: {0}")]
    Io(#[from] std::io::Error),
    /// The server task ended unexpectedly.
    #[error("ticketd's server task ended unexpectedly: {0}")]
    Task(String),
}

/// A running ticketd. Dropping it aborts the server and its background tasks (sweeper, replication);
/// [`Server::shutdown`] stops it gracefully.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    https: bool,
    stop: Option<oneshot::Sender<()>>,
    http: Option<JoinHandle<std::io::Result<()>>>,
    background: Vec<JoinHandle<()>>,
}

impl Server {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL, `http://ip:port` (`https://` when it serves TLS).
    pub fn url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Stops accepting, lets in-flight requests finish for up to [`SHUTDOWN_DEADLINE`] (then
    /// drops them), and stops the background tasks.
    pub async fn shutdown(mut self) -> Result<(), ServeError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.join().await
    }

    /// Serves until `signal` completes (then shuts down gracefully) or the server fails.
    pub async fn run_until(mut self, signal: impl Future<Output = ()>) -> Result<(), ServeError> {
        let Some(mut http) = self.http.take() else {
            return Ok(());
        };
        tokio::select! {
            ended = &mut http => return flatten(ended),
            () = signal => {}
        }
        self.http = Some(http);
        self.shutdown().await
    }

    async fn join(&mut self) -> Result<(), ServeError> {
        for task in self.background.drain(..) {
            task.abort();
        }
        let Some(mut http) = self.http.take() else {
            return Ok(());
        };
        match tokio::time::timeout(SHUTDOWN_DEADLINE, &mut http).await {
            Ok(ended) => flatten(ended),
            Err(_) => {
                // A client still holds a request: shutting down does not wait for it any longer.
                http.abort();
                Ok(())
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        for task in &self.background {
            task.abort();
        }
        if let Some(http) = &self.http {
            http.abort();
        }
    }
}

/// The server task's outcome as a ServeError.
fn flatten(ended: Result<std::io::Result<()>, tokio::task::JoinError>) -> Result<(), ServeError> {
    match ended {
        Ok(result) => Ok(result?),
        Err(e) => Err(ServeError::Task(e.to_string())),
    }
}

/// Checks the settings that would make ticketd misbehave rather than fail on a request.
fn check(config: &Config) -> Result<(), ServeError> {
    if config.hold_ttl.is_zero() {
        return Err(ServeError::Config(
            "hold_ttl must be longer than 0 ms".into(),
        ));
    }
    if config.max_qty == 0 {
        return Err(ServeError::Config("max_qty must be at least 1".into()));
    }
    let check_url = |url: &str| {
        if url.starts_with("http://") {
            Ok(())
        } else {
            Err(ServeError::Config(format!(
                "{url:?} is not a plain-http URL; write it as http://host:port"
            )))
        }
    };
    match &config.mode {
        ModeConfig::Eventual(eventual) => {
            check_name("region", &eventual.region)
                .map_err(|e| ServeError::Config(e.to_string()))?;
            if eventual.peer_secret.chars().count() < MIN_SECRET_CHARS {
                return Err(ServeError::Config(format!(
                    "the peers' shared secret must be at least {MIN_SECRET_CHARS} characters; \
                     give every region the same one (ticketd --peer-secret or TICKETD_PEER_SECRET)"
                )));
            }
            eventual.peers.iter().try_for_each(|peer| check_url(peer))
        }
        ModeConfig::Etcd(etcd) => {
            if let Some(crash) = etcd.crash {
                if !etcd.non_atomic || !(1..=2).contains(&crash.after_step) || crash.every == 0 {
                    return Err(ServeError::Config(
                        "a crash plan needs non_atomic, after_step 1 or 2 and every >= 1".into(),
                    ));
                }
            }
            if !(1..=etcd::MAX_BATCH_LIMIT).contains(&etcd.max_batch) {
                return Err(ServeError::Config(format!(
                    "max_batch {} is out of range: use 1 to {}",
                    etcd.max_batch,
                    etcd::MAX_BATCH_LIMIT
                )));
            }
            check_url(&etcd.endpoint)
        }
    }
}

/// How often holds are checked for expiry: a quarter of the TTL, between 50 ms and 1 s.
fn sweep_interval(hold_ttl: Duration) -> Duration {
    (hold_ttl / 4).clamp(Duration::from_millis(50), Duration::from_secs(1))
}

/// Starts ticketd on `listener` and returns once it is serving.
pub async fn serve(config: Config, listener: TcpListener) -> Result<Server, ServeError> {
    check(&config)?;
    let addr = listener.local_addr()?;
    let interval = sweep_interval(config.hold_ttl);
    let (router, mut background) = match &config.mode {
        ModeConfig::Eventual(eventual_config) => {
            let region = Arc::new(Region::new(
                eventual_config,
                config.hold_ttl,
                config.min_seq_wait,
            ));
            let mut background = region.start_replication();
            background.push(tokio::spawn(eventual::run_sweeper(
                Arc::clone(&region),
                interval,
            )));
            let replication = eventual::inbound::router(
                Arc::clone(&region),
                eventual_config.peer_secret.clone(),
                config.max_qty,
            );
            let app = App {
                tickets: region,
                max_qty: config.max_qty,
                max_body_bytes: config.max_body_bytes,
            };
            (replication.merge(http::router(app)), background)
        }
        ModeConfig::Etcd(etcd_config) => {
            let tickets = EtcdTickets::new(etcd_config, config.hold_ttl, config.min_seq_wait)
                .map_err(|e| ServeError::Config(e.to_string()))?;
            let tickets = Arc::new(tickets);
            let background = vec![tokio::spawn(etcd::run_sweeper(
                Arc::clone(&tickets),
                interval,
            ))];
            let app = App {
                tickets,
                max_qty: config.max_qty,
                max_body_bytes: config.max_body_bytes,
            };
            (http::router(app), background)
        }
    };
    let router = router.layer(axum::middleware::map_response(json_errors::as_json));
    let listener = IdleTimeoutListener::new(listener, config.read_timeout);
    let (stop, stopped) = oneshot::channel::<()>();
    let stopped = async {
        let _ = stopped.await;
    };
    let http = match &config.tls {
        Some(tls) => {
            let (listener, accepting) = TlsListener::new(listener, tls.acceptor()?)?;
            background.push(accepting);
            let serve = axum::serve(listener, router).with_graceful_shutdown(stopped);
            tokio::spawn(async move { serve.await })
        }
        None => {
            let serve = axum::serve(listener, router).with_graceful_shutdown(stopped);
            tokio::spawn(async move { serve.await })
        }
    };
    Ok(Server {
        addr,
        https: config.tls.is_some(),
        stop: Some(stop),
        http: Some(http),
        background,
    })
}
