//! A TCP proxy on loopback that a test or demo can cut and heal: the way ticketd's regions and the
//! members of a [`crate::local_etcd`] cluster are partitioned without root or network namespaces.
//! Test and demo support; not used by the ticketd server itself.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

/// The most bytes read while looking for the sender header of an HTTP request.
const SNIFF_LIMIT: usize = 16 * 1024;
/// How long to wait for the first request's header before treating the sender as unknown.
const SNIFF_TIMEOUT: Duration = Duration::from_millis(500);

/// Which connections are refused and dropped.
#[derive(Debug, Clone, Default)]
struct Cuts {
    all: bool,
    senders: HashSet<String>,
}

impl Cuts {
    fn allows(&self, sender: Option<&str>) -> bool {
        !self.all && !sender.is_some_and(|s| self.senders.contains(s))
    }
}

/// A proxy from a loopback port to `target`. Dropping it closes every connection it carries.
#[derive(Debug)]
pub struct Proxy {
    addr: SocketAddr,
    cuts: Arc<watch::Sender<Cuts>>,
    task: JoinHandle<()>,
}

impl Proxy {
    /// Proxies a free loopback port to `target`.
    pub async fn start(target: SocketAddr) -> std::io::Result<Proxy> {
        Self::start_inner(target, None).await
    }

    /// Like [`Proxy::start`], and reads the value of the HTTP header `sender_header` of the first
    /// request on each connection (etcd peers send `X-Server-From`), so [`Proxy::cut_sender`] can
    /// cut one sender's connections only.
    pub async fn start_http(
        target: SocketAddr,
        sender_header: &'static str,
    ) -> std::io::Result<Proxy> {
        Self::start_inner(target, Some(sender_header)).await
    }

    async fn start_inner(
        target: SocketAddr,
        header: Option<&'static str>,
    ) -> std::io::Result<Proxy> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let cuts = Arc::new(watch::Sender::new(Cuts::default()));
        let task = tokio::spawn(accept_loop(listener, target, header, Arc::clone(&cuts)));
        Ok(Proxy { addr, cuts, task })
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://addr`, for proxies in front of HTTP services.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Drops every connection and refuses new ones until [`Proxy::heal`].
    pub fn cut(&self) {
        self.cuts.send_modify(|c| c.all = true);
    }

    /// Drops and refuses the connections whose sender header is `sender`.
    pub fn cut_sender(&self, sender: &str) {
        self.cuts.send_modify(|c| {
            c.senders.insert(sender.to_string());
        });
    }

    /// Lets every connection through again.
    pub fn heal(&self) {
        self.cuts.send_replace(Cuts::default());
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(
    listener: TcpListener,
    target: SocketAddr,
    header: Option<&'static str>,
    cuts: Arc<watch::Sender<Cuts>>,
) {
    let mut connections = JoinSet::new();
    while let Ok((client, _)) = listener.accept().await {
        while connections.try_join_next().is_some() {}
        connections.spawn(carry(client, target, header, cuts.subscribe()));
    }
}

/// Reads the first request header of an HTTP connection and returns the bytes read and the value
/// of `header`, if any.
async fn sniff(client: &mut TcpStream, header: &str) -> (Vec<u8>, Option<String>) {
    let mut seen = Vec::new();
    let mut chunk = [0u8; 4096];
    let reading = async {
        while seen.len() < SNIFF_LIMIT && !seen.windows(4).any(|w| w == b"\r\n\r\n") {
            match client.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&chunk[..n]),
            }
        }
    };
    let _ = tokio::time::timeout(SNIFF_TIMEOUT, reading).await;
    let text = String::from_utf8_lossy(&seen);
    let sender = text.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case(header)
            .then(|| value.trim().to_string())
    });
    (seen, sender)
}

/// Carries one connection until either side closes it or a cut applies to it.
async fn carry(
    mut client: TcpStream,
    target: SocketAddr,
    header: Option<&'static str>,
    mut cuts: watch::Receiver<Cuts>,
) {
    let (prefix, sender) = match header {
        Some(header) => sniff(&mut client, header).await,
        None => (Vec::new(), None),
    };
    if !cuts.borrow().allows(sender.as_deref()) {
        return;
    }
    let Ok(mut upstream) = TcpStream::connect(target).await else {
        return;
    };
    if upstream.write_all(&prefix).await.is_err() {
        return;
    }
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut upstream) => {}
        _ = cuts.wait_for(|c| !c.allows(sender.as_deref())) => {}
    }
}
