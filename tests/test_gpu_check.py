"""`benchmarks/gpu_check.py --tiny` end to end, as a subprocess: the throughput lines (eager and compiled, with FLOP
rates), the loader regimes and the end-to-end LAOM+supervision run with every stage's outputs. It runs the tiny
preset on the CPU (about 20 s of CPU time), so the script a GPU machine runs cannot rot unnoticed."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_gpu_check_tiny(tmp_path):
    env = {**os.environ, 'PYTHONPATH': f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}", 'OMP_NUM_THREADS': '1',
           'CUDA_VISIBLE_DEVICES': ''}
    done = subprocess.run([sys.executable, str(ROOT / 'benchmarks' / 'gpu_check.py'), '--tiny', '--root', str(tmp_path)],
                          env=env, capture_output=True, text=True, timeout=600)
    out = done.stdout
    assert done.returncode == 0, out[-3000:] + done.stderr[-3000:]
    lines = out.splitlines()
    for stage in ('lam_laom_sup', 'latent_bc', 'decoder', 'idm', 'bc'):
        for precision in ('bf16 ', 'bf16+aot_eager '):
            line = next((l for l in lines if l.startswith(f'{stage:<13} {precision}')), None)
            assert line is not None and 'GFLOP/s' in line and 'FAILED' not in line, (stage, precision, out)
        assert f'{stage:<13} last training loss eager' in out and 'DIFFERENT' not in out, (stage, out)
    assert sum(l.startswith('loader regime: ram') for l in lines) == 2, out
    assert "end to end: every stage's outputs exist (3 stages" in out, out
    assert 'gpu check passed' in out, out
