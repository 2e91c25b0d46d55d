"""A real HTTP proxy in front of the local stack that can fail the agent's next requests.

The agent's supabase client talks to the proxy exactly as it would to Supabase, so what the
reporter sees are genuine network events: a 503 from a gateway, a connection that closes after
the write was applied (the response is lost), a request that outlives the client's timeout, and —
while the proxy is stopped — connection refused. It also counts the `agent_runs` writes that
reached the database, which is how the tests count writes at the HTTP layer.
"""
from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

import httpx

Fault = Literal["503", "drop_response", "hang"]
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "host", "accept-encoding"}
WRITE_METHODS = {"POST", "PATCH", "PUT"}


@dataclass
class WriteLog:
    attempts: int = 0  # agent_runs writes the proxy received
    applied: list[bytes] = field(default_factory=list)  # bodies the database acknowledged
    idempotency_keys: list[str] = field(default_factory=list)  # per attempt, "" when absent


class FaultProxy:
    def __init__(self, upstream: str, port: int = 0, watch_path: str = "/rest/v1/agent_runs") -> None:
        self.upstream = upstream.rstrip("/")
        self.watch_path = watch_path
        self.log = WriteLog()
        self.hang_seconds = 5.0
        self._faults: list[Fault] = []
        self._lock = threading.Condition()
        self._active = 0
        self._sockets: set[socket.socket] = set()
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._stopping = threading.Event()
        self._http = httpx.Client(timeout=30)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def fail_next_writes(self, *faults: Fault) -> None:
        """The next len(faults) agent_runs writes fail, one fault each, in order."""
        with self._lock:
            self._faults.extend(faults)

    def faults_left(self) -> int:
        with self._lock:
            return len(self._faults)

    def start(self) -> FaultProxy:
        self._stopping.clear()
        server = ThreadingHTTPServer(("127.0.0.1", self._port), _handler_for(self))
        server.daemon_threads = True
        self._port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        """Refuses new connections at once; lets requests in flight finish; closes idle ones."""
        if self._server is None:
            return
        server, self._server = self._server, None
        server.shutdown()
        server.server_close()
        with self._lock:
            self._lock.wait_for(lambda: self._active == 0, timeout=30)
            self._stopping.set()
            for sock in list(self._sockets):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self._stopping.set()
        self.stop()
        self._http.close()

    # ── used by the handler ──
    def _take_fault(self, method: str, path: str, key: str) -> tuple[bool, Fault | None]:
        watched = method in WRITE_METHODS and path.startswith(self.watch_path)
        with self._lock:
            if watched:
                self.log.attempts += 1
                self.log.idempotency_keys.append(key)
                if self._faults:
                    return True, self._faults.pop(0)
            return watched, None


def _handler_for(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            with proxy._lock:
                proxy._sockets.add(self.connection)

        def finish(self) -> None:
            with proxy._lock:
                proxy._sockets.discard(self.connection)
            super().finish()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
            pass

        def _relay(self) -> None:
            with proxy._lock:
                proxy._active += 1
            try:
                self._relay_one()
            finally:
                with proxy._lock:
                    proxy._active -= 1
                    proxy._lock.notify_all()

        def _relay_one(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            watched, fault = proxy._take_fault(self.command, self.path, self.headers.get("Idempotency-Key", ""))
            if fault == "503":
                self._answer(503, b'{"message":"upstream unavailable"}', {"Content-Type": "application/json"})
                return
            if fault == "hang":
                proxy._stopping.wait(proxy.hang_seconds)
                self.close_connection = True
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            upstream = proxy._http.request(self.command, proxy.upstream + self.path, content=body, headers=headers)
            if watched and upstream.is_success:
                with proxy._lock:
                    proxy.log.applied.append(body)
            if fault == "drop_response":
                self.close_connection = True  # applied upstream, but the agent never hears back
                return
            kept = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP}
            self._answer(upstream.status_code, upstream.content, kept)

        def _answer(self, status: int, content: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = _relay

    return Handler
