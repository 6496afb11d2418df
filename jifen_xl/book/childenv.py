"""The environment of every program we start that is not our own Python (LibreOffice, its
Python, the UNO installer).

LibreOffice embeds a Python of its own. Started from a shell where a virtual environment is
active, it inherits ``PATH`` (the venv's ``bin`` first), ``VIRTUAL_ENV`` and maybe
``PYTHONHOME``/``PYTHONPATH``; its embedded Python then finds the venv's ``python3`` on PATH,
reads its ``pyvenv.cfg`` and loads another Python's standard library, and the extension
manager fails (or Calc crashes on loading our extension). So the child gets the parent's
environment without any ``PYTHON*`` variable, without ``VIRTUAL_ENV``, and with a PATH from
which every virtual environment's ``bin``/``Scripts`` folder is removed.

Standard library only: the test helpers run it under LibreOffice's Python too.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping

#: Variables that point a Python at another installation or change how it starts.
DROPPED = ("VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT", "__PYVENV_LAUNCHER__", "CONDA_PREFIX",
           "CONDA_DEFAULT_ENV", "CONDA_PYTHON_EXE")


def _is_venv_bin(entry: str, venv: str | None) -> bool:
    """Is this PATH entry inside a virtual environment (the active one, ours, or any folder
    whose parent holds a ``pyvenv.cfg``)?"""
    norm = os.path.normcase(os.path.normpath(entry))
    if venv and os.path.normcase(os.path.normpath(venv)) in norm:
        return True
    if sys.prefix != sys.base_prefix and norm.startswith(os.path.normcase(os.path.normpath(sys.prefix))):
        return True
    try:
        return os.path.isfile(os.path.join(os.path.dirname(os.path.normpath(entry)), "pyvenv.cfg"))
    except (OSError, ValueError):
        return False


def clean_env(extra: Mapping[str, str] | None = None,
              environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """A copy of ``environ`` (default: this process's) fit for starting LibreOffice or its
    Python, with ``extra`` set on top."""
    environ = os.environ if environ is None else environ
    venv = environ.get("VIRTUAL_ENV")
    env = {k: v for k, v in environ.items()
           if not k.upper().startswith("PYTHON") and k.upper() not in DROPPED}
    for key in [k for k in env if k.upper() == "PATH"]:     # "Path" on Windows
        kept = [e for e in env[key].split(os.pathsep) if e and not _is_venv_bin(e, venv)]
        env[key] = os.pathsep.join(kept)
    env.update(extra or {})
    return env
