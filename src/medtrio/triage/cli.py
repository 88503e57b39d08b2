"""`medtrio triage ...` (assess a case, interactive interview) and `medtrio eval ddxplus|vignettes`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from medtrio.errors import InvalidInput


def _fail(exc: Exception) -> None:
    typer.echo(f"error: {getattr(exc, 'message', exc)}", err=True)
    raise typer.Exit(2)


def _print_assessment(a: dict) -> None:
    from rich.console import Console

    con = Console()
    colour = {
        "emergency": "bold white on red",
        "urgent": "bold black on yellow",
        "routine": "bold",
        "self_care": "bold green",
    }[a["urgency"]]
    con.print(f"[{colour}] {a['urgency'].upper()} [/] {a['advice']}")
    for rf in a["red_flags"]:
        con.print(f"  [red]red flag:[/] {rf['name']}")
    con.print(f"Department: {a['department_name']}")
    con.print("Possible causes (not a diagnosis):")
    for d in a["differential"][:5]:
        why = ", ".join(e["name"] for e in d["for"][:3])
        con.print(
            f"  {d['probability']:5.0%}  {d['name']} ({d['icd10']})" + (f" - because: {why}" if why else "")
        )
    for line in a["safety_net"]:
        con.print(f"[dim]{line}[/]")


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    triage_app = typer.Typer(help="Symptom check and triage (offline, no LLM).", no_args_is_help=True)
    app.add_typer(triage_app, name="triage")

    @triage_app.command("assess")
    def assess_cmd(
        text: str = typer.Option(..., "--text", help="the case in the patient's own words (EN or ZH)"),
        age: float = typer.Option(None, "--age", help="age in years"),
        sex: str = typer.Option(None, "--sex", help="F or M"),
        lang: str = typer.Option(None, "--lang", help="en or zh (default: detected from the text)"),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """Assess one free-text case: urgency, differential, department, red flags."""
        from medtrio.triage.assess import assess_text

        try:
            a = assess_text(text, age, sex.upper() if sex else None, lang).to_dict()
        except InvalidInput as exc:
            _fail(exc)
        if as_json:
            typer.echo(json.dumps(a, ensure_ascii=False, indent=2))
        else:
            _print_assessment(a)

    @triage_app.command("interview")
    def interview_cmd(
        age: float = typer.Option(None, "--age"),
        sex: str = typer.Option(None, "--sex"),
        lang: str = typer.Option("en", "--lang"),
        max_questions: int = typer.Option(15, "--max-questions"),
    ) -> None:
        """Interactive interview in the terminal: describe the problem, then answer y / n / ? / back."""
        from medtrio.triage.assess import assessment_from, check_inputs
        from medtrio.triage.interview import Interview
        from medtrio.triage.knowledge import load_knowledge
        from medtrio.triage.textparse import parse_text

        kb = load_knowledge()
        prompt = "请描述哪里不舒服" if lang == "zh" else "Describe what is wrong"
        text = typer.prompt(prompt)
        try:
            check_inputs(text, age, sex.upper() if sex else None, lang)
        except InvalidInput as exc:
            _fail(exc)
        parsed = parse_text(kb, text, lang)
        iv = Interview(
            kb,
            age=age if age is not None else parsed.age,
            sex=(sex or "").upper() or parsed.sex,
            lang=lang,
            max_questions=max_questions,
        )
        iv.add_given(parsed.findings)
        while (q := iv.next_question()) is not None:
            reply = typer.prompt(
                f"[{iv.questions_asked + 1}/{max_questions}] {q.question(lang)} (y/n/?/back)"
            )
            reply = reply.strip().lower()
            if reply in ("back", "b", "undo", "返回"):
                iv.undo()
                continue
            iv.answer(
                q.id,
                True
                if reply in ("y", "yes", "是", "有")
                else False
                if reply in ("n", "no", "否", "没有")
                else None,
            )
        a = assessment_from(kb, {**iv.given, **iv.answers}, iv.age, iv.sex, lang, parsed)
        _print_assessment(a.to_dict())

    eval_app = groups["eval"]

    @eval_app.command("ddxplus")
    def ddxplus_cmd(
        conditions: str = typer.Option(..., "--conditions", help="release_conditions.json"),
        evidences: str = typer.Option(..., "--evidences", help="release_evidences.json"),
        patients: str = typer.Option(..., "--patients", help="patients CSV"),
        max_questions: int = typer.Option(20, "--max-questions"),
        open_book: bool = typer.Option(
            False, "--open-book", help="upper bound using DDXPlus's own knowledge"
        ),
        limit: int = typer.Option(None, "--limit", help="only the first N patients"),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """Simulated interviews on DDXPlus patients: GTPA@k, DDR/DDP/DDF1, questions, severe recall."""
        from rich.progress import Progress

        from medtrio.triage.ddxplus import evaluate

        try:
            with Progress(transient=True, disable=as_json) as bar:
                task = bar.add_task("DDXPlus patients", total=limit)
                out = evaluate(
                    Path(conditions),
                    Path(evidences),
                    Path(patients),
                    max_questions,
                    open_book,
                    limit,
                    progress=lambda i: bar.update(task, completed=i),
                )
        except InvalidInput as exc:
            _fail(exc)
        if as_json:
            typer.echo(json.dumps(out, indent=2))
        else:
            for k, v in out.items():
                typer.echo(f"{k:20s} {v:.4f}" if isinstance(v, float) else f"{k:20s} {v}")

    @eval_app.command("vignettes")
    def vignettes_cmd(
        file_arg: str = typer.Option(..., "--file", help="JSONL: {id, text, age?, sex?} per line"),
        as_json: bool = typer.Option(False, "--json", help="print JSON"),
    ) -> None:
        """Assess every case of a vignette file (no interaction) and print one result per line."""
        from medtrio.triage.assess import assess_text
        from medtrio.triage.knowledge import load_knowledge

        kb = load_knowledge()
        file = Path(file_arg)
        if not file.is_file():
            _fail(InvalidInput(f"file not found: {file}"))
        results = []
        for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                case = json.loads(line)
                a = assess_text(case["text"], case.get("age"), case.get("sex"), case.get("lang"), kb=kb)
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                _fail(InvalidInput(f"{file.name} line {n}: expected JSON with a text field ({exc})"))
            except InvalidInput as exc:
                _fail(InvalidInput(f"{file.name} line {n}: {exc.message}"))
            results.append(a.to_dict(case.get("id")))
        if as_json:
            typer.echo(json.dumps(results, ensure_ascii=False, indent=1))
        else:
            for r in results:
                top = r["differential"][0]["name"] if r["differential"] else "-"
                typer.echo(f"{r['id']}\t{r['urgency']}\t{r['department']}\t{top}")
