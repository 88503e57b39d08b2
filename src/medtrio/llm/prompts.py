"""Prompts as data: `prompts/<name>.yaml` holds `system`, `user` ($placeholders, string.Template syntax)
and the `refusal_marker` the model is told to use. Validated on load."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from string import Template

import yaml

from medtrio.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class Prompt:
    name: str
    version: int
    system: str
    user: str
    refusal_marker: str

    def messages(self, **values: str) -> list[dict[str, str]]:
        try:
            user = Template(self.user).substitute(values)
        except KeyError as exc:
            raise InvalidInput(f"prompt {self.name} needs a value for {exc}") from exc
        return [{"role": "system", "content": self.system.strip()}, {"role": "user", "content": user.strip()}]


@lru_cache(maxsize=16)
def load_prompt(name: str) -> Prompt:
    """The prompt `name` from the package's prompts folder."""
    path = resources.files("medtrio.llm").joinpath(f"prompts/{name}.yaml")
    if not path.is_file():
        raise NotFound(f"no prompt named {name!r}")
    raw = yaml.safe_load(path.read_text())
    missing = {"version", "name", "system", "user", "refusal_marker"} - set(raw or {})
    if missing:
        raise InvalidInput(f"prompt {name} lacks {sorted(missing)}")
    return Prompt(raw["name"], int(raw["version"]), raw["system"], raw["user"], raw["refusal_marker"])
