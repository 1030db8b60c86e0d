"""PDF text extraction under limits, in a child process: a decompression bomb ends as a rejection.

A 1 MB upload can inflate to gigabytes (one FlateDecode stream of zeros, or hundreds of MB
of text operators). The worker never parses an upload itself: `extract_pages_bounded` runs
`python -m adapters.bounded_pdf` with the file on stdin, under an address-space limit
(RLIMIT_AS), and kills it after the document's time limit. Inside the child, every stream
pdfminer inflates is charged to a per-page and a per-document budget (zlib is stopped at
the budget, before the bytes exist), and each page has a timer. Every limit reached is a
`DocumentRejected`: permanent, never retried.
"""

import json
import logging
import resource
import signal
import subprocess
import sys
import zlib
from dataclasses import asdict, dataclass
from types import FrameType
from typing import Any

from adapters.pdf_text import DocumentRejected, extract_pages
from kernel.settings import Settings

logger = logging.getLogger(__name__)

MIB = 1024 * 1024


@dataclass(frozen=True)
class ExtractionLimits:
    max_pages: int
    max_page_decompressed_bytes: int
    max_document_decompressed_bytes: int
    page_timeout_seconds: float
    document_timeout_seconds: float
    memory_bytes: int

    @classmethod
    def from_settings(cls, settings: Settings) -> "ExtractionLimits":
        return cls(
            max_pages=settings.max_document_pages,
            max_page_decompressed_bytes=settings.pdf_max_page_decompressed_bytes,
            max_document_decompressed_bytes=settings.pdf_max_document_decompressed_bytes,
            page_timeout_seconds=settings.pdf_page_timeout_seconds,
            document_timeout_seconds=settings.pdf_document_timeout_seconds,
            memory_bytes=settings.pdf_extraction_memory_bytes,
        )


def _megabytes(size: int) -> str:
    return f"{size / MIB:g} MB"


def extract_pages_bounded(data: bytes, limits: ExtractionLimits) -> list[str]:
    """The text of each page, read by a child process within `limits`.

    Raises `DocumentRejected` for anything about the file, including every limit reached;
    `RuntimeError` when the child fails for another reason (the job is then retried).
    """
    command = [sys.executable, "-m", "adapters.bounded_pdf", json.dumps(asdict(limits))]
    try:
        # Our own module under this interpreter; the file goes in on stdin, never as an argument.
        completed = subprocess.run(  # noqa: S603
            command, input=data, capture_output=True, timeout=limits.document_timeout_seconds, check=False
        )
    except subprocess.TimeoutExpired as exc:  # run() has killed the child
        raise DocumentRejected(
            f"Reading the document took longer than {limits.document_timeout_seconds:g} seconds "
            "(the limit per document); it was not processed."
        ) from exc
    if completed.returncode < 0:
        # Killed by a signal: the kernel's OOM killer, or a crash in a C library on a hostile file.
        logger.warning("PDF reader killed by signal %d: %s", -completed.returncode, completed.stderr[-2000:])
        raise DocumentRejected(
            f"Reading the document exceeded the reader's limits (memory {_megabytes(limits.memory_bytes)}); "
            "it was not processed."
        )
    if completed.returncode != 0:
        raise RuntimeError(f"the PDF reader failed: {completed.stderr[-2000:].decode(errors='replace')}")
    result: dict[str, Any] = json.loads(completed.stdout)
    if "rejected" in result:
        raise DocumentRejected(str(result["rejected"]))
    return [str(page) for page in result["pages"]]


# --- the child process ---------------------------------------------------------------------


class DecompressionBudget:
    """Bytes inflated so far on this page and in the whole document, against their limits."""

    def __init__(self, page_limit: int, document_limit: int) -> None:
        self.page_limit = page_limit
        self.document_limit = document_limit
        self.page = 0  # 0: opening the file, before any page
        self.page_used = 0
        self.document_used = 0

    def start_page(self, number: int) -> None:
        self.page = number
        self.page_used = 0

    def remaining(self) -> int:
        return min(self.page_limit - self.page_used, self.document_limit - self.document_used)

    def charge(self, size: int) -> None:
        self.page_used += size
        self.document_used += size
        if self.page and self.page_used > self.page_limit:
            raise DocumentRejected(
                f"Page {self.page} expands to more than {_megabytes(self.page_limit)} when decompressed "
                "(the limit per page); the file was not processed."
            )
        if self.document_used > self.document_limit:
            raise DocumentRejected(
                f"The document expands to more than {_megabytes(self.document_limit)} when decompressed "
                "(the limit per document); the file was not processed."
            )

    def check(self, size: int) -> None:
        """Raises as `charge` would if `size` more bytes were charged, without charging them."""
        if size > self.remaining():
            self.charge(size)


class _BoundedDecompressor:
    """zlib.decompressobj that never produces more than the budget allows."""

    def __init__(self, budget: DecompressionBudget) -> None:
        self._budget = budget
        self._inner = zlib.decompressobj()
        self._produced = 0

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        allowed = self._budget.remaining() - self._produced + 1
        out = self._inner.decompress(data, allowed)
        self._produced += len(out)
        self._budget.check(self._produced)
        return out

    @property
    def eof(self) -> bool:
        return self._inner.eof


class _BoundedZlib:
    """Stands in for the zlib module inside pdfminer.pdftypes (which calls `zlib.decompress`)."""

    error = zlib.error

    def __init__(self, budget: DecompressionBudget) -> None:
        self._budget = budget

    def decompressobj(self) -> _BoundedDecompressor:
        return _BoundedDecompressor(self._budget)

    def decompress(self, data: bytes) -> bytes:
        decompressor = self.decompressobj()
        out = decompressor.decompress(data)
        if not decompressor.eof:
            raise zlib.error("incomplete or truncated stream")
        return out


def _install_budget(budget: DecompressionBudget) -> None:
    from pdfminer import pdftypes

    pdftypes.zlib = _BoundedZlib(budget)  # type: ignore[attr-defined,assignment]
    decode = pdftypes.PDFStream.decode

    def charged_decode(stream: pdftypes.PDFStream) -> None:
        decode(stream)
        budget.charge(len(stream.data or b""))

    pdftypes.PDFStream.decode = charged_decode  # type: ignore[method-assign,assignment]


def _read(data: bytes, limits: ExtractionLimits) -> dict[str, Any]:
    budget = DecompressionBudget(limits.max_page_decompressed_bytes, limits.max_document_decompressed_bytes)
    _install_budget(budget)

    def page_too_slow(signum: int, frame: FrameType | None) -> None:
        raise DocumentRejected(
            f"Page {budget.page} took longer than {limits.page_timeout_seconds:g} seconds to read "
            "(the limit per page); the file was not processed."
        )

    def start_page(number: int) -> None:
        budget.start_page(number)
        signal.setitimer(signal.ITIMER_REAL, limits.page_timeout_seconds)

    signal.signal(signal.SIGALRM, page_too_slow)
    try:
        return {"pages": extract_pages(data, max_pages=limits.max_pages, on_page=start_page)}
    except DocumentRejected as rejected:
        return {"rejected": rejected.reason}
    except MemoryError:
        return {
            "rejected": f"Reading the document needed more than {_megabytes(limits.memory_bytes)} of memory "
            "(the limit); the file was not processed."
        }
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def main() -> None:
    limits = ExtractionLimits(**json.loads(sys.argv[1]))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    data = sys.stdin.buffer.read()
    result = _read(data, limits)
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    main()
