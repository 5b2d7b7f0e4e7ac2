"""The experiment notebooks in nbs/experiments (paper figures, expert training) are papermill
notebooks: each has exactly one cell tagged `parameters` (kept through `nbdev_clean` by
`allowed_cell_metadata_keys = tags`), and each runs end to end through papermill at the `smoke`
profile, which the notebooks select themselves under IN_TEST=1 and which never writes into figures/.
"""
import json
import os
import re
from pathlib import Path

import pandas as pd
import papermill as pm
import pytest

from laom.figures import parameter_cells

EXPERIMENTS = Path(__file__).resolve().parents[1] / 'nbs' / 'experiments'
NOTEBOOKS = sorted(p for p in EXPERIMENTS.glob('*.ipynb') if not p.name.startswith('_'))
IDS = [p.stem for p in NOTEBOOKS]


@pytest.mark.parametrize('path', NOTEBOOKS, ids=IDS)
def test_exactly_one_parameters_cell(path):
    assert len(parameter_cells(path)) == 1, f'{path.name}: papermill needs exactly one cell tagged "parameters"'


@pytest.mark.parametrize('path', NOTEBOOKS, ids=IDS)
def test_runs_at_smoke_profile(path, tmp_path, monkeypatch):
    monkeypatch.setenv('IN_TEST', '1')
    figures = Path(__file__).resolve().parents[1] / 'figures'
    before = {p: p.stat().st_mtime for p in figures.glob('*')}
    pm.execute_notebook(str(path), str(tmp_path / path.name), kernel_name='laom', cwd=str(EXPERIMENTS),
                        progress_bar=False)
    after = {p: p.stat().st_mtime for p in figures.glob('*')}
    assert before == after, f'{path.name} wrote into figures/ at the smoke profile'


@pytest.mark.parametrize('path', NOTEBOOKS, ids=IDS)
def test_papermill_reads_every_parameter(path):
    "papermill documents (`--help-notebook`) and type-checks only what it can parse: one name per line, no `=` in comments."
    cell = json.loads(path.read_text())['cells'][parameter_cells(path)[0]]
    assigned = [line.split('=')[0].strip() for line in ''.join(cell['source']).splitlines() if '=' in line.split('#')[0]]
    assert list(pm.inspect_notebook(str(path))) == assigned, f'{path.name}: papermill cannot parse its parameters cell'


FIGURES = [p for p in NOTEBOOKS if p.name.startswith('fig')]


@pytest.mark.parametrize('path', FIGURES, ids=[p.stem for p in FIGURES])
def test_figure_notebook_takes_profile(path):
    "`laom-figures --profile smoke` reaches a figure notebook only through its `profile` parameter."
    assert 'profile' in pm.inspect_notebook(str(path)), f'{path.name}: no `profile` parameter'


def test_fig06_runs_a_settings_search(tmp_path, monkeypatch):
    "Fig. 6 as a LAM settings search: a subset of its steps, with LAM settings changed in each, into its own folder."
    monkeypatch.setenv('IN_TEST', '1')
    path = EXPERIMENTS / 'fig06_ablation.ipynb'
    executed = pm.execute_notebook(str(path), str(tmp_path / path.name), kernel_name='laom', cwd=str(EXPERIMENTS),
                                   progress_bar=False, parameters=dict(distractors=[True], steps=['LAPO', '+ augmentations'],
                                                                       lam_changes={'target_tau': 0.123}, run_root=str(tmp_path / 'runs')))
    printed = ''.join(out.get('text', '') for cell in executed.cells for out in cell.get('outputs', []))
    png = re.search(r'written to (\S+\.png)', printed).group(1)   # at the smoke profile a temporary folder
    table = pd.read_csv(Path(png).with_suffix('.csv'))
    assert list(table.step) == ['LAPO', '+ augmentations'] and table.probe_mse.notna().all()
    # the change reached both steps' stage-1 configs: neither is the run Fig. 5 or Fig. 1 shares any more
    assert 'Fig. 5 (LAPO, no quantization): a different run' in printed and 'Fig. 1 (LAOM): a different run' in printed
    with pytest.raises(pm.PapermillExecutionError, match='unknown steps'):
        pm.execute_notebook(str(path), str(tmp_path / 'bad.ipynb'), kernel_name='laom', cwd=str(EXPERIMENTS), progress_bar=False,
                            parameters=dict(steps=['no such step'], run_root=str(tmp_path / 'runs')))
    with pytest.raises(pm.PapermillExecutionError, match=r"lam_changes \['latent_action_dim'\]: the Fig. 6 steps set these themselves"):
        pm.execute_notebook(str(path), str(tmp_path / 'bad.ipynb'), kernel_name='laom', cwd=str(EXPERIMENTS), progress_bar=False,
                            parameters=dict(steps=['+ augmentations'], lam_changes={'latent_action_dim': 2048}, run_root=str(tmp_path / 'runs')))
