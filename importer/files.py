"""Reading CSV and XLSX files into (row number, cells) with clear errors for unreadable files.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first record row 2.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENCODINGS = ("utf-8", "gb18030")


class FileRejected(Exception):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    size_hint: int | None  # approximate number of records (for the progress bar)
    # A CSV without any quote character has one record per line, so it can be cut into line
    # ranges that parse alone (importer.parallel): its decoded text and where the body starts.
    text: str | None = None
    body_start: int = 0


def is_record(row: list[Any]) -> bool:
    """Blank lines and rows of empty cells are not records (but keep their row numbers)."""
    return bool(row) and bool(len(row) > 1 or row[0].strip()) and any(row) and bool("".join(row).strip())


def csv_error(row: int, e: csv.Error) -> FileRejected:
    return FileRejected(f"第 {row} 行 CSV 格式错误 (malformed CSV at row {row}): {e}")


def open_table(path: Path, encoding: str = "utf-8") -> Table:
    if not path.exists():
        raise FileRejected(f"文件不存在 (no such file): {path}")
    if not path.is_file():
        raise FileRejected(f"不是文件 (not a file): {path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx(path)
    if suffix in (".xls",):
        raise FileRejected(
            "不支持旧版 .xls 格式，请另存为 .xlsx 或 CSV (old .xls files are not supported; save as .xlsx or CSV)"
        )
    return _csv(path, encoding)


def _decode(data: bytes, encoding: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileRejected("文件是 UTF-16 编码，请另存为 UTF-8 CSV (the file is UTF-16; save it as 'CSV UTF-8')")
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        try:
            return data.decode("utf-8-sig")  # with or without a byte-order mark
        except UnicodeDecodeError as e:
            line = data.count(b"\n", 0, e.start) + 1
            hint = ""
            try:
                data.decode("gb18030")
                hint = (
                    "；它看起来是 GB18030/GBK 编码，请另存为 UTF-8，或加参数 --encoding gb18030 "
                    "(it looks like GB18030/GBK: save it as UTF-8 or pass --encoding gb18030)"
                )
            except UnicodeDecodeError:
                pass
            raise FileRejected(
                f"文件不是 UTF-8 编码：第 {line} 行（字节位置 {e.start}）有无法解码的字节 "
                f"(the file is not valid UTF-8: undecodable bytes on line {line}, byte offset {e.start})" + hint
            ) from None
    try:
        return data.decode(encoding)
    except LookupError:
        raise FileRejected(f"未知的编码 {encoding!r} (unknown encoding; use utf-8 or gb18030)") from None
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise FileRejected(
            f"文件不是 {encoding} 编码：第 {line} 行有无法解码的字节 "
            f"(not valid {encoding}: undecodable bytes on line {line})"
        ) from None


def _csv(path: Path, encoding: str) -> Table:
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        raise FileRejected("这是一个 XLSX/ZIP 文件，请使用 .xlsx 扩展名 (this is an XLSX/ZIP file: name it .xlsx)")
    text = _decode(data, encoding)
    lines = data.count(b"\n")
    del data
    if "\x00" in text:
        raise FileRejected("文件包含空字符，不是文本 CSV (the file contains NUL bytes: not a text CSV)")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FileRejected("文件为空 (the file is empty)") from None
    except csv.Error as e:
        raise FileRejected(f"CSV 格式错误 (malformed CSV): {e}") from None

    def rows() -> Iterator[tuple[int, list[Any]]]:
        n = 1
        try:
            for row in reader:
                n += 1
                if is_record(row):
                    yield n, row
        except csv.Error as e:
            raise csv_error(n + 1, e) from None

    # Lines are records when no field is quoted and every line break is \n or \r\n.
    plain = '"' not in text and text.count("\r") == text.count("\r\n")
    body_start = text.find("\n") + 1 or len(text)
    return Table([h.strip() for h in header], rows(), max(lines - 1, 0), text if plain else None, body_start)


def _xlsx(path: Path) -> Table:
    # python-calamine (Rust) reads a sheet about 15 times faster than openpyxl (200,000 result
    # rows: 2.1 s against ~30 s), which made XLSX imports wait on parsing. Cell values arrive
    # typed: text, float (whole numbers too: importer.convert turns 123.0 into "123"), bool,
    # date or datetime (Excel date cells), "" for empty cells.
    import python_calamine as calamine

    try:
        wb = calamine.CalamineWorkbook.from_path(str(path))
        try:
            sheet = wb.get_sheet_by_index(0)
        finally:
            wb.close()  # the sheet's cells are already read
    except (calamine.CalamineError, OSError) as e:
        raise FileRejected(f"无法读取 XLSX 文件 (cannot read the XLSX file): {e}") from None
    it = iter(sheet.iter_rows())  # from row 1, as a spreadsheet numbers them
    header_cells = next(it, None)
    if header_cells is None:
        raise FileRejected("文件为空 (the file is empty)")
    header = [str(h).strip() for h in header_cells]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        n = 1
        for cells in it:
            n += 1
            if any(c != "" and str(c).strip() for c in cells):
                yield n, cells

    return Table(header, rows(), sheet.end[0] if sheet.end else None)
