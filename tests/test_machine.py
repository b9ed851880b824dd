"""Machine translation as jobs: queued when a project is published or its German text changes, worked off by the
background worker against a real engine process (tests/translation_servers.py), never per page view; nothing lost
while the engine is down; a monthly budget per engine; names, places, addresses, URLs and phone numbers never sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from helpers import make_app, submit
from translation_servers import StandIn

from atlas.engines import DeepL, EngineError, LibreTranslate, budgets, configured
from atlas.machine import Machine
from atlas.projects import validate_project
from atlas.settings import SettingError, load
from atlas.store import PUBLISHED

DESCRIPTION = ("Wir treffen uns jeden Montag in der Hauptstraße 5, 31195 Lamspringe: Deutsch lernen und Hilfe bei "
               "Hausaufgaben. Infos unter www.sprachcafe-lamspringe.de oder 05183 123456, mail@sprachcafe.example. "
               "Das Sprachcafé Lamspringe gehört zum Caritasverband Hildesheim.")
SUMMARY = "Deutsch lernen und Hilfe bei Hausaufgaben"


@pytest.fixture
def engine(tmp_path):
    server = StandIn("libretranslate", tmp_path, key="geheim")
    yield server
    server.stop()


def machine_app(tmp_path, engine, **settings):
    return make_app(tmp_path, TRANSLATE_URL=engine.url, TRANSLATE_KEY="geheim", **settings)


def published(app, **fields) -> int:
    fields = {"description": DESCRIPTION, "summary": SUMMARY, "traeger": "Caritasverband Hildesheim",
              "street": "Hauptstraße 5", "plz": "31195", **fields}
    project_id, _link = submit(app, **fields)
    app.extensions["atlas"].store.set_status(project_id, PUBLISHED, actor="amt@example.org")
    return project_id


@pytest.mark.parametrize(("variable", "value", "says"), [
    ("TRANSLATE_URL", "localhost:5000", "ATLAS_TRANSLATE_URL ist eine Adresse mit http:// oder https://"),
    ("DEEPL_URL", "javascript:alert(1)", "ATLAS_DEEPL_URL ist eine Adresse mit http:// oder https://"),
    ("TRANSLATE_BUDGET", "viel", "ATLAS_TRANSLATE_BUDGET ist eine ganze Zahl"),
    ("DEEPL_BUDGET", "-1", "ATLAS_DEEPL_BUDGET ist mindestens 0"),
])
def test_an_engine_setting_that_cannot_work_stops_the_start(tmp_path, variable, value, says):
    with pytest.raises(SettingError, match=says):
        load(tmp_path, environ={f"ATLAS_{variable}": value})


def test_the_engines_and_their_budgets_come_from_the_settings(tmp_path):
    assert configured(load(tmp_path, environ={})) == [], "off by default"
    config = load(tmp_path, environ={"ATLAS_TRANSLATE_URL": "http://127.0.0.1:5000", "ATLAS_DEEPL_KEY": "k:fx",
                                     "ATLAS_TRANSLATE_BUDGET": "1000"})
    assert [type(engine) for engine in configured(config)] == [DeepL, LibreTranslate], "DeepL is asked first"
    assert budgets(config) == {DeepL.name: 500_000, LibreTranslate.name: 1000}


def test_nothing_is_queued_or_sent_while_no_engine_is_configured(app):
    project_id = published(app)
    services = app.extensions["atlas"]
    assert services.machine.status()["waiting"] == 0
    assert services.machine.run().translated == 0
    assert services.store.translations(project_id) == []


def test_a_published_project_is_translated_by_a_job_not_by_a_page_view(tmp_path, engine):
    app = machine_app(tmp_path, engine)
    services = app.extensions["atlas"]
    project_id = published(app)
    waiting = services.machine.status()["waiting"]
    assert waiting == 2 * 8, "description and summary, into every language but German"
    assert app.test_client().get(f"/projekt/{project_id}?lang=ar").status_code == 200
    assert not [r for r in engine.requests() if r["method"] == "POST"], "a page view sends nothing"

    result = services.machine.run()
    assert (result.translated, result.retry, result.failed) == (16, 0, 0)
    arabic = {t.field: t for t in services.store.translations(project_id) if t.language == "ar"}
    assert arabic["summary"].text == "الألمانية تعلم و مساعدة في الواجبات المدرسية"
    assert arabic["summary"].origin == "machine" and arabic["summary"].engine == "libretranslate"
    assert arabic["description"].text.startswith("نحن لقاء")
    assert "Hauptstraße 5, 31195 Lamspringe" in arabic["description"].text, "kept as it was, in its place"
    assert "www.sprachcafe-lamspringe.de oder 05183 123456, mail@sprachcafe.example" in arabic["description"].text
    history = services.store.history(project_id)
    assert history[-1]["action"] == "translated" and history[-1]["actor"].startswith("LibreTranslate")
    assert services.store.get(project_id)["row_version"] == 2, "a machine's translation is no new version"
    assert services.machine.status()["waiting"] == 0


def test_names_places_addresses_urls_and_phone_numbers_are_never_sent(tmp_path, engine):
    app = machine_app(tmp_path, engine)
    published(app, name="Sprachcafé Lamspringe", kontakt="05183 987654")
    app.extensions["atlas"].machine.run()
    sent = engine.sent()
    assert sent.count('"/translate"') == 16
    for never in ("Sprachcafé Lamspringe", "Caritasverband", "Hauptstraße", "31195", "Lamspringe", "Hildesheim",
                  "sprachcafe-lamspringe.de", "05183", "123456", "mail@sprachcafe.example"):
        assert never not in sent, never
    assert '<x id=\\"1\\"/>' in sent, "placeholders went instead"
    assert "geheim" in sent, "the API key went with it"


def test_the_engine_down_loses_nothing_and_the_jobs_run_when_it_is_back(tmp_path, engine):
    app = machine_app(tmp_path, engine)
    services = app.extensions["atlas"]
    project_id = published(app)
    engine.stop()
    down = services.machine.run()
    assert (down.translated, down.retry, down.failed) == (0, 16, 0)
    status = services.machine.status()
    assert status["waiting"] == 16 and "nicht erreichbar" in status["jobs"][0]["last_error"]
    assert services.machine.run().retry == 0, "not due again yet: each try waits a little longer"
    later = datetime.now(UTC) + timedelta(minutes=5)
    assert services.machine.run(now=later).retry == 16, "still down, still kept"
    engine.start()
    back = services.machine.run(now=later + timedelta(hours=2))
    assert (back.translated, back.retry) == (16, 0)
    assert len(services.store.translations(project_id)) == 16
    assert services.machine.status()["jobs"] == []


def test_a_changed_german_text_outdates_the_translation_and_queues_it_again(tmp_path, engine):
    app = machine_app(tmp_path, engine)
    services = app.extensions["atlas"]
    project_id = published(app)
    services.machine.run()
    row = services.store.get(project_id)
    project, errors = validate_project(dict(row, summary="Gemeinsam kochen und Deutsch lernen",
                                            handlungsfelder=row["handlungsfelder"]))
    assert not errors
    place = services.geocoder.geocode("Lamspringe").place
    services.store.update(project_id, project, place, actor="amt@example.org")
    row = services.store.get(project_id)
    summary = next(t for t in services.store.translations(project_id) if t.language == "ar" and t.field == "summary")
    assert not summary.current(row), "the German text changed after it"
    assert services.machine.status()["waiting"] == 8, "only the summary's jobs: the description did not change"
    services.machine.run()
    summary = next(t for t in services.store.translations(project_id) if t.language == "ar" and t.field == "summary")
    assert summary.current(row) and summary.text == "معا الطبخ و الألمانية تعلم"


def test_a_person_s_current_translation_is_never_replaced_by_a_machine(tmp_path, engine):
    app = machine_app(tmp_path, engine)
    services = app.extensions["atlas"]
    project_id = published(app, summary_ar="ملخص كتبه المرسل", description_ar="وصف كتبه المرسل")
    assert services.machine.status()["waiting"] == 14
    services.machine.run()
    arabic = {t.field: t for t in services.store.translations(project_id) if t.language == "ar"}
    assert arabic["summary"].text == "ملخص كتبه المرسل" and arabic["summary"].origin == "submitter"


class Answering(LibreTranslate):
    """The stand-in engine, with something happening between the request and the answer (`meanwhile`), or its
    answer changed on the way (`answer`): what a slow or odd engine does."""

    def __init__(self, url: str, key: str, meanwhile=lambda text, target: None, answer=lambda text: text):
        super().__init__(url, key)
        self.meanwhile, self.answer = meanwhile, answer

    def translate(self, text: str, target: str) -> str:
        translated = super().translate(text, target)
        self.meanwhile(text, target)
        return self.answer(translated)


def test_a_translation_an_office_saves_while_the_engine_works_is_kept(tmp_path, engine):
    """The office saves its Arabic summary while the machine's request for it is on its way: the machine's answer
    that comes back after it replaces nothing."""
    app = machine_app(tmp_path, engine)
    services = app.extensions["atlas"]
    project_id = published(app)

    def office_saves(text, target):
        if target == "ar" and text == SUMMARY:
            services.store.set_translations(project_id, {"summary:ar": "ملخص كتبه المكتب"}, "amt@example.org")

    machine = Machine(services.store, [Answering(engine.url, "geheim", meanwhile=office_saves)],
                      {"libretranslate": 10**9})
    result = machine.run()
    arabic = {t.field: t for t in services.store.translations(project_id) if t.language == "ar"}
    assert arabic["summary"].text == "ملخص كتبه المكتب" and arabic["summary"].origin == "office"
    assert arabic["description"].origin == "machine", "the rest is translated as before"
    assert result.dropped == 1 and services.machine.status()["waiting"] == 0


@pytest.mark.parametrize(("answer", "stored"), [
    (lambda text: "ab\x07c\u202e\x1b[31m " + text + "\nzweite Zeile", "cleaned"),
    (lambda text: "  \n ", None),  # nothing: the job fails, visibly, and nothing blank is shown as translated
    (lambda text: "W" * 300, None),  # a summary of 300 characters: not one of 160
    (lambda text: "X\ud800", None),  # a lone surrogate, which no text can hold: this job fails, the others go on
], ids=["control and bidi characters", "blank", "too long", "a lone surrogate"])
def test_what_an_engine_answers_is_stored_as_a_person_s_text_would_be_or_not_at_all(tmp_path, engine, answer, stored):
    app = machine_app(tmp_path, engine)
    services = app.extensions["atlas"]
    project_id = published(app, description="")
    machine = Machine(services.store, [Answering(engine.url, "geheim", answer=answer)], {"libretranslate": 10**9})
    result = machine.run()
    summaries = {t.language: t for t in services.store.translations(project_id) if t.field == "summary"}
    if stored is None:
        assert summaries == {} and (result.translated, result.failed) == (0, 8)
        assert all(job["failed_at"] and job["last_error"] for job in services.machine.status()["jobs"])
    else:
        arabic = summaries["ar"].text
        assert arabic.startswith("abc") and "\x07" not in arabic and "\u202e" not in arabic and "\n" not in arabic
        assert result.translated == 8


def test_a_deepl_key_is_never_shown_even_with_the_line_break_of_its_file(tmp_path):
    """The operator puts the DeepL key from a file, with its line break, into the environment: the setting holds the
    key alone, and an engine asked with a key that cannot be sent says so without it."""
    config = load(tmp_path, environ={"ATLAS_DEEPL_KEY": "GEHEIM-1234-abcd:fx\n"})
    assert config["DEEPL_KEY"] == "GEHEIM-1234-abcd:fx"
    with pytest.raises(EngineError) as refused:
        DeepL("GEHEIM-1234-abcd:fx\n", url="http://127.0.0.1:9").translate("Hallo", "en")
    assert "GEHEIM" not in str(refused.value)


def test_the_monthly_budget_holds_jobs_back_until_the_next_month(tmp_path, engine):
    app = machine_app(tmp_path, engine, TRANSLATE_BUDGET=400)
    services = app.extensions["atlas"]
    published(app)
    now = datetime.now(UTC)
    result = services.machine.run(now=now)
    assert result.translated >= 1 and result.waiting_for_budget >= 1
    assert result.translated + result.waiting_for_budget == 16
    status = services.machine.status(now=now)
    [use] = status["engines"]
    assert use["budget"] == 400 and 0 < use["used"] <= 400
    sent = sum(len(r["body"]["q"]) for r in engine.requests() if r["method"] == "POST")
    assert use["used"] == sent, "exactly what was sent is counted"
    next_month = (now.replace(day=1) + timedelta(days=32)).replace(day=1, hour=0, minute=1)
    later = min(now + timedelta(hours=2), next_month - timedelta(minutes=2))
    assert services.machine.run(now=later).translated == 0, "nothing until the month is over"
    assert services.machine.run(now=next_month).translated >= 1
    assert 0 < services.machine.status(now=next_month)["engines"][0]["used"] <= 400


def test_a_language_the_engine_does_not_offer_fails_and_is_shown(tmp_path):
    engine = StandIn("libretranslate", tmp_path, targets="ar,en")
    try:
        app = make_app(tmp_path, TRANSLATE_URL=engine.url)
        services = app.extensions["atlas"]
        published(app, summary="")
        result = services.machine.run()
        assert (result.translated, result.failed) == (2, 6)
        status = services.machine.status()
        assert status["failed"] == 6 and "Keine Maschine übersetzt nach" in status["jobs"][0]["last_error"]
        assert services.machine.retry_failed() == 6
    finally:
        engine.stop()


def test_a_wrong_key_waits_for_the_operator_instead_of_giving_up(tmp_path, engine):
    app = make_app(tmp_path, TRANSLATE_URL=engine.url, TRANSLATE_KEY="falsch")
    published(app, summary="")
    result = app.extensions["atlas"].machine.run()
    assert (result.translated, result.retry, result.failed) == (0, 8, 0)
    assert "403" in app.extensions["atlas"].machine.status()["jobs"][0]["last_error"]


def test_deepl_with_the_glossary_of_the_atlas_and_libretranslate_for_what_deepl_lacks(tmp_path, engine):
    deepl = StandIn("deepl", tmp_path, key="schluessel:fx", targets="ar,en,fr,ru,tr,uk")
    try:
        app = make_app(tmp_path, DEEPL_KEY="schluessel:fx", DEEPL_URL=deepl.url, TRANSLATE_URL=engine.url,
                       TRANSLATE_KEY="geheim")
        services = app.extensions["atlas"]
        project_id = published(app, summary="Ehrenamtliche begleiten Geflüchtete zum Arzt")
        result = services.machine.run()
        assert (result.translated, result.failed) == (16, 0)
        engines = {(t.language, t.field): t.engine for t in services.store.translations(project_id)}
        assert engines[("ar", "summary")] == "deepl" and engines[("fa", "summary")] == "libretranslate"
        assert engines[("ps", "description")] == "libretranslate"
        english = next(t for t in services.store.translations(project_id) if t.language == "en" and
                       t.field == "summary")
        assert "refugees" in english.text, "the glossary's rendering of „Geflüchtete“"
        made = [r for r in deepl.requests() if r["path"] == "/v2/glossaries" and r["method"] == "POST"]
        assert {r["body"]["target_lang"] for r in made} == {"ar", "en", "fr", "ru", "tr", "uk"}
        assert all(r["authorization"] == "DeepL-Auth-Key schluessel:fx" for r in deepl.requests())
        translate = [r["body"] for r in deepl.requests() if r["path"] == "/v2/translate"]
        assert translate[0]["tag_handling"] == "xml" and translate[0]["ignore_tags"] == ["x"]
        assert any(body["target_lang"] == "EN-GB" for body in translate)
        assert "Caritasverband" not in deepl.sent() and "Lamspringe" not in deepl.sent()
        status = services.machine.status()
        assert [e["name"] for e in status["engines"]] == ["deepl", "libretranslate"]
        assert all(e["used"] > 0 for e in status["engines"])
    finally:
        deepl.stop()


def test_the_background_worker_of_atlas_serve_runs_the_jobs(tmp_path, engine):
    from atlas.background import Background

    app = machine_app(tmp_path, engine)
    project_id = published(app)
    Background(app)._round()
    assert len(app.extensions["atlas"].store.translations(project_id)) == 16


def test_atlas_translate_commands(tmp_path, engine):
    app = machine_app(tmp_path, engine)
    app.extensions["atlas"].store.add_many([(validate_project(
        {"name": "Alt", "ort": "Hildesheim", "handlungsfelder": "sprache", "summary": SUMMARY})[0],
        app.extensions["atlas"].geocoder.geocode("Hildesheim").place)])
    runner = app.test_cli_runner()
    queued = runner.invoke(args=["translate", "queue"])
    assert queued.exit_code == 0 and "8 Übersetzung(en) in der Warteschlange" in queued.output, queued.output
    run = runner.invoke(args=["translate", "run"])
    assert run.exit_code == 0 and "8 übersetzt" in run.output, run.output
    status = runner.invoke(args=["translate", "status"])
    assert status.exit_code == 0 and "LibreTranslate" in status.output and "0 wartend" in status.output
