#!/usr/bin/python3
"""A Frenzy adapter for the register and cas-register workloads on Redis with Sentinel (Debian's
python3-redis, hence /usr/bin/python3). Protocol: docs/adapters.md; findings: docs/systems.md.

It follows the primary as Sentinel reports it, the way redis-py's Sentinel client does: before
every operation it asks the Sentinels on the hello's nodes (redis://host:port; the Sentinel on the
same host, port `sentinel_port`), in order, and uses the first answer. Options (--adapter-opt):

- master=frenzy: the name the Sentinels monitor;
- sentinel_port=26379;
- cas=lua (default) or cas=watch: compare-and-set as one Lua script, or as WATCH/GET/MULTI/SET/EXEC;
- wait=N: after each write or successful cas, WAIT until N replicas have it (wait_ms=1000 at
  most); fewer than N is reported info (the write happened on the primary, and may be lost).

Values are kept as JSON text under the workload's keys."""
import json, os, sys, threading, urllib.parse

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_adapter import serve  # noqa: E402  (the protocol loop; no HTTP involved)

CAS = """if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2]) return 1 else return 0 end"""


class Refused(Exception):
    """Redis said no and changed nothing: a fail."""


class Store:
    def __init__(self, hello):
        options = hello["options"]
        self.master = options.get("master", "frenzy")
        self.cas_mode = options.get("cas", "lua")
        if self.cas_mode not in ("lua", "watch"):
            raise ValueError(f"cas={self.cas_mode}: use lua or watch")
        self.wait = int(options.get("wait", "0"))
        self.wait_ms = int(options.get("wait_ms", "1000"))
        port = int(options.get("sentinel_port", "26379"))
        hosts = [urllib.parse.urlsplit(n if "//" in n else "redis://" + n).hostname
                 for n in hello["nodes"]]
        self.sentinels = [redis.Redis(host=h, port=port, socket_timeout=0.5,
                                      socket_connect_timeout=0.5) for h in hosts]
        self.clients, self.lock = {}, threading.Lock()

    def primary(self):
        """A client for the primary the first answering Sentinel names."""
        for sentinel in self.sentinels:
            try:
                found = sentinel.sentinel_get_master_addr_by_name(self.master)
            except redis.RedisError:
                continue
            if found:
                with self.lock:
                    key = (found[0], int(found[1]))
                    if key not in self.clients:
                        self.clients[key] = redis.Redis(host=key[0], port=key[1], socket_timeout=2,
                                                        socket_connect_timeout=1)
                    return self.clients[key]
        raise Refused("no Sentinel answers")

    def replicated(self, client):
        """WAITs for the configured replicas; raises when fewer have the write."""
        if self.wait:
            got = client.wait(self.wait, self.wait_ms)
            if got < self.wait:
                raise RuntimeError(f"WAIT: {got} of {self.wait} replicas have the write")

    def cas(self, client, key, old, new):
        if self.cas_mode == "lua":
            return client.eval(CAS, 1, key, old, new) == 1
        with client.pipeline() as pipe:
            try:
                pipe.watch(key)
                if pipe.get(key) != old.encode():
                    pipe.unwatch()
                    return False
                pipe.multi()
                pipe.set(key, new)
                pipe.execute()
                return True
            except redis.WatchError:  # the key changed meanwhile: EXEC ran nothing
                return False


def perform(store, op):
    f, v = op["f"], op["value"]
    key, arg = v["key"], v["value"]
    try:
        client = store.primary()
    except Refused as e:
        return {"type": "fail", "error": str(e)}
    try:
        if f == "read":
            raw = client.get(key)
            return {"type": "ok", "value": {"key": key, "value": None if raw is None else json.loads(raw)}}
        if f == "write":
            client.set(key, json.dumps(arg))
        elif f == "cas":
            if not store.cas(client, key, json.dumps(arg[0]), json.dumps(arg[1])):
                return {"type": "fail", "error": "precondition failed"}
        else:
            return {"type": "fail", "error": f"unknown f {f}"}
        store.replicated(client)
        return {"type": "ok", "value": v}
    except redis.ReadOnlyError as e:  # a replica refused the write: nothing happened
        return {"type": "fail", "error": f"ReadOnlyError: {e}"}
    except Exception as e:  # a read changed nothing; a write may have taken effect
        return {"type": "fail" if f == "read" else "info", "error": f"{type(e).__name__}: {e}"}


def start(hello):
    store = Store(hello)
    store.primary().ping()
    return lambda op: perform(store, op)


if __name__ == "__main__":
    serve("redis-register", ["read", "write", "cas"], start)
