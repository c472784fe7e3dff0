"""The Party texts each rule comes from, in the words members read (issue 13).

Results keep their stable rule ids (R-…, docs/charter.md) for audit; a sentence a member reads
names the Party's own text instead: `in_words` rewrites an explanation, `sources_of` cites the
texts behind a list of rule ids. Sources: shared/domain/research/domain-rules.md, section (b);
where a rule is a setting of the party organisation, the citation says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

RULE_SOURCES: Mapping[str, str] = {
    "R-S1": "Điều lệ Đảng, Điều 24 khoản 1",
    "R-S2": "Điều lệ Đảng, Điều 24 khoản 4",
    "R-M1": "Điều lệ Đảng, Điều 24 khoản 2",
    "R-M3": "Hướng dẫn 12-HD/BTCTW về sinh hoạt chi bộ",
    "R-O3": "Hướng dẫn 03-HD/TW về sinh hoạt đảng trực tuyến",
    "R-O4": "Hướng dẫn 03-HD/TW về sinh hoạt đảng trực tuyến",
    "R-R1": "Điều lệ Đảng, Điều 3",
    "R-R2": "Quy định 24-QĐ/TW, điểm 7.1 và điểm 9.3.2",
    "R-R3": "Quy định 232-QĐ/TW, điểm 6.3.2",
    "R-R4": "Quy định 24-QĐ/TW, điểm 9.3.2",
    "R-V1": "Quy định 24-QĐ/TW, điểm 9.3.2",
    "R-V2": "Điều lệ Đảng, Điều 9 khoản 5",
    "R-V3": "Điều lệ Đảng, Điều 9 khoản 5",
    "R-V4": "quy chế làm việc của chi bộ, theo thiết lập của tổ chức đảng",
    "R-V5": "Quy chế bầu cử trong Đảng (Quy định 190-QĐ/TW) và Quy định 69-QĐ/TW, Điều 15",
    "R-A1": "Điều lệ Đảng, Điều 4 khoản 3",
    "R-A3": "Điều lệ Đảng, Điều 5",
    "R-D1": "Quy định 296-QĐ/TW về thẩm quyền thi hành kỷ luật",
    "R-D2": "Quy định 69-QĐ/TW, Điều 15",
    "R-D3": "Quy định 30-QĐ/TW, điểm 1.2 (cộng dồn phiếu)",
    "R-E1": "Quy chế bầu cử trong Đảng, Điều 32 khoản 2",
    "R-E3": "Quy định 294-QĐ/TW",
    "R-E4": "Quy chế bầu cử trong Đảng, Điều 17",
    "R-E6": "Quy chế bầu cử trong Đảng, Điều 11 khoản 2 và Điều 15 khoản 2",
    "R-E7": "Quy chế bầu cử trong Đảng, Điều 20 khoản 2",
    "R-P2": "Hướng dẫn 12-HD/BTCTW về sinh hoạt chi bộ",
    "R-P4": "Hướng dẫn 12-HD/BTCTW, điểm 3.3 và Hướng dẫn 42-HD/BTCTW",
    "R-Q1": "Hướng dẫn 12-HD/BTCTW, mục II.3",
    "R-Q2": "hướng dẫn chấm điểm của cấp ủy cấp trên",
    "R-I1": "Luật Bảo vệ bí mật nhà nước, Điều 5",
}

RULE_ID = re.compile(r"R-[A-Z]\d+")
# A bracket holding rule ids only, "(R-S1, R-S2)", or ids before other words, "(R-V4; …)".
CITED_GROUP = re.compile(r"R-[A-Z]\d+(?:, R-[A-Z]\d+)*")


def sources_of(rule_ids: Iterable[str]) -> str:
    """ "Điều lệ Đảng, Điều 9 khoản 5; Quy định 24-QĐ/TW, điểm 9.3.2": each text once, in order;
    an unknown id is left out rather than printed."""
    sources: list[str] = []
    for rule_id in rule_ids:
        source = RULE_SOURCES.get(rule_id)
        if source is not None and source not in sources:
            sources.append(source)
    return "; ".join(sources)


def in_words(text: str) -> str:
    """`text` with every rule id replaced by the Party text it comes from."""
    return CITED_GROUP.sub(lambda match: sources_of(RULE_ID.findall(match.group())), text)


# The lists of members an explanation names (`texts.id_list` and the election's winners): the
# result values carry member ids, a sentence members read carries their names.
MEMBER_LIST = re.compile(
    r"(?P<lead>(?:Vắng không lý do|không có quyền biểu quyết|không đủ điều kiện|Trúng cử"
    r"|Vắng có lý do liên tiếp): |bầu lại giữa )(?P<members>[^.;]*)"
)
BRACKETED = re.compile(r"(\([^()]*\))")
MEMBER_ID = re.compile(r"[^\s,()]+")


def _named(members: str, names: Mapping[str, str]) -> str:
    parts = BRACKETED.split(members)
    return "".join(
        part
        if BRACKETED.fullmatch(part)
        else MEMBER_ID.sub(lambda m: names.get(m.group(), m.group()), part)
        for part in parts
    )


def for_members(text: str, names: Mapping[str, str]) -> str:
    """`text` as members read it: the members it lists by their names (`names`: member id →
    name; an id not in it is kept), and the Party texts instead of rule ids (`in_words`)."""
    named = MEMBER_LIST.sub(
        lambda match: match.group("lead") + _named(match.group("members"), names), text
    )
    return in_words(named)
