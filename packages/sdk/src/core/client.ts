import type { AfEventName, ClientBatch, ClientEvent, EventProperties, LIMITS } from '@eventline/schemas';
import { base64Utf8 } from './base64';
import { resolveConfig, type ClientConfig } from './config';
import { createEmitter, type Emitter } from './emitter';
import { createSeqWriter, loadIdentity, type Identity } from './identity';
import type { ClientNotices, EventDraft } from './notices';
import { draftTrack } from './draft';
import { classify, type Outcome } from './outcome';
import { startTimer, type TimerHandle } from './timer';
import type { EventContext, Platform, PlatformContext } from './types';
import { createUuidV7 } from './uuidv7';
import { SDK_NAME, SDK_VERSION } from './version';

/** Most events in one request: the ingest's limit, checked against the schemas at compile time. */
const MAX_BATCH: (typeof LIMITS)['batchMaxEvents'] = 500;

/** An AppsFlyer name (autocompleted) or any custom name. */
export type EventName = AfEventName | (string & Record<never, never>);

export interface Client {
  /** Queue one event. Returns at once; never throws, never waits for the network. */
  track: (name: EventName, properties?: EventProperties) => void;
  /** Send everything queued. Never rejects: failures are reported through on('error' | 'drop'). */
  flush: () => Promise<void>;
  /** The persisted anonymous device id (sent as `anonymous_id`). */
  getDeviceId: () => Promise<string>;
  on: Emitter<ClientNotices>['on'];
  /** Stop the timers and send what is queued. track() after close() is dropped with reason 'closed'. */
  close: () => Promise<void>;
}

export function createClient(config: ClientConfig, platform: Platform): Client {
  const cfg = resolveConfig(config);
  const url = `${cfg.endpoint}/v1/batch`;
  const headers = {
    'Content-Type': 'application/json',
    Authorization: `Basic ${base64Utf8(`${cfg.writeKey}:`)}`,
  };
  const emitter = createEmitter<ClientNotices>();
  let queue: ClientEvent[] = [];
  const uuid = createUuidV7(platform.randomBytes);
  const sessionId = uuid();
  const reportStorageError = (error: unknown) =>
    emitter.emit('error', { message: 'storage failed', error, queued: queue.length });
  const seqWriter = createSeqWriter(platform.storage, reportStorageError);

  /** Events tracked before the identity is loaded from Storage; stamped in order once it is. */
  let waiting: EventDraft[] = [];
  let identity: Identity | undefined;
  let inflight: Promise<void> | undefined;
  let intervalTimer: TimerHandle | undefined;
  let soonTimer: TimerHandle | undefined;
  /** After a kept (retryable) failure only the interval timer flushes, so flushAt cannot hammer a down server. */
  let failing = false;
  let retryAfterMs = 0;
  let closed = false;

  const ready = loadIdentity(platform.storage, uuid, reportStorageError).then(
    (loaded) => {
      identity = loaded;
      const drafts = waiting;
      waiting = [];
      for (const draft of drafts) enqueue(stamp(draft, loaded));
    },
    (error: unknown) => emitter.emit('error', { message: 'could not load device id', error, queued: queue.length }),
  );

  function stamp(draft: EventDraft, id: Identity): ClientEvent {
    const seq = id.nextSeq;
    id.nextSeq += 1;
    seqWriter.save(id.nextSeq);
    return { ...draft, anonymous_id: id.deviceId, seq };
  }

  function context(): EventContext {
    let fromPlatform: PlatformContext = {};
    try {
      fromPlatform = platform.context();
    } catch (error) {
      emitter.emit('error', { message: 'reading context failed', error, queued: queue.length });
    }
    return { ...fromPlatform, library: { name: SDK_NAME, version: SDK_VERSION } };
  }

  function pushBounded<T extends EventDraft>(list: T[], item: T): void {
    list.push(item);
    while (list.length > cfg.maxQueue) {
      const dropped = list.shift();
      if (dropped) {
        emitter.emit('drop', { reason: 'queue_full', message: `queue over maxQueue (${cfg.maxQueue})`, events: [dropped] });
      }
    }
  }

  function enqueue(event: ClientEvent): void {
    pushBounded(queue, event);
    if (queue.length >= cfg.flushAt) scheduleSoon();
    else scheduleInterval();
  }

  function track(name: EventName, properties?: EventProperties): void {
    try {
      if (closed) {
        emitter.emit('drop', { reason: 'closed', message: 'track() after close()', events: [] });
        return;
      }
      const result = draftTrack({ eventId: uuid(), sessionId, name, properties, now: new Date(), context: context() });
      if (!result.ok) {
        emitter.emit('drop', { reason: 'invalid', message: result.message, events: [] });
        return;
      }
      if (identity) enqueue(stamp(result.draft, identity));
      else pushBounded(waiting, result.draft);
    } catch (error) {
      emitter.emit('error', { message: 'track failed', error, queued: queue.length });
    }
  }

  function scheduleInterval(): void {
    if (closed || intervalTimer !== undefined || queue.length === 0) return;
    intervalTimer = startTimer(
      () => {
        intervalTimer = undefined;
        void flush();
      },
      Math.max(cfg.flushIntervalMs, retryAfterMs),
    );
  }

  function scheduleSoon(): void {
    if (closed || failing || soonTimer !== undefined) return;
    soonTimer = startTimer(() => {
      soonTimer = undefined;
      void flush();
    }, 0);
  }

  function flush(): Promise<void> {
    inflight ??= run().finally(() => {
      inflight = undefined;
      scheduleInterval();
    });
    return inflight;
  }

  /** One flush: every queued event (including those tracked meanwhile) is attempted at most once. */
  async function run(): Promise<void> {
    try {
      await ready;
      if (intervalTimer !== undefined) clearTimeout(intervalTimer);
      intervalTimer = undefined;
      const attempted = new Set<string>();
      for (;;) {
        const batch = queue.filter((e) => !attempted.has(e.event_id)).slice(0, MAX_BATCH);
        if (batch.length === 0) break;
        for (const e of batch) attempted.add(e.event_id);
        if (!(await send(batch))) break;
      }
      await seqWriter.settled();
    } catch (error) {
      emitter.emit('error', { message: 'flush failed', error, queued: queue.length });
    }
  }

  /** Send one batch and apply the outcome. Returns false when the flush should stop (ingest unreachable). */
  async function send(batch: ClientEvent[]): Promise<boolean> {
    const body: ClientBatch = { sent_at: new Date().toISOString(), events: batch };
    let outcome: Outcome;
    try {
      outcome = classify(await platform.transport.send(url, JSON.stringify(body), headers));
    } catch (error) {
      outcome = { kind: 'keep', message: `network error: ${String(error)}`, error };
    }
    if (outcome.kind === 'keep') {
      failing = true;
      retryAfterMs = outcome.retryAfterMs ?? 0;
      const { message, status, error } = outcome;
      emitter.emit('error', { message, status, retryAfterMs: outcome.retryAfterMs, error, queued: queue.length });
      return false;
    }
    failing = false;
    retryAfterMs = 0;
    if (outcome.kind === 'drop') {
      remove(batch);
      emitter.emit('drop', { reason: 'http', status: outcome.status, message: outcome.message, events: batch });
      return true;
    }
    const done: ClientEvent[] = [];
    const acceptedIds: string[] = [];
    let rejected = 0;
    for (const event of batch) {
      const result = outcome.results.get(event.event_id);
      if (result?.status === 'retry') continue;
      done.push(event);
      if (result?.status !== 'rejected') acceptedIds.push(event.event_id);
      if (result?.status === 'rejected') {
        rejected += 1;
        const { code, issues } = result;
        const message = `rejected by the ingest${code ? ` (${code})` : ''}`;
        emitter.emit('drop', { reason: 'rejected', status: outcome.status, message, code, issues, events: [event] });
      }
    }
    remove(done);
    emitter.emit('sent', {
      status: outcome.status,
      requestId: outcome.requestId,
      accepted: done.length - rejected,
      acceptedIds,
      rejected,
      retry: batch.length - done.length,
    });
    return true;
  }

  function remove(events: ClientEvent[]): void {
    const ids = new Set(events.map((e) => e.event_id));
    queue = queue.filter((e) => !ids.has(e.event_id));
  }

  return {
    track,
    flush,
    async getDeviceId() {
      await ready;
      if (!identity) throw new Error('eventline: device id unavailable');
      return identity.deviceId;
    },
    on: (name, listener) => emitter.on(name, listener),
    async close() {
      closed = true;
      if (intervalTimer !== undefined) clearTimeout(intervalTimer);
      if (soonTimer !== undefined) clearTimeout(soonTimer);
      intervalTimer = soonTimer = undefined;
      await flush();
    },
  };
}
