"""CI guard: the exported library, the cleaned notebooks and README.md must already be what is committed.

Runs `nbdev_export`, `nbdev_clean` and the README build (README.md from nbs/index.ipynb; nbdev's own
`nbdev_readme` needs Quarto, which we do not install) and fails if any of them changed a file, i.e.
`laom/` is out of sync with `nbs/`, a notebook carries outputs or metadata that cleaning strips, or the
README was edited by hand. Developers run the same steps with `python tests/check_sync.py` and commit.
"""
import json, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _changed_files():
    out = subprocess.run(['git', 'status', '--porcelain', '--', 'laom', 'nbs', 'README.md'], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return {line[3:] for line in out.splitlines()}


def _cell_markdown(cell):
    if cell['cell_type'] == 'markdown': return ''.join(cell['source'])
    return '```python\n' + ''.join(cell['source']) + '\n```'


def write_readme():
    "README.md = the cells of nbs/index.ipynb as markdown (code cells as fenced blocks)."
    cells = json.loads((ROOT / 'nbs' / 'index.ipynb').read_text())['cells']
    text = '\n\n'.join(_cell_markdown(c) for c in cells if ''.join(c['source']).strip())
    (ROOT / 'README.md').write_text('<!-- generated from nbs/index.ipynb; do not edit -->\n\n' + text + '\n')


def _notebooks_with_outputs():
    bad = []
    for p in sorted((ROOT / 'nbs').rglob('*.ipynb')):
        if '.ipynb_checkpoints' in p.parts: continue
        cells = json.loads(p.read_text())['cells']
        if any(c.get('outputs') for c in cells): bad.append(str(p.relative_to(ROOT)))
    return bad


def main():
    before = _changed_files()
    for cmd in ('nbdev_export', 'nbdev_clean'):
        subprocess.run([str(BIN / cmd)], cwd=ROOT, check=True)
    write_readme()
    drift = _changed_files() - before
    outputs = _notebooks_with_outputs()
    if drift: print('These files change under nbdev_export/nbdev_clean (commit the export, clean the notebooks):', *sorted(drift), sep='\n  ')
    if outputs: print('Notebooks with outputs (strip them):', *outputs, sep='\n  ')
    if drift or outputs: sys.exit(1)
    print('nbs/ and laom/ in sync; notebooks clean.')


if __name__ == '__main__':
    main()
