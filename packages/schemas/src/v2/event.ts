import { Type, type Static } from '@sinclair/typebox';
import type { EventProperties } from '../af-events';
import { SCHEMA_VERSION } from '../limits';
import { ClientEvent as ClientEventV1, ServerFields } from '../v1/event';
import { Context } from './context';

/**
 * The fields a client sends for one event (envelope version 2, the current one). Version 1's fields,
 * with `context.first_touch` typed (see ./context). Server fields are not accepted from clients.
 */
export const ClientEvent = Type.Object(
  {
    ...ClientEventV1.properties,
    schema_version: Type.Optional(Type.Literal(SCHEMA_VERSION)),
    context: Context,
  },
  { additionalProperties: false, $id: 'ClientEvent' },
);
export type ClientEvent = Omit<Static<typeof ClientEvent>, 'properties' | 'traits'> & {
  properties?: EventProperties;
  traits?: Record<string, unknown>;
};

/** An event as it travels through Kinesis and lands in the lake. */
export const StoredEvent = Type.Composite([ClientEvent, ServerFields], {
  additionalProperties: false,
  $id: 'StoredEvent',
});
export type StoredEvent = ClientEvent & Static<typeof ServerFields>;

/** A batch as the SDK builds it (events already typed). */
export interface ClientBatch {
  sent_at: string;
  events: ClientEvent[];
}
