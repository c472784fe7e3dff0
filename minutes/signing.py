"""PAdES B-B signatures with a visible Vietnamese stamp, behind one small `Signer` interface.

Two signers: `LocalAuthoritySigner` (the built-in authority, keys in our database) and
`Pkcs11Signer` (a hardware token or HSM through its PKCS#11 module; SoftHSM2 in tests). Each
signature goes into a new field over the box the template left for it; later signatures are
incremental updates, so earlier ones stay valid. Minutes are signed by the chair first, then
the recorder (`MINUTES_SIGNING_ORDER`).
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from fontTools import subset
from fontTools.ttLib import TTFont
from pkcs11 import Session
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from minutes.rendering import RenderedPdf, SignatureBox

if TYPE_CHECKING:
    from members.models import Member

# pyHanko 0.38 writes glyph widths in font units without scaling to 1000: only a font with
# 1000 units per em (Noto Serif) spaces the stamp correctly; Liberation and DejaVu (2048) do
# not (stack notes §4).
STAMP_FONT = Path("/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf")
STAMP_FONT_SIZE = 8
STAMP_LEADING = 11
# Latin, Vietnamese (Ơ Ư, combining tone marks, Latin Extended Additional) and punctuation.
STAMP_CHARACTERS = frozenset(
    [
        *range(0x20, 0x7F),
        *range(0xA0, 0x180),
        *range(0x1A0, 0x1B1),
        *range(0x300, 0x324),
        *range(0x1EA0, 0x1EFA),
        *range(0x2010, 0x2027),
        0x20AB,  # ₫
    ]
)
# Room for an RSA-2048 signature with its certificate chain and signed attributes; fixing it
# spares pyHanko a dry-run signature to estimate the size.
SIGNATURE_BYTES_RESERVED = 8192
VIETNAM = datetime.timezone(datetime.timedelta(hours=7), "GMT+7")

# Role → (field name, stamp heading, reason recorded in the signature).
ROLES: dict[str, tuple[str, str, str]] = {
    "chair": ("ChuTri", "CHỦ TRÌ", "Chủ trì ký xác nhận biên bản"),
    "recorder": ("ThuKy", "THƯ KÝ", "Thư ký ký xác nhận biên bản"),
    "secretary": ("BiThu", "T/M CHI BỘ – BÍ THƯ", "Bí thư ký thay mặt chi bộ"),
}
MINUTES_SIGNING_ORDER = ("chair", "recorder")


class SigningError(Exception):
    pass


class Signer(Protocol):
    """Puts one visible PAdES signature into a PDF and returns the new file."""

    @property
    def certificate(self) -> x509.Certificate: ...

    def sign(
        self,
        pdf_bytes: bytes,
        *,
        field_name: str,
        box: tuple[float, float, float, float],
        page: int,
        reason: str,
        signer_name: str,
        stamp_text: str,
    ) -> bytes: ...


@dataclass(frozen=True, slots=True)
class SignatureStep:
    """Who signs in which slot: `role` is a key of `ROLES` and of the rendered slots."""

    role: str
    signer: Signer
    name: str


def stamp_text(role: str, name: str) -> str:
    """The visible stamp: heading, signer, time (`sign_pdf` fills `%(signed_at)s`)."""
    heading = ROLES[role][1]
    safe_name = name.replace("%", "%%")
    return f"{heading}\nĐã ký số: {safe_name}\nThời gian: %(signed_at)s"


def sign_in_order(rendered: RenderedPdf, steps: Sequence[SignatureStep]) -> bytes:
    """Signs `rendered` once per step, each into its slot, each an incremental update."""
    pdf = rendered.pdf
    for step in steps:
        slot = rendered.signature_boxes.get(step.role)
        if slot is None:
            raise SigningError(f"the document has no signature box for {step.role!r}")
        field_name, _, reason = ROLES[step.role]
        pdf = step.signer.sign(
            pdf,
            field_name=field_name,
            box=slot.box,
            page=slot.page,
            reason=reason,
            signer_name=step.name,
            stamp_text=stamp_text(step.role, step.name),
        )
    return pdf


def sign_minutes(
    rendered: RenderedPdf,
    *,
    chair: Signer,
    chair_name: str,
    recorder: Signer,
    recorder_name: str,
) -> bytes:
    """Chair first, then recorder (MINUTES_SIGNING_ORDER)."""
    return sign_in_order(
        rendered,
        [
            SignatureStep("chair", chair, chair_name),
            SignatureStep("recorder", recorder, recorder_name),
        ],
    )


# --- The two signers ----------------------------------------------------------------------------


class LocalAuthoritySigner:
    """Signs with the member's certificate from the built-in authority, issued on first use."""

    def __init__(self, member: Member) -> None:
        self.member = member
        self._pyhanko_signer: signers.SimpleSigner | None = None
        self._certificate: x509.Certificate | None = None

    @property
    def certificate(self) -> x509.Certificate:
        self._load()
        assert self._certificate is not None  # noqa: S101 -- set by _load
        return self._certificate

    def sign(
        self,
        pdf_bytes: bytes,
        *,
        field_name: str,
        box: tuple[float, float, float, float],
        page: int,
        reason: str,
        signer_name: str,
        stamp_text: str,
    ) -> bytes:
        self._load()
        assert self._pyhanko_signer is not None  # noqa: S101 -- set by _load
        return sign_pdf(
            pdf_bytes,
            self._pyhanko_signer,
            field_name=field_name,
            slot=SignatureBox(page=page, box=box),
            reason=reason,
            signer_name=signer_name,
            stamp_text=stamp_text,
        )

    def _load(self) -> None:
        if self._pyhanko_signer is not None:
            return
        # Here, not at the top: the rest of this module needs no database (docs/minutes.md,
        # sections 1–5); only this signer reads the member's credential, when it first signs.
        from minutes.authority import credential_private_key, signing_credential_for

        credential = signing_credential_for(self.member)
        authority_certificate = credential.authority.certificate
        self._certificate = credential.certificate
        key = credential_private_key(credential)
        self._pyhanko_signer = LoadedKeySigner(
            private_key=key,
            signing_cert=to_asn1(self._certificate),
            signing_key=asn1_keys.PrivateKeyInfo.load(
                key.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            ),
            cert_registry=SimpleCertificateStore.from_certs([to_asn1(authority_certificate)]),
        )


class Pkcs11Signer:
    """Signs with a key held on a PKCS#11 token (smart card, USB token, HSM).

    `library` is the token's PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. The key and
    its certificate are found by label; `chain` adds issuer certificates to embed. A session
    is opened for each signature and closed again, so no login outlives a request.
    """

    def __init__(
        self,
        *,
        library: str,
        token_label: str,
        pin: str,
        key_label: str,
        certificate_label: str | None = None,
        chain: Sequence[x509.Certificate] = (),
    ) -> None:
        self.library = library
        self.token_label = token_label
        self.pin = pin
        self.key_label = key_label
        self.certificate_label = certificate_label or key_label
        self.chain = tuple(chain)
        self._certificate: x509.Certificate | None = None

    @property
    def certificate(self) -> x509.Certificate:
        if self._certificate is None:
            with self._session() as session:
                signer = self._pyhanko_signer(session)
                if signer.signing_cert is None:
                    raise SigningError(f"no certificate {self.certificate_label!r} on the token")
                self._certificate = x509.load_der_x509_certificate(signer.signing_cert.dump())
        return self._certificate

    def sign(
        self,
        pdf_bytes: bytes,
        *,
        field_name: str,
        box: tuple[float, float, float, float],
        page: int,
        reason: str,
        signer_name: str,
        stamp_text: str,
    ) -> bytes:
        with self._session() as session:
            return sign_pdf(
                pdf_bytes,
                self._pyhanko_signer(session),
                field_name=field_name,
                slot=SignatureBox(page=page, box=box),
                reason=reason,
                signer_name=signer_name,
                stamp_text=stamp_text,
            )

    def _session(self) -> Session:
        try:
            return open_pkcs11_session(
                self.library,
                token_criteria=TokenCriteria(label=self.token_label),
                user_pin=self.pin,
            )
        except Exception as error:
            raise SigningError(f"không mở được thiết bị ký số {self.token_label!r}") from error

    def _pyhanko_signer(self, session: Session) -> signers.Signer:
        return PKCS11Signer(
            session,
            key_label=self.key_label,
            cert_label=self.certificate_label,
            ca_chain=[to_asn1(certificate) for certificate in self.chain],
        )


# --- pyHanko glue -------------------------------------------------------------------------------


class LoadedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner parses its DER key again for every signature (about 60 ms for
    RSA); this one signs with the key object it was given."""

    def __init__(self, *, private_key: PrivateKeyTypes, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._private_key, RSAPrivateKey):
            algorithm = get_pyca_cryptography_hash(digest_algorithm)
            return self._private_key.sign(data, PKCS1v15(), algorithm)
        return super().sign_raw(data, digest_algorithm)


def to_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


@cache
def _stamp_font_bytes() -> bytes:
    """Noto Serif cut down once per process to what a Vietnamese stamp needs.

    pyHanko subsets the stamp font for every signature, and parsing Noto Serif's full layout
    tables (Latin, Greek, Cyrillic) took about 0.7 s per signature; this cut takes that once.
    """
    if not STAMP_FONT.exists():
        raise SigningError(f"Thiếu phông chữ cho dấu chữ ký (gói fonts-noto-core): {STAMP_FONT}")
    options = subset.Options()
    # No OpenType layout at all: Vietnamese letters are precomposed glyphs in Noto Serif
    # (HarfBuzz composes decomposed input), and kerning a three-line stamp is not worth a
    # second parse of GPOS per signature.
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF"]
    options.hinting = False
    options.notdef_outline = True
    font = TTFont(io.BytesIO(STAMP_FONT.read_bytes()))
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=STAMP_CHARACTERS)
    subsetter.subset(font)
    output = io.BytesIO()
    font.save(output)
    return output.getvalue()


@dataclass(frozen=True)
class InMemoryGlyphAccumulatorFactory(GlyphAccumulatorFactory):
    """pyHanko's factory opens the font file for every signature and never closes it; this one
    reads it once and hands each signature an in-memory copy."""

    def create_font_engine(
        self, writer: BasePdfFileWriter, obj_stream: object = None
    ) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(_stamp_font_bytes()),
            font_size=self.font_size,
            ot_script_tag=self.ot_script_tag,
            ot_language_tag=self.ot_language_tag,
            writing_direction=self.writing_direction,
            bcp47_lang_code=self.bcp47_lang_code,
            obj_stream=obj_stream,
        )


def _stamp_style(text: str) -> TextStampStyle:
    font = InMemoryGlyphAccumulatorFactory(str(STAMP_FONT), font_size=STAMP_FONT_SIZE)
    return TextStampStyle(
        stamp_text=text,
        border_width=1,
        text_box_style=TextBoxStyle(font=font, leading=STAMP_LEADING),
    )


def sign_pdf(
    pdf_bytes: bytes,
    pyhanko_signer: signers.Signer,
    *,
    field_name: str,
    slot: SignatureBox,
    reason: str,
    signer_name: str,
    stamp_text: str,
) -> bytes:
    """One PAdES B-B signature (ETSI.CAdES.detached, SHA-256) in a new visible field."""
    now = datetime.datetime.now(tz=VIETNAM)
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason,
        name=signer_name,
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        signer=pyhanko_signer,
        stamp_style=_stamp_style(stamp_text),
        # pyHanko types the box as ints but writes it as PDF reals: the renderer's exact place.
        new_field_spec=SigFieldSpec(field_name, on_page=slot.page, box=slot.box),  # type: ignore[arg-type]
    )
    output = io.BytesIO()
    pdf_signer.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False),
        output=output,
        bytes_reserved=SIGNATURE_BYTES_RESERVED,
        # Vietnam time whatever the server's zone; pyHanko's own %(ts)s uses the server's zone.
        appearance_text_params={"signed_at": now.strftime("%H:%M:%S ngày %d/%m/%Y (GMT+7)")},
    )
    return output.getvalue()
