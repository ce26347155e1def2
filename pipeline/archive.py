"""The raw archive: every fetched response, with its request, in WARC files (warcio).

Beside the exchanges, each post the crawl stored gets a small `metadata` record naming
its pages, so `reprints reprocess` can rebuild the same articles from the archive alone.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ITEM_RECORD_TYPE = "application/vnd.reprints.post+json"


class ArchiveError(Exception):
    """An archive file that cannot be read."""


def archive_path_for(db_path: str | os.PathLike) -> Path:
    """The archive folder kept beside a database: `reprints.db` -> `reprints.warc/`."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + ".warc")


class Archive:
    """Append-only WARC writer: one gzip file per crawl process."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        self.path = self.folder / f"crawl-{stamp}-{os.getpid()}.warc.gz"
        self._file = open(self.path, "ab")
        self._writer = WARCWriter(self._file, gzip=True)
        self._lock = threading.Lock()

    def write_exchange(self, url: str, method: str, request_headers: dict, status: int,
                       response_headers: list[tuple[str, str]], body: bytes) -> None:
        """Append a response record and its request record."""
        http_headers = StatusAndHeaders(f"{status} {_reason(status)}", response_headers, protocol="HTTP/1.1")
        response = self._writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                   http_headers=http_headers)
        path = url.split("/", 3)[3] if url.count("/") >= 3 else ""
        request_line = StatusAndHeaders(f"{method} /{path} HTTP/1.1", list(request_headers.items()),
                                        is_http_request=True)
        request = self._writer.create_warc_record(url, "request", http_headers=request_line)
        with self._lock:
            self._writer.write_request_response_pair(request, response)
            self._file.flush()

    def write_item(self, url: str, platform: str | None, page_urls: list[str]) -> None:
        """Record that `url` was stored as a post, built from `page_urls` (post page first)."""
        payload = json.dumps({"url": url, "platform": platform, "pages": page_urls}).encode()
        record = self._writer.create_warc_record(url, "metadata", payload=io.BytesIO(payload),
                                                 warc_content_type=ITEM_RECORD_TYPE)
        with self._lock:
            self._writer.write_record(record)
            self._file.flush()

    def close(self, *args, **kwargs) -> None:
        """Flush and close the file."""
        with self._lock:
            if not self._file.closed:
                self._file.close()


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


@dataclass
class ArchivedPost:
    """A stored post as the archive remembers it: its platform and its pages' bodies."""

    url: str
    platform: str | None
    pages: list[tuple[str, bytes]] = field(default_factory=list)


def iter_posts(folder: str | os.PathLike) -> Iterator[ArchivedPost]:
    """Every post recorded in the archive's files, oldest file first, with its page bodies.

    Raises ArchiveError naming the file when one is truncated or not WARC.
    """
    for path in sorted(Path(folder).glob("*.warc.gz")):
        raw: dict[str, tuple[bytes, str]] = {}  # url -> (body as transferred, its Content-Encoding)
        items: list[dict] = []
        try:
            # Read through gzip ourselves: it raises on a truncated member, where warcio stops quietly.
            with gzip.open(path, "rb") as stream:
                for record in ArchiveIterator(stream):
                    if record.rec_type == "response":
                        url = record.rec_headers.get_header("WARC-Target-URI")
                        status = record.http_headers.get_statuscode() if record.http_headers else "0"
                        if status.startswith("2"):
                            encoding = record.http_headers.get_header("Content-Encoding") or ""
                            raw[url] = (record.raw_stream.read(), encoding)
                    elif record.rec_type == "metadata" and \
                            record.rec_headers.get_header("Content-Type") == ITEM_RECORD_TYPE:
                        items.append(json.loads(record.content_stream().read()))
        except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as exc:
            raise ArchiveError(f"{path}: truncated or not a WARC file ({exc})") from None
        for item in items:
            # Only the pages a stored post was made of are decoded: bombs in the archive stay packed.
            pages = [(u, decode_body(*raw[u])) for u in item["pages"] if u in raw]
            if pages:
                yield ArchivedPost(item["url"], item.get("platform"), pages)


# The crawl refuses bodies larger than this after decompression (DOWNLOAD_MAXSIZE); so does reprocess.
MAX_DECODED_BYTES = 8 * 1024 * 1024


def decode_body(body: bytes, content_encoding: str) -> bytes:
    """Undo a response's Content-Encoding (gzip, deflate, br; several in order), never past MAX_DECODED_BYTES."""
    for coding in reversed([c.strip().lower() for c in content_encoding.split(",") if c.strip()]):
        if coding in ("gzip", "x-gzip", "deflate"):
            wbits = 16 + zlib.MAX_WBITS if coding != "deflate" else zlib.MAX_WBITS
            try:
                body = _inflate(body, wbits)
            except zlib.error:
                body = _inflate(body, -zlib.MAX_WBITS)  # raw deflate, as some servers send
        elif coding == "br":
            import brotli

            body = brotli.Decompressor().process(body, output_buffer_limit=MAX_DECODED_BYTES + 1)
        elif coding != "identity":
            raise ArchiveError(f"unknown Content-Encoding {coding!r}")
        if len(body) > MAX_DECODED_BYTES:
            raise ArchiveError(f"body larger than {MAX_DECODED_BYTES} bytes once decoded")
    return body


def _inflate(data: bytes, wbits: int) -> bytes:
    inflater = zlib.decompressobj(wbits)
    return inflater.decompress(data, MAX_DECODED_BYTES + 1)
