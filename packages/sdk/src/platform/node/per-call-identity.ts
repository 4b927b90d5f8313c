import type { EventType } from '@eventline/schemas';
import type { CallIds, Client, CoreClient, EventName, PropertiesInput, TraitsInput } from '../../core/client';
import { badId, textOf } from '../../core/draft';

/**
 * Who one event is about (server-side tracking): a user id, an anonymous id, or both. `null` is the
 * same as leaving it out (no user: `user_id` null), so a nullable id from a request can be passed as is.
 */
export type CallIdentity = { userId: string; anonymousId?: string | null } | { userId?: string | null; anonymousId: string };

/**
 * The Node client: each event call takes an optional last argument, the identity of that event
 * alone (as Segment's analytics-node takes `userId` / `anonymousId` per call). Without it, the
 * client's own identity is used, as in the browser.
 */
export interface NodeClient extends Client {
  track: <P extends PropertiesInput>(name: EventName, properties?: P, identity?: CallIdentity) => void;
  /** With `identity`, only this event carries `userId`: the client does not remember it (and `null` is a drop, `invalid`). */
  identify: <P extends TraitsInput>(userId: string | null, traits?: P, identity?: CallIdentity) => void;
  page: <P extends PropertiesInput>(name?: string, properties?: P, identity?: CallIdentity) => void;
  screen: <P extends PropertiesInput>(name?: string, properties?: P, identity?: CallIdentity) => void;
  /** With `identity`, `previousId` defaults to its `userId`, else its `anonymousId`. */
  alias: (userId: string, previousId?: string, identity?: CallIdentity) => void;
  group: <P extends TraitsInput>(groupId: string, traits?: P, identity?: CallIdentity) => void;
}

/** Given (not undefined or null), and not an id the ingest takes (the core's rule: 1-256 chars, no U+0000 or lone surrogate). */
const bad = (value: unknown) => value != null && badId(value);

/**
 * Per-call identity over the core client: the event gets `anonymous_id` = anonymousId, else userId
 * (the ingest's Segment mapping does the same), and `user_id` = userId or null (not the client's);
 * identify and alias keep their own user id. No session (a server's session is not the user's), the
 * client's seq counter. The client's stored identity is never touched.
 */
export function withCallIdentity(client: CoreClient): NodeClient {
  function callWith(type: EventType, id: unknown, data: unknown, other: unknown, identity: CallIdentity): void {
    const { userId, anonymousId } = identity as { userId?: unknown; anonymousId?: unknown };
    const anonymous = anonymousId ?? userId;
    if (bad(userId) || bad(anonymousId) || anonymous == null) {
      client.drop('invalid', `${type}(): identity needs userId or anonymousId, ${textOf(256)}`);
      return;
    }
    const ids: CallIds = { anonymous_id: anonymous as string };
    if (type === 'alias') other ??= userId ?? anonymous;
    else if (type !== 'identify') ids.user_id = (userId as string | null | undefined) ?? null;
    client.callWith(type, id, data, other, ids);
  }
  return {
    ...client,
    track: (name, properties, identity) => (identity ? callWith('track', name, properties, undefined, identity) : client.track(name, properties)),
    identify: (userId, traits, identity) => (identity ? callWith('identify', userId, traits, undefined, identity) : client.identify(userId, traits)),
    page: (name, properties, identity) => (identity ? callWith('page', name, properties, undefined, identity) : client.page(name, properties)),
    screen: (name, properties, identity) => (identity ? callWith('screen', name, properties, undefined, identity) : client.screen(name, properties)),
    alias: (userId, previousId, identity) => (identity ? callWith('alias', userId, undefined, previousId, identity) : client.alias(userId, previousId)),
    group: (groupId, traits, identity) => (identity ? callWith('group', groupId, traits, undefined, identity) : client.group(groupId, traits)),
  };
}
