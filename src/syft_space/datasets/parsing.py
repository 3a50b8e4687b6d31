"""Text extraction that keeps a document's structure.

Every parser turns bytes into ``Block``s: runs of text that belong together, each knowing the
page it sits on (PDF), the heading path above it (Markdown, HTML, DOCX) or the row it came from
(CSV). The chunker packs blocks into token windows and carries this structure into each chunk's
metadata, which is what lets an answer cite "page 3" or "Methods > Sampling".

A file that cannot be read raises ``ParseError`` with a sentence for the owner; the ingestion
job that hit it fails alone, with that sentence as its error.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import PurePath
from typing import Any


class ParseError(Exception):
    """A file's content cannot be turned into text; the message is shown to the owner."""


@dataclass(frozen=True)
class Block:
    text: str
    page: int | None = None
    headings: tuple[str, ...] = ()
    row: int | None = None


@dataclass
class ParsedDocument:
    title: str
    blocks: list[Block] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(block.text.strip() for block in self.blocks)


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    # Latin-1 maps every byte; only accept it for text that looks like text.
    text = data.decode("latin-1")
    printable = sum(ch.isprintable() or ch.isspace() for ch in text)
    if text and printable / len(text) < 0.95:
        raise ParseError("The file is not text: it contains binary data.")
    return text


def _paragraphs(text: str) -> Iterator[str]:
    for part in _PARAGRAPH_BREAK.split(text):
        part = part.strip()
        if part:
            yield part


def _stem(file_name: str) -> str:
    return PurePath(file_name).stem or file_name


def parse_text(data: bytes, file_name: str) -> ParsedDocument:
    return ParsedDocument(
        title=_stem(file_name), blocks=[Block(p) for p in _paragraphs(_decode(data))]
    )


def parse_markdown(data: bytes, file_name: str) -> ParsedDocument:
    headings: list[tuple[int, str]] = []
    blocks: list[Block] = []
    title = ""
    buffer: list[str] = []
    in_fence = False

    def flush() -> None:
        for paragraph in _paragraphs("\n".join(buffer)):
            blocks.append(Block(paragraph, headings=tuple(h for _, h in headings)))
        buffer.clear()

    for line in _decode(data).splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else _MD_HEADING.match(line)
        if match is None:
            buffer.append(line)
            continue
        flush()
        level, text = len(match.group(1)), match.group(2).strip()
        while headings and headings[-1][0] >= level:
            headings.pop()
        headings.append((level, text))
        if level == 1 and not title:
            title = text
    flush()
    return ParsedDocument(title=title or _stem(file_name), blocks=blocks)


class _HtmlText(HTMLParser):
    """Collects visible text as blocks, tracking h1-h6 as the heading path."""

    _BLOCK_TAGS = frozenset(
        {
            "p",
            "div",
            "li",
            "tr",
            "td",
            "th",
            "section",
            "article",
            "blockquote",
            "pre",
            "dd",
            "dt",
            "br",
            "table",
            "ul",
            "ol",
            "main",
            "header",
            "footer",
            "figcaption",
        }
    )
    _SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.title = ""
        self._headings: list[tuple[int, str]] = []
        self._text: list[str] = []
        self._heading_level: int | None = None
        self._heading_text: list[str] = []
        self._skip_depth = 0
        self._in_title = False
        self._title_text: list[str] = []

    def _flush(self) -> None:
        text = " ".join("".join(self._text).split())
        if text:
            self.blocks.append(Block(text, headings=tuple(h for _, h in self._headings)))
        self._text.clear()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip_depth += 1
        elif tag == "title":
            self._in_title = True
        elif len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self._flush()
            self._heading_level = int(tag[1])
            self._heading_text = []
        elif tag in self._BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag == "title":
            self._in_title = False
            self.title = self.title or " ".join("".join(self._title_text).split())
        elif self._heading_level is not None and tag == f"h{self._heading_level}":
            text = " ".join("".join(self._heading_text).split())
            level = self._heading_level
            self._heading_level = None
            if text:
                while self._headings and self._headings[-1][0] >= level:
                    self._headings.pop()
                self._headings.append((level, text))
                self.title = self.title or (text if level == 1 else "")
        elif tag in self._BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title_text.append(data)
            return
        if self._skip_depth:
            return
        if self._heading_level is not None:
            self._heading_text.append(data)
        else:
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def parse_html(data: bytes, file_name: str) -> ParsedDocument:
    parser = _HtmlText()
    parser.feed(_decode(data))
    parser.close()
    return ParsedDocument(title=parser.title or _stem(file_name), blocks=parser.blocks)


def parse_pdf(data: bytes, file_name: str) -> ParsedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ParseError("The PDF is encrypted; remove the password and upload it again.")
        blocks: list[Block] = []
        for number, page in enumerate(reader.pages, start=1):
            text = page.extract_text() or ""
            blocks.extend(Block(p, page=number) for p in _paragraphs(text))
        metadata = reader.metadata
        title = str(metadata.title).strip() if metadata and metadata.title else ""
    except ParseError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ParseError(f"The PDF cannot be read ({exc}); it may be damaged.") from None
    return ParsedDocument(title=title or _stem(file_name), blocks=blocks)


def parse_docx(data: bytes, file_name: str) -> ParsedDocument:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ParseError(
            f"The DOCX file cannot be opened ({exc}); it may be damaged or password-protected."
        ) from None
    headings: list[tuple[int, str]] = []
    blocks: list[Block] = []
    title = (document.core_properties.title or "").strip()
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        level = _docx_heading_level(style)
        if level is None:
            blocks.append(Block(text, headings=tuple(h for _, h in headings)))
            continue
        while headings and headings[-1][0] >= level:
            headings.pop()
        headings.append((level, text))
        if level <= 1 and not title:
            title = text
    for table in document.tables:
        for row in table.rows:
            cells = [cell.text.strip() for cell in row.cells]
            if any(cells):
                blocks.append(Block(" | ".join(cells)))
    return ParsedDocument(title=title or _stem(file_name), blocks=blocks)


def _docx_heading_level(style: str) -> int | None:
    if style == "Title":
        return 0
    if style.startswith("Heading "):
        suffix = style.removeprefix("Heading ").strip()
        return int(suffix) if suffix.isdigit() else None
    return None


def parse_csv(data: bytes, file_name: str) -> ParsedDocument:
    text = _decode(data)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    if not rows:
        return ParsedDocument(title=_stem(file_name))
    header = [h.strip() for h in rows[0]]
    blocks = []
    for number, row in enumerate(rows[1:], start=2):
        pairs = [f"{h}: {v.strip()}" for h, v in zip(header, row, strict=False) if v.strip()]
        if pairs:
            blocks.append(Block("; ".join(pairs), row=number))
    return ParsedDocument(title=_stem(file_name), blocks=blocks)


def _json_lines(value: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _json_lines(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_lines(item, f"{prefix}[{index}]")
    elif value is not None:
        yield f"{prefix}: {value}" if prefix else str(value)


def parse_json(data: bytes, file_name: str) -> ParsedDocument:
    try:
        value = json.loads(_decode(data))
    except json.JSONDecodeError as exc:
        raise ParseError(f"The JSON file is not valid JSON ({exc}).") from None
    items = value if isinstance(value, list) else [value]
    blocks = []
    for number, item in enumerate(items, start=1):
        text = "\n".join(_json_lines(item))
        if text:
            blocks.append(Block(text, row=number if isinstance(value, list) else None))
    return ParsedDocument(title=_stem(file_name), blocks=blocks)


PARSERS: dict[str, Callable[[bytes, str], ParsedDocument]] = {
    ".txt": parse_text,
    ".md": parse_markdown,
    ".markdown": parse_markdown,
    ".pdf": parse_pdf,
    ".docx": parse_docx,
    ".html": parse_html,
    ".htm": parse_html,
    ".csv": parse_csv,
    ".json": parse_json,
}
SUPPORTED_EXTENSIONS = tuple(sorted(PARSERS))


def file_format(file_name: str) -> str | None:
    """The parser key for a file name, or None when the type is not supported."""
    suffix = PurePath(file_name).suffix.lower()
    return suffix if suffix in PARSERS else None


def parse(data: bytes, file_name: str) -> ParsedDocument:
    fmt = file_format(file_name)
    if fmt is None:
        raise ParseError(
            f"'{file_name}' has an unsupported type; supported: {', '.join(SUPPORTED_EXTENSIONS)}."
        )
    if not data:
        raise ParseError("The file is empty.")
    parsed = PARSERS[fmt](data, file_name)
    if parsed.is_empty:
        raise ParseError("No text could be extracted from the file.")
    return parsed
