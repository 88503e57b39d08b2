"""Case analysis on a real database (SQLite and PostgreSQL): all eight steps, each with evidence, the red
flags raised, and the time budget."""

from __future__ import annotations

import json
import time

import pytest

from medtrio.reasoning import analyse
from medtrio.reasoning.knowledge import cautions, critical_values, presentations
from medtrio.store import Database
from medtrio.store.audit import Actor, query

from .case_fixture import build_case


def _texts(report, key: str) -> list[str]:
    return [s.text for s in next(st for st in report.steps if st.key == key).statements]


class TestAnalyse:
    def test_eight_steps_each_with_evidence(self, db: Database) -> None:
        with db.session() as s:
            pid = build_case(s)
            report = analyse(s, pid, "found unresponsive at home")
        assert [st.number for st in report.steps] == list(range(1, 9))
        for step in report.steps:
            assert step.statements, step.key
            for statement in step.statements:
                assert statement.evidence, (step.key, statement.text)

    def test_red_flags_and_cautions(self, db: Database) -> None:
        with db.session() as s:
            pid = build_case(s)
            report = analyse(s, pid, "unconscious")
        critical = [w.text for w in report.warnings if w.severity == "critical"]
        assert any("glucose" in t for t in critical)  # 38 mg/dL is a critical value
        assert any("hypoglycaemia" in t for t in critical)  # insulin + low glucose
        warnings = " ".join(_texts(report, "warnings"))
        assert "metformin with eGFR below 30" in warnings
        assert "ACE inhibitor or ARB with potassium above 5.5" in warnings
        assert "rising over the last 3 results" in " ".join(_texts(report, "abnormal"))
        diff = _texts(report, "differential")
        assert diff[0].startswith("consider hypoglycaemia")
        assert any("not a probability" in t for t in diff)
        assert any(t.startswith("triage engine (complaint text only)") for t in diff)  # issue 5's engine

    def test_scores_from_the_record_name_their_entries(self, db: Database) -> None:
        with db.session() as s:
            pid = build_case(s)
            report = analyse(s, pid)
        scores = next(st for st in report.steps if st.key == "scores")
        ckd = next(x for x in scores.statements if x.text.startswith("ckd epi 2021"))
        assert any(e.kind == "event" for e in ckd.evidence) and any(
            e.kind == "calculator" for e in ckd.evidence
        )
        assert any(x.text.startswith("cha2ds2 vasc") for x in scores.statements)  # AF is recorded

    def test_read_is_audited_and_fast(self, db: Database) -> None:
        with db.session() as s:
            pid = build_case(s)
        started = time.perf_counter()
        with db.session() as s:
            analyse(s, pid, "chest pain", actor=Actor(None, "dr-test", "clinician"))
        assert time.perf_counter() - started < 2.0
        with db.session() as s:
            rows = query(s, patient_id=pid)
        assert any(r.resource == "case_analysis" for r in rows)


class TestKnowledgeFiles:
    def test_every_entry_has_a_source(self) -> None:
        assert critical_values()["source"] and presentations()["source"]
        for section in ("drug_lab", "drug_condition", "monitoring"):
            for entry in cautions()[section]:
                assert entry["source"], entry

    @pytest.mark.parametrize("complaint", ["unconscious", "chest pain", "dyspnea", "fever"])
    def test_complaints_have_candidates(self, complaint: str) -> None:
        assert presentations()["complaints"][complaint]["candidates"]


class TestDemoPatient:
    def test_busiest_demo_patient_within_two_seconds(self, tmp_path) -> None:  # type: ignore[no-untyped-def]
        from sqlalchemy import func, select

        from medtrio.demo.build import build_demo
        from medtrio.store import open_database
        from medtrio.store.schema import Event
        from medtrio.trajectory.registry import active_model, train_and_register

        db = open_database(f"sqlite:///{tmp_path / 'demo.sqlite'}")
        build_demo(db, 40, 1)
        train_and_register(db, tmp_path, "tiny", max_steps=20)  # the installation's active model
        model = active_model(tmp_path)
        with db.session() as s:
            pid = s.execute(
                select(Event.patient_id).group_by(Event.patient_id).order_by(func.count().desc()).limit(1)
            ).scalar_one()
        with db.session() as s:
            started = time.perf_counter()
            report = analyse(s, pid, "chest pain", trajectory=model)
            elapsed = time.perf_counter() - started
            without = analyse(s, pid, "chest pain")
            # a version with a held-out report (written by training on >= 100 patients) cites its AUC
            held_out = {"mean_auc": 0.61, "baseline_age_sex_mean_auc": 0.52, "n_patients": 18}
            (model.path / "eval.json").write_text(json.dumps(held_out))
            cited = analyse(s, pid, "chest pain", trajectory=model)
        db.dispose()
        assert elapsed < 2.0
        assert all(step.statements and all(x.evidence for x in step.statements) for step in report.steps)
        # step 6 forecasts with the model: worded as an estimate, citing the model and the driving entries
        risks = [x for x in report.steps[5].statements if x.text.startswith("estimated 5-year risk of")]
        assert risks and all("not a diagnosis" in x.text for x in risks)
        assert all(any(e.ref == "trajectory model v001" for e in x.evidence) for x in risks)
        assert any(e.kind == "event" for x in risks for e in x.evidence)
        assert "no trajectory model is active" in without.steps[5].statements[0].text
        details = {e.detail for x in cited.steps[5].statements for e in x.evidence if e.kind == "rule"}
        assert any("held-out mean AUC 0.61 vs age-sex baseline 0.52 (18 patients)" in d for d in details)


class TestCaseCli:
    def test_case_command_json_and_pdf(self, tmp_path) -> None:  # type: ignore[no-untyped-def]
        import json

        from typer.testing import CliRunner

        from medtrio.cli import app
        from medtrio.store import open_database

        url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
        db = open_database(url)
        with db.session() as s:
            pid = build_case(s)
        db.dispose()
        pdf = tmp_path / "case.pdf"
        out = CliRunner().invoke(
            app, ["case", str(pid), "--complaint", "unconscious", "--url", url, "--json", "--pdf", str(pdf)]
        )
        assert out.exit_code == 0, out.output
        assert len(json.loads(out.output)["steps"]) == 8
        assert pdf.read_bytes().startswith(b"%PDF")
