"""Every ruff or mypy suppression in the code names what it silences and says why, on its line."""

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "stationdesk"

NOQA = re.compile(r"#\s*noqa\b(?P<rest>.*)$")
IGNORE = re.compile(r"#\s*type:\s*ignore\b(?P<rest>.*)$")
CODES = re.compile(r":\s*[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*")
ERRORS = re.compile(r"\[[a-z-]+(?:\s*,\s*[a-z-]+)*\]")
REASON = re.compile(r"\w{2,}")


def bare_suppressions(text: str) -> list[str]:
    """The lines of ``text`` whose `# noqa` or `# type: ignore` lacks its codes or a reason."""
    bare = []
    for n, line in enumerate(text.splitlines(), start=1):
        for pattern, codes in ((NOQA, CODES), (IGNORE, ERRORS)):
            found = pattern.search(line)
            if found is None:
                continue
            named = codes.match(found["rest"])
            if named is None or not REASON.search(found["rest"][named.end():]):
                bare.append(f"{n}: {line.strip()}")
    return bare


def test_the_check_tells_a_bare_suppression_from_an_explained_one():
    assert bare_suppressions("import x  # noqa: F401\n") == ["1: import x  # noqa: F401"]
    assert bare_suppressions("import x  # noqa\n") == ["1: import x  # noqa"]
    assert bare_suppressions("y = x.z  # type: ignore\n") == ["1: y = x.z  # type: ignore"]
    assert bare_suppressions("y = x.z  # type: ignore[attr-defined]\n") != []
    assert bare_suppressions("import x  # noqa: F401 - re-exported for the reports\n") == []
    assert bare_suppressions("import x  # noqa: E402,F401  (shared by the groups)\n") == []
    assert bare_suppressions("y = x.z  # type: ignore[attr-defined]  # set by the mapping\n") == []


def test_every_suppression_in_the_code_names_its_codes_and_says_why():
    bare = {str(path.relative_to(SRC)): found for path in sorted(SRC.rglob("*.py"))
            if (found := bare_suppressions(path.read_text(encoding="utf-8")))}
    assert bare == {}
