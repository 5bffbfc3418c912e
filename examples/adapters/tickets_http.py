#!/usr/bin/env python3
"""A Frenzy adapter for the ticket HTTP contract (docs/http-contract.md), for the tickets workload.
Standard library only. Protocol: docs/adapters.md.

Creates the hello's events on every node before answering it; https nodes use the hello's tls
files; the hello's token is sent as a bearer token."""
import json, os, sys, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_adapter import Unsent, Nodes, serve  # noqa: E402

FS = ["create_event", "place_hold", "release", "confirm", "read_inventory", "list_holds", "read_log"]
RESULTS = {  # the fields an ok answer adds to the invocation (docs/operations.md)
    "place_hold": ["hold", "seq"], "release": ["seq"], "confirm": ["seq"], "create_event": [],
    "read_inventory": ["remaining", "seq"], "list_holds": ["holds", "seq"], "read_log": ["entries"],
}


class Service:
    def __init__(self, hello):
        self.nodes = Nodes(hello)
        self.headers = {"Content-Type": "application/json"}
        if hello["auth"].get("token"):
            self.headers["Authorization"] = "Bearer " + hello["auth"]["token"]

    def request(self, node, method, segments, body=None, query=None):
        """(status, JSON body or None); raises Unsent when nothing was sent."""
        path = "/" + "/".join(urllib.parse.quote(s, safe="") for s in segments)
        if query:
            path += "?" + urllib.parse.urlencode(query)
        body = None if body is None else json.dumps(body)
        status, data = self.nodes.request(node, method, path, body, self.headers)
        try:
            return status, json.loads(data) if data else None
        except ValueError:
            return status, None


def call(service, node, f, v):
    """The request that performs f with invocation value v."""
    if f == "create_event":
        return service.request(node, "PUT", ["events", v["event"]], {"capacity": v["capacity"]})
    if f == "place_hold":
        body = {k: v.get(k) for k in ("user", "qty", "request_id")}
        return service.request(node, "POST", ["events", v["event"], "holds"], body)
    if f == "release":
        return service.request(node, "DELETE", ["holds", v["hold"]])
    if f == "confirm":
        return service.request(node, "POST", ["holds", v["hold"], "confirm"])
    if f == "read_inventory":
        return service.request(node, "GET", ["events", v["event"]])
    if f == "list_holds":
        query = {"user": v["user"], **({"min_seq": v["min_seq"]} if "min_seq" in v else {})}
        return service.request(node, "GET", ["events", v["event"], "holds"], query=query)
    if f == "read_log":
        query = {"after": v["after"]} if "after" in v else None
        return service.request(node, "GET", ["events", v["event"], "log"], query=query)
    raise ValueError(f"{f} is not an operation of the ticket contract")


def perform(service, op):
    f, v = op["f"], op["value"]
    try:
        status, body = call(service, op["node_index"], f, v)
    except Unsent as e:
        return {"type": "fail", "error": f"not sent: {e}"}
    except ValueError as e:
        return {"type": "fail", "error": str(e)}
    except Exception as e:  # sent, no answer: it may have taken effect
        return {"type": "info", "error": f"no answer: {e!r}"}
    if 200 <= status < 300:
        if body is None:
            return {"type": "info", "error": f"{status} with an unreadable body"}
        if f == "read_log":
            body.setdefault("entries", [])
        return {"type": "ok", "value": {**v, **{k: body.get(k) for k in RESULTS[f]}}}
    code = (body or {}).get("error") or str(status)
    # A 5xx may have taken effect (info), except a read that could not catch up (503 stale).
    if status >= 500 and not (status == 503 and code == "stale"):
        return {"type": "info", "error": code}
    return {"type": "fail", "error": code}


def start(hello):
    service = Service(hello)
    for node in range(len(hello["nodes"])):
        for setup in hello["setup"]:
            answer = perform(service, {"node_index": node, **setup})
            if answer["type"] != "ok":
                raise RuntimeError(f"{setup['f']} on {hello['nodes'][node]} failed: {answer['error']}")
    return lambda op: perform(service, op)


if __name__ == "__main__":
    serve("tickets-http", FS, start)
