"""UI translations: every string the templates and routes of every domain mark for translation (and
every value shown through `|t`) has a Chinese entry, both catalogues compile, and the language is
chosen in the documented order."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from medtrio.store.audit import ACTIONS
from medtrio.store.codes import CATEGORIES
from medtrio.web import i18n

SRC = Path(i18n.__file__).resolve().parents[1]


# the shell's own pages and code (counted apart so the test proves the extractor saw them)
SHELL = (
    "web/templates/base.html", "web/templates/login.html", "web/templates/error.html",
    "web/templates/timeline.html", "web/templates/_chart_tabs.html",
    "web/templates/admin/", "web/templates/clinic/", "web/templates/me/",
    "web/charts.py", "web/i18n.py", "api/timeline.py", "api/render.py", "api/nav.py", "api/deps.py",
    "api/app.py", "api/routes/admin.py", "api/routes/imports.py", "api/routes/audit.py",
    "api/routes/auth.py", "api/routes/clinic.py", "api/routes/me.py", "api/routes/patients.py",
)  # fmt: skip
# every domain's pages must have their templates seen by the extractor
DOMAIN_TEMPLATES = ("calculators", "labs", "literature", "trajectory")


def _used_msgids(shell: bool | None = None, under: str | None = None) -> set[str]:
    """Strings marked for translation: only the shell's (True), only other domains' (False), or all;
    `under` keeps only files below that folder (relative to the package)."""
    method_map = [("web/templates/**.html", "jinja2"), ("api/**.py", "python"), ("web/**.py", "python")]
    options = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    ids = set()
    for file, _line, message, _comments, _ctx in extract_from_dir(
        str(SRC), method_map, options, keywords={"_": None, "gettext_": None, "N_": None}
    ):
        path = file.replace("\\", "/")
        mine = path.startswith(SHELL)
        if under and not path.startswith(under):
            continue
        if isinstance(message, str) and message and (shell is None or mine == shell):
            ids.add(message)
    return ids


def _catalogue(folder: str) -> dict[str, str]:
    with (i18n.LOCALE_DIR / folder / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


def test_every_ui_string_has_a_chinese_translation() -> None:
    assert len(_used_msgids(shell=True)) > 80  # the extractor really saw the shell's templates
    for domain in DOMAIN_TEMPLATES:  # ... and each domain's
        assert len(_used_msgids(under=f"web/templates/{domain}/")) >= 5, domain
    used = _used_msgids()
    zh, en = _catalogue("zh_CN"), _catalogue("en")
    assert sorted(used - {k for k, v in zh.items() if v}) == []  # add it to zh_CN/messages.po
    assert sorted(used - set(en)) == []  # and the identity entry to en/messages.po


# values shown through `|t` (known only at run time): roles, categories, statuses, severities
RUNTIME = (
    "admin", "clinician", "patient", "queued", "running", "done", "failed", "requested",
    "info", "warning", "critical", "event", "rule", "source", "calculator",
    "model", "age-sex prior (no clinical history)",
    "Practice Guideline", "Meta-Analysis", "Systematic Review", "Randomized Controlled Trial",
    "printed", "catalog", "none", "lab's printed range",
)  # fmt: skip


def test_runtime_values_have_a_chinese_translation() -> None:
    zh, en = _catalogue("zh_CN"), _catalogue("en")
    values = set(RUNTIME) | set(CATEGORIES) | set(ACTIONS)
    assert sorted(v for v in values if not zh.get(v)) == []
    assert sorted(values - set(en)) == []


def test_chinese_entries_keep_their_placeholders() -> None:
    for msgid, msgstr in _catalogue("zh_CN").items():
        if msgstr:
            assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(re.findall(r"%\(\w+\)s", msgstr)), msgid


def test_catalogues_compile_and_translate() -> None:
    i18n.load_catalogues()
    assert i18n.translations("zh").gettext("Sign in") == "登录"
    assert i18n.translations("en").gettext("Sign in") == "Sign in"
    token = i18n.current_language.set("zh")
    try:
        assert i18n.gettext_("Timeline") == "时间线"
        assert i18n.gettext_("a string nobody translated") == "a string nobody translated"
    finally:
        i18n.current_language.reset(token)


def test_language_choice_order() -> None:
    assert i18n.pick_language("zh", "en", "en-US") == "zh"  # explicit switch (cookie) first
    assert i18n.pick_language(None, "zh", "en-US") == "zh"  # then the account's preference
    assert i18n.pick_language(None, None, "fr-FR,zh-CN;q=0.8") == "zh"  # then the browser
    assert i18n.pick_language("xx", None, None) == "en"
