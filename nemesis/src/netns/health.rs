//! Whether every node of a local cluster serves: its system answering its health check (etcd,
//! PostgreSQL, Redis and Sentinel), ticketd (where it runs) answering `GET /health` with 200.
//! What `frenzy cluster heal` waits for.

use crate::etcd;
use crate::netns::cluster::ClusterState;

/// One sentence per node part that does not serve yet (`n2: ticketd /health answered 503`);
/// empty when the whole cluster serves.
pub async fn not_serving(state: &ClusterState) -> Vec<String> {
    let client = etcd::client(std::time::Duration::from_secs(1));
    let system = state.system.system();
    let mut out = Vec::new();
    for (i, node) in state.nodes.iter().enumerate() {
        if !system.healthy(state, i + 1).await.unwrap_or(false) {
            out.push(format!(
                "{}: {} does not answer its health check",
                node.name,
                system.name()
            ));
        }
        if let Some(url) = &node.ticketd_url {
            match client.get(format!("{url}/health")).send().await {
                Ok(r) if r.status().is_success() => {}
                Ok(r) => out.push(format!(
                    "{}: ticketd /health answered {}",
                    node.name,
                    r.status()
                )),
                Err(_) => out.push(format!("{}: ticketd does not answer at {url}", node.name)),
            }
        }
    }
    out
}
