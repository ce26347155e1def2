"""Scrapy settings: polite defaults for the real web.

`reprints crawl` and `reprints run` override a few of these per run (database path,
page limit, and no throttling for the bundled sample web, which is ours and on loopback).
"""

BOT_NAME = "reprints"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Identify ourselves and obey the site's rules.
USER_AGENT = "reprints/0.1 (+https://github.com/reprints/reprints; article archive crawler)"
ROBOTSTXT_OBEY = True

# Politeness: few requests per site at once, adaptive delay, retries with backoff.
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 30

# Limits: a crawl never runs away. DOWNLOAD_MAXSIZE applies after decompression.
DEPTH_LIMIT = 12
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
URLLENGTH_LIMIT = 2000

# Only http and https are ever fetched (crawler/middlewares.py refuses the rest with a reason).
DOWNLOAD_HANDLERS = {"file": None, "data": None, "s3": None, "ftp": None}
REPRINTS_MAX_PAGE_BYTES = 2 * 1024 * 1024  # HTML past this is not extracted (~4 s CPU per MB)
REPRINTS_SITE_MAX_BYTES = 2 * 1024 ** 3  # keeps one site's WARC records bounded
REPRINTS_SITE_MAX_PAGES = 0  # 0: no page cap

# Services we do not use: no open ports, nothing written under the home directory.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    # Scrapy 2.19's lets through unchecked all but one request that waited for robots.txt.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsTxtMiddleware": 100,
    "crawler.guards.SessionIdMiddleware": 40,  # before OffsiteMiddleware (50)
    "crawler.guards.SiteBudgetMiddleware": 60,
    "crawler.guards.PageSizeMiddleware": 585,  # after HttpCompression (590) has decompressed
    "crawler.middlewares.SchemeFilterMiddleware": 650,
    "crawler.conditional.ConditionalRequestMiddleware": 587,
    "crawler.middlewares.WarcArchiveMiddleware": 950,
}
SPIDER_MIDDLEWARES = {}
EXTENSIONS = {
    "crawler.jobdir.CrashSafeJobdir": 100,
}
ITEM_PIPELINES = {
    "crawler.pipelines.ProcessPipeline": 100,
    "crawler.pipelines.TopicFilterPipeline": 200,
    "crawler.pipelines.StorePipeline": 500,
}

# Where the corpus goes; `reprints crawl --db` sets these.
REPRINTS_DB = "reprints.db"
REPRINTS_ARCHIVE = None  # default: a folder named after the database, see pipeline.archive
REPRINTS_MIN_TOPIC_SCORE = 0.0
REPRINTS_CONDITIONAL = True  # send If-None-Match / If-Modified-Since from the last crawl (crawler/conditional.py)
REPRINTS_STORE_BATCH = 100
REPRINTS_STORE_SECONDS = 2.0

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
