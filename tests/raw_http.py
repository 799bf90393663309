"""Raw HTTP/1.1 over a socket, for requests no client library would send (malformed, dribbled, chunked
by hand): what a hostile or careless client puts on the wire."""

from __future__ import annotations

import socket
import time


def send_raw(address: tuple[str, int], request: bytes, *, pace: float = 0, timeout: float = 8) -> bytes:
    """Send `request` (one byte every `pace` seconds when set) and return everything the server
    answers until it closes the connection or stays quiet for `timeout` seconds."""
    with socket.create_connection(address, timeout=timeout) as sock:
        if pace:
            for byte in request:  # a client that dribbles its request one byte at a time
                try:
                    sock.sendall(bytes([byte]))
                except OSError:
                    break
                time.sleep(pace)
        else:
            sock.sendall(request)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return received
