"""What Frenzy's HTTP example adapters share (standard library only; docs/adapters.md): the
protocol loop, answering operations on a thread pool, and kept-alive http/https connections to
the hello's nodes with its tls files."""
import http.client, json, ssl, sys, threading, urllib.parse
from concurrent.futures import ThreadPoolExecutor

TIMEOUT = 10  # seconds; Frenzy's --op-timeout usually ends the wait first


class Unsent(Exception):
    """The request certainly did not reach the node: the operation may be failed."""


class Nodes:
    """The hello's nodes over http or https, one kept-alive connection per node per thread."""

    def __init__(self, hello):
        self.urls = [urllib.parse.urlsplit(n) for n in hello["nodes"]]
        tls = hello["tls"]
        self.tls = ssl.create_default_context(cafile=tls.get("cacert"))
        if tls.get("cert"):
            self.tls.load_cert_chain(tls["cert"], tls.get("key"))
        if tls.get("insecure"):
            self.tls.check_hostname = False
            self.tls.verify_mode = ssl.CERT_NONE
        self.local = threading.local()

    def connection(self, node):
        conns = self.local.__dict__.setdefault("conns", {})
        if node not in conns:
            url = self.urls[node]
            if url.scheme == "https":
                conns[node] = http.client.HTTPSConnection(url.hostname, url.port or 443, timeout=TIMEOUT, context=self.tls)
            else:
                conns[node] = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=TIMEOUT)
        return conns[node]

    def request(self, node, method, path, body, headers):
        """(status, body bytes) of a request to the node's base path + path. Raises Unsent when
        the connection could not be made; any other exception means the outcome is unknown."""
        conn = self.connection(node)
        try:
            conn.request(method, self.urls[node].path.rstrip("/") + path, body, headers)
        except (ConnectionRefusedError, ssl.SSLError) as e:
            conn.close()
            raise Unsent(str(e))
        except Exception:
            conn.close()
            raise
        try:
            reply = conn.getresponse()
            return reply.status, reply.read()
        except Exception:
            conn.close()
            raise


def serve(name, fs, start):
    """Runs the protocol: reads Frenzy's hello, calls start(hello), which does the setup and
    returns perform(op) -> answer; answers the hello, then each operation on a thread pool. An
    exception in start is printed to stderr and exits 1, which Frenzy reports before the run."""
    hello = json.loads(sys.stdin.readline())
    try:
        perform = start(hello)
    except Exception as e:
        print(f"{name}: cannot use the nodes {hello['nodes']}: {e}", file=sys.stderr)
        sys.exit(1)
    out = threading.Lock()

    def answer(op):
        line = json.dumps({"id": op["id"], **perform(op)})
        with out:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    print(json.dumps({"type": "hello", "name": name, "fs": fs}), flush=True)
    with ThreadPoolExecutor(max_workers=64) as pool:
        for line in sys.stdin:  # Frenzy closing stdin means: exit
            pool.submit(answer, json.loads(line))
