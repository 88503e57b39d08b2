"""UI translations: every string the templates and routes mark for translation has a Chinese entry,
both catalogues compile, and the language is chosen in the documented order."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from medtrio.web import i18n

SRC = Path(i18n.__file__).resolve().parents[1]


def _used_msgids() -> set[str]:
    method_map = [("web/templates/**.html", "jinja2"), ("api/**.py", "python"), ("web/**.py", "python")]
    options = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    ids = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(SRC), method_map, options, keywords={"_": None, "gettext_": None}
    ):
        if isinstance(message, str) and message:
            ids.add(message)
    return ids


def _catalogue(folder: str) -> dict[str, str]:
    with (i18n.LOCALE_DIR / folder / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


def test_every_ui_string_has_a_chinese_translation() -> None:
    used = _used_msgids()
    assert len(used) > 80  # the extractor really saw the templates
    zh, en = _catalogue("zh_CN"), _catalogue("en")
    assert sorted(used - {k for k, v in zh.items() if v}) == []
    assert sorted(used - set(en)) == []


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
