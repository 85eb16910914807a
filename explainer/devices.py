"""torch's `device` object for an engine that runs on the CPU only."""
from __future__ import annotations


class device:  # noqa: N801 (torch's name)
    """`device("cpu")`, `device("cuda:0")`, `device("cuda", 0)`: prints as torch prints it."""

    __slots__ = ("type", "index")

    def __init__(self, type: str | "device", index: int | None = None):  # noqa: A002 (torch's name)
        if isinstance(type, device):
            type, index = type.type, type.index
        kind, _, number = str(type).partition(":")
        self.type = kind
        self.index = int(number) if number else index

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")
