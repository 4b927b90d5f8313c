import type { AfEventName, ClientEvent, EventProperties } from '@eventline/schemas';
import { readCampaign } from './attribution';
import { resolveConfig, type ClientConfig } from './config';
import { createDelivery } from './delivery';
import { badId, draftEvent, jsonCopy } from './draft';
import { createEmitter, type Emitter } from './emitter';
import { unstorable } from './clip';
import { createStateWriter, isObject, loadState, OPT_OUT_KEY, touchSession, type State } from './identity';
import type { ClientNotices, EventDraft } from './notices';
import { stashDrafts, takeDrafts } from './pending';
import { runDestinations, runPlugins } from './plugins';
import { createQueue } from './queue';
import { createSeq } from './seq';
import { readJson } from './sync-json';
import type { CorePlatform, EventContext, PlatformContext } from './types';
import type { EventType } from '@eventline/schemas';
import { startTimer } from './timer';
import { createUuidV7 } from './uuidv7';
import { SDK_NAME, SDK_VERSION } from './version';

const LIBRARY = { name: SDK_NAME, version: SDK_VERSION };

/** An AppsFlyer name (autocompleted) or any custom name. */
export type EventName = AfEventName | (string & Record<never, never>);
/**
 * What `track`, `page` and `screen` take, as a type to annotate with: a plain object, the AppsFlyer keys
 * typed (`af_revenue` a number, …), other values `unknown` to read. The methods take any object (an
 * interface-typed one too: see PropertiesInput).
 */
export type Properties = AfTypedProperties & Record<string, unknown>;
/** The AppsFlyer keys of the schema's EventProperties, without its `Record<string, unknown>` index. */
type AfTypedProperties = { [K in keyof EventProperties as string extends K ? never : K]: EventProperties[K] };
/** What `identify` and `group` take, as a type to annotate with (the methods take any object: see TraitsInput). */
export type Traits = Record<string, unknown>;
/**
 * Objects that are not a set of properties, told apart by a member each has (the message is what the
 * compiler shows): an iterable (array, Map, Set), a Promise (a forgotten `await`), a Date, a function.
 * A structural check, not a conditional type: a union-typed value and a generic wrapper's `T extends
 * object` still compile (a conditional inferred only a union's first member and refused generics). The
 * cost: a plain object with a key `then`, `getTime` or `bind` is refused too.
 */
interface PlainObjectOnly {
  [Symbol.iterator]?: 'eventline: an array, Map or Set is not a set of properties';
  then?: 'eventline: a Promise is not a set of properties (a forgotten await?)';
  getTime?: 'eventline: a Date is not a set of properties';
  bind?: 'eventline: a function is not a set of properties';
}
/**
 * The constraint properties are checked against: any plain object, one typed by an interface too
 * (`Record<string, unknown>` refuses those: they have no index signature), with the AppsFlyer keys typed.
 * A generic `T extends object` passes it (the runtime still refuses a non-object's JSON copy).
 */
export type PropertiesInput = object & AfTypedProperties & PlainObjectOnly;
/** The traits `identify` and `group` take: as PropertiesInput, without the AppsFlyer keys. */
export type TraitsInput = object & PlainObjectOnly;
/** `true`/`false`, or the consent object: `analytics` and `ads` booleans, other keys plain values (a consent string, say). */
export type ConsentInput = boolean | { analytics?: boolean; ads?: boolean; [key: string]: boolean | string | number | null | undefined };

export interface Client {
  /** Queue one event. Returns at once; never throws, never waits for storage or the network. */
  track: <P extends PropertiesInput>(name: EventName, properties?: P) => void;
  /** Remember the user id (sent on every later event) and send an identify event with the traits. `null`: forget it (no event). */
  identify: <P extends TraitsInput>(userId: string | null, traits?: P) => void;
  /** A page view (web); called for you at init and on SPA route changes unless `autoPage: false`. */
  page: <P extends PropertiesInput>(name?: string, properties?: P) => void;
  /** A screen view (apps). */
  screen: <P extends PropertiesInput>(name?: string, properties?: P) => void;
  /** Link `previousId` (default: the current user id, else the device id) to `userId`. */
  alias: (userId: string, previousId?: string) => void;
  group: <P extends TraitsInput>(groupId: string, traits?: P) => void;
  /** Grant (true / `{ analytics: true }`) or deny consent. Denying drops what is held and stores nothing more. */
  setConsent: (consent: ConsentInput) => void;
  /** Stop tracking on this device (persisted) and drop what is queued. */
  optOut: () => void;
  optIn: () => void;
  /** While on: no user id, no user agent, no click id, and a device id that lives only as long as this client. */
  anonymize: (on?: boolean) => void;
  /** Forget the user: new device id, seq from 0, new session, no user id. */
  reset: () => void;
  /** Send everything queued. Never rejects: failures are reported through on('error' | 'drop'). */
  flush: () => Promise<void>;
  /** The persisted anonymous device id (sent as `anonymous_id`); waits for consent in consent mode. */
  getDeviceId: () => Promise<string>;
  on: Emitter<ClientNotices>['on'];
  /** Stop the timers and send what is queued. Calls after close() are dropped with reason 'closed'. */
  close: () => Promise<void>;
}

/** Per-call ids in wire form (the Node entry's `{ userId, anonymousId }`): the event's own, not the client's. */
export type CallIds = Pick<ClientEvent, 'anonymous_id' | 'user_id'>;

/** The client with the seams its wrappers build on (not part of the public type). */
export interface CoreClient extends Client {
  /** Any event call, with the event's own ids: the client's user id, session and stored identity stay out of it. */
  callWith: (type: EventType, id: unknown, data: unknown, other: unknown, ids: CallIds) => void;
  /** A 'drop' notice for calls lost before they reach the core (discarded before init(), a bad per-call identity). */
  drop: (reason: ClientNotices['drop']['reason'], message: string, events?: EventDraft[]) => void;
  /** Empty the queue (memory and Storage); returns what it held (Node's close() gives up on it). */
  clear: () => EventDraft[];
  /**
   * After close(): abort the requests still in flight, issue none after, and report nothing of them
   * (Node's close() at closeTimeoutMs: it reports their events). npm builds only.
   */
  abandon?: () => void;
  /**
   * Store an optOut()/optIn() at the call, ahead of the call itself (React Native's first-open gate
   * holds it): a state load that starts later then judges the calls made before it by the stored
   * state, not by this choice.
   */
  storeOptOut: (out: boolean) => void;
}

export function createClient(config: ClientConfig, platform: CorePlatform): CoreClient {
  const cfg = resolveConfig(config);
  const now = platform.now ?? (() => Date.now());
  const emitter = createEmitter<ClientNotices>();
  const uuid = createUuidV7(platform.randomBytes);
  const random = () => platform.randomBytes(4).reduce((a, b) => a * 256 + b, 0) / 2 ** 32;
  const fail = (message: string, error?: unknown, more?: Partial<ClientNotices['error']>) =>
    emitter.emit('error', { message, error, queued: queue.size(), ...more });
  const reportError = (message: string) => (error: unknown) => fail(message, error);
  const drop = (reason: ClientNotices['drop']['reason'], message: string, events: EventDraft[] = []) =>
    emitter.emit('drop', { reason, message, events });
  const queue = createQueue({
    storage: platform.storage,
    maxCount: cfg.maxQueue,
    maxBytes: cfg.maxQueueBytes,
    maxAgeMs: cfg.maxEventAgeMs,
    now,
    onDrop: (reason, events, message = reason === 'expired' ? 'expired' : 'queue full') => drop(reason, message, events),
    onError: fail,
    // A stashed copy of an event now stored, sent or dropped would bring it back: it goes.
    onStored: (ids) => stashDrafts(platform.syncStore, [], ids),
  });
  const storageFailed = reportError('storage failed');
  platform.storage.onFallback?.(storageFailed);
  const writer = createStateWriter(platform.storage, storageFailed, cleared);
  /** The stored state could not be read: this run works from memory and never writes over it. */
  let unread = false;
  /**
   * Unread, and no shared opt-out record to go by: the user may have opted out, so calls are dropped
   * (until an optIn() in this run). What is already queued was tracked while allowed: it is sent.
   */
  let blind = false;
  /** npm builds: identity changed on the unread state (anonymize, reset, identify(null)): a late stored state must not undo it. */
  let edited = false;
  const save = (s: State) => unread || writer.save(s);
  const seq = createSeq(platform.storage, () => state && drain(state), reportError('seq failed'), () => state && cleared(state));
  let leader = !platform.lock;
  /** The lock's own word that it is still ours (a localStorage lease can be taken over while this tab stalls). */
  let held: (() => boolean) | undefined;
  let releaseLeader: (() => void) | undefined;
  /** No lock to share (see startSending): this tab sends what it queues, and leaves other tabs' events to them. */
  let alone = false;
  const isSender = () => leader && held?.() !== false;
  const delivery = createDelivery({ cfg, platform, queue, emitter, fail, now, random, isSender, alone: () => alone, poll: !!platform.lock, optedOut });
  const landing = platform.landing?.() ?? {};
  const campaign = readCampaign(landing.url, landing.referrer);
  const ephemeralId = uuid();
  const startedAt = now();

  let state: State | undefined;
  let consent: 'granted' | 'pending' | 'denied' = cfg.consent;
  let consentDetail: Exclude<ConsentInput, boolean> | undefined;
  /**
   * Calls made before the state is loaded (or consent granted), or while the next block of seq
   * numbers is reserved, run in order once they can (`run` returns false: not yet).
   */
  let waiting: { draft?: EventDraft; run: (s: State) => boolean | void }[] = [];
  let closed = false;
  let ready: Promise<void> | undefined;
  let granted: () => void = () => undefined;
  const consentGiven = new Promise<void>((resolve) => (granted = resolve));
  const unsubscribe: (() => void)[] = [];

  const loadFailed = __SCRIPT_BUILD__ ? undefined : reportError('state load failed');
  /** The last state read given up whose call still runs (React Native's time bound: error.late). */
  let lateRead: Promise<unknown> | undefined;
  const onLoadError = (error: unknown) => ((lateRead = (error as { late?: Promise<unknown> } | undefined)?.late), loadFailed?.(error));
  const load = () => loadState(platform.storage, uuid, onLoadError, cfg.retryBaseMs, () => chose);

  /**
   * npm builds: the state read answered after every try was given up (a cold start slower than the
   * time bound). The calls made until then were dropped as for an unreadable state; from now on the
   * run goes by the stored state, unless an optOut()/optIn() of this run decided already or the run
   * changed the identity (an anonymize() or reset() the stored state would silently undo).
   */
  const awaitLate = () => void lateRead?.then(adoptLate, () => undefined).catch((error: unknown) => loadFailed?.(error));
  async function adoptLate(): Promise<void> {
    const undecided = () => blind && unread && !chose && !edited && !closed;
    if (!undecided()) return;
    const [loaded, failed] = await load();
    // Failed again: wait for the newest read given up (each try asks anew, so one can join a call out).
    if (failed) awaitLate();
    if (failed || !undecided()) return;
    await seq.prime(loaded.deviceId);
    if (!undecided()) return;
    unread = blind = false;
    writer.known(loaded.deviceId);
    state = loaded;
    optedOut();
  }

  function start(): Promise<void> {
    granted();
    // The script build keeps the plain call (its bytes): late answers exist only with React Native.
    ready ??= (__SCRIPT_BUILD__ ? loadState(platform.storage, uuid, reportError('state load failed'), cfg.retryBaseMs, () => chose) : load()).then(async ([loaded, failed]) => {
      // The unread state may say opted out: only the shared record (localStorage, read by optedOut()
      // below, written by every optOut()/optIn()) can say otherwise. Without one (React Native,
      // Node) nothing is tracked this run, or until a read given up answers after all (adoptLate).
      blind = (unread = failed) && !platform.syncStore;
      if (!__SCRIPT_BUILD__ && blind) awaitLate();
      if (!failed) writer.known(loaded.deviceId);
      await seq.prime(loaded.deviceId);
      state = loaded;
      optedOut(true);
      if (campaign) {
        loaded.lastTouch = campaign;
        loaded.firstTouch ??= campaign;
        save(loaded);
      }
      adoptStashed(loaded);
      startSending();
      // Read the context once now: its first read (e.g. Intl's time zone, ICU data) can take
      // milliseconds, which should not land on the first track() call.
      context();
    });
    return ready;
  }

  /**
   * optOut()/optIn() of any tab, kept in the shared sync store (localStorage): it wins over this tab's
   * copy of the state, which this tab's next save would otherwise write back over another tab's
   * opt-out. Read at load, before each send (events queued since are dropped, not sent) and, while
   * opted out, on each call (an opt-in elsewhere counts at once).
   */
  function optedOut(atLoad?: boolean): boolean {
    // At the load, the calls waiting from before this client's own optOut()/optIn() go by the record as
    // it was before that choice wrote over it (they run before the choice, which then applies it).
    const shared = atLoad && chose ? sharedBefore : readJson(platform.syncStore, OPT_OUT_KEY, optOutFailed);
    if (state && typeof shared === 'boolean' && shared !== state.optOut) {
      state.optOut = shared;
      save(state);
    }
    // Whatever is queued while opted out (another tab's, reloaded from Storage) goes, reported.
    if (state?.optOut && queue.size() > 0) drop('consent', 'opted out', queue.clear());
    return state?.optOut === true;
  }

  const optOutFailed = reportError('opt-out sync failed');
  /** The shared record as it was just before this client's first optOut()/optIn() wrote over it. */
  let sharedBefore: unknown;
  /**
   * Written at once, in the sync store and in Storage (read at load, it wins over the state's copy):
   * the state holds it too, but is written only once loaded and once the calls before ran, and a
   * reload or an app killed meanwhile lost the choice.
   */
  let chose = false;
  function shareOptOut(out: boolean): void {
    // Read at the choice, not at creation: another tab may have written it since (consent 'pending').
    if (!chose) sharedBefore = readJson(platform.syncStore, OPT_OUT_KEY, optOutFailed);
    chose = true;
    platform.storage.setMany([[OPT_OUT_KEY, out]]).catch(optOutFailed);
    try {
      platform.syncStore?.set(OPT_OUT_KEY, String(out));
    } catch (error) {
      optOutFailed(error);
    }
  }

  /** Run the waiting calls in order, up to one that cannot run yet. */
  function drain(s: State): void {
    while (waiting[0] && waiting[0].run(s) !== false) waiting.shift();
  }

  /**
   * What a page stashed when it was hidden: drafts it could not queue yet go first in line; events it
   * had queued but not stored (they have their `seq`) are queued as they are. An event also in
   * Storage has the same key there, so it is still sent once.
   */
  function adoptStashed(s: State): void {
    for (const draft of takeDrafts(platform.syncStore).reverse()) {
      if (draft.seq === undefined) waiting.unshift(later(draft, Date.parse(draft.client_ts)));
      else queue.add(draft as ClientEvent, Date.parse(draft.client_ts));
    }
    drain(s);
  }

  const later = (draft: EventDraft, at: number) => ({ draft, run: (s: State) => commit(draft, s, at) });

  function startSending(): void {
    requestLock();
    if (leader) void delivery.resume(startedAt);
  }

  function requestLock(): void {
    if (platform.lock) {
      const lead = (stillHeld?: () => boolean) => {
        leader = true; // taking over: send whatever the tabs have queued
        held = stillHeld;
        void delivery.flush();
      };
      const request = platform.lock('eventline.sender', (stillHeld) => {
        if (closed) return Promise.resolve(); // granted after close(): hand it straight on
        lead(stillHeld);
        return new Promise<void>((resolve) => (releaseLeader = resolve));
      });
      Promise.resolve(request).catch((error) => {
        // No lock the tabs can share: Web Locks refused (site data blocked: SecurityError, and the
        // storage is memory only) or the lease cannot be written (localStorage full). Waiting for it
        // would leave this tab's events unsent for good: it sends them itself.
        fail('lock failed', error);
        if (closed) return;
        alone = true;
        lead();
      });
    }
  }

  /** The platform context with `library`; one object shared by events while the platform's does not change. */
  let platformContext: PlatformContext | undefined;
  let eventContext: EventContext = { library: LIBRARY };
  function context(): EventContext {
    if (pinned) return pinned;
    let fromPlatform: PlatformContext = {};
    try {
      fromPlatform = platform.context();
    } catch (error) {
      fail('context failed', error);
    }
    if (fromPlatform !== platformContext) {
      platformContext = fromPlatform;
      eventContext = { ...fromPlatform, library: LIBRARY };
    }
    return eventContext;
  }

  /**
   * A route change's page view waits a task: routers set `document.title` (and the like) after
   * pushState. Its URL is the one of the route change; a call made meanwhile, or the next route change,
   * makes it first (a track() right after a navigation comes after its page view).
   */
  let routed: EventContext | undefined;
  /** The context a call reads instead of the platform's: a route's page view made after another route change. */
  let pinned: EventContext | undefined;
  function routePage(): void {
    if (!routed) return;
    const at = routed;
    routed = undefined; // an earlier route's timer still to fire finds nothing, or a later route's page view a task on
    pinned = context().page?.url === at.page?.url ? undefined : at;
    call('page');
    pinned = undefined;
  }
  function routeChanged(): void {
    routePage();
    routed = context();
    startTimer(routePage, 0);
  }

  /** The last call's time and its ISO string. */
  let isoAt: number | undefined;
  let iso: string;
  function call(type: EventType, id?: unknown, data?: unknown, other?: unknown, ids?: CallIds): void {
    routePage();
    try {
      if (closed) return drop('closed', `${type}() after close()`);
      // Opted out: another tab may have opted back in (only opted-out calls pay for the read).
      if (consent === 'denied' || (state?.optOut && optedOut())) return drop('consent', 'no consent');
      const at = now();
      // A burst makes many calls in one millisecond: they share its ISO string (a Date and a string fewer
      // each). The time is kept once its string is made: a time toISOString() refuses fails every call.
      if (at !== isoAt) {
        iso = new Date(at).toISOString();
        isoAt = at;
      }
      const draft = draftEvent(type, id, data, other, uuid(), iso, context());
      if (typeof draft === 'string') return drop('invalid', draft);
      Object.assign(draft, ids);
      if (state && waiting.length === 0 && commit(draft, state, at)) return;
      waiting.push(later(draft, at));
      // Past the bound the oldest *event* goes: an anonymize() or reset() waiting in line must stay.
      const oldest = waiting.length > cfg.maxQueue ? waiting.findIndex((item) => item.draft) : -1;
      if (oldest >= 0) drop('queue_full', 'too many calls before ready', drafts(waiting.splice(oldest, 1)));
    } catch (error) {
      fail(`${type} failed`, error);
    }
  }

  /**
   * Stamp session, ids and seq, run the plugins, queue the event and hand it to destinations.
   * Returns false (nothing done) while no seq number is at hand.
   */
  function commit(draft: EventDraft, s: State, at: number): boolean {
    // Anonymized: identify and alias exist to carry user ids (this SDK's identify always has one).
    const out = s.optOut || blind;
    if (out || (s.anonymized && (draft.type === 'identify' || draft.type === 'alias'))) {
      drop('consent', out ? 'opted out' : 'anonymized', [draft]);
      return true;
    }
    const n = seq.take(s.deviceId);
    if (n === undefined) return false;
    // The draft is ours alone: stamped in place (track() allocates as little as it can).
    const event = draft as ClientEvent;
    event.seq = n;
    // Per-call ids (callWith) make it another user's event: no session, user id or identify of this client's.
    const own = !event.anonymous_id;
    if (own) {
      s.session = touchSession(s.session, at, cfg.sessionTimeoutMs, uuid);
      event.anonymous_id = s.anonymized ? ephemeralId : s.deviceId;
      event.session_id = s.session.id;
      save(s);
    }
    decorate(event, s);
    // Not a bad id either: a draft an older version stashed at hide did not pass today's id check.
    const userId = own && event.type === 'identify' && !badId(event.user_id) ? event.user_id : undefined;
    const kept = cfg.plugins.length === 0 ? event : runPlugins(cfg.plugins, jsonContext(event), (message) => drop('plugin', message, [event]));
    if (!kept) return true;
    // Kept in call order, and only by an identify that is sent: not when anonymized, opted out or dropped by a plugin.
    if (userId) {
      s.userId = userId;
      save(s);
    }
    queue.add(kept);
    delivery.enqueued();
    runDestinations(cfg.plugins, kept, (name, error) => fail(`destination ${name} failed`, error));
    return true;
  }

  /** Plugins may change what they are given: each event gets its own context (events otherwise share one). */
  function jsonContext(event: ClientEvent): ClientEvent {
    event.context = jsonCopy(event.context);
    return event;
  }

  /**
   * User id, campaign, first touch, consent; anonymized: no user id, user agent, click id or first
   * touch. The decorated context is built once and shared until the context or these inputs change.
   */
  let decoratedFrom: EventContext | undefined;
  let decorated: EventContext = eventContext;
  function decorate(event: ClientEvent, s: State): void {
    if (event.type === 'alias') event.previous_id ??= s.userId ?? s.deviceId;
    else if (event.user_id === undefined && s.userId) event.user_id = s.userId;
    if (s.anonymized) {
      // A per-call identity with a user id alone has it as its anonymous id too: that goes as well.
      if (event.anonymous_id === event.user_id) event.anonymous_id = ephemeralId;
      delete event.user_id;
    }
    if (event.context !== decoratedFrom) {
      decoratedFrom = event.context;
      const ctx: EventContext = { ...event.context };
      if (s.lastTouch) ctx.campaign = s.anonymized ? { ...s.lastTouch, click_id: undefined, click_id_type: undefined } : s.lastTouch;
      if (s.firstTouch && !s.anonymized) ctx.first_touch = s.firstTouch;
      if (consentDetail) ctx.consent = consentDetail;
      if (s.anonymized) {
        delete ctx.user_agent;
        // Query strings carry click ids (gclid, …) and often more: anonymized pages go without them.
        if (ctx.page) ctx.page = { ...ctx.page, url: ctx.page.url?.split('?')[0], referrer: ctx.page.referrer?.split('?')[0] };
        if (!__SCRIPT_BUILD__) {
          // A Node or React Native app may give its own campaign and first touch (the `context` option; a
          // browser's platform context has neither): anonymized, those go without click id and first touch too.
          delete ctx.first_touch;
          if (ctx.campaign) ctx.campaign = { ...ctx.campaign, click_id: undefined, click_id_type: undefined };
        }
      }
      decorated = ctx;
    }
    event.context = decorated;
  }

  /**
   * Storage was cleared under the page (Clear-Site-Data: "storage", a logout clean-up): from here on
   * as after a reload, a new device id (its own seq from 0), no user id, a new session. Writing the old
   * id back would number its events from 0 again. The opt-out and anonymize() stay as they are.
   * `storedId`: the device id another tab moved to first (after the clear, or a reset()), taken over.
   */
  function cleared(s: State, storedId?: string): void {
    s.deviceId = storedId ?? uuid();
    s.userId = s.session = undefined;
    redecorate();
    save(s);
  }

  /** The state or consent changed what decorate() adds. */
  function redecorate(): void {
    decoratedFrom = undefined;
  }

  /** Change the state (then run `after`, then save) now, or in call order once it is loaded. */
  function update(change: Partial<State>, after?: (s: State) => void): void {
    routePage(); // as for a call: a route's page view waiting for its title comes before the change
    const run = (s: State) => {
      if (!__SCRIPT_BUILD__ && unread) edited = true;
      Object.assign(s, change);
      after?.(s);
      redecorate();
      save(s);
    };
    if (state && waiting.length === 0) run(state);
    else waiting.push({ run });
  }

  function drafts(items: { draft?: EventDraft }[]): EventDraft[] {
    return items.flatMap((item) => (item.draft ? [item.draft] : []));
  }


  function setConsent(input: ConsentInput): void {
    routePage();
    const detail = typeof input === 'boolean' ? { analytics: input } : isObject(input) ? { ...input } : undefined;
    // Sent as context.consent on every later event: the schema takes booleans for analytics and ads and
    // any value for other keys (a consent manager's string, say); a value it refuses, or text PostgreSQL
    // cannot store, would get each of them refused. Refused here, nothing changes. Other keys: plain
    // values only (an object could hide such text anywhere inside).
    const bad = ([key, v]: [string, unknown]) =>
      unstorable(key) || (key === 'analytics' || key === 'ads' ? v !== undefined && typeof v !== 'boolean' : typeof v === 'object' ? v !== null : typeof v === 'string' && unstorable(v));
    if (!detail || Object.entries(detail).some(bad)) return drop('invalid', 'setConsent(): analytics/ads booleans, other keys plain values');
    consentDetail = detail;
    redecorate();
    if (consentDetail.analytics === false) {
      consent = 'denied';
      drop('consent', 'consent denied', [...drafts(waiting.splice(0)), ...queue.clear()]);
      return;
    }
    consent = 'granted';
    if (active) void start();
  }

  /**
   * Hidden or leaving: what only memory holds — calls not queued yet, queued events whose write has
   * not committed (the page may go before it does) — is stashed; what is queued is sent (if this tab sends).
   */
  function hidden(): void {
    routePage(); // a route's page view still waiting for its title: made now, before the page may go
    if (consent === 'granted') {
      const kept = stashDrafts(platform.syncStore, [...drafts(waiting), ...queue.fragile()]);
      if (kept) waiting = waiting.filter((item) => !item.draft);
      else if (kept === false) fail('stash failed');
    }
    delivery.unload();
  }

  /** What let go of the lock when the page went into the back/forward cache (it asks again when back). */
  let released: (() => void) | undefined;
  /**
   * Listening, loading the state, sending and the automatic page view begin once the page is shown
   * (a prerendered page the visitor never opens records nothing); calls made before wait in memory.
   */
  function shown(): void {
    if (closed) return;
    const routes = cfg.autoPage ? platform.onRouteChange : undefined;
    active = true;
    const offLifecycle = platform.lifecycle?.((event) => {
      if (event === 'hidden') return hidden();
      // Into the back/forward cache: a page there runs nothing, and Chromium lets it keep its Web Lock,
      // so no other tab would send. The sender lets go of the lock (`hidden` came first and sent what it
      // could) and asks for it again when the page is back (pageshow: `visible`).
      if (event === 'cached') {
        released = releaseLeader;
        leader &&= !released;
        releaseLeader = undefined;
        return released?.();
      }
      if (released) requestLock();
      released = undefined;
      if (state) adoptStashed(state); // visible again: what was stashed at hide is queued here after all
      // Back (or Forward) to a page the browser kept in the back/forward cache is a page view, as the
      // same Back to a page it reloads is: whether it was cached is the browser's choice, not the visitor's.
      if (event === 'restored' && routes) call('page');
      delivery.wake();
    });
    if (offLifecycle) unsubscribe.push(offLifecycle);
    if (consent === 'granted') void start();
    if (routes) {
      call('page');
      unsubscribe.push(routes(routeChanged));
    }
  }
  let active = false;
  if (platform.whenShown) platform.whenShown(shown);
  else shown();

  return {
    track: (name, properties) => void call('track', name, properties),
    identify: (userId, traits) => (userId === null ? update({ userId: undefined }) : call('identify', userId, traits)),
    page: (name, properties) => void call('page', name, properties),
    screen: (name, properties) => void call('screen', name, properties),
    alias: (userId, previousId) => void call('alias', userId, undefined, previousId),
    group: (groupId, traits) => void call('group', groupId, traits),
    setConsent,
    optOut() {
      shareOptOut(true);
      // Drops what is queued, as for another tab's opt-out. Stored even over a state that could not be
      // read (React Native has no other copy): the user's choice must outlive this run.
      update({ optOut: true }, () => {
        unread = false;
        optedOut();
      });
    },
    optIn() {
      shareOptOut(false);
      update({ optOut: false }, () => (blind = false));
    },
    anonymize: (on = true) => update({ anonymized: on }),
    reset: () => update({ userId: undefined, session: undefined }, (s) => (s.deviceId = uuid())),
    flush: async () => {
      routePage(); // a route's page view still waiting for its title is sent with the rest
      if (ready) await ready;
      await delivery.flush();
      await writer.settled();
    },
    async getDeviceId() {
      await consentGiven;
      await ready;
      if (!state) throw new Error('eventline: no device id');
      return state.anonymized ? ephemeralId : state.deviceId;
    },
    on: (name, listener) => emitter.on(name, listener),
    callWith: call,
    drop,
    clear: queue.clear,
    ...(!__SCRIPT_BUILD__ && { abandon: delivery.abandon }),
    storeOptOut: shareOptOut,
    async close() {
      routePage();
      closed = true;
      for (const off of unsubscribe.splice(0)) off();
      if (ready) await ready;
      delivery.stop();
      await delivery.flush();
      await writer.settled();
      releaseLeader?.();
      // Calls never queued (waiting for consent, say) exist only in memory: they end here, reported.
      const lost = drafts(waiting.splice(0));
      if (lost.length > 0) drop('closed', 'not sent by close()', lost);
    },
  };
}
