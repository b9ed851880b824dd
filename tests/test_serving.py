"""waitress as `atlas serve` runs it (atlas.serving): its main loop leaves a connection alone while a thread sends
on it, and still sends all that the thread leaves – to a slow client, to a crowd."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import requests
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import create_server

from atlas.serving import QuietChannel, quiet_connections

pytestmark = pytest.mark.once  # no database


def test_the_loop_leaves_a_connection_alone_while_its_thread_sends():
    with serve(hello) as (server, _), connection() as channel_socket:
        channel = QuietChannel(server, channel_socket, ("127.0.0.1", 1), server.adj, map={})
        channel.requests = [object()]  # a task runs
        channel.total_outbufs_len = 400  # and has written its headers
        sending, done = threading.Event(), threading.Event()

        def send():  # as write_soon holds the lock while its socket sends
            with channel.outbuf_lock:
                sending.set()
                done.wait(10)

        thread = threading.Thread(target=send)
        thread.start()
        sending.wait(10)
        assert not channel.writable(), "the thread sends: nothing for the loop to do"
        assert HTTPChannel.writable(channel), "waitress's own channel would ask select() again and again"
        done.set()
        thread.join()
        assert channel.writable(), "the thread left bytes: the loop sends them"


@pytest.mark.parametrize("mebibytes, watermark", [(2, 16 << 20), (8, 1 << 20)],
                         ids=["the loop sends the rest", "the thread waits for the loop"])
def test_a_slow_client_gets_a_large_answer_whole(mebibytes, watermark):
    """More than the sockets hold; the loop wakes only when asked (a missed wake-up would stall it past the
    client's patience, not just for a second)."""
    body = [bytes([i]) * 65536 for i in range(16 * mebibytes)]

    def large(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/octet-stream"),
                                  ("Content-Length", str(65536 * len(body)))])
        return body

    with serve(large, outbuf_high_watermark=watermark, asyncore_loop_timeout=120) as (server, _):
        with socket.create_connection(("127.0.0.1", server.effective_port), timeout=20) as client:
            client.sendall(b"GET / HTTP/1.1\r\nHost: atlas\r\nConnection: close\r\n\r\n")
            time.sleep(0.5)  # the socket fills: the thread leaves the rest to the loop
            received = bytearray()
            while chunk := client.recv(65536):
                received += chunk
    assert received.split(b"\r\n\r\n", 1)[1] == b"".join(body)


def test_a_crowd_on_kept_connections_gets_each_answer_whole():
    with serve(echo, threads=4) as (server, _):
        url = f"http://127.0.0.1:{server.effective_port}"

        def client(n: int) -> bool:
            with requests.Session() as session:
                return all(session.get(f"{url}/{n}-{i}", timeout=30).content == expected(f"/{n}-{i}")
                           for i in range(40))

        with ThreadPoolExecutor(16) as crowd:
            assert all(crowd.map(client, range(16)))


def test_atlas_serve_makes_its_connections_quiet():
    with serve(hello) as (_, listeners):
        assert [d.channel_class for d in listeners.values() if hasattr(d, "channel_class")] == [QuietChannel]


@contextmanager
def serve(app, threads: int = 2, **adjustments):
    """A waitress server on a free port with QuietChannels (as `atlas serve` makes it), its loop in a thread."""
    listeners = {}
    server = create_server(app, map=listeners, host="127.0.0.1", port=0, threads=threads, **adjustments)
    quiet_connections(listeners)
    stopped = threading.Event()

    def run():
        while not stopped.is_set():
            wasyncore.loop(timeout=server.adj.asyncore_loop_timeout, map=listeners, count=1)

    loop = threading.Thread(target=run)
    loop.start()
    try:
        yield server, listeners
    finally:
        stopped.set()
        server.pull_trigger()
        loop.join()
        server.task_dispatcher.shutdown()
        wasyncore.close_all(listeners)


@contextmanager
def connection():
    ours, theirs = socket.socketpair()
    try:
        yield ours
    finally:
        ours.close()
        theirs.close()


def hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


def echo(environ, start_response):
    """Answers of some size that differ for each path, written in two parts, as a page's headers and body."""
    start_response("200 OK", [("Content-Type", "application/octet-stream")])
    whole = expected(environ["PATH_INFO"])
    return [whole[:1000], whole[1000:]]


def expected(path: str) -> bytes:
    return hashlib.sha256(path.encode()).digest() * 900
