"""`python -m meetings.charter evaluate FILE`: output, and precise errors with exit code 2."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from meetings.charter.__main__ import main

pytestmark = pytest.mark.unit

PROJECT_ROOT = Path(__file__).resolve().parents[3]
FIXTURE = Path(__file__).parent / "fixtures" / "charter-cases.json"

VALID: dict[str, object] = {
    "id": "X1",
    "roster": [
        {"id": "o01", "standing": "official", "membership": "home"},
        {"id": "o02", "standing": "official", "membership": "home"},
        {"id": "o03", "standing": "official", "membership": "home"},
    ],
    "attendance": {"o01": "present", "o02": "present", "o03": "present"},
    "decision": {
        "kind": "resolution",
        "method": "show_of_hands",
        "ballots": {"o01": "yes", "o02": "yes", "o03": "no"},
    },
}


def with_decision(**fields: object) -> str:
    return json.dumps({**VALID, "decision": {**VALID["decision"], **fields}})  # type: ignore[dict-item]


def with_roster_entry(**fields: object) -> str:
    roster = [*VALID["roster"][:2], {**VALID["roster"][2], **fields}]  # type: ignore[index]
    return json.dumps({**VALID, "roster": roster})


def run(path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "meetings.charter", "evaluate", str(path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        encoding="utf-8",
        check=False,
        timeout=60,
        env={**os.environ, **env},
    )


MALFORMED_FILES = [
    pytest.param(
        '{"roster": [', "not valid JSON: Expecting value at line 1 column 13", id="not JSON"
    ),
    pytest.param("", "not valid JSON: Expecting value at line 1 column 1", id="empty file"),
    pytest.param('{"x": NaN}', "not valid JSON: NaN is not valid JSON", id="NaN is not JSON"),
    pytest.param(
        with_decision(ballots={"o01": "yes", "zz": "yes"}),
        "case \"X1\": decision.ballots.zz: unknown member id 'zz' (not on the roster)",
        id="unknown member id in ballots",
    ),
    pytest.param(
        with_decision(kind="motion"),
        "case \"X1\": decision.kind: unknown value 'motion' (expected one of: resolution, "
        "admission, recognition, discipline, election, board)",
        id="unknown decision kind",
    ),
    pytest.param(
        with_decision(method="acclamation"),
        "case \"X1\": decision.method: unknown value 'acclamation' (expected one of: "
        "show_of_hands, secret_ballot)",
        id="unknown voting method",
    ),
    pytest.param(
        with_roster_entry(standing="candidate"),
        "case \"X1\": roster[2].standing: unknown value 'candidate' (expected one of: official, "
        "probationary)",
        id="unknown standing",
    ),
    pytest.param(
        json.dumps({**VALID, "attendance": {"o01": "late"}}),
        "case \"X1\": attendance.o01: unknown value 'late' (expected one of: present, "
        "absent_with_reason, absent_without_reason, left_with_reason)",
        id="unknown attendance value",
    ),
    pytest.param(
        with_decision(ballots=None, tally={"yes": -3}).replace('"ballots": null, ', ""),
        'case "X1": decision.tally.yes: must be a non-negative integer, got -3',
        id="negative tally",
    ),
    pytest.param(
        json.dumps({key: value for key, value in VALID.items() if key != "roster"}),
        'case "X1": roster: missing required field',
        id="missing required field",
    ),
    pytest.param(
        with_roster_entry(exempt="no"),
        'case "X1": roster[2].exempt: expected a boolean, got string',
        id="wrong type",
    ),
    pytest.param(
        json.dumps([VALID, {**VALID, "id": "X2", "attendance": []}]),
        'case "X2" (index 1): attendance: expected an object, got array',
        id="a bad case in a list is named by id and index",
    ),
    pytest.param(
        '"a string"',
        "document: expected a case object or a list of cases, got string",
        id="neither a case nor a list",
    ),
]


@pytest.mark.parametrize(("content", "message"), MALFORMED_FILES)
def test_malformed_file_gives_a_precise_error_and_exit_code_2(
    content: str, message: str, tmp_path: Path
) -> None:
    path = tmp_path / "case.json"
    path.write_text(content, encoding="utf-8")

    completed = run(path)

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr == f"error: {path}: {message}\n"
    assert "Traceback" not in completed.stderr


def test_missing_file_gives_exit_code_2(tmp_path: Path) -> None:
    path = tmp_path / "absent.json"

    completed = run(path)

    assert (completed.returncode, completed.stdout) == (2, "")
    assert completed.stderr == f"error: {path}: no such file\n"


def test_every_bad_case_of_a_list_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    bad_kind = json.loads(with_decision(kind="x"))
    path.write_text(json.dumps([bad_kind, VALID, {**bad_kind, "id": "X3"}]), encoding="utf-8")

    completed = run(path)

    assert completed.returncode == 2
    assert completed.stderr.splitlines() == [
        f"error: {path}: case \"X1\" (index 0): decision.kind: unknown value 'x' (expected one "
        "of: resolution, admission, recognition, discipline, election, board)",
        f"error: {path}: case \"X3\" (index 2): decision.kind: unknown value 'x' (expected one "
        "of: resolution, admission, recognition, discipline, election, board)",
    ]


def test_usage_errors_exit_with_code_2() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "meetings.charter"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        encoding="utf-8",
        check=False,
        timeout=60,
    )

    assert completed.returncode == 2
    assert "usage: python -m meetings.charter" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_output_is_utf8_json_whatever_the_terminal_encoding(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(VALID), encoding="utf-8")

    completed = run(path, PYTHONIOENCODING="ascii", LC_ALL="C")

    assert completed.returncode == 0
    result = json.loads(completed.stdout)
    assert result["decision"]["status"] == "passed"
    assert "Biểu quyết nghị quyết" in result["explanation"]


def test_main_prints_a_single_result_for_a_single_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(VALID), encoding="utf-8")

    code = main(["evaluate", str(path)])

    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert json.loads(out)["vote_base"] == 3


def test_main_prints_a_list_for_a_list(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["evaluate", str(FIXTURE)])

    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert len(json.loads(out)) == 28


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe{}", "not UTF-8 text (invalid start byte at byte 0)"),
        (b"[1, 2", "not valid JSON: Expecting ',' delimiter at line 1 column 6"),
        (b'{"a": Infinity}', "not valid JSON: Infinity is not valid JSON"),
        (
            b'{"roster": [], "attendance": {}, "decision": 3}',
            "case: decision: expected an object, got number",
        ),
    ],
    ids=["not UTF-8", "truncated JSON", "Infinity", "bad decision"],
)
def test_main_reports_bad_files(
    content: bytes, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "case.json"
    path.write_bytes(content)

    code = main(["evaluate", str(path)])

    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == f"error: {path}: {message}\n"


def test_main_reports_missing_and_unreadable_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = main(["evaluate", str(tmp_path / "absent.json")])
    directory = main(["evaluate", str(tmp_path)])

    _, err = capsys.readouterr()
    assert (missing, directory) == (2, 2)
    assert err.splitlines() == [
        f"error: {tmp_path / 'absent.json'}: no such file",
        f"error: {tmp_path}: cannot be read (Is a directory)",
    ]


def test_main_module_imports_without_running() -> None:
    module = importlib.import_module("meetings.charter.__main__")

    assert module.main is main
