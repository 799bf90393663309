"""The AWS emulator: moto's server in its own process on 127.0.0.1.

Its own process (not a thread) so Terraform, the apps and the tests all talk to it over HTTP exactly
as they would to AWS, and so stopping it frees every resource it held.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import IO

from devtools.devstack import processes

__all__ = ["EMULATOR_PORT", "Emulator", "EmulatorError", "free_port"]

# The emulator's fixed port under `make dev` (docker-compose.yml publishes the same). It is started
# before Terraform runs, so it cannot live in the apps map with the apps' ports
# (terraform/modules/platform/main.tf).
EMULATOR_PORT = 4566


class EmulatorError(RuntimeError):
    """The emulator did not start or stopped unexpectedly."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class Emulator:
    """moto's server as a subprocess: `with Emulator() as emu: ... emu.endpoint ...`."""

    def __init__(
        self,
        port: int | None = None,
        *,
        host: str = "127.0.0.1",
        python: str = sys.executable,
        log_path: Path | None = None,
        env: dict[str, str] | None = None,
        startup_timeout: float = 30.0,
    ) -> None:
        self.host = host
        self.port = port if port is not None else free_port(host)
        self._python = python
        self._log_path = log_path
        self._extra_env = env or {}
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def endpoint(self) -> str:
        """Base URL to pass as the AWS endpoint (boto3 `endpoint_url`, Terraform `endpoints`)."""
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> Emulator:
        """Start the server and block until it answers HTTP."""
        if self.running:
            return self
        env = {**os.environ, **self._extra_env}
        # Fake credentials and a region: moto needs none, but boto3 inside moto's server may look.
        env.setdefault("AWS_ACCESS_KEY_ID", "test")
        env.setdefault("AWS_SECRET_ACCESS_KEY", "test")
        env.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
        if self._log_path is not None:
            self._log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = self._log_path.open("ab")
        out: IO[bytes] | int = self._log if self._log is not None else subprocess.DEVNULL
        self._process = subprocess.Popen(
            [self._python, "-m", "devtools.devstack.moto_server", "-H", self.host, "-p", str(self.port)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            # Out of the terminal's process group: Ctrl-C must not stop it before the pollers using it;
            # so it must die with its parent instead.
            process_group=0,
            preexec_fn=processes.die_with_parent,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        # Poll the control API: it answers as soon as the WSGI app serves requests.
        deadline = time.monotonic() + self._startup_timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise EmulatorError(
                    f"moto server exited with code {self._process.returncode} during startup "
                    f"(port {self.port}); see {self._log_path or 'its output (pass log_path=)'}"
                )
            try:
                if self._request("GET", "/moto-api/", timeout=1.0) == 200:
                    return
            except OSError:  # refused or timed out: not listening yet
                pass
            time.sleep(0.1)
        raise EmulatorError(f"moto server did not answer on {self.endpoint} within {self._startup_timeout}s")

    def reset(self) -> None:
        """Forget every resource in every service (the emulator stays up)."""
        status = self._request("POST", "/moto-api/reset", timeout=10.0)
        if status != 200:
            raise EmulatorError(f"reset failed with HTTP {status}")

    def _request(self, method: str, path: str, timeout: float) -> int:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.request(method, path)
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the server; kill it if it does not exit within `timeout` seconds."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
