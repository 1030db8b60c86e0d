from uuid import UUID

from fastapi import Response, UploadFile

from generated import models as api
from handlers.pending import not_implemented_yet
from silverstar.context import RequestContext


class DocumentsHandlers:
    async def list_documents(
        self,
        ctx: RequestContext,
        *,
        status: api.DocumentStatus | None,
        patient_id: UUID | None,
        limit: int,
        offset: int,
    ) -> api.DocumentPage:
        not_implemented_yet("listDocuments")

    async def upload_document(
        self, ctx: RequestContext, *, file: UploadFile, title: str | None, patient_id: UUID | None
    ) -> api.Document | Response:
        not_implemented_yet("uploadDocument")

    async def get_document(self, ctx: RequestContext, *, document_id: UUID) -> api.Document:
        not_implemented_yet("getDocument")

    async def delete_document(self, ctx: RequestContext, *, document_id: UUID) -> None:
        not_implemented_yet("deleteDocument")

    async def download_document_file(self, ctx: RequestContext, *, document_id: UUID) -> Response:
        not_implemented_yet("downloadDocumentFile")
