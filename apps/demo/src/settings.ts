import { parseEngine, type KinesisEngine } from '@eventline/devstack';
import { parseSwitch } from '@eventline/schemas';

/** The demo's own settings from the environment (README table), checked before anything starts. */
export interface DemoSettings {
  engine: KinesisEngine;
  /** Port of the demo page; 0: a free one. */
  port: number;
  /** Synthetic shoppers to send at start. */
  seed: number;
  /** DEMO_VERBOSE: print every service's log lines. */
  verbose: boolean;
}

export const MAX_SEED = 1_000_000;

/** Every problem of the demo's settings, one per line; the demo exits 2 on it, as the ingest does. */
export class DemoSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'DemoSettingsError';
  }
}

export function readDemoSettings(env: NodeJS.ProcessEnv): DemoSettings {
  const problems: string[] = [];
  let engine: KinesisEngine = 'kinesalite';
  try {
    engine = parseEngine(env.KINESIS_ENGINE);
  } catch (error) {
    problems.push(`KINESIS_ENGINE: ${(error as Error).message}`);
  }
  const port = integer(env, 'DEMO_PORT', 0, 65_535, 'a port number (0 for a free one)', problems);
  const seed = integer(env, 'DEMO_SEED', 0, MAX_SEED, 'a number of shoppers', problems);
  const verbose = onOff(env, 'DEMO_VERBOSE', problems);
  if (problems.length > 0) throw new DemoSettingsError(problems);
  return { engine, port, seed, verbose };
}

function integer(env: NodeJS.ProcessEnv, name: string, min: number, max: number, what: string, problems: string[]): number {
  const value = env[name]?.trim();
  if (value === undefined || value === '') return 0;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (Number.isSafeInteger(n) && n >= min && n <= max) return n;
  problems.push(`${name} must be ${what}, an integer from ${min} to ${max}; got "${env[name]}"`);
  return 0;
}

/** 1/true/yes/on or 0/false/no/off, any case; unset is off (schemas' `parseSwitch`, as the ingest's switches). Only `1` counted before: `true` left the logs off, silently. */
function onOff(env: NodeJS.ProcessEnv, name: string, problems: string[]): boolean {
  const value = parseSwitch(env[name]);
  if (value !== undefined) return value;
  problems.push(`${name} must be 1, true, yes or on (or 0, false, no, off); got "${env[name]}"`);
  return false;
}
