from __future__ import annotations

import pytest

from syft_space.datasets.parsing import Block, ParseError, file_format, parse
from tests.datasets.files import docx_bytes, json_bytes, pdf_bytes


def test_markdown_keeps_the_heading_path() -> None:
    text = (
        b"# Guide\n\nIntro text.\n\n## Install\n\nRun the thing.\n\n### Linux\n\nUse apt.\n\n"
        b"## Use\n\nAsk.\n"
    )
    parsed = parse(text, "guide.md")
    assert parsed.title == "Guide"
    assert parsed.blocks == [
        Block("Intro text.", headings=("Guide",)),
        Block("Run the thing.", headings=("Guide", "Install")),
        Block("Use apt.", headings=("Guide", "Install", "Linux")),
        Block("Ask.", headings=("Guide", "Use")),
    ]


def test_markdown_ignores_hashes_in_code_fences() -> None:
    parsed = parse(b"# T\n\n```\n# not a heading\n```\n", "code.md")
    assert parsed.blocks[0].headings == ("T",)
    assert "# not a heading" in parsed.blocks[0].text


def test_html_keeps_headings_and_drops_scripts() -> None:
    html = (
        b"<html><head><title>Space News</title><style>p{}</style></head><body>"
        b"<h1>Crash</h1><p>EuroSat-7 was <b>lost</b>.</p><script>alert(1)</script>"
        b"<h2>Impact</h2><ul><li>Rural internet</li><li>Emergency services</li></ul></body></html>"
    )
    parsed = parse(html, "news.html")
    assert parsed.title == "Space News"
    assert [(b.text, b.headings) for b in parsed.blocks] == [
        ("EuroSat-7 was lost.", ("Crash",)),
        ("Rural internet", ("Crash", "Impact")),
        ("Emergency services", ("Crash", "Impact")),
    ]


def test_pdf_keeps_page_numbers() -> None:
    parsed = parse(pdf_bytes(["First page text", "Second page text"], title="Report"), "r.pdf")
    assert parsed.title == "Report"
    assert [(b.text, b.page) for b in parsed.blocks] == [
        ("First page text", 1),
        ("Second page text", 2),
    ]


def test_docx_keeps_headings_and_tables() -> None:
    data = docx_bytes(
        [
            ("Heading 1", "Methods"),
            (None, "We sampled."),
            ("Heading 2", "Sampling"),
            (None, "Randomly."),
        ],
        table=[["name", "value"], ["alpha", "1"]],
    )
    parsed = parse(data, "paper.docx")
    assert parsed.title == "Methods"
    assert [(b.text, b.headings) for b in parsed.blocks] == [
        ("We sampled.", ("Methods",)),
        ("Randomly.", ("Methods", "Sampling")),
        ("name | value", ()),
        ("alpha | 1", ()),
    ]


def test_csv_rows_become_blocks_with_row_numbers() -> None:
    parsed = parse(b"city;country\nParis;France\n;\nLima;Peru\n", "cities.csv")
    assert [(b.text, b.row) for b in parsed.blocks] == [
        ("city: Paris; country: France", 2),
        ("city: Lima; country: Peru", 4),
    ]


def test_json_lists_become_one_block_per_item() -> None:
    parsed = parse(json_bytes([{"q": "a?", "tags": ["x"]}, {"q": "b?"}]), "faq.json")
    assert [(b.text, b.row) for b in parsed.blocks] == [("q: a?\ntags[0]: x", 1), ("q: b?", 2)]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.txt", "The file is empty."),
        (b"   \n\n  ", "blank.txt", "No text could be extracted"),
        (b"%PDF-1.4 garbage", "broken.pdf", "The PDF cannot be read"),
        (b"PK\x03\x04 not a zip", "broken.docx", "The DOCX file cannot be opened"),
        (b"{not json", "broken.json", "not valid JSON"),
        (bytes(range(256)) * 8, "binary.txt", "not text"),
        (b"data", "virus.exe", "unsupported type"),
    ],
)
def test_unreadable_files_raise_a_readable_error(data: bytes, name: str, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse(data, name)


def test_encrypted_pdfs_are_refused() -> None:
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf_bytes(["secret"]))).pages:
        writer.add_page(page)
    writer.encrypt("pw")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ParseError, match="encrypted"):
        parse(buffer.getvalue(), "locked.pdf")


def test_file_formats() -> None:
    assert file_format("A.PDF") == ".pdf"
    assert file_format("notes.markdown") == ".md" or file_format("notes.markdown") == ".markdown"
    assert file_format("archive.tar.gz") is None
    assert file_format("README") is None
