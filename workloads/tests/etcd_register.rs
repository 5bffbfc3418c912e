//! The cas-register and kv workloads against a real 3-member etcd cluster through its JSON
//! gateway: linearizable, as etcd promises.

mod support;

use checker::check::{check, CheckOptions};
use checker::models::ModelOptions;
use checker::verdict::Verdict;
use std::sync::Arc;
use support::*;
use ticketd::local_etcd::LocalEtcd;
use workloads::etcd::{EtcdClient, KvWorkload, RegisterWorkload};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn etcd_registers_and_kv_are_linearizable() {
    let etcd = LocalEtcd::start(3).await.expect("a 3-member etcd cluster");
    let client = Arc::new(EtcdClient::new(&etcd.client_urls(), false).expect("valid URLs"));
    client.preflight().await.expect("etcd speaks its gateway");
    let p = phases(6, 3, 2.0);

    let registers = Arc::new(RegisterWorkload::new(&tag("reg"), 60));
    let history = record(registers, client.clone(), &p, &mut no_faults()).await;
    let counts = history.op_counts();
    assert!(
        counts.ok > 50 && counts.fail > 0,
        "reads, writes and some failed cas: {counts:?}"
    );
    let result = check(
        &history,
        "cas-register",
        &ModelOptions::default(),
        &CheckOptions::default(),
    )
    .unwrap();
    assert_eq!(result.valid, Verdict::Valid, "{result:?}");
    assert!(result.partitions.len() > 1, "several keys were used");

    let kv = Arc::new(KvWorkload::new(&tag("kv"), 60));
    let history = record(kv, client, &p, &mut no_faults()).await;
    let result = check(
        &history,
        "kv",
        &ModelOptions::default(),
        &CheckOptions::default(),
    )
    .unwrap();
    assert_eq!(result.valid, Verdict::Valid, "{result:?}");
}
