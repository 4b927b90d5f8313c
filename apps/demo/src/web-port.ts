import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** The shop's port of the last run, kept in the data folder: the page's origin, and so its offline queue and device id. */
const PORT_FILE = 'web-port';

export interface ReservedPort {
  /** Listening on 127.0.0.1, answering nothing yet: the web app is attached once the pipeline is up. */
  server: Server;
  port: number;
  /** Set when the last run's port was busy and the shop moved to another origin. */
  note?: string;
}

/**
 * Listen on the demo page's port before anything starts, so a busy port is said at once. DEMO_PORT
 * set: that port, or an error naming it. Unset (or 0): the last run's port when it is free, so the
 * page keeps its origin (IndexedDB queue, device id); else a free one, with a note saying so.
 */
export async function reserveWebPort(requested: number, dataDir: string): Promise<ReservedPort> {
  if (requested > 0) {
    try {
      return await listen(requested);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      throw new Error(`DEMO_PORT=${requested}: port ${requested} on 127.0.0.1 is in use; set another DEMO_PORT, or DEMO_PORT=0 for a free one`);
    }
  }
  const last = lastWebPort(dataDir);
  if (last !== undefined) {
    try {
      return await listen(last);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      const reserved = await listen(0);
      const note =
        `The last run's port ${last} is in use, so the demo page moved to port ${reserved.port}: a new origin. ` +
        `Events a browser queued offline on http://127.0.0.1:${last} stay with that origin, and the page gets a new device id. ` +
        'Set DEMO_PORT to keep one port.';
      return { ...reserved, note };
    }
  }
  return listen(0);
}

/** Remember the port for the next run (called once this run owns the data folder). */
export function saveWebPort(dataDir: string, port: number): void {
  writeFileSync(join(dataDir, PORT_FILE), `${port}\n`);
}

function lastWebPort(dataDir: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDir, PORT_FILE), 'utf8').trim();
  } catch {
    return undefined; // first run
  }
  const port = /^\d+$/.test(text) ? Number(text) : NaN;
  return port > 0 && port <= 65_535 ? port : undefined;
}

async function listen(port: number): Promise<ReservedPort> {
  const server = await listenOnLoopback(port);
  return { server, port: (server.address() as AddressInfo).port };
}

/** A server listening on 127.0.0.1:`port` (0: a free one), answering nothing until a request listener is added. */
export function listenOnLoopback(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve(server);
    });
  });
}
