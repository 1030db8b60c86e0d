import re
import unicodedata
from urllib.parse import quote
from uuid import UUID

import anyio
from fastapi import Response, UploadFile

from adapters.storage import document_key
from generated import models as api
from generated.routes import RenderedJson
from handlers.context import RequestContext
from handlers.representations import document_out, document_page
from persistence.models import DocumentStatus
from services.audit import AuditAction
from services.documents import DocumentService, Upload, document_service

# Characters a quoted filename may carry in any browser; the rest become `_` in the fallback.
_UNSAFE_IN_FALLBACK = re.compile(r"[^A-Za-z0-9 ._()-]")


def attachment_disposition(filename: str) -> str:
    """Content-Disposition for a download (RFC 6266): the exact name as RFC 5987 `filename*`
    (UTF-8, percent-encoded), after an ASCII `filename` for clients that don't read it. A raw
    non-ASCII name can't be sent in a header at all; a quote or line break would break it."""
    ascii_name = "".join(
        unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode() or "_" for c in filename
    )
    fallback = _UNSAFE_IN_FALLBACK.sub("_", ascii_name).strip() or "document.pdf"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _documents(ctx: RequestContext) -> DocumentService:
    return document_service(ctx.session, ctx.runtime.world, ctx.jobs)


class DocumentsHandlers:
    async def list_documents(
        self,
        ctx: RequestContext,
        *,
        status: api.DocumentStatus | None,
        patient_id: UUID | None,
        limit: int,
        offset: int,
    ) -> RenderedJson[api.DocumentPage]:
        documents, total = await _documents(ctx).page(
            ctx.user,
            status=DocumentStatus(status) if status else None,
            patient_id=patient_id,
            limit=limit,
            offset=offset,
        )
        ctx.audit.listed(AuditAction.DOCUMENT_LIST, "document", (d.patient_id for d in documents))
        return document_page(documents, total=total, limit=limit, offset=offset)

    async def upload_document(
        self, ctx: RequestContext, *, file: UploadFile, title: str | None, patient_id: UUID | None
    ) -> api.Document | Response:
        stored = await _documents(ctx).upload(
            ctx.user, Upload(stream=file.file, filename=file.filename, title=title, patient_id=patient_id)
        )
        document = document_out(stored.document)
        ctx.audit.record(
            AuditAction.DOCUMENT_CREATE,
            "document",
            stored.document.id,
            patient_id=stored.document.patient_id,
            detail={"duplicate": not stored.created},
        )
        if not stored.created:
            return Response(
                document.model_dump_json(by_alias=True), status_code=200, media_type="application/json"
            )
        return document

    async def get_document(self, ctx: RequestContext, *, document_id: UUID) -> api.Document:
        document = await _documents(ctx).get(ctx.user, document_id)
        ctx.audit.read(AuditAction.DOCUMENT_READ, "document", document.id, document.patient_id)
        return document_out(document)

    async def delete_document(self, ctx: RequestContext, *, document_id: UUID) -> None:
        deleted = await _documents(ctx).delete(ctx.user, document_id)
        ctx.audit.record(AuditAction.DOCUMENT_DELETE, "document", deleted.id, patient_id=deleted.patient_id)
        storage = ctx.runtime.world.storage
        ctx.after_commit(lambda: anyio.to_thread.run_sync(storage.delete, document_key(deleted.id)))

    async def download_document_file(self, ctx: RequestContext, *, document_id: UUID) -> Response:
        document, content = await _documents(ctx).read_file(ctx.user, document_id)
        ctx.audit.record(
            AuditAction.DOCUMENT_DOWNLOAD, "document", document.id, patient_id=document.patient_id
        )
        disposition = attachment_disposition(document.filename)
        return Response(content, media_type="application/pdf", headers={"Content-Disposition": disposition})
