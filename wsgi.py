"""Entry point for gunicorn: ``gunicorn wsgi:app``."""
import os

# One BLAS thread per worker: counting runs inside a web worker, and OpenBLAS's default of a
# thread per core made the same count up to 10x slower whenever the other workers were busy.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

from app import create_app  # noqa: E402

app = create_app()
