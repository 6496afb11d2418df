"""Point xlwings at the installed Python (run by the offline bundle's 安装.bat, issue #19).

The workbook buttons run xlwings' ``RunPython``, which starts the interpreter named by
``INTERPRETER_WIN`` in xlwings' configuration: first the workbook's ``xlwings.conf``
sheet, then an ``xlwings.conf`` file beside the workbook, then the user file
``%USERPROFILE%\\.xlwings\\xlwings.conf`` (xlwings.bas ``GetConfig``). The installer writes
the user file, so buttons work without PATH and without the xlwings add-in.

That file belongs to the user: it is written only when it does not exist yet or when it
carries our marker line (we wrote it before). Any other file is left untouched and the
lines to add are printed instead. The format is what VBA's ``Write #`` produces and both
``GetConfigFromFile`` (VBA) and ``xlwings.utils.read_user_config`` read:
``"KEY","value"`` per line, CRLF, in the ANSI code page - so only ASCII is written.

Usage: ``python -m jifen_xl.winsetup --interpreter C:\\jifen\\venv\\Scripts\\pythonw.exe``
Exit codes: 0 written (or already right), 3 left alone (someone else's file), 2 bad input.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

MARKER_KEY = "JIFEN_XL_INSTALLER"
MARKER_VALUE = "written by the jifen-xl installer; delete this line to manage the file yourself"
INTERPRETER_KEY = "INTERPRETER_WIN"
WRITTEN, ALREADY, LEFT_ALONE = "written", "already", "left-alone"


def user_config_path(environ: dict[str, str] | None = None) -> Path:
    """``%USERPROFILE%\\.xlwings\\xlwings.conf`` as xlwings' VBA computes it."""
    environ = os.environ if environ is None else environ
    profile = environ.get("USERPROFILE") or str(Path.home())
    return Path(profile) / ".xlwings" / "xlwings.conf"


def parse(text: str) -> list[tuple[str, str]]:
    """``"KEY","value"`` lines as (key, value); other lines are kept out."""
    pairs = []
    for line in text.splitlines():
        values = re.findall(r'"([^"]*)"', line)
        if len(values) >= 2:
            pairs.append((values[0], values[1]))
    return pairs


def render(pairs: list[tuple[str, str]]) -> bytes:
    return "".join(f'"{key}","{value}"\r\n' for key, value in pairs).encode("ascii")


def configure(config: Path, interpreter: str) -> str:
    """Write ``INTERPRETER_WIN`` into ``config`` unless the file is someone else's.

    Returns WRITTEN, ALREADY (nothing to change) or LEFT_ALONE (exists without our marker).
    """
    if not interpreter.isascii() or '"' in interpreter:
        raise ValueError(f"interpreter path must be plain ASCII without quotes: {interpreter!r}")
    if config.exists():
        text = config.read_bytes().decode("ascii", errors="replace")
        pairs = parse(text)
        if not any(key.upper() == MARKER_KEY for key, _ in pairs):
            return LEFT_ALONE
        kept = [(k, v) for k, v in pairs if k.upper() not in (MARKER_KEY, INTERPRETER_KEY)]
    else:
        kept = []
    wanted = render([(MARKER_KEY, MARKER_VALUE), (INTERPRETER_KEY, interpreter), *kept])
    if config.exists() and config.read_bytes() == wanted:
        return ALREADY
    config.parent.mkdir(parents=True, exist_ok=True)
    temporary = config.with_name(config.name + ".jifen-tmp")
    temporary.write_bytes(wanted)
    os.replace(temporary, config)
    return WRITTEN


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jifen_xl.winsetup",
                                     description="把 Python 解释器路径写入 xlwings 的用户配置文件")
    parser.add_argument("--interpreter", required=True, help="pythonw.exe 的完整路径（只能是英文路径）")
    parser.add_argument("--config", type=Path, default=None, help="配置文件（默认 %%USERPROFILE%%\\.xlwings\\xlwings.conf）")
    args = parser.parse_args(argv)
    config = args.config or user_config_path()
    try:
        outcome = configure(config, args.interpreter)
    except ValueError:
        print(f"Python 路径“{args.interpreter}”含有中文或特殊字符，请把 Python 安装到英文路径（如 C:\\jifen）。",
              file=sys.stderr)
        return 2
    if outcome == LEFT_ALONE:
        print(f"已有 xlwings 配置文件 {config}，它不是本安装程序写的，所以没有改动。\n"
              f"如需让按钮使用刚安装的 Python，请用记事本打开它，加入（或修改为）这一行：\n"
              f'    "{INTERPRETER_KEY}","{args.interpreter}"')
        return 3
    print(f"xlwings 配置：{config} 中 {INTERPRETER_KEY} = {args.interpreter}"
          + ("（无需改动）" if outcome == ALREADY else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
