//! A TCP proxy for one link, with runtime controls: cut, heal, delay and loss.
//!
//! A cut holds the bytes in both directions (as a partition does to TCP, which keeps
//! retransmitting) and delivers them after the heal; connections made during a cut are accepted
//! but reach the upstream only after the heal. Delay postpones every chunk by at least the delay
//! without reordering. Loss makes a chunk late by [`RETRANSMIT`] with the given probability, which
//! is what a lost segment costs a TCP stream.

use crate::error::{NemesisError, Result};
use crate::rng::Rng;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// How late a lost chunk arrives (one TCP retransmission timeout).
pub const RETRANSMIT: Duration = Duration::from_millis(200);

/// The settings of a link at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LinkState {
    /// Traffic is held in both directions.
    pub cut: bool,
    /// Added to every chunk.
    pub delay: Duration,
    /// Probability that a chunk is lost and retransmitted.
    pub loss: f64,
    /// The proxy was dropped: every connection ends.
    closed: bool,
}

/// One running proxy: listens on [`Proxy::local_addr`] and forwards to its upstream.
/// Dropping it closes the listener and every connection.
#[derive(Debug)]
pub struct Proxy {
    addr: SocketAddr,
    upstream: SocketAddr,
    state: Arc<watch::Sender<LinkState>>,
    accept: JoinHandle<()>,
}

impl Proxy {
    /// Binds `listen` (port 0 picks a free port) and forwards every connection to `upstream`.
    pub async fn start(listen: SocketAddr, upstream: SocketAddr) -> Result<Proxy> {
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|source| NemesisError::Net {
                what: format!("proxy: binding {listen}"),
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| NemesisError::Net {
            what: "proxy: local address".into(),
            source,
        })?;
        let state = Arc::new(watch::channel(LinkState::default()).0);
        let accept = tokio::spawn(accept_loop(listener, upstream, state.clone()));
        Ok(Proxy {
            addr,
            upstream,
            state,
            accept,
        })
    }

    /// The address clients (or peers) connect to.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where the traffic goes.
    pub fn upstream(&self) -> SocketAddr {
        self.upstream
    }

    /// The current settings.
    pub fn state(&self) -> LinkState {
        *self.state.borrow()
    }

    /// Holds all traffic in both directions until [`Proxy::heal`].
    pub fn cut(&self) {
        self.state.send_modify(|s| s.cut = true);
    }

    /// Removes the cut, the delay and the loss.
    pub fn heal(&self) {
        self.state.send_modify(|s| {
            s.cut = false;
            s.delay = Duration::ZERO;
            s.loss = 0.0;
        });
    }

    /// Delays every chunk by `delay` (zero removes it).
    pub fn delay(&self, delay: Duration) {
        self.state.send_modify(|s| s.delay = delay);
    }

    /// Loses each chunk with probability `p` (clamped to 0..=1).
    pub fn lossy(&self, p: f64) {
        self.state.send_modify(|s| s.loss = p.clamp(0.0, 1.0));
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.state.send_modify(|s| s.closed = true);
        self.accept.abort();
    }
}

/// Seeds for the per-direction loss decisions.
static SEEDS: AtomicU64 = AtomicU64::new(1);

async fn accept_loop(
    listener: TcpListener,
    upstream: SocketAddr,
    state: Arc<watch::Sender<LinkState>>,
) {
    while let Ok((client, _)) = listener.accept().await {
        tokio::spawn(connection(client, upstream, state.subscribe()));
    }
}

/// Waits until the link is not cut; false when the proxy closed meanwhile.
async fn passable(rx: &mut watch::Receiver<LinkState>) -> bool {
    rx.wait_for(|s| s.closed || !s.cut)
        .await
        .is_ok_and(|s| !s.closed)
}

async fn connection(client: TcpStream, upstream: SocketAddr, mut rx: watch::Receiver<LinkState>) {
    if !passable(&mut rx).await {
        return;
    }
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    tokio::join!(direction(cr, sw, rx.clone()), direction(sr, cw, rx.clone()));
}

/// One direction of a connection: a reader stamping chunks, a writer delivering them on time.
async fn direction(from: OwnedReadHalf, to: OwnedWriteHalf, rx: watch::Receiver<LinkState>) {
    let (tx, chunks) = mpsc::channel(64);
    let rng = Rng::new(SEEDS.fetch_add(1, Ordering::Relaxed));
    tokio::join!(
        read_side(from, tx, rx.clone(), rng),
        write_side(to, chunks, rx)
    );
}

async fn read_side(
    mut from: OwnedReadHalf,
    tx: mpsc::Sender<(Instant, Vec<u8>)>,
    mut rx: watch::Receiver<LinkState>,
    mut rng: Rng,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = tokio::select! {
            r = from.read(&mut buf) => match r { Ok(0) | Err(_) => return, Ok(n) => n },
            _ = rx.wait_for(|s| s.closed) => return,
        };
        let s = *rx.borrow();
        let mut due = Instant::now() + s.delay;
        if s.loss > 0.0 && rng.unit() < s.loss {
            due += RETRANSMIT;
        }
        if tx.send((due, buf[..n].to_vec())).await.is_err() {
            return;
        }
    }
}

async fn write_side(
    mut to: OwnedWriteHalf,
    mut chunks: mpsc::Receiver<(Instant, Vec<u8>)>,
    mut rx: watch::Receiver<LinkState>,
) {
    while let Some((due, chunk)) = chunks.recv().await {
        tokio::time::sleep_until(due).await;
        if !passable(&mut rx).await || to.write_all(&chunk).await.is_err() {
            return;
        }
    }
    let _ = to.shutdown().await;
}
