/**
 * The HTTP plumbing the simulators share: a server bound to 127.0.0.1 only, so a simulator started by a test or a
 * bench is never reachable from another machine, and a close() that also ends the answers a `hang` fault keeps open.
 */
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP server; `hang` may be called by the handler before `listen` resolves. */
export class LoopbackServer {
  private server: Server | null = null;
  private readonly hanging = new Set<ServerResponse>();
  private closing: Promise<void> | null = null;

  /** Starts serving on 127.0.0.1 (port 0: any free port) and resolves with the origin, e.g. `http://127.0.0.1:PORT`. */
  async listen(handler: RequestListener, port = 0): Promise<string> {
    if (this.server) throw new Error('LoopbackServer: already listening');
    const server = createServer(handler);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Leaves a response unanswered on purpose until the client gives up or the server closes. */
  hang(res: ServerResponse): void {
    this.hanging.add(res);
    res.on('close', () => this.hanging.delete(res));
  }

  /** Stops the server and drops every connection; idempotent. */
  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    this.closing ??= new Promise<void>((resolve) => {
      // Hung answers would keep close() waiting forever; they are the only ones nobody else will end.
      for (const res of this.hanging) res.destroy();
      this.hanging.clear();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return this.closing;
  }
}
