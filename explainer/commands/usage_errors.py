"""click's own words — an unknown option, a missing argument, a value of the wrong type, `Usage:` —
in the language in force.

typer draws these errors itself, from English f-strings (it carries its own copy of click, and
checks values with pydantic), so there is no catalogue to hook into: `install()` hands typer our
sentence instead, built from the error's kind and its option name, and translates the `Usage:`
prefix. English keeps click's wording untouched; a message we do not recognise keeps its English
detail inside the translated frame, never disappears.
"""
from __future__ import annotations

import functools
import re

from explainer import i18n
from explainer.i18n import N_, _

# click's and pydantic's English for a value of the wrong type -> what the option needs
VALUE_PROBLEMS = (
    (re.compile(r"valid integer|whole number|is not a valid int"), N_("{option} needs a whole number")),
    (re.compile(r"valid number|valid float|is not a valid float"), N_("{option} needs a number")),
    (re.compile(r"valid boolean|is not a valid bool"), N_("{option} needs true or false")),
    (re.compile(r"is not one of|Input should be '"), N_("{option} takes one of the listed values")),
    (re.compile(r"does not exist"), N_("{option} names a file or folder that does not exist")),
)

# click's English for a command line of the wrong shape (UsageError's message) -> our sentence
USAGE_PROBLEMS = (
    (re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((?P<words>.*)\)$"),
     N_("unexpected extra words on the command line: {words} (an expression with spaces needs quotes)")),
    (re.compile(r"No such command '(?P<name>.*)'\.?$"), N_("no such command '{name}'")),
    (re.compile(r"Missing command\.?$"), N_("a command is missing: render, explain, check, train, …")),
    (re.compile(r"Option '(?P<option>.*)' requires an argument\.?$"), N_("option {option} needs a value")),
    (re.compile(r"Option '(?P<option>.*)' requires \d+ arguments\.?$"), N_("option {option} needs more values")),
    (re.compile(r"Option '(?P<option>.*)' does not take a value\.?$"), N_("option {option} takes no value")),
)

KINDS = {"option": N_("option"), "argument": N_("argument"), "parameter": N_("parameter")}


def sentence(error) -> str:
    """The error as one sentence in the language in force (install() asks for it only in a language
    other than English; an English run keeps click's own words)."""
    kind = type(error).__name__
    message = str(getattr(error, "message", "") or "")
    if kind == "NoSuchOption":
        text = _("no such option: {option}").format(option=error.option_name)
        if getattr(error, "possibilities", None):
            text += _(" (did you mean {options}?)").format(options=", ".join(sorted(error.possibilities)))
        return text
    if kind == "MissingParameter":
        param_type = getattr(error, "param_type", None) or getattr(getattr(error, "param", None),
                                                                  "param_type_name", "parameter")
        return _("missing {kind} {name}").format(kind=_(KINDS.get(param_type, KINDS["parameter"])),
                                                 name=_hint(error))
    if kind in ("BadParameter", "BadOptionUsage") or hasattr(error, "param_hint"):
        for pattern, template in VALUE_PROBLEMS:
            if pattern.search(message):
                return _(template).format(option=_hint(error))
    for pattern, template in USAGE_PROBLEMS:
        match = pattern.search(message)
        if match:
            return _(template).format(**match.groupdict())
    if hasattr(error, "param_hint"):
        return _("invalid value for {option}: {detail}").format(option=_hint(error), detail=message)
    return type(error).format_message(error)  # click's own words: the instance's is this function


def _hint(error) -> str:
    """The option or argument as the user wrote it: --steps, not 'steps'."""
    hint = getattr(error, "param_hint", None)
    param = getattr(error, "param", None)
    if hint is None and param is not None:
        try:
            hint = param.get_error_hint()  # "'--steps'", or an argument's metavar "'EXAMPLE'"
        except TypeError:                  # click's own takes the context
            hint = param.get_error_hint(error.ctx)
    if hint is None:
        return getattr(error, "option_name", "") or ""
    return " / ".join(hint) if not isinstance(hint, str) else hint.replace("'", "")


def install(group) -> None:
    """typer shows `sentence(error)` and a translated `Usage:` (once installed, in whatever
    language is in force when an error is drawn: English keeps click's own words)."""
    from typer import rich_utils

    draw_error = rich_utils.rich_format_error
    if not getattr(draw_error, "translated", False):
        @functools.wraps(draw_error)
        def draw_translated(error):
            if i18n.language() != i18n.DEFAULT:
                error.format_message = functools.partial(sentence, error)
            draw_error(error)

        draw_translated.translated = True
        rich_utils.rich_format_error = draw_translated

    formatter = type(group.context_class(group).make_formatter())  # click's, whichever copy typer uses
    write_usage = formatter.write_usage
    if not getattr(write_usage, "translated", False):
        @functools.wraps(write_usage)
        def write_translated_usage(self, prog, args="", prefix=None):
            return write_usage(self, prog, args, _("Usage: ") if prefix is None else prefix)

        write_translated_usage.translated = True
        formatter.write_usage = write_translated_usage
