"""The bundled offline "sample web": five article directories and blogs served on loopback.

`SampleWeb` serves them for the demo and the tests; `load_truth()` gives the content they
were rendered from (articles, pages, comments with their spam verdicts, error URLs).
"""

from crawler.sampleweb.content import Truth, load_truth
from crawler.sampleweb.server import SampleWeb, Site, main

__all__ = ["SampleWeb", "Site", "Truth", "load_truth", "main"]
