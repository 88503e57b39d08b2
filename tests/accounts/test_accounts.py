import pytest

from medtrio.accounts import authenticate, create_user
from medtrio.errors import Conflict, InvalidInput, Unauthenticated
from medtrio.store import upsert_patient


class TestCreateUserAndAuthenticate:
    def test_roundtrip(self, db):
        with db.session() as s:
            pid = upsert_patient(s, "test", "p1")
            create_user(s, "alice", "correct horse", "patient", patient_id=pid)
        with db.session() as s:
            acc = authenticate(s, "alice", "correct horse")
            assert acc.role == "patient" and acc.patient_id == pid
            with pytest.raises(Unauthenticated):
                authenticate(s, "alice", "wrong password")
            with pytest.raises(Unauthenticated):
                authenticate(s, "nobody", "whatever1")

    def test_rules(self, db):
        with db.session() as s:
            with pytest.raises(InvalidInput):
                create_user(s, "bob", "short", "admin")
            with pytest.raises(InvalidInput):
                create_user(s, "bob", "long enough", "patient")
            create_user(s, "root", "long enough", "admin")
            with pytest.raises(Conflict):
                create_user(s, "root", "long enough", "admin")
