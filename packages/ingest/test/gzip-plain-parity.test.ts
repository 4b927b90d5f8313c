import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryWriter } from '../src';
import { event, gzip, post, testApp, WRITE_KEY } from './helpers';

/**
 * A gzip body whose inflated size is within INGEST_MAX_BODY_BYTES costs no more to parse than the same body sent
 * plain, which the ingest reads anyway: it must get the same answer. The density guard (too_many_values) once
 * refused such bodies when they were repetitive (samples, bitmaps), and clients drop a batch answered 413.
 */
const sentAt = '2026-11-27T10:00:00.000Z';
// The production defaults (INGEST_MAX_BODY_BYTES 1 MiB, INGEST_MAX_EVENT_BYTES 32 KiB).
const defaults = { maxBodyBytes: 1024 * 1024, maxEventBytes: 32 * 1024 };

interface Answer {
  status: number;
  code?: string;
  accepted?: number;
  rejected?: number;
  outcomes?: string[];
}

/** What a client acts on: the status, the refusal's code, each event's outcome (not the request id). */
async function answerOf(res: Response): Promise<Answer> {
  const body = (await res.json()) as { error?: { code: string }; accepted?: number; rejected?: number; results?: { status: string; code?: string }[] };
  return { status: res.status, code: body.error?.code, accepted: body.accepted, rejected: body.rejected, outcomes: body.results?.map((r) => `${r.status}:${r.code ?? ''}`) };
}

type Shape = 'ours' | 'segment-key-inside';

/** The body sent both ways: our batch with the key in the header, or a Segment batch with the key only inside it (analytics-kotlin). */
function send(shape: Shape, text: string, gzipped: boolean): [string, RequestInit] {
  const encoding: Record<string, string> = gzipped ? { 'content-encoding': 'gzip' } : {};
  const body = gzipped ? gzip(text) : text;
  if (shape === 'ours') return ['/v1/batch', post(body, encoding)];
  return ['/v1/b', { method: 'POST', body, headers: { 'content-type': 'text/plain', ...encoding } }];
}

async function bothWays(shape: Shape, text: string, options: Partial<typeof defaults> = defaults) {
  const app = testApp(createMemoryWriter(), options);
  const plain = await answerOf(await app.request(...send(shape, text, false)));
  const zipped = await answerOf(await app.request(...send(shape, text, true)));
  return { plain, zipped };
}

const segmentMessage = (i: number, properties: Record<string, unknown>) => ({
  type: 'track',
  event: 'Sensor Window',
  anonymousId: 'a1b2c3d4-0000-4000-8000-000000000001',
  messageId: `m-${i}`,
  timestamp: sentAt,
  context: { library: { name: 'analytics-kotlin', version: '1.16.0' } },
  properties,
});

describe('a gzip body within INGEST_MAX_BODY_BYTES once inflated is answered as the same body plain', () => {
  it('150 SDK events of 2,000 frame times each (940 KB, 5 KB gzipped: 180 values per compressed byte) are taken', async () => {
    const events = Array.from({ length: 150 }, (_, seq) => event({ seq, client_ts: sentAt, properties: { frame_ms: Array<number>(2000).fill(16), screen: 'home' } }));
    const { plain, zipped } = await bothWays('ours', JSON.stringify({ sent_at: sentAt, events }));
    expect(plain).toMatchObject({ status: 200, accepted: 150 });
    expect(zipped).toEqual(plain);
  });

  it('an analytics-kotlin batch (key only inside, /v1/b) of 70 tracks with 3,000 zero samples each (440 KB, 1.4 KB gzipped) is taken', async () => {
    const text = JSON.stringify({ batch: Array.from({ length: 70 }, (_, i) => segmentMessage(i, { samples: Array<number>(3000).fill(0) })), sentAt, writeKey: WRITE_KEY });
    const { plain, zipped } = await bothWays('segment-key-inside', text);
    expect(plain).toMatchObject({ status: 200, accepted: 70 });
    expect(zipped).toEqual(plain);
  });

  it('one 300 KB event of 150,000 zeros, with INGEST_MAX_EVENT_BYTES raised to allow it, is taken', async () => {
    const text = JSON.stringify({ sent_at: sentAt, events: [event({ client_ts: sentAt, properties: { samples: Array<number>(150_000).fill(0) } })] });
    const { plain, zipped } = await bothWays('ours', text, { maxBodyBytes: 1024 * 1024, maxEventBytes: 900 * 1024 });
    expect(plain).toMatchObject({ status: 200, accepted: 1 });
    expect(zipped).toEqual(plain);
  });

  it('1 MiB of empty objects with the key only inside (parsed before auth) gets the plain body’s answer, not a density refusal', async () => {
    const head = `{"writeKey":"${WRITE_KEY}","batch":[`;
    const text = `${head}${'{},'.repeat(Math.floor((1024 * 1024 - head.length - 8) / 3))}{}]}`;
    expect(text.length).toBeLessThanOrEqual(1024 * 1024);
    const { plain, zipped } = await bothWays('segment-key-inside', text);
    expect(plain.status).toBe(413);
    expect(plain.code).toBe('too_many_events');
    expect(zipped).toEqual(plain);
  });

  it('property: any batch within the plain-body limit, however repetitive, gets the same answer gzipped as plain', async () => {
    const sample = fc.constantFrom<unknown>(0, 16, 1.5, -1, null, true, {}, [], 'a', 'x,y', [0, 0], { k: 1 });
    const batchShape = fc.record({
      shape: fc.constantFrom<Shape>('ours', 'segment-key-inside'),
      events: fc.integer({ min: 1, max: 400 }),
      sample,
      samples: fc.integer({ min: 0, max: 6000 }),
      // A CSV-like string: every comma in it is counted by the density guard.
      commas: fc.integer({ min: 0, max: 20_000 }),
    });
    await fc.assert(
      fc.asyncProperty(batchShape, async ({ shape, events, sample, samples, commas }) => {
        const properties = { samples: Array<unknown>(samples).fill(sample), csv: ','.repeat(commas) };
        const one = shape === 'ours' ? event({ client_ts: sentAt, properties }) : segmentMessage(0, properties);
        // As many events as fit the plain-body limit (so the plain body is read, not refused for its size).
        const count = Math.max(1, Math.min(events, Math.floor((defaults.maxBodyBytes - 200) / (JSON.stringify(one).length + 1))));
        const list = Array.from({ length: count }, (_, i) => (shape === 'ours' ? event({ seq: i, client_ts: sentAt, properties }) : segmentMessage(i, properties)));
        const text = JSON.stringify(shape === 'ours' ? { sent_at: sentAt, events: list } : { batch: list, sentAt, writeKey: WRITE_KEY });
        fc.pre(Buffer.byteLength(text) <= defaults.maxBodyBytes);
        const { plain, zipped } = await bothWays(shape, text);
        expect(zipped).toEqual(plain);
      }),
      { numRuns: 40 },
    );
  });
});
