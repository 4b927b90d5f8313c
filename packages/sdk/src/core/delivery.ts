import type { ClientEvent } from '@eventline/schemas';
import type { LIMITS } from '@eventline/schemas/limits';
import type { ResolvedConfig } from './config';
import type { Emitter } from './emitter';
import type { ClientNotices } from './notices';
import { bodyOf, describe, readResults, verdict } from './outcome';
import type { Queue } from './queue';
import { readJson } from './sync-json';
import { startTimer, type TimerHandle } from './timer';
import { toJson } from './wire-json';
import type { CorePlatform, TransportResponse } from './types';

/** Most events in one request: the ingest's limit, checked against the schemas at compile time. */
const MAX_BATCH: (typeof LIMITS)['batchMaxEvents'] = 500;
/** Browsers allow 64 KiB of keepalive bodies in flight per page. */
export const KEEPALIVE_BYTES = 65_536;
const LEASE_KEY = 'eventline.lease';
const ABANDONED = 'abandoned by close()';

export interface DeliveryDeps {
  cfg: ResolvedConfig;
  platform: CorePlatform;
  queue: Queue;
  emitter: Emitter<ClientNotices>;
  /** Report an error notice (nothing lost: events stay queued). */
  fail: (message: string, error?: unknown, more?: Partial<ClientNotices['error']>) => void;
  now: () => number;
  random: () => number;
  /** True while this tab is the one that sends (leader); others only persist. */
  isSender: () => boolean;
  /**
   * This tab sends without a lock (none can be shared): its own events only, after picking up once
   * what earlier pages left; other tabs send theirs (reading them too would send each twice).
   */
  alone: () => boolean;
  /** Other tabs may add to the shared queue: keep the interval timer running even when this tab's queue is empty. */
  poll: boolean;
  /** Opted out, in this tab or another: nothing is sent (the client drops what is queued). */
  optedOut: () => boolean;
}

export type Delivery = ReturnType<typeof createDelivery>;

/** Batching, sending, retries with full-jitter backoff, 413 splits, and the unload path. */
export function createDelivery(d: DeliveryDeps) {
  const { cfg, platform, queue, emitter, fail, now } = d;
  // The write key rides in the query for every request (sendBeacon cannot set headers, and one URL
  // spares the bundle a base64 encoder); a write key is public anyway: it is in the page.
  const url = `${cfg.endpoint}/v1/batch?writeKey=${encodeURIComponent(cfg.writeKey)}`;
  const headers = { 'Content-Type': 'application/json' };
  /** Ids whose request has been issued and may still land (a batch still being compressed is not). */
  const inFlight = new Set<string>();
  /**
   * Ids of keepalive requests rejected in the last second. A browser unloading the page rejects its
   * keepalive fetches just before pagehide while the requests themselves go on and land: the unload
   * path leases these instead of sending them a second time (a retry later still sends them).
   */
  const cancelled = new Set<string>();
  /** Regular sends still compressing, and the ids an unload sent meanwhile (those sends then stand down). */
  let compressing = 0;
  const handedOff = new Set<string>();
  /** A 415 answered a gzip body (a server or proxy without gzip): plain JSON for the rest of this client's life. */
  let plain = false;
  let failures = 0;
  let retryAt = 0;
  let running: Promise<void> | undefined;
  let timer: TimerHandle | undefined;
  let soon = false;
  let stopped = false;
  let lastReload: number | undefined;
  /** Bytes of this client's keepalive request bodies in flight (browsers allow 64 KiB per page, other scripts' included). */
  let keepaliveBytes = 0;
  /** unload() calls so far: a keepalive send rejected after one is not sent again plain (see issue). */
  let hidden = 0;
  /** npm builds: how to end each request in flight, for abandon() (Node's close() at its deadline). */
  const ends = __SCRIPT_BUILD__ ? undefined : new Set<() => void>();
  let abandoned = false;

  function schedule(): void {
    clearTimeout(timer);
    timer = undefined;
    // Entries a failed read left in Storage count too: the next flush reads them again.
    if (stopped || (queue.size() === 0 && !queue.unread() && !d.poll)) return;
    // Nothing queued here (only other tabs' or unread entries to look for): once per interval, whatever
    // the backoff says; a backoff already over would otherwise re-read Storage without a pause.
    const wait = queue.size() === 0 ? cfg.flushIntervalMs : failures > 0 ? Math.max(0, retryAt - now()) : soon ? 0 : cfg.flushIntervalMs;
    timer = startTimer(() => {
      timer = undefined;
      void flush();
    }, wait);
  }

  function flush(): Promise<void> {
    running ??= run().finally(() => {
      running = undefined;
      soon = false;
      schedule();
    });
    return running;
  }

  async function run(): Promise<void> {
    try {
      if (d.optedOut()) {
        // Events other tabs stored before they heard of the opt-out are not sent after an opt-in.
        await queue.reload();
        d.optedOut();
        return;
      }
      if (!d.isSender()) {
        await queue.saved();
        // The lock may have come meanwhile: its flush joined this one, so this one sends.
        if (!d.isSender()) return;
      }
      // Other tabs' events need picking up once per interval, not on every flushAt-triggered send;
      // entries a failed read left out, at the next flush.
      if (lastReload === undefined || queue.unread() || (!d.alone() && now() - lastReload >= cfg.flushIntervalMs)) {
        await queue.reload();
        lastReload = now();
      } else await queue.saved();
      // Each event is tried once per flush; leased ones belong to another page's unload request.
      const skip = new Set(readLeases());
      for (;;) {
        const [batch, json] = pick(skip, cfg.maxBatchBytes);
        // Asked before each send: the lock can be lost meanwhile (a localStorage lease, see storage-lock.ts).
        if (batch.length === 0 || !d.isSender() || !(await deliver(batch, post(batch, json)))) break;
      }
    } catch (cause) {
      fail('flush failed', cause);
    }
  }

  /**
   * The next batch, oldest first, with its JSON and that JSON's size in UTF-8 bytes: at most 500
   * events and `max` bytes (an event bigger than that goes alone), leaving out `skip` and what is in
   * flight. The picked ids join `skip`. Queue entries are sized in UTF-16 units (`entry.b`, measured
   * once per event off the call path), which never exceed the UTF-8 bytes but can be a third of them
   * (CJK text): events are picked within `max` of those, the JSON is measured in bytes, and a batch
   * over `max` is put back and picked again within half its size.
   */
  function pick(skip: Set<string>, max: number): [ClientEvent[], string, number] {
    for (let units = max; ; ) {
      const out: ClientEvent[] = [];
      let size = 50; // {"sent_at":"…","events":[…]}: the count in units is exact
      queue.scan((entry) => {
        const id = entry.e.event_id;
        if (skip.has(id) || inFlight.has(id)) return;
        if (out.length >= MAX_BATCH || (out.length > 0 && size + entry.b > units)) return true;
        out.push(entry.e);
        skip.add(id);
        size += entry.b + 1;
      });
      const json = body(out);
      const bytes = platform.utf8Length(json);
      if (bytes <= max || out.length < 2) return [out, json, bytes];
      for (const e of out) skip.delete(e.event_id);
      units = json.length >> 1;
    }
  }

  function body(batch: ClientEvent[]): string {
    return toJson({ sent_at: new Date(now()).toISOString(), events: batch });
  }

  /**
   * Regular sends use keepalive too while they fit the page's 64 KiB keepalive budget, so that a
   * navigation does not cancel a request already under way. gzip is asynchronous: a page hidden
   * meanwhile sends the batch itself (uncompressed, at once), and this send then stands down. A 415
   * to a gzip body turns compression off and sends the same batch again, plain, at once: the events
   * were refused for their encoding, not for what they are (no drop, no backoff step).
   */
  async function post(batch: ClientEvent[], json = body(batch)): Promise<TransportResponse | undefined> {
    if (plain || !cfg.compress || !platform.gzip) return issue(batch, json);
    let gzip: Uint8Array | undefined;
    compressing += 1;
    try {
      gzip = await platform.gzip(json);
    } catch {
      // handled: a failing CompressionStream costs the compression, not the send
    }
    compressing -= 1;
    const gone = batch.some((e) => handedOff.has(e.event_id));
    if (compressing === 0) handedOff.clear();
    if (gone) return undefined;
    const response = await issue(batch, gzip ?? json);
    if (!gzip || response.status !== 415) return response;
    plain = true;
    return issue(batch, json);
  }

  /** Issue the request (bytes: gzip): from here until it settles its events are in flight (leased at unload). */
  async function issue(batch: ClientEvent[], payload: string | Uint8Array): Promise<TransportResponse> {
    if (!__SCRIPT_BUILD__ && abandoned) throw new Error(ABANDONED);
    const json = typeof payload === 'string';
    const size = json ? platform.utf8Length(payload) : payload.length;
    let keepalive = size <= KEEPALIVE_BYTES - keepaliveBytes;
    if (keepalive) keepaliveBytes += size;
    const hides = hidden;
    for (const e of batch) inFlight.add(e.event_id);
    // A request that never answers (a stalled connection) would hold the flush, and close(), forever:
    // after requestTimeoutMs it is aborted and its events retried, whether or not the transport
    // honours the signal.
    const abort = new AbortController();
    let expire: TimerHandle | undefined;
    let end: (() => void) | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      expire = startTimer(() => {
        abort.abort();
        reject(new Error(`no answer after ${cfg.requestTimeoutMs} ms`));
      }, cfg.requestTimeoutMs);
      if (!__SCRIPT_BUILD__) {
        end = () => {
          abort.abort();
          reject(new Error(ABANDONED));
        };
        ends?.add(end);
      }
    });
    const send = () =>
      Promise.race([platform.transport.send(url, payload, json ? headers : { ...headers, 'Content-Encoding': 'gzip' }, { keepalive, signal: abort.signal }), timedOut]);
    try {
      try {
        return await send();
      } catch (cause) {
        // The browser's 64 KiB keepalive budget is the page's, not the SDK's: another script's keepalive
        // fetch or beacon spends it too, and a keepalive request over what is left fails (Chromium: a
        // TypeError, at once). Sent again without keepalive a task later, unless the page was hidden
        // meanwhile: a page being left rejects its keepalive fetches while they go on (`cancelled`).
        // Only on a page (which has beacons, sharing that budget): elsewhere a TypeError is a network error.
        if (!keepalive || !platform.beacon || !(cause instanceof TypeError) || (await new Promise<void>((go) => startTimer(go, 0)), hides !== hidden)) throw cause;
      }
      keepalive = false;
      keepaliveBytes -= size;
      return await send();
    } catch (cause) {
      if (keepalive) {
        for (const e of batch) cancelled.add(e.event_id);
        startTimer(() => batch.forEach((e) => cancelled.delete(e.event_id)), 1000);
      }
      throw cause;
    } finally {
      if (!__SCRIPT_BUILD__ && end) ends?.delete(end);
      clearTimeout(expire);
      if (keepalive) keepaliveBytes -= size;
      for (const e of batch) inFlight.delete(e.event_id);
    }
  }

  /** Send one batch and apply the answer. Returns false when the flush should stop (ingest unreachable). */
  async function deliver(batch: ClientEvent[], request: Promise<TransportResponse | undefined>): Promise<boolean> {
    let response: TransportResponse | undefined;
    try {
      response = await request;
    } catch (cause) {
      // Abandoned by close(), which reports these events itself (dropped, or kept in Storage): no 'error'.
      if (!__SCRIPT_BUILD__ && abandoned) return false;
      return failed(batch, `network error: ${String(cause)}`, cause);
    }
    if (!response) return false; // handed to the unload path, which applies the answer
    const { status } = response;
    const body = bodyOf(response);
    const kind = verdict(status);
    // The ingest answers each event of a 2xx: one without `results` came from something in between (a
    // proxy, a captive portal's login page) and says nothing of the events: kept and retried.
    if (kind === 'keep' || (kind === 'delivered' && !Array.isArray(body?.results)))
      return failed(batch, describe(status, body) + (kind === 'keep' ? '' : ' without results'), undefined, status, response.retryAfterMs);
    // Events a 2xx answers `retry` for (the ingest could not take them now) back off like a failed
    // request, Retry-After included, and the flush stops. They used to stay queued with no backoff, and
    // once they alone filled flushAt every track() re-sent them all. Where the answer took some events
    // (progress: a throttled partition, not a failing ingest) the backoff starts again from its first
    // step; only answers that took none escalate it.
    const retry = kind === 'delivered' ? applyResults(batch, status, body) : [];
    if (retry.length > 0) {
      if (retry.length < batch.length) failures = 0;
      return failed(retry, `HTTP ${status}: ${retry.length} to retry`, undefined, status, response.retryAfterMs);
    }
    failures = 0;
    if (status === 413) return split(batch);
    if (kind === 'drop') {
      queue.remove(batch);
      emitter.emit('drop', { reason: 'http', status, message: describe(status, body), events: batch });
    }
    return true;
  }

  /** 413: halve until it fits; a single event the ingest will never take is dropped. */
  async function split(batch: ClientEvent[]): Promise<boolean> {
    if (batch.length === 1) {
      queue.remove(batch);
      emitter.emit('drop', { reason: 'too_large', status: 413, message: 'too large', events: batch });
      return true;
    }
    const half = Math.ceil(batch.length / 2);
    const [a, b] = [batch.slice(0, half), batch.slice(half)];
    return (await deliver(a, post(a))) && deliver(b, post(b));
  }

  /** Apply a 2xx's per-event results; returns the events answered `retry` (still queued). */
  function applyResults(batch: ClientEvent[], status: number, body: Parameters<typeof readResults>[0]): ClientEvent[] {
    const results = readResults(body);
    const done: ClientEvent[] = [];
    const retry: ClientEvent[] = [];
    const acceptedIds: string[] = [];
    let rejected = 0;
    for (const event of batch) {
      const result = results.get(event.event_id);
      if (result?.status === 'retry') {
        retry.push(event);
        continue;
      }
      done.push(event);
      if (result?.status !== 'rejected') {
        acceptedIds.push(event.event_id);
        continue;
      }
      rejected += 1;
      const { code, issues } = result;
      const message = `rejected by the ingest${code ? ` (${code})` : ''}`;
      emitter.emit('drop', { reason: 'rejected', status, message, code, issues, events: [event] });
    }
    queue.remove(done);
    const requestId = typeof body?.request_id === 'string' ? body.request_id : undefined;
    emitter.emit('sent', { status, requestId, accepted: acceptedIds.length, acceptedIds, rejected, retry: retry.length });
    return retry;
  }

  /** A failed attempt: back off (full jitter) and report it. Returns false: the flush stops. */
  function failed(batch: ClientEvent[], message: string, error: unknown, status?: number, retryAfterMs?: number): false {
    failures += 1;
    queue.attempted(batch);
    // Full jitter: uniform in [0, min(cap, base·2^(n-1))]; a Retry-After is a floor.
    const ceiling = Math.min(cfg.retryMaxMs, cfg.retryBaseMs * 2 ** Math.min(failures - 1, 30));
    const wait = Math.max(Math.floor(d.random() * ceiling), retryAfterMs ?? 0);
    retryAt = now() + wait;
    fail(message, error, { status, retryAfterMs, retryInMs: wait });
    return false;
  }

  /** Ids other tabs (or earlier pages) leased for an unload request that may still land. */
  function readLeases(): string[] {
    const lease = readJson(platform.syncStore, LEASE_KEY, (cause) => fail('lease failed', cause)) as { until: number; ids: string[] } | undefined;
    return lease && lease.until > now() ? lease.ids : [];
  }

  /**
   * The page is being hidden or left: send what this tab holds with fetch keepalive (≤ 64 KiB of
   * UTF-8 in flight), then sendBeacon for the rest, in chunks of at most 64 KiB. Chromium and Safari
   * count beacons in the same 64 KiB as every keepalive fetch of the page: there the beacons are
   * refused once the SDK's keepalive chunks spent it, and the rest waits for the page's return or the
   * next page (Firefox takes them). A chunk the browser refuses is halved and tried again (the room
   * left is unknown: a keepalive chunk refused for another script's request leaves room); an event over 64 KiB alone is left for the regular send (which
   * has no such limit), and the ones behind it still go. Nothing is removed here: only an answer
   * removes events; the lease keeps another tab from resending them while this request may still land.
   */
  function unload(): void {
    hidden += 1;
    void queue.saved();
    if (!d.isSender() || d.optedOut()) return;
    // Cancelled keepalive sends may still land: skipped and leased like the ones in flight.
    const skip = new Set([...readLeases(), ...cancelled]);
    const before = skip.size; // pick() adds what it picks: a Set keeps insertion order, so these come after
    const big: string[] = [];
    let budget = KEEPALIVE_BYTES - keepaliveBytes;
    let max = KEEPALIVE_BYTES;
    for (;;) {
      const [chunk, json, size] = pick(skip, max);
      if (chunk.length === 0) break;
      if (size <= budget) {
        budget -= size;
        void deliver(chunk, issue(chunk, json));
      } else if (size > KEEPALIVE_BYTES) big.push(chunk[0]!.event_id); // alone (pick): not sent, not leased
      else if (!beacon(json)) {
        for (const e of chunk) skip.delete(e.event_id); // not sent: not leased either
        if (chunk.length === 1) break; // refused within the limit: the browser's 64 KiB are spent
        max = size >> 1;
      }
    }
    for (const id of big) skip.delete(id);
    const sent = [...skip].slice(before);
    if (compressing > 0) for (const id of sent) handedOff.add(id);
    // A request already issued may land too: lease its events as well.
    const ids = [...new Set([...skip, ...inFlight])];
    try {
      if (sent.length + inFlight.size + cancelled.size > 0) platform.syncStore?.set(LEASE_KEY, toJson({ until: now() + cfg.leaseMs, ids }));
    } catch (cause) {
      fail('lease failed', cause);
    }
  }

  /**
   * Stop for good and abort every request in flight (a transport that ignores the signal is no longer
   * waited for); none is issued after. Their events get no 'sent' nor 'error': the caller reports them.
   * For Node's close() at closeTimeoutMs: an ingest that never answers would otherwise keep the process
   * alive until requestTimeoutMs.
   */
  function abandon(): void {
    abandoned = stopped = true;
    schedule(); // clears the timer, sets none
    for (const end of ends ?? []) end();
  }

  function beacon(json: string): boolean {
    if (!platform.beacon) return false;
    try {
      return platform.beacon(url, json);
    } catch (cause) {
      fail('sendBeacon failed', cause);
      return false;
    }
  }

  return {
    flush,
    unload,
    /** At start: send at once what earlier pages left in Storage; otherwise wait for the usual triggers. */
    async resume(startedAt: number): Promise<void> {
      await queue.reload();
      if (queue.list().some((entry) => entry.t < startedAt)) void flush();
      else schedule();
    },
    /**
     * An event was queued: send soon when flushAt is reached, else on the interval. While backing off
     * (a failure, or events a 2xx answered `retry` for) nothing is sent before the backoff ends.
     */
    enqueued(): void {
      if (failures === 0 && queue.size() >= cfg.flushAt && !soon) {
        soon = true;
        schedule();
      } else if (timer === undefined) schedule();
    },
    /** Back online or visible again: retry now instead of waiting out the backoff. */
    wake(): void {
      if (failures > 0) retryAt = now();
      void flush();
    },
    stop(): void {
      stopped = true;
      schedule(); // clears the timer, sets none
    },
    // npm builds only (the <script> build has no caller).
    ...(!__SCRIPT_BUILD__ && { abandon }),
  };
}
