"""Starting and stopping the gunicorn servers the benchmarks measure and the fault and browser
tests use (loopback only)."""
import http.client
import os
import signal
import socket
import subprocess
import time


def free_port() -> int:
    """A TCP port nobody listens on now, on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_ready(process: subprocess.Popen, port: int, log, seconds: float = 30):
    """Wait for /healthz to answer 200; returns (process, port, log) or raises with the log."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return process, port, log
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"gunicorn did not answer /healthz within {seconds:.0f} s:\n{log.read_text()}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM (gunicorn's graceful stop), then SIGKILL if it lingers; only our own process group."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
