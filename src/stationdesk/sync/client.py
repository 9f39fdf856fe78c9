"""A station's connection to head office's sync API (httpx), and where its token comes from.

The URL must be https://, or http:// to this machine only (a reverse proxy or a test). The token
comes from STATIONDESK_HQ_TOKEN or from a file in the user config dir that only its owner can read;
it travels in the Authorization header only, never in a URL, an argument, a log line or a message.
Every request is safe to repeat (a push is keyed by its op ids), so a dropped line is retried.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from stationdesk.domain.words import from_wire
from stationdesk.sync.errors import HQError
from stationdesk.sync.protocol import (
    PROTOCOL_VERSION, VERSION_HEADER, AccountsCheck, AuditPage, ChainCompare, ChainVerdict, FeedPage, Hello, OpsPage, PushBatch, PushResult,
    Rebase, Recorded, Refusal, Resolutions, Welcome,
)

TOKEN_ENV = "STATIONDESK_HQ_TOKEN"
TOKEN_FILE = "hq-token"
RETRIES = 3
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

M = TypeVar("M", bound=BaseModel)


class HQRefused(HQError):
    """Head office answered with a refusal: ``refusal.error`` says which kind."""

    def __init__(self, refusal: Refusal, status: int) -> None:
        super().__init__(refusal.message)
        self.refusal, self.status = refusal, status
        # head office's words, checked against this station's catalogue: said in the station's language
        self.words = from_wire(refusal.words) if refusal.words is not None else None


def token_path() -> Path:
    from stationdesk import paths

    return paths.config_dir() / TOKEN_FILE


def load_token(path: Path | None = None) -> str:
    """The station's token: STATIONDESK_HQ_TOKEN, else the token file (owner-only, or it is refused)."""
    env = os.environ.get(TOKEN_ENV, "").strip()
    if env:
        return env
    path = path or token_path()
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise HQError("sync.no_token", env=TOKEN_ENV, path=path) from None
    except OSError as exc:
        raise HQError("sync.token_unreadable", path=path, why=exc.strerror or str(exc)) from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise HQError("sync.token_open", path=path, mode=f"{stat.S_IMODE(mode):o}")
    token = path.read_text(encoding="utf-8").strip()
    if not token:
        raise HQError("sync.token_empty", path=path)
    return token


def save_token(token: str, path: Path | None = None) -> Path:
    """Write the token file readable by its owner only (created with that mode, never widened)."""
    token = token.strip()
    if not token or any(c.isspace() for c in token):
        raise HQError("sync.token_form")
    path = path or token_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(token + "\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def check_url(url: str) -> str:
    """The sync URL, refused unless it is https:// or http:// to this machine."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname in LOCAL_HOSTS:
        return url
    if parts.scheme.startswith("postgres"):
        raise HQError("sync.db_url")
    raise HQError("sync.bad_url", url=f"{parts.scheme}://{parts.hostname or ''}")


class HeadOffice:
    """Head office's sync API as the station calls it; one ``httpx.Client`` with a connection pool."""

    def __init__(self, url: str, token: str, *, transport: httpx.BaseTransport | None = None,
                 timeout: float = 60.0) -> None:
        self.url = check_url(url)
        self.http = httpx.Client(
            base_url=self.url, transport=transport, timeout=timeout,
            headers={"Authorization": f"Bearer {token}", VERSION_HEADER: str(PROTOCOL_VERSION)},
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> HeadOffice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, out: type[M], body: BaseModel | None = None,
              params: dict[str, Any] | None = None) -> M:
        content = body.model_dump_json().encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if content is not None else None
        for attempt in range(1, RETRIES + 1):
            try:
                response = self.http.request(method, path, content=content, params=params, headers=headers)
                break
            except httpx.TransportError as exc:
                if attempt == RETRIES:
                    raise HQError("sync.unreachable", url=self.url, why=exc.__class__.__name__) from None
        if response.status_code != 200:
            try:
                refusal = Refusal.model_validate_json(response.content)
            except ValidationError:
                raise HQError("sync.not_api", url=f"{self.url}{path}", status=response.status_code) from None
            raise HQRefused(refusal, response.status_code)
        try:
            return out.model_validate_json(response.content)
        except ValidationError as exc:
            raise HQError("sync.malformed", url=f"{self.url}{path}", model=out.__name__, why=exc.errors()[0]["msg"]) from None

    def hello(self, body: Hello) -> Welcome:
        return self._call("POST", "/v2/hello", Welcome, body)

    def push(self, body: PushBatch) -> PushResult:
        return self._call("POST", "/v2/push", PushResult, body)

    def resolutions(self, body: Resolutions) -> Recorded:
        return self._call("POST", "/v2/resolutions", Recorded, body)

    def feed(self, after: int, limit: int) -> FeedPage:
        return self._call("GET", "/v2/feed", FeedPage, params={"after": after, "limit": limit})

    def compare(self, body: ChainCompare) -> ChainVerdict:
        return self._call("POST", "/v2/chain/compare", ChainVerdict, body)

    def audit(self, after: int, limit: int) -> AuditPage:
        return self._call("GET", "/v2/audit", AuditPage, params={"after": after, "limit": limit})

    def ops_after(self, after: int, limit: int) -> OpsPage:
        return self._call("GET", "/v2/ops", OpsPage, params={"after": after, "limit": limit})

    def check_accounts(self, body: AccountsCheck) -> Recorded:
        return self._call("POST", "/v2/accounts/check", Recorded, body)

    def rebase(self, body: Rebase) -> Welcome:
        return self._call("POST", "/v2/rebase", Welcome, body)
