import { connect, createServer, type Socket } from "node:net";

/**
 * A TCP forwarder on a free loopback port in front of a real server, that a test can close
 * (new connections are reset, open ones cut: "the remote is down") and open again, on the same
 * port, so a client's config never changes. `stallAfter(n)`: connections opened from then on
 * forward only their first n bytes from the client, then hang (an upload frozen midway, to kill
 * the client deterministically while it writes).
 */
export interface TcpGate {
  port: number;
  setOpen(open: boolean): void;
  stallAfter(bytes: number | null): void;
  stop(): Promise<void>;
}

export async function startTcpGate(targetPort: number): Promise<TcpGate> {
  let open = true;
  let stall: number | null = null;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    if (!open) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    upstream.pipe(client);
    const limit = stall;
    let forwarded = 0;
    client.on("data", (chunk: Buffer) => {
      if (limit === null) return void upstream.write(chunk);
      const room = Math.max(0, limit - forwarded);
      forwarded += chunk.length;
      if (room > 0) upstream.write(chunk.subarray(0, room));
    });
    client.on("end", () => upstream.end());
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    stallAfter(bytes: number | null) {
      stall = bytes;
    },
    setOpen(value: boolean) {
      open = value;
      if (!value) for (const s of sockets) s.destroy();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
