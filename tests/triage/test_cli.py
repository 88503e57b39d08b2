"""CLI contracts: `medtrio triage assess`, `medtrio eval vignettes`, `medtrio eval ddxplus`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from medtrio.cli import app

RUN = CliRunner()


def test_assess_json_contract():
    r = RUN.invoke(
        app,
        [
            "triage",
            "assess",
            "--text",
            "没有发烧，嗓子疼，流鼻涕",
            "--age",
            "30",
            "--sex",
            "F",
            "--lang",
            "zh",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert {"urgency", "differential", "department", "red_flags"} <= set(out)
    assert {"name", "icd10", "probability"} <= set(out["differential"][0])
    assert out["urgency"] != "emergency"


def test_assess_rejects_bad_input():
    r = RUN.invoke(app, ["triage", "assess", "--text", "  ", "--json"])
    assert r.exit_code == 2 and "empty" in r.output
    r = RUN.invoke(app, ["triage", "assess", "--text", "cough", "--sex", "X"])
    assert r.exit_code == 2


def test_vignettes_json_contract(tmp_path):
    f = tmp_path / "v.jsonl"
    f.write_text(
        '{"id": "a", "text": "crushing chest pain and sweating", "age": 60}\n'
        '{"id": 7, "text": "mild cold, runny nose"}\n',
        encoding="utf-8",
    )
    r = RUN.invoke(app, ["eval", "vignettes", "--file", str(f), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert [o["id"] for o in out] == ["a", 7]
    assert out[0]["urgency"] == "emergency" and out[0]["red_flags"]
    assert out[1]["urgency"] != "emergency"


def test_vignettes_bad_line(tmp_path):
    f = tmp_path / "v.jsonl"
    f.write_text('{"id": "a"}\n', encoding="utf-8")
    r = RUN.invoke(app, ["eval", "vignettes", "--file", str(f), "--json"])
    assert r.exit_code == 2 and "line 1" in r.output


def test_ddxplus_contract_on_hand_made_files(tmp_path):
    # two invented patients in the DDXPlus release format (not taken from the data set)
    cond = {
        "Influenza": {"severity": 3, "symptoms": {"E_91": {}, "E_201": {}}, "antecedents": {}},
        "Pneumonia": {"severity": 3, "symptoms": {"E_91": {}, "E_77": {}}, "antecedents": {}},
    }
    evid = {"E_91": {}, "E_201": {}, "E_77": {}}
    (tmp_path / "c.json").write_text(json.dumps(cond))
    (tmp_path / "e.json").write_text(json.dumps(evid))
    (tmp_path / "p.csv").write_text(
        "AGE,DIFFERENTIAL_DIAGNOSIS,SEX,PATHOLOGY,EVIDENCES,INITIAL_EVIDENCE\n"
        "35,\"[['Influenza', 0.7], ['Pneumonia', 0.3]]\",F,Influenza,\"['E_91', 'E_201', 'E_144']\",E_91\n"
        "70,\"[['Pneumonia', 0.8], ['Influenza', 0.2]]\",M,Pneumonia,\"['E_91', 'E_77', 'E_66']\",E_77\n"
    )
    args = [
        "eval",
        "ddxplus",
        "--conditions",
        str(tmp_path / "c.json"),
        "--evidences",
        str(tmp_path / "e.json"),
        "--patients",
        str(tmp_path / "p.csv"),
        "--max-questions",
        "5",
        "--json",
    ]
    r = RUN.invoke(app, args)
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    for key in (
        "gtpa1",
        "gtpa3",
        "gtpa5",
        "ddr",
        "ddp",
        "ddf1",
        "mean_questions",
        "severe_recall",
        "evidence_coverage",
        "n",
    ):
        assert key in out
    assert out["n"] == 2 and out["mean_questions"] <= 5
    r = RUN.invoke(app, [*args, "--open-book"])
    assert r.exit_code == 0 and json.loads(r.output)["mode"] == "open_book_upper_bound"


def test_interactive_interview():
    answers = "\n".join(["I have a sore throat and a runny nose", "y", "back", *["n"] * 20]) + "\n"
    r = RUN.invoke(
        app, ["triage", "interview", "--age", "30", "--sex", "F", "--max-questions", "6"], input=answers
    )
    assert r.exit_code == 0, r.output
    assert "[1/6]" in r.output and "[6/6]" in r.output  # back undid one answer; six questions in the end
    assert "Possible causes (not a diagnosis)" in r.output
