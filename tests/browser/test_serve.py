"""The desk served to a real browser: `stationdesk serve`, Debian's chromium driven through
chromium-driver by selenium. A person signs in, opens 网点接单 and accepts an order; the
command line then reads the order's status back. A screenshot of the accept list is kept in
test-output/browser/. Chromium is installed with apt-get when missing; when it cannot be had,
the test fails, it never skips."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import feed_row, write_csv

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "test-output" / "browser"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"  # so the screenshot shows the Chinese
PACKAGES = ("chromium", "chromium-driver", "fonts-noto-cjk")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1280,800")
WAIT = 60  # seconds for a step a person would see at once; bounded, so a broken desk fails


def _ensure_chromium() -> None:
    """Debian's chromium and chromium-driver, installed here when missing; a failure is loud."""
    needed = (CHROMIUM, CHROMEDRIVER, CJK_FONT)
    if all(Path(p).exists() for p in needed):
        return
    if shutil.which("apt-get") is None:
        pytest.fail("the browser test needs Debian's chromium and chromium-driver, and apt-get is not here")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *PACKAGES]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            pytest.fail(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr[-2000:]}")
    missing = [p for p in needed if not Path(p).exists()]
    if missing:
        pytest.fail(f"apt-get installed {', '.join(PACKAGES)} but {', '.join(missing)} is missing")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _until(what: str, check, seconds: float = WAIT, every: float = 0.25):  # noqa: ANN001
    """Poll a real process's effect (a port, a log line, a row) until it shows, or fail naming it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(every)
    pytest.fail(f"waited {seconds:.0f} s for {what}")


def _settled(driver, what: str, unlike: bytes) -> bytes:  # noqa: ANN001
    """The page's picture once it has changed from ``unlike`` and two looks in a row agree."""
    last = b""

    def look() -> bytes | None:
        nonlocal last
        png = driver.get_screenshot_as_png()
        same, last = png == last, png
        return png if same and png != unlike else None

    return _until(what, look, every=0.5)


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stationdesk", *args], env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def station(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "STATIONDESK_DB": str(tmp_path / "station.db"),
           "STATIONDESK_CONFIG": str(tmp_path / "config.toml"), "STATIONDESK_LOG_DIR": str(tmp_path / "logs"),
           "XDG_DATA_HOME": str(tmp_path / "xdg-data"), "XDG_CONFIG_HOME": str(tmp_path / "xdg-config")}
    for name in ("STATIONDESK_OPERATOR", "STATIONDESK_PASSWORD"):
        env.pop(name, None)
    (tmp_path / "config.toml").write_text('[log]\nlevel = "INFO"\n', encoding="utf-8")
    assert _cli(env, "init", "--station", "HZ001").returncode == 0
    now = datetime.now().astimezone()
    feed = write_csv(tmp_path / "feed.csv", [feed_row(1, order_time=(now - timedelta(minutes=5)).isoformat())])
    done = _cli({**env, "STATIONDESK_OPERATOR": "导入"}, "import", str(feed))
    assert done.returncode == 0, done.stderr
    added = _cli({**env, "STATIONDESK_NEW_PASSWORD": "s3cret-王"}, "user", "add", "王芳", "--role", "admin")
    assert added.returncode == 0, added.stderr
    return env


def test_a_supervisor_signs_in_from_a_browser_and_accepts_an_order(station, tmp_path):
    _ensure_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    port = _free_port()
    log_file = Path(station["STATIONDESK_LOG_DIR"]) / "stationdesk.log"
    server = subprocess.Popen([sys.executable, "-m", "stationdesk", "serve", "--bind", f"127.0.0.1:{port}"],
                              env={**station, "STATIONDESK_PASSWORD": "must-not-pass-on"},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    admin = {**station, "STATIONDESK_OPERATOR": "王芳", "STATIONDESK_PASSWORD": "s3cret-王"}
    driver = None
    try:
        def listening() -> bool:
            if server.poll() is not None:
                pytest.fail(f"stationdesk serve exited {server.returncode}: {server.stdout.read()}")
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0

        _until("stationdesk serve to listen", listening)
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        driver.get(f"http://127.0.0.1:{port}/")
        _until("the page to start the desk", lambda: "-first-byte" in (driver.find_element(By.TAG_NAME, "body")
                                                                       .get_attribute("class") or ""))
        _until("the desk to open its store", lambda: log_file.exists() and "desk open on" in log_file.read_text("utf-8"))
        OUTPUT.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(OUTPUT / "log-in.png"))
        keys = driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
        # xterm.js hands typed Chinese to the terminal a moment after the key events (as an IME
        # does), so the typist pauses before Enter, as a person would, or Enter overtakes the name
        typing = ActionChains(driver).move_to_element(keys).click()
        for text in ("王芳", Keys.ENTER, "s3cret-王", Keys.ENTER):
            typing = typing.send_keys(text).pause(0.5)
        typing.perform()
        try:
            _until("the sign-in in the log", lambda: "signed in: 王芳" in log_file.read_text("utf-8"))
        finally:
            driver.save_screenshot(str(OUTPUT / "after-log-in.png"))
        signed_in = driver.get_screenshot_as_png()
        keys.send_keys(Keys.F3)  # 网点接单, the screen a signed-in desk opens on
        shot = OUTPUT / "accept-list.png"
        shot.write_bytes(_settled(driver, "the accept list to be drawn", unlike=signed_in))
        keys.send_keys("a")  # accept the order in the cursor

        def status() -> str | None:
            shown = _cli(admin, "orders", "show", "LP00000001", "--format", "json")
            assert shown.returncode == 0, shown.stderr
            got = json.loads(shown.stdout)
            return got["status"] if got["status"] == "accepted" else None

        assert _until("the order to be accepted", status) == "accepted"
        (OUTPUT / "accepted.png").write_bytes(_settled(driver, "the list after the accept", unlike=shot.read_bytes()))
        shown = json.loads(_cli(admin, "orders", "show", "LP00000001", "--format", "json").stdout)
        accepted = [h for h in shown["history"] if h["after"] == "accepted"]
        assert accepted and accepted[0]["operator"] == "王芳"  # the person who signed in, in the browser
        assert shot.stat().st_size > 10_000  # a real picture of the desk, kept for people to look at
        print(f"screenshot of the accept list: {shot}")
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    log = log_file.read_text("utf-8")
    assert "must-not-pass-on" not in log and "s3cret" not in log


def test_serve_refuses_a_public_address_without_tls(station):
    refused = _cli(station, "serve", "--bind", "0.0.0.0:8765")
    assert refused.returncode == 1 and "--public" in refused.stderr
    no_tls = _cli(station, "serve", "--bind", "0.0.0.0:8765", "--public")
    assert no_tls.returncode == 1 and "TLS" in no_tls.stderr
    plain_proxy = _cli(station, "serve", "--bind", "0.0.0.0:8765", "--public", "--public-url", "http://desk.example/")
    assert plain_proxy.returncode == 1 and "TLS" in plain_proxy.stderr


def test_serve_refuses_a_station_without_accounts(tmp_path):
    env = {**os.environ, "STATIONDESK_DB": str(tmp_path / "s.db"), "STATIONDESK_CONFIG": str(tmp_path / "none.toml"),
           "STATIONDESK_LOG_DIR": str(tmp_path / "logs")}
    assert _cli(env, "init", "--station", "HZ001").returncode == 0
    refused = _cli(env, "serve", "--bind", "127.0.0.1:8765")
    assert refused.returncode == 1 and "user add" in refused.stderr
