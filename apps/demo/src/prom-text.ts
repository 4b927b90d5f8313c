/** Reading Prometheus's text format: the ingest's and the processor's /metrics, as the live view polls them. */

/** Sum the samples of one Prometheus metric whose labels contain `match` (e.g. `outcome="accepted"`). */
export function promSum(text: string, name: string, match = ''): number | null {
  let total: number | null = null;
  for (const { value } of promSamples(text, name, match)) total = (total ?? 0) + value;
  return total;
}

/** The largest sample of one Prometheus metric (e.g. the lag of the shard furthest behind). */
export function promMax(text: string, name: string, match = ''): number | null {
  let max: number | null = null;
  for (const { value } of promSamples(text, name, match)) max = Math.max(max ?? value, value);
  return max;
}

/** The non-zero samples of one metric by the value of `label` (e.g. `code`), summed per value. */
export function promByLabel(text: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  const pattern = new RegExp(`[{,]${label}="([^"]*)"`);
  for (const { labels, value } of promSamples(text, name, '')) {
    const key = pattern.exec(labels)?.[1];
    if (key !== undefined && value !== 0) out[key] = (out[key] ?? 0) + value;
  }
  return out;
}

/** The one reader of the text format: each sample of metric `name` whose labels contain `match`, with its `{…}` labels ('' without). */
function* promSamples(text: string, name: string, match: string): Generator<{ labels: string; value: number }> {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue; // another metric sharing the prefix
    const space = rest.lastIndexOf(' ');
    const labels = rest.slice(0, space).trim();
    if (match !== '' && !labels.includes(match)) continue;
    const value = Number(rest.slice(space + 1));
    if (Number.isFinite(value)) yield { labels, value };
  }
}
