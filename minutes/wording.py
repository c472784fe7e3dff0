"""How party documents write numbers, dates and times (percentages with a decimal comma, "ngày
05 tháng 11 năm 2026", "08 giờ 05 phút"); shared by the document values and their templates."""

from __future__ import annotations

import datetime


def percent(part: int, whole: int) -> str:
    """`percent(14, 15)` → "93,33%": two decimals rounded half up, Vietnamese decimal comma."""
    if whole <= 0:
        return "0%"
    hundredths = (part * 10_000 * 2 + whole) // (2 * whole)
    units, fraction = divmod(hundredths, 100)
    if fraction == 0:
        return f"{units}%"
    return f"{units},{fraction:02d}".rstrip("0") + "%"


def in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: its first letter in lower case ("Trừ đảng viên …
    (Quy định 24-QĐ/TW …)" → "trừ đảng viên … (Quy định 24-QĐ/TW …)"), the rest as written."""
    return label[:1].lower() + label[1:]


def sentence(text: str) -> str:
    """Text as the end of a sentence: one full stop added unless it already ends with one (or
    with "?", "!", "…"); the minutes' template writes "- Nội dung: <tóm tắt>."."""
    text = text.strip()
    return text if not text or text.endswith((".", "?", "!", "…")) else f"{text}."


def vietnamese_date(day: datetime.date) -> str:
    """ "ngày 05 tháng 11 năm 2026": party documents write day and month in two digits."""
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def clock(moment: datetime.datetime | datetime.time) -> str:
    """ "08 giờ 05 phút"."""
    return f"{moment.hour:02d} giờ {moment.minute:02d} phút"
