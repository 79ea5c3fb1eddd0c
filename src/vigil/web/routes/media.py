"""Hashing uploads that are never kept: ``POST /v1/media/hash``, HMA's ``/h/hash``, its upload
lookup and its add-to-bank by upload (only the hashes are kept, in the bank).

The body (raw, or the first file of a multipart form) is streamed into
:func:`vigil.hashed_upload`, hashed, and deleted before the answer goes out.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from vigil import (
    HashedItem,
    find_bank,
    hashed_upload,
    hma_add_signals,
    hma_hashes,
    hma_lookup_hashes,
)
from vigil.web.errors import ERROR_RESPONSES
from vigil.web.policy import AdminCaller, LookupCaller, state_of

router = APIRouter(tags=["media"], responses=ERROR_RESPONSES)

_UPLOAD_DOC: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary"}}}},
}}}
_CHUNK = 1024 * 1024


async def hash_request(request: Request) -> list[HashedItem]:
    """Hashes of the uploaded picture or video; nothing of it is left on disk afterwards."""
    return (await _hash_upload(request))[1]


async def _hash_upload(request: Request) -> tuple[str | None, list[HashedItem]]:
    """The form field the file came in (``None`` for a raw body) and the upload's hashes."""
    limit = state_of(request).settings.api_max_upload_bytes
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=4)
        field, upload = next(((k, v) for k, v in form.items() if isinstance(v, UploadFile)),
                             (None, None))
        if upload is None:
            raise HTTPException(400, "no file in the form")
        try:
            with hashed_upload(limit, upload.filename or "upload") as sink:
                while chunk := await upload.read(_CHUNK):
                    sink.write(chunk)
                return field, await _hash(sink)
        finally:
            await upload.close()
    with hashed_upload(limit) as sink:
        async for chunk in request.stream():
            sink.write(chunk)
        return None, await _hash(sink)


async def _hash(sink: Any) -> list[HashedItem]:
    try:
        items: list[HashedItem] = await run_in_threadpool(sink.hash)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    if not items:
        raise HTTPException(422, "the video has no frame to hash")
    return items


@router.post("/v1/media/hash", openapi_extra=_UPLOAD_DOC)
async def post_media_hash(caller: LookupCaller, request: Request) -> dict[str, Any]:
    """PDQ, MD5 and SHA-256 of an image (one item) or of a video's sampled frames."""
    return {"items": [item.as_json() for item in await hash_request(request)]}


@router.post("/h/hash", openapi_extra=_UPLOAD_DOC)
async def post_hma_hash(caller: LookupCaller, request: Request) -> dict[str, str]:
    """HMA's hash route: ``{"pdq": ...}`` for a ``photo``, ``{"video_md5": ...}`` for a video."""
    field, items = await _hash_upload(request)
    return hma_hashes(items, field)


@router.post("/m/lookup", openapi_extra=_UPLOAD_DOC)
async def post_hma_lookup(caller: LookupCaller, request: Request,
                          banks: str | None = None) -> dict[str, Any]:
    """HMA's upload lookup: hash the file, then per signal type the matches by bank."""
    field, items = await _hash_upload(request)
    hashes = hma_hashes(items, field)
    lookup = await run_in_threadpool(caller.tenant.intake.lookups.get)
    return hma_lookup_hashes(lookup, hashes, banks)


@router.post("/c/bank/{bank_name}/content", openapi_extra=_UPLOAD_DOC)
async def post_hma_bank_content(caller: AdminCaller, request: Request,
                                bank_name: str) -> dict[str, Any]:
    """HMA's add-by-upload: hash the file (``photo`` or ``video`` field) into the bank.

    The bank is found before the upload is read (404 first, as HMA answers); HMA's ``url``
    parameter is not served (vigil fetches no media from elsewhere).
    """
    if "url" in request.query_params:
        raise HTTPException(400, "vigil does not fetch a url: upload the file")
    store = caller.tenant.store
    found = await run_in_threadpool(find_bank, store, bank_name)
    field, items = await _hash_upload(request)
    answer = await run_in_threadpool(hma_add_signals, store, found, hma_hashes(items, field))
    caller.tenant.intake.lookups.invalidate()
    return answer
