"""Storing an uploaded file: streamed to `settings.upload_dir`, hashed (sha256), recorded in `documents`.

A file over `settings.max_upload_mb` is refused (`TooLarge`) and nothing is kept: the partial file
is removed and no row is written.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from medtrio.errors import InvalidInput, TooLarge
from medtrio.store.schema import Document

CHUNK = 1024 * 1024


def _safe_name(name: str) -> str:
    base = Path(name).name or "upload"
    return re.sub(r"[^A-Za-z0-9._-]+", "_", base)[:120]


def too_large(limit_mb: int) -> TooLarge:
    return TooLarge(
        f"The file is larger than the upload limit of {limit_mb} MB; nothing was stored. "
        "Give a server path instead, or ask the administrator to raise MEDTRIO_MAX_UPLOAD_MB."
    )


def store_upload(
    s: Session, upload: UploadFile, upload_dir: Path, limit_mb: int, user_id: int | None
) -> Document:
    """Copy the upload to `upload_dir/<uuid>-<name>` while hashing it, and add its `documents` row."""
    if not upload.filename:
        raise InvalidInput("Choose a file to upload.")
    limit = limit_mb * 1024 * 1024
    if upload.size is not None and upload.size > limit:
        raise too_large(limit_mb)
    upload_dir.mkdir(parents=True, exist_ok=True)
    target = upload_dir / f"{uuid.uuid4().hex[:12]}-{_safe_name(upload.filename)}"
    digest, size = hashlib.sha256(), 0
    try:
        with target.open("wb") as out:
            upload.file.seek(0)
            while chunk := upload.file.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise too_large(limit_mb)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    sha = digest.hexdigest()
    existing = s.scalar(select(Document).where(Document.sha256 == sha, Document.size_bytes == size))
    if existing is not None and Path(existing.path).exists():  # the same file again: keep one copy
        target.unlink(missing_ok=True)
        return existing
    doc = Document(
        filename=upload.filename[:255],
        sha256=sha,
        media_type=upload.content_type or "application/octet-stream",
        size_bytes=size,
        path=str(target),
        status="uploaded",
        uploaded_by=user_id,
    )
    s.add(doc)
    s.flush()
    return doc
