/**
 * Forms of the settings every service reads the same way: its listen address (the ingest's HOST, the
 * processor's METRICS_HOST) and its on/off switches (the ingest's INGEST_LOG_REQUESTS, the demo's
 * DEMO_VERBOSE). Each caller words its own problem; the values accepted are decided here, once.
 * Platform-free: no node:net (the SDK bundles this package), so the address forms are checked here.
 */

const SWITCH_ON = ['1', 'true', 'yes', 'on'];
const SWITCH_OFF = ['0', 'false', 'no', 'off'];

/**
 * An on/off value: 1/true/yes/on or 0/false/no/off, any case, spaces around ignored; unset or empty is
 * off. `undefined` for anything else, which the caller reports (read as off, `TRUE` or `yes` would
 * leave a switch off silently).
 */
export function parseSwitch(raw: string | undefined): boolean | undefined {
  const value = raw?.trim().toLowerCase() ?? '';
  if (value === '' || SWITCH_OFF.includes(value)) return false;
  if (SWITCH_ON.includes(value)) return true;
  return undefined;
}

/**
 * A host name as resolvers take it, for the services' listen addresses: `_` too (Docker Compose
 * service names, `ingest_1`) and a trailing dot (`ingest.local.`).
 */
export function isHostName(text: string): boolean {
  return /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$/.test(text);
}

/** What `server.listen` takes as its host: an IP address (as node:net's isIP accepts it) or a host name. */
export function isAddressOrHostName(text: string): boolean {
  return isIpAddress(text) || isHostName(text);
}

/** Dotted-quad IPv4, each part 0–255 without leading zeros (`010.0.0.1` is not one). */
const IPV4_PART = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)';
const IPV4 = new RegExp(`^${IPV4_PART}(?:\\.${IPV4_PART}){3}$`);
const IPV6_GROUP = /^[0-9A-Fa-f]{1,4}$/;
/** A zone after `%` (`fe80::1%eth0`): the characters node:net's isIP takes there. */
const ZONE = /^[0-9A-Za-z.:-]+$/;

/** An IPv4 or IPv6 address, the forms node:net's isIP accepts (IPv6 with an IPv4 tail or a `%zone`). */
export function isIpAddress(text: string): boolean {
  return IPV4.test(text) || isIpv6(text);
}

function isIpv6(text: string): boolean {
  const percent = text.indexOf('%');
  const address = percent === -1 ? text : text.slice(0, percent);
  if (percent !== -1 && !ZONE.test(text.slice(percent + 1))) return false;
  const halves = address.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((half) => (half === '' ? [] : half.split(':')));
  const all = groups.flat();
  // Only the last group may be an IPv4 address (two groups' worth).
  const last = groups.at(-1)?.at(-1);
  const v4Tail = last !== undefined && IPV4.test(last);
  const hexGroups = v4Tail ? all.slice(0, -1) : all;
  if (!hexGroups.every((group) => IPV6_GROUP.test(group))) return false;
  const count = hexGroups.length + (v4Tail ? 2 : 0);
  // `::` stands for one or more zero groups.
  return halves.length === 2 ? count <= 7 : count === 8;
}
