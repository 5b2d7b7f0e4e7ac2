"""Samples/s of every training stage at a preset, through the library's own training code, on a synthetic dataset.

Each stage trains for `--warmup` + `--updates` updates through the library's own stage functions
(`laom.stages`, every one run by `laom.stages.runner.run_stage`); the warm-up updates are not timed.
One line per stage gives samples/s and the shares of the timed wall time that `fit` logs as spent on data,
compute (forward, backward, optimiser; GPU work is waited for on logging steps) and logging, the FLOP rate (one
update's FLOPs per sample from torch's FLOP counter, `laom.train.fit(count_flops=True)`, times samples/s) with its
share of the GPU's dense bf16 peak where `laom.train.PEAK_BF16_TFLOPS` lists the GPU, then peak GPU memory.

    python benchmarks/stage_throughput.py --preset tiny                       # seconds, any machine
    python benchmarks/stage_throughput.py --preset cpu --updates 10 --warmup 2
    python benchmarks/stage_throughput.py --preset paper --updates 30 --warmup 5 --compare lam_laom
    python benchmarks/stage_throughput.py --preset paper --updates 30 --warmup 5 --compile      # torch.compile (inductor)

Stages: lam_lapo, lam_laom, lam_laom_sup (stage 1 of each latent-action method), latent_bc (labels from a fresh,
frozen LAOM LAM: the same cost as a trained one), decoder (on the latent BC actor; latents cached first, as in the
pipeline), idm, bc (true actions) and bc_relabel (the IDM baseline's BC, labels from the IDM). `--precision fp32`
turns off bf16 autocast and, with it, channels_last (the library ties the two); `--compare STAGE...` times those
stages again at the other precision and prints the bf16/fp32 ratio. `--compile [BACKEND]` compiles each stage's
model (`laom.stages.StageOptions.compile`); its compilation falls in the warm-up, which must then be at least 2
updates (the FLOP count is taken on the second update, under the counter; keep it untimed too). For LAOM+supervision samples are the unlabeled
batch only (the labeled batch of `lam.labeled_batch_size`, from the first `data.label_budget` trajectories,
comes on top). The labeled stages read the same synthetic file as the unlabeled ones (all of its trajectories
are "labeled"): sizes, not data, set the cost. Wall times include each stage's held-out scoring.

On CUDA the loaders send their small host arrays (indices, actions, states) through pinned memory without
blocking (`laom.loaders.to_device`), so the data share is the loader's own time: 1-2 % at the paper preset on an
H200 (it read 21-75 % while those copies came from pageable memory and waited for the previous update's kernels).
"""
import argparse
import gc
import tempfile
import time
import traceback
from pathlib import Path

import torch

from laom.config import PRESETS, preset
from laom.data import open_dataset
from laom.synthetic import make_synthetic_dataset
from laom.methods.build import make_lam
from laom.stages import StageOptions, stage_run, train_action_decoder, train_bc, train_idm, train_lam, train_latent_bc
from laom.tracking import read_metrics, read_summary
from laom.train import peak_tflops

LAM_METHODS = ('lapo', 'laom', 'laom_sup')
STAGES = tuple(f'lam_{m}' for m in LAM_METHODS) + ('latent_bc', 'decoder', 'idm', 'bc', 'bc_relabel')
NEEDS = {'decoder': 'latent_bc', 'bc_relabel': 'idm'}   # a stage trained on the model of another


class Bench:
    "What every stage shares: the data file, the preset, the run root, the update counts and the precision."
    def __init__(self, args, data: Path, root: Path, bf16: bool):
        self.args, self.data, self.root, self.bf16 = args, data, root, bf16
        self.updates = args.warmup + args.updates
        self.options = StageOptions(device=args.device, bf16=bf16, regime=args.regime, log_every=args.warmup or self.updates,
                                    checkpoint_every=10 ** 9, progress=args.progress, compile=args.compile, count_flops=True,
                                    eval_samples=args.eval_samples)
        self.models = {}   # trained models later stages build on (latent_bc -> decoder, idm -> bc_relabel)

    def config(self, method: str = 'laom'):
        "The preset for `method`, every stage cut to the benchmark's updates, at this precision and frame size."
        counts = {f'{s}__{k}': v for s in ('lam', 'latent_bc', 'decoder', 'idm', 'bc', 'full_bc')
                  for k, v in (('total_updates', self.updates), ('num_epochs', None))}
        return preset(self.args.preset, method, bf16=self.bf16, device=self.args.device, data__img_hw=self.args.img_hw,
                      **counts)

    def run(self, stage: str, cfg, **inputs):
        "A fresh run directory: `stage` names the metrics (`<stage>/throughput`), the inputs keep runs apart."
        return stage_run(self.root, stage, cfg, bf16=self.bf16, **inputs)


def lam(bench: Bench, method: str):
    "Stage 1 of `method` (`laom.stages.train_lam`) for the benchmark's updates; its run."
    cfg = bench.config(method)
    run = bench.run('lam', cfg.lam, method=method)
    train_lam(run, cfg, bench.data, bench.data, options=bench.options)
    return run


def latent_bc(bench: Bench):
    cfg = bench.config()
    with open_dataset(bench.data) as ds: action_dim = ds.action_dim
    lam = make_lam(cfg, bench.args.img_hw, action_dim).to(bench.options.torch_device).eval().requires_grad_(False)
    run = bench.run('latent_bc', cfg.latent_bc)
    bench.models['latent_bc'] = train_latent_bc(run, cfg.latent_bc, bench.data, lam, options=bench.options).model
    return run

def decoder(bench: Bench):
    cfg = bench.config()
    run = bench.run('decoder', cfg.decoder)
    train_action_decoder(run, cfg.decoder, bench.data, bench.models['latent_bc'], options=bench.options)
    return run

def idm(bench: Bench):
    cfg = bench.config('idm')
    run = bench.run('idm', cfg.idm)
    bench.models['idm'] = train_idm(run, cfg.idm, bench.data, options=bench.options).model
    return run

def bc(bench: Bench):
    cfg = bench.config('bc')
    run = bench.run('bc', cfg.bc, labels='true')
    train_bc(run, cfg.bc, bench.data, options=bench.options)
    return run

def bc_relabel(bench: Bench):
    cfg = bench.config('idm')
    run = bench.run('bc', cfg.full_bc, labels='idm')
    train_bc(run, cfg.full_bc, bench.data, action_labeler=bench.models['idm'], options=bench.options)
    return run

TRAIN = {**{f'lam_{m}': (lambda b, m=m: lam(b, m)) for m in LAM_METHODS}, 'latent_bc': latent_bc,
         'decoder': decoder, 'idm': idm, 'bc': bc, 'bc_relabel': bc_relabel}


def timed_split(run, warmup: int) -> dict:
    "Samples/s and data / compute / log shares over the logged windows after the warm-up, weighted by their time."
    rows = [r for r in read_metrics(run.metrics_path) if r['step'] > warmup]
    if not rows: raise RuntimeError(f'{run.metrics_path}: no window logged after the {warmup} warm-up updates')
    steps = [r['step'] - p for r, p in zip(rows, [warmup] + [r['step'] for r in rows[:-1]])]
    seconds = [n / r[f'{run.stage}/throughput'] for n, r in zip(steps, rows)]   # per sample of the batch
    total = sum(seconds)
    split = {part: sum(s * r[f'{run.stage}/{part}_time_frac'] for s, r in zip(seconds, rows)) / total
             for part in ('data', 'compute', 'log')}
    return {'samples_per_s': sum(steps) / total, **split}


def flop_rate(summary: dict, stage: str, samples_per_s: float, device) -> dict:
    "GFLOP per sample (from the stage's summary), GFLOP/s at `samples_per_s`, its share of `device`'s bf16 peak (None if unknown)."
    gflop = summary[f'{stage}/gflop_per_sample']
    peak = peak_tflops(device)
    return {'gflop_per_sample': gflop, 'gflop_per_s': gflop * samples_per_s,
            'of_peak': None if peak is None else gflop * samples_per_s / (peak * 1e3)}


def label(bench: Bench) -> str:
    "The precision and, when compiled, the backend: 'bf16', 'fp32+inductor', ..."
    backend = {True: 'inductor', False: None}.get(bench.args.compile, bench.args.compile)
    return ('bf16' if bench.bf16 else 'fp32') + (f'+{backend}' if backend else '')


def describe(stage: str, bench: Bench, result: dict) -> str:
    "One line of `measure`'s results."
    of_peak = f" ({result['of_peak']:.1%} of bf16 peak)" if result['of_peak'] is not None else ''
    peak = f"peak {result['peak_gib']:6.2f} GiB  " if result['peak_gib'] is not None else ''
    return (f"{stage:<13} {label(bench)}  {result['samples_per_s']:>9.1f}/s  data {result['data']:>4.0%}  "
            f"compute {result['compute']:>4.0%}  log {result['log']:>4.0%}  {result['gflop_per_sample']:.3g} GFLOP/sample "
            f"{result['gflop_per_s']:>9.4g} GFLOP/s{of_peak}  {peak}(wall {result['wall_s']:.1f} s, model building included)")


def measure(bench: Bench, stage: str) -> dict | None:
    "Train `stage`; its timed split, FLOP rate, peak GPU memory, wall time and summary; None (reported) if it failed."
    device = bench.options.torch_device
    cuda = device.type == 'cuda'
    if cuda: torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    try:
        run = TRAIN[stage](bench)
        result = timed_split(run, bench.args.warmup) | {'summary': read_summary(run)}
        result |= flop_rate(result['summary'], run.stage, result['samples_per_s'], device)
    except Exception as e:   # one failing stage (out of memory, say) must not cost the others their numbers
        traceback.print_exc()
        print(f'{stage:<13} {label(bench)}  FAILED: {type(e).__name__}: {str(e)[:200]}', flush=True)
        return None
    finally: gc.collect()
    result |= {'wall_s': time.perf_counter() - start,
               'peak_gib': torch.cuda.max_memory_allocated() / 2 ** 30 if cuda else None}
    print(describe(stage, bench, result), flush=True)
    return result


def dataset(args) -> Path:
    "The synthetic file of the asked sizes under --data-dir, made once and reused."
    path = args.data_dir / f'square-{args.trajectories}x{args.length}-{args.img_hw}px-a{args.action_dim}.hdf5'
    if not path.exists():
        args.data_dir.mkdir(parents=True, exist_ok=True)
        make_synthetic_dataset(path, args.trajectories, args.length, args.img_hw, args.state_dim, args.action_dim)
    return path


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--preset', choices=tuple(PRESETS), default='cpu')
    p.add_argument('--stages', nargs='+', choices=STAGES, default=list(STAGES))
    p.add_argument('--updates', type=int, default=20, help='timed updates per stage')
    p.add_argument('--warmup', type=int, default=5, help='untimed updates before them (also the logging window)')
    p.add_argument('--precision', choices=('bf16', 'fp32'), default='bf16',
                   help='bf16: bf16 autocast + channels_last; fp32: neither')
    p.add_argument('--compare', nargs='*', choices=STAGES, default=[],
                   help='time these stages again at the other precision and print the bf16/fp32 ratio')
    p.add_argument('--compile', nargs='?', const=True, default=False, metavar='BACKEND',
                   help="torch.compile each stage's model (inductor, or the backend named, e.g. aot_eager)")
    p.add_argument('--device', default='auto', help="'auto' (cuda when available), 'cuda' or 'cpu'")
    p.add_argument('--regime', default='auto', help="where the frames live: 'auto', 'device', 'ram' or 'disk'")
    p.add_argument('--img-hw', type=int, help="frame size (default: the preset's data.img_hw)")
    p.add_argument('--trajectories', type=int, default=20)
    p.add_argument('--length', type=int, default=500, help='steps per trajectory')
    p.add_argument('--action-dim', type=int, default=6, help='6 and 17 are cheetah-run sizes')
    p.add_argument('--state-dim', type=int, default=17)
    p.add_argument('--data-dir', type=Path, default=Path(tempfile.gettempdir()) / 'laom_stage_bench')
    p.add_argument('--eval-samples', type=int, default=StageOptions.eval_samples,
                   help='held-out transitions each stage scores after training (in the wall time, not in samples/s)')
    p.add_argument('--threads', type=int, help='torch CPU threads (default: torch decides)')
    p.add_argument('--progress', action='store_true', help='progress bars per stage')
    args = p.parse_args()
    args.img_hw = args.img_hw or preset(args.preset).data.img_hw
    if args.updates < 1 or args.warmup < 0: p.error('--updates must be >= 1 and --warmup >= 0')
    if args.compile and args.warmup < 2: p.error('--compile needs --warmup >= 2: compiling and the FLOP count take 2 updates')
    for stage, needed in NEEDS.items():
        if stage in args.stages + args.compare and needed not in args.stages:
            p.error(f'{stage} trains on the model of {needed}: add {needed} to --stages (before it)')
    return args


def main():
    args = parse_args()
    if args.threads: torch.set_num_threads(args.threads)
    data, bf16 = dataset(args), args.precision == 'bf16'
    device = StageOptions(device=args.device).torch_device
    name = torch.cuda.get_device_name(device) if device.type == 'cuda' else f'cpu, {torch.get_num_threads()} threads'
    peak = peak_tflops(device)
    name += f' (dense bf16 peak {peak:.0f} TFLOP/s)' if peak else ' (peak unknown: GFLOP/s only)'
    print(f'preset {args.preset}, {name}, torch {torch.__version__}, {data.name}, {args.warmup} warm-up + '
          f'{args.updates} timed updates per stage', flush=True)
    with tempfile.TemporaryDirectory(prefix='laom_stage_bench_runs_') as root:
        bench = Bench(args, data, Path(root), bf16)
        results = {s: measure(bench, s) for s in sorted(args.stages, key=STAGES.index)}
        other = Bench(args, data, Path(root), not bf16)
        other.models = bench.models
        for stage in sorted(args.compare, key=STAGES.index):
            again = measure(other, stage)
            if results.get(stage) and again:
                bf16_rate, fp32_rate = ((results[stage], again) if bf16 else (again, results[stage]))
                print(f"{stage:<13} bf16/fp32 = {bf16_rate['samples_per_s'] / fp32_rate['samples_per_s']:.2f}x", flush=True)


if __name__ == '__main__':
    main()
