"""python -m sandbox --port 5001 [--host 127.0.0.1] [--apps DIR] [--token TOKEN] [--latency-ms N]"""

import argparse
import sys
from pathlib import Path

from . import DEMO_TOKEN, create_sandbox_app
from .server import listen, serve


def _milliseconds(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m sandbox", description="Local stand-in of the CAVATICA API v2."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--apps", metavar="DIR", help="install every *.json in DIR as an app")
    parser.add_argument("--token", default=DEMO_TOKEN, help="the demo user's token")
    parser.add_argument(
        "--latency-ms",
        type=_milliseconds,
        default=0,
        help="the round trip: each API request is answered N ms after it arrived",
    )
    args = parser.parse_args(argv)
    if args.apps and not Path(args.apps).is_dir():
        parser.error(f"--apps: {args.apps} is not a directory")
    try:
        app = create_sandbox_app(apps_dir=args.apps, token=args.token, latency_ms=args.latency_ms)
    except ValueError as exc:
        parser.error(f"--apps: {exc}")
    sock = listen(args.host, args.port)
    host, port = sock.getsockname()[:2]
    url = f"http://{host}:{port}"
    print(f"CAVATICA sandbox serving {url}/v2", flush=True)
    print(f"Demo token (X-SBG-Auth-Token): {args.token}", flush=True)
    print("Controls: " + url + "/_sandbox/  (Ctrl+C to stop)", flush=True)
    serve(app, sock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
