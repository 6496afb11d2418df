"""What the declarations add up to, for the doors and their generators: every command once
(caption, help, options merged over the schemes that have it), the clash check run when
``SCHEMES`` is built, and a JSON-able description of every scheme and action.

Reads only the declarations (base.py ``Scheme`` / ``Action`` / ``Param``): nothing here
imports pandas or a scheme's computing code.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..core.problems import CHECK_SHEET
from .base import Action, Param, Scheme

#: a command is also a VBA Sub, a JavaScript id and a Python function name: keep it plain
COMMAND_NAME = re.compile(r"[a-z][a-z0-9]{0,23}\Z")


class DeclarationError(ValueError):
    """Two declarations that cannot both hold (a clash between schemes, a malformed name)."""


@dataclass(frozen=True)
class Command:
    """One `jifen` command / one button, over every scheme that has it (``check``: all)."""

    name: str
    button: str
    help: str
    description: str
    examples: tuple[str, ...]
    params: tuple[Param, ...]
    actions: tuple[Action, ...]       # in SCHEMES order

    @property
    def schemes(self) -> tuple[str, ...]:
        return tuple(a.scheme for a in self.actions)


def commands(schemes: Sequence[Scheme]) -> list[Command]:
    """Every command once, in SCHEMES order (first declaration gives caption and words;
    options are the union, by name, of the schemes' options)."""
    grouped: dict[str, list[Action]] = {}
    for s in schemes:
        for a in s.actions:
            grouped.setdefault(a.name, []).append(a)
    out = []
    for name, actions in grouped.items():
        first = actions[0]
        params: dict[str, Param] = {}
        examples: list[str] = []
        for a in actions:
            for p in a.params:
                params.setdefault(p.name, p)
            examples += [e for e in a.examples if e not in examples]
        out.append(Command(name, first.button, first.help or first.button, first.description or first.help,
                           tuple(examples), tuple(params.values()), tuple(actions)))
    return out


def toolbar_caption(command: Command, schemes: Sequence[Scheme]) -> str:
    """The caption of a command on a toolbar that shows every scheme's buttons at once (the
    LibreOffice 积分 toolbar): the declared caption, with the scheme's label added when another
    scheme's command has the same caption (``计算积分（志愿服务积分）``)."""
    if any(c.button == command.button and c.name != command.name for c in commands(schemes)):
        labels = {s.name: s.label for s in schemes}
        return f"{command.button}（{'、'.join(labels[name] for name in command.schemes)}）"
    return command.button


def sub_name(command: str) -> str:
    """The VBA Sub of a command's button in the .xlsm templates (``week`` → ``JifenWeek``)."""
    return "Jifen" + command.capitalize()


def control_id(command: str) -> str:
    """The WPS ribbon control id of a command's button (``week`` → ``btnWeek``)."""
    return "btn" + command.capitalize()


def script_function(command: str) -> str:
    """The LibreOffice extension's button function of a command (``week`` → ``jifen_week``)."""
    return "jifen_" + command


def setting_params(scheme: Scheme) -> list[Param]:
    """The scheme's options once each, in the order its actions declare them (the labelled
    cells of its .xlsm template's 设置)."""
    seen: dict[str, Param] = {}
    for a in scheme.actions:
        for p in a.params:
            seen.setdefault(p.name, p)
    return list(seen.values())


def all_params(schemes: Sequence[Scheme]) -> dict[str, Param]:
    """Every option by name (one meaning per name: the clash check sees to it)."""
    return {p.name: p for c in commands(schemes) for p in c.params}


# ------------------------------------------------------------------------------ the clash check

def _overlap(a: str, b: str) -> bool:
    """Do two output names ("月报" or a "公示-*" pattern) name a common sheet?"""
    pa, pb = a.endswith("*"), b.endswith("*")
    a, b = a.rstrip("*"), b.rstrip("*")
    if pa and pb:
        return a.startswith(b) or b.startswith(a)
    if pa:
        return b.startswith(a)
    if pb:
        return a.startswith(b)
    return a == b


def check(schemes: Sequence[Scheme]) -> None:
    """Raise ``DeclarationError`` when declarations clash: a caption used for two commands of
    one scheme or a command with two captions, one option name with two meanings, an output
    sheet that identifies a scheme or is the shared 校验, repeated scheme names, template
    kinds or files.

    Allowed across schemes, because every door scopes them by the workbook's scheme: one
    caption for two commands (the WPS ribbon shows each scheme's buttons in its own group,
    the LibreOffice toolbar adds the scheme's label: ``toolbar_caption``; a workbook's buttons,
    the page and the .xlsm show only their scheme's) and one output sheet name written by two
    schemes (outputs live in their own workbook; print runs the workbook's scheme's writer)."""
    problems: list[str] = []
    for field in ("name", "template_kind", "template_file", "xlsm_file", "label"):
        seen: dict[str, str] = {}
        for s in schemes:
            value = getattr(s, field)
            if value in seen:
                problems.append(f"schemes {seen[value]!r} and {s.name!r} share {field} {value!r}")
            seen[value] = s.name
    caption_of: dict[str, tuple[str, str]] = {}
    command_of: dict[tuple[str, str], tuple[str, str]] = {}     # (scheme, caption) -> (command, where)
    param_of: dict[str, tuple[Param, str]] = {}
    writers: list[tuple[str, str, str]] = []        # (pattern, scheme, command)
    for s in schemes:
        names = [a.name for a in s.actions]
        for name in {n for n in names if names.count(n) > 1}:
            problems.append(f"scheme {s.name!r} declares command {name!r} twice")
        for a in s.actions:
            where = f"{s.name}.{a.name}"
            if a.scheme != s.name:
                problems.append(f"action {where} says scheme {a.scheme!r}")
            if not COMMAND_NAME.match(a.name):
                problems.append(f"command {a.name!r} ({s.name}) is not lower-case ASCII letters/digits")
            if a.name in caption_of and caption_of[a.name][0] != a.button:
                problems.append(f"command {a.name!r} has caption {caption_of[a.name][0]!r} "
                                f"({caption_of[a.name][1]}) and {a.button!r} ({where})")
            mine = command_of.get((s.name, a.button))
            if mine and mine[0] != a.name:
                problems.append(f"caption {a.button!r} is the button of {mine[0]!r} ({mine[1]}) "
                                f"and of {a.name!r} ({where})")
            caption_of.setdefault(a.name, (a.button, where))
            command_of.setdefault((s.name, a.button), (a.name, where))
            for p in a.params:
                other = param_of.get(p.name)
                if other and (other[0].kind, other[0].label) != (p.kind, p.label):
                    problems.append(f"option --{p.name} is {other[0].kind}/{other[0].label} ({other[1]}) "
                                    f"and {p.kind}/{p.label} ({where})")
                param_of.setdefault(p.name, (p, where))
            writers += [(w, s.name, a.name) for w in a.writes]
    labels: dict[str, str] = {}
    for name, (p, _) in param_of.items():
        if p.label in labels and labels[p.label] != name:
            problems.append(f"设置 label {p.label!r} names options --{labels[p.label]} and --{name}")
        labels.setdefault(p.label, name)
    identifying = [(n, s.name) for s in schemes for n in s.identify]
    for w, scheme, command in writers:
        if _overlap(w, CHECK_SHEET):
            problems.append(f"{scheme}.{command} writes {w!r}, the name of the shared check sheet")
        for name, owner in identifying:
            if _overlap(w, name):
                problems.append(f"{scheme}.{command} writes {w!r}, a sheet that identifies the {owner} scheme")
    for s in schemes:
        if not s.identify or set(s.shared) - set(s.identify):
            problems.append(f"scheme {s.name!r}: identify must list its sheets, shared only some of them")
    if problems:
        raise DeclarationError("the scheme declarations clash:\n  " + "\n  ".join(problems))


# ------------------------------------------------------------------------------ as data

def _param(p: Param) -> dict:
    return {"name": p.name, "kind": p.kind, "label": p.label, "help": p.help, "metavar": p.shown_as()}


def catalog(schemes: Sequence[Scheme]) -> dict:
    """Every scheme and command as JSON-able data (captions, help, options, detection): what a
    page or an add-in needs to draw the buttons. Input sheets are not here: reading them
    imports the scheme's model (see ``action_sheets``)."""
    return {
        "schemes": [{"name": s.name, "label": s.label, "template_kind": s.template_kind,
                     "description": s.description, "identify": list(s.identify), "shared": list(s.shared),
                     "commands": [a.name for a in s.actions]} for s in schemes],
        "commands": [{"command": c.name, "button": c.button, "help": c.help, "description": c.description,
                      "examples": list(c.examples), "schemes": list(c.schemes),
                      "options": [_param(p) for p in c.params]} for c in commands(schemes)],
    }


def detection(schemes: Sequence[Scheme]) -> list[dict]:
    """The detection table (app.detect_scheme's data) in SCHEMES order, for the WPS add-in."""
    return [{"scheme": s.name, "identify": list(s.identify), "shared": list(s.shared)} for s in schemes]


def detect(schemes: Sequence[Scheme], sheet_names) -> str | None:
    """The scheme whose identifying sheets the workbook has: most distinctive sheets first,
    then most shared ones, then SCHEMES order; None when no scheme has any."""
    names = set(sheet_names)
    best, best_score = None, (0, 0)
    for s in schemes:
        score = s.detect_score(names)
        if score > best_score:
            best, best_score = s.name, score
    return best
