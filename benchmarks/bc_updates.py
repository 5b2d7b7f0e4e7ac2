"""Does a pixel policy at a figure profile's scale get better returns with more updates? BC on every trajectory.

Trains BC on all trajectories of the profile's first task (with distractors) for each number of updates given,
evaluates it online (the profile's episodes) and prints return and held-out action MSE. Runs are keyed like every
grid cell, so a repeated count is reused. Used to check whether the `cpu` profile's noise-level returns come from
too few updates (they do not: see the README).

    python benchmarks/bc_updates.py --profile cpu 6000 15000      # about 9 and 36 min on the 2-core CPU
"""
import argparse, time
from laom.data import open_dataset
from laom.grid import figure_roots, figure_scale, grid_config, run_grid, task_data, task_expert

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('updates', type=int, nargs='+', help='BC updates, one run each')
    p.add_argument('--profile', default='cpu', choices=('smoke', 'cpu', 'paper'))
    p.add_argument('--run-root', default='runs')
    args = p.parse_args()
    scale = figure_scale(args.profile)
    task = scale.tasks[0]
    run_root, data_root = figure_roots(args.profile, args.run_root)
    data = task_data(task, True, scale, data_root, task_expert(task, args.profile, None), None)
    with open_dataset(data['train']) as ds: everything = len(ds)
    for updates in args.updates:
        start = time.time()
        cell = grid_config(scale, 'bc', data, everything, 0, 'auto', full_bc__total_updates=updates,
                           full_bc__num_epochs=None)   # BC on every trajectory trains as `full_bc` says
        row = run_grid([({'updates': updates}, cell)], run_root).iloc[0]
        print(f"BC on {everything} {task} trajectories, {updates} updates: return {row['eval/return_mean']:.1f} "
              f"± {row['eval/return_std']:.1f}, held-out action MSE {row['bc/eval_mse']:.4f}, {time.time() - start:.0f} s", flush=True)

if __name__ == '__main__':
    main()
