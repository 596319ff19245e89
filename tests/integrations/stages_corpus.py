"""The stages import test corpus (tests/fixtures/stages/), shared by the file, service, admin and command tests."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.stages import make_corpus

CORPUS_DIR = Path(make_corpus.__file__).parent
STANDARD_STAGES = make_corpus.STAGES
big_export_bytes = make_corpus.big_export_bytes
xlsx_bytes = make_corpus.xlsx_bytes


def corpus_file(name: str) -> bytes:
    return (CORPUS_DIR / name).read_bytes()
