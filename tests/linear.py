"""Linear time shown without a wall-clock limit: the same work at n and at 8n units, measured side
by side in CPU time (other processes on a busy machine do not count), must grow by less than
a quadratic step would (64×). The ratio is generous (24×, linear is 8×) and a failure is measured
twice more before it is believed, so a noisy machine cannot fail the test, a blow-up always does."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

GROWTH = 8  # the large run does GROWTH times the units of the small one
ALLOWED = 3 * GROWTH  # linear costs at most GROWTH times as much; quadratic GROWTH²
JITTER_S = 0.005  # CPU-time noise of a run of a few milliseconds


def cpu_time(work: Callable[[], object]) -> float:
    """CPU seconds of one run, with Python's cycle collector paused (its passes grow with the
    heap, not with the work measured)."""
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        work()
        return time.process_time() - start
    finally:
        gc.enable()


def costs(work: Callable[[int], object], n: int) -> tuple[float, float]:
    """CPU seconds of work(n) and work(GROWTH * n), best of up to three side-by-side runs."""
    small = large = float("inf")
    for _ in range(3):
        small = min(small, cpu_time(lambda: work(n)))
        large = min(large, cpu_time(lambda: work(GROWTH * n)))
        if large <= ALLOWED * small + JITTER_S:
            break
    return small, large


def assert_linear(work: Callable[[int], object], n: int) -> None:
    small, large = costs(work, n)
    assert large <= ALLOWED * small + JITTER_S, (
        f"{GROWTH}× the input cost {large / small if small else float('inf'):.1f}× the time "
        f"({small:.4f} s → {large:.4f} s): not linear")
