import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESClient } from '@aws-sdk/client-ses';

type StartSes = typeof import('aws-ses-v2-local')['default'];

/** The emulator's start function, wherever the CommonJS interop put it. */
export async function loadSesEmulator(): Promise<StartSes> {
  // CommonJS with `exports.default = server`: plain Node ESM sees `.default.default`, vitest's interop unwraps one level.
  const mod = (await import('aws-ses-v2-local')) as unknown as { default: StartSes | { default: StartSes } };
  return typeof mod.default === 'function' ? mod.default : mod.default.default;
}

/** The slice of the emulator's `GET /store` e-mail record tests read. */
export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: { content: string; contentType: string; filename?: string }[];
  at: number;
}

/** aws-ses-v2-local on loopback with a client for it; `stored()` reads back what it received. */
export async function startLocalSes() {
  const server = (await (await loadSesEmulator())({ host: '127.0.0.1', port: 0 })) as unknown as Server;
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new SESClient({
    region: 'eu-west-1',
    endpoint,
    credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake-secret' },
  });
  return {
    endpoint,
    client,
    async stored(): Promise<StoredEmail[]> {
      return ((await (await fetch(`${endpoint}/store`)).json()) as { emails: StoredEmail[] }).emails;
    },
    async close() {
      client.destroy();
      // The SDK keeps sockets alive; close() alone would wait for them to time out.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
