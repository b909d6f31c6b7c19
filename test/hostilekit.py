"""A server that misbehaves at random, and the promises a call keeps against it.

Shared by ``test/test_hostile_server.py`` (small, derandomized, on every run)
and ``scripts/reliability_report.py`` (large). Hypothesis draws everything a
server controls: the status line (with interim ``1xx`` answers before the
final one), header names and values (``Retry-After``, ``Location``,
``Content-Length``, ``Content-Encoding``, ``Transfer-Encoding``,
``Content-Type``, odd bytes, very long, very many), the framing of the body
(exact, short, long, chunked well and badly, close-delimited, endless, silent,
trickling one byte at a time inside the read timeout,
reset) and its compression (gzip, deflate, corrupt, a bomb). Every operation
is called against it, GET, POST, PUT and DELETE alike, and each call must:

* raise nothing but this SDK's exceptions;
* send the request as often as the retry rules allow, and a POST more than
  once only after a 429;
* report ``outcome_unknown`` exactly, and the status it was really given;
* end within the time limit;
* hold no more than ``max_response_size`` plus a small constant, and read no
  more than that from the server;
* leave no secret (the access token, a header set for every request, a
  secret in the body) in any message, ``repr``, log record or exception
  chain, and send none of them to another origin on a redirect.

``check_answers`` holds the properties; ``run_hostile_server(examples)``
runs them over ``examples`` generated servers and counts what it saw.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gzip
import itertools
import json
import logging
import socket
import threading
import time
import tracemalloc
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from conftest import KEY, KEY_CREDENTIALS, USER
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from servers import RawServer, Reply, ScriptedServer

from katanemo_identity import (
    ApiClient,
    ApiConnectionError,
    ApiDecodeError,
    ApiException,
    ApiTypeError,
    ApiValueError,
    ClientKeyRequest,
    Configuration,
    IdentityApi,
    OpenApiException,
    UserRequest,
)
from katanemo_identity.retry import (
    IDEMPOTENT_METHODS,
    MAX_REDIRECTS,
    REDIRECT_STATUSES,
    RETRY_STATUSES,
)

# -- The client's side of every example ---------------------------------------

#: The secrets a call must never show: the caller's own ...
ACCESS_TOKEN = "hostile-access-t0ken-s3cr3t"
API_KEY = "hostile-api-key-s3cr3t"
COOKIE = "hostile-cookie-s3cr3t"
#: ... and the ones the server sends in secret fields of a body.
CLIENT_SECRET = str(KEY_CREDENTIALS["clientSecret"])
USER_TOKEN = str(USER["token"])
SECRETS = (ACCESS_TOKEN, API_KEY, COOKIE, CLIENT_SECRET, USER_TOKEN)
#: The caller's secrets: the ones that must never reach another origin.
CALLER_SECRETS = (ACCESS_TOKEN, API_KEY, COOKIE)

#: Retries allowed per call.
RETRIES = 2
#: Largest body the client holds: small, so that "too large" is cheap to reach.
LIMIT = 256 * 1024
#: Read timeout of every call: a silent server costs this much per attempt.
READ_TIMEOUT = 0.3
#: Longest ``Retry-After`` honoured, so a server cannot make a run slow.
RETRY_AFTER_MAX = 0.05
#: The whole-call limit of every call ...
TOTAL_TIMEOUT = 2.0
#: ... and how much later than it a call may end: the watchdog looks every
#: 50 ms, and a loaded machine is slow to wake a thread.
CEILING_SECONDS = TOTAL_TIMEOUT + 1.0
#: Peak memory a call may take beyond its answer, whatever the answer. Most
#: calls stay under 1 MB; the most is a chunked body sent one byte per chunk,
#: which ``http.client`` holds as one object per chunk (about 100 bytes each)
#: until a 64 KiB read returns: about 6.5 MB, whatever the size limit.
MEMORY_OVERHEAD = 8 * 1024 * 1024
#: Bytes a server can push into loopback socket buffers that the client never read.
SOCKET_SLACK = 8 * 1024 * 1024

# -- What the server sends ----------------------------------------------------

#: An endless body stops after this many bytes or seconds, so a client that
#: reads without bound shows up as a count instead of a hang.
ENDLESS_BYTES = 64 * 1024 * 1024
ENDLESS_SECONDS = 2.0
#: How long a silent server holds the connection before closing it.
SILENT_SECONDS = 2.0
#: A trickling server sends a byte every interval, always inside the read
#: timeout, for longer than the whole-call limit: only that limit ends the call.
TRICKLE_INTERVAL = 0.2
TRICKLE_SECONDS = 3.0


@dataclass(frozen=True)
class Call:
    """One operation, as the hostile server sees it: its method and the body of a success."""

    name: str
    method: str
    invoke: Callable[[IdentityApi], object]
    document: object


_USER_REQUEST = UserRequest(account_id="acme", user_id="ann@example.com", roles=["admin"])

CALLS = (
    Call(
        "create_client_key",
        "POST",
        lambda api: api.create_client_key(
            "acme", ClientKeyRequest(default_role_id="reader", client_name="ci")
        ),
        KEY_CREDENTIALS,
    ),
    Call(
        "create_user_for_account",
        "POST",
        lambda api: api.create_user_for_account("acme", _USER_REQUEST),
        USER,
    ),
    Call(
        "delete_client_key",
        "DELETE",
        lambda api: api.delete_client_key("acme", "key-1"),
        "deleted",
    ),
    Call("get_client_key", "GET", lambda api: api.get_client_key("acme", "key-1"), KEY),
    Call("get_client_key_list", "GET", lambda api: api.get_client_key_list("acme"), [KEY]),
    Call("get_user", "GET", lambda api: api.get_user("acme", "ann@example.com"), USER),
    Call("get_users_for_account", "GET", lambda api: api.get_users_for_account("acme"), [USER]),
    Call(
        "update_user",
        "PUT",
        lambda api: api.update_user("ann@example.com", "acme", _USER_REQUEST),
        USER,
    ),
)


@dataclass(frozen=True)
class StatusLine:
    """The first line of an answer, and the status a correct client reads from it.

    Attributes:
        raw: The bytes sent, without CRLF.
        status: The status code it carries, or None when it is not a status line.
    """

    raw: bytes
    status: int | None


@dataclass(frozen=True)
class Answer:
    """One answer to one request, as raw bytes the server writes.

    Attributes:
        interim: Raw ``1xx`` heads (CRLF-terminated, blank line included) sent first.
        line: The final status line.
        headers: Raw header lines, with ``{origin}`` and ``{other}`` standing for
            the two servers' URLs; framing headers are added per ``framing``.
        body: The body before ``encoding``.
        encoding: ``identity``, ``gzip``, ``deflate``, ``corrupt-gzip`` or ``bomb``.
        framing: How the body is delimited; see ``_render``.
        chunk: The chunk size for chunked framings.
    """

    interim: tuple[bytes, ...]
    line: StatusLine
    headers: tuple[bytes, ...]
    body: bytes
    encoding: str
    framing: str
    chunk: int

    @property
    def status(self) -> int | None:
        """The final status a correct client reads, or None if there is none to read."""
        if self.framing in ("nothing", "reset") or self.line.status is None:
            return None
        if any(len(line) > 65536 for line in self.headers) or len(self.headers) > 100:
            return None  # http.client refuses such a head, and rightly so
        return self.line.status

    @property
    def clean(self) -> bool:
        """True when a correct client reads this answer exactly as meant.

        Only clean answers are held to an exact request count; any other only
        to the bounds.
        """
        return (
            self.status is not None
            and not self.interim
            and all(line.split(b":")[0].lower() in _PLAIN_HEADERS for line in self.headers)
            and self.encoding in ("identity", "gzip", "deflate")
            and self.framing in ("length", "chunked", "close", "endless")
            # An endless body is plain bytes, whatever Content-Encoding says.
            and (self.framing != "endless" or self.encoding == "identity")
            # 204 and 304 have no body; one sent all the same is junk on the wire.
            and (self.status not in (204, 304) or self.body == b"")
            # Nothing before the close cannot be told from a head cut short.
            and (self.framing != "close" or self.body != b"" or self.encoding != "identity")
        )


_PLAIN_HEADERS = frozenset({b"content-type", b"x-request-id", b"retry-after", b"server"})


def _encode(body: bytes, encoding: str) -> tuple[bytes, bytes | None]:
    """Return the body as sent and its Content-Encoding (None: no header)."""
    if encoding == "gzip":
        return gzip.compress(body, mtime=0), b"gzip"
    if encoding == "deflate":
        return zlib.compress(body), b"deflate"
    if encoding == "corrupt-gzip":
        return gzip.compress(body, mtime=0)[:10] + b"\xde\xad\xbe\xef" * 8, b"gzip"
    if encoding == "bomb":
        return _bomb(), b"gzip"
    return body, None


@functools.cache
def _bomb() -> bytes:
    """A gzip stream of a few tens of kilobytes that inflates to 64 MB of zeros."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1024 * 1024)
    parts = [compressor.compress(zeros) for _ in range(64)]
    parts.append(compressor.flush())
    return b"".join(parts)


def _chunked(body: bytes, size: int) -> bytes:
    parts = [
        f"{len(body[at : at + size]):x}\r\n".encode() + body[at : at + size] + b"\r\n"
        for at in range(0, len(body), size)
    ]
    return b"".join(parts)


def _trickle(body: bytes) -> Iterator[bytes]:
    """``body`` one byte every ``TRICKLE_INTERVAL`` seconds, for ``TRICKLE_SECONDS`` at most."""
    deadline = time.monotonic() + TRICKLE_SECONDS
    for index in range(len(body)):
        if time.monotonic() > deadline:
            return
        time.sleep(TRICKLE_INTERVAL)
        yield body[index : index + 1]


#: One chunk of an endless chunked body.
_ENDLESS_BLOCK = _chunked(b"x" * 65536, 65536)


class HostileServer:
    """A raw socket server that answers each request of an example from its script.

    ``play(answers)`` starts an example: the n-th request gets ``answers[n]``
    (the last one repeating). The server counts the requests and the bytes it
    managed to write, per example.

    Attributes:
        url: The server's own URL (``{origin}`` in a header).
        other: A second, well-behaved server on another port, i.e. another
            origin (``{other}``); it answers every request with ``document``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: tuple[Answer, ...] = ()
        self._rendered: list[tuple[bytes, bytes, bool]] = []
        self._generation = 0
        self.requests: list[bytes] = []
        self.sent = 0
        self.document: object = None
        self._raw = RawServer(self._handle)
        self.url = self._raw.url
        self._other = ScriptedServer(responder=lambda request: Reply.json(200, self.document))
        self.other = self._other.url

    def __enter__(self) -> HostileServer:
        self._raw.start()
        self._other.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.play((), None)  # stragglers of the last example stop writing
        self._other.stop()
        self._raw.stop()

    def play(self, answers: tuple[Answer, ...], document: object) -> None:
        """Start a new example: forget the counts, answer from ``answers``.

        Every answer is rendered to bytes here, before the call starts, so
        the server allocates next to nothing while the client's memory is
        measured.
        """
        rendered = [self._render(answer) for answer in answers]
        with self._lock:
            self._answers = answers
            self._rendered = rendered
            self._generation += 1
            self.requests = []
            self.sent = 0
            self.document = document
            self._other.requests.clear()

    @property
    def other_requests(self) -> list[str]:
        """Each request the other origin received, as its head's text."""
        return [
            f"{request.method} {request.path}\n{request.headers}"
            for request in self._other.requests
        ]

    def _handle(self, conn: socket.socket, request: bytes) -> None:
        with self._lock:
            if not self._answers:
                conn.close()
                return
            generation = self._generation
            index = min(len(self.requests), len(self._answers) - 1)
            answer, (head, body, pace) = self._answers[index], self._rendered[index]
            self.requests.append(request)
        # A small send buffer keeps what the client has not read out of the
        # server's count; a timeout ends a write the client stopped reading.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
        conn.settimeout(SILENT_SECONDS)
        pieces: Iterable[bytes] = [head, body]
        if pace == "endless":
            deadline = time.monotonic() + ENDLESS_SECONDS
            pieces = itertools.chain(
                [head],
                itertools.takewhile(
                    lambda _: time.monotonic() < deadline,
                    itertools.repeat(_ENDLESS_BLOCK, ENDLESS_BYTES // len(_ENDLESS_BLOCK)),
                ),
            )
        elif pace == "trickle":
            pieces = itertools.chain([head], _trickle(body))
        for piece in pieces:
            view = memoryview(piece)
            while view:
                with self._lock:
                    if generation != self._generation:
                        conn.close()
                        return
                written = conn.send(view)
                view = view[written:]
                with self._lock:
                    if generation == self._generation:
                        self.sent += written
        self._finish(conn, answer)

    def _render(self, answer: Answer) -> tuple[bytes, bytes, str]:
        """Return the head and body bytes of ``answer``, and how to send the body.

        The pace is ``""`` (all at once), ``"endless"`` (blocks until the
        server's cap; the body is not used) or ``"trickle"`` (byte by byte).
        """
        if answer.framing == "nothing" or answer.framing == "reset":
            return b"", b"", ""
        body, encoding = _encode(answer.body, answer.encoding)
        lines = [answer.line.raw]
        lines += [
            line.replace(b"{origin}", self.url.encode()).replace(b"{other}", self.other.encode())
            for line in answer.headers
        ]
        if encoding is not None:
            lines.append(b"Content-Encoding: " + encoding)
        framing = answer.framing
        if framing in ("length", "short", "long"):
            declared = {"length": len(body), "short": len(body) + 100, "long": len(body) // 2}
            lines.append(b"Content-Length: %d" % declared[framing])
        elif framing.startswith("chunked") or framing == "endless":
            lines.append(b"Transfer-Encoding: chunked")
        elif framing == "silent":
            lines.append(b"Content-Length: %d" % (len(body) + 1))
        elif framing == "trickle":
            body += b" " * int(TRICKLE_SECONDS / TRICKLE_INTERVAL)
            lines.append(b"Content-Length: %d" % len(body))
        else:
            lines.append(b"Connection: close")
        head = b"".join(answer.interim) + b"\r\n".join(lines) + b"\r\n\r\n"
        if framing == "chunked":
            body = _chunked(body, answer.chunk) + b"0\r\n\r\n"
        elif framing == "chunked-bad":
            body = _chunked(body, answer.chunk) + b"zz\r\n"
        elif framing == "chunked-unterminated":
            body = _chunked(body, answer.chunk)
        elif framing in ("endless", "trickle"):
            return head, body, framing
        return head, body, ""

    @staticmethod
    def _finish(conn: socket.socket, answer: Answer) -> None:
        framing = answer.framing
        if framing in ("length", "long", "chunked") and b"Connection: close" not in answer.headers:
            return  # keep-alive: the next request may come on this connection
        if framing == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
            conn.close()
            return
        if framing == "silent":
            with contextlib.suppress(OSError):
                while conn.recv(65536):
                    pass
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_WR)
        conn.close()


# -- Strategies: everything a server controls ---------------------------------

_REASONS = st.sampled_from([b"OK", b"", b"Whatever", b"\xff\xfe odd \x80 bytes", b"a" * 300])
_FINAL_STATUSES = [200, 201, 202, 204, 206, 299, 300, 301, 302, 303, 304, 307, 308, 399, 400]
_FINAL_STATUSES += [401, 403, 404, 405, 408, 409, 410, 413, 422, 429, 451, 499, 500, 501, 502]
_FINAL_STATUSES += [503, 504, 599, 600, 999]
_STATUSES = st.sampled_from(_FINAL_STATUSES)
_ODD_STATUS_LINES = st.sampled_from(
    [
        StatusLine(b"HTTP/1.1 200", 200),
        StatusLine(b"HTTP/1.0 200 OK", 200),
        StatusLine(b"HTTP/1.1 2000 OK", None),
        StatusLine(b"HTTP/1.1 20 OK", None),
        StatusLine(b"HTTP/1.1 abc OK", None),
        StatusLine(b"HTTP/1.1 099 Low", None),
        StatusLine(b"HTTP/2 200 OK", None),
        StatusLine(b"ICY 200 OK", None),
        StatusLine(b"", None),
        StatusLine(b"\x00\x01\x02 garbage", None),
        StatusLine(b"HTTP/1.1 200 " + b"r" * 70000, None),
    ]
)
_PLAIN_STATUS_LINES = st.builds(
    lambda status, reason: StatusLine(b"HTTP/1.1 %d %s" % (status, reason), status),
    _STATUSES,
    _REASONS,
)
# One in four is odd, so that most answers get past the status line.
STATUS_LINES = st.one_of(
    _PLAIN_STATUS_LINES, _PLAIN_STATUS_LINES, _PLAIN_STATUS_LINES, _ODD_STATUS_LINES
)
INTERIM = st.lists(
    st.sampled_from(
        [
            b"HTTP/1.1 100 Continue\r\n\r\n",
            b"HTTP/1.1 102 Processing\r\n\r\n",
            b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n",
        ]
    ),
    max_size=2,
).map(tuple)

#: Retry-After values, and whether each asks for a wait longer than
#: ``RETRY_AFTER_MAX`` (True), which ends the call at once; every other one
#: is zero, in the past or unreadable, and means "use the backoff".
RETRY_AFTER_TOO_LONG = {
    b"0": False,
    b"1": True,
    b"-1": False,
    b"1.5": False,  # delay-seconds is digits only
    b"9" * 400: True,
    b"\xb2": False,  # SUPERSCRIPT TWO in Latin-1: str.isdigit() says yes, float() says no
    b"\xb9\xb2\xb3": False,
    b"Wed, 21 Oct 2015 07:28:00 GMT": False,
    b"Fri, 31 Dec 9999 23:59:59 GMT": True,
    b"Sun, 06 Nov 1994 08:49:37 +9999": False,
    b"Mon, 99 Zzz 99999 99:99:99 GMT": False,
    b"soon": False,
    b"": False,
}
_RETRY_AFTER = st.sampled_from(sorted(RETRY_AFTER_TOO_LONG))
_LOCATIONS = st.sampled_from(
    [
        b"/org/acme/keys",
        b"{origin}/org/acme/keys",
        b"{other}/org/acme/keys",
        b"//127.0.0.1:1/org/acme/keys",
        b"ftp://127.0.0.1/file",
        b"javascript:alert(1)",
        b"http://[::1",
        b"http://127.0.0.1:99999/",
        b"http://user:pass@127.0.0.1:1/",
        b"http://",
        b"",
        b"/" + b"a" * 10000,
        b"/\xff\xfe",
        b"http://\xe4xample.invalid/",
    ]
)
_CONTENT_LENGTHS = st.sampled_from(
    [b"-1", b"abc", b"1, 2", b"9" * 30, b"+5", b" 3 ", b"0x10", b"\xb2", b""]
)
_CONTENT_ENCODINGS = st.sampled_from(
    [b"gzip", b"deflate", b"br", b"zstd", b"gzip, gzip", b"x-unknown", b"identity", b""]
)
_TRANSFER_ENCODINGS = st.sampled_from(
    [b"chunked", b"gzip, chunked", b"identity", b"chunked, chunked", b"bogus", b""]
)
_CONTENT_TYPES = st.sampled_from(
    [
        b"application/json",
        b"application/json; charset=latin-1",
        b"text/html",
        b"application/octet-stream",
        b"\xff\xfe",
        b"",
    ]
)
_ODD_LINES = st.sampled_from(
    [
        b"No-Colon-Here",
        b"Bad Name: x",
        b": empty name",
        b"X-Odd: \x00\x01\x7f\x80\xff",
        b"X-Folded: one\r\n two",
        b" leading-space: x",
        b"X-Long: " + b"v" * 70000,
        b"Connection: close",
        b"Connection: keep-alive",
        b"Set-Cookie: session=abc",
        b"X-Request-Id: \xc3\xa9\xff",
    ]
)
HEADER_LINES = st.lists(
    st.one_of(
        _RETRY_AFTER.map(lambda value: b"Retry-After: " + value),
        _LOCATIONS.map(lambda value: b"Location: " + value),
        _CONTENT_LENGTHS.map(lambda value: b"Content-Length: " + value),
        _CONTENT_ENCODINGS.map(lambda value: b"Content-Encoding: " + value),
        _TRANSFER_ENCODINGS.map(lambda value: b"Transfer-Encoding: " + value),
        _CONTENT_TYPES.map(lambda value: b"Content-Type: " + value),
        _ODD_LINES,
    ),
    max_size=4,
)
# Most answers have a head of ordinary size, so that the rest of them is tried.
MANY_HEADERS = st.one_of(
    st.just(()), st.just(()), st.just(tuple(b"X-Many-%d: v" % n for n in range(150)))
)

# Framings a server gets right come up more often than each way of getting one wrong.
FRAMINGS = st.sampled_from(
    [
        "length",
        "length",
        "length",
        "chunked",
        "chunked",
        "close",
        "short",
        "long",
        "chunked",
        "chunked-bad",
        "chunked-unterminated",
        "endless",
        "silent",
        "trickle",
        "nothing",
        "reset",
    ]
)
ENCODINGS = st.sampled_from(
    ["identity", "identity", "identity", "gzip", "deflate", "corrupt-gzip", "bomb"]
)


def _bodies(call: Call) -> st.SearchStrategy[bytes]:
    secret_error = {"message": "nope", "clientSecret": CLIENT_SECRET, "token": USER_TOKEN}
    return st.one_of(
        st.just(json.dumps(call.document).encode()),
        st.sampled_from(
            [
                b"",
                b'{"message": "nope", "code": 7}',
                json.dumps(secret_error).encode(),
                # Cut short inside a secret: no closing quote to find.
                b'{"clientId": "c", "clientSecret": "' + CLIENT_SECRET.encode(),
                b'{"token": "' + USER_TOKEN.encode(),
                # A key spelled with an escape: the same key to a JSON parser.
                b'{"clientId": "c", "client\\u0053ecret": "' + CLIENT_SECRET.encode() + b'"}',
                b'{"tok\\u0065n": "' + USER_TOKEN.encode() + b'", "accountId": 5}',
                b'["not", "the", "documented", "shape"]',
                b"<html><body>Bad Gateway</body></html>",
                b"null",
                json.dumps({"token": USER_TOKEN}).encode(),
                b"x" * (LIMIT + 1),
            ]
        ),
        st.binary(max_size=64),
    )


def answers_for(call: Call) -> st.SearchStrategy[tuple[Answer, ...]]:
    """One or two answers (the second for any later request) to ``call``."""
    answer = st.builds(
        Answer,
        interim=st.one_of(st.just(()), st.just(()), st.just(()), INTERIM),
        line=STATUS_LINES,
        headers=st.tuples(HEADER_LINES, MANY_HEADERS).map(lambda pair: (*pair[0], *pair[1])),
        body=_bodies(call),
        encoding=ENCODINGS,
        framing=FRAMINGS,
        chunk=st.sampled_from([1, 7, 1024, 65536]),
    )
    return st.lists(answer, min_size=1, max_size=2).map(tuple)


EXAMPLES_STRATEGY = st.sampled_from(CALLS).flatmap(
    lambda call: st.tuples(st.just(call), answers_for(call), st.booleans())
)

# -- Watching a call ----------------------------------------------------------


class _Records(logging.Handler):
    """Keeps the text of every record, at every level, of every logger."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record))


@contextlib.contextmanager
def every_log_record() -> Iterator[_Records]:
    """Collect every log record emitted while the block runs, at DEBUG and above."""
    records = _Records()
    root = logging.getLogger()
    previous = root.level
    loggers = [logging.getLogger(name) for name in ("katanemo_identity", "urllib3")]
    levels = [logger.level for logger in loggers]
    root.addHandler(records)
    root.setLevel(logging.DEBUG)
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        root.removeHandler(records)
        root.setLevel(previous)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def exception_texts(error: BaseException) -> Iterator[str]:
    """Every text an error shows: its ``str`` and ``repr``, and those of its chain.

    The chain is followed as ``traceback`` and error-reporting tools follow
    it: every ``__cause__``, and a ``__context__`` unless it was suppressed
    (``raise ... from None``).
    """
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield type(current).__name__
        with contextlib.suppress(Exception):
            yield str(current)
        with contextlib.suppress(Exception):
            yield repr(current)
        if current.__cause__ is not None:
            pending.append(current.__cause__)
        if current.__context__ is not None and not current.__suppress_context__:
            pending.append(current.__context__)


def secrets_in(texts: Iterator[str] | list[str]) -> set[str]:
    """Return which of ``SECRETS`` appear in any of ``texts``."""
    return {secret for text in texts for secret in SECRETS if secret in text}


@dataclass
class Observed:
    """What one call against a hostile server did."""

    result: object = None
    raised: BaseException | None = None
    requests: int = 0
    sent: int = 0
    elapsed: float = 0.0
    peak_memory: int = 0
    log_texts: list[str] = dataclasses.field(default_factory=list)
    other_requests: list[str] = dataclasses.field(default_factory=list)


def build_client(server: HostileServer, debug: bool) -> ApiClient:
    """A client that sends every caller secret: token, a default header and a cookie."""
    configuration = Configuration(
        host=server.url,
        access_token=ACCESS_TOKEN,
        timeout=(1.0, READ_TIMEOUT),
        retries=RETRIES,
        retry_backoff_factor=0.0,
        retry_after_max=RETRY_AFTER_MAX,
        total_timeout=TOTAL_TIMEOUT,
        max_response_size=LIMIT,
        debug=debug,
    )
    return ApiClient(configuration, "X-Api-Key", API_KEY, cookie=f"session={COOKIE}")


def observe(
    server: HostileServer, call: Call, answers: tuple[Answer, ...], debug: bool
) -> Observed:
    """Call ``call`` once against ``server`` playing ``answers``, and record everything."""
    _bomb()  # built before memory is measured
    server.play(answers, call.document)
    seen = Observed()
    client = build_client(server, debug)
    with every_log_record() as records:
        tracemalloc.start()
        started = time.perf_counter()
        try:
            seen.result = call.invoke(IdentityApi(client))
        except BaseException as error:  # the property is that only ours escape
            seen.raised = error
        seen.elapsed = time.perf_counter() - started
        seen.peak_memory = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        client.close()
    seen.log_texts = records.texts
    seen.requests = len(server.requests)
    seen.sent = server.sent
    seen.other_requests = server.other_requests
    return seen


# -- The properties -----------------------------------------------------------


def answer_seen(answers: tuple[Answer, ...], index: int) -> Answer:
    """The answer the ``index``-th request got."""
    return answers[min(index, len(answers) - 1)]


def expected_requests(call: Call, answers: tuple[Answer, ...]) -> int | None:
    """How many requests the retry rules call for, when every answer is clean; else None."""
    count = 0
    while True:
        answer = answer_seen(answers, count)
        if not answer.clean or (answer.status is not None and 300 <= answer.status <= 399):
            return None
        count += 1
        status = answer.status
        retried = status == 429 or (status in RETRY_STATUSES and call.method in IDEMPOTENT_METHODS)
        if not retried or count > RETRIES or _waits_too_long(answer):
            return count


def _waits_too_long(answer: Answer) -> bool:
    """Whether ``answer`` asks for a wait longer than the client honours."""
    if answer.status not in (429, 503):
        return False  # Retry-After is honoured on these two only
    values = [line[13:] for line in answer.headers if line.lower().startswith(b"retry-after: ")]
    # Two of them are read as one "a, b", which is no valid value.
    return len(values) == 1 and RETRY_AFTER_TOO_LONG[values[0]]


def _redirected_only(call: Call, answers: tuple[Answer, ...], seen: Observed) -> bool:
    """Whether every request the server got was sent on elsewhere by a redirect.

    A redirect says "not here": when the call then fails to reach the
    target, nothing was applied, and a connection error may say so.
    """
    return call.method == "GET" and all(
        answer_seen(answers, index).status in REDIRECT_STATUSES for index in range(seen.requests)
    )


def _earlier_attempt_may_have_applied(answers: tuple[Answer, ...], seen: Observed) -> bool | None:
    """Whether an attempt before the last may have been acted on; None when it cannot be told.

    A retried answer with no status, a 5xx, or a success (retried only when
    cut short) may have been; one that a correct client may read in more
    than one way (not ``clean``) leaves it open.
    """
    unsure = False
    for index in range(seen.requests - 1):
        answer = answer_seen(answers, index)
        status = answer.status
        if status is None or status >= 500 or 200 <= status <= 299:
            return True
        unsure = unsure or not answer.clean
    return None if unsure else False


def problems(call: Call, answers: tuple[Answer, ...], seen: Observed) -> list[str]:
    """Every promise ``seen`` broke; empty when the call kept them all."""
    found: list[str] = []
    error = seen.raised
    if error is not None and not isinstance(error, OpenApiException):
        found.append(f"{type(error).__module__}.{type(error).__name__} escaped: {error!r}")

    # The number of requests.
    most = 1 + RETRIES + (MAX_REDIRECTS if call.method == "GET" else 0)
    if seen.requests > most:
        found.append(f"{seen.requests} requests, more than the {most} allowed")
    if call.method == "POST":
        for index in range(seen.requests - 1):
            if answer_seen(answers, index).status != 429:
                found.append(f"POST resent after answer {index} (not a 429)")
                break
    expected = expected_requests(call, answers)
    if expected is not None and not seen.other_requests and seen.requests != expected:
        found.append(f"{seen.requests} requests, where the retry rules call for {expected}")

    # The outcome, exactly.
    if isinstance(error, (ApiTypeError, ApiValueError)) and seen.requests:
        found.append(f"{type(error).__name__} says nothing was sent, but it was: {error}")
    # Nothing reached a server: nothing can have been applied. Anything did,
    # and no answer was complete: something may have been.
    if (
        isinstance(error, ApiConnectionError)
        and not _redirected_only(call, answers, seen)
        and error.outcome_unknown is not (seen.requests > 0)
    ):
        found.append(
            f"ApiConnectionError outcome_unknown={error.outcome_unknown} after "
            f"{seen.requests} request(s) reached the server"
        )
    if isinstance(error, ApiException) and not seen.other_requests:
        last = answer_seen(answers, seen.requests - 1) if seen.requests else None
        if last is None or error.status != last.status:
            given = last.status if last is not None else None
            found.append(
                f"{type(error).__name__} reports status {error.status}, server sent {given}"
            )
        status = error.status or 0
        # Unknown after a 5xx, or when an earlier attempt may have been
        # applied (it got no whole answer, or a 5xx); known otherwise.
        earlier = _earlier_attempt_may_have_applied(answers, seen)
        unknown = True if 500 <= status <= 599 else earlier
        if unknown is not None and error.outcome_unknown is not unknown:
            found.append(f"outcome_unknown={error.outcome_unknown} on status {status}")
        if isinstance(error, ApiDecodeError) and not 200 <= status <= 299:
            found.append(f"ApiDecodeError on status {status}")
    if error is None and not seen.other_requests:
        last = answer_seen(answers, seen.requests - 1) if seen.requests else None
        if last is None or last.status is None or not 200 <= last.status <= 299:
            found.append(f"success reported for an answer with status {last and last.status}")

    # Time and memory.
    if seen.elapsed > CEILING_SECONDS:
        found.append(f"took {seen.elapsed:.1f} s, more than {CEILING_SECONDS} s")
    if seen.peak_memory > 4 * LIMIT + MEMORY_OVERHEAD:
        found.append(f"peak memory {seen.peak_memory} bytes for a {LIMIT}-byte limit")
    if seen.sent > max(seen.requests, 1) * (LIMIT + SOCKET_SLACK):
        found.append(f"read {seen.sent} bytes over {seen.requests} request(s)")

    # Secrets.
    texts: list[str] = list(exception_texts(error)) if error is not None else []
    leaked = secrets_in(texts)
    if leaked:
        found.append(f"secret(s) {sorted(leaked)} in the exception or its chain")
    leaked = secrets_in(seen.log_texts)
    if leaked:
        found.append(f"secret(s) {sorted(leaked)} in a log record")
    if seen.result is not None:
        leaked = secrets_in([repr(seen.result), str(seen.result)])
        if leaked:
            found.append(f"secret(s) {sorted(leaked)} in the result's repr")
    forwarded = {
        secret for text in seen.other_requests for secret in CALLER_SECRETS if secret in text
    }
    if forwarded:
        found.append(f"{sorted(forwarded)} sent to another origin on a redirect")
    return found


def outcome_label(seen: Observed) -> str:
    """A short name for what a call ended in, for the counts."""
    if seen.raised is None:
        return "success"
    label = type(seen.raised).__name__
    if isinstance(seen.raised, OpenApiException) and seen.raised.outcome_unknown:
        label += " (outcome unknown)"
    return label


def warm_up(server: HostileServer) -> None:
    """Decode one success and one error body of each kind, so that memory is measured warm.

    Models build their validators on first use (megabytes, once per
    process); that is not memory a call holds.
    """
    error = b'{"message": "nope", "code": 7}'
    for call in CALLS:
        for status, body in [(200, json.dumps(call.document).encode())] + [
            (status, error) for status in (400, 401, 404, 409, 429, 500)
        ]:
            line = StatusLine(b"HTTP/1.1 %d OK" % status, status)
            answer = Answer((), line, (), body, "identity", "length", 1024)
            observe(server, call, (answer,), debug=False)


def describe(answers: tuple[Answer, ...]) -> str:
    """The answers as a failure message shows them: enough to build the example again."""
    return "; ".join(
        f"Answer(interim={answer.interim!r}, line={answer.line!r}, "
        f"headers={tuple(line[:80] for line in answer.headers)!r}, body={answer.body[:80]!r}, "
        f"encoding={answer.encoding!r}, framing={answer.framing!r}, chunk={answer.chunk})"
        for answer in answers
    )


@dataclass
class Extremes:
    """The most any one call of a run took: the figures the bounds are checked against."""

    calls: int = 0
    seconds: float = 0.0
    peak_memory: int = 0
    bytes_read: int = 0

    def add(self, seen: Observed) -> None:
        """Count one call, keeping the largest of each figure."""
        self.calls += 1
        self.seconds = max(self.seconds, seen.elapsed)
        self.peak_memory = max(self.peak_memory, seen.peak_memory)
        self.bytes_read = max(self.bytes_read, seen.sent)

    def __str__(self) -> str:
        return (
            f"largest of {self.calls} calls: {self.seconds:.2f} s (whole-call limit "
            f"{TOTAL_TIMEOUT:g} s), peak memory {self.peak_memory / 2**20:.1f} MiB and "
            f"{self.bytes_read / 2**20:.1f} MiB read from the server (size limit "
            f"{LIMIT // 1024} KiB)"
        )


#: The extremes of the last ``run_hostile_server``, for the reliability report.
last_extremes = Extremes()


def run_hostile_server(examples: int) -> Counter[str]:
    """Call every operation against ``examples`` generated servers; count the outcomes.

    The largest time, memory and bytes read of any call are left in
    ``last_extremes``.

    Raises:
        AssertionError: a call broke a promise; the message says which, and how.
    """
    global last_extremes
    counts: Counter[str] = Counter()
    extremes = last_extremes = Extremes()
    with HostileServer() as server:
        warm_up(server)

        @settings(
            max_examples=examples,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            # No shrinking: each example costs a real exchange, and the
            # failure message names the example and every promise it broke.
            phases=(Phase.explicit, Phase.reuse, Phase.generate),
        )
        @given(EXAMPLES_STRATEGY)
        def every_promise_is_kept(example: tuple[Call, tuple[Answer, ...], bool]) -> None:
            call, answers, debug = example
            seen = observe(server, call, answers, debug)
            broken = problems(call, answers, seen)
            assert not broken, (
                f"{call.name} ({call.method}): "
                + "; ".join(broken)
                + f"\nanswers: {describe(answers)}\ndebug: {debug}"
            )
            counts[outcome_label(seen)] += 1
            extremes.add(seen)

        every_promise_is_kept()
    return counts


__all__ = [
    "CALLS",
    "Answer",
    "Call",
    "HostileServer",
    "Observed",
    "StatusLine",
    "observe",
    "problems",
    "run_hostile_server",
]
