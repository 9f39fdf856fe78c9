"""Many processes signing in at once with wrong passwords cannot get past the lockout: the count
is taken, checked and raised in one write transaction before any password is checked."""

import multiprocessing
import sqlite3
from pathlib import Path

from stationdesk.bootstrap import open_desk
from stationdesk.domain.errors import DomainError
from stationdesk.domain.roles import MAX_FAILED_LOGINS, Operator, Role
from stationdesk.services import operators
from stationdesk.services.passwords import Argon2Hasher, HashCost
from tests.conftest import CHEAP_HASHER_COST

ATTEMPTS = 24


def attempt(db: str, config: str, password: str, barrier, results) -> None:  # noqa: ANN001
    desk = open_desk(Path(db), Path(config), hasher=Argon2Hasher(HashCost(*CHEAP_HASHER_COST)))
    try:
        barrier.wait(timeout=60)
        try:
            operators.authenticate(desk, "王芳", password)
            results.put("in")
        except DomainError as exc:
            results.put(str(exc))
    finally:
        desk.db.dispose()


def test_parallel_wrong_passwords_stop_at_the_fifth_and_the_right_one_is_then_refused(desk, db_path, tmp_path):
    operators.add_user(desk, "王芳", Role.ADMIN, "admin-pass-1", by=Operator("王芳"))
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(ATTEMPTS), ctx.Queue()
    procs = [ctx.Process(target=attempt, args=(str(db_path), str(tmp_path / "none.toml"), "wrong-password",
                                               barrier, results)) for _ in range(ATTEMPTS)]
    for p in procs:
        p.start()
    answers = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert "in" not in answers and len(set(answers)) == 1  # one answer, locked or not
    con = sqlite3.connect(db_path)
    (failed, locked_until) = con.execute("SELECT failed_attempts, locked_until FROM operator").fetchone()
    con.close()
    assert failed == MAX_FAILED_LOGINS and locked_until is not None  # no attempt was checked past the fifth
    # the right password now waits for the lock, as it would after five failures one by one
    right = ctx.Queue()
    p = ctx.Process(target=attempt, args=(str(db_path), str(tmp_path / "none.toml"), "admin-pass-1",
                                          ctx.Barrier(1), right))
    p.start()
    assert right.get(timeout=60) == answers[0]
    p.join(timeout=60)


def test_a_locked_admin_unlocks_with_the_right_password(desk, clock):
    operators.add_user(desk, "王芳", Role.ADMIN, "admin-pass-1", by=Operator("王芳"))
    for _ in range(MAX_FAILED_LOGINS + 3):  # a scheduled job with a stale password
        try:
            operators.authenticate(desk, "王芳", "stale-password")
        except DomainError:
            pass
        else:
            raise AssertionError("a wrong password signed in")
    try:
        operators.unlock_own(desk, "王芳", "another-wrong-one")
    except DomainError as exc:
        assert "用户名或密码错误" in str(exc)
    else:
        raise AssertionError("a wrong password unlocked")
    operators.unlock_own(desk, "王芳", "admin-pass-1")
    assert operators.authenticate(desk, "王芳", "admin-pass-1").role is Role.ADMIN
