import { HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { acceptAll, ingestSuite, record } from './support';

const { ingest, clients } = ingestSuite();

// The ingest answers every event of a 2xx; a 2xx without per-event results came from something in between.
describe('a 2xx without per-event results (a proxy, a captive portal)', () => {
  it.each([
    ['an empty JSON object', () => HttpResponse.json({})],
    ['an HTML login page', () => new HttpResponse('<html>Sign in to the Wi-Fi</html>', { status: 200, headers: { 'Content-Type': 'text/html' } })],
    ['a 204', () => new HttpResponse(null, { status: 204 })],
  ])('%s: the events stay queued, an error notice, and they are sent once the ingest answers', async (_name, answer) => {
    ingest.reply(answer);
    const client = clients.create({ retryBaseMs: 60_000 });
    const notices = record(client);
    client.track('a');
    client.track('b');
    await client.flush();
    expect(notices.sent).toEqual([]);
    expect(notices.drop).toEqual([]);
    expect(notices.error).toMatchObject([{ message: expect.stringMatching(/^HTTP 20[04].* without results$/) as string, queued: 2 }]);

    ingest.reply(acceptAll);
    await client.flush();
    expect(notices.sent.map((n) => n.acceptedIds.length)).toEqual([2]);
    expect(ingest.events().map((e) => e.event)).toEqual(['a', 'b', 'a', 'b']);
  });
});
