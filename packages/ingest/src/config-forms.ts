import { isIP } from 'node:net';
import { isHostName } from '@eventline/schemas';

type Env = NodeJS.ProcessEnv | Record<string, string | undefined>;

const ON = ['1', 'true', 'yes', 'on'];
const OFF = ['0', 'false', 'no', 'off'];

/**
 * An on/off variable: 1/true/yes/on or 0/false/no/off, any case; unset or empty is off. Anything else
 * is a problem: `TRUE` or `yes` read as off, so the switch silently never took effect.
 */
export function readSwitch(env: Env, name: string, problems: string[]): boolean {
  const value = env[name]?.trim().toLowerCase() ?? '';
  if (value === '' || OFF.includes(value)) return false;
  if (ON.includes(value)) return true;
  problems.push(`${name} must be 1, true, yes or on (or 0, false, no, off), got "${env[name]}"`);
  return false;
}

const isHost = (host: string): boolean => isIP(host) !== 0 || isHostName(host);

/**
 * HOST: what `server.listen` takes, an address or a name. A port, a scheme or brackets failed at start
 * with `getaddrinfo ENOTFOUND`; the problem names the host to write only when taking them off leaves one.
 */
export function checkListenHost(host: string, problems: string[]): void {
  if (isHost(host)) return;
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](:\d+)?$/.exec(host)?.[1];
  const withPort = /^(?:[a-z]+:\/\/)?([^/:[\]]+)(?::\d+)?\/?$/i.exec(host)?.[1];
  const hint = bracketed !== undefined && isIP(bracketed) ? `: write "${bracketed}"` : withPort !== undefined && isHost(withPort) ? `: write "${withPort}" (the port is PORT)` : '';
  problems.push(`HOST must be an IP address or host name (no scheme, port or brackets), got "${host}"${hint}`);
}
