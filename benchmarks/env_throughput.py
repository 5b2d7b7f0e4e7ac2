"""Environment throughput (step + render) in steps/s, per process and with several processes together.

    .venv/bin/python benchmarks/env_throughput.py                   # cheetah-run, 64 px, 1 and 2 processes
    .venv/bin/python benchmarks/env_throughput.py --task humanoid-walk --steps 300

Settings compared (random actions, built-in background videos):
  dm_control-defaults   suite.load + dm_control's pixels.Wrapper (physics.render every step, default visuals)
  laom-vanilla-default  laom make_env('vanilla', fast_render=False): dm_control's visual settings
  laom-vanilla          laom make_env('vanilla'): small-frame render settings
  laom-dcs-sky800       scale_easy_video_hard with an 800 px skybox face, as the official DCS uploads
  laom-dcs              scale_easy_video_hard with the default skybox face (2 * img_hw)
Each process renders with one software-GL thread (LP_NUM_THREADS=1 unless set). "steps per CPU-s" divides by
the process's CPU time instead of wall time: on a machine shared with other jobs it estimates what one
otherwise idle core would do.
Measured on the 2-vCPU development VM: a process alone there runs 1.7-1.9x slower, per CPU-second too, than
the same process while the other vCPU is busy (dynamic distractors: 231 vs 420 steps/s, `while True: pass`
beside it), so compare settings at equal load (e.g. `--processes 2`), not a lone process against a pair.
"""
import argparse
import os
import time

os.environ.setdefault('MUJOCO_GL', 'egl')
os.environ.setdefault('LP_NUM_THREADS', '1')

import numpy as np

from parallel import run_in_processes

SETTINGS = ['dm_control-defaults', 'laom-vanilla-default', 'laom-vanilla', 'laom-dcs-sky800', 'laom-dcs']


def build(setting: str, task: str, img_hw: int):
    "An object with reset() and step(action), and its action shape."
    from laom.envs.dcs import get_task, make_env
    if setting == 'dm_control-defaults':
        from dm_control import suite
        from dm_control.suite.wrappers import pixels
        spec = get_task(task)
        env = pixels.Wrapper(suite.load(spec.domain, spec.task), pixels_only=False,
                             render_kwargs=dict(height=img_hw, width=img_hw, camera_id=0))
        return env, env.action_spec().shape
    kw = {'laom-vanilla-default': dict(setting='vanilla', fast_render=False), 'laom-vanilla': dict(setting='vanilla'),
          'laom-dcs-sky800': dict(setting='scale_easy_video_hard', sky_size=800),
          'laom-dcs': dict(setting='scale_easy_video_hard')}[setting]
    env = make_env(task, img_hw=img_hw, frame_stack=1, seed=0, **kw)
    return env, env.action_space.shape


def measure(setting: str, task: str, img_hw: int, steps: int, barrier=None, warmup: int = 20) -> tuple:
    "(steps per wall second, steps per CPU second) of one process, timed after building, a warm-up and `barrier`."
    env, shape = build(setting, task, img_hw)
    actions = np.random.default_rng(0).uniform(-1, 1, (steps + warmup,) + shape)
    env.reset()
    for a in actions[:warmup]: env.step(a)
    if barrier is not None: barrier.wait()     # all processes start timing together
    start, cpu_start = time.perf_counter(), time.process_time()
    for a in actions[warmup:]: env.step(a)     # one dm_control episode is 1000 steps: steps + warmup stay below
    return steps/(time.perf_counter() - start), steps/(time.process_time() - cpu_start)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--task', default='cheetah-run')
    p.add_argument('--img-hw', type=int, default=64)
    p.add_argument('--steps', type=int, default=500)
    p.add_argument('--processes', type=int, nargs='+', default=[1, 2])
    p.add_argument('--settings', nargs='+', default=SETTINGS, choices=SETTINGS)
    a = p.parse_args()
    if a.steps + 20 >= 1000: p.error('--steps must stay below 980 (one dm_control episode)')
    print(f'{a.task}, {a.img_hw} px, {a.steps} steps per process, LP_NUM_THREADS={os.environ["LP_NUM_THREADS"]}, '
          f'{os.cpu_count()} CPUs')
    print(f'{"setting":22s} {"procs":>5s} {"steps/s per process":>20s} {"steps/s total":>14s} {"steps per CPU-s":>16s}')
    for setting in a.settings:
        for n in a.processes:
            wall, cpu = np.array(run_in_processes(measure, n, setting, a.task, a.img_hw, a.steps)).T
            print(f'{setting:22s} {n:5d} {wall.mean():20.0f} {wall.sum():14.0f} {cpu.mean():16.0f}', flush=True)

if __name__ == '__main__':
    main()
