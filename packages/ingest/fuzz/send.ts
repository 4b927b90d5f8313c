import { connect } from 'node:net';
import type { FuzzCase } from './cases';
import { basicAuth } from './valid';

/** What came back: status 0 = the connection closed without an answer, -1 = a transport error (reset, refused). */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  error?: string;
}

function authHeader(c: FuzzCase, key: string): Record<string, string> {
  if (c.auth === 'key') return { authorization: basicAuth(key) };
  if (c.auth === 'wrong') return { authorization: basicAuth(`not-a-key-${key}`) };
  if (c.auth === 'garbled') return { authorization: 'Basic !!not base64!!' };
  return {};
}

/** Send one case: over fetch (keep-alive), or a raw socket when it lies about its Content-Length. */
export async function sendCase(base: string, c: FuzzCase, key: string): Promise<Answer> {
  const headers = { ...c.headers, ...authHeader(c, key) };
  if (c.declaredLength !== undefined) return sendRaw(new URL(base), c, headers);
  try {
    const res = await fetch(new URL(c.path, base), { method: 'POST', headers, body: c.body as Uint8Array<ArrayBuffer> });
    const text = await res.text();
    return { status: res.status, headers: Object.fromEntries(res.headers), body: parseJson(text) };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { status: -1, headers: {}, body: undefined, error: cause?.code ?? cause?.message ?? String(error) };
  }
}

/** Write the head with the declared length and the real body, half-close, read the first answer. */
function sendRaw(base: URL, c: FuzzCase, headers: Record<string, string>): Promise<Answer> {
  const head = [`POST ${c.path} HTTP/1.1`, `Host: ${base.host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), `Content-Length: ${c.declaredLength}`, 'Connection: close', '', ''].join('\r\n');
  return new Promise((resolve) => {
    const socket = connect(Number(base.port), base.hostname);
    const chunks: Buffer[] = [];
    let transportError: string | undefined;
    socket.setTimeout(10_000, () => {
      transportError = 'timeout: no answer and no close in 10 s';
      socket.destroy();
    });
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (error: NodeJS.ErrnoException) => (transportError = error.code ?? error.message));
    socket.on('close', () => {
      const raw = Buffer.concat(chunks);
      if (raw.length > 0) return resolve(parseFirstResponse(raw));
      resolve(transportError ? { status: -1, headers: {}, body: undefined, error: transportError } : { status: 0, headers: {}, body: undefined });
    });
    socket.end(Buffer.concat([Buffer.from(head, 'latin1'), c.body]));
  });
}

/** The first HTTP/1.1 response in the bytes (Content-Length or chunked body). */
function parseFirstResponse(raw: Buffer): Answer {
  const end = raw.indexOf('\r\n\r\n');
  const lines = raw.subarray(0, end < 0 ? raw.length : end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? -1);
  const headers = Object.fromEntries(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  let rest = end < 0 ? Buffer.alloc(0) : raw.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') rest = dechunk(rest);
  else if (headers['content-length'] !== undefined) rest = rest.subarray(0, Number(headers['content-length']));
  return { status, headers, body: parseJson(rest.toString('utf8')) };
}

function dechunk(data: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const eol = data.indexOf('\r\n', at);
    const size = parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
