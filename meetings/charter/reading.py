"""Reading parsed JSON with a path for every value, so each error names its field."""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum
from typing import NoReturn, TypeVar

from meetings.charter.errors import CaseError

EnumT = TypeVar("EnumT", bound=StrEnum)


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class Reader:
    """Typed access to one case's parsed JSON; every failure names the case and the path."""

    def __init__(self, label: str) -> None:
        self.label = label

    def fail(self, path: str, message: str) -> NoReturn:
        raise CaseError(self.label, path, message)

    def record(
        self,
        value: object,
        path: str,
        *,
        required: Collection[str] = (),
        optional: Collection[str] = (),
        ignored: Collection[str] = (),
    ) -> dict[str, object]:
        if not isinstance(value, dict):
            self.fail(path, f"expected an object, got {json_type(value)}")
        fields: dict[str, object] = {}
        for key, item in value.items():
            if key in ignored:
                continue
            if key not in required and key not in optional:
                allowed = ", ".join(dict.fromkeys([*required, *optional]))
                self.fail(_at(path, str(key)), f"unknown field (expected one of: {allowed})")
            fields[str(key)] = item
        for key in required:
            if key not in fields:
                self.fail(_at(path, key), "missing required field")
        return fields

    def mapping(self, value: object, path: str) -> dict[str, object]:
        """An object whose keys are data (member ids, forms), not field names."""
        if not isinstance(value, dict):
            self.fail(path, f"expected an object, got {json_type(value)}")
        return {str(key): item for key, item in value.items()}

    def array(self, value: object, path: str, *, non_empty: bool = False) -> list[object]:
        if not isinstance(value, list):
            self.fail(path, f"expected an array, got {json_type(value)}")
        if non_empty and not value:
            self.fail(path, "must not be empty")
        return list(value)

    def string(self, value: object, path: str) -> str:
        if not isinstance(value, str):
            self.fail(path, f"expected a string, got {json_type(value)}")
        if not value:
            self.fail(path, "must not be empty")
        return value

    def boolean(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            self.fail(path, f"expected a boolean, got {json_type(value)}")
        return value

    def integer(self, value: object, path: str, *, minimum: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, f"expected an integer, got {json_type(value)}")
        if value < minimum:
            what = "a non-negative integer" if minimum == 0 else f"an integer >= {minimum}"
            self.fail(path, f"must be {what}, got {value}")
        return value

    def choice(self, value: object, path: str, enum: type[EnumT]) -> EnumT:
        allowed = [member.value for member in enum]
        if not isinstance(value, str):
            self.fail(path, f"expected a string, got {json_type(value)}")
        if value not in allowed:
            self.fail(path, f"unknown value {value!r} (expected one of: {', '.join(allowed)})")
        return enum(value)

    def member(self, value: object, path: str, known: Collection[str]) -> str:
        member_id = self.string(value, path)
        if member_id not in known:
            self.fail(path, f"unknown member id {member_id!r} (not on the roster)")
        return member_id

    def member_key(self, member_id: str, path: str, known: Collection[str]) -> str:
        if member_id not in known:
            self.fail(path, f"unknown member id {member_id!r} (not on the roster)")
        return member_id

    def member_list(self, value: object, path: str, known: Collection[str]) -> tuple[str, ...]:
        items = self.array(value, path, non_empty=True)
        members: list[str] = []
        for position, item in enumerate(items):
            member_id = self.member(item, f"{path}[{position}]", known)
            if member_id in members:
                self.fail(f"{path}[{position}]", f"duplicate member id {member_id!r}")
            members.append(member_id)
        return tuple(members)


def case_label(case: object, index: int | None) -> str:
    """How error messages name a case: its id when it has one, and its index in a list."""
    case_id = case.get("id") if isinstance(case, dict) else None
    position = "" if index is None else f"index {index}"
    if isinstance(case_id, str) and case_id:
        return f'case "{case_id}"' + (f" ({position})" if position else "")
    return f"case at {position}" if position else "case"
