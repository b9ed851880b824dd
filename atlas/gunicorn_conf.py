"""gunicorn's settings for the atlas, as deploy/Dockerfile, docs/operating.md and the tests (tests/servers.py) start it:

    gunicorn -c python:atlas.gunicorn_conf --workers 4 --bind 127.0.0.1:8000 'atlas:create_app()'

Threads in each worker (gthread, 4): a request that waits for the database or a slow client does not hold the
worker's other requests. Each worker warms up as `atlas serve` does (atlas.warming): without it, every worker made
the near index and the gazetteer inside its first near search or geocoded request (at 100k projects 1.5–2 s of CPU
each, while its other requests queued behind it). The command line sets the rest (workers, bind) and may override
these."""

worker_class = "gthread"
threads = 4


def post_worker_init(worker) -> None:
    """Runs in each worker once it has loaded the app (`worker.wsgi`, create_app's Flask app) and before it takes
    requests: the warm-up runs in a thread, so the worker takes them at once."""
    from atlas.warming import warm_up_in_background

    warm_up_in_background(worker.wsgi.extensions["atlas"],
                          done=lambda seconds: worker.log.info("Worker warmed up in %.1f s", seconds))
