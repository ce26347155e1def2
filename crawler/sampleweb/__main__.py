"""`python -m crawler.sampleweb [--port N]`: serve the sample web until Ctrl-C."""

import argparse

from crawler.sampleweb.server import main

parser = argparse.ArgumentParser(prog="python -m crawler.sampleweb", description=__doc__)
parser.add_argument("--port", type=int, default=8100, help="the port every site listens on (default 8100)")
main(parser.parse_args().port)
