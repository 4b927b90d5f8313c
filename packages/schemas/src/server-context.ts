/**
 * The keys of `context.server`: the block the ingest writes into every stored event's context (it
 * replaces whatever a client sent under that name, so a client cannot forge it). `request_id` and
 * `derived_ts` are always there, `ip` and `user_agent` when known; no other key is. Written by the
 * ingest, relied on by the processor (its PII policy's paths under `context.server`).
 */
export const SERVER_CONTEXT_KEYS = ['request_id', 'derived_ts', 'ip', 'user_agent'] as const;
