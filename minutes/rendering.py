"""Minutes, extracts and resolutions → A4 PDF bytes (Django template → HTML → WeasyPrint).

No database access: a document value in, bytes and signature boxes out. Rendering is
deterministic: the same document gives byte-identical PDF (the PDF dates come from the
document, the file identifier is the document id, and nothing is fetched but local fonts).
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from html import unescape
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import unquote, urlsplit

import segno
import weasyprint
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from minutes.document import Integrity, MinutesDocument
from minutes.issued_documents import AddendumDocument, ExtractDocument, ResolutionDocument
from minutes.wording import clock

# Liberation Serif has Times New Roman's metrics, the font 36-HD/VPTW asks for.
FONT_DIRECTORY = Path("/usr/share/fonts/truetype/liberation2")
FONT_FILES: Mapping[tuple[str, str], Path] = MappingProxyType(
    {
        ("normal", "normal"): FONT_DIRECTORY / "LiberationSerif-Regular.ttf",
        ("bold", "normal"): FONT_DIRECTORY / "LiberationSerif-Bold.ttf",
        ("normal", "italic"): FONT_DIRECTORY / "LiberationSerif-Italic.ttf",
        ("bold", "italic"): FONT_DIRECTORY / "LiberationSerif-BoldItalic.ttf",
    }
)
MONOSPACE_FONT = FONT_DIRECTORY / "LiberationMono-Regular.ttf"
STYLESHEET = Path(__file__).resolve().parent / "static" / "minutes" / "pdf" / "print.css"

# Signer role → id of the empty box the template leaves for that visible signature.
SIGNATURE_SLOTS: Mapping[str, str] = MappingProxyType(
    {
        "recorder": "signature-recorder",
        "chair": "signature-chair",
        "secretary": "signature-secretary",
    }
)

VIETNAM_OFFSET = datetime.timezone(datetime.timedelta(hours=7))
CSS_PX_TO_PT = 0.75  # WeasyPrint lays out in CSS px (1/96 in); PDF user space is 1/72 in.


class RenderingError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class SignatureBox:
    """Where a visible signature goes: 0-based page index and (x1, y1, x2, y2) in PDF points,
    origin at the bottom left of the page, as pyHanko's `SigFieldSpec(box=…)` expects."""

    page: int
    box: tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class RenderedPdf:
    pdf: bytes
    page_count: int
    signature_boxes: Mapping[str, SignatureBox]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


# --- Public API ----------------------------------------------------------------------------------


def render_minutes(document: MinutesDocument) -> RenderedPdf:
    return _render(
        "minutes/pdf/minutes.html",
        _minutes_context(document),
        document=document,
        pdf_title=f"Biên bản {document.title.lower()}",
        created=_moment(document.closing.ended_at),
    )


def render_extract(document: ExtractDocument) -> RenderedPdf:
    return _render(
        "minutes/pdf/extract.html",
        {"document": document},
        document=document,
        pdf_title=f"Trích biên bản {document.title[0].lower()}{document.title[1:]}",
        created=_moment(document.header.date),
    )


def render_resolution(document: ResolutionDocument) -> RenderedPdf:
    return _render(
        "minutes/pdf/resolution.html",
        {"document": document, "meeting_date": document.meeting_date.strftime("%d/%m/%Y")},
        document=document,
        pdf_title=f"Nghị quyết {document.subtitle[0].lower()}{document.subtitle[1:]}",
        created=_moment(document.header.date),
    )


def render_addendum(document: AddendumDocument) -> RenderedPdf:
    return _render(
        "minutes/pdf/addendum.html",
        {"document": document, "meeting_date": document.meeting_date.strftime("%d/%m/%Y")},
        document=document,
        pdf_title=document.title,
        created=_moment(document.header.date),
    )


AnyDocument = MinutesDocument | ExtractDocument | ResolutionDocument | AddendumDocument


def render_document(document: AnyDocument) -> RenderedPdf:
    """Renders any of the four documents with its own template."""
    if isinstance(document, MinutesDocument):
        return render_minutes(document)
    if isinstance(document, ExtractDocument):
        return render_extract(document)
    if isinstance(document, ResolutionDocument):
        return render_resolution(document)
    return render_addendum(document)


def document_text(document: AnyDocument) -> str:
    """The document's words as printed, one block per line, for full-text search."""
    template = {
        MinutesDocument: "minutes/pdf/minutes.html",
        ExtractDocument: "minutes/pdf/extract.html",
        ResolutionDocument: "minutes/pdf/resolution.html",
        AddendumDocument: "minutes/pdf/addendum.html",
    }[type(document)]
    context: dict[str, Any] = {"document": document}
    if isinstance(document, MinutesDocument):
        context = _minutes_context(document)
    elif not isinstance(document, ExtractDocument):
        context["meeting_date"] = document.meeting_date.strftime("%d/%m/%Y")
    html = _html(template, context, document, "", "")
    body = html.split("<body", 1)[-1]
    body = re.sub(r"<(br|/p|/div|/li|/h\d|/tr)\b[^>]*>", "\n", body.split(">", 1)[-1])
    # A table's cells are kept apart (one row per line, "TT | Đồng chí | …"), or their words run
    # together and are lost to word search.
    text = unescape(strip_tags(re.sub(r"</t[dh]>", "\t", body)))
    lines = (
        " | ".join(cell for cell in (" ".join(part.split()) for part in line.split("\t")) if cell)
        for line in text.splitlines()
    )
    return "\n".join(line for line in lines if line)


def minutes_html(document: MinutesDocument) -> str:
    """The HTML that `render_minutes` lays out (for tests and previews)."""
    return _html("minutes/pdf/minutes.html", _minutes_context(document), document, "", "")


# --- Internals -----------------------------------------------------------------------------------


def _minutes_context(document: MinutesDocument) -> dict[str, Any]:
    """Section III numbers the agenda items, then the conclusion, its vote and the assessment."""
    items = len(document.items)
    has_vote = document.conclusion.vote is not None
    return {
        "document": document,
        "started_clock": clock(document.setting.started_at),
        "started_date": document.setting.started_at.strftime("%d/%m/%Y"),
        "ended_clock": clock(document.closing.ended_at),
        "ended_date": ""
        if document.closing.ended_at.date() == document.setting.started_at.date()
        else document.closing.ended_at.strftime("%d/%m/%Y"),
        "conclusion_number": items + 1,
        "conclusion_vote_number": items + 2,
        "quality_number": items + (3 if has_vote else 2),
    }


def _moment(value: datetime.date | datetime.datetime) -> str:
    """W3C date for the PDF /CreationDate and /ModDate: from the document, never the clock.
    Vietnam keeps UTC+07:00 all year, so local wall-clock times get that offset."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=VIETNAM_OFFSET)
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()


def _html(
    template: str,
    context: dict[str, Any],
    document: AnyDocument,
    pdf_title: str,
    created: str,
) -> str:
    return render_to_string(
        template,
        {
            **context,
            "header": document.header,
            "integrity": document.integrity,
            "qr_png": _qr_png(document.integrity),
            "slots": SIGNATURE_SLOTS,
            "pdf_title": pdf_title,
            "created": created,
        },
    )


def _render(
    template: str,
    context: dict[str, Any],
    *,
    document: AnyDocument,
    pdf_title: str,
    created: str,
) -> RenderedPdf:
    html = _html(template, context, document, pdf_title, created)
    stylesheets, font_config = _stylesheets()
    rendered = weasyprint.HTML(string=html, url_fetcher=LocalFontFetcher()).render(
        stylesheets=stylesheets, font_config=font_config
    )
    boxes = _signature_boxes(rendered)
    # Plain PDF 1.7, not a PDF/A variant: WeasyPrint 70 leaves the sRGB profile file open for
    # PDF/A (a ResourceWarning per render), and the archive keeps the signed file as is.
    pdf = rendered.write_pdf(pdf_identifier=document.integrity.document_id.encode("ascii"))
    return RenderedPdf(
        pdf=pdf,
        page_count=len(rendered.pages),
        signature_boxes=MappingProxyType(boxes),
    )


def _qr_png(integrity: Integrity) -> str:
    """The verification link as a PNG data URI, one pixel per module (printed with
    `image-rendering: pixelated`): WeasyPrint lays an inline SVG QR code out path by path,
    which cost a fifth of the render."""
    qr = segno.make(integrity.verification_url, error="m", micro=False)
    return qr.png_data_uri(scale=1, border=2)


class LocalFontFetcher(URLFetcher):
    """Fetches only our font files and `data:` URLs; anything else stops the rendering, so a
    document can never make the server read another file or reach the network."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Any:
        parts = urlsplit(url)
        if parts.scheme == "file" and Path(unquote(parts.path)) not in _allowed_files():
            raise ValueError(f"refusing to read {url}")
        return super().fetch(url, headers)


@cache
def _allowed_files() -> frozenset[Path]:
    return frozenset({*FONT_FILES.values(), MONOSPACE_FONT})


def _font_faces() -> str:
    rules = [
        f'@font-face {{ font-family: "Chibo Serif"; font-weight: {weight}; '
        f'font-style: {style}; src: url("{path.as_uri()}"); }}'
        for (weight, style), path in FONT_FILES.items()
    ]
    rules.append(
        f'@font-face {{ font-family: "Liberation Mono"; src: url("{MONOSPACE_FONT.as_uri()}"); }}'
    )
    return "\n".join(rules)


@cache
def _stylesheets() -> tuple[list[weasyprint.CSS], FontConfiguration]:
    """Parsed once per process: the fonts are loaded a single time, which halves a render."""
    missing = [str(path) for path in _allowed_files() if not path.exists()]
    if missing:
        raise RenderingError(
            "Thiếu phông chữ (cài gói Debian fonts-liberation2): " + ", ".join(missing)
        )
    font_config = FontConfiguration()
    fetcher = LocalFontFetcher()
    faces = weasyprint.CSS(string=_font_faces(), font_config=font_config, url_fetcher=fetcher)
    sheet = weasyprint.CSS(filename=STYLESHEET, font_config=font_config, url_fetcher=fetcher)
    return [faces, sheet], font_config


def _walk(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _walk(child)


def _signature_boxes(rendered: weasyprint.Document) -> dict[str, SignatureBox]:
    """Finds each signature slot in the laid-out pages (WeasyPrint's `_page_box` is private,
    see stack notes §3; the rendering tests fail loudly if that ever changes)."""
    wanted = {element_id: role for role, element_id in SIGNATURE_SLOTS.items()}
    found: dict[str, SignatureBox] = {}
    for index, page in enumerate(rendered.pages):
        page_height = page.height
        for box in _walk(page._page_box):
            element = getattr(box, "element", None)
            if element is None or box.element_tag != "div":
                continue
            role = wanted.get(element.get("id"))
            if role is None or role in found:
                continue
            x, y = box.border_box_x(), box.border_box_y()
            width, height = box.border_width(), box.border_height()
            found[role] = SignatureBox(
                page=index,
                box=(
                    round(x * CSS_PX_TO_PT, 2),
                    round((page_height - y - height) * CSS_PX_TO_PT, 2),
                    round((x + width) * CSS_PX_TO_PT, 2),
                    round((page_height - y) * CSS_PX_TO_PT, 2),
                ),
            )
    return found
