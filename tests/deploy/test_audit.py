"""bin/audit reads pip-audit's report: a vulnerability fails the run, and a run that could look
nothing up says NOT CHECKED, never "no known vulnerabilities". pip-audit itself is replaced by a
script writing the report the real one writes in each case (the vulnerability service cannot be
reached from every machine the suite runs on)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.unit

FAKE_PIP_AUDIT = """\
import json, os, sys
arguments = sys.argv[1:]
with open(os.environ["FAKE_ARGUMENTS"], "w") as handle:
    json.dump(arguments, handle)
with open(arguments[arguments.index("--output") + 1], "w") as handle:
    handle.write(os.environ["FAKE_REPORT"])
sys.exit(int(os.environ["FAKE_STATUS"]))
"""
NOT_FOUND = "Dependency not found on PyPI and could not be audited: {} ({})"


def audit(tmp_path, dependencies, *, status=0, required=False):
    fake = tmp_path / "pip-audit"
    fake.write_text(f"#!{sys.executable}\n{FAKE_PIP_AUDIT}")
    fake.chmod(0o755)
    arguments = tmp_path / "arguments.json"
    report = json.dumps({"dependencies": dependencies, "fixes": []})
    result = subprocess.run(
        [str(ROOT / "bin" / "audit")],
        env={
            **os.environ,
            "PIP_AUDIT": str(fake),
            "FAKE_ARGUMENTS": str(arguments),
            "FAKE_REPORT": report,
            "FAKE_STATUS": str(status),
            "CHIBO_AUDIT_REQUIRED": "1" if required else "0",
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return result.returncode, result.stdout, json.loads(arguments.read_text())


def test_the_locked_requirements_are_what_is_audited(tmp_path):
    _, _, arguments = audit(tmp_path, [])

    assert arguments[:4] == [
        "--requirement",
        "requirements/base.txt",
        "--requirement",
        "requirements/dev.txt",
    ]
    assert {"--no-deps", "--disable-pip"} <= set(arguments)


def test_packages_that_could_not_be_looked_up_are_reported_as_not_checked(tmp_path):
    unreachable = [
        {"name": "django", "skip_reason": NOT_FOUND.format("django", "5.2.19")},
        {"name": "daphne", "skip_reason": NOT_FOUND.format("daphne", "4.2.3")},
    ]

    warned, output, _ = audit(tmp_path, unreachable)
    failed, _, _ = audit(tmp_path, unreachable, required=True)

    assert output.startswith("pip-audit: NOT CHECKED: 2 of 2 locked packages")
    assert "no known vulnerabilities" not in output.lower()
    assert (warned, failed) == (0, 1)


def test_a_known_vulnerability_fails_the_run(tmp_path):
    dependencies = [
        {"name": "django", "version": "5.2.19", "vulns": []},
        {
            "name": "twisted",
            "version": "26.10.0",
            "vulns": [{"id": "PYSEC-2099-1", "fix_versions": ["26.11.0"], "aliases": []}],
        },
    ]

    status, output, _ = audit(tmp_path, dependencies, status=1)

    assert status == 1
    assert "VULNERABLE twisted 26.10.0: PYSEC-2099-1 (fixed in 26.11.0)" in output


def test_only_a_run_that_checked_every_package_says_none_is_known(tmp_path):
    dependencies = [
        {"name": "django", "version": "5.2.19", "vulns": []},
        {"name": "daphne", "version": "4.2.3", "vulns": []},
    ]

    status, output, _ = audit(tmp_path, dependencies)

    assert (status, output.strip()) == (
        0,
        "pip-audit: no known vulnerabilities in the 2 locked packages.",
    )


def test_a_pip_audit_that_reported_on_nothing_is_not_a_clean_bill(tmp_path):
    warned, output, _ = audit(tmp_path, [], status=2)
    failed, _, _ = audit(tmp_path, [], status=2, required=True)

    assert output.startswith("pip-audit: NOT CHECKED")
    assert (warned, failed) == (0, 1)


def test_a_pip_audit_that_failed_after_checking_everything_fails_the_run(tmp_path):
    status, output, _ = audit(
        tmp_path, [{"name": "django", "version": "5.2.19", "vulns": []}], status=2
    )

    assert (status, output.strip()) == (1, "pip-audit: NOT CHECKED: pip-audit failed (exit 2).")


def test_accepted_vulnerabilities_are_passed_to_pip_audit(tmp_path, monkeypatch):
    exceptions = tmp_path / "exceptions.txt"
    exceptions.write_text("# accepted\nPYSEC-2099-1  no fix yet\nGHSA-aaaa-bbbb-cccc  unused\n")
    monkeypatch.setenv("CHIBO_AUDIT_EXCEPTIONS", str(exceptions))

    _, _, arguments = audit(tmp_path, [])

    accepted = [arguments[i + 1] for i, a in enumerate(arguments) if a == "--ignore-vuln"]
    assert accepted == ["PYSEC-2099-1", "GHSA-aaaa-bbbb-cccc"]
