"""Runs every library notebook's tests (what `nbdev_test` does), one pytest test per notebook,
so CI prints an `N passed` line. Cells flagged `#| slow` or `#| cuda` are skipped unless the
flag is listed in LAOM_TEST_FLAGS (space separated), e.g. `LAOM_TEST_FLAGS=slow make test`.
"""
import os
from pathlib import Path

import pytest
from nbdev.config import get_config
from nbdev import test as nbdev_test

NBS = Path(__file__).resolve().parents[1] / 'nbs'
SKIPPED_FLAGS = get_config(path=NBS.parent).tst_flags.split()
NOTEBOOKS = sorted(p for p in NBS.glob('*.ipynb') if not p.name.startswith('_'))  # experiments/: papermill tests


@pytest.mark.parametrize('path', NOTEBOOKS, ids=[str(p.relative_to(NBS)) for p in NOTEBOOKS])
def test_notebook(path, monkeypatch):
    monkeypatch.setenv('IN_TEST', '1')
    forced = os.environ.get('LAOM_TEST_FLAGS', '').split()
    ok, seconds = nbdev_test.test_nb(path, skip_flags=SKIPPED_FLAGS, force_flags=forced)
    assert ok, f'{path.name} failed (run it with nbdev_test --path {path} to see the traceback)'
