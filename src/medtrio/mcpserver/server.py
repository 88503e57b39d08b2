"""The MCP server (the `mcp` SDK's MCPServer): one tool per engine function in `tools.py`.

Engines that are not part of this build (an optional package missing) are left out of the tool list and
logged, rather than offered and failing. Run it with `medtrio mcp serve` (stdio, for desktop LLM clients)
or `medtrio mcp serve --http` (streamable HTTP on 127.0.0.1).
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from typing import Any

from mcp.server.mcpserver import MCPServer

from medtrio.errors import MedtrioError
from medtrio.mcpserver import tools

log = logging.getLogger(__name__)

INSTRUCTIONS = (
    "Medtrio clinical engines. Results support, never replace, clinical judgement: every statement "
    "carries its source; lab flags and calculator results are not diagnoses."
)


def _safe(fn):
    """Turn domain errors into a readable tool error instead of a crash."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            return fn(*args, **kwargs)
        except MedtrioError as exc:
            return {"error": exc.message, "status": exc.status_code}

    return wrapper


def build_server() -> MCPServer:
    server = MCPServer(name="medtrio", instructions=INSTRUCTIONS)

    @server.tool()
    @_safe
    def literature_search(
        question: str, k: int = 5, year_min: int | None = None, year_max: int | None = None
    ) -> dict[str, Any]:
        """Search the indexed medical literature; passages come with PMID, year and evidence level."""
        return tools.literature_search(question, k, year_min, year_max)

    @server.tool()
    @_safe
    def literature_answer(question: str) -> dict[str, Any]:
        """Extractive, cited evidence summary for a clinical question (sentences copied from sources)."""
        return tools.literature_answer(question)

    if importlib.util.find_spec("medtrio.calculators") is not None:

        @server.tool()
        @_safe
        def calculator_list() -> dict[str, Any]:
            """The clinical calculators available and their inputs."""
            return tools.calculator_list()

        @server.tool()
        @_safe
        def calculate(name: str, inputs: dict[str, Any]) -> dict[str, Any]:
            """Run a clinical calculator; inputs carry units, e.g. {"creatinine": [1.2, "mg/dL"]}."""
            return tools.calculate(name, inputs)
    else:
        log.warning("calculators engine not installed: its MCP tools are not offered")

    if importlib.util.find_spec("medtrio.labs.flags") is not None:

        @server.tool()
        @_safe
        def lab_interpretation(
            analyte: str,
            value: str,
            unit: str | None = None,
            sex: str | None = None,
            age: float | None = None,
            reference_range: str | None = None,
        ) -> dict[str, Any]:
            """Flag a lab result as high/low/normal/critical against the printed or catalog range."""
            return tools.lab_interpretation(analyte, value, unit, sex, age, reference_range)
    else:
        log.warning("labs engine not installed: its MCP tool is not offered")

    if importlib.util.find_spec("medtrio.triage.assess") is not None:

        @server.tool()
        @_safe
        def triage_assessment(
            text: str, age: float | None = None, sex: str | None = None, lang: str | None = None
        ) -> dict[str, Any]:
            """Triage a symptom description: urgency, red flags, ranked differential (not a diagnosis)."""
            return tools.triage_assessment(text, age, sex, lang)
    else:
        log.warning("triage engine not installed: its MCP tool is not offered")

    @server.tool()
    @_safe
    def patient_summary(patient_id: int, token: str) -> dict[str, Any]:
        """Recent record entries of one patient; needs the administrator's token; every call is audited."""
        return tools.patient_summary(patient_id, token)

    return server
