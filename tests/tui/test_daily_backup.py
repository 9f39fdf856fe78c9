"""The desk takes today's backup by itself, once, into [backup] folder."""

from __future__ import annotations

import asyncio
from pathlib import Path

from stationdesk.bootstrap import open_desk
from stationdesk.services.backup import verify
from stationdesk.tui.app import build_app
from tui_support import NOW, settle

SIZE = (120, 40)


async def test_the_running_desk_takes_todays_backup_once(db_path: Path, tmp_path: Path):
    folder = tmp_path / "backups"
    config = tmp_path / "config.toml"
    config.write_text(f'[backup]\nfolder = "{folder}"\nkeep_days = 3\n', encoding="utf-8")
    desk = open_desk(db_path, config_path=config, clock=lambda: NOW)
    app = build_app(desk, operator="张敏", alerts=True)
    try:
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(100):  # the first check runs as the desk opens, in a worker
                await settle(pilot)
                if list(folder.glob("*.db")):
                    break
                await asyncio.sleep(0.05)
            made = sorted(folder.glob("*.db"))
            assert [p.name for p in made] == ["station-HZ001-2026-11-23.db"]
            assert verify(made[0]).ok
            assert "今日备份已完成" in app.message[0] or any("备份" in str(n.message) for n in app._notifications)
            await app.backups.run_scheduled()  # the next hourly check: today's exists, nothing new
            await settle(pilot)
            assert sorted(folder.glob("*.db")) == made
    finally:
        desk.db.dispose()
