import fc from 'fast-check';

/**
 * The instant (epoch ms, as the lake keeps it: fraction cut to milliseconds) each generated
 * RFC 3339 text stands for. The text alone fixes it, so one map serves every run and shrink.
 */
export const INSTANTS = new Map<string, number>();

// setUTCFullYear, not Date.UTC: the latter maps years 0–99 to 1900–1999.
const FIRST = new Date(0).setUTCFullYear(2, 0, 1);
const LAST = new Date(0).setUTCFullYear(9998, 11, 31);

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * RFC 3339 date-times the envelope takes (years 0001–9999 UTC once the offset is applied): any
 * offset up to ±23:59, `-00:00`, lower-case `t`/`z`, 0–9 fraction digits. Mostly around `now`
 * (derived_ts then makes sense), sometimes anywhere in years 0002–9998.
 */
export function dateTime(nearMs: number): fc.Arbitrary<string> {
  const instant = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: -3 * 86_400_000, max: 60_000 }).map((d) => ({ relative: d })) },
    { weight: 1, arbitrary: fc.integer({ min: FIRST, max: LAST }).map((ms) => ({ absolute: ms })) },
  );
  const offset = fc.oneof(fc.constantFrom(0, 60, -300, 330, 345, 23 * 60 + 59, -(23 * 60 + 59), 14 * 60), fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }));
  return fc
    .record({ instant, offset, digits: fc.integer({ min: 0, max: 9 }), extra: fc.integer({ min: 0, max: 999_999 }), minusZero: fc.boolean(), lower: fc.boolean() })
    .map(({ instant: at, offset: off, digits, extra, minusZero, lower }) => {
      const raw = 'relative' in at ? nearMs + at.relative : at.absolute;
      const seconds = Math.floor(raw / 1000) * 1000;
      const precision = digits >= 3 ? 1 : digits === 2 ? 10 : digits === 1 ? 100 : 1000;
      const ms = seconds + Math.floor((raw - seconds) / precision) * precision;
      const local = new Date(ms + off * 60_000);
      const fraction = digits === 0 ? '' : `.${(pad(local.getUTCMilliseconds(), 3) + pad(extra, 6)).slice(0, digits)}`;
      const zone = off === 0 && !minusZero ? (lower ? 'z' : 'Z') : `${off < 0 || (off === 0 && minusZero) ? '-' : '+'}${pad(Math.floor(Math.abs(off) / 60), 2)}:${pad(Math.abs(off) % 60, 2)}`;
      const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)}`;
      const time = `${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}:${pad(local.getUTCSeconds(), 2)}`;
      const text = `${date}${lower ? 't' : 'T'}${time}${fraction}${zone}`;
      INSTANTS.set(text, ms);
      return text;
    });
}

/** The instant of a generated date-time text, as the lake's `yyyy-MM-ddTHH:mm:ss.SSSZ`. */
export function lakeTimeOf(text: string): string {
  return new Date(instantOf(text)).toISOString();
}

/** The instant (epoch ms) of a generated date-time text. */
export function instantOf(text: string): number {
  const ms = INSTANTS.get(text);
  if (ms === undefined) throw new Error(`not a generated date-time: ${text}`);
  return ms;
}
