//! Whether every node of a local cluster serves: etcd answering its health check, ticketd (where
//! it runs) answering `GET /health` with 200. What `frenzy cluster heal` waits for.

use crate::etcd;
use crate::netns::cluster::ClusterState;

/// One sentence per node part that does not serve yet (`n2: ticketd /health answered 503`);
/// empty when the whole cluster serves.
pub async fn not_serving(client: &reqwest::Client, state: &ClusterState) -> Vec<String> {
    let mut out = Vec::new();
    for node in &state.nodes {
        if !etcd::healthy(client, &node.etcd_url).await {
            out.push(format!(
                "{}: etcd does not answer its health check",
                node.name
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
