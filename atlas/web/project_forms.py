"""What the public's forms about one published project share („Ist das Ihr Projekt?“, „Eintrag melden“): the form
page with its errors (400 while there are any), and the thanks page, shown once to the browser that sent it."""

from __future__ import annotations

from flask import redirect, render_template, session, url_for

from atlas.districts import ARLS
from atlas.present import project_view
from atlas.web.reader import get_published_or_404


def form_page(template: str, row: dict, form, errors: dict, status: int | None = None, **context):
    """The form about the project `row`: 400 while it has errors, `status` if given."""
    page = render_template(template, project=project_view(row), form=form, errors=errors, arl=ARLS[row["arl"]],
                           **context)
    return page, status or (400 if errors else 200)


def sent(marker: str, project_id: int) -> None:
    """This browser sent the form about `project_id`: its thanks page may be shown (once)."""
    session[marker] = project_id


def thanks_page(marker: str, project_id: int, template: str):
    """The thanks page for the browser that sent the form; the project's page for any other."""
    if session.get(marker) != project_id:
        return redirect(url_for("public.project", project_id=project_id))
    row = get_published_or_404(project_id)
    return render_template(template, project=project_view(row), arl=ARLS[row["arl"]])
