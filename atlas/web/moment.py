"""One web request is one moment of the store (atlas.store.one_moment): its versions are read from the database
once, at the first question of the request, so a page is made from one version throughout – and every process of
an atlas on several app servers sees a publication made by any other with its next request, not a second later."""

from __future__ import annotations

from atlas.store import one_moment


class OneMomentPerRequest:
    """WSGI middleware around the app: each request runs within a moment of its own."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        with one_moment():
            return self.app(environ, start_response)
