"""Every worked case of ../shared/domain/charter-cases.json through the evaluate command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from meetings.charter import evaluate_case

pytestmark = pytest.mark.unit

PROJECT_ROOT = Path(__file__).resolve().parents[3]
FIXTURE = Path(__file__).parent / "fixtures" / "charter-cases.json"
SHARED = PROJECT_ROOT.parent / "shared" / "domain" / "charter-cases.json"
CASES: list[dict[str, object]] = json.loads(FIXTURE.read_text(encoding="utf-8"))
CASE_IDS = [f"{case['id']} {case['description']}" for case in CASES]


def evaluate_command(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "meetings.charter", "evaluate", str(path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        encoding="utf-8",
        check=False,
        timeout=60,
    )


# Issue 13: a blocked decision reports the threshold it would have needed (the shared cases
# still print `required: null` for these three; the lead updates ../shared at merge).
BLOCKED_REQUIREMENTS = {"C46-two-thirds": 7, "C26": 6, "C31": 5}


def assert_matches_expected(result: object, case: dict[str, object]) -> None:
    """For every key in `expected`, the output must be equal; extra output keys are allowed."""
    assert isinstance(result, dict)
    expected = case["expected"]
    assert isinstance(expected, dict)
    if case["id"] in BLOCKED_REQUIREMENTS:
        decision = expected["decision"]
        assert isinstance(decision, dict)
        assert (decision["status"], decision["required"]) == ("blocked", None)
        expected = {
            **expected,
            "decision": {**decision, "required": BLOCKED_REQUIREMENTS[case["id"]]},
        }
    assert {key: result.get(key) for key in expected} == expected


def test_fixture_is_an_exact_copy_of_the_shared_cases() -> None:
    if not SHARED.exists():
        pytest.skip(f"{SHARED} is not beside the project")

    assert FIXTURE.read_bytes() == SHARED.read_bytes()


def test_shared_cases_cover_every_decision_kind() -> None:
    kinds = {case["decision"]["kind"] for case in CASES if "decision" in case}  # type: ignore[index]

    assert kinds == {"resolution", "admission", "recognition", "discipline", "election"}


@pytest.fixture(scope="module")
def list_form_results() -> dict[str, object]:
    completed = evaluate_command(FIXTURE)

    assert (completed.returncode, completed.stderr) == (0, "")
    results = json.loads(completed.stdout)
    assert isinstance(results, list)
    assert len(results) == len(CASES)
    return {result["id"]: result for result in results}


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_shared_case_through_the_list_form(
    case: dict[str, object], list_form_results: dict[str, object]
) -> None:
    assert_matches_expected(list_form_results[str(case["id"])], case)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_shared_case_through_the_single_object_form(
    case: dict[str, object], tmp_path: Path
) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")

    completed = evaluate_command(path)

    assert (completed.returncode, completed.stderr) == (0, "")
    assert_matches_expected(json.loads(completed.stdout), case)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_shared_case_in_process(case: dict[str, object]) -> None:
    assert_matches_expected(evaluate_case(case), case)
