import { readFileSync } from 'node:fs';

/** Peak resident memory of a live process so far (VmHWM), in KiB; undefined once it is gone. */
export function peakRssKiB(pid: number): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined; // the process has exited: its last sample stands
  }
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) : undefined;
}

export interface RssWatch {
  /** Take a sample of every watched process now (also done every `everyMs`). */
  sample(): void;
  /** Start watching a (new) pid under a service name; a restarted service keeps its name. */
  watch(service: string, pid: number): void;
  /** Highest VmHWM seen per service, over all of its processes, in MiB. */
  peaks(): Record<string, number>;
  stop(): void;
}

/**
 * VmHWM is the kernel's own high-water mark, so sampling every second misses nothing while a process
 * lives; a process about to be killed is sampled just before the kill.
 */
export function watchRss(everyMs = 1000): RssWatch {
  const pids = new Map<string, number>();
  const peak = new Map<string, number>();
  const sample = (): void => {
    for (const [service, pid] of pids) {
      const kib = peakRssKiB(pid);
      if (kib !== undefined && kib > (peak.get(service) ?? 0)) peak.set(service, kib);
    }
  };
  const timer = setInterval(sample, everyMs);
  return {
    sample,
    watch(service, pid) {
      sample();
      pids.set(service, pid);
      sample();
    },
    peaks: () => Object.fromEntries([...peak].map(([service, kib]) => [service, Math.round(kib / 1024)])),
    stop() {
      sample();
      clearInterval(timer);
    },
  };
}
