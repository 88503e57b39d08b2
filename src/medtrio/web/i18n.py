"""UI translations through gettext, with catalogues kept as Babel `.po` files in `web/locale`.

At start-up each `.po` is compiled to `.mo` (written beside it when the package folder is writable;
the `.mo` files are git-ignored) and loaded. The current language is a context variable set per
request, so one Jinja2 environment serves every language.
"""

from __future__ import annotations

import gettext
import io
from contextvars import ContextVar
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = {"en": "English", "zh": "简体中文"}
_FOLDERS = {"en": "en", "zh": "zh_CN"}
DEFAULT = "en"

current_language: ContextVar[str] = ContextVar("medtrio_language", default=DEFAULT)
_catalogues: dict[str, gettext.NullTranslations] = {}


def compile_catalogue(lang: str) -> gettext.NullTranslations:
    """Compile `<lang>/LC_MESSAGES/messages.po` to `.mo` and load it."""
    po = LOCALE_DIR / _FOLDERS[lang] / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        catalogue = read_po(fh, locale=_FOLDERS[lang])
    buf = io.BytesIO()
    write_mo(buf, catalogue)
    data = buf.getvalue()
    try:
        po.with_suffix(".mo").write_bytes(data)
    except OSError:  # read-only install: the in-memory copy is enough
        pass
    return gettext.GNUTranslations(io.BytesIO(data))


def load_catalogues() -> None:
    for lang in LANGUAGES:
        _catalogues[lang] = compile_catalogue(lang)


def translations(lang: str | None = None) -> gettext.NullTranslations:
    if not _catalogues:
        load_catalogues()
    return _catalogues.get(lang or current_language.get(), _catalogues[DEFAULT])


def gettext_(message: str) -> str:
    return translations().gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    return translations().ngettext(singular, plural, n)


def pick_language(cookie: str | None, preference: str | None, accept: str | None) -> str:
    """Cookie (explicit switch) > account preference > browser Accept-Language > English."""
    for candidate in (cookie, preference):
        if candidate in LANGUAGES:
            return candidate  # type: ignore[return-value]
    for part in (accept or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return DEFAULT
