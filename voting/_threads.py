"""One BLAS thread inside voting, whatever the host sets.

The counting is sparse and sequential: a second OpenBLAS thread only spins (it doubled our CPU
time and, on a loaded 2-core server, made a count 1.4-2x slower). Every public entry point
runs under :func:`single_blas`; the host's own setting is restored afterwards.
"""
from __future__ import annotations

import functools
import threading

_lock = threading.Lock()
_controller = None
_depth = threading.local()


def _get_controller():
    global _controller
    with _lock:
        if _controller is None:
            import scipy.linalg  # noqa: F401  (SciPy's own BLAS: loaded now, so it is limited too)
            from threadpoolctl import ThreadpoolController
            _controller = ThreadpoolController()
        return _controller


def single_blas(fn):
    """Decorator: run ``fn`` with BLAS limited to one thread (nesting is cheap)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if getattr(_depth, "n", 0):
            return fn(*args, **kwargs)
        _depth.n = 1
        try:
            with _get_controller().limit(limits=1, user_api="blas"):
                return fn(*args, **kwargs)
        finally:
            _depth.n = 0
    return wrapper


def blas_threads() -> list[int]:
    """Threads of every loaded BLAS library (for tests)."""
    from threadpoolctl import threadpool_info
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
