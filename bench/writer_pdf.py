"""A set's document as LibreOffice Writer typesets it, for `bench/answers.py --typeset libreoffice`.

The text is written as a flat OpenDocument file, as a clinic's staff would type it in a word
processor: DejaVu Serif 11 pt, justified and hyphenated paragraphs, quotation marks and
apostrophes as autocorrect curls them, headings, bullet lists, tables, a running header and a
"Page N of M" footer; `soffice --headless --convert-to pdf` typesets it. LibreOffice is not
installed by `make install` (Debian: `apt-get install libreoffice-writer-nogui hyphen-en-gb`).
"""

import re
import shutil
import subprocess
import tempfile
from html import escape
from pathlib import Path

from tests.pdfs import leaflet_blocks

_HEADING = re.compile(r"[.!?:;]\W*$")
_STYLES = """<office:styles>
 <style:default-style style:family="paragraph"><style:text-properties style:font-name="DejaVu Serif"
  fo:font-size="11pt" fo:language="en" fo:country="GB" fo:hyphenate="true"/></style:default-style>
 <style:style style:name="Body" style:family="paragraph"><style:paragraph-properties fo:text-align="justify"
  fo:margin-bottom="0.2cm"/><style:text-properties fo:hyphenate="true" fo:hyphenation-remain-char-count="2"
  fo:hyphenation-push-char-count="2"/></style:style>
 <style:style style:name="Break" style:family="paragraph"><style:paragraph-properties fo:break-before="page"/>
 </style:style>
 <text:list-style style:name="Bullets"><text:list-level-style-bullet text:level="1" text:bullet-char="•">
  <style:list-level-properties text:list-level-position-and-space-mode="label-alignment">
  <style:list-level-label-alignment text:label-followed-by="listtab" fo:text-indent="-0.5cm"
   fo:margin-left="1cm"/>
  </style:list-level-properties></text:list-level-style-bullet></text:list-style>
</office:styles>
<office:automatic-styles><style:page-layout style:name="A4"><style:page-layout-properties fo:page-width="21cm"
 fo:page-height="29.7cm" fo:margin="2cm"/></style:page-layout></office:automatic-styles>"""


def available() -> bool:
    return shutil.which("soffice") is not None


def writer_pdf(markup: str, running_header: str) -> bytes:
    """`markup` in `tests.pdfs.leaflet_pdf`'s notation (`# heading`, `- item`, `| cell |`, `---`),
    typeset by LibreOffice Writer."""
    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / "document.fodt"
        source.write_text(_document(markup, running_header))
        profile = f"-env:UserInstallation=file://{directory}/profile"
        convert = ["--headless", "--convert-to", "pdf", "--outdir", directory, str(source)]
        subprocess.run(["soffice", profile, *convert], check=True, capture_output=True, timeout=120)
        return (Path(directory) / "document.pdf").read_bytes()


def plain_markup(text: str) -> str:
    """A plain set's text (paragraphs, `---` page breaks) as markup: a short line without
    sentence punctuation is a heading."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "\n".join(
        line if line == "---" or _HEADING.search(line) or len(line.split()) > 10 else f"# {line}"
        for line in lines
    )


def _document(markup: str, running_header: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
{_STYLES}
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="A4">
 <style:header><text:p>{escape(running_header)}</text:p></style:header>
 <style:footer><text:p>Page <text:page-number text:select-page="current"/> of <text:page-count/></text:p>
 </style:footer>
</style:master-page></office:master-styles>
<office:body><office:text>
{_body(markup)}
</office:text></office:body></office:document>"""


def _body(markup: str) -> str:
    out: list[str] = []
    for kind, content in leaflet_blocks(markup):
        if kind == "items":
            listed = "".join(
                f'<text:list-item><text:p text:style-name="Body">{_text(item)}</text:p></text:list-item>'
                for item in content
            )
            out.append(f'<text:list text:style-name="Bullets">{listed}</text:list>')
        elif kind == "rows":
            cells = ("".join(f"<table:table-cell><text:p>{_text(c)}</text:p></table:table-cell>" for c in row)
                     for row in content)  # fmt: skip
            body = "".join(f"<table:table-row>{row}</table:table-row>" for row in cells)
            head = f'<table:table-column table:number-columns-repeated="{max(map(len, content))}"/>'
            out.append(f"<table:table>{head}{body}</table:table>")
        elif kind == "page break":
            out.append('<text:p text:style-name="Break"/>')
        elif kind == "heading":
            out.append(f'<text:h text:outline-level="2">{_text(content)}</text:h>')
        elif kind == "paragraph":
            out.append(f'<text:p text:style-name="Body">{_text(content)}</text:p>')
        # a column break: Writer's page here has one column
    return "\n".join(out)


def _text(text: str) -> str:
    """Escaped, with quotation marks and apostrophes curled as a word processor's autocorrect does."""
    curled = re.sub(r"(\w)'(\w)", "\\1\u2019\\2", text)
    curled = re.sub(r"'(\w)", "\u2018\\1", curled).replace("'", "\u2019")
    curled = re.sub(r'"(\w)', "\u201c\\1", curled).replace('"', "\u201d")
    return escape(curled, quote=False)
