import { Type } from '@sinclair/typebox';
import { Campaign, Context as ContextV1 } from '../v1/context';

/**
 * Context of envelope version 2: version 1's, plus `first_touch`, the first campaign the device
 * landed from (same shape as `campaign`, the last touch). In version 1 it was an untyped extra key
 * (the SDK sent it all along); version 2 checks it and the lake gives it columns of its own.
 */
export const Context = Type.Object(
  { ...ContextV1.properties, first_touch: Type.Optional(Campaign) },
  { additionalProperties: true },
);
