"""Storing uploads: hashing, de-duplication, and the size limit when the client sent no Content-Length."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from starlette.datastructures import UploadFile

from medtrio.api.uploads import store_upload
from medtrio.errors import InvalidInput, TooLarge
from medtrio.store import Database
from medtrio.store.schema import Document


def test_streamed_upload_over_the_limit_leaves_nothing(db: Database, tmp_path: Path) -> None:
    data = b"y" * (1024 * 1024 + 1)
    upload = UploadFile(
        io.BytesIO(data), filename="../../etc/big.csv"
    )  # size unknown, as with chunked bodies
    with pytest.raises(TooLarge), db.session() as s:
        store_upload(s, upload, tmp_path / "uploads", 1, None)
    assert list((tmp_path / "uploads").iterdir()) == []
    with db.session() as s:
        assert s.query(Document).count() == 0


def test_same_file_twice_is_stored_once_with_a_safe_name(db: Database, tmp_path: Path) -> None:
    tmp_path = tmp_path / "uploads"
    data = b"patient_id,time,code\n"
    with db.session() as s:
        a = store_upload(s, UploadFile(io.BytesIO(data), filename="../x y.csv"), tmp_path, 1, None)
        b = store_upload(s, UploadFile(io.BytesIO(data), filename="x y.csv"), tmp_path, 1, None)
        assert a.id == b.id and a.sha256 == hashlib.sha256(data).hexdigest()
        assert Path(a.path).parent == tmp_path and Path(a.path).name.endswith("-x_y.csv")
    assert len(list(tmp_path.iterdir())) == 1
    with pytest.raises(InvalidInput), db.session() as s:
        store_upload(s, UploadFile(io.BytesIO(data), filename=""), tmp_path, 1, None)
