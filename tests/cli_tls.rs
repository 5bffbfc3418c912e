//! TLS and credentials end to end, with certificates made here by openssl: a real etcd serving
//! https with client-certificate auth and user/password auth, and ticketd serving https. The
//! native clients and the example adapters run valid tests through them; a certificate that does
//! not verify, a client certificate the server rejects and wrong credentials are each one
//! sentence and exit 254 before the run.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const ETCD_ADAPTER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/adapters/etcd_gateway.py"
);
const TICKETS_ADAPTER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/adapters/tickets_http.py"
);

/// A folder for this test's certificates, stores and etcd data; removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("frenzy-tls-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch folder");
        Scratch(dir)
    }
    fn path(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(program: &str, args: &[&str]) -> Output {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Makes CA `ca` (ca.pem, ca.key) and, signed by it, a certificate with `extensions` for each
/// `name` (name.pem, name.key).
fn certificates(dir: &Scratch, ca: &str, names: &[(&str, &str)]) {
    let p = |f: String| dir.path(&f);
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    let mut args = vec!["req", "-x509", "-days", "2", "-subj"];
    let subject = format!("/CN={ca}");
    let (key, pem) = (p(format!("{ca}.key")), p(format!("{ca}.pem")));
    args.extend([subject.as_str(), "-keyout", &key, "-out", &pem]);
    args.extend(ec);
    run("openssl", &args);
    for (name, extensions) in names {
        let (key, csr, cert, ext) = (
            p(format!("{name}.key")),
            p(format!("{name}.csr")),
            p(format!("{name}.pem")),
            p(format!("{name}.ext")),
        );
        std::fs::write(&ext, extensions).unwrap();
        // etcd's gateway refuses client certificates that carry a CommonName (it cannot use it
        // as the user), so clients are named by organisation.
        let subject = if extensions.contains("subjectAltName") {
            format!("/CN={name}")
        } else {
            format!("/O={name}")
        };
        let mut args = vec!["req", "-subj", &subject, "-keyout", &key, "-out", &csr];
        args.extend(ec);
        run("openssl", &args);
        let ca_pem = p(format!("{ca}.pem"));
        let ca_key = p(format!("{ca}.key"));
        run(
            "openssl",
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                &ca_pem,
                "-CAkey",
                &ca_key,
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                &ext,
                "-out",
                &cert,
            ],
        );
    }
}

/// etcd's gateway dials its own gRPC server with the server certificate, so it is a client too.
const SERVER: &str =
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n";
const CLIENT: &str = "extendedKeyUsage=clientAuth\n";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One etcd member serving https with client-certificate auth, user `root` (password
/// `secret`) and auth enabled; killed when dropped.
struct TlsEtcd {
    child: Child,
    url: String,
}

impl TlsEtcd {
    fn start(dir: &Scratch) -> TlsEtcd {
        let (client, peer) = (free_port(), free_port());
        let url = format!("https://127.0.0.1:{client}");
        let peer_url = format!("http://127.0.0.1:{peer}");
        let cluster = format!("tls1={peer_url}");
        let log = std::fs::File::create(dir.path("etcd.log")).unwrap();
        let child = Command::new(std::env::var("FRENZY_ETCD").unwrap_or("etcd".into()))
            .args(["--name", "tls1", "--data-dir", &dir.path("etcd-data")])
            .args([
                "--listen-client-urls",
                &url,
                "--advertise-client-urls",
                &url,
            ])
            .args(["--listen-peer-urls", &peer_url])
            .args(["--initial-advertise-peer-urls", &peer_url])
            .args(["--initial-cluster", &cluster])
            .args(["--cert-file", &dir.path("server.pem")])
            .args(["--key-file", &dir.path("server.key")])
            .args([
                "--client-cert-auth",
                "--trusted-ca-file",
                &dir.path("ca.pem"),
            ])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("etcd starts");
        let etcd = TlsEtcd { child, url };
        let start = Instant::now();
        while !etcd.ctl(dir, &["endpoint", "health"]).status.success() {
            assert!(start.elapsed() < Duration::from_secs(20), "etcd came up");
            std::thread::sleep(Duration::from_millis(200));
        }
        let _ = etcd.ctl(dir, &["role", "add", "root"]);
        for args in [
            &["user", "add", "root:secret"][..],
            &["user", "grant-role", "root", "root"],
            &["auth", "enable"],
        ] {
            let out = etcd.ctl(dir, args);
            assert!(out.status.success(), "etcdctl {args:?}: {out:?}");
        }
        etcd
    }

    fn ctl(&self, dir: &Scratch, args: &[&str]) -> Output {
        Command::new("etcdctl")
            .env("ETCDCTL_API", "3")
            .args(["--endpoints", &self.url, "--cacert", &dir.path("ca.pem")])
            .args([
                "--cert",
                &dir.path("root.pem"),
                "--key",
                &dir.path("root.key"),
            ])
            .args(args)
            .output()
            .expect("etcdctl runs")
    }
}

impl Drop for TlsEtcd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn frenzy(dir: &Scratch, workload: &str, node: &str, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_frenzy"))
        .args(["test", "--workload", workload, "--node", node])
        .args([
            "--store",
            &dir.path("store"),
            "--time-limit",
            "1",
            "--warmup",
            "0.2",
        ])
        .args([
            "--quiesce",
            "0.2",
            "--concurrency",
            "4",
            "--rate",
            "80",
            "--seed",
            "5",
        ])
        .args(extra)
        .output()
        .expect("running frenzy")
}

fn valid(out: &Output, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Asserts exit 254 with one line naming `node` and containing `says`.
fn refused(out: &Output, node: &str, says: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(254), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
    assert!(
        err.contains(says) && err.contains(node),
        "{says:?} and {node} in {err}"
    );
}

#[test]
fn etcd_over_tls_with_client_certificates_and_passwords() {
    let dir = Scratch::new("etcd");
    certificates(&dir, "ca", &[("server", SERVER), ("root", CLIENT)]);
    certificates(&dir, "rogue-ca", &[("rogue", CLIENT)]);
    let etcd = TlsEtcd::start(&dir);
    let (ca, cert, key) = (
        dir.path("ca.pem"),
        dir.path("root.pem"),
        dir.path("root.key"),
    );
    let tls = ["--cacert", &ca, "--cert", &cert, "--key", &key];
    let login = ["--user", "root", "--password", "secret"];
    let all: Vec<&str> = tls.iter().chain(&login).copied().collect();

    valid(
        &frenzy(&dir, "cas-register", &etcd.url, &all),
        "native client",
    );
    let adapter = format!("python3 {ETCD_ADAPTER}");
    let mut through = all.clone();
    through.extend(["--adapter", &adapter]);
    valid(
        &frenzy(&dir, "cas-register", &etcd.url, &through),
        "adapter",
    );

    let unverified = frenzy(&dir, "register", &etcd.url, &tls[2..]);
    refused(
        &unverified,
        &etcd.url,
        "does not verify: it is signed by a CA that is neither --cacert nor one of the system's \
         roots (invalid peer certificate: UnknownIssuer)",
    );
    let (rogue, rogue_key) = (dir.path("rogue.pem"), dir.path("rogue.key"));
    let mut stranger = vec!["--cacert", &ca, "--cert", &rogue, "--key", &rogue_key];
    stranger.extend(login);
    let rejected = frenzy(&dir, "register", &etcd.url, &stranger);
    refused(&rejected, &etcd.url, "rejected the client certificate");
    let mut wrong = tls.to_vec();
    wrong.extend(["--user", "root", "--password", "wrong"]);
    let denied = frenzy(&dir, "register", &etcd.url, &wrong);
    refused(&denied, &etcd.url, "refused the credentials");
}

/// An in-process ticketd (eventual mode, one region) serving https with `cert` and `key`.
async fn https_ticketd(cert: &str, key: &str) -> ticketd::Server {
    use ticketd::tls::TlsConfig;
    use ticketd::{Config, EventualConfig, ModeConfig};
    let mut config = Config::new(ModeConfig::Eventual(EventualConfig {
        region: "r1".into(),
        peers: Vec::new(),
        replication_lag: Duration::from_millis(10),
        peer_ack_timeout: None,
        peer_secret: "cli-tls-test-peer-secret".into(),
    }));
    config.tls = Some(TlsConfig {
        cert: PathBuf::from(cert),
        key: PathBuf::from(key),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    ticketd::serve(config, listener)
        .await
        .expect("ticketd starts")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ticketd_over_tls() {
    let dir = Scratch::new("ticketd");
    certificates(&dir, "ca", &[("server", SERVER)]);
    let server = https_ticketd(&dir.path("server.pem"), &dir.path("server.key")).await;
    let url = server.url();
    assert!(url.starts_with("https://"), "{url}");
    let dir = std::sync::Arc::new(dir);
    let (d, u) = (dir.clone(), url.clone());
    tokio::task::spawn_blocking(move || {
        let ca = d.path("ca.pem");
        let tls = ["--cacert", ca.as_str(), "--token", "t0ken"];
        valid(&frenzy(&d, "tickets", &u, &tls), "native client");
        let adapter = format!("python3 {TICKETS_ADAPTER}");
        let mut through = tls.to_vec();
        through.extend(["--adapter", &adapter]);
        valid(&frenzy(&d, "tickets", &u, &through), "adapter");
        refused(&frenzy(&d, "tickets", &u, &[]), &u, "does not verify");
        valid(&frenzy(&d, "tickets", &u, &["--insecure"]), "--insecure");
        assert!(Path::new(&d.path("store")).exists());
    })
    .await
    .unwrap();
    drop(server);

    // A self-signed certificate as `openssl req -x509` makes it (CA:TRUE), given as --cacert:
    // refused, and the sentence says why in words.
    let (pem, key) = (dir.path("selfsigned.pem"), dir.path("selfsigned.key"));
    run(
        "openssl",
        &[
            "req",
            "-x509",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-nodes",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            &key,
            "-out",
            &pem,
        ],
    );
    let server = https_ticketd(&pem, &key).await;
    let url = server.url();
    let out =
        tokio::task::spawn_blocking(move || frenzy(&dir, "tickets", &url, &["--cacert", &pem]))
            .await
            .unwrap();
    refused(
        &out,
        "https://127.0.0.1",
        "serves a CA certificate as its own",
    );
    drop(server);
}
