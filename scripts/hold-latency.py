#!/usr/bin/env python3
"""Throughput and latency of acknowledged holds in a stored run: `scripts/hold-latency.py RUN_DIR`
prints placed holds per second over the run and the p50/p99 of their latency (invoke to ok).
docs/systems.md quotes it for PostgreSQL's asynchronous and synchronous replication."""
import json, sys

invoked, latencies, last = {}, [], 0
with open(f"{sys.argv[1]}/history.jsonl") as history:
    for line in history:
        e = json.loads(line)
        last = max(last, e["time"])
        if e.get("f") != "place_hold":
            continue
        if e["type"] == "invoke":
            invoked[e["process"]] = e["time"]
        elif e["type"] == "ok" and e["process"] in invoked:
            latencies.append((e["time"] - invoked.pop(e["process"])) / 1e6)
latencies.sort()
pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0
print(f"{len(latencies)} holds in {last / 1e9:.1f} s: {len(latencies) / (last / 1e9):.0f} holds/s, "
      f"p50 {pick(0.5):.1f} ms, p99 {pick(0.99):.1f} ms")
