import { readdirSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';

export interface RawExchangeOptions {
  /** Half-close after writing (default): the server sees the whole request. `false` keeps sending open, as a stalled client does. */
  halfClose?: boolean;
  /** A bound, not a measurement: with nothing received for this long the socket is ended and what came is returned (default 10 s). */
  idleMs?: number;
}

/**
 * Write raw bytes to a loopback server (an `http://127.0.0.1:<port>` URL or the port) and collect what it
 * answers until it closes the connection. A reset after part of an answer still returns that part (the
 * server may reset a socket holding unread bytes); a connection that fails before any byte came rejects.
 */
export function rawExchange(target: string | number, request: string, options: RawExchangeOptions = {}): Promise<string> {
  const { hostname, port } = typeof target === 'number' ? { hostname: '127.0.0.1', port: target } : new URL(target);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let out = '';
    let failure: Error | undefined;
    socket.setTimeout(options.idleMs ?? 10_000, () => socket.destroy());
    socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
    socket.on('error', (error) => (failure = error));
    socket.on('close', () => (out === '' && failure ? reject(failure) : resolve(out)));
    if (options.halfClose === false) socket.write(request);
    else socket.end(request);
  });
}

/**
 * Like an attacker's socket: sends the request without half-closing, reads the answer, and then neither
 * writes nor closes its side (after the server's FIN too). Resolves with the answer once the server has
 * finished it; `close()` ends the client's side at last.
 */
export function answeredThenHeld(target: string, request: string): Promise<{ answer: string; close: () => void }> {
  const { hostname, port } = new URL(target);
  return new Promise((resolve, reject) => {
    const socket = connect({ port: Number(port), host: hostname, allowHalfOpen: true });
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('end', () => resolve({ answer, close: () => socket.destroy() }));
    socket.write(request);
  });
}

/** The TCP sockets a process holds open (Linux), read from its file descriptors. */
export function openSockets(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
    } catch {
      return false; // closed while listed
    }
  }).length;
}

export interface TrickleOptions {
  /** Bytes per write. */
  chunkBytes: number;
  /** Pause between writes: a slow uplink that never goes quiet for long. */
  gapMs: number;
  /** Stop writing (without closing) once this many body bytes are out: a client that stalls mid-body. */
  stallAfterBytes?: number;
  /** Once the answer starts to arrive, send the rest of the body at once (a client that was only slow, not gone). */
  restAfterAnswer?: boolean;
}

/**
 * Send `head` at once, then `body` a chunk at a time with a pause between chunks, the way a slow mobile
 * uplink delivers it, and collect the answer until the server closes the connection (ask for
 * `Connection: close`). Resolves with the answer and how many body bytes were written before it ended.
 */
export function trickleExchange(target: string, head: string, body: Buffer, options: TrickleOptions): Promise<{ answer: string; sentBytes: number }> {
  const { hostname, port } = new URL(target);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const limit = Math.min(body.length, options.stallAfterBytes ?? body.length);
    const next = (): void => {
      if (sent >= limit || socket.destroyed) return;
      const chunk = body.subarray(sent, Math.min(limit, sent + options.chunkBytes));
      sent += chunk.length;
      socket.write(chunk);
      timer = setTimeout(next, options.gapMs);
    };
    socket.setTimeout(30_000, () => socket.destroy()); // a bound, not a measurement
    socket.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
      if (options.restAfterAnswer && sent < body.length && !socket.destroyed) {
        socket.write(body.subarray(sent));
        sent = body.length;
      }
    });
    socket.on('error', (error) => {
      if (answer === '') reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ answer, sentBytes: sent });
    });
    socket.write(head, next);
  });
}

/**
 * A connection the server holds open: a POST whose headers are in (the server answered `100 Continue`,
 * so it has taken the connection and the request) and whose body never comes. `close()` ends it.
 */
export async function heldUpload(target: string): Promise<{ close: () => void }> {
  const { hostname, port } = new URL(target);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => undefined);
  let received = '';
  socket.setEncoding('latin1').on('data', (d: string) => (received += d));
  socket.write(`POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n`);
  for (let i = 0; i < 500 && !received.startsWith('HTTP/1.1 100'); i++) await new Promise((r) => setTimeout(r, 10));
  if (!received.startsWith('HTTP/1.1 100')) throw new Error(`the server did not take the connection: ${JSON.stringify(received.slice(0, 100))}`);
  return { close: () => socket.destroy() };
}
