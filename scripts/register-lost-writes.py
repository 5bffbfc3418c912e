#!/usr/bin/env python3
"""Acknowledged and unknown writes of a stored register run, and the acknowledged ones the final
reads prove lost: `scripts/register-lost-writes.py RUN_DIR` counts the ok and info writes, the
invalid keys, and the ok writes on keys whose last read (the final read) found nothing: written
only where they were then lost, a lower bound on the acknowledged writes lost. docs/systems.md
quotes it for Redis with and without WAIT."""
import json, sys

run = sys.argv[1]
ok, info, last_read = {}, 0, {}
with open(f"{run}/history.jsonl") as history:
    for line in history:
        e = json.loads(line)
        if e["process"] == "nemesis" or e["type"] == "invoke":
            continue
        key = e["value"]["key"]
        if e["f"] in ("write", "cas") and e["type"] == "ok":
            ok[key] = ok.get(key, 0) + 1
        elif e["f"] in ("write", "cas") and e["type"] == "info":
            info += 1
        elif e["f"] == "read" and e["type"] == "ok":
            last_read[key] = e["value"]["value"]
with open(f"{run}/results.json") as f:
    results = json.load(f)
keys = results["linearizability"]["partitions"]
invalid = sum(1 for k in keys if k["valid"] is False)
emptied = [k for k in ok if k in last_read and last_read[k] is None]
print(f"{sum(ok.values())} writes ok, {info} unknown; {invalid} of {len(keys)} keys invalid; "
      f"{sum(ok[k] for k in emptied)} acknowledged writes on {len(emptied)} keys the final read found empty")
