#!/usr/bin/env python3
"""A complete Frenzy adapter: keyed registers kept in this process (a correct, linearizable
"system"), for the register and cas-register workloads. Protocol: docs/adapters.md."""
import json, sys, threading

registers, lock = {}, threading.Lock()

def perform(f, key, arg):
    with lock:  # one lock: every operation takes effect at one instant
        if f == "read":
            return {"type": "ok", "value": {"key": key, "value": registers.get(key)}}
        if f == "write":
            registers[key] = arg
            return {"type": "ok", "value": {"key": key, "value": arg}}
        if f == "cas" and registers.get(key) == arg[0]:
            registers[key] = arg[1]
            return {"type": "ok", "value": {"key": key, "value": arg}}
        if f == "cas":  # the compare failed: certainly nothing happened
            return {"type": "fail", "error": "precondition failed"}
        return {"type": "fail", "error": f"unknown f {f}"}

hello = json.loads(sys.stdin.readline())  # the workload, nodes and options: unused here
print(json.dumps({"type": "hello", "name": "memory-register", "fs": ["read", "write", "cas"]}), flush=True)
for line in sys.stdin:  # Frenzy closing stdin means: exit
    op = json.loads(line)
    try:
        answer = perform(op["f"], op["value"]["key"], op["value"]["value"])
    except Exception as e:  # it may have taken effect: info, never fail
        answer = {"type": "info", "error": repr(e)}
    print(json.dumps({"id": op["id"], **answer}), flush=True)
