"""Which levers make BC on all the data recover the expert at a CPU scale (the paper's precondition, section 3)?

Collects (or reuses) cheetah-run trajectories with the paper's distractors, trains the BC baseline on the first
`--use` trajectories with the given policy size, updates, batch and augmentation, evaluates it online and appends
one row to `--out`: expert return (mean `traj_return` of the collection), BC return, their ratio, training
minutes and the held-out action MSE on novel videos. Every run is a config-keyed pipeline run: a rerun reuses it.

    python benchmarks/bc_levers.py --collect 300 --use 200 --updates 6000 --shift 4
    python benchmarks/bc_levers.py --collect 200 --noise 0 --use 200 --updates 6000 --shift 4   # greedy expert data
    python benchmarks/bc_levers.py --setting vanilla --collect 300 --updates 6000                # no distractors
    python benchmarks/bc_levers.py --data runs/data/TRAIN.hdf5 --eval-data runs/data/EVAL.hdf5 --scale 4   # a figure's dataset
"""
import argparse, csv, time
from pathlib import Path

from laom.collect import collect_dataset
from laom.config import preset
from laom.data import dataset_task, open_dataset
from laom.grid import expert_return   # mean traj_return: what the expert (with its collection noise) scores
from laom.pipeline import run_experiment

TASK = 'cheetah-run'

def collect(data_root: Path, setting: str, trajectories: int, noise: float, split: str, workers: int) -> Path:
    "The collection of `trajectories` (split 'train' or 'val' = novel videos) with action noise `noise`, made if missing."
    path = data_root / f'{TASK}-{setting}-noise{noise:g}-{split}-{trajectories}.hdf5'
    return collect_dataset(path, TASK, setting, trajectories, noise_std=noise, split=split, workers=workers)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--setting', default='scale_easy_video_hard', help="distractor setting ('vanilla': none)")
    p.add_argument('--collect', type=int, default=300, help='trajectories in the training collection')
    p.add_argument('--use', type=int, default=None, help='BC trains on the first USE of them (default: all)')
    p.add_argument('--noise', type=float, default=0.2, help="the expert's action noise during collection")
    p.add_argument('--updates', type=int, default=6000)
    p.add_argument('--batch', type=int, default=64)
    p.add_argument('--scale', type=int, default=2, help='encoder width multiplier of the policy')
    p.add_argument('--blocks', type=int, default=1, help='residual blocks per encoder level')
    p.add_argument('--lr', type=float, default=5e-4)
    p.add_argument('--shift', type=int, default=0, help='random shift augmentation in pixels (0 = none)')
    p.add_argument('--episodes', type=int, default=25)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--data', default='', help='train on this existing collection instead of collecting one')
    p.add_argument('--eval-data', default='', help="held-out trajectories for the action MSE (with --data)")
    p.add_argument('--run-root', default='runs/bc_levers')
    p.add_argument('--out', default='runs/bc_levers/levers.csv')
    args = p.parse_args()
    root = Path(args.run_root).resolve()
    if args.data and not args.eval_data: p.error('--data needs --eval-data (held-out trajectories)')
    train = Path(args.data) if args.data else collect(root / 'data', args.setting, args.collect, args.noise, 'train', args.workers)
    novel = Path(args.eval_data) if args.data else collect(root / 'data', args.setting, 10, args.noise, 'val', args.workers)
    with open_dataset(train) as ds:
        collected, setting, noise, task = len(ds), ds.attrs['difficulty'], ds.attrs['noise_std'], dataset_task(ds)
    if task != TASK: p.error(f'{train} is a {task} collection, not {TASK}')
    use = args.use or collected
    bc = dict(total_updates=args.updates, batch_size=args.batch, encoder_scale=args.scale, encoder_num_res_blocks=args.blocks,
              learning_rate=args.lr, use_aug=args.shift > 0, aug_max_shift=args.shift / 64, aug_rotate=False,
              aug_perspective=False)   # for BC on the labels (`bc`) and on every trajectory (`full_bc`) alike
    cfg = preset('cpu', 'bc', data__task=TASK, data__distractors=setting, data__data_path=str(train),
                 data__eval_data_path=str(novel), data__num_trajectories=collected, data__label_budget=use,
                 **{f'{section}__{k}': v for section in ('bc', 'full_bc') for k, v in bc.items()},
                 eval__eval_episodes=args.episodes, seed=args.seed)
    start = time.time()
    row = run_experiment(cfg, root)
    expert = expert_return(train)
    result = dict(task=TASK, setting=setting, noise=noise, trajectories=use, updates=args.updates, batch=args.batch,
                  scale=args.scale, blocks=args.blocks, lr=args.lr, shift_px=args.shift, seed=args.seed,
                  expert_return=expert, bc_return_mean=row['eval/return_mean'], bc_return_std=row['eval/return_std'],
                  episodes=args.episodes, ratio=row['eval/return_mean'] / expert,
                  heldout_novel_mse=row.get('bc/eval_mse'), train_mse=row.get('bc/mse'),
                  throughput=row.get('bc/throughput'), wall_minutes=(time.time() - start) / 60)
    print(result, flush=True)
    out = Path(args.out); out.parent.mkdir(parents=True, exist_ok=True)
    new = not out.exists()
    with out.open('a', newline='') as f:
        w = csv.DictWriter(f, fieldnames=list(result))
        if new: w.writeheader()
        w.writerow(result)

if __name__ == '__main__':
    main()
