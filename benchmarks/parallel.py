"""Run one measuring function in several spawned processes released together by a barrier (shared by the
throughput benchmarks). `measure(*args, barrier=barrier)` must be a module-level function of the calling script."""
import multiprocessing as mp


def _worker(measure, args, barrier, results):
    results.put(measure(*args, barrier=barrier))


def run_in_processes(measure, n: int, *args) -> list:
    "What `measure(*args, barrier=...)` returns in each of `n` spawned processes that start measuring together."
    ctx = mp.get_context('spawn')
    barrier, results = ctx.Barrier(n), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(measure, args, barrier, results)) for _ in range(n)]
    for p in procs: p.start()
    rates = [results.get() for _ in procs]
    for p in procs: p.join()
    return rates
