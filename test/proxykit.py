"""Real proxies nobody here wrote, run on loopback for the tests: pproxy, tinyproxy and squid.

Each runner starts its own instance on an ephemeral loopback port with its
own configuration file in a scratch directory, waits until it accepts
connections, yields its port, and stops it afterwards. pproxy comes from
PyPI (the test extra); tinyproxy and squid from the system's packages
(Debian: ``apt-get install tinyproxy squid``), and ``available`` says
whether they are installed. None of them touches a system service or a
default port.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

#: Longest a proxy may take to start listening.
START_SECONDS = 20.0

#: Every proxy these tests run, by the name tests are parametrized with.
FORWARDING_PROXIES = ("pproxy", "tinyproxy", "squid")

_EXECUTABLES = {"tinyproxy": "tinyproxy", "squid": "squid"}


def free_port() -> int:
    """Return a loopback port nothing listens on (for a server about to bind it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def available(kind: str) -> bool:
    """Whether the proxy ``kind`` can run here (pproxy always; the others when installed)."""
    executable = _EXECUTABLES.get(kind)
    return executable is None or _find(executable) is not None


def _find(executable: str) -> str | None:
    # squid lives in /usr/sbin, which a non-root PATH may lack.
    return shutil.which(executable) or shutil.which(executable, path="/usr/sbin:/usr/bin")


@contextlib.contextmanager
def _running(command: list[str], port: int) -> Iterator[int]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{command[0]} did not start") from None
                time.sleep(0.02)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@contextlib.contextmanager
def pproxy(*, credentials: str | None = None, tls: tuple[str, str] | None = None) -> Iterator[int]:
    """Run pproxy's HTTP proxy (forwarding and CONNECT) on loopback; yield its port.

    Args:
        credentials: ``user:password`` it requires (it answers 407 without them).
        tls: ``(certificate file, key file)``: listen as an ``https://`` proxy.
    """
    port = free_port()
    scheme = "http+ssl" if tls else "http"
    listen = f"{scheme}://127.0.0.1:{port}" + (f"#{credentials}" if credentials else "")
    # ``--auth 0``: ask for credentials on every request, never trust an address.
    command = [sys.executable, "-m", "pproxy", "-l", listen, "--auth", "0"]
    if tls:
        command += ["--ssl", ",".join(tls)]
    with _running(command, port):
        yield port


@contextlib.contextmanager
def tinyproxy(*, credentials: tuple[str, str] | None = None) -> Iterator[int]:
    """Run tinyproxy on loopback; yield its port.

    Args:
        credentials: ``(user, password)`` it requires; it answers 401 (with
            ``WWW-Authenticate``, not 407) without them.
    """
    port = free_port()
    with tempfile.TemporaryDirectory() as scratch:
        lines = [
            f"Port {port}",
            "Listen 127.0.0.1",
            "Timeout 30",
            "MaxClients 64",
            "LogLevel Critical",
            "DisableViaHeader Yes",
        ]
        if getattr(os, "geteuid", lambda: -1)() == 0:  # as root it needs someone to become
            lines += ["User nobody", "Group nogroup"]
        if credentials:
            lines.append(f"BasicAuth {credentials[0]} {credentials[1]}")
        config = Path(scratch) / "tinyproxy.conf"
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        executable = _find("tinyproxy") or "tinyproxy"
        with _running([executable, "-d", "-c", str(config)], port):
            yield port


@contextlib.contextmanager
def squid() -> Iterator[int]:
    """Run squid on loopback, caching nothing and logging nowhere; yield its port."""
    port = free_port()
    with tempfile.TemporaryDirectory() as scratch:
        lines = [
            f"http_port 127.0.0.1:{port}",
            "http_access allow all",
            "pid_filename none",
            "cache deny all",
            "cache_mem 8 MB",
            "access_log none",
            "cache_store_log none",
            "cache_log /dev/null",
            f"coredump_dir {scratch}",
            "shutdown_lifetime 0 seconds",
            "via off",
            "forwarded_for delete",
            # No look-up of this machine's name, no ICMP helper.
            "visible_hostname localhost",
            "pinger_enable off",
        ]
        config = Path(scratch) / "squid.conf"
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        executable = _find("squid") or "squid"
        with _running([executable, "-N", "-f", str(config)], port):
            yield port


#: How to run each forwarding proxy with no credentials.
RUNNERS: dict[str, Callable[[], contextlib.AbstractContextManager[int]]] = {
    "pproxy": pproxy,
    "tinyproxy": tinyproxy,
    "squid": squid,
}


@contextlib.contextmanager
def forwarding_proxy(kind: str) -> Iterator[str]:
    """Run the proxy ``kind`` (one of ``FORWARDING_PROXIES``); yield its URL."""
    with RUNNERS[kind]() as port:
        yield f"http://127.0.0.1:{port}"
