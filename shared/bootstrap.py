"""Set up a fresh clone, then start the demo or run every check, with the standard library only.

    python3 -m shared.bootstrap demo [ARGS...]   # the whole office on this machine
    python3 -m shared.bootstrap test [ARGS...]   # ruff, mypy, import-linter, then pytest ARGS

Steps: check Python, install the missing Debian/Ubuntu packages (through sudo when not root),
create `.venv`, `pip install -e .` (or `.[test]`) unless `.venv/.montour-stamp` says that
pyproject.toml has not changed since, then run. This module must not import the rest of
`shared`: it runs before any dependency is installed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

MIN_PYTHON = (3, 11)

# Debian packages that Qt (and QtMultimedia/QtTextToSpeech) needs before it can even import,
# and tzdata for the office time zone.
RUN_APT_PACKAGES: tuple[str, ...] = (
    "libglib2.0-0", "libgl1", "libegl1", "libfontconfig1", "libfreetype6", "libxkbcommon0",
    "libdbus-1-3", "libbrotli1", "libdrm2", "libx11-6", "libx11-xcb1", "libxext6", "libxrandr2",
    "libxcb1", "libxcb-cursor0", "libxcb-glx0", "libxcb-icccm4", "libxcb-image0",
    "libxcb-keysyms1", "libxcb-randr0", "libxcb-render0", "libxcb-render-util0",
    "libxcb-shape0", "libxcb-shm0", "libxcb-sync1", "libxcb-util1", "libxcb-xfixes0",
    "libxcb-xkb1", "libxkbcommon-x11-0", "libpulse0", "tzdata",
    # Screens and tickets in Arabic: a font with its glyphs, and FriBiDi, which Pillow's
    # bundled raqm loads at run time to shape right-to-left text on the ticket.
    "fonts-dejavu-core", "libfribidi0",
    # Speech when Qt has no text-to-speech engine (the kiosk's accessible mode).
    "espeak-ng",
    # USB receipt printers (python-escpos through pyusb).
    "libusb-1.0-0",
)  # fmt: skip

# Extra packages for the test suite only: `ip netns` for tests/net, Chromium for the phone
# page's test in a real browser, a PulseAudio null sink to record what the apps play.
TEST_APT_PACKAGES: tuple[str, ...] = (
    "iproute2", "chromium", "pulseaudio", "pulseaudio-utils", "sox",
)  # fmt: skip

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
VENV_BIN = VENV / "bin"
STAMP = VENV / ".montour-stamp"
PYTEST_NO_TESTS = 5


def say(message: str) -> None:
    print(f"bootstrap: {message}", flush=True)


def check_python() -> None:
    if sys.version_info < MIN_PYTHON:
        want = ".".join(map(str, MIN_PYTHON))
        have = ".".join(map(str, sys.version_info[:3]))
        sys.exit(
            f"bootstrap: Montour needs Python {want} or newer, but {sys.executable} is {have}.\n"
            f"Run this command with a newer interpreter, e.g. `python{want} -m shared.bootstrap`."
        )


def missing_apt_packages(packages: Sequence[str]) -> list[str]:
    """The packages dpkg does not list as installed (absent, removed, or half-installed)."""
    result = subprocess.run(
        ["dpkg-query", "--show", "--showformat=${Package} ${Status}\n", *packages],
        capture_output=True,
        text=True,
        check=False,  # exits 1 when some package is unknown: that is the answer, not an error
    )
    installed = {
        line.split()[0]
        for line in result.stdout.splitlines()
        if line.split() and line.split()[-1] == "installed"
    }
    return [name for name in packages if name not in installed]


def ensure_apt_packages(packages: Sequence[str]) -> None:
    if not (shutil.which("dpkg-query") and shutil.which("apt-get")):
        say("not a Debian/Ubuntu system: make sure these libraries (or equivalents) are present:")
        say("  " + " ".join(packages))
        return
    missing = missing_apt_packages(packages)
    if not missing:
        return
    install = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo"):
        prefix = ["sudo", "env", "DEBIAN_FRONTEND=noninteractive"]
    else:
        sys.exit(
            f"bootstrap: missing system packages: {' '.join(missing)}\n"
            "Ask an administrator to run, as root:\n"
            f"  apt-get update && {shlex.join(install)}\n"
            "then run this command again."
        )
    say(f"installing system packages: {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], install):
        rc = subprocess.run([*prefix, *command], env=env, stdin=subprocess.DEVNULL).returncode
        if rc != 0:
            sys.exit(f"bootstrap: `{shlex.join([*prefix, *command])}` failed (exit {rc})")


def system_packages(command: str) -> list[str]:
    packages = list(RUN_APT_PACKAGES)
    if command == "test":
        packages += TEST_APT_PACKAGES
    no_venv = not (VENV_BIN / "python").exists() and importlib.util.find_spec("ensurepip") is None
    if no_venv and sys.base_prefix == "/usr":
        # Debian's own Python keeps `-m venv` (ensurepip) in a package per Python version.
        packages.append(f"python{sys.version_info[0]}.{sys.version_info[1]}-venv")
    return packages


def ensure_venv(install_target: str) -> None:
    if not (VENV_BIN / "python").exists():
        say(f"creating {VENV}")
        rc = subprocess.run([sys.executable, "-m", "venv", str(VENV)]).returncode
        if rc != 0:
            sys.exit(f"bootstrap: `{sys.executable} -m venv {VENV}` failed (exit {rc})")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    # `.[test]` is a superset of `.`: a demo after a test run needs no install.
    good = {f"{digest} {install_target}", f"{digest} .[test]"}
    if STAMP.exists() and STAMP.read_text().strip() in good:
        return
    say(f"pip install -e {install_target}")
    pip = [str(VENV_BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
    rc = subprocess.run([*pip, "-e", install_target], cwd=ROOT).returncode
    if rc != 0:
        sys.exit(f"bootstrap: pip install failed (exit {rc})")
    STAMP.write_text(f"{digest} {install_target}\n")


def venv_env() -> dict[str, str]:
    """The environment of an activated .venv, so that tests can find `montour` on PATH."""
    path = f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**os.environ, "VIRTUAL_ENV": str(VENV), "PATH": path}


def run_step(number: int, total: int, title: str, argv: Sequence[str]) -> int:
    print(f"\n===== [{number}/{total}] {title}: {shlex.join(argv)}", flush=True)
    started = time.monotonic()
    try:
        rc = subprocess.run(argv, cwd=ROOT, env=venv_env()).returncode
    except FileNotFoundError:
        print(f"{argv[0]} not found: is the test extra installed?", flush=True)
        rc = 127
    if title == "pytest" and rc == PYTEST_NO_TESTS:
        print("pytest collected no tests: that is a failure here.", flush=True)
        rc = 1
    verdict = "ok" if rc == 0 else f"FAILED (exit {rc})"
    print(f"----- {title}: {verdict} in {time.monotonic() - started:.1f} s", flush=True)
    return rc


def run_checks(pytest_args: Sequence[str]) -> int:
    py = str(VENV_BIN / "python")
    steps: list[tuple[str, list[str]]] = [
        ("ruff check", [str(VENV_BIN / "ruff"), "check", "."]),
        ("ruff format", [str(VENV_BIN / "ruff"), "format", "--check", "."]),
        ("mypy", [str(VENV_BIN / "mypy")]),
        ("import-linter", [str(VENV_BIN / "lint-imports")]),
        ("pytest", [py, "-m", "pytest", *pytest_args]),
    ]
    started = time.monotonic()
    for number, (title, argv) in enumerate(steps, start=1):
        rc = run_step(number, len(steps), title, argv)
        if rc != 0:
            print(f"\nbootstrap: stopped at {title} (exit {rc}).", flush=True)
            return rc
    print(f"\nbootstrap: all {len(steps)} checks are green ({time.monotonic() - started:.1f} s).")
    return 0


def ensure_axe_core() -> Path:
    """axe-core's browser script, for the phone page's accessibility test in Chromium.

    Fetched once from the npm registry (the test never downloads anything), pinned to one
    version whose tarball must match the registry's `dist.integrity` (sha512) written here;
    only `package/axe.min.js` is kept, in .venv/share/axe-core/.
    """
    import base64
    import io
    import tarfile
    import urllib.request

    version = "4.14.1"
    integrity = (
        "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2"
        "rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
    )
    target = VENV / "share" / "axe-core" / "axe.min.js"
    if target.is_file() and f"axe v{version}\n".encode() in target.read_bytes()[:200]:
        return target
    url = f"https://registry.npmjs.org/axe-core/-/axe-core-{version}.tgz"
    say(f"downloading axe-core {version} for the phone page's accessibility test")
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            data = response.read()
    except OSError as exc:
        sys.exit(f"bootstrap: cannot download {url}: {exc}")
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != integrity:
        sys.exit(f"bootstrap: {url} does not match its pinned sha512; refusing it ({digest})")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        member = tar.extractfile("package/axe.min.js")
        if member is None:
            sys.exit(f"bootstrap: {url} holds no package/axe.min.js")
        script = member.read()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(script)
    partial.replace(target)  # never a half-written script for the test to load
    return target


def main(argv: Sequence[str] | None = None) -> int:
    check_python()
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("demo", "test"):
        print(__doc__, file=sys.stderr)
        return 0 if args[:1] in (["-h"], ["--help"]) else 2
    command, rest = args[0], args[1:]
    ensure_apt_packages(system_packages(command))
    ensure_venv(".[test]" if command == "test" else ".")
    if command == "test":
        ensure_axe_core()
        return run_checks(rest)
    montour = VENV_BIN / "montour"
    sys.stdout.flush()
    os.execv(montour, [str(montour), "demo", *rest])


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
