import { readFileSync } from 'node:fs';

export interface RssSample {
  atMs: number;
  rssKiB: number;
  hwmKiB: number;
}

/** VmRSS and VmHWM (peak) of a process, from /proc/<pid>/status (Linux); undefined once it is gone. */
export function readRss(pid: number): { rssKiB: number; hwmKiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Sample a process's memory every `everyMs` until stopped. */
export function sampleRss(pid: number, everyMs = 200): { samples: RssSample[]; stop(): RssSample[] } {
  const started = Date.now();
  const samples: RssSample[] = [];
  const take = () => {
    const r = readRss(pid);
    if (r) samples.push({ atMs: Date.now() - started, ...r });
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}
