#!/usr/bin/env python3
"""A register adapter that misbehaves on purpose, for Frenzy's tests: after every N answers it
prints a garbage line (garbage), answers an id never sent (unknown-id) or exits with status 3
while operations are in flight (exit); "silent" never answers an operation. Registers live in
STATE (a JSON file) so they survive the restarts. Usage: misbehave.py STATE MODE N"""
import json, os, sys

state_file, mode, every = sys.argv[1], sys.argv[2], int(sys.argv[3])

def load():
    try:
        with open(state_file) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}

def save(registers):
    with open(state_file + ".tmp", "w") as f:
        json.dump(registers, f)
    os.replace(state_file + ".tmp", state_file)

registers = load()
json.loads(sys.stdin.readline())
print(json.dumps({"type": "hello", "name": f"misbehave-{mode}", "fs": ["read", "write", "cas"]}), flush=True)
answered = 0
for line in sys.stdin:
    op = json.loads(line)
    if mode == "silent":
        continue
    key, arg = op["value"]["key"], op["value"]["value"]
    answer = {"id": op["id"], "type": "ok", "value": op["value"]}
    if op["f"] == "read":
        answer["value"] = {"key": key, "value": registers.get(key)}
    elif op["f"] == "write":
        registers[key] = arg
        save(registers)
    elif registers.get(key) == arg[0]:
        registers[key] = arg[1]
        save(registers)
    else:
        answer = {"id": op["id"], "type": "fail", "error": "precondition failed"}
    answered += 1
    if answered % every == 0:
        print(f"misbehaving now ({mode}) after {answered} answers", file=sys.stderr, flush=True)
        if mode == "exit":
            sys.exit(3)
        if mode == "garbage":
            print("this is not json", flush=True)
        if mode == "unknown-id":
            print(json.dumps({"id": 10**12, "type": "ok", "value": None}), flush=True)
    print(json.dumps(answer), flush=True)
