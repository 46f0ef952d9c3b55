"""The releases installed under MEDCODER_HOME, chosen by name or by date of service."""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
from datetime import date
from pathlib import Path

from medcoder.codesets.catalog import (
    FoundFile,
    ReleasePlan,
    effective_from,
    file_dating,
    plan_releases,
    release_name,
)
from medcoder.codesets.manifest import MANIFEST_FILE, read_manifest
from medcoder.codesets.model import ReleaseInfo
from medcoder.codesets.store import Release
from medcoder.codesets.validate import Validation, validate
from medcoder.errors import NoReleaseForDateError, ReleaseNotFoundError
from medcoder.settings import home_dir

EMBEDDED_NOTICE = (
    "notice: no release built; using the Tabular List embedded with simple-icd-10-cm "
    "(no Alphabetic Index): run `medcoder setup --data DIR` for the full release"
)


def embedded_plan() -> ReleasePlan | None:
    """A plan for the Tabular XML that the simple-icd-10-cm package ships, if installed.

    Found with find_spec so that the package itself is not imported (it parses the
    XML at import time).
    """
    spec = importlib.util.find_spec("simple_icd_10_cm")
    if spec is None or not spec.submodule_search_locations:
        return None
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    xmls = sorted(data.glob("*tabular*.xml"))
    if not xmls:
        return None
    dating = file_dating(xmls[-1]) or (2026, 4)
    fiscal_year, month = dating
    start = effective_from(fiscal_year, month)
    return ReleasePlan(
        name=release_name(fiscal_year, month),
        fiscal_year=fiscal_year,
        effective_from=start,
        effective_to=date(fiscal_year, 9, 30),
        files=(FoundFile("tabular", xmls[-1], fiscal_year, month),),
    )


class Registry:
    """Built releases in ``<home>/releases``; the embedded default in ``<home>/embedded``."""

    def __init__(self, home: Path | None = None, *, quiet: bool = False) -> None:
        self.home = home_dir(home)
        self.releases_dir = self.home / "releases"
        self.embedded_dir = self.home / "embedded"
        self.quiet = quiet
        self._open: dict[str, Release] = {}
        self._opening = threading.Lock()  # threads coding at once share each open release
        self._noticed = False
        self._manifests: dict[str, tuple[tuple[int, int, int], ReleaseInfo]] = {}

    def setup(self, data: Path, *, force: bool = False) -> list[ReleaseInfo]:
        """Build every release recognised in ``data`` (kept if already built, unless force)."""
        plans = plan_releases(data)
        if not plans:
            raise ReleaseNotFoundError(
                f"no ICD-10-CM release files recognised in {data}",
                hint="expected files such as icd10cm_tabular_2026.xml or icd10cm-order-2026.txt",
            )
        from medcoder.codesets.build import build_release  # the XML loaders: setup only

        return [build_release(plan, self.releases_dir, force=force) for plan in plans]

    def installed(self) -> list[ReleaseInfo]:
        """Built releases, oldest first."""
        try:
            names = sorted(os.listdir(self.releases_dir))
        except OSError:  # no releases folder yet (or not a folder)
            return []
        infos = []
        for name in names:
            info = self._manifest(name)
            if info is not None:
                infos.append(info)
        return sorted(infos, key=lambda i: i.effective_from)

    def _manifest(self, name: str) -> ReleaseInfo | None:
        """The manifest of ``releases/<name>``, parsed again only when the file changed:
        every note asks for its release by date, and reading the manifests each time
        cost about 0.1 ms a note."""
        folder = os.path.join(self.releases_dir, name)
        try:
            stat = os.stat(os.path.join(folder, MANIFEST_FILE))
        except OSError:
            return None
        key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        known = self._manifests.get(name)
        if known is not None and known[0] == key:
            return known[1]
        info = read_manifest(Path(folder))
        self._manifests[name] = (key, info)
        return info

    def _embedded(self) -> list[ReleaseInfo]:
        plan = embedded_plan()
        if plan is None:
            return []
        if not self.quiet and not self._noticed:
            print(EMBEDDED_NOTICE, file=sys.stderr)
            self._noticed = True
        from medcoder.codesets.build import build_release

        return [build_release(plan, self.embedded_dir, embedded=True)]

    def available(self) -> list[ReleaseInfo]:
        """Installed releases, or the embedded default where none is built."""
        return self.installed() or self._embedded()

    def open(self, name: str) -> Release:
        if name in self._open:
            return self._open[name]
        infos = self.available()
        info = next((i for i in infos if i.name == name), None)
        if info is None:
            known = ", ".join(i.name for i in infos) or "none"
            raise ReleaseNotFoundError(
                f"no release named {name!r} (installed: {known})",
                hint="run `medcoder codesets list` to see the releases",
            )
        folder = (self.embedded_dir if info.embedded else self.releases_dir) / info.name
        with self._opening:
            if name not in self._open:
                self._open[name] = Release(folder)
        return self._open[name]

    def release_for(self, day: date) -> Release:
        """The release in force on the date of service."""
        infos = self.available()
        for info in infos:
            if info.covers(day):
                return self.open(info.name)
        spans = "; ".join(f"{i.name} {i.effective_from}..{i.effective_to}" for i in infos)
        raise NoReleaseForDateError(
            f"no ICD-10-CM release covers {day.isoformat()} (installed: {spans or 'none'})",
            hint="install the release for that date with `medcoder setup --data DIR`, "
            "or name one with --release",
        )

    def nearest_for(self, day: date) -> tuple[Release, str | None]:
        """The release in force on ``day``, else the installed release nearest to it with a
        notice saying so (a coder decides whether its codes hold; never silent). Raises
        ReleaseNotFoundError only when no release is installed at all."""
        infos = self.available()
        for info in infos:
            if info.covers(day):
                return self.open(info.name), None
        if not infos:
            raise ReleaseNotFoundError("no ICD-10-CM release installed", hint="run setup first")

        def distance(info: ReleaseInfo) -> int:
            if day < info.effective_from:
                return (info.effective_from - day).days
            return (day - info.effective_to).days

        chosen = min(infos, key=distance)
        notice = (
            f"no installed ICD-10-CM release covers the date of service {day.isoformat()}: "
            f"coded with the nearest, {chosen.name} ({chosen.effective_from}.."
            f"{chosen.effective_to}); check each code against the release in force"
        )
        return self.open(chosen.name), notice

    def latest(self) -> Release:
        infos = self.available()
        if not infos:
            raise ReleaseNotFoundError(
                "no ICD-10-CM release is installed", hint="run `medcoder setup --data DIR`"
            )
        return self.open(infos[-1].name)

    def choose(self, *, name: str | None = None, day: date | None = None) -> Release:
        """By name, else by date of service, else the newest release."""
        if name:
            return self.open(name)
        if day is not None:
            return self.release_for(day)
        return self.latest()

    def validate(self, code: str, day: date | None = None) -> Validation:
        """Is ``code`` valid for reporting on the date of service (newest release if no date)?"""
        return validate(self.choose(day=day), code)

    def close(self) -> None:
        for release in self._open.values():
            release.close()
        self._open.clear()
