"""gunicorn's settings for the atlas, as deploy/Dockerfile and docs/operating.md start it:

    gunicorn -c python:atlas.gunicorn_conf --threads 4 --worker-class gthread 'atlas:create_app()'

Only a hook: each worker warms up as `atlas serve` does (atlas.warming). Without it, every worker made the near
index and the gazetteer inside its first near search or geocoded request (at 100k projects 1.5–2 s of CPU each,
while its other requests queued behind it). The command line keeps the rest (workers, threads, bind)."""


def post_worker_init(worker) -> None:
    """Runs in each worker once it has loaded the app (`worker.wsgi`, create_app's Flask app) and before it takes
    requests: the warm-up runs in a thread, so the worker takes them at once."""
    from atlas.warming import warm_up_in_background

    warm_up_in_background(worker.wsgi.extensions["atlas"],
                          done=lambda seconds: worker.log.info("Worker warmed up in %.1f s", seconds))
