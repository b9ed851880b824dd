"""The tables, as SQLAlchemy Core sees them. Alembic migrations (atlas/migrations) make them in a database.

A change here is a new migration too; tests compare nothing automatically, so write both.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()
projects = Table(
    "projects", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(150), nullable=False),
    Column("traeger", String(150), nullable=False, default=""),
    Column("description", Text, nullable=False, default=""),
    Column("summary", String(160), nullable=False, default=""),  # one line in German; lists, popups and alerts show it
    Column("handlungsfelder", String(100), nullable=False),
    Column("hf_mask", Integer, nullable=False),
    Column("street", String(150), nullable=False, default=""),
    Column("plz", String(5), nullable=False, default=""),
    Column("ort", String(100), nullable=False, default=""),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("precision", String(20), nullable=False),
    Column("approximate", Boolean, nullable=False, default=False),
    Column("kreis_rs", String(5), nullable=False, index=True),
    Column("kreis_name", String(100), nullable=False),
    Column("arl", String(20), nullable=False, index=True),
    Column("website", String(300), nullable=False, default=""),
    Column("email", String(254), nullable=False, default=""),
    Column("status", String(10), nullable=False, index=True),
    Column("reject_reason", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("row_version", Integer, nullable=False, default=1),  # every write checks and moves it on
    Column("published_at", DateTime(timezone=True), nullable=True),  # first published: area alerts name it once
    Column("confirmed_at", DateTime(timezone=True), nullable=True),  # last known to be current (freshness)
    Column("freshness_asked_at", DateTime(timezone=True), nullable=True),
    Column("language", String(5), nullable=False, default="de"),  # the submitter's: mails to them are written in it
    # the facts (atlas.facts); the masks let a filter ask SQL or numpy one integer
    Column("sprachen", String(200), nullable=False, default=""),
    Column("sprachen_mask", Integer, nullable=False, default=0),
    Column("zielgruppen", String(100), nullable=False, default=""),
    Column("zg_mask", Integer, nullable=False, default=0),
    Column("kosten", String(10), nullable=False, default=""),
    Column("wann", String(12), nullable=False, default=""),
    Column("zeiten", String(300), nullable=False, default=""),  # OSM opening_hours
    Column("barrierefrei", String(4), nullable=False, default=""),
    Column("kontakt", String(254), nullable=False, default=""),  # public
    # gathered from a public source (atlas.sources): its URL and date, and when the Träger confirmed the entry
    Column("quelle", String(500), nullable=False, default=""),
    Column("quelle_stand", String(10), nullable=False, default=""),  # YYYY, YYYY-MM or YYYY-MM-DD
    Column("source_confirmed_at", DateTime(timezone=True), nullable=True),  # NULL: from a source, unconfirmed
    Index("ix_projects_lat_lon", "lat", "lon"),  # the duplicate check looks into a small box around a point
    Index("ix_projects_published_at", "published_at"),  # area digests read what was published since the last
    Index("ix_projects_created_at", "created_at"),  # the office's queue, oldest first
)
users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("arl", String(20), nullable=True),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("notify", String(10), nullable=False, default="each"),  # "each": a mail per event, "daily": a digest
    Column("digest_at", DateTime(timezone=True), nullable=True),  # the last daily digest covered up to here
    # the second factor (atlas.second_factor): a TOTP secret, encrypted with a key derived from SECRET_KEY; it counts
    # once a first code was right (confirmed); a code whose time step is not after the last one used is refused
    Column("totp_secret", Text, nullable=True),
    Column("totp_confirmed_at", DateTime(timezone=True), nullable=True),
    Column("totp_last_step", BigInteger, nullable=True),
    # what the account may do (atlas.roles): "office" (its district), "admin" (everything), "observer" (reads
    # everything, changes nothing); `is_admin` follows the role. A deactivated account cannot sign in.
    Column("role", String(10), nullable=False, default="office"),
    Column("active", Boolean, nullable=False, default=True),
)
recovery_codes = Table(
    "recovery_codes", metadata,  # ten one-time codes per account with a second factor; only their hashes
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, nullable=False, index=True),
    Column("code_hash", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=True),
)
audit = Table(
    "audit", metadata,  # what was done to accounts, by whom (second factor enrolled, reset, recovery code used)
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor", String(254), nullable=False),
    Column("action", String(40), nullable=False),
    Column("subject", String(254), nullable=False),
)
changes = Table(
    "changes", metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, nullable=False, index=True),
    Column("actor", String(254), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("action", String(20), nullable=False),
    Column("detail", Text, nullable=False, default=""),
    Column("status", String(10), nullable=True),  # the project's status after the change
    Column("row_version", Integer, nullable=True),  # the project's version after the change
    # the project's district after the change: a decision counts in the figures of the office that made it, also
    # after the project moved to another district (NULL only where a project was deleted before migration 0015)
    Column("arl", String(20), nullable=True),
    Index("ix_changes_at", "at"),  # the dashboard's decisions per month, the activity log
)
office_sessions = Table(
    "office_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)
geocode_answers = Table(
    "geocode_answers", metadata,
    Column("query", String(300), primary_key=True),
    Column("hits", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
geocode_pace = Table(
    "geocode_pace", metadata,
    Column("id", Integer, primary_key=True),
    Column("next_at", Float, nullable=False),
)
meta = Table("meta", metadata, Column("key", String(40), primary_key=True), Column("value", Integer, nullable=False))
public_changes = Table(
    "public_changes", metadata,  # what each move of the store's version changed (atlas.published catches up by it)
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False, index=True),  # the store's version the change took it to
    Column("kind", String(10), nullable=False),  # "project": read it again; "pages": no row changed; "all": read all
    Column("project_id", Integer, nullable=True),
    Column("arl", String(20), nullable=True),  # the district whose pages change; NULL: every district
    Column("token", BigInteger, nullable=True),  # random, the same for a version's rows: names it in this database
)
tokens = Table(
    "tokens", metadata,  # secret links: only the SHA-256 of the token is kept
    Column("token_hash", String(64), primary_key=True),
    Column("purpose", String(20), nullable=False),
    Column("subject_id", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Index("ix_tokens_subject", "purpose", "subject_id"),
)
proposals = Table(
    "proposals", metadata,  # a submitter's change to a project, waiting for the office
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, nullable=False, index=True),
    Column("data", Text, nullable=False),  # JSON: the project's fields and place as proposed
    Column("based_on", Integer, nullable=False),  # the project's version the submitter saw
    Column("status", String(10), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("decided_by", String(254), nullable=False, default=""),
)
outbox = Table(
    "outbox", metadata,  # mails, written in the transaction of the change that causes them
    Column("id", Integer, primary_key=True),
    Column("event", String(200), nullable=False, unique=True),  # one event, one mail
    Column("kind", String(30), nullable=False),
    Column("recipient", String(254), nullable=False),
    Column("params", Text, nullable=False),  # JSON; emptied once sent (it may hold a secret link)
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("next_try_at", DateTime(timezone=True), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("failed_at", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=False, default=""),
)
subscriptions = Table(
    "subscriptions", metadata,  # area alerts; the row (and its address) goes with the unsubscription
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False),
    Column("place", String(100), nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("radius_km", Integer, nullable=False),
    Column("hf_mask", Integer, nullable=False),  # 0: every Handlungsfeld
    Column("frequency", String(10), nullable=False),
    Column("language", String(5), nullable=False, default="de"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("confirmed_at", DateTime(timezone=True), nullable=True),
    Column("digest_at", DateTime(timezone=True), nullable=True),  # the last digest covered up to here
)
claims = Table(
    "claims", metadata,  # someone of a Träger asks to take over an entry gathered from a public source
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, nullable=False, index=True),
    Column("email", String(254), nullable=False),
    Column("message", Text, nullable=False, default=""),
    Column("language", String(5), nullable=False, default="de"),  # the claimant's: the answer is written in it
    Column("status", String(10), nullable=False, index=True),  # waiting, accepted, declined
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("decided_by", String(254), nullable=False, default=""),
)
# The office as a team (atlas.store.holds, atlas.store.notes, atlas.store.merging)
holds = Table(
    "holds", metadata,  # „Ich übernehme das“: one clerk per project; it lapses after ATLAS_HOLD_DAYS
    Column("project_id", Integer, primary_key=True),
    Column("user_id", Integer, nullable=False, index=True),
    Column("taken_at", DateTime(timezone=True), nullable=False),
    Column("given_by", String(254), nullable=False, default=""),  # who handed it over ("" : taken by the holder)
)
notes = Table(
    "notes", metadata,  # internal notes of the offices on a project: never public, never to the submitter
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, nullable=False, index=True),
    Column("user_id", Integer, nullable=True),
    Column("author", String(254), nullable=False),  # the account's address when it wrote the note
    Column("at", DateTime(timezone=True), nullable=False),
    Column("body", Text, nullable=False),
)
distinct_pairs = Table(
    "distinct_pairs", metadata,  # „kein Duplikat“: two similar projects an office found to be different ones
    Column("first_id", Integer, primary_key=True),  # the smaller id of the two
    Column("second_id", Integer, primary_key=True),
    Column("decided_by", String(254), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
)
replaced = Table(
    "replaced", metadata,  # a project merged into another: its URL, links and open data lead to the kept one
    Column("project_id", Integer, primary_key=True),  # the merged (archived) record
    Column("kept_id", Integer, nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(254), nullable=False),
)
reports = Table(
    "reports", metadata,  # „Eintrag melden“: someone of the public tells the office about a project (atlas.reports)
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, nullable=False, index=True),
    Column("arl", String(20), nullable=False),  # the district it landed in (the project's, when it was made)
    Column("kind", String(20), nullable=False),  # closed, wrong, duplicate, inappropriate, other
    Column("duplicate_of", Integer, nullable=True),  # the other project, for a duplicate
    Column("message", Text, nullable=False, default=""),
    Column("email", String(254), nullable=False, default=""),  # for an answer; emptied when it is resolved
    Column("language", String(5), nullable=False, default="de"),  # the reporter's: the answer is written in it
    Column("status", String(10), nullable=False),  # open, resolved
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True), nullable=True),
    Column("resolved_by", String(254), nullable=False, default=""),
    Column("resolution", String(20), nullable=False, default=""),  # edited, archived, merged, dismissed
    Index("ix_reports_status_arl", "status", "arl"),
)
reason_templates = Table(
    "reason_templates", metadata,  # an office's reasons for a rejection, with their translations (atlas.reasons)
    Column("id", Integer, primary_key=True),
    Column("arl", String(20), nullable=False, index=True),
    Column("title", String(80), nullable=False),
    Column("body", Text, nullable=False),  # German: what the office and the history read
    Column("translations", Text, nullable=False, default="{}"),  # JSON {language: text}: what submitters read
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("row_version", Integer, nullable=False, default=1),
)
project_texts = Table(
    "project_texts", metadata,  # a project's description and summary in another language (atlas.texts)
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, nullable=False),
    Column("field", String(20), nullable=False),  # description, summary
    Column("language", String(5), nullable=False),
    Column("text", Text, nullable=False),
    Column("origin", String(10), nullable=False),  # submitter, office, machine
    Column("engine", String(20), nullable=False, default=""),  # the machine's (libretranslate, deepl)
    Column("source_text", Text, nullable=False),  # the German text it translates: outdated once that changes
    Column("made_at", DateTime(timezone=True), nullable=False),
    Column("made_by", String(254), nullable=False, default=""),
    UniqueConstraint("project_id", "field", "language", name="uq_project_texts"),
)
translation_jobs = Table(
    "translation_jobs", metadata,  # a text a machine is to translate (atlas.machine): one row per text, like the outbox
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, nullable=False),
    Column("field", String(20), nullable=False),
    Column("language", String(5), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("next_try_at", DateTime(timezone=True), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("failed_at", DateTime(timezone=True), nullable=True),  # refused for good (shown to the admin)
    Column("last_error", Text, nullable=False, default=""),
    UniqueConstraint("project_id", "field", "language", name="uq_translation_jobs"),
)
translation_use = Table(
    "translation_use", metadata,  # characters sent to each engine per month: its budget is counted here
    Column("engine", String(20), primary_key=True),
    Column("month", String(7), primary_key=True),  # YYYY-MM
    Column("characters", Integer, nullable=False, default=0),
)
