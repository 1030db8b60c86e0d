"""Decompression bombs: small PDFs whose one page stream inflates to a lot, written by hand."""

import struct
import zlib

PIECE_BYTES = 1024 * 1024


def _inflating_to(size: int, pattern: bytes) -> bytes:
    """A zlib stream of `pattern` repeated to about `size` bytes, at deflate's best ratio (~1:1000).

    Built in a second for 1 GiB: one piece deflated after a full flush (which resets the
    compressor, so the same input gives the same bytes) is repeated, then closed with the
    Adler-32 of the whole.
    """
    piece = pattern * max(1, PIECE_BYTES // len(pattern))
    count = max(1, size // len(piece))
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(piece) + compressor.flush(zlib.Z_FULL_FLUSH)
    final = compressor.flush(zlib.Z_FINISH)
    checksum = 1
    for _ in range(count):
        checksum = zlib.adler32(piece, checksum)
    return b"\x78\xda" + block * count + final + struct.pack(">I", checksum)


def _pdf(content: bytes, *, filter_name: bytes = b"/FlateDecode") -> bytes:
    """A one-page PDF (Helvetica as F1) whose page content is the raw stream `content`."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter %s >>\nstream\n" % (len(content), filter_name) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def zeros_bomb_pdf(inflated_bytes: int) -> bytes:
    """One page whose FlateDecode content stream inflates to `inflated_bytes` zero bytes (1 GiB: ~1 MB)."""
    return _pdf(_inflating_to(inflated_bytes, b"\0"))


def text_operators_bomb_pdf(inflated_bytes: int) -> bytes:
    """One page whose content stream inflates to `inflated_bytes` of text-showing operators."""
    return _pdf(_inflating_to(inflated_bytes, b"BT /F1 12 Tf 50 700 Td (Ipsum lorem dolor sit amet) Tj ET\n"))
