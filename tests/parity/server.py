"""asyncdemo server, in asyncio: a server from asyncio.start_server on 127.0.0.1 (a port the
system picks), and --clients clients from asyncio.open_connection, each sending --requests lines
one after another and awaiting each answer. The handler, one task per connection (conn-N, in
the order accepted), answers each line after --delay: asyncio.sleep, or time.sleep with
--blocking, which holds the loop and every other connection with it.

asyncdemo's accept loop is a task of its own, `server`, which ends when the server closes; here
it is a task that holds the server open until the clients are done, then closes it.

results: each client's requests in the order answered, as asyncdemo's results: the client's
name only (the latencies are times)."""

import argparse
import asyncio
import time

from record import duration, run

HOST = "127.0.0.1"


async def main(record, args, results):
    record.start_main()
    accepted = 0
    handlers = []

    async def handle(reader, writer):
        nonlocal accepted
        accepted += 1
        name = f"conn-{accepted}"
        task = asyncio.current_task()
        task.set_name(name)
        handlers.append(task)

        async def serve():
            answered = 0
            while line := await reader.readline():
                if args.blocking:
                    time.sleep(args.delay)
                else:
                    await asyncio.sleep(args.delay)
                answered += 1
                writer.write(f"ok {answered}: {line.decode().rstrip()}\n".encode())
                await writer.drain()
            writer.close()

        # The server created this task; it records its own end, as Record.task's do.
        try:
            await serve()
        except asyncio.CancelledError:
            record.ended(name, "cancelled")
            raise
        except BaseException:
            record.ended(name, "failed")
            raise
        record.ended(name, "done")

    server = await asyncio.start_server(handle, HOST, 0)
    port = server.sockets[0].getsockname()[1]
    clients_done = asyncio.Event()

    async def serving():
        async with server:
            await clients_done.wait()
        # asyncdemo's accept loop waits for its connections' handlers before it ends.
        await asyncio.gather(*handlers, return_exceptions=True)

    server_task = record.task(serving(), "server")

    async def client(i):
        reader, writer = await asyncio.open_connection(HOST, port)
        for r in range(1, args.requests + 1):
            writer.write(f"request {i}.{r}\n".encode())
            await writer.drain()
            if not await reader.readline():
                raise ConnectionError("the server closed the connection before answering")
            results.append({"client": f"client-{i}"})
        writer.close()

    await asyncio.gather(*(record.task(client(i), f"client-{i}")
                           for i in range(1, args.clients + 1)))
    clients_done.set()
    await server_task


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--requests", type=int, default=3)
    parser.add_argument("--delay", type=duration, default=0.2)
    parser.add_argument("--blocking", action="store_true")
    args = parser.parse_args()
    results = []
    run(lambda record: main(record, args, results), results)
