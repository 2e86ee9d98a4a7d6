"""Release packages and record packages around a project's stored releases.

A record lists its releases by URL (``<package uri>#<release id>``) and carries the compiled
release, merged by ocdsmerge with the rules of the release schema extended by bids.
"""
from __future__ import annotations

from procurement.ocds.schemas import BIDS_EXTENSION_URL, VERSION, merger


def _package(uri: str, published_date: str, publisher: dict) -> dict:
    return {
        "uri": uri,
        "version": VERSION,
        "extensions": [BIDS_EXTENSION_URL],
        "publishedDate": published_date,
        "publisher": publisher,
    }


def release_package(releases: list[dict], *, uri: str, publisher: dict) -> dict:
    """A package of ``releases`` (oldest first); its date is the newest release's."""
    package = _package(uri, releases[-1]["date"], publisher)
    package["releases"] = releases
    return package


def compiled_release(releases: list[dict]) -> dict:
    """The latest state of every field of ``releases`` (ocdsmerge's compiled release)."""
    return merger().create_compiled_release(releases)


def record_package(releases: list[dict], *, uri: str, releases_uri: str, publisher: dict) -> dict:
    """A package with the one record of ``releases``' contracting process."""
    record = {
        "ocid": releases[0]["ocid"],
        "releases": [
            {"url": f"{releases_uri}#{release['id']}", "date": release["date"], "tag": release["tag"]} for release in releases
        ],
        "compiledRelease": compiled_release(releases),
    }
    package = _package(uri, releases[-1]["date"], publisher)
    package["records"] = [record]
    return package
