"""Throughput of `laom.loaders.TransitionLoader` in each regime, next to the machine's memory-copy ceiling.

Builds (once, then reuses) a synthetic moving-square dataset in the official LAOM HDF5 layout under --dir
(never inside the repository), then prints samples/s for batches of obs, next_obs and future_obs, each a stack
of 3 frames of 64x64 RGB (9x64x64 uint8), and the bytes/s that implies.

    python benchmarks/loader_throughput.py                   # ~3 GB file: ram, disk (cold) and device if CUDA
    python benchmarks/loader_throughput.py --gb 30           # a file larger than the page cache holds comfortably

The CPU line shows how many cores the process kept busy: on a machine shared with other work the loader may get
less than the whole CPU, and CPU-ms per batch tells what it would need on its own.

Targets on a 2-core CPU: RAM batches at >= 50 % of the memcpy ceiling; disk >= 10,000 samples/s from a cold
file larger than RAM. "Cold" means the page cache was dropped first (`/proc/sys/vm/drop_caches` as root, or
else `posix_fadvise(DONTNEED)` on the file, which evicts its clean pages); the script says which it used.
"""
import argparse, math, os, time
from pathlib import Path

import numpy as np
import torch

from laom.data import open_dataset
from laom.synthetic import make_synthetic_dataset
from laom.loaders import TransitionLoader, available_ram

TRAJ_LEN, IMG_HW = 1000, 64
FRAME_BYTES = IMG_HW * IMG_HW * 3
SAMPLE_BYTES = 3 * 3 * FRAME_BYTES  # obs, next_obs and future_obs, three frames each


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--dir', type=Path, default=Path('/tmp/laom_bench'), help='where the synthetic file lives')
    p.add_argument('--gb', type=float, default=3.0, help='size of the frames in the synthetic file (GB)')
    p.add_argument('--ram-gb', type=float, default=4.0, help='at most this many GB of frames go to RAM/GPU')
    p.add_argument('--batch-size', type=int, default=512)
    p.add_argument('--max-offset', type=int, default=10, help='K: o_{t+k} with k in 1..K (10 for LAPO/LAOM)')
    p.add_argument('--batches', type=int, default=20, help='batches per timed window')
    p.add_argument('--windows', type=int, default=3, help='timed windows per regime; the median is reported')
    p.add_argument('--regimes', nargs='+', default=['device', 'ram', 'disk'])
    p.add_argument('--io-threads', type=int, default=32)
    p.add_argument('--prefetch', type=int, default=4)
    p.add_argument('--remove', action='store_true', help='delete the synthetic file afterwards')
    return p.parse_args()


def dataset_file(directory: Path, gb: float) -> Path:
    "The synthetic dataset of about `gb` GB of frames, built unless it already exists."
    num = max(1, math.ceil(gb * 1e9 / (TRAJ_LEN * FRAME_BYTES)))
    path = directory / f'synthetic-{num}x{TRAJ_LEN}-{IMG_HW}px.hdf5'
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        make_synthetic_dataset(path, num, TRAJ_LEN, IMG_HW, state_dim=17, action_dim=6, seed=0)
        print(f'built {path} ({path.stat().st_size / 1e9:.1f} GB) in {time.perf_counter() - start:.0f} s')
    return path


def memcpy_bandwidth(nbytes: int = 1 << 30, repeats: int = 5) -> float:
    "Bytes/s of np.copyto between two large preallocated arrays (best of `repeats`)."
    src, dst = np.ones(nbytes, np.uint8), np.zeros(nbytes, np.uint8)
    np.copyto(dst, src)
    best = min(_timed(lambda: np.copyto(dst, src)) for _ in range(repeats))
    return nbytes / best


def _timed(fn) -> float:
    start = time.perf_counter(); fn()
    return time.perf_counter() - start


def drop_page_cache(path: Path) -> str:
    "Evict the file from the page cache; returns how."
    os.sync()
    try:
        with open('/proc/sys/vm/drop_caches', 'w') as f: f.write('3\n')
        return 'dropped all caches (/proc/sys/vm/drop_caches)'
    except OSError:
        fd = os.open(path, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)
        return "evicted the file's pages (posix_fadvise DONTNEED)"


def disk_read_bytes() -> int:
    "Bytes this process has caused to be read from storage (/proc/self/io), 0 where unavailable."
    try:
        with open('/proc/self/io') as f:
            return next(int(l.split()[1]) for l in f if l.startswith('read_bytes:'))
    except (OSError, StopIteration):
        return 0


def time_loader(loader, batches: int, windows: int) -> tuple[list[float], float, float]:
    "Samples/s of each of `windows` windows of `batches` batches; storage bytes read and CPU seconds per second."
    warm_until, warmed = time.perf_counter() + 2.0, 0  # warm-up: fills the prefetch queue and the buffer pool
    while warmed < 3 * (loader.prefetch + 4) or time.perf_counter() < warm_until: batch = next(loader); warmed += 1
    rates, read0, cpu0, begin = [], disk_read_bytes(), time.process_time(), time.perf_counter()
    for _ in range(windows):
        start = time.perf_counter()
        for _ in range(batches): batch = next(loader)
        if loader.device.type == 'cuda': torch.cuda.synchronize()
        rates.append(batches * loader.batch_size / (time.perf_counter() - start))
    assert batch.obs.shape == (loader.batch_size, 9, IMG_HW, IMG_HW)
    seconds = time.perf_counter() - begin
    return rates, (disk_read_bytes() - read0) / seconds, (time.process_time() - cpu0) / seconds


def ram_subset(path: Path, ram_gb: float) -> list[int]:
    "The first trajectories whose frames fit in `ram_gb` GB."
    with open_dataset(path) as ds:
        return list(range(max(1, min(len(ds), int(ram_gb * 1e9 // (TRAJ_LEN * FRAME_BYTES))))))


def run_regime(regime, path, args, ceiling):
    device = 'cuda' if regime == 'device' else 'cpu'
    subset = None if regime == 'disk' else ram_subset(path, args.ram_gb)
    how = drop_page_cache(path) if regime == 'disk' else ''
    start = time.perf_counter()
    loader = TransitionLoader(path, args.batch_size, max_offset=args.max_offset, regime=regime, device=device,
                              trajectories=subset, prefetch=args.prefetch, io_threads=args.io_threads)
    load_s = time.perf_counter() - start
    with loader:
        rates, read_s, cores = time_loader(loader, args.batches, args.windows)
    samples_s = float(np.median(rates))
    out_bytes = samples_s * SAMPLE_BYTES
    print(f'{regime:>6}: {samples_s:9,.0f} samples/s  {out_bytes / 1e9:6.2f} GB/s of batches '
          f'({100 * out_bytes / ceiling:5.1f} % of memcpy)  [windows: {", ".join(f"{r:,.0f}" for r in rates)}]  '
          f'setup {load_s:.1f} s, {len(subset) if subset else "all"} trajectories'
          f'\n        CPU: {cores:.2f} cores busy, {1e3 * cores * args.batch_size / samples_s:.1f} CPU-ms per batch'
          + (f'\n        storage reads {read_s / 1e9:.2f} GB/s; {how}' if regime == 'disk' else ''))


def main():
    args = parse_args()
    torch.set_num_threads(os.cpu_count())
    path = dataset_file(args.dir, args.gb)
    size, ram = path.stat().st_size, available_ram()
    ceiling = memcpy_bandwidth()
    print(f'file {path}: {size / 1e9:.1f} GB; RAM available {ram / 1e9:.1f} GB; {os.cpu_count()} CPUs; '
          f'batch {args.batch_size}, K = {args.max_offset}, 3 x (9 x {IMG_HW} x {IMG_HW}) uint8 per sample')
    print(f'memcpy ceiling (np.copyto, 1 GiB): {ceiling / 1e9:.2f} GB/s; load average {os.getloadavg()[0]:.1f}')
    for regime in args.regimes:
        if regime == 'device' and not torch.cuda.is_available():
            print('device: skipped (no CUDA)'); continue
        run_regime(regime, path, args, ceiling)
    if args.remove: path.unlink()


if __name__ == '__main__':
    main()
