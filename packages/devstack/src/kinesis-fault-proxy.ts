import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Per-entry error codes real Kinesis returns in a PutRecords answer. */
export type EntryFault = 'ProvisionedThroughputExceededException' | 'InternalFailure';

export interface FaultPlan {
  /**
   * Called for each PutRecords entry in order: its partition key, data as text, how many times this
   * data has been seen, and the number of the call it is in. A returned code fails the entry.
   */
  failEntry?: (entry: { partitionKey: string; data: string; seen: number; call: number }) => EntryFault | undefined;
  /** Delay before every request is forwarded. */
  latencyMs?: number;
  /** `refuse`: the connection is dropped; `error`: every call answers 500 InternalFailure. */
  outage?: 'refuse' | 'error';
  /**
   * Called for each call with its API action (`DescribeStreamSummary`, `PutRecords`, …): a returned error
   * is answered instead of forwarding, e.g. `{ status: 400, type: 'LimitExceededException' }`.
   */
  failCall?: (action: string) => { status: number; type: string } | undefined;
  /**
   * ListShards calls go on with this `MaxResults` (kinesis-local honours it, kinesalite lists all at
   * once): a stream with more shards than one page, as Kinesis has past 1,000, without that many shards.
   */
  listShardsPageSize?: number;
}

export interface KinesisFaultProxy {
  /** Point the writer here instead of at the emulator. */
  endpoint: string;
  /** The faults now in force; replace or edit at any time. */
  plan: FaultPlan;
  /** Calls seen per API action, and PutRecords entries failed on purpose. */
  stats: { calls: Record<string, number>; failedEntries: number };
  stop(): Promise<void>;
}

interface PutRecordsBody {
  StreamName?: string;
  StreamARN?: string;
  Records: { Data: string; PartitionKey: string }[];
}

/**
 * A fault-injecting HTTP proxy in front of a Kinesis emulator (neither emulator ever throttles).
 * PutRecords entries chosen by the plan are *not* forwarded and come back with their ErrorCode, so
 * the stream holds exactly what a real partial failure would leave. Loopback only, on a free port.
 */
export async function startKinesisFaultProxy(target: string, plan: FaultPlan = {}): Promise<KinesisFaultProxy> {
  const agent = new Agent({ keepAlive: true });
  const proxy: KinesisFaultProxy = { endpoint: '', plan, stats: { calls: {}, failedEntries: 0 }, stop: () => Promise.resolve() };
  const seen = new Map<string, number>();
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => answer(res, 502, { __type: 'ProxyError', message: String(error) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readAll(req);
    const action = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
    proxy.stats.calls[action] = (proxy.stats.calls[action] ?? 0) + 1;
    const { latencyMs, outage } = proxy.plan;
    if (latencyMs) await new Promise((r) => setTimeout(r, latencyMs));
    if (outage === 'refuse') return void req.socket.destroy();
    if (outage === 'error') return answer(res, 500, { __type: 'InternalFailure', message: 'injected outage' });
    const failed = proxy.plan.failCall?.(action);
    if (failed) return answer(res, failed.status, { __type: failed.type, message: `injected ${failed.type}` });
    const pageSize = proxy.plan.listShardsPageSize;
    if (action === 'ListShards' && pageSize !== undefined) {
      return forward(req, Buffer.from(JSON.stringify({ ...(JSON.parse(body.toString('utf8')) as object), MaxResults: pageSize })), res);
    }
    if (action !== 'PutRecords' || !proxy.plan.failEntry) return forward(req, body, res);
    await putWithFaults(req, JSON.parse(body.toString('utf8')) as PutRecordsBody, res);
  }

  async function putWithFaults(req: IncomingMessage, input: PutRecordsBody, res: ServerResponse): Promise<void> {
    const call = proxy.stats.calls.PutRecords ?? 0;
    const faults = input.Records.map((r) => {
      const data = Buffer.from(r.Data, 'base64').toString('utf8');
      const count = (seen.get(data) ?? 0) + 1;
      seen.set(data, count);
      return proxy.plan.failEntry?.({ partitionKey: r.PartitionKey, data, seen: count, call });
    });
    const passed = input.Records.filter((_, i) => faults[i] === undefined);
    proxy.stats.failedEntries += input.Records.length - passed.length;
    let written: Record<string, unknown>[] = [];
    if (passed.length > 0) {
      const upstream = await send(req, Buffer.from(JSON.stringify({ ...input, Records: passed })));
      if (upstream.status !== 200) return answer(res, upstream.status, JSON.parse(upstream.body.toString('utf8')) as object);
      written = (JSON.parse(upstream.body.toString('utf8')) as { Records: Record<string, unknown>[] }).Records;
    }
    let next = 0;
    const records = faults.map((code) => (code ? { ErrorCode: code, ErrorMessage: `injected ${code}` } : written[next++]!));
    const failed = records.filter((r) => 'ErrorCode' in r && r.ErrorCode).length;
    answer(res, 200, { FailedRecordCount: failed, Records: records });
  }

  function send(req: IncomingMessage, body: Buffer): Promise<{ status: number; body: Buffer; headers: IncomingMessage['headers'] }> {
    const url = new URL(target);
    const headers = { ...req.headers, host: url.host, 'content-length': String(body.length) };
    return new Promise((resolve, reject) => {
      const out = request({ host: url.hostname, port: url.port, method: req.method, path: req.url, headers, agent }, (up) => {
        readAll(up).then((b) => resolve({ status: up.statusCode ?? 502, body: b, headers: up.headers }), reject);
      });
      out.on('error', reject);
      out.end(body);
    });
  }

  async function forward(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const upstream = await send(req, body);
    res.writeHead(upstream.status, { 'content-type': upstream.headers['content-type'] ?? 'application/x-amz-json-1.1', 'content-length': upstream.body.length });
    res.end(upstream.body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      agent.destroy();
    });
  return proxy;
}

function answer(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
