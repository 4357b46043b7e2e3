"""A CSMS cluster node in a process of its own, for the tests that SIGKILL or stop one.

python -m tests.cluster.node_process <nats url> <cluster name> <node ttl> [<port>]
prints "READY <port> <node id>" once it listens, then serves until killed.
"""

from __future__ import annotations

import asyncio
import sys

from ocppwire.cluster import ClusterConfig
from ocppwire.runtime.options import ServerOptions
from ocppwire.v201 import csms

from .conftest import Csms


async def main() -> None:
    url, name, ttl = sys.argv[1], sys.argv[2], float(sys.argv[3])
    port = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[4].isdigit() else 0
    config = ClusterConfig(servers=(url,), name=name, node_ttl=ttl, reconnect_wait=0.2, node_name="proc")
    async with csms.serve(Csms(), "127.0.0.1", port, options=ServerOptions(cluster=config)) as server:
        assert server.observer is not None
        print("READY", server.port, server.observer.node_id, flush=True)  # type: ignore[attr-defined]
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
