"""The project's robots.txt middleware, against Scrapy's, in a real crawl of the sample web."""

import collections
import os
import subprocess
import sys
from pathlib import Path


ROBOTS_DRIVER = """
import sys, scrapy
from scrapy.crawler import CrawlerProcess
base, middleware = sys.argv[1], sys.argv[2]
class Probe(scrapy.Spider):
    name = "probe"
    async def start(self):
        for path in ("/search/label/A", "/search/label/B", "/search/label/C"):
            yield scrapy.Request(base + path, callback=self.fetched, errback=self.refused)
    def fetched(self, response):
        print("fetched", response.url)
    def refused(self, failure):
        print("refused", failure.request.url)
settings = {"ROBOTSTXT_OBEY": True, "LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False,
            "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor"}
if middleware != "scrapy":
    settings["DOWNLOADER_MIDDLEWARES"] = {"scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
                                          middleware: 100}
process = CrawlerProcess(settings)
process.crawl(Probe)
process.start()
"""


def test_requests_waiting_for_robots_txt_are_all_checked(sample_web, tmp_path):
    """Three requests for a host before its robots.txt arrives: Scrapy's middleware lets one through."""
    base = sample_web.site("blogger-layouts").base_url  # robots.txt: Disallow: /search
    script = tmp_path / "probe.py"
    script.write_text(ROBOTS_DRIVER)

    def outcomes(middleware):
        project = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [project, os.environ.get("PYTHONPATH")]))}
        result = subprocess.run([sys.executable, str(script), base, middleware], capture_output=True, text=True,
                                timeout=60, env=env)
        assert result.returncode == 0, result.stderr[-2000:]
        return collections.Counter(line.split()[0] for line in result.stdout.splitlines())

    assert outcomes("crawler.middlewares.RobotsTxtMiddleware") == {"refused": 3}
    stock = outcomes("scrapy")
    if stock["fetched"]:  # the bug this works around; when Scrapy fixes it, the override can go
        assert stock == {"refused": 2, "fetched": 1}
