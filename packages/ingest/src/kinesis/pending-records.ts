import { Fifo } from './fifo';
import { MinHeap } from './min-heap';
import type { OutRecord } from './record-writer';

/** What the queue needs to know of a record waiting for a PutRecords call. */
export interface QueuedRecord {
  record: OutRecord;
  size: number;
  /** Given up (answered `retry`) once Date.now() reaches it. */
  deadline: number;
}

/** The records of one partition key that are not in flight. */
export interface KeyQueue<T> {
  key: string;
  /** Sent and failed, in arrival order: they go together in the key's next call, ahead of `fresh`. */
  retry: T[];
  /** Never sent, in arrival order; they wait while `retry` is not empty. */
  fresh: Fifo<T>;
  /** A call holding records of this key is out: none of its records may go meanwhile. */
  busy: boolean;
  /** Not before this time (the retry's backoff). */
  notBefore: number;
  place: 'ready' | 'delayed' | undefined;
}

/** Records for one PutRecords call: each key's records are together, `counts[k]` of them for `keys[k]`. */
export interface PickedCall<T> {
  items: T[];
  keys: KeyQueue<T>[];
  counts: number[];
}

/**
 * The records of one stream waiting for a PutRecords call: one FIFO per partition key, a FIFO of keys
 * that may send now, and a heap of keys waiting out a retry's backoff. Picking a call costs O(records
 * picked + keys whose backoff ended), never O(everything pending), so a backlog on one hot key (100k+
 * records) does not slow down anything else.
 */
export class PendingRecords<T extends QueuedRecord> {
  /** Records waiting (not in flight). */
  count = 0;
  private readonly keys = new Map<string, KeyQueue<T>>();
  private ready = new Fifo<KeyQueue<T>>();
  private readonly delayed = new MinHeap<KeyQueue<T>>((k) => k.notBefore);
  /** A request's records mostly share one key (one device per batch): skips the map lookup. */
  private last: KeyQueue<T> | undefined;

  add(item: T): void {
    const key = item.record.partitionKey;
    let kq = this.last?.key === key ? this.last : this.keys.get(key);
    if (!kq) this.keys.set(key, (kq = { key, retry: [], fresh: new Fifo(), busy: false, notBefore: 0, place: undefined }));
    this.last = kq;
    kq.fresh.push(item);
    this.count += 1;
    if (!kq.busy && kq.place === undefined) this.makeReady(kq);
  }

  /** Whether some key may send now (not busy, not waiting out a backoff). */
  hasReady(): boolean {
    return this.ready.length > 0;
  }

  /** The earliest time a key waiting out a backoff may send again. */
  nextAt(): number | undefined {
    return this.delayed.peek()?.notBefore;
  }

  /**
   * Records for one call (≤ maxCount, ≤ maxBytes), key after key in the order they became ready; the
   * picked keys are busy until `release`. A key with retried records sends only those (all together,
   * in order); its never-sent records wait for the next call. Records past their deadline are passed to
   * `expire` instead.
   */
  pick(now: number, maxCount: number, maxBytes: number, expire: (item: T) => void): PickedCall<T> {
    for (let top = this.delayed.peek(); top && top.notBefore <= now; top = this.delayed.peek()) this.makeReady(this.delayed.pop()!);
    const call: PickedCall<T> = { items: [], keys: [], counts: [] };
    let bytes = 0;
    for (let kq = this.ready.peek(); kq && call.items.length < maxCount; kq = this.ready.peek()) {
      this.expireFront(kq, now, expire);
      let took = 0;
      if (kq.retry.length > 0) {
        while (took < kq.retry.length && call.items.length < maxCount && bytes + kq.retry[took]!.size <= maxBytes) {
          bytes += kq.retry[took]!.size;
          call.items.push(kq.retry[took++]!);
        }
        kq.retry = took === kq.retry.length ? [] : kq.retry.slice(took);
      } else {
        for (let next = kq.fresh.peek(); next && call.items.length < maxCount && bytes + next.size <= maxBytes; next = kq.fresh.peek()) {
          bytes += next.size;
          call.items.push(kq.fresh.shift()!);
          took += 1;
        }
      }
      this.count -= took;
      const empty = kq.retry.length === 0 && kq.fresh.length === 0;
      if (took === 0 && !empty) break; // the call is full
      this.ready.shift();
      kq.place = undefined;
      if (took === 0) this.forget(kq);
      else {
        kq.busy = true;
        call.keys.push(kq);
        call.counts.push(took);
      }
    }
    return call;
  }

  /** The key's call is back: `failed` (in order) go first, after `notBefore`. */
  release(kq: KeyQueue<T>, failed: T[], notBefore: number): void {
    kq.busy = false;
    if (failed.length > 0) {
      kq.retry = kq.retry.length === 0 ? failed : [...failed, ...kq.retry];
      this.count += failed.length;
      kq.notBefore = notBefore;
      kq.place = 'delayed';
      this.delayed.push(kq);
    } else if (kq.retry.length > 0 || kq.fresh.length > 0) this.makeReady(kq);
    else this.forget(kq);
  }

  /** Every waiting record to `give`, in no particular order; the queue is empty after. */
  drain(give: (item: T) => void): void {
    const keys = [...this.keys.values()];
    this.ready = new Fifo();
    this.delayed.takeAll();
    this.count = 0;
    for (const kq of keys) {
      const items = [...kq.retry, ...kq.fresh.takeAll()];
      kq.retry = [];
      kq.place = undefined;
      this.forget(kq);
      for (const item of items) give(item);
    }
  }

  private makeReady(kq: KeyQueue<T>): void {
    kq.place = 'ready';
    this.ready.push(kq);
  }

  /** A key's records keep their arrival order, so its expired ones are at the front (deadlines only grow). */
  private expireFront(kq: KeyQueue<T>, now: number, expire: (item: T) => void): void {
    let n = 0;
    while (n < kq.retry.length && kq.retry[n]!.deadline <= now) expire(kq.retry[n++]!);
    if (n > 0) kq.retry = kq.retry.slice(n);
    for (let next = kq.fresh.peek(); next && next.deadline <= now; next = kq.fresh.peek()) {
      expire(kq.fresh.shift()!);
      n += 1;
    }
    this.count -= n;
  }

  /** Drop an idle, empty key so that the map does not grow with every device ever seen. */
  private forget(kq: KeyQueue<T>): void {
    if (kq.busy || kq.place !== undefined || kq.retry.length > 0 || kq.fresh.length > 0) return;
    this.keys.delete(kq.key);
    if (this.last === kq) this.last = undefined;
  }
}
