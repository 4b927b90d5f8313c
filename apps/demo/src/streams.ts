/** The demo's two streams: the events, and the bad rows the ingest writes for its rejections. */
export const STREAMS = { events: 'events', badRows: 'events-bad' } as const;
