"""Dataset collection throughput (expert + noise + env step + render + recording) in steps/s.

    .venv/bin/python benchmarks/collect_throughput.py                     # cheetah-run, 64 px, 1 and 2 processes
    .venv/bin/python benchmarks/collect_throughput.py --expert $LAOM_REFERENCE_EXPERTS/cheetah-run-expert

Two measurements:
  rollout     `laom.collect.rollout` timed inside 1 or 2 spawned processes that start together (after building
              the env and a 20-step warm-up): steps/s per process, their sum, and steps per CPU-second of each
              process (on a machine shared with other jobs, an estimate of what an otherwise idle core does).
  end-to-end  `laom.collect.collect_dataset` with 1 or 2 workers, 2 trajectories per worker, timed from the call
              to the finished file: includes spawning the workers, building their envs and writing the HDF5 file.
Settings: `vanilla` and `scale_easy_video_hard` (dynamic distractors, built-in videos), each with dm_control's
default visual settings (`fast_render=False`, the baseline) and with laom's small-frame settings. The expert is
the one given, else the shipped one, else a random linear stand-in (its cost per step is similar).
Run it as a script: the spawned processes import this file, hence the `__main__` guard.
Measured on the 2-vCPU development VM: a process alone there runs 1.7-1.9x slower, per CPU-second too, than
the same process while the other vCPU is busy (dynamic distractors: 231 vs 420 steps/s, `while True: pass`
beside it), so compare settings at equal load (e.g. `--processes 2`), not a lone process against a pair.
"""
import argparse
import os
import tempfile
import time
from pathlib import Path

for _var in ('LP_NUM_THREADS', 'OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(_var, '1')   # one thread per process, as the collector's workers
os.environ.setdefault('MUJOCO_GL', 'egl')

import numpy as np

from parallel import run_in_processes

SETTINGS = {'vanilla-dm_control-defaults': ('vanilla', False), 'vanilla': ('vanilla', True),
            'dcs-dm_control-defaults': ('scale_easy_video_hard', False), 'dcs': ('scale_easy_video_hard', True)}


def load_policy(task: str, expert_path):
    "The expert at `expert_path`, else the shipped one, else a random linear stand-in."
    from laom.experts import load_expert, random_linear_expert
    try: return load_expert(task, expert_path or None)
    except FileNotFoundError:
        if expert_path: raise
    return random_linear_expert(task)


def measure_rollout(setting, task, img_hw, steps, expert_path, barrier=None) -> tuple:
    "(steps per wall second, steps per CPU second) of one `rollout` of `steps` steps in this process."
    from laom.collect import episode_seed, rollout
    from laom.envs.dcs import make_env
    distractors, fast = SETTINGS[setting]
    env, policy = make_env(task, distractors, img_hw, frame_stack=1, fast_render=fast), load_policy(task, expert_path)
    rollout(env, policy, episode_seed(0, 10**6), max_steps=20)   # warm-up: GL context, videos, skybox
    if barrier is not None: barrier.wait()
    start, cpu_start = time.perf_counter(), time.process_time()
    n = len(rollout(env, policy, episode_seed(0, 0), max_steps=steps)['obs'])
    return n / (time.perf_counter() - start), n / (time.process_time() - cpu_start)


def end_to_end_rate(setting, task, img_hw, steps, expert_path, workers: int) -> float:
    "Total steps/s of `collect_dataset` with `workers` workers and 2 trajectories each, start-up and writing included."
    from laom.collect import collect_dataset
    distractors, fast = SETTINGS[setting]
    policy = load_policy(task, expert_path)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        collect_dataset(Path(tmp) / 'bench.hdf5', task, distractors, 2 * workers, img_hw, policy, max_steps=steps,
                        workers=workers, fast_render=fast, progress=False)
        return 2 * workers * steps / (time.perf_counter() - start)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--task', default='cheetah-run')
    p.add_argument('--img-hw', type=int, default=64)
    p.add_argument('--steps', type=int, default=400, help='steps per process (at most 1000, one episode)')
    p.add_argument('--processes', type=int, nargs='+', default=[1, 2])
    p.add_argument('--settings', nargs='+', default=list(SETTINGS), choices=list(SETTINGS))
    p.add_argument('--end-to-end', nargs='*', default=['vanilla', 'dcs'], choices=list(SETTINGS))
    p.add_argument('--expert', default='', help='expert path (load_expert); default: shipped, else a stand-in')
    a = p.parse_args()
    print(f'{a.task}, {a.img_hw} px, {a.steps} steps per process, expert: {load_policy(a.task, a.expert).source}, '
          f'{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start')
    print(f'{"rollout setting":28s} {"procs":>5s} {"steps/s per process":>20s} {"steps/s total":>14s} {"steps per CPU-s":>16s}')
    for setting in a.settings:
        for n in a.processes:
            wall, cpu = np.array(run_in_processes(measure_rollout, n, setting, a.task, a.img_hw, a.steps, a.expert)).T
            print(f'{setting:28s} {n:5d} {wall.mean():20.0f} {wall.sum():14.0f} {cpu.mean():16.0f}', flush=True)
    for setting in a.end_to_end:
        for n in a.processes:
            total = end_to_end_rate(setting, a.task, a.img_hw, a.steps, a.expert, n)
            print(f'end-to-end {setting:17s} {n:5d} {total / n:20.0f} {total:14.0f} {"-":>16s}', flush=True)
    print(f'load average {os.getloadavg()[0]:.1f} at the end')


if __name__ == '__main__':
    main()
