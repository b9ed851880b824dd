"""What the application is made of, built from plain settings: regions, gazetteer, geocoder.

No Flask here: the CLI, the web views and the tests share one object per configuration.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

# Each part is imported where it is first made: `atlas locate` needs the gazetteer, not the database, the search,
# the mail or the online geocoder (and their libraries: SQLAlchemy, Alembic, geopy).
if TYPE_CHECKING:
    from atlas.gazetteer import Gazetteer
    from atlas.geocode import Geocoder
    from atlas.machine import Machine
    from atlas.near import NearIndexCache
    from atlas.outbox import Outbox
    from atlas.published import PublicData
    from atlas.regions import Regions
    from atlas.search import Searcher
    from atlas.second_factor import SecondFactor
    from atlas.store import Store


class Services:
    def __init__(self, settings: dict):
        self.settings = settings
        self.data_dir = Path(settings["DATA_DIR"])

    def close(self) -> None:
        """Close the database connections this process holds (the app can open them again)."""
        if "store" in self.__dict__:
            self.store.close()

    @cached_property
    def regions(self) -> Regions:
        """The Kreise's boundaries (geopandas), read once per process: `atlas db upgrade` never needs them."""
        from atlas.regions import load_regions

        return load_regions(self.data_dir / "regions", Path(self.settings["CACHE_DIR"]))

    @cached_property
    def gazetteer(self) -> Gazetteer:
        return _gazetteer(self.data_dir / "gazetteer", self.regions, Path(self.settings["CACHE_DIR"]))

    @cached_property
    def store(self) -> Store:
        from atlas.store.opening import open_checked

        engine = open_checked(self.settings["DATABASE_URL"])  # a wrong address or schema is told before the store's
        # modules (pandas, geopandas) and the boundaries are loaded: those are read when first needed
        try:
            from atlas.store import Store
            from atlas.texts import other_languages

            store = Store(engine, lambda: self.regions)
            if self.settings["TRANSLATE_URL"] or self.settings["DEEPL_KEY"]:  # published texts get jobs
                store.machine_languages = tuple(other_languages())
            store.hold_days = self.settings["HOLD_DAYS"]  # „Ich übernehme das“ lapses after these (atlas.store.holds)
        except BaseException:
            engine.dispose()
            raise
        return store

    @cached_property
    def machine(self) -> Machine:
        """The machine translation jobs and the engines that work them off (none: machine translation is off).
        Names of places are never sent: the Gemeinden and Kreise of Niedersachsen (atlas.protect)."""
        from atlas.engines import budgets, configured
        from atlas.gazetteer import read_gemeinden_ni
        from atlas.machine import Machine

        places = (*read_gemeinden_ni(self.data_dir / "gazetteer").name, *(k.name for k in self.regions.by_rs.values()))
        return Machine(self.store, configured(self.settings), budgets(self.settings), tuple(places))

    @cached_property
    def public(self) -> PublicData:
        """The published projects in memory, kept current by what each publication changed."""
        from sqlalchemy.engine import make_url

        from atlas.kept import fingerprint
        from atlas.published import PublicData

        # one copy per database, named without its password
        database = fingerprint(make_url(self.settings["DATABASE_URL"]).render_as_string(hide_password=True))
        return PublicData(self.store, Path(self.settings["CACHE_DIR"]) / f"published-{database}.pickle")

    @cached_property
    def searcher(self) -> Searcher:
        from atlas.search import Searcher

        return Searcher(self.store, self.public)

    @cached_property
    def second_factor(self) -> SecondFactor:
        """TOTP and recovery codes of office accounts; the secrets sealed under a key derived from SECRET_KEY."""
        from atlas.second_factor import SecondFactor

        return SecondFactor(self.store, self.settings["SECRET_KEY"], self.settings["SECRET_KEY_FALLBACKS"] or [])

    @cached_property
    def outbox(self) -> Outbox:
        from atlas.outbox import Outbox

        return Outbox(self.store)

    @cached_property
    def transport(self):
        """How mails leave: SMTP as ATLAS_MAIL_URL says, or a file each in MAIL_DIR."""
        from atlas.mail import transport_for

        return transport_for(self.settings["MAIL_URL"], Path(self.settings["MAIL_DIR"]))

    @cached_property
    def near(self) -> NearIndexCache:
        from atlas.near import NearIndexCache

        return NearIndexCache(self.public)

    @cached_property
    def geocoder(self) -> Geocoder:
        from atlas.geocode import Geocoder

        online = None
        if self.settings["GEOCODER"] == "nominatim":
            from atlas.online import OnlineGeocoder

            online = OnlineGeocoder(
                base_url=self.settings["NOMINATIM_URL"],
                user_agent=self.settings["NOMINATIM_USER_AGENT"],
                timeout=self.settings["NOMINATIM_TIMEOUT"],
                store=self.store,
                min_interval=self.settings["NOMINATIM_MIN_INTERVAL"],
            )
        return Geocoder(self.regions, self.gazetteer, online)


_GAZETTEERS: dict[tuple[Path, int], Gazetteer] = {}


def _gazetteer(directory: Path, regions: Regions, cache_dir: Path) -> Gazetteer:
    """One gazetteer per data directory and process: building it takes a second, reading its cache a tenth."""
    key = (directory.resolve(), id(regions))
    if key not in _GAZETTEERS:
        from atlas.gazetteer import Gazetteer

        _GAZETTEERS[key] = Gazetteer(directory, regions, cache_dir)
    return _GAZETTEERS[key]
