"""Every method through the whole pipeline at the `cpu` preset on one collected dataset: wall time per method,
samples/s per stage with the shares of its time spent on data, compute (forward-backward) and logging/checkpoints,
probe MSEs (training and held-out), and online returns (raw and normalised).

    .venv/bin/python benchmarks/pipeline_cpu.py --data runs/cpu_data/cheetah-run-scale-easy-video-hard-64px-60.hdf5 \
        --eval runs/cpu_data/cheetah-run-scale-easy-video-hard-64px-eval.hdf5 --budget 8 --root runs/cpu_pipeline

Finished stages are reused (`laom.pipeline`), so an interrupted run continues where it stopped. `--set` takes
dotted config overrides, e.g. `--set lam.total_updates=1500 eval.eval_episodes=5`.
"""
import argparse
import json
import time

import torch
import yaml

from laom.config import METHODS, preset
from laom.data import dataset_task, open_dataset
from laom.pipeline import run_experiment

SHOWN = ['lam/action_probe_mse', 'lam/eval_action_probe_mse', 'lam/eval_action_probe_const_mse',
         'lam/eval_true_action_mse', 'idm/eval_mse', 'eval/return_mean', 'eval/return_std', 'normalized_return']


def parse_overrides(pairs):
    "`key=value` strings to a dict of dotted overrides (values parsed as YAML: numbers, booleans, None)."
    return {k.replace('.', '__'): yaml.safe_load(v) for k, v in (p.split('=', 1) for p in pairs)}


def time_split(row):
    "Per stage: samples/s and the shares of time on data / compute (forward-backward) / logging (last logged window)."
    stages = [k.split('/')[0] for k in row if k.endswith('/throughput')]
    def share(stage, part):   # '?' for a stage finished before the split was logged
        key = f'{stage}/{part}_time_frac'
        return f'{row[key]:.0%}' if key in row else '?'
    return '; '.join(f"{s} {row[f'{s}/throughput']:.0f}/s (data {share(s, 'data')}, compute {share(s, 'compute')}, "
                     f"log {share(s, 'log')})" for s in stages)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', required=True); p.add_argument('--eval')
    p.add_argument('--budget', type=int, default=8); p.add_argument('--seed', type=int, default=0)
    p.add_argument('--methods', nargs='*', default=list(METHODS)); p.add_argument('--root', default='runs/cpu_pipeline')
    p.add_argument('--threads', type=int, default=2); p.add_argument('--set', nargs='*', default=[])
    p.add_argument('--out', help='append one JSON line per method here')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    with open_dataset(args.data) as ds:
        n, distractors, task = len(ds), ds.attrs['difficulty'], dataset_task(ds)
    for method in args.methods:
        cfg = preset('cpu', method, data__data_path=args.data, data__eval_data_path=args.eval, data__task=task,
                     data__distractors=distractors, data__num_trajectories=n, data__label_budget=args.budget,
                     seed=args.seed, **parse_overrides(args.set))
        start = time.perf_counter()
        row = run_experiment(cfg, args.root)
        row['wall_s'] = round(time.perf_counter() - start)
        print(f"\n{method}: {row['wall_s']} s; " + ', '.join(f'{k}={row[k]:.4g}' for k in SHOWN if k in row)
              + f'\n  per stage: {time_split(row)}', flush=True)
        if args.out:
            with open(args.out, 'a') as f: f.write(json.dumps(row) + '\n')


if __name__ == '__main__':
    main()
