"""Who may read which patient's record: the one access rule every page and API call goes through.

- a patient: only their own record (`users.patient_id`);
- a clinician: patients of their doctor's department (`patients.department_id`) or assigned to them
  (`care_assignments`);
- an admin: no clinical content, unless `users.clinical_access` was granted (then every patient).
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from medtrio.accounts import Account
from medtrio.store.schema import CareAssignment, Patient


def may_read_patient(session: Session, account: Account, patient_id: int) -> bool:
    if account.role == "patient":
        return account.patient_id == patient_id
    if account.role == "admin":
        return account.clinical_access
    if account.role == "clinician" and account.doctor_id is not None:
        in_department = account.department_id is not None and session.scalar(
            select(exists().where(Patient.id == patient_id, Patient.department_id == account.department_id))
        )
        if in_department:
            return True
        return bool(
            session.scalar(
                select(
                    exists().where(
                        CareAssignment.patient_id == patient_id, CareAssignment.doctor_id == account.doctor_id
                    )
                )
            )
        )
    return False


def sees_clinical_content(account: Account) -> bool:
    """Whether this account may see clinical pages at all (before any per-patient check)."""
    return account.role in ("clinician", "patient") or account.clinical_access
