"""Fixtures for the screen tests: a real station database seeded once per session and copied
for each test, a fixed clock, and the app built by the same factory the CLI uses."""

from __future__ import annotations

import asyncio
import inspect
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from stationdesk.bootstrap import open_desk
from stationdesk.services.context import Desk
from stationdesk.services.seed import seed
from stationdesk.services.setup import init_database
from stationdesk.tui.app import StationDeskApp, build_app
from tests.conftest import cheap_hasher
from tui_support import NOW, OPERATOR, SEED_AT, SEED_ORDERS, SEED_VALUE


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests (Pilot tests) in a fresh event loop; no async plugin is needed."""
    fn = pyfuncitem.obj
    if not inspect.iscoroutinefunction(fn):
        return None
    wanted = inspect.signature(fn).parameters
    asyncio.run(fn(**{name: value for name, value in pyfuncitem.funcargs.items() if name in wanted}))
    return True


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "station.db"
    init_database(path, "HZ001")
    desk = open_desk(path, config_path=path.with_name("none.toml"), clock=lambda: SEED_AT)
    try:
        seed(desk, SEED_ORDERS, SEED_VALUE)
    finally:
        desk.db.dispose()
    return path


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the seeded database, opened by a relative path so that the path shown in
    the status bar (and so the snapshots) is the same on every run."""
    shutil.copy(template_db, tmp_path / "station.db")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "station.db"


@pytest.fixture
def make_app(db_path: Path, tmp_path: Path) -> Iterator[Callable[..., StationDeskApp]]:
    desks: list[Desk] = []

    def make(config: str = "", now=NOW) -> StationDeskApp:  # noqa: ANN001
        config_path = tmp_path / "config.toml"
        if config:
            config_path.write_text(config, encoding="utf-8")
        desk = open_desk(Path("station.db"), config_path=config_path, clock=lambda: now, hasher=cheap_hasher())
        desks.append(desk)
        return build_app(desk, operator=OPERATOR)

    yield make
    for desk in desks:
        desk.db.dispose()
