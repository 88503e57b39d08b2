"""Real HTTP against a running server: the case-analysis API/page/PDF with access control and audit, the
calculator API, and the CDS Hooks 2.0 service (discovery, patient-view cards, authentication, errors)."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select

from medtrio.store.schema import AuditLog

from .conftest import CDS_TOKEN, EHR_ISSUER, signed_in


class TestCaseAnalysisRoutes:
    def test_api_returns_eight_cited_steps(self, case_server) -> None:  # type: ignore[no-untyped-def]
        with signed_in(case_server, "dr.one") as c:
            data = c.get(
                f"/api/patients/{case_server.patient_id}/case-analysis", params={"complaint": "unconscious"}
            ).json()
        assert [st["number"] for st in data["steps"]] == list(range(1, 9))
        assert all(st["statements"] and all(x["evidence"] for x in st["statements"]) for st in data["steps"])

    def test_other_department_is_refused_and_audited(self, case_server) -> None:  # type: ignore[no-untyped-def]
        with signed_in(case_server, "dr.two") as c:
            resp = c.get(f"/api/patients/{case_server.patient_id}/case-analysis")
        assert resp.status_code == 403
        with case_server.db.session() as s:
            denied = s.scalars(
                select(AuditLog).where(
                    AuditLog.action == "denied", AuditLog.patient_id == case_server.patient_id
                )
            ).all()
        assert denied

    def test_patients_cannot_run_the_clinician_analysis(self, case_server) -> None:  # type: ignore[no-untyped-def]
        with signed_in(case_server, "pat") as c:
            assert c.get(f"/api/patients/{case_server.patient_id}/case-analysis").status_code == 403

    def test_pdf_export(self, case_server) -> None:  # type: ignore[no-untyped-def]
        with signed_in(case_server, "dr.one") as c:
            resp = c.get(
                f"/clinic/patients/{case_server.patient_id}/analysis.pdf", params={"complaint": "coma"}
            )
        assert resp.status_code == 200 and resp.headers["content-type"] == "application/pdf"
        assert resp.content.startswith(b"%PDF") and len(resp.content) > 2000


class TestCalculatorRoutes:
    def test_run_and_bad_input(self, case_server) -> None:  # type: ignore[no-untyped-def]
        with signed_in(case_server, "dr.one") as c:
            ok = c.post("/api/calculators/map", json={"sbp": [120, "mmHg"], "dbp": [80, "mmHg"]})
            bad = c.post("/api/calculators/map", json={"sbp": 120, "dbp": [80, "mmHg"]})
            listed = c.get("/api/calculators").json()
        assert ok.status_code == 200 and abs(ok.json()["value"] - 93.33333) < 1e-4
        assert bad.status_code == 422 and "sbp" in bad.json()["error"]
        assert len(listed) >= 60

    def test_autofill_names_entries_and_missing(self, case_server) -> None:  # type: ignore[no-untyped-def]
        with signed_in(case_server, "dr.one") as c:
            egfr = c.get(f"/api/patients/{case_server.patient_id}/calculators/ckd_epi_2021").json()
            ascvd = c.get(f"/api/patients/{case_server.patient_id}/calculators/ascvd_pce").json()
        assert egfr["result"]["value"] > 0 and egfr["used"][0]["code"] == "LAB//LOINC//2160-0"
        assert ascvd["result"] is None and set(ascvd["missing"]) == {"total_cholesterol", "hdl"}


class TestCdsHooks:
    def _call(self, server, body, token: str | None = CDS_TOKEN) -> httpx.Response:  # type: ignore[no-untyped-def]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.post(
            f"{server.url}/cds-services/medtrio-patient-view", json=body, headers=headers, timeout=20
        )

    def _body(self, patient: str) -> dict:
        return {
            "hookInstance": str(uuid.uuid4()),
            "hook": "patient-view",
            "context": {"userId": "Practitioner/1", "patientId": patient},
        }

    def test_discovery(self, case_server) -> None:  # type: ignore[no-untyped-def]
        services = httpx.get(f"{case_server.url}/cds-services", timeout=20).json()["services"]
        assert services[0]["hook"] == "patient-view" and services[0]["id"] == "medtrio-patient-view"

    def test_patient_view_cards(self, case_server) -> None:  # type: ignore[no-untyped-def]
        resp = self._call(case_server, self._body("case-1"))
        assert resp.status_code == 200
        cards = resp.json()["cards"]
        assert cards[0]["indicator"] == "critical"
        assert any("glucose" in c["summary"] for c in cards)
        assert any(c["summary"].startswith("Risk scores") for c in cards)
        for card in cards:
            assert len(card["summary"]) < 140 and card["source"]["label"]
            assert card["links"][0]["url"].endswith(f"/clinic/patients/{case_server.patient_id}/analysis")
        with case_server.db.session() as s:
            rows = s.scalars(
                select(AuditLog).where(
                    AuditLog.resource == "case_analysis", AuditLog.username.like("cds-hooks:%")
                )
            ).all()
        assert rows and rows[-1].patient_id == case_server.patient_id

    def test_authentication_and_errors(self, case_server) -> None:  # type: ignore[no-untyped-def]
        assert self._call(case_server, self._body("case-1"), token=None).status_code == 401
        assert self._call(case_server, self._body("case-1"), token="wrong").status_code == 401
        assert self._call(case_server, self._body("nobody")).status_code == 404
        assert self._call(case_server, {"hook": "order-select"}).status_code == 400


class TestCalculatorPages:
    def test_form_computes_and_shows_errors(self, case_server) -> None:  # type: ignore[no-untyped-def]
        import re

        with signed_in(case_server, "dr.one") as c:
            assert "ckd_epi_2021" in c.get("/clinic/calculators").text
            page = c.get("/clinic/calculators/map").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            ok = c.post(
                "/clinic/calculators/map",
                data={
                    "csrf_token": token,
                    "sbp": "120",
                    "sbp__unit": "mmHg",
                    "dbp": "80",
                    "dbp__unit": "mmHg",
                },
            ).text
            bad = c.post(
                "/clinic/calculators/map",
                data={"csrf_token": token, "sbp": "120", "sbp__unit": "", "dbp": "80", "dbp__unit": "mmHg"},
            ).text
        assert 'id="calc-result"' in ok and "93.33333" in ok
        assert 'id="calc-error"' in bad and "sbp" in bad


class TestCdsHooksJwt:
    def _jwt(self, server, **override) -> str:  # type: ignore[no-untyped-def]
        import time

        import jwt

        now = int(time.time())
        claims = {
            "iss": EHR_ISSUER,
            "sub": "ehr-client",
            "aud": f"{server.url}/cds-services/medtrio-patient-view",
            "iat": now,
            "exp": now + 300,
            "jti": str(uuid.uuid4()),
        }
        claims.update(override)
        key = override.pop("_key", None) or server.ehr_key
        return jwt.encode(
            {k: v for k, v in claims.items() if k != "_key"}, key, algorithm="ES384", headers={"kid": "ehr-1"}
        )

    def _call(self, server, token: str) -> httpx.Response:  # type: ignore[no-untyped-def]
        body = {"hookInstance": str(uuid.uuid4()), "hook": "patient-view", "context": {"patientId": "case-1"}}
        return httpx.post(
            f"{server.url}/cds-services/medtrio-patient-view",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=20,
        )

    def test_signed_call_is_accepted_once(self, case_server) -> None:  # type: ignore[no-untyped-def]
        token = self._jwt(case_server)
        assert self._call(case_server, token).status_code == 200
        assert "replayed" in self._call(case_server, token).json()["error"]

    def test_bad_tokens_are_refused(self, case_server) -> None:  # type: ignore[no-untyped-def]
        from cryptography.hazmat.primitives.asymmetric import ec

        other = ec.generate_private_key(ec.SECP384R1())
        assert self._call(case_server, self._jwt(case_server, _key=other)).status_code == 401  # wrong key
        assert self._call(case_server, self._jwt(case_server, aud="https://elsewhere")).status_code == 401
        assert self._call(case_server, self._jwt(case_server, iss="https://unknown")).status_code == 401
        assert self._call(case_server, self._jwt(case_server, exp=1)).status_code == 401  # expired
