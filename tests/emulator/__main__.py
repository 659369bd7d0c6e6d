"""python -m tests.emulator --estate FILE --state-dir DIR [--port 0] [--latency-ms 0] [--lro-polls 2] [--verbose]

Runs in the foreground until SIGINT/SIGTERM. Writes DIR/ca.pem (the CA to trust) and, once listening,
DIR/emulator.json ({"port", "url", "pid", "caPath", "tenantId"}).
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from .certs import ensure_certs
from .server import EmulatorServer
from .state import EmulatorState


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--estate", help="estate YAML/JSON (default: an empty estate)")
    parser.add_argument("--state-dir", required=True, help="certificates and emulator.json go here")
    parser.add_argument("--port", type=int, default=0, help="0 = any free port")
    parser.add_argument("--latency-ms", type=int, default=0, help="added to every ARM/Entra answer")
    parser.add_argument("--lro-polls", type=int, default=2, help="InProgress answers before an LRO completes")
    parser.add_argument("--verbose", action="store_true", help="one line per request on stderr")
    args = parser.parse_args(argv)

    from .api import write_info  # after argparse: --help stays fast

    _, cert, key = ensure_certs(args.state_dir)
    state = EmulatorState(args.estate, latency_ms=args.latency_ms, lro_polls=args.lro_polls)
    server = EmulatorServer(state, cert, key, port=args.port, verbose=args.verbose)
    # serve_forever blocks the main thread, so a signal handler asks another thread to call shutdown().
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    write_info(args.state_dir, server, pid=os.getpid())
    sys.stderr.write(f"ARM emulator listening on {server.base_url} (state dir {args.state_dir})\n")
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
