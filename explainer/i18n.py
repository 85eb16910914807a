"""The language of everything a person reads: English (the default) or Chinese.

Strings are looked up in gettext catalogues (explainer/locale/<lang>/LC_MESSAGES/explainer.mo),
managed with Babel (babel.cfg; `make messages` extracts, updates and compiles them).

Wrap a sentence as `_("…")`, a sentence with values as `_("… {name} …").format(name=…)` (the
placeholder stays in the Chinese text, so numbers and formulas never change), a module-level
constant as `N_("…")` (marked for extraction; translate it with `_()` where it is shown).

Which language: `--lang zh|en` on any command, else EXPLAINER_LANG, else the locale (LC_ALL,
LC_MESSAGES, LANG, LANGUAGE: zh_CN.UTF-8 means Chinese), else English.
"""
from __future__ import annotations

import contextlib
import contextvars
import gettext as gettext_module
import os
from functools import lru_cache
from pathlib import Path

DOMAIN = "explainer"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "zh")
DEFAULT = "en"
# What a Chinese label or page asks for: Noto (Debian's fonts-noto-cjk), then what Windows and
# macOS have, so an SVG opened on another machine falls back to a CJK font, never to tofu boxes.
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
             "WenQuanYi Micro Hei")

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("explainer_lang", default=None)


def normalize(name: str | None) -> str | None:
    """'zh', 'zh_CN.UTF-8', 'zh-Hans' -> 'zh'; 'en_US' -> 'en'; 'C', '' or None -> None."""
    if not name:
        return None
    base = name.strip().replace("-", "_").split(".")[0].split("@")[0].split("_")[0].lower()
    return base if base in LANGUAGES else None


def choose(name: str) -> str:
    """A language a user asked for by name; anything else is one sentence (in English: the
    language the user wanted is the one we cannot give)."""
    from .errors import ExplainerError

    lang = normalize(name)
    if lang is None or name.strip().lower() not in (lang, *_aliases(lang)):
        raise ExplainerError(f"unknown language {name!r}: choose one of {', '.join(LANGUAGES)}")
    return lang


def _aliases(lang: str) -> tuple[str, ...]:
    return {"zh": ("zh_cn", "zh-cn", "zh_hans", "zh-hans", "chinese", "中文"),
            "en": ("en_us", "en-us", "en_gb", "en-gb", "english")}.get(lang, ())


def from_environment(environ=None) -> str:
    """EXPLAINER_LANG, then the locale variables, then English."""
    environ = os.environ if environ is None else environ
    chosen = environ.get("EXPLAINER_LANG", "").strip()
    if chosen:
        return choose(chosen)
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "")
        if value:  # the first one set decides, as in POSIX
            return normalize(value) or DEFAULT
    for value in environ.get("LANGUAGE", "").split(":"):
        if normalize(value):
            return normalize(value)
    return DEFAULT


def from_argv(argv: list[str]) -> str | None:
    """The value of `--lang X` or `--lang=X` on a command line (before `--`), else None."""
    for i, word in enumerate(argv):
        if word == "--":
            break
        if word == "--lang" and i + 1 < len(argv):
            return choose(argv[i + 1])
        if word.startswith("--lang="):
            return choose(word.split("=", 1)[1])
    return None


def language() -> str:
    """The language in force: what `use()` set, else the environment's (English when EXPLAINER_LANG
    names a language we do not have: the CLI says so, a library call just carries on)."""
    chosen = _current.get()
    if chosen:
        return chosen
    try:
        return from_environment()
    except Exception:   # ExplainerError: reported by the CLI, which calls from_environment() itself
        return DEFAULT


def use(lang: str) -> str:
    """Set the language for the rest of this context (the CLI calls it once); returns it."""
    lang = choose(lang)
    _current.set(lang)
    return lang


@contextlib.contextmanager
def using(lang: str):
    """`with using("zh"): …` — the language for a block (tests, the docs build)."""
    token = _current.set(choose(lang))
    try:
        yield
    finally:
        _current.reset(token)


@lru_cache(maxsize=None)
def translations(lang: str) -> gettext_module.NullTranslations:
    if lang == DEFAULT:
        return gettext_module.NullTranslations()
    return gettext_module.translation(DOMAIN, str(LOCALE_DIR), languages=[lang], fallback=True)


def _(message: str) -> str:
    """`message` in the language in force (the English text when it has no translation)."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural sentence for `n`, translated (Chinese has one form)."""
    return translations(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark `message` for the catalogue without translating it now (module-level constants)."""
    return message


def font_family(css: bool = False) -> str:
    """The font list for pictures and pages: Latin text keeps its font, Chinese falls back to
    a CJK one. For graphviz (`css=False`) a comma list it writes into the SVG as is."""
    fonts = ("Helvetica", "Arial", "DejaVu Sans", *CJK_FONTS)
    if css:
        return ", ".join(f'"{f}"' if " " in f else f for f in fonts) + ", sans-serif"
    return ",".join(fonts)


gettext = _  # the same lookup, for modules where `_` is a throwaway variable
