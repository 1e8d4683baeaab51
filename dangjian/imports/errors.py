"""What goes wrong in an import, said the way CONTRACT.md says it: `第N行 列名「值」: 原因`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RowError:
    row: int  # counting the header as row 1; 0 for the file as a whole
    column: str  # the Chinese column name, or "" for the row or the file
    value: str
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        if self.column:
            return f"{where} {self.column}「{self.value}」: {self.message}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


class FileError(Exception):
    """The file as a whole cannot be read: nothing is imported."""

    def __init__(self, message: str, *, row: int = 0, column: str = "", value: str = "") -> None:
        super().__init__(message)
        self.error = RowError(row, column, value, message)


class CellError(Exception):
    """One cell is wrong; the message is the reason alone."""
