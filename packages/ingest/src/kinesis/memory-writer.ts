import type { OutRecord, RecordWriter } from './record-writer';

/** Keeps records in memory, per stream: for benchmarks against a bare app and for app tests. */
export function createMemoryWriter(): RecordWriter & { records: Map<string, OutRecord[]> } {
  const records = new Map<string, OutRecord[]>();
  return {
    records,
    put(stream, batch) {
      const list = records.get(stream) ?? [];
      list.push(...batch);
      records.set(stream, list);
      return Promise.resolve({ failed: [] });
    },
    ping: () => Promise.resolve(),
  };
}
