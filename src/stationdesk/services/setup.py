"""`init`: create a station database with its directory and the station it belongs to."""

from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path

from stationdesk.domain.errors import DomainError, InvalidInput
from stationdesk.domain.routing import Directory, Station, StationKind, normalise_district
from stationdesk.domain.text import clean_text
from stationdesk.store import reads, schema
from stationdesk.store.engine import Database
from stationdesk.store.tables import META, STATIONS

DIRECTORY_COLUMNS = ("code", "name", "province", "districts", "kind")


def shipped_directory_text() -> str:
    return resources.files("stationdesk").joinpath("data/stations.csv").read_text(encoding="utf-8-sig")


def parse_directory(text: str, name: str) -> list[Station]:
    """Stations from a directory CSV; every bad line is named with its line number."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in DIRECTORY_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput("err.directory_columns", name=name, missing=", ".join(missing), need=",".join(DIRECTORY_COLUMNS))
    stations: list[Station] = []
    errors: list[str] = []
    seen: set[str] = set()
    for row in reader:
        line = reader.line_num
        code = clean_text(row["code"])
        try:
            kind = StationKind((row["kind"] or "station").strip())
        except ValueError:
            errors.append(f"{name}:{line}: kind '{row['kind']}' must be station or datacenter")
            continue
        if not code:
            errors.append(f"{name}:{line}: code is empty")
            continue
        if code in seen:
            errors.append(f"{name}:{line}: code {code} appears twice")
            continue
        seen.add(code)
        districts = frozenset(normalise_district(d) for d in (row["districts"] or "").split(";") if d.strip())
        stations.append(Station(code, clean_text(row["name"]), clean_text(row["province"]), districts, kind))
    if errors:
        raise InvalidInput("; ".join(errors[:10]))
    if not stations:
        raise InvalidInput("err.directory_empty", name=name)
    return stations


def init_database(path: Path, station_code: str, directory_file: Path | None = None) -> Station:
    """Create (or re-initialise the directory of) the database at ``path`` for ``station_code``."""
    if directory_file is not None:
        try:
            text = directory_file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"{directory_file}: cannot read: {exc}") from None
        stations = parse_directory(text, str(directory_file))
    else:
        stations = parse_directory(shipped_directory_text(), "data/stations.csv")
    home = Directory(stations).get(station_code)
    if home.is_datacenter:
        raise DomainError("err.datacenter_desk", code=station_code)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(path)
    try:
        with db.read() as conn:
            existing = schema.current_revision(conn) and schema.read_meta(conn, "station_code")
        if existing and existing != station_code:
            raise DomainError("err.other_station_db", path=path, existing=existing, code=station_code)
        schema.upgrade(db)
        with db.write() as conn:
            conn.execute(STATIONS.delete())
            conn.execute(STATIONS.insert(), [
                {"code": s.code, "name": s.name, "province": s.province,
                 "districts": ";".join(sorted(s.districts)), "kind": s.kind.value} for s in stations
            ])
            conn.execute(META.delete().where(META.c.key == "station_code"))
            conn.execute(META.insert().values(key="station_code", value=station_code))
    finally:
        db.dispose()
    return home


def load_directory(db: Database) -> Directory:
    with db.read() as conn:
        return reads.directory(conn)
