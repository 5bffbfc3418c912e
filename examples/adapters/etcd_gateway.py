#!/usr/bin/env python3
"""A Frenzy adapter for etcd's JSON gateway (etcd 3.4: /v3/kv/range, /v3/kv/put, /v3/kv/txn), for
the register and cas-register workloads. Standard library only. Protocol: docs/adapters.md.

Options (--adapter-opt): reads=linearizable (default) or reads=serializable (answered by the member
alone: fast, possibly stale). https nodes use the hello's tls files; the hello's user and password
use etcd's auth (a token from /v3/auth/authenticate on every request).

Register values are stored as JSON text (an integer 3 as "3"), as Frenzy's native etcd client
stores them, so both read each other's writes."""
import base64, http.client, json, ssl, sys, threading, urllib.parse
from concurrent.futures import ThreadPoolExecutor

FS = ["read", "write", "cas"]
TIMEOUT = 10  # seconds; Frenzy's --op-timeout usually ends the wait first


def b64(text):
    return base64.b64encode(text.encode()).decode()


class Unsent(Exception):
    """The request certainly did not reach etcd."""


class Etcd:
    def __init__(self, hello):
        self.nodes = [urllib.parse.urlsplit(n) for n in hello["nodes"]]
        self.serializable = hello["options"].get("reads", "linearizable") == "serializable"
        self.tls = self.tls_context(hello["tls"])
        self.local = threading.local()  # one connection per node per thread, kept alive
        self.token = None
        auth = hello["auth"]
        if auth.get("user"):
            reply = self.call(0, "auth/authenticate", {"name": auth["user"], "password": auth.get("password") or ""})
            self.token = reply["token"]

    @staticmethod
    def tls_context(tls):
        context = ssl.create_default_context(cafile=tls.get("cacert"))
        if tls.get("cert"):
            context.load_cert_chain(tls["cert"], tls.get("key"))
        if tls.get("insecure"):
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def connection(self, node):
        conns = self.local.__dict__.setdefault("conns", {})
        if node not in conns:
            url = self.nodes[node]
            if url.scheme == "https":
                conns[node] = http.client.HTTPSConnection(url.hostname, url.port or 443, timeout=TIMEOUT, context=self.tls)
            else:
                conns[node] = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=TIMEOUT)
        return conns[node]

    def call(self, node, path, body):
        """POSTs to /v3/<path> on node; raises Unsent when nothing was sent, RuntimeError on an
        etcd error, other exceptions when the outcome is unknown."""
        conn = self.connection(node)
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = self.token
        base = self.nodes[node].path.rstrip("/")
        try:
            conn.request("POST", f"{base}/v3/{path}", json.dumps(body), headers)
        except (ConnectionRefusedError, ssl.SSLError) as e:
            conn.close()
            raise Unsent(str(e))
        except Exception:
            conn.close()
            raise
        try:
            reply = conn.getresponse()
            data = reply.read()
        except Exception:
            conn.close()
            raise
        if reply.status != 200:
            raise RuntimeError(f"etcd answered {reply.status}: {data[:200].decode(errors='replace')}")
        return json.loads(data)

    def read(self, node, key):
        reply = self.call(node, "kv/range", {"key": b64(key), "serializable": self.serializable})
        kvs = reply.get("kvs") or []
        if not kvs:
            return None
        text = base64.b64decode(kvs[0].get("value", "")).decode()
        try:
            return json.loads(text)
        except ValueError:
            return text

    def put_if(self, node, key, value, expected):
        """Writes value (if the key holds expected, when given): whether it did."""
        put = {"request_put": {"key": b64(key), "value": b64(json.dumps(value))}}
        compare = [] if expected is None else [
            {"key": b64(key), "target": "VALUE", "result": "EQUAL", "value": b64(json.dumps(expected))}]
        reply = self.call(node, "kv/txn", {"compare": compare, "success": [put]})
        return reply.get("succeeded", False)


def perform(etcd, op):
    node, f, key, arg = op["node_index"], op["f"], op["value"]["key"], op["value"]["value"]
    try:
        if f == "read":
            return {"type": "ok", "value": {"key": key, "value": etcd.read(node, key)}}
        if f == "write":
            etcd.put_if(node, key, arg, None)
            return {"type": "ok", "value": op["value"]}
        if f == "cas":
            if etcd.put_if(node, key, arg[1], arg[0]):
                return {"type": "ok", "value": op["value"]}
            return {"type": "fail", "error": "precondition failed"}
        return {"type": "fail", "error": f"{f} is not supported"}
    except Unsent as e:
        return {"type": "fail", "error": f"not sent: {e}"}
    except Exception as e:
        # A read changes nothing: it may fail. A write or cas may have taken effect: info.
        return {"type": "fail" if f == "read" else "info", "error": str(e) or repr(e)}


def main():
    hello = json.loads(sys.stdin.readline())
    try:
        etcd = Etcd(hello)
        for node in range(len(etcd.nodes)):
            etcd.read(node, "frenzy-preflight")
    except Exception as e:
        print(f"etcd_gateway: cannot use the nodes {hello['nodes']}: {e}", file=sys.stderr)
        sys.exit(1)
    out = threading.Lock()

    def answer(op):
        line = json.dumps({"id": op["id"], **perform(etcd, op)})
        with out:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    print(json.dumps({"type": "hello", "name": "etcd-gateway", "fs": FS}), flush=True)
    with ThreadPoolExecutor(max_workers=64) as pool:
        for line in sys.stdin:
            pool.submit(answer, json.loads(line))


if __name__ == "__main__":
    main()
