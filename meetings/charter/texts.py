"""Small helpers for the Vietnamese explanations shown in the live room and the minutes.

Results carry stable reason codes and rule ids; the sentences built here only describe them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def count_list(items: Sequence[tuple[int, str]]) -> str:
    """`[(2, "vắng mặt")]` → "2 vắng mặt"; several items are joined with commas."""
    return ", ".join(f"{count} {label}" for count, label in items)


def id_list(member_ids: Iterable[str]) -> str:
    return ", ".join(member_ids)


def met_word(met: bool) -> str:
    return "đạt" if met else "không đạt"
