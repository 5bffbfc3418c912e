#!/usr/bin/env python3
"""A ticket service front that requires `Authorization: Bearer good` on every route but /health,
answering 401 with the contract's JSON error otherwise (behind it, no event exists). For Frenzy's
tests of wrong credentials. Prints the port it listens on (127.0.0.1, chosen by the system)."""
import http.server, json


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def answer(self):
        if self.path == "/health":
            return self.reply(200, {"status": "ok"})
        if self.headers.get("Authorization") != "Bearer good":
            return self.reply(401, {"error": "unauthorized", "message": "a valid token is required"})
        return self.reply(404, {"error": "unknown_event", "message": "no such event"})

    do_GET = do_PUT = do_POST = do_DELETE = answer


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
