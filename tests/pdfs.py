"""Real PDFs for tests, made with reportlab."""

import io
from collections.abc import Iterator
from typing import Any

from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas


def text_pdf(pages: list[str]) -> bytes:
    """One page per string; lines split on newlines."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    for page in pages:
        y = 800
        for line in page.splitlines():
            pdf.drawString(50, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def typeset_pdf(lines: list[str]) -> bytes:
    """One page of lines in a TrueType font, which (unlike `text_pdf`'s Helvetica) carries
    the characters typesetters substitute: curly quotes, ligatures, soft and non-breaking hyphens."""
    pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))  # bundled with reportlab
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    pdf.setFont("Vera", 11)
    for n, line in enumerate(lines):
        pdf.drawString(50, 800 - 16 * n, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def image_only_pdf() -> bytes:
    """Shapes and no text, like a scanned page."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    pdf.rect(100, 400, 300, 200, fill=1)
    pdf.circle(300, 300, 50, fill=1)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def encrypted_pdf(password: str = "secret") -> bytes:
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(text_pdf(["Confidential results"]))).pages:
        writer.add_page(page)
    writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def leaflet_pdf(markup: str, *, running_header: str, columns: int = 1) -> bytes:
    """A leaflet laid out as word processors and design tools make them, unlike `text_pdf`: a
    running header and a "Page N of M" footer on every page, headings in a larger bold font,
    bullet lists, borderless tables and paragraphs reflowed to the width of the page or, with
    `columns`, of each column (a column full flows into the next, the last into the next page).

    Markup, one block per line: `# heading`, `- list item`, `| cell | cell |` (a table row),
    `---` (a page break; `--` a column break); other lines are paragraphs.
    """
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    def decorate(pdf: canvas.Canvas, doc: BaseDocTemplate) -> None:
        pdf.saveState()
        pdf.setFont("Helvetica", 8)
        pdf.drawString(50, 815, running_header)
        pdf.drawRightString(545, 25, f"Page {doc.page} of {total_pages}")
        pdf.restoreState()

    width, height = A4
    margin, gap = 72, 24  # reportlab's SimpleDocTemplate's margins
    column_width = (width - 2 * margin - (columns - 1) * gap) / columns
    frames = [
        Frame(margin + n * (column_width + gap), margin, column_width, height - 2 * margin, id=f"column{n}")
        for n in range(columns)
    ]
    # Twice: the first pass counts the pages the footer names.
    total_pages = 0
    for _ in range(2):
        buffer = io.BytesIO()
        document = BaseDocTemplate(buffer, pagesize=A4, invariant=True)
        document.addPageTemplates([PageTemplate(id="leaflet", frames=frames, onPage=decorate)])
        document.build(_leaflet_story(markup))
        total_pages = document.page
    return buffer.getvalue()


def leaflet_blocks(markup: str) -> Iterator[tuple[str, Any]]:
    """The blocks of `leaflet_pdf`'s markup in order: ("heading", text), ("paragraph", text),
    ("items", [text, ...]) for a list, ("rows", [[cell, ...], ...]) for a table, ("page break",
    None) and ("column break", None)."""
    run: tuple[str, list[Any]] | None = None  # the list or table being read
    for line in (raw.strip() for raw in markup.strip().splitlines()):
        kind = "items" if line.startswith("- ") else "rows" if line.startswith("|") else None
        if run is not None and run[0] != kind:
            yield run
            run = None
        if kind is not None:
            run = run or (kind, [])
            run[1].append(line[2:] if kind == "items" else [c.strip() for c in line.strip("|").split("|")])
        elif line == "---":
            yield "page break", None
        elif line == "--":
            yield "column break", None
        elif line.startswith("# "):
            yield "heading", line[2:]
        elif line:
            yield "paragraph", line
    if run is not None:
        yield run


def _leaflet_story(markup: str) -> list[Any]:
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import FrameBreak, ListFlowable, ListItem, PageBreak, Paragraph, Table

    styles = getSampleStyleSheet()
    story: list[Any] = []
    for kind, content in leaflet_blocks(markup):
        if kind == "items":
            listed = [ListItem(Paragraph(item, styles["BodyText"])) for item in content]
            story.append(ListFlowable(listed, bulletType="bullet", start="\u2022"))
        elif kind == "rows":
            story.append(Table(content, hAlign="LEFT"))
        elif kind == "page break":
            story.append(PageBreak())
        elif kind == "column break":
            story.append(FrameBreak())
        else:
            story.append(Paragraph(content, styles["Heading2" if kind == "heading" else "BodyText"]))
    return story
