//! What the nemesis asks etcd (over its JSON gateway): health, member status, the leader.

use crate::error::{NemesisError, Result};
use serde::Deserialize;
use std::collections::HashMap;
use std::time::Duration;

/// One member's answer to `POST /v3/maintenance/status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberStatus {
    /// This member's id.
    pub member_id: String,
    /// The id of the member it believes leads ("0" when none).
    pub leader: String,
    /// The revision of its store.
    pub revision: u64,
    /// Its Raft term.
    pub raft_term: u64,
}

#[derive(Deserialize)]
struct StatusBody {
    header: Header,
    #[serde(default)]
    leader: Option<String>,
    #[serde(default, rename = "raftTerm")]
    raft_term: Option<String>,
}

#[derive(Deserialize)]
struct Header {
    member_id: String,
    #[serde(default)]
    revision: Option<String>,
}

/// An HTTP client for nodes Frenzy made: plain http, no proxy from the environment.
pub fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(timeout)
        .build()
        .unwrap_or_default()
}

/// Asks the member at `base` (`http://10.0.0.1:2379`) for its status.
pub async fn status(client: &reqwest::Client, base: &str) -> Result<MemberStatus> {
    let url = format!("{base}/v3/maintenance/status");
    let err = |message: String| NemesisError::Http {
        url: url.clone(),
        message,
    };
    let resp = client
        .post(&url)
        .body("{}")
        .send()
        .await
        .map_err(|e| err(e.to_string()))?;
    if !resp.status().is_success() {
        return Err(err(format!("status {}", resp.status())));
    }
    let body: StatusBody = resp.json().await.map_err(|e| err(e.to_string()))?;
    let num = |s: Option<String>| s.and_then(|s| s.parse().ok()).unwrap_or(0);
    Ok(MemberStatus {
        member_id: body.header.member_id,
        leader: body.leader.unwrap_or_else(|| "0".into()),
        revision: num(body.header.revision),
        raft_term: num(body.raft_term),
    })
}

/// True when the member at `base` answers `GET /health` with `"health":"true"`.
pub async fn healthy(client: &reqwest::Client, base: &str) -> bool {
    match client.get(format!("{base}/health")).send().await {
        Ok(resp) => resp
            .json::<serde_json::Value>()
            .await
            .is_ok_and(|v| v["health"] == "true"),
        Err(_) => false,
    }
}

/// The node most members name as leader, among `(name, client URL)` pairs; `None` when no node
/// is named by a majority of the members that answered (during an election, for instance).
pub async fn leader(client: &reqwest::Client, members: &[(String, String)]) -> Option<String> {
    let mut ids = HashMap::new();
    let mut votes: HashMap<String, usize> = HashMap::new();
    for (name, url) in members {
        if let Ok(s) = status(client, url).await {
            ids.insert(s.member_id.clone(), name.clone());
            *votes.entry(s.leader).or_default() += 1;
        }
    }
    let (id, count) = votes.into_iter().max_by_key(|(_, c)| *c)?;
    if count * 2 > members.len() {
        ids.get(&id).cloned()
    } else {
        None
    }
}

/// The revision every member reports, when all of them answer and agree.
pub async fn converged(client: &reqwest::Client, members: &[(String, String)]) -> Option<u64> {
    let mut revision = None;
    for (_, url) in members {
        let r = status(client, url).await.ok()?.revision;
        if revision.is_some_and(|seen| seen != r) {
            return None;
        }
        revision = Some(r);
    }
    revision
}
