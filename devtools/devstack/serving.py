"""A stdlib HTTP server run as a child of `make dev` (the issuer's keys), served until it is told to
stop."""

from __future__ import annotations

import signal
from http.server import HTTPServer
from types import FrameType


def serve_until_stopped(server: HTTPServer) -> int:
    """Serve until SIGINT or SIGTERM (what `make dev` sends its children), then close the socket;
    the exit code, 0."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
