"""The OCDS 1.1.5 schemas shipped in ``schema/``, the release schema with the bids extension
merged in, and the merger that compiles records (ocdsmerge), all loaded from disk, never the web."""
from __future__ import annotations

import copy
import csv
import json
from functools import lru_cache
from pathlib import Path

import json_merge_patch
import ocdsmerge

FOLDER = Path(__file__).resolve().parent / "schema"
VERSION = "1.1"
RELEASE_SCHEMA_ID = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
#: The bids extension's ``extension.json``, as listed in every package's ``extensions``.
BIDS_EXTENSION_URL = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"
)


def load(name: str) -> dict:
    """One schema file of ``schema/`` (``release-schema.json``, ``extensions/bids/release-schema.json``...)."""
    with open(FOLDER / name, encoding="utf-8") as handle:
        return json.load(handle)


@lru_cache(maxsize=1)
def _release_schema() -> dict:
    return json_merge_patch.merge(load("release-schema.json"), load("extensions/bids/release-schema.json"))


def release_schema() -> dict:
    """The release schema with the bids extension's merge patch applied (a fresh copy)."""
    return copy.deepcopy(_release_schema())


@lru_cache(maxsize=1)
def merger() -> ocdsmerge.Merger:
    """An ocdsmerge ``Merger`` whose merge rules come from the extended release schema."""
    return ocdsmerge.Merger(schema=release_schema())


def codelist(name: str) -> set[str]:
    """The codes of a codelist CSV (``releaseTag.csv``; the bids extension's ``bidStatus.csv`` too)."""
    path = FOLDER / "codelists" / name
    if not path.exists():
        path = FOLDER / "extensions" / "bids" / "codelists" / name
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["Code"] for row in csv.DictReader(handle)}
