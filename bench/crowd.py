"""A crowd of many addresses: what one more request costs the server when 1k, 20k or 100k clients have been
counted by the rate limits in the current minute (one process, `memory://`, as `make run` serves).

    .venv/bin/python bench/crowd.py
    .venv/bin/python bench/crowd.py --clients 1000 100000 --requests 200

The limits count each client under its own key until its window ends. The crowd is counted as the near search's
limit counts a client (its key, once each, straight into the limiter's storage: a request each would take minutes
at 100k). Then every request of the near search (its items kept) comes from a new address, spaced 12 ms apart as a
steady stream of visitors arrives. Printed: the CPU of a request itself (median, time.process_time), and the CPU
of the whole process over the stream per request – the requests and whatever the limits do beside them in other
threads (ms per request). The reference is the same stream when only 10 clients have been counted: the ratio says
how much the crowd adds to each visitor's request.
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import app_with_projects, texts_option

from atlas.web.limits import limiter

PAGE = "/in-der-naehe?ort=Hildesheim&umkreis=10"
LIMIT = "1000 per minute"  # every limit of the settings table: the crowd is counted, never refused


def main() -> None:
    parser = texts_option(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    parser.add_argument("--clients", type=int, nargs="+", default=[1_000, 20_000, 100_000])
    parser.add_argument("--requests", type=int, default=150, help="requests measured per crowd")
    options = parser.parse_args()
    print(f"{'clients counted':>15} {'request p50':>13} {'all, per req':>13} {'reference':>9} {'ratio':>6}")
    reference = None
    for clients in [10, *options.clients]:
        app = app_with_projects(1_000, texts=options.texts, **{name: LIMIT for name in limit_settings()})
        client = app.test_client()
        client.get(PAGE, environ_base={"REMOTE_ADDR": address(0)})  # the first: the page's templates, its index
        storage = limiter.storage  # the app's limiter (atlas.web.limits)
        key = next(iter(storage.storage))  # the key the first client was counted under, its address in it
        for i in range(1, clients):  # the rest of the crowd, each under its own key
            storage.incr(key.replace(address(0), address(i)), 60)
        ms, begun = [], time.process_time()
        for i in range(options.requests):
            time.sleep(0.012)
            started = time.process_time()
            response = client.get(PAGE, environ_base={"REMOTE_ADDR": address(clients + i)})
            ms.append((time.process_time() - started) * 1000)
            assert response.status_code == 200, response.status_code
        time.sleep(0.2)  # what the last request left running beside it has ended
        p50 = statistics.median(ms)
        total = (time.process_time() - begun) * 1000 / options.requests  # with what ran beside the requests
        reference = reference or total
        print(f"{clients:>15} {p50:>13.2f} {total:>13.2f} {reference:>9.2f} {total / reference:>5.2f}×", flush=True)


def limit_settings() -> list[str]:
    from atlas.settings import SETTINGS

    return [setting.name for setting in SETTINGS if setting.kind == "limit"]


def address(i: int) -> str:
    return f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"


if __name__ == "__main__":
    main()
