"""What an import reads: a table of rows (`readers.open_table` opens one from a file)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# What both readers say of a file without its header row.
EMPTY = "文件是空的：第1行应为列名"
BLANK_HEADER = "第1行是空的：第1行应为列名，请删除文件开头的空行"


class Table:
    """Rows of one file: `headers` (row 1) and `rows()` -> (row number, cells)."""

    headers: list[str]

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        raise NotImplementedError

    def progress(self) -> tuple[int, int]:
        """(done, total) in some unit (bytes or rows), for a progress bar."""
        return (0, 0)

    def close(self) -> None:
        pass

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())
