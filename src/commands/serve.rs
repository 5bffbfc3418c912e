//! `frenzy serve`: an index of the store's runs (name, time, verdict, operations) with links to
//! their reports, over HTTP on loopback by default.

use crate::exit::user_error;
use anyhow::Context;
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;
use ticketd::idle_timeout::{IdleTimeoutListener, DEFAULT_READ_TIMEOUT, SHUTDOWN_DEADLINE};
use tokio::signal::unix::{signal, SignalKind};

/// Flags of `frenzy serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The store folder to serve (the one `frenzy test` and `frenzy report` write).
    #[arg(long, value_name = "DIR", default_value = "store")]
    store: PathBuf,
    /// Address to listen on. Loopback by default; any other address exposes the runs to the network.
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
}

/// Serves until Ctrl-C or SIGTERM (open requests get a few seconds); returns 0.
pub fn run(args: ServeArgs) -> anyhow::Result<u8> {
    if !args.store.is_dir() {
        return Err(user_error(format!(
            "the store folder {} does not exist: run `frenzy test` or `frenzy report HISTORY --model M` first, or pass --store DIR",
            args.store.display()
        )));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        // Handled before the address is printed, so a signal right after still stops cleanly.
        let mut interrupt = signal(SignalKind::interrupt()).context("handling SIGINT")?;
        let mut terminate = signal(SignalKind::terminate()).context("handling SIGTERM")?;
        let listener = tokio::net::TcpListener::bind(args.addr).await.map_err(|e| {
            user_error(format!(
                "cannot listen on {}: {e}; pass another --addr (e.g. 127.0.0.1:0 for any free port)",
                args.addr
            ))
        })?;
        let bound = listener.local_addr()?;
        if !bound.ip().is_loopback() {
            eprintln!("warning: serving on {bound}, which is not a loopback address: anyone who can reach it can read the runs");
        }
        outln!(
            "serving the runs of {} at http://{bound}/ (Ctrl-C to stop)",
            args.store.display()
        );
        let listener = IdleTimeoutListener::new(listener, DEFAULT_READ_TIMEOUT);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = reports::serve::serve_on(listener, args.store.clone(), async {
            let _ = stopped.await;
        });
        tokio::pin!(server);
        tokio::select! {
            ended = &mut server => return ended.map(|()| 0).map_err(Into::into),
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        let _ = stop.send(());
        // Open requests get a few seconds; a client holding one longer is dropped.
        if let Ok(ended) = tokio::time::timeout(SHUTDOWN_DEADLINE, server).await {
            ended?;
        }
        Ok(0)
    })
}
