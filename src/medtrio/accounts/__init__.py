"""Accounts: users, roles, password hashing (argon2) and sign-in.

Roles: ``admin`` manages the installation (no clinical content unless granted), ``clinician`` sees
patients of their department or assigned to them, ``patient`` sees only their own record.
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from medtrio.errors import Conflict, InvalidInput, Unauthenticated
from medtrio.store.schema import Doctor, User

ROLES = ("admin", "clinician", "patient")
MIN_PASSWORD = 8
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Account:
    """A signed-in user as the rest of the system sees it."""

    id: int
    username: str
    role: str
    display_name: str
    patient_id: int | None
    doctor_id: int | None
    department_id: int | None
    language: str
    clinical_access: bool


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    *,
    display_name: str | None = None,
    patient_id: int | None = None,
    doctor_id: int | None = None,
    language: str = "en",
    password_hash: str | None = None,
) -> int:
    """Create a user; `password_hash` lets bulk creators hash one password once for many users."""
    if role not in ROLES:
        raise InvalidInput(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    if password_hash is None and len(password) < MIN_PASSWORD:
        raise InvalidInput(f"The password must have at least {MIN_PASSWORD} characters.")
    if role == "patient" and patient_id is None:
        raise InvalidInput("A patient account must be linked to a patient record.")
    if role == "clinician" and doctor_id is None:
        raise InvalidInput("A clinician account must be linked to a doctor (for department access).")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"The username {username!r} is taken.")
    user = User(
        username=username, password_hash=password_hash or hash_password(password), role=role,
        display_name=display_name or username, patient_id=patient_id, doctor_id=doctor_id, language=language,
    )
    session.add(user)
    session.flush()
    return user.id


def to_account(session: Session, user: User) -> Account:
    department_id = None
    if user.doctor_id is not None:
        department_id = session.scalar(select(Doctor.department_id).where(Doctor.id == user.doctor_id))
    return Account(
        user.id, user.username, user.role, user.display_name, user.patient_id, user.doctor_id,
        department_id, user.language, user.clinical_access,
    )


def authenticate(session: Session, username: str, password: str) -> Account:
    """The account for these credentials, or `Unauthenticated` (same message for any failure)."""
    user = session.scalar(select(User).where(User.username == username))
    failure = Unauthenticated("Wrong username or password.")
    if user is None or not user.active:
        _hasher.hash(password)  # spend the same time as a real check, so usernames cannot be probed
        raise failure
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise failure from None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return to_account(session, user)


def get_account(session: Session, user_id: int) -> Account | None:
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    return to_account(session, user)
