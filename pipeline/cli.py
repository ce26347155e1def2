"""The `reprints` command line: thin commands over the library in pipeline/ and crawler/.

Every command that reads or writes the corpus takes --db (default reprints.db).
Expected failures are one-line errors naming the URL or file and the reason.
"""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path

import click

from pipeline.model import ExtractError

DEFAULT_DB = "reprints.db"
PLATFORM_CHOICES = ["auto", "blogger", "wordpress", "directory", "feed", "sitemap", "generic"]


def db_option(fn):
    """The --db option every corpus command shares."""
    return click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
                        help="SQLite database of the corpus")(fn)


def _open_db(db_path: str):
    from pipeline.store import StoreError, open_db

    try:
        return open_db(db_path)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reprints")
def cli():
    """Harvest, repair and publish free-reprint articles about network marketing.

    Example:

    \b
        reprints run                      # the demo: sample web -> crawl -> reprints.db -> Datasette
        reprints crawl http://blog.example.com/ --db corpus.db
        reprints export --format jsonl --output articles.jsonl
    """


# -- the demo and the sample web ------------------------------------------------------------------

@cli.command()
@db_option
@click.option("--port", default=8001, show_default=True, help="Datasette port on 127.0.0.1")
@click.option("--web-port", default=0, help="Port of the sample web (0: any free port)")
@click.option("--no-serve", is_flag=True, help="Stop after loading; do not start Datasette")
def run(db_path, port, web_port, no_serve):
    """The demo: serve the bundled sample web, crawl it, clean, load, then serve Datasette.

    Example:

    \b
        reprints run --db demo.db --port 8001
    """
    from crawler.sampleweb.server import SampleWeb
    from pipeline.serve import ServeError, check_port_free

    _open_db(db_path).close()
    if not no_serve:
        try:
            check_port_free("127.0.0.1", port)
        except ServeError as exc:
            raise click.ClickException(str(exc)) from None
    try:
        web = SampleWeb(port=web_port)
        urls = web.start()
    except OSError as exc:
        raise click.ClickException(f"cannot start the sample web: {exc}") from None
    try:
        click.echo(f"sample web: {len(urls)} sites on loopback", err=True)
        for url in urls.values():
            click.echo(f"  {url}", err=True)
        summary = _crawl(list(urls.values()), db_path, "auto", None, 0.0, loopback=True)
        _report(summary)
    finally:
        web.stop()
    if not no_serve:
        _serve(db_path, port)


@cli.command()
@click.option("--port", default=8100, show_default=True, help="Port for every site (each has its own 127.0.0.x)")
def sampleweb(port):
    """Serve the bundled sample web alone; print each site's start URL, one per line.

    Example:

    \b
        reprints sampleweb --port 8100
        reprints crawl http://127.0.0.11:8100/
    """
    from crawler.sampleweb.server import main

    try:
        main(port)
    except OSError as exc:
        raise click.ClickException(str(exc)) from None


# -- crawling ---------------------------------------------------------------------------------------

@cli.command()
@click.argument("urls", nargs=-1)
@click.option("--sources", type=click.File("r"), help="A file of start URLs, one per line (# comments)")
@db_option
@click.option("--platform", type=click.Choice(PLATFORM_CHOICES), default="auto", show_default=True,
              help="Force a spider instead of detecting the platform")
@click.option("--max-pages", type=int, help="Stop after this many responses")
@click.option("--min-topic-score", type=float, default=0.0, help="Keep only articles at least this on-topic")
@click.option("--jobdir", type=click.Path(file_okay=False), help="Scrapy JOBDIR: a killed crawl resumes here")
@click.option("--no-throttle", is_flag=True, help="No delays: only for sites you run yourself (loopback)")
@click.option("--verbose", "-v", is_flag=True, help="Show Scrapy's log")
@click.option("--redis", "redis_url", help="Run as one of many workers sharing this Redis (redis://HOST:PORT); "
                                           "`reprints load --redis` writes the database")
@click.option("--idle-timeout", type=float, help="With --redis: leave after the shared frontier is empty this long")
def crawl(urls, sources, db_path, platform, max_pages, min_topic_score, jobdir, no_throttle, verbose, redis_url,
          idle_timeout):
    """Crawl start URLs (or configured sources) into the database.

    Example:

    \b
        reprints crawl http://127.0.0.13:8100/ --db corpus.db
        reprints crawl https://example.blogspot.com/ --platform blogger --max-pages 500
    """
    start_urls = list(urls)
    if sources:
        start_urls += [line.strip() for line in sources if line.strip() and not line.lstrip().startswith("#")]
    if not start_urls and not redis_url:
        raise click.UsageError("give at least one URL or --sources FILE (or --redis URL to join a crawl)")
    bad = [u for u in start_urls if not u.lower().startswith(("http://", "https://"))]
    if bad:
        raise click.ClickException(f"{bad[0]}: not an http or https URL")
    if redis_url:
        _crawl_as_worker(start_urls, redis_url, db_path, platform, max_pages, min_topic_score, no_throttle,
                         idle_timeout, verbose)
        return
    _open_db(db_path).close()
    summary = _crawl(start_urls, db_path, platform, max_pages, min_topic_score, loopback=no_throttle,
                     jobdir=jobdir, verbose=verbose)
    if summary.start_failures and len(summary.start_failures) == len(start_urls):
        raise click.ClickException("cannot crawl " + "; ".join(summary.start_failures))
    _report(summary)


def _crawl_as_worker(start_urls, redis_url, db_path, platform, max_pages, min_topic_score, no_throttle,
                     idle_timeout, verbose):
    """One distributed worker: shared frontier in Redis, cleaned articles pushed to Redis for the loader."""
    from crawler.distributed import WorkerError, run_worker

    try:
        summary = run_worker(start_urls, redis_url, db_path, platform, idle_timeout, no_throttle,
                             max_pages=max_pages, min_topic_score=min_topic_score, verbose=verbose, progress=True)
    except (WorkerError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"worker: {summary.pages} pages fetched, {summary.stats.get('reprints/redis/items_pushed', 0)} "
               f"articles queued for the loader, {summary.errors} errors", err=True)


def _crawl(start_urls, db_path, platform, max_pages, min_topic_score, loopback=False, jobdir=None, verbose=False):
    from crawler.runner import crawl_settings, run_crawl

    settings = crawl_settings(db_path, max_pages=max_pages, min_topic_score=min_topic_score, loopback=loopback,
                              jobdir=jobdir, verbose=verbose)
    summary = run_crawl(start_urls, settings, platform)
    summary.log_file = settings.get("LOG_FILE")
    if summary.stored:
        _dedup(db_path)  # every crawl ends with its copies clustered
    return summary


def _dedup(db_path: str, archives: list[Path] = ()) -> dict:
    """Cluster republished copies (pipeline.dedup), repair copies that lost characters to "?" again
    with an intact sibling as hint (pipeline.reprocess.restyle, from the archive), and say what was done."""
    from pipeline.archive import ArchiveError, archive_path_for
    from pipeline.dedup import cluster_articles
    from pipeline.reprocess import restyle
    from pipeline.store import StoreError

    db = _open_db(db_path)
    try:
        counts = cluster_articles(db)
        click.echo(f"dedup: {counts['hashed']} articles hashed, {counts['clusters']} clusters of republished "
                   f"copies ({counts['copies']} copies)", err=True)
        try:
            restyled = restyle(db_path, list(archives) or [archive_path_for(db_path)], db)
        except (ArchiveError, StoreError) as exc:
            # The clusters are stored; the copies keep the style the repair guessed.
            click.echo(f"restyle skipped: {exc}", err=True)
            restyled = {}
        if restyled.get("updated"):
            cluster_articles(db)  # hash the restyled bodies now, not at the next dedup
    finally:
        db.close()
    if restyled:
        click.echo(f"restyle: {sum(restyled.values())} copies repaired again with an intact sibling copy as "
                   f"hint ({restyled.get('updated', 0)} changed)", err=True)
    return counts


def _report(summary) -> None:
    log = f" (every URL's outcome is in {summary.log_file})" if getattr(summary, "log_file", None) else ""
    click.echo(f"crawled {summary.pages} pages: {summary.stored} articles stored ({summary.new} new, "
               f"{summary.updated} updated), {summary.errors} errors{log}", err=True)
    for failure in summary.start_failures:
        click.echo(f"warning: cannot crawl {failure}", err=True)


# -- offline paths ----------------------------------------------------------------------------------

@cli.command()
@click.argument("source")
@click.option("--url", help="The page's URL, when SOURCE is a saved file")
@click.option("--platform", type=click.Choice(["blogger", "wordpress", "directory", "generic"]))
def extract(source, url, platform):
    """One saved page (or URL) in, one cleaned JSON object out on stdout.

    Example:

    \b
        reprints extract saved/post.html --url http://blog.example.com/2008/03/post.html
    """
    from pipeline.process import process_page

    data, page_url = _read_source(source, url)
    try:
        article = process_page(data, page_url, platform)
    except ExtractError as exc:
        raise click.ClickException(f"{source}: no article in this page ({exc})") from None
    click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))


def _read_source(source: str, url: str | None) -> tuple[bytes, str]:
    """Bytes and URL of a saved file or of a URL fetched once."""
    if source.lower().startswith(("http://", "https://")):
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(source, timeout=30) as response:
                return response.read(), url or response.geturl()
        except (urllib.error.URLError, OSError) as exc:
            raise click.ClickException(f"{source}: cannot fetch ({getattr(exc, 'reason', exc)})") from None
    path = Path(source)
    try:
        return path.read_bytes(), url or path.resolve().as_uri()
    except OSError as exc:
        raise click.ClickException(f"{source}: {exc.strerror}") from None


@cli.command()
@click.option("--jsonl", is_flag=True,
              help='One {"text": ..., optional "hint": ...} per line in, {"text", "repairs"} out')
@click.option("--hint", "hint_file", type=click.Path(dir_okay=False),
              help="Another copy of the same article (UTF-8 text): a '?' whose surrounding words it also "
                   "has takes its character there; where no dash or quotation mark of the text survived, "
                   "it shows the house style")
def repair(jsonl, hint_file):
    """Repair text on stdin (stray "!", lost "?", split words, mojibake); write it to stdout.

    Example:

    \b
        echo 'The leaders insist tha! t you speak' | reprints repair
        reprints repair --hint intact-copy.txt < corrupted.txt
        reprints repair --jsonl < texts.jsonl > repaired.jsonl
    """
    from pipeline.clean.repair import repair_text

    hint = _read_hint(hint_file) if hint_file else None
    if not jsonl:
        text, _ = repair_text(sys.stdin.read(), hint)
        sys.stdout.write(text)
        return
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        obj = _json_line(line, number)
        if not isinstance(obj.get("text"), str):
            raise click.ClickException(f"stdin line {number}: no \"text\" string")
        if obj.get("hint") is not None and not isinstance(obj["hint"], str):
            raise click.ClickException(f"stdin line {number}: \"hint\" is not a string")
        text, repairs = repair_text(obj["text"], obj.get("hint") or hint)
        sys.stdout.write(json.dumps({**obj, "text": text, "repairs": repairs}, ensure_ascii=False) + "\n")


def _read_hint(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise click.ClickException(f"{path}: {exc.strerror}") from None


def _json_line(line: str, number: int) -> dict:
    try:
        obj = json.loads(line)
    except ValueError as exc:
        raise click.ClickException(f"stdin line {number}: not JSON ({exc.args[0]})") from None
    if not isinstance(obj, dict):
        raise click.ClickException(f"stdin line {number}: not a JSON object")
    return obj


@cli.command()
@click.option("--train", "train_from", type=click.Path(exists=True, dir_okay=False),
              help="Train the model from labelled JSON Lines (tests/cases/comments.jsonl) instead")
def spam(train_from):
    """Judge comments: JSON Lines on stdin, the same with is_spam and spam_score on stdout.

    Lines that carry the same "page" value are judged together, as a crawl judges one page's
    comments; a line without one is judged alone.

    Example:

    \b
        echo '{"body": "great post! cheap pills at http://pharma.example", "author": "buy viagra"}' | reprints spam
        reprints spam < comments.jsonl > verdicts.jsonl
        reprints spam --train tests/cases/comments.jsonl
    """
    from pipeline import spam as spam_module

    if train_from:
        summary = spam_module.train(train_from, spam_module.MODEL_PATH)
        click.echo(json.dumps(summary, indent=2, default=str), err=True)
        return
    objs = [_json_line(line, number) for number, line in enumerate(sys.stdin, 1) if line.strip()]
    for result in spam_module.classify_jsonl_lines(objs):
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


# -- the corpus -------------------------------------------------------------------------------------

@cli.command()
@db_option
@click.option("--archive", type=click.Path(file_okay=False), help="WARC folder (default: beside the database)")
def reprocess(db_path, archive):
    """Rebuild the articles from the WARC archive with the current cleaning rules; no network.

    Then clusters the copies, as a crawl does; a copy that had characters lost to "?" is
    repaired again with an intact copy of its cluster as the hint.

    Example:

    \b
        reprints reprocess --db reprints.db
    """
    from pipeline.archive import ArchiveError, archive_path_for
    from pipeline.reprocess import copy_hints, rebuild
    from pipeline.store import StoreError, finish_crawl, start_crawl

    folder = Path(archive) if archive else archive_path_for(db_path)
    if not folder.is_dir():
        raise click.ClickException(f"{folder}: no archive folder (crawl first, or give --archive)")
    db = _open_db(db_path)
    crawl_id = start_crawl(db, "reprocess", [str(folder)])
    counts = {"new": 0, "updated": 0, "unchanged": 0, "errors": 0}

    def progress(articles, statuses):
        # One line per stored batch.
        click.echo(f"reprocess: {counts['new'] + counts['updated'] + counts['unchanged']:,} articles stored", err=True)

    try:
        rebuild(db_path, [folder], crawl_id, counts, copy_hints(db, again=True), on_saved=progress)
    except (ArchiveError, StoreError) as exc:
        finish_crawl(db, crawl_id, "failed", _crawl_counts(counts), {"error": str(exc)})
        raise click.ClickException(str(exc)) from None
    finish_crawl(db, crawl_id, "finished", _crawl_counts(counts), counts)
    click.echo(f"reprocessed: {counts['new']} new, {counts['updated']} updated, "
               f"{counts['unchanged']} unchanged, {counts['errors']} errors", err=True)
    if counts["new"] or counts["updated"]:
        _dedup(db_path, [folder])


def _crawl_counts(counts: dict) -> dict:
    return {"pages": sum(counts.values()), "new": counts["new"], "updated": counts["updated"],
            "errors": counts["errors"]}


@cli.command()
@db_option
@click.option("--redis", "redis_url", required=True, help="The Redis the workers push to (redis://HOST:PORT)")
@click.option("--idle-timeout", type=float, help="Stop after the queue stays empty and no worker is left this long")
def load(db_path, redis_url, idle_timeout):
    """The single SQLite writer behind distributed workers: Redis queue in, database out.

    Stopping and starting it loses nothing: items are acknowledged only after their commit.

    Example:

    \b
        reprints load --redis redis://10.0.0.5:6379 --db reprints.db
        reprints crawl http://blog.example.com/ --redis redis://10.0.0.5:6379   # on each worker machine
    """
    from pipeline.load import LoadError, describe, run_loader

    _open_db(db_path).close()
    try:
        summary = run_loader(redis_url, db_path, idle_timeout=idle_timeout)
    except LoadError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(describe(summary), err=True)


@cli.command()
@db_option
@click.option("--archive", "archives", multiple=True, type=click.Path(file_okay=False, exists=True),
              help="WARC folder to restyle from (default: beside the database); repeat for each worker's")
def dedup(db_path, archives):
    """Cluster republished copies of the same article and pick each cluster's canonical original.

    Runs at the end of every crawl too; only new and changed articles are hashed again. Copies
    that had characters lost to "?" are then repaired again from the archive, with an intact
    copy of their cluster as the hint.

    Example:

    \b
        reprints dedup --db reprints.db
        reprints dedup --db loaded.db --archive worker1.warc --archive worker2.warc   # after a distributed crawl
    """
    if not Path(db_path).is_file():
        raise click.ClickException(f"{db_path}: no such database")
    _dedup(db_path, [Path(folder) for folder in archives])


@cli.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl"]), default="jsonl", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="File to write (default: stdout)")
@click.option("--site", help="Only this site (host or name)")
@click.option("--since", help="Published on or after this date (YYYY-MM-DD)")
@click.option("--until", help="Published before this date")
@click.option("--author", help="Only this author")
@click.option("--search", help="Full-text query (SQLite FTS5 syntax)")
@click.option("--min-topic-score", type=float)
@click.option("--include-spam", is_flag=True, help="Include comments judged spam")
@click.option("--canonical-only", is_flag=True, help="One article per cluster of republished copies")
def export(db_path, fmt, output, site, since, until, author, search, min_topic_score, include_spam,
           canonical_only):
    """Stream cleaned articles, with their comments, as JSON Lines or a JSON array.

    Example:

    \b
        reprints export --format jsonl --output articles.jsonl --since 2008-01-01
        reprints export --search upline --include-spam | head
        reprints export --canonical-only --output originals.jsonl
    """
    import sqlite3

    from pipeline.export import ExportFilter, iter_records, write_records

    if not Path(db_path).is_file():
        raise click.ClickException(f"{db_path}: no such database")
    db = _open_db(db_path)
    flt = ExportFilter(site=site, since=since, until=until, author=author, search=search,
                       min_topic_score=min_topic_score, include_spam=include_spam, canonical_only=canonical_only)
    target = Path(output) if output else None
    partial = target.with_name(target.name + ".partial") if target else None
    try:
        if target:
            total = db.execute("select count(*) from articles").fetchone()[0]
            with open(partial, "w", encoding="utf-8") as out, click.progressbar(
                    length=total, label=f"exporting to {target}", file=sys.stderr) as bar:
                count = write_records(iter_records(db, flt), out, fmt, progress=lambda n: bar.update(n - bar.pos))
            partial.replace(target)  # only a complete file takes the name
        else:
            count = write_records(iter_records(db, flt), sys.stdout, fmt)
    except sqlite3.OperationalError as exc:
        raise click.ClickException(f"{db_path}: {exc}") from None
    except OSError as exc:
        if partial and partial.exists():
            partial.unlink()
        raise click.ClickException(f"{output or 'stdout'}: {exc.strerror or exc}") from None
    if target:
        click.echo(f"exported {count} articles to {target}", err=True)


@cli.command()
@db_option
@click.option("--port", default=8001, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
def serve(db_path, port, host):
    """Serve the corpus in Datasette with the project's metadata, queries and templates.

    Example:

    \b
        reprints serve --db reprints.db --port 8001
    """
    _serve(db_path, port, host)


def _serve(db_path: str, port: int, host: str = "127.0.0.1") -> None:
    from pipeline.serve import ServeError, start_datasette

    try:
        proc, url = start_datasette(db_path, host, port)
    except ServeError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Datasette: {url}   (Ctrl-C stops it)")
    # SIGTERM too, not only Ctrl-C: a stopped `reprints serve` must not leave Datasette running.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait(timeout=10)


@cli.command()
@click.option("--quick", is_flag=True, help="Small samples: a check in seconds, not a measurement")
@click.option("--only", "areas", multiple=True,
              help="Run only these areas (repeatable): crawl, store, search, extraction, repair, spam, dedup, "
                   "throughput, distributed")
@click.option("--throughput", is_flag=True, help="Also run the end-to-end throughput benchmark (minutes)")
def bench(quick, areas, throughput):
    """Run the benchmarks and print their figures beside the reference figures.

    Example:

    \b
        reprints bench
        reprints bench --quick --only repair --only spam
        reprints bench --throughput --only throughput
    """
    from pipeline.benchmarks.report import AREAS, run_all

    chosen = tuple(areas) or AREAS
    if throughput and "throughput" not in chosen:
        chosen += ("throughput",)
    run_all(quick=quick, areas=chosen)


from pipeline.schedule import schedule, scheduler  # noqa: E402  (commands defined beside their logic)

cli.add_command(schedule)
cli.add_command(scheduler)


def main():
    cli()


if __name__ == "__main__":
    main()
