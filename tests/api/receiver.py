"""A webhook receiver on loopback for the tests: a real HTTP server (Werkzeug, in a thread)
that keeps what it receives and answers with the statuses it is told (or sleeps past the
sender's timeout)."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from werkzeug.wrappers import Request, Response

from tests.support.network import free_port, serving


@dataclass
class Received:
    headers: dict
    body: bytes


@dataclass
class Receiver:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    # Answers to give, in order ("sleep" waits past the timeout, (status, headers) sends
    # headers too); 200 once they run out.
    script: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ, start_response):
        request = Request(environ)
        body = request.get_data()
        with self.lock:
            self.received.append(Received(dict(request.headers), body))
            answer = self.script.pop(0) if self.script else 200
        headers = {}
        if answer == "sleep":
            time.sleep(1.5)
            answer = 200
        elif isinstance(answer, tuple):
            answer, headers = answer
        return Response("ok", status=answer, headers=headers)(environ, start_response)


@contextmanager
def receiving():
    receiver = Receiver()
    with serving(receiver, free_port()) as base:
        receiver.url = base + "/hook"
        yield receiver
