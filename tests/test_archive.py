import gzip

import pytest

from pipeline.archive import Archive, ArchiveError, archive_path_for, iter_posts


def test_archive_path_sits_beside_the_database(tmp_path):
    assert archive_path_for(tmp_path / "reprints.db") == tmp_path / "reprints.warc"


def test_exchanges_and_items_round_trip(tmp_path):
    archive = Archive(tmp_path / "warc")
    post = b"<html><body><div class='post-body'>Hello</div></body></html>"
    archive.write_exchange("http://b.example/2008/03/x.html", "GET", {"User-Agent": "reprints"}, 200,
                           [("Content-Type", "text/html; charset=utf-8")], post)
    archive.write_exchange("http://b.example/2008/03/x.html/comment-page-2/", "GET", {}, 200,
                           [("Content-Type", "text/html")], b"<html>more</html>")
    archive.write_exchange("http://b.example/gone", "GET", {}, 404, [], b"not found")
    archive.write_item("http://b.example/2008/03/x.html", "wordpress",
                       ["http://b.example/2008/03/x.html", "http://b.example/2008/03/x.html/comment-page-2/"])
    archive.close()
    posts = list(iter_posts(tmp_path / "warc"))
    assert len(posts) == 1
    assert posts[0].platform == "wordpress"
    assert posts[0].pages == [("http://b.example/2008/03/x.html", post),
                              ("http://b.example/2008/03/x.html/comment-page-2/", b"<html>more</html>")]


def test_gzip_encoded_bodies_come_back_decoded(tmp_path):
    archive = Archive(tmp_path / "warc")
    body = b"<html>" + b"network marketing " * 200 + b"</html>"
    archive.write_exchange("http://d.example/a.html", "GET", {}, 200,
                           [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], gzip.compress(body))
    archive.write_item("http://d.example/a.html", "directory", ["http://d.example/a.html"])
    archive.close()
    assert next(iter_posts(tmp_path / "warc")).pages[0][1] == body


def test_truncated_archive_is_named_in_the_error(tmp_path):
    archive = Archive(tmp_path / "warc")
    for i in range(20):
        archive.write_exchange(f"http://d.example/{i}.html", "GET", {}, 200, [], b"x" * 5000)
    archive.close()
    data = archive.path.read_bytes()
    archive.path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ArchiveError, match=archive.path.name):
        list(iter_posts(tmp_path / "warc"))
