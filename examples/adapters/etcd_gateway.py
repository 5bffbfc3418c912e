#!/usr/bin/env python3
"""A Frenzy adapter for etcd's JSON gateway (etcd 3.4: /v3/kv/range, /v3/kv/txn), for the
register, cas-register and kv workloads. Standard library only. Protocol: docs/adapters.md.

Options (--adapter-opt): reads=linearizable (default) or reads=serializable (answered by the member
alone: fast, possibly stale). https nodes use the hello's tls files; the hello's user and password
use etcd's auth (a token from /v3/auth/authenticate on every request).

Register values are stored as JSON text (an integer 3 as "3"), kv values as the string itself,
as Frenzy's native etcd client stores them, so both read each other's writes. An append is a
read-modify-write compared on the key's revision, so no append is lost to a race."""
import base64, json, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_adapter import Nodes, Unsent, serve  # noqa: E402


def b64(text):
    return base64.b64encode(text.encode()).decode()


class Etcd:
    def __init__(self, hello):
        self.nodes = Nodes(hello)
        self.serializable = hello["options"].get("reads", "linearizable") == "serializable"
        self.headers = {"Content-Type": "application/json"}
        auth = hello["auth"]
        if auth.get("user"):
            reply = self.call(0, "auth/authenticate", {"name": auth["user"], "password": auth.get("password") or ""})
            self.headers["Authorization"] = reply["token"]

    def call(self, node, path, body):
        """POSTs to /v3/<path>: the reply; RuntimeError when etcd answers an error."""
        status, data = self.nodes.request(node, "POST", f"/v3/{path}", json.dumps(body), self.headers)
        if status != 200:
            raise RuntimeError(f"etcd answered {status}: {data[:200].decode(errors='replace')}")
        return json.loads(data)

    def get(self, node, key):
        """The key's stored text and its mod revision ("" and 0 when never written)."""
        reply = self.call(node, "kv/range", {"key": b64(key), "serializable": self.serializable})
        kvs = reply.get("kvs") or []
        if not kvs:
            return "", 0
        return base64.b64decode(kvs[0].get("value", "")).decode(), int(kvs[0].get("mod_revision", 0))

    def read(self, node, key):
        text, revision = self.get(node, key)
        if not revision:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return text

    def put(self, node, key, text, compare):
        """Writes text if every etcd compare holds: whether it did."""
        put = {"request_put": {"key": b64(key), "value": b64(text)}}
        return self.call(node, "kv/txn", {"compare": compare, "success": [put]}).get("succeeded", False)

    def put_if(self, node, key, value, expected):
        """Writes a register value (if the key holds expected, when given): whether it did."""
        compare = [] if expected is None else [
            {"key": b64(key), "target": "VALUE", "result": "EQUAL", "value": b64(json.dumps(expected))}]
        return self.put(node, key, json.dumps(value), compare)

    def append(self, node, key, suffix):
        """Appends suffix, retrying when another write came between the read and the write."""
        for _ in range(8):
            text, revision = self.get(node, key)
            unchanged = [{"key": b64(key), "target": "MOD", "result": "EQUAL", "mod_revision": revision}]
            if self.put(node, key, text + suffix, unchanged):
                return True
        return False

    def perform(self, op):
        node, f, key, arg = op["node_index"], op["f"], op["value"]["key"], op["value"]["value"]
        try:
            if f == "read":
                return {"type": "ok", "value": {"key": key, "value": self.read(node, key)}}
            if f == "write":
                self.put_if(node, key, arg, None)
                return {"type": "ok", "value": op["value"]}
            if f == "cas":
                if self.put_if(node, key, arg[1], arg[0]):
                    return {"type": "ok", "value": op["value"]}
                return {"type": "fail", "error": "precondition failed"}
            if f == "get":
                return {"type": "ok", "value": {"key": key, "value": self.get(node, key)[0]}}
            if f == "put":
                self.put(node, key, arg, [])
                return {"type": "ok", "value": op["value"]}
            if f == "append":
                if self.append(node, key, arg):
                    return {"type": "ok", "value": op["value"]}
                return {"type": "fail", "error": "lost 8 races in a row; nothing appended"}
            return {"type": "fail", "error": f"{f} is not supported"}
        except Unsent as e:
            return {"type": "fail", "error": f"not sent: {e}"}
        except Exception as e:
            # A read changes nothing: it may fail. A write, cas, put or append may have taken
            # effect: info.
            return {"type": "fail" if f in ("read", "get") else "info", "error": str(e) or repr(e)}


def start(hello):
    etcd = Etcd(hello)
    for node in range(len(hello["nodes"])):
        etcd.read(node, "frenzy-preflight")
    return etcd.perform


if __name__ == "__main__":
    serve("etcd-gateway", ["read", "write", "cas", "get", "put", "append"], start)
