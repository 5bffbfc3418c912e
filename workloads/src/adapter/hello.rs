//! The handshake: what Frenzy tells the adapter first, and the adapter's answer.

use crate::access::{Auth, TlsFiles};
use crate::op::Op;
use serde_json::{json, Map, Value};
use std::path::PathBuf;

/// The protocol version Frenzy speaks.
pub const PROTOCOL: u64 = 1;

/// Frenzy's hello: everything the adapter needs to know before the first operation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hello {
    /// The workload's name: `tickets`, `register`, `cas-register` or `kv`.
    pub workload: String,
    /// The nodes, as given; operations name them by address and by index.
    pub nodes: Vec<String>,
    /// The `--adapter-opt key=value` options.
    pub options: Map<String, Value>,
    /// TLS settings.
    pub tls: TlsFiles,
    /// Credentials.
    pub auth: Auth,
    /// What the system must hold before the run, as operations (tickets: `create_event`s),
    /// which the adapter performs before answering the hello.
    pub setup: Vec<Op>,
}

impl Hello {
    /// The hello line's JSON.
    pub fn to_json(&self) -> Value {
        let path = |p: &Option<PathBuf>| p.as_ref().map(|p| p.display().to_string());
        json!({
            "type": "hello",
            "protocol": PROTOCOL,
            "workload": self.workload,
            "nodes": self.nodes,
            "options": self.options,
            "tls": {
                "cacert": path(&self.tls.cacert),
                "cert": path(&self.tls.cert),
                "key": path(&self.tls.key),
                "insecure": self.tls.insecure,
            },
            "auth": {"user": self.auth.user, "password": self.auth.password, "token": self.auth.token},
            "setup": self.setup.iter().map(|op| json!({"f": op.f, "value": op.value})).collect::<Vec<_>>(),
        })
    }
}

/// The adapter's answer to the hello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterHello {
    /// The adapter's name, for messages and the log.
    pub name: String,
    /// The operations it performs.
    pub fs: Vec<String>,
}

impl AdapterHello {
    /// Reads a hello line: `{"type":"hello","name":...,"fs":[...]}`; `None` for anything else.
    pub fn parse(line: &str) -> Option<AdapterHello> {
        let v: Value = serde_json::from_str(line).ok()?;
        if v.get("type")?.as_str()? != "hello" {
            return None;
        }
        let name = v.get("name")?.as_str()?.to_owned();
        let fs = v
            .get("fs")?
            .as_array()?
            .iter()
            .map(|f| f.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()?;
        Some(AdapterHello { name, fs })
    }

    /// The fs of `needed` this adapter does not list.
    pub fn missing<'a>(&self, needed: &[&'a str]) -> Vec<&'a str> {
        needed
            .iter()
            .copied()
            .filter(|f| !self.fs.iter().any(|have| have == f))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hello_needs_a_name_and_a_list_of_fs() {
        let ok = AdapterHello::parse(r#"{"type":"hello","name":"x","fs":["read","write"]}"#);
        assert_eq!(ok.unwrap().missing(&["read", "cas"]), ["cas"]);
        for bad in [
            r#"{"type":"hello","fs":["read"]}"#,
            r#"{"type":"ok","name":"x","fs":[]}"#,
            r#"{"type":"hello","name":"x","fs":[1]}"#,
            "hello",
        ] {
            assert_eq!(AdapterHello::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn frenzys_hello_carries_nulls_for_what_is_absent() {
        let hello = Hello {
            workload: "register".into(),
            nodes: vec!["http://n1".into()],
            ..Hello::default()
        };
        let v = hello.to_json();
        assert_eq!(v["protocol"], 1);
        assert_eq!(v["tls"]["cacert"], Value::Null);
        assert_eq!(v["tls"]["insecure"], false);
        assert_eq!(v["auth"]["token"], Value::Null);
        assert_eq!(v["nodes"][0], "http://n1");
        assert_eq!(v["setup"], json!([]));
    }
}
