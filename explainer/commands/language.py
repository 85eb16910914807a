"""`--lang zh|en` on every command, and the CLI's help in the language chosen.

The commands' docstrings and option help are written in English in their modules; here, once the
typer app is turned into a click command, every command gets a `--lang` option and every help
text is looked up in the catalogue. `extract_cli` is the Babel extractor (babel.cfg) that puts
those texts into the catalogue, so nothing in the command modules has to change for it.
"""
from __future__ import annotations

import inspect

import typer

from explainer import i18n
from explainer.i18n import N_, _

LANG_HELP = N_("Language of everything shown: en or zh (default: EXPLAINER_LANG, then the locale, then en).")


def _set_language(value: str | None):
    if value is not None:
        i18n.use(value)
    return value


def lang_option():
    """A `--lang` option as typer builds it (typer carries its own click), read off a probe command."""
    probe = typer.Typer(add_completion=False)

    @probe.command()
    def command(lang: str = typer.Option(None, "--lang", metavar="en|zh", is_eager=True,
                                         callback=_set_language, help=_(LANG_HELP))):
        pass

    (param,) = [p for p in typer.main.get_command(probe).params if p.name == "lang"]
    param.expose_value = False  # the commands' functions never see it
    return param


def commands(group):
    """The group itself and every command under it (depth first, iteratively)."""
    todo = [group]
    while todo:
        command = todo.pop()
        yield command
        todo.extend(getattr(command, "commands", {}).values())


def help_texts(group):
    """Every help text a person can read in `--help`: (text) in English, as written."""
    for command in commands(group):
        for text in (command.help, command.short_help, command.epilog):
            if text:
                yield inspect.cleandoc(text)
        for param in command.params:
            if getattr(param, "help", None):
                yield param.help


# typer's own headings and notes in `--help` (module constants of typer.rich_utils, read when help is drawn)
RICH_WORDS = {"ARGUMENTS_PANEL_TITLE": N_("Arguments"), "OPTIONS_PANEL_TITLE": N_("Options"),
              "COMMANDS_PANEL_TITLE": N_("Commands"), "ERRORS_PANEL_TITLE": N_("Error"),
              "REQUIRED_LONG_STRING": N_("[required]"), "DEFAULT_STRING": N_("[default: {}]"),
              "ABORTED_TEXT": N_("Aborted."), "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help.")}


def localize(group):
    """Add `--lang` to every command and translate its help and click's errors into the language in force."""
    from typer import rich_utils

    from explainer.commands import usage_errors

    usage_errors.install(group)
    for name, text in RICH_WORDS.items():
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, _(text))
    for command in commands(group):
        if command.help:
            command.help = _(inspect.cleandoc(command.help))
        if command.short_help:
            command.short_help = _(command.short_help)
        for param in command.params:
            if getattr(param, "help", None):
                param.help = _(param.help)
        if not any(p.name == "lang" for p in command.params):
            command.params.append(lang_option())
        command.get_help_option = _translated_help_option(command.get_help_option)
    return group


HELP_OPTION = N_("Show this message and exit.")


def _translated_help_option(make):
    """click builds `--help` on demand, with its English help text: translate it as it is built."""
    def get_help_option(ctx):
        option = make(ctx)
        if option is not None:
            option.help = _(HELP_OPTION)
        return option

    return get_help_option


def extract_cli(fileobj, keywords, comment_tags, options):
    """Babel extraction method for cli.py: the help texts of the typer app and the training
    examples' descriptions (written as data in explainer/examples/registry.py)."""
    import typer
    from babel.messages.extract import extract_python

    import cli
    from explainer.examples.registry import EXAMPLES

    yield from extract_python(fileobj, keywords, comment_tags, options)  # its own _() calls
    seen = set()
    for text in help_texts(typer.main.get_command(cli.app)):
        if text not in seen:
            seen.add(text)
            yield 1, "_", text, ["help text of a command or option"]
    for example in EXAMPLES.values():  # `explainer examples` and `train` show these
        for text in (example.summary, example.expects, example.reported):
            if text and text not in seen:
                seen.add(text)
                yield 1, "_", text, ["a training example's summary, expectation or tutorial figure"]
