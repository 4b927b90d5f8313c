import { KinesisClient } from '@aws-sdk/client-kinesis';
import { emulatorKinesisClientConfig, ensureStreams, readStream, recordJson, startKinesis, type KinesisEmulator } from '@eventline/devstack';
import { afterAll, beforeAll } from 'vitest';
import { basic, batch, event } from './helpers';

/** `eventline_ingest_requests_rejected_total{code}` read from a /metrics text. */
export const rejectedCount = (metrics: string, code: string) => Number(new RegExp(`^eventline_ingest_requests_rejected_total\\{code="${code}"\\} (\\d+)$`, 'm').exec(metrics)?.[1]);

/**
 * The set-up of the Node entry's socket-level tests: a kinesalite (started before the suite, stopped
 * after it) with the streams `<prefix>-events` and `<prefix>-bad`, the entry's environment for them, and
 * what a device's upload looks like on the wire and in the stream. Call it inside a `describe`.
 */
export function nodeEntrySuite(prefix: string) {
  const events = `${prefix}-events`;
  const bad = `${prefix}-bad`;
  let kinesis: KinesisEmulator | undefined;
  let client: KinesisClient | undefined;
  beforeAll(async () => {
    kinesis = await startKinesis();
    client = new KinesisClient(emulatorKinesisClientConfig(kinesis.endpoint));
    await ensureStreams(kinesis.endpoint, [{ name: events, shards: 1 }, { name: bad, shards: 1 }]);
  });
  afterAll(async () => {
    client?.destroy();
    await kinesis?.stop();
  });
  const endpoint = () => {
    if (!kinesis) throw new Error('the suite has not started kinesalite yet');
    return kinesis.endpoint;
  };
  return {
    endpoint,
    /** The Node entry's environment for this suite's streams, plus `own`. */
    env: (own: Record<string, string> = {}) => ({ KINESIS_ENDPOINT: endpoint(), INGEST_WRITE_KEYS: 'wk_live=shop', STREAM_NAME: events, BAD_ROWS_STREAM_NAME: bad, ...own }),
    /** A batch of `count` events from one device, and the request head that announces it (the key in a header). */
    upload: (device: string, count: number) => {
      const body = Buffer.from(batch(Array.from({ length: count }, (_, seq) => event({ anonymous_id: device, seq }))));
      const head = `POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic('wk_live')}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
      return { body, head };
    },
    /** The records of the events stream that came from `device`. */
    storedFrom: async (device: string) => (await readStream(client!, events)).map(recordJson).filter((r) => JSON.stringify(r).includes(device)),
  };
}
