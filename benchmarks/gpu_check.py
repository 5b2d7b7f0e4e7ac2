"""The one check of a GPU machine: what the `paper` preset does there, in under 8 minutes on one GPU.

    python benchmarks/gpu_check.py            # the paper preset on a GPU; --tiny on a machine without one
    python benchmarks/gpu_check.py --tiny     # the same checks at the tiny preset, under a minute on a CPU (CI)

It prints, in order:

1. the device, its dense bf16 peak (`laom.train.peak_tflops`) and where the loaders keep the frames (the regime
   `auto` picks for the benchmark file and for the collected one: 'device', 'ram' or 'disk');
2. per stage of `--stages`, samples/s, GFLOP/s, % of the bf16 peak and peak GPU memory at the preset, in bf16,
   through `benchmarks/stage_throughput.py` on a synthetic file: first eager, later compiled;
3. one LAOM+supervision run end to end through `laom.pipeline.run_experiment` at the preset's model sizes on
   `--trajectories` cheetah-run trajectories with the preset's distractors, collected by a stand-in policy (a
   random linear map: no expert needed), `--e2e-updates` updates per stage and `--episodes` evaluation episodes:
   its wall time, per-stage samples/s and returns, after checking that every stage saved its model and summary;
4. the same stages compiled (`laom.stages.StageOptions.compile`: inductor on a GPU; at --tiny the `aot_eager`
   backend, which traces the graphs without generating kernels: a CPU cannot afford inductor's compile times).
   Each compiled stage must end with the eager one's training loss (same seed and batches), within 5 %.
   Compiling is the slowest and least known part, so it comes last and stops, saying so, once `--budget`
   seconds have passed.

The exit status is 1 if a stage failed, a compiled loss differs or the end-to-end run is incomplete. At --tiny on a CPU the frames are
16 px and the models tiny: the numbers say only that every part runs.
"""
import argparse
import sys
import tempfile
import time
import traceback
from pathlib import Path

import torch

import stage_throughput as bench_stages
from laom.collect import collect_dataset
from laom.config import preset
from laom.experts import random_linear_expert
from laom.loaders import TransitionLoader
from laom.pipeline import run_experiment
from laom.stages import MODEL_FILE, StageOptions
from laom.train import peak_tflops

TASK = 'cheetah-run'
E2E_STAGES = ('lam', 'latent_bc', 'decoder')   # LAOM+supervision's stages, in order
LOSS_TOLERANCE = 0.05   # relative; bf16 results differ with the order of operations compiled code picks
EVAL_SAMPLES = 2000   # held-out transitions each stage scores: this checks that scoring runs, not the scores


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--tiny', action='store_true', help='the tiny preset and small counts (automatic without a GPU)')
    p.add_argument('--stages', nargs='+', choices=bench_stages.STAGES,
                   default=['lam_laom_sup', 'latent_bc', 'decoder', 'idm', 'bc'])
    p.add_argument('--updates', type=int, help='timed updates per stage (default 30; 3 at --tiny)')
    p.add_argument('--warmup', type=int, help='untimed updates before them, at least 2 (default 5; 2 at --tiny)')
    p.add_argument('--trajectories', type=int, help='trajectories of the benchmark and end-to-end files (default 20; 6 at --tiny)')
    p.add_argument('--length', type=int, help='steps per trajectory and per evaluation episode (default 200; 40 at --tiny)')
    p.add_argument('--e2e-updates', type=int, help='updates per stage of the end-to-end run (default 300; 10 at --tiny)')
    p.add_argument('--episodes', type=int, default=5, help='evaluation episodes of the end-to-end run')
    p.add_argument('--budget', type=float, default=330,
                   help='seconds after which no further compiled timing starts (the default leaves 2.5 of the 8 minutes to the '
                        'one in progress: compile times at the paper preset are not yet measured)')
    p.add_argument('--root', type=Path, help='where data and runs go (default: a temporary folder, removed at the end)')
    args = p.parse_args()
    args.tiny = args.tiny or not torch.cuda.is_available()
    small = args.tiny
    args.preset = 'tiny' if small else 'paper'
    args.updates = args.updates or (3 if small else 30)
    args.warmup = args.warmup if args.warmup is not None else (2 if small else 5)
    args.trajectories = args.trajectories or (6 if small else 20)
    args.length = args.length or (40 if small else 200)
    args.e2e_updates = args.e2e_updates or (10 if small else 300)
    args.compile = 'aot_eager' if small else True
    if args.warmup < 2: p.error('--warmup must be at least 2: compiling and the FLOP count take the first two updates')
    for stage, needed in bench_stages.NEEDS.items():
        if stage in args.stages and needed not in args.stages: p.error(f'{stage} needs {needed} in --stages (before it)')
    return args


def bench_args(args, root: Path, compile) -> argparse.Namespace:
    "The arguments `stage_throughput` reads, for the preset's frames."
    return argparse.Namespace(preset=args.preset, warmup=args.warmup, updates=args.updates, device='auto', regime='auto',
                              progress=False, img_hw=preset(args.preset).data.img_hw, compile=compile,
                              trajectories=args.trajectories, length=args.length, action_dim=6, state_dim=17,
                              data_dir=root / 'bench_data', eval_samples=EVAL_SAMPLES)


def regime(path: Path, device) -> str:
    "Where the loaders keep the frames of `path` on `device` (the regime `auto` picks)."
    with TransitionLoader(path, 2, device=device, prefetch=0) as loader: return loader.regime


def throughput(args, root: Path, data: Path, compile, models: dict, deadline: float | None = None) -> dict:
    "Time every stage of `args.stages` (compiled if `compile`) until `deadline`: stage -> results (None: failed)."
    runs = root / ('bench_runs_compiled' if compile else 'bench_runs')   # apart: compiling does not change a run's key
    bench = bench_stages.Bench(bench_args(args, root, compile), data, runs, bf16=True)
    bench.models = models   # the decoder trains on latent BC's actor: shared by the eager and the compiled timings
    results = {}
    for stage in args.stages:
        if deadline is not None and time.perf_counter() > deadline:
            print(f'{stage:<13} skipped: the --budget of {args.budget:.0f} s is spent', flush=True)
            continue
        results[stage] = bench_stages.measure(bench, stage)
    return results


def training_loss(summary: dict) -> float:
    "The last logged training loss of a stage's summary: `lam/loss` or `<stage>/mse`."
    return next(v for k, v in summary.items() if k.split('/')[1] in ('loss', 'mse'))


def same_losses(eager: dict, compiled: dict, tolerance: float) -> bool:
    "Whether every stage timed both ways ended with the same training loss, within `tolerance` (relative)."
    ok = True
    for stage in [s for s in compiled if s in eager]:
        if eager[stage] is None or compiled[stage] is None: continue
        a, b = training_loss(eager[stage]['summary']), training_loss(compiled[stage]['summary'])
        close = abs(a - b) <= tolerance * abs(a)
        print(f'{stage:<13} last training loss eager {a:.6g}, compiled {b:.6g}: {"same" if close else "DIFFERENT"} '
              f'within {tolerance:.0%}', flush=True)
        ok &= close
    return ok


def collect(args, root: Path, distractors: str) -> Path:
    "`args.trajectories` cheetah-run trajectories of a stand-in policy, at the preset's frame size."
    return collect_dataset(root / 'e2e_data' / 'full.hdf5', TASK, distractors, args.trajectories,
                           preset(args.preset).data.img_hw, expert=random_linear_expert(TASK), max_steps=args.length,
                           workers=1 if args.tiny else None, progress=False)


def e2e_config(args, data: Path, distractors: str):
    "LAOM+supervision at the preset's model sizes, cut to the check's data, updates and episodes."
    updates = {f'{stage}__{key}': value for stage in E2E_STAGES
               for key, value in (('total_updates', args.e2e_updates), ('num_epochs', None))}
    return preset(args.preset, 'laom_sup', data__data_path=str(data), data__task=TASK, data__distractors=distractors,
                  data__num_trajectories=args.trajectories, data__label_budget=min(4, args.trajectories),
                  data__episode_length=args.length, eval__eval_episodes=args.episodes, **updates)


def missing_outputs(row: dict, episodes: int) -> list[str]:
    "What the end-to-end run should have left and did not: each stage's model and summary, the returns."
    missing = [f'{Path(run).name}/{name}' for run in row['runs'] for name in (MODEL_FILE, 'summary.json')
               if not (Path(run) / name).exists()]
    if len(row['runs']) != len(E2E_STAGES): missing.append(f'{len(E2E_STAGES)} stages (got {len(row["runs"])})')
    if len(row.get('eval/returns', [])) != episodes: missing.append(f'{episodes} evaluation returns')
    return missing


def end_to_end(args, root: Path, data: Path, distractors: str) -> bool:
    "One LAOM+supervision run through `run_experiment`; False if an output is missing."
    start = time.perf_counter()
    row = run_experiment(e2e_config(args, data, distractors), root / 'e2e_runs',
                         StageOptions(progress=False, eval_samples=EVAL_SAMPLES))
    wall = time.perf_counter() - start
    rates = ', '.join(f"{s} {row[f'{s}/throughput']:.0f}/s" for s in E2E_STAGES if f'{s}/throughput' in row)
    print(f"end to end (laom_sup, {args.e2e_updates} updates per stage, {args.episodes} episodes): {wall:.1f} s; "
          f"{rates}; return {row['eval/return_mean']:.1f} (normalised {row['normalized_return']:.3f})", flush=True)
    missing = missing_outputs(row, args.episodes)
    print('end to end: ' + (f"every stage's outputs exist ({len(row['runs'])} stages, model and summary each)" if not missing
                            else f'MISSING {missing}'), flush=True)
    return not missing


def collected_end_to_end(args, root: Path, device) -> bool:
    "Collect the trajectories and run LAOM+supervision on them; False (reported, the check goes on) if anything failed."
    distractors = preset(args.preset).data.distractors
    try:
        collected = collect(args, root, distractors)
        print(f'loader regime: {regime(collected, device)} for the collected {collected.name} '
              f'({args.trajectories} x {args.length} steps, {distractors})', flush=True)
        return end_to_end(args, root, collected, distractors)
    except Exception as e:   # the compiled timings that follow still say something
        traceback.print_exc()
        print(f'end to end: FAILED: {type(e).__name__}: {str(e)[:300]}', flush=True)
        return False


def main():
    args = parse_args()
    start = time.perf_counter()
    device = StageOptions().torch_device
    name = torch.cuda.get_device_name(device) if device.type == 'cuda' else 'cpu'
    peak = peak_tflops(device)
    print(f"gpu check: preset {args.preset}, {name} (dense bf16 peak {f'{peak:.0f} TFLOP/s' if peak else 'unknown'}), "
          f'torch {torch.__version__}, compiled with {args.compile if args.compile is not True else "inductor"}', flush=True)
    with tempfile.TemporaryDirectory(prefix='laom_gpu_check_') as tmp:
        root = args.root or Path(tmp)
        bench_data = bench_stages.dataset(bench_args(args, root, False))
        print(f'loader regime: {regime(bench_data, device)} for {bench_data.name}', flush=True)
        models = {}
        eager = throughput(args, root, bench_data, False, models)
        ok = collected_end_to_end(args, root, device)
        compiled = throughput(args, root, bench_data, args.compile, models, deadline=start + args.budget)
        ok &= all(r is not None for r in (eager | compiled).values())
        ok &= same_losses(eager, compiled, LOSS_TOLERANCE)
    print(f'gpu check {"passed" if ok else "FAILED"} in {time.perf_counter() - start:.0f} s', flush=True)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
