#!/usr/bin/python3
"""A Frenzy adapter for the tickets workload on PostgreSQL (Debian's python3-psycopg2, hence
/usr/bin/python3). Protocol: docs/adapters.md; findings: docs/systems.md.

Inventory, holds and hold events are three tables. It always talks to the primary: the hello's
nodes (postgresql://host:port, as `frenzy cluster up --system postgres` names them) become one
libpq multi-host connection string with target_session_attrs=read-write, so after a failover every
new connection finds the new primary. `--adapter-opt strategy=` chooses how a hold is placed:

- naive (default): READ COMMITTED; read the remaining seats, then write remaining - qty back in a
  second statement (the lost update many shops ship);
- atomic: one transaction with UPDATE ... SET remaining = remaining - qty WHERE remaining >= qty,
  the hold row and the event row;
- serializable: naive's two statements in SERIALIZABLE transactions, serialization failures retried.

A transaction whose COMMIT was never sent did not happen (fail); one whose COMMIT was sent and
got no clear answer may have (info)."""
import json, os, sys, threading, urllib.parse, uuid

import psycopg2
import psycopg2.errors
import psycopg2.extensions

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_adapter import serve  # noqa: E402  (the protocol loop; no HTTP involved)

FS = ["create_event", "place_hold", "release", "confirm", "read_inventory", "list_holds", "read_log"]
STRATEGIES = ("naive", "atomic", "serializable")
RETRIES = 20
SCHEMA = """
CREATE TABLE IF NOT EXISTS events (event text PRIMARY KEY, capacity int NOT NULL,
  remaining int NOT NULL, seq bigint NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS holds (hold text PRIMARY KEY, event text NOT NULL, "user" text NOT NULL,
  qty int NOT NULL, status text NOT NULL, request_id text);
CREATE TABLE IF NOT EXISTS hold_events (event text NOT NULL, seq bigint NOT NULL, type text NOT NULL,
  hold text NOT NULL, "user" text NOT NULL, qty int NOT NULL, request_id text, PRIMARY KEY (event, seq));
"""


class Refused(Exception):
    """The database said no and changed nothing (sold out, no such hold): a fail."""


class Unsent(Exception):
    """No COMMIT was sent, so nothing happened: a fail."""


def dsn(nodes, options):
    hosts, ports = [], []
    for node in nodes:
        url = urllib.parse.urlsplit(node if "//" in node else "postgresql://" + node)
        hosts.append(url.hostname)
        ports.append(str(url.port or 5432))
    return psycopg2.extensions.make_dsn(
        host=",".join(hosts), port=",".join(ports), user=options.get("user", "postgres"),
        dbname=options.get("dbname", "postgres"), target_session_attrs="read-write",
        connect_timeout=options.get("connect_timeout", "2"))


class Database:
    def __init__(self, hello):
        self.strategy = hello["options"].get("strategy", "naive")
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy={self.strategy}: use one of {', '.join(STRATEGIES)}")
        self.dsn = dsn(hello["nodes"], hello["options"])
        self.local = threading.local()

    def connection(self):
        conn = getattr(self.local, "conn", None)
        if conn is None or conn.closed:
            try:
                conn = psycopg2.connect(self.dsn)
            except psycopg2.Error as e:
                raise Unsent(f"no primary reachable: {e}".strip())
            level = "SERIALIZABLE" if self.strategy == "serializable" else "READ COMMITTED"
            conn.set_session(isolation_level=level)
            self.local.conn = conn
        return conn

    def drop(self):
        conn = getattr(self.local, "conn", None)
        self.local.conn = None
        if conn is not None:
            try:
                conn.close()
            except psycopg2.Error:
                pass

    def transaction(self, body):
        """Runs body(cursor) in a transaction and commits it; retries serialization failures."""
        for _ in range(RETRIES):
            conn = self.connection()
            try:
                with conn.cursor() as cur:
                    result = body(cur)
            except Refused:
                conn.rollback()
                raise
            except psycopg2.errors.SerializationFailure:
                conn.rollback()
                continue
            except psycopg2.Error as e:  # before COMMIT: rolled back by the server
                self.drop()
                raise Unsent(f"{type(e).__name__}: {e}".strip())
            try:
                conn.commit()
                return result
            except psycopg2.errors.SerializationFailure:  # refused at commit: rolled back
                conn.rollback()
                continue
            except psycopg2.Error:  # COMMIT sent, no clear answer: it may have committed
                self.drop()
                raise
        raise Unsent(f"serialization failure {RETRIES} times in a row")


def next_seq(cur, event):
    cur.execute("UPDATE events SET seq = seq + 1 WHERE event = %s RETURNING seq", (event,))
    return cur.fetchone()[0]


def log(cur, event, seq, kind, hold, user, qty, request_id):
    cur.execute("INSERT INTO hold_events VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (event, seq, kind, hold, user, qty, request_id))


def place_hold(db, v):
    event, user, qty, request_id = v["event"], v["user"], v["qty"], v.get("request_id")
    hold = "h-" + uuid.uuid4().hex[:16]

    def body(cur):
        if db.strategy == "atomic":
            cur.execute("UPDATE events SET remaining = remaining - %s, seq = seq + 1 "
                        "WHERE event = %s AND remaining >= %s RETURNING seq", (qty, event, qty))
            row = cur.fetchone()
            if row is None:
                raise Refused("sold_out")
            seq = row[0]
        else:  # naive and serializable: read, then write back what was computed here
            cur.execute("SELECT remaining FROM events WHERE event = %s", (event,))
            row = cur.fetchone()
            if row is None:
                raise Refused("no_such_event")
            if row[0] < qty:
                raise Refused("sold_out")
            cur.execute("UPDATE events SET remaining = %s, seq = seq + 1 WHERE event = %s "
                        "RETURNING seq", (row[0] - qty, event))
            seq = cur.fetchone()[0]
        cur.execute("INSERT INTO holds VALUES (%s, %s, %s, %s, 'active', %s)",
                    (hold, event, user, qty, request_id))
        log(cur, event, seq, "HoldPlaced", hold, user, qty, request_id)
        return {"hold": hold, "seq": seq}

    return db.transaction(body)


def finish(db, v, status, kind):
    """Releases or confirms an active hold."""
    def body(cur):
        cur.execute("UPDATE holds SET status = %s WHERE hold = %s AND event = %s AND status = 'active' "
                    "RETURNING \"user\", qty, request_id", (status, v["hold"], v["event"]))
        row = cur.fetchone()
        if row is None:
            raise Refused("hold_not_active")
        user, qty, request_id = row
        if kind == "HoldReleased":
            cur.execute("UPDATE events SET remaining = remaining + %s WHERE event = %s", (qty, v["event"]))
        seq = next_seq(cur, v["event"])
        log(cur, v["event"], seq, kind, v["hold"], user, qty, request_id)
        return {"seq": seq}

    return db.transaction(body)


def read(db, v, f):
    def body(cur):
        if f == "read_inventory":
            cur.execute("SELECT remaining, seq FROM events WHERE event = %s", (v["event"],))
            row = cur.fetchone()
            if row is None:
                raise Refused("no_such_event")
            return {"remaining": row[0], "seq": row[1]}
        if f == "list_holds":
            cur.execute("SELECT hold FROM holds WHERE event = %s AND \"user\" = %s AND status = 'active' "
                        "ORDER BY hold", (v["event"], v["user"]))
            holds = [r[0] for r in cur.fetchall()]
            cur.execute("SELECT seq FROM events WHERE event = %s", (v["event"],))
            row = cur.fetchone()
            return {"holds": holds, "seq": row[0] if row else 0}
        cur.execute("SELECT seq, type, hold, \"user\", qty, request_id FROM hold_events "
                    "WHERE event = %s AND seq > %s ORDER BY seq", (v["event"], v.get("after", 0)))
        names = ("seq", "type", "hold", "user", "qty", "request_id")
        return {"entries": [dict(zip(names, r)) for r in cur.fetchall()]}

    return db.transaction(body)


def create_event(db, v):
    def body(cur):
        cur.execute(SCHEMA)
        cur.execute("INSERT INTO events VALUES (%s, %s, %s, 0) ON CONFLICT (event) DO NOTHING",
                    (v["event"], v["capacity"], v["capacity"]))
        return {}

    return db.transaction(body)


def perform(db, op):
    f, v = op["f"], op["value"]
    try:
        if f == "place_hold":
            result = place_hold(db, v)
        elif f in ("release", "confirm"):
            result = finish(db, v, *{"release": ("released", "HoldReleased"),
                                     "confirm": ("confirmed", "HoldConfirmed")}[f])
        elif f in ("read_inventory", "list_holds", "read_log"):
            result = read(db, v, f)
        elif f == "create_event":
            result = create_event(db, v)
        else:
            return {"type": "fail", "error": f"unknown f {f}"}
    except (Refused, Unsent) as e:
        return {"type": "fail", "error": str(e)}
    except Exception as e:  # the COMMIT was sent, or something unforeseen: it may have happened
        return {"type": "info", "error": f"{type(e).__name__}: {e}".strip()}
    return {"type": "ok", "value": {**v, **result}}


def start(hello):
    db = Database(hello)
    for setup in hello["setup"]:
        answer = perform(db, setup)
        if answer["type"] != "ok":
            raise RuntimeError(f"{setup['f']} failed: {answer.get('error')}")
    return lambda op: perform(db, op)


if __name__ == "__main__":
    serve("postgres-tickets", FS, start)
