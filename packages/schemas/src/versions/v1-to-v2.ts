import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Campaign } from '../v1/context';
import type { Upcaster } from './upcast';

/** Where version 2 keeps a version 1 `context.first_touch` that is not a campaign (it was an open key then). */
export const LEGACY_FIRST_TOUCH = 'legacy_first_touch';

const isCampaign = TypeCompiler.Compile(Campaign);

/**
 * Version 1 → 2. Version 2 types `context.first_touch` as a campaign. In version 1 it was an open
 * context key, so a valid v1 event may hold anything there: such a value moves, unchanged, to
 * `context.legacy_first_touch` (kept in the lake's `context` column), so a valid v1 event stays valid
 * and loses nothing, unless it holds a `legacy_first_touch` of its own too (below). A campaign-shaped
 * one (what the SDK has always sent) stays where it is. If `legacy_first_touch` is taken too, nothing moves and the v2 check rejects the event with its path
 * (a bad row, never an overwrite).
 */
export const v1ToV2: Upcaster = {
  from: 1,
  up(event) {
    const context = event.context;
    if (typeof context !== 'object' || context === null || Array.isArray(context)) return event;
    // Looked at before any copy: nearly every v1 event has no first_touch, or a campaign one (the ingest upcasts each v1 event).
    const firstTouch = (context as Record<string, unknown>).first_touch;
    if (firstTouch === undefined || isCampaign.Check(firstTouch) || Object.hasOwn(context, LEGACY_FIRST_TOUCH)) return event;
    const moved: Record<string, unknown> = { ...context, [LEGACY_FIRST_TOUCH]: firstTouch };
    delete moved.first_touch;
    return { ...event, context: moved };
  },
};
