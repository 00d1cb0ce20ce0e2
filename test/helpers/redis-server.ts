import { createServer } from "node:net";
import { execa, type ResultPromise } from "execa";
import { Redis } from "ioredis";

/** A real `redis-server` (Debian's package) on 127.0.0.1, started for one test and stopped after it. */
export interface RedisServer {
  port: number;
  url: string;
  /** Stops it (SIGTERM: with `dir` set it writes its append-only file first). */
  stop(): Promise<void>;
  /** Starts it again on the same port (and the same data folder, when it has one). */
  start(): Promise<void>;
}

/** A port the kernel just handed out and released: free for the server started next. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/**
 * Starts `redis-server` on a free port. Without `dir` nothing is persisted (`--save '' --appendonly no`);
 * with `dir` it keeps an fsynced append-only file there, so a stop and start loses no job.
 */
export async function startRedis(options: { dir?: string } = {}): Promise<RedisServer> {
  const port = await freePort();
  let child: ResultPromise | undefined;
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--protected-mode", "yes"];
  if (options.dir) args.push("--dir", options.dir, "--appendonly", "yes", "--appendfsync", "always");
  else args.push("--appendonly", "no");
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = execa("redis-server", args, {
        reject: false,
        stdin: "ignore",
        stdout: "ignore",
        stderr: "ignore",
        cleanup: true,
      });
      const probe = new Redis(port, "127.0.0.1", {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on("error", () => undefined);
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          await probe.connect();
          await probe.ping();
          probe.disconnect();
          return;
        } catch {
          if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    },
    async stop() {
      if (!child) return;
      const running = child;
      child = undefined;
      running.kill("SIGTERM");
      await running;
    },
  };
  await server.start();
  return server;
}
