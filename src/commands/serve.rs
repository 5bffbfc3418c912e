//! `frenzy serve`: an index of the store's runs (name, time, verdict, operations) with links to
//! their reports, over HTTP on loopback by default.

use crate::exit::user_error;
use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

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

/// Serves until Ctrl-C; returns 0.
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
        println!(
            "serving the runs of {} at http://{bound}/ (Ctrl-C to stop)",
            args.store.display()
        );
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        reports::serve::serve_on(listener, args.store.clone(), shutdown).await?;
        Ok(0)
    })
}
