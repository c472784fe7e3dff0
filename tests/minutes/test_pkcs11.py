"""The PKCS#11 signer against a SoftHSM2 token (Debian packages softhsm2 and opensc).

The token is made once per test session in a temporary directory (SOFTHSM2_CONF); the key and its
certificate come from a throwaway authority and are written onto the token with pkcs11-tool.
"""

import datetime
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from minutes.authority import trusted_authorities
from minutes.certificates import create_authority, issue_member_certificate
from minutes.signing import LocalAuthoritySigner, Pkcs11Signer, SigningError, sign_minutes
from minutes.verification import verify_pdf
from tests.minutes.conftest import poppler_file

pytestmark = pytest.mark.integration

LIBRARY_CANDIDATES = [
    Path("/usr/lib/softhsm/libsofthsm2.so"),
    Path("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"),
    Path("/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"),
]
TOKEN_LABEL = "chibo-thu-nghiem"
USER_PIN = "246810"
SO_PIN = "13579135"
KEY_LABEL = "chu-tri"


def softhsm_library() -> Path:
    library = next((path for path in LIBRARY_CANDIDATES if path.exists()), None)
    missing = [tool for tool in ("softhsm2-util", "pkcs11-tool") if shutil.which(tool) is None]
    if library is None or missing:
        pytest.skip(
            "SoftHSM2/OpenSC không có trên máy này (cài gói Debian softhsm2 opensc, "
            "hoặc chạy bin/system-packages)"
        )
    return library


def run(*args: str, env: dict[str, str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, env=env, check=False, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


# Session scope: SoftHSM reads SOFTHSM2_CONF once per process, when the library is first loaded,
# and pytest-django reorders tests, which would set a module-scoped token up a second time.
@pytest.fixture(scope="session")
def token(tmp_path_factory):
    library = softhsm_library()
    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    config = directory / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {directory / 'tokens'}\n"
        "objectstore.backend = file\n"
        "log.level = ERROR\n"
    )
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(config)
    env = {**os.environ}
    now = datetime.datetime.now(datetime.UTC)
    authority = create_authority(name="Đảng ủy phường – CA thử nghiệm", now=now)
    pair = issue_member_certificate(authority, full_name="Nguyễn Thị Hằng", member_id=1, now=now)
    key_file, certificate_file = directory / "key.der", directory / "cert.der"
    key_file.write_bytes(
        pair.private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    certificate_file.write_bytes(pair.certificate.public_bytes(serialization.Encoding.DER))

    run(
        "softhsm2-util",
        "--init-token",
        "--free",
        "--label",
        TOKEN_LABEL,
        "--so-pin",
        SO_PIN,
        "--pin",
        USER_PIN,
        env=env,
    )
    for path, kind in [(key_file, "privkey"), (certificate_file, "cert")]:
        run(
            "pkcs11-tool",
            "--module",
            str(library),
            "--token-label",
            TOKEN_LABEL,
            "--login",
            "--pin",
            USER_PIN,
            "--write-object",
            str(path),
            "--type",
            kind,
            "--id",
            "01",
            "--label",
            KEY_LABEL,
            env=env,
        )
    key_file.unlink()  # the key now lives on the token only

    yield {
        "library": str(library),
        "authority": authority.certificate,
        "certificate": pair.certificate,
    }

    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def token_signer(token, pin: str = USER_PIN) -> Pkcs11Signer:
    return Pkcs11Signer(
        library=token["library"],
        token_label=TOKEN_LABEL,
        pin=pin,
        key_label=KEY_LABEL,
        chain=[token["authority"]],
    )


def test_token_signer_reads_its_certificate_from_the_token(token):
    assert token_signer(token).certificate == token["certificate"]


@pytest.mark.django_db
def test_chair_signs_with_a_token_and_recorder_with_the_built_in_authority(
    token, sample_pdf, recorder
):
    signed = sign_minutes(
        sample_pdf,
        chair=token_signer(token),
        chair_name="Nguyễn Thị Hằng",
        recorder=LocalAuthoritySigner(recorder),
        recorder_name=recorder.full_name,
    )

    report = verify_pdf(signed, trusted=[token["authority"], *trusted_authorities()])
    assert [(s.field_name, s.signer_name, s.is_valid) for s in report.signatures] == [
        ("ChuTri", "Nguyễn Thị Hằng", True),
        ("ThuKy", "Trần Văn Đức", True),
    ]
    assert report.is_valid is True
    assert poppler_file("pdfsig", signed).count("Signature is Valid.") == 2


@pytest.mark.django_db
def test_token_signature_is_untrusted_without_the_organisation_authority(token, sample_pdf):
    from minutes.signing import SignatureStep, sign_in_order

    signed = sign_in_order(
        sample_pdf, [SignatureStep("chair", token_signer(token), "Nguyễn Thị Hằng")]
    )

    report = verify_pdf(signed, trusted=trusted_authorities())
    assert [(s.intact, s.valid, s.trusted) for s in report.signatures] == [(True, True, False)]
    assert report.is_valid is False


def test_wrong_pin_is_refused_plainly(token, sample_pdf):
    signer = token_signer(token, pin="000000")

    with pytest.raises(SigningError, match="không mở được thiết bị ký số"):
        signer.sign(
            sample_pdf.pdf,
            field_name="ChuTri",
            box=sample_pdf.signature_boxes["chair"].box,
            page=sample_pdf.signature_boxes["chair"].page,
            reason="thử",
            signer_name="Nguyễn Thị Hằng",
            stamp_text="thử",
        )
