"""`make bundle-windows [BUNDLE=DIR]`: an offline install folder for a clerk's Windows PC (issue #19).

The folder holds everything `安装.bat` needs without internet:

    安装.bat, install.bat   the same installer (GBK text, CRLF): Python in C:\\jifen, a venv,
                            `pip install --no-index --find-links wheels`, xlwings' config
    wheels/                 jifen-xl's wheel and every dependency for the target, as
                            win_amd64 / cp311 / abi3 / pure-Python wheels
    模板/                   the templates (.xlsm with buttons, .xlsx for WPS/LibreOffice)
    python/                 python.org's python-3.11.x-amd64.exe, supplied by the builder
                            (`--python-installer`, `make bundle-windows PYTHON_INSTALLER=…`;
                            this script cannot fetch it) and checked against known hashes
    docs/                   the project's docs (the installer and 说明.txt point into them)
    说明.txt, manifest.json what is inside, sizes and SHA-256

pip evaluates environment markers for the machine it runs on, so a plain `pip download
--platform win_amd64` silently drops Windows-only dependencies (xlwings' pywin32, pandas'
tzdata). This script names pywin32 explicitly and then checks the closure itself: every
wheel's Requires-Dist is evaluated with a Windows environment and must be satisfied by a
wheel in the folder whose tags fit the target; anything missing is downloaded and checked
again. Finally `pip install --dry-run --no-index` resolves the folder for the target.

`--host` builds the same folder for the machine running the script (used to prove, on
Linux, that the folder installs into a fresh venv and runs `jifen demo`).

Usage: python windows/bundle.py --out DIR --python-installer python-3.11.9-amd64.exe
       [--python-installer-sha256 HEX] [--host] [--python-version 3.11] [--with-rollup]
       (or --no-python-installer: the folder then needs a 64-bit Python already on the PC)
Needs PyPI (or a configured index) for the downloads.
"""
from __future__ import annotations

import argparse
import email.parser
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

try:
    from packaging.markers import default_environment
    from packaging.requirements import Requirement
    from packaging.tags import Tag, compatible_tags, cpython_tags, sys_tags
    from packaging.utils import canonicalize_name, parse_wheel_filename
except ImportError:   # pip vendors packaging
    from pip._vendor.packaging.markers import default_environment  # type: ignore[no-redef]
    from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]
    from pip._vendor.packaging.tags import Tag, compatible_tags, cpython_tags, sys_tags  # type: ignore[no-redef]
    from pip._vendor.packaging.utils import canonicalize_name, parse_wheel_filename  # type: ignore[no-redef]

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
PLATFORM = "win_amd64"
#: Dependencies pip drops when it evaluates markers on the building machine.
WINDOWS_ONLY = ("pywin32",)
#: python.org's Windows installers (64-bit) this script knows. ``md5``: the checksum column of
#: the version's release page on python.org; ``sha256``: python.org's SBOM for the installer
#: (``<installer>.spdx.json`` beside it; for 3.11.9, whose release predates those SBOMs, the
#: value recorded alike by several independent projects that pin this installer); ``bytes``:
#: its size. 3.11.9 and 3.12.10 are the last releases of 3.11 and 3.12 with Windows
#: installers. Another version needs ``--python-installer-sha256`` from its own SBOM.
KNOWN_INSTALLERS = {
    "python-3.11.9-amd64.exe": {
        "bytes": 26216840, "md5": "e8dcd502e34932eebcaf1be056d5cbcd",
        "sha256": "5ee42c4eee1e6b4464bb23722f90b45303f79442df63083f05322f1785f5fdde"},
    "python-3.12.10-amd64.exe": {
        "bytes": 26964224, "md5": "5eddb0b6f12c852725de071ae681dde4",
        "sha256": "67b5635e80ea51072b87941312d00ec8927c4db9ba18938f7ad2d27b328b95fb"},
}
BUDGET_BYTES = 70 * 1000 * 1000          # issue #25: the whole folder, the installer included


def _digest(path: Path, name: str) -> str:
    h = hashlib.new(name)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_python_installer(path: Path, python_version: str, sha256: str | None = None) -> dict:
    """Refuse (SystemExit) an installer that is not python.org's 64-bit one for
    ``python_version`` with the known (or given) hashes; its facts when it is."""
    import re

    m = re.fullmatch(r"python-(\d+)\.(\d+)\.(\d+)-amd64\.exe", path.name)
    if m is None:
        raise SystemExit(f"{path.name}: expected python.org's 64-bit installer, named python-X.Y.Z-amd64.exe")
    if f"{m[1]}.{m[2]}" != python_version:
        raise SystemExit(f"{path.name} is Python {m[1]}.{m[2]}, the bundle is for {python_version}: "
                         f"pass --python-version {m[1]}.{m[2]} (or supply a {python_version}.x installer)")
    known = KNOWN_INSTALLERS.get(path.name, {})
    wanted = (sha256 or known.get("sha256") or "").lower()
    if not wanted:
        raise SystemExit(f"no known SHA-256 for {path.name}: pass --python-installer-sha256 with the value of "
                         f"python.org's {path.name}.spdx.json (or check its MD5 on the release page yourself)")
    got = _digest(path, "sha256")
    if got != wanted:
        raise SystemExit(f"{path.name}: SHA-256 {got} is not python.org's {wanted}; refusing to ship it")
    if known.get("md5") and _digest(path, "md5") != known["md5"]:
        raise SystemExit(f"{path.name}: MD5 differs from python.org's release page; refusing to ship it")
    return {"file": path.name, "bytes": path.stat().st_size, "sha256": got}


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def windows_environment(python_version: str) -> dict[str, str]:
    """PEP 508 marker values of 64-bit CPython ``python_version`` on Windows."""
    return {
        "os_name": "nt", "sys_platform": "win32", "platform_system": "Windows",
        "platform_machine": "AMD64", "platform_release": "10", "platform_version": "10.0.19045",
        "python_version": python_version, "python_full_version": f"{python_version}.9",
        "implementation_name": "cpython", "implementation_version": f"{python_version}.9",
        "platform_python_implementation": "CPython", "extra": "",
    }


def target_tags(python_version: str, platform: str) -> set[Tag]:
    major, minor = (int(p) for p in python_version.split("."))
    return set(cpython_tags((major, minor), platforms=[platform])) | set(
        compatible_tags((major, minor), interpreter=f"cp{major}{minor}", platforms=[platform]))


def wheel_metadata(path: Path) -> tuple[str, str, list[str]]:
    """(canonical name, version, Requires-Dist lines) of a wheel."""
    with zipfile.ZipFile(path) as wheel:
        meta = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        message = email.parser.Parser().parsestr(wheel.read(meta).decode("utf-8"))
    return canonicalize_name(message["Name"]), message["Version"], message.get_all("Requires-Dist") or []


def closure_problems(folder: Path, roots: list[str], environment: dict[str, str],
                     tags: set[Tag]) -> tuple[list[str], list[str]]:
    """Check that the wheels in ``folder`` install ``roots`` on the target environment.

    Returns (problems, missing requirement strings to download). Walks Requires-Dist from
    the roots with markers evaluated for the target, extras followed as requested.
    """
    wheels: dict[str, tuple[Path, str, list[str]]] = {}
    problems: list[str] = []
    for path in sorted(folder.glob("*.whl")):
        name, version, requires = wheel_metadata(path)
        if name in wheels:
            problems.append(f"two wheels for {name}: {wheels[name][0].name}, {path.name}")
        wheels[name] = (path, version, requires)
        if not set(parse_wheel_filename(path.name)[3]) & tags:
            problems.append(f"{path.name} does not fit the target")
    missing: list[str] = []
    seen: set[tuple[str, str]] = set()
    todo = [Requirement(r) for r in roots]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        for extra in sorted(req.extras) or [""]:
            if (name, extra) in seen:
                continue
            seen.add((name, extra))
            if name not in wheels:
                missing.append(str(req))
                continue
            path, version, requires = wheels[name]
            if req.specifier and not req.specifier.contains(version, prereleases=True):
                problems.append(f"{path.name} does not satisfy {req}")
            for line in requires:
                dep = Requirement(line)
                if dep.marker is None or dep.marker.evaluate({**environment, "extra": extra}):
                    todo.append(dep)
    return problems, sorted(set(missing))


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


def offline_env() -> dict[str, str]:
    """The environment of a PC that has only the bundle: no pip configuration, no PIP_* settings
    (a configured find-links or index would otherwise be searched too)."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def pip(*args: str) -> list[str]:
    return [sys.executable, "-m", "pip", *args, "--disable-pip-version-check"]


def target_args(host: bool, python_version: str) -> list[str]:
    if host:
        return []
    abi = "cp" + python_version.replace(".", "")
    return ["--platform", PLATFORM, "--python-version", python_version, "--implementation", "cp",
            "--abi", abi, "--only-binary=:all:"]


def project_version() -> str:
    import tomllib

    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def bat_text(version: str, python_version: str, pinned: list[str]) -> bytes:
    """The installer, GBK-encoded with CRLF line ends (cmd.exe on Chinese Windows)."""
    text = (HERE / "install.bat.in").read_text(encoding="utf-8")
    text = (text.replace("@VERSION@", version).replace("@PYVER@", python_version)
            .replace("@PYTUPLE@", python_version.replace(".", ", ")).replace("@PINNED@", " ".join(pinned)))
    if "@" in text.replace("@echo", ""):
        raise ValueError("unfilled placeholder in install.bat.in")
    for number, line in enumerate(text.splitlines(), start=1):
        for char in line:
            if ord(char) < 128:
                continue
            encoded = char.encode("gbk")
            # A GBK trail byte read as ASCII on a non-Chinese console must not be a cmd metacharacter.
            if set(encoded[1:]) & set(b"|^&<>%"):
                raise ValueError(f"install.bat.in line {number}: {char!r} has a GBK byte cmd.exe would misread")
        head = line.split("echo ", 1)[0] if "echo " in line else line.split("rem ", 1)[0]
        if not head.isascii():
            raise ValueError(f"install.bat.in line {number}: Chinese text only after echo/rem")
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("gbk")


README = """jifen-xl 积分制管理 离线安装包（{version}，{target}）

1. 把整个文件夹复制到要安装的电脑上（U 盘即可）。如果是从网上下载的 zip：先右键 zip →
   属性 → 勾选“解除锁定” → 确定，再解压。
2. 双击“安装.bat”（或 install.bat，两者相同）。程序装在 C:\\jifen，不需要联网，
   Python 也在本文件夹里（python 子文件夹），不用另外下载。
3. 安装完成后，桌面上有“积分助手”图标：双击它，浏览器里会打开积分助手，
   选择工作簿、点按钮即可计算（Excel、WPS、LibreOffice 都可以，不需要宏或加载项）。
   把工作簿拖到“积分助手”图标上，会直接打开这个工作簿。
4. 模板在“模板”文件夹：复制一份，改名后使用（.xlsx 用于积分助手、WPS、LibreOffice；
   .xlsm 是带按钮的 Excel 版，打开后点“启用内容”）。

说明文档在本文件夹的 docs 子文件夹（安装后也复制到 C:\\jifen\\docs）：
积分助手.md（推荐）、excel-install.md、wps-install.md、libreoffice.md。
注意：这些步骤还没有在真实的 Windows 电脑上验证过，第一次请先在一台电脑上试。
"""


def build(out: Path, *, host: bool, python_version: str, with_rollup: bool,
          python_installer: Path | None = None, installer_sha256: str | None = None) -> Path:
    installer = (check_python_installer(python_installer, python_version, installer_sha256)
                 if python_installer is not None else None)
    out = out.resolve()
    wheels = out / "wheels"
    if out.exists():
        shutil.rmtree(out)
    wheels.mkdir(parents=True)
    version = project_version()

    # 1. the project's own wheel (pure Python; templates' VBA source inside)
    run(pip("wheel", "--no-deps", "--wheel-dir", str(wheels), str(REPO)))
    own = next(wheels.glob("jifen_xl-*.whl"))
    root = f"jifen-xl[rollup]=={version}" if with_rollup else f"jifen-xl=={version}"

    # 2. dependencies for the target, pywin32 named because pip would drop it on Linux
    pinned = [] if host else list(WINDOWS_ONLY)
    spec = str(own) + ("[rollup]" if with_rollup else "")
    run(pip("download", "--dest", str(wheels), *target_args(host, python_version),
            "--find-links", str(wheels), spec, *pinned))

    # 3. the closure, with Windows markers (or the host's), until nothing is missing
    if host:
        environment = dict(default_environment())
        tags = set(sys_tags())
    else:
        environment = windows_environment(python_version)
        tags = target_tags(python_version, PLATFORM)
    for _round in range(5):
        problems, missing = closure_problems(wheels, [root, *pinned], environment, tags)
        if problems:
            raise SystemExit("bundle is inconsistent:\n  " + "\n  ".join(problems))
        if not missing:
            break
        print("pip left out (markers evaluated for this machine):", ", ".join(missing))
        run(pip("download", "--dest", str(wheels), *target_args(host, python_version),
                "--find-links", str(wheels), *missing))
    else:
        raise SystemExit(f"still missing after 5 rounds: {missing}")

    # 4. prove pip resolves the folder offline for the target
    with tempfile.TemporaryDirectory(prefix="jifen-bundle-") as scratch:
        report = Path(scratch) / "report.json"
        extra = ["--target", str(Path(scratch) / "t"), *target_args(host, python_version)] if not host else []
        run(pip("install", "--dry-run", "--ignore-installed", "--no-index", "--find-links", str(wheels),
                "--report", str(report), "--quiet", *extra, spec, *pinned), env=offline_env())
        resolved = sorted(item["metadata"]["name"] for item in json.loads(report.read_text())["install"])
    print(f"pip resolves {len(resolved)} distributions offline:", ", ".join(resolved))

    # 5. templates, installer, notes
    templates = out / "模板"
    templates.mkdir()
    for path in sorted((REPO / "workbook_templates").glob("*.xls[xm]")):
        shutil.copy2(path, templates / path.name)
    python_dir = out / "python"
    python_dir.mkdir()
    target = "本机" if host else f"64 位 Windows，Python {python_version}"
    if python_installer is not None:
        shutil.copy2(python_installer, python_dir / python_installer.name)
    shutil.copytree(REPO / "docs", out / "docs")
    bat = bat_text(version, python_version, pinned)
    (out / "安装.bat").write_bytes(bat)
    (out / "install.bat").write_bytes(bat)
    (out / "说明.txt").write_bytes(("\ufeff" + README.format(version=version, target=target, pyver=python_version)
                                     .replace("\n", "\r\n")).encode("utf-8"))
    listing = [{"file": p.name, "bytes": p.stat().st_size,
                "sha256": hashlib.sha256(p.read_bytes()).hexdigest()} for p in sorted(wheels.glob("*.whl"))]
    manifest = {"project": "jifen-xl", "version": version, "target": "host" if host else PLATFORM,
                "python": python_version, "with_rollup": with_rollup, "resolved": resolved, "wheels": listing,
                "python_installer": installer}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    total = sum(item["bytes"] for item in listing)
    whole = folder_bytes(out)
    print(f"\n{out}: {len(listing)} wheels, {total / 1e6:.1f} MB; the whole folder {whole / 1e6:.1f} MB"
          + ("" if installer else f" without a Python installer ({KNOWN_INSTALLERS['python-3.11.9-amd64.exe']['bytes'] / 1e6:.1f} MB for 3.11.9)")
          + f"; budget {BUDGET_BYTES / 1e6:.0f} MB")
    for item in sorted(listing, key=lambda i: -i["bytes"])[:8]:
        print(f"  {item['bytes'] / 1e6:6.1f} MB  {item['file']}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--host", action="store_true", help="for this machine instead of win_amd64")
    parser.add_argument("--python-version", default="3.11")
    parser.add_argument("--with-rollup", action="store_true", help="include pyarrow and duckdb")
    parser.add_argument("--python-installer", type=Path, default=None,
                        help="python.org's python-X.Y.Z-amd64.exe to put in the folder (checked against its hash)")
    parser.add_argument("--python-installer-sha256", default=None, help="its SHA-256 when not in KNOWN_INSTALLERS")
    parser.add_argument("--no-python-installer", action="store_true",
                        help="build without one (the PC then needs a 64-bit Python of that version already)")
    args = parser.parse_args(argv)
    if args.python_installer is None and not (args.no_python_installer or args.host):
        parser.error("--python-installer python-3.11.9-amd64.exe is needed (make bundle-windows PYTHON_INSTALLER=…), "
                     "or --no-python-installer")
    build(args.out, host=args.host, python_version=args.python_version, with_rollup=args.with_rollup,
          python_installer=args.python_installer, installer_sha256=args.python_installer_sha256)
    return 0


if __name__ == "__main__":
    sys.exit(main())
