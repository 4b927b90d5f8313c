import { setTimeout as sleep } from 'node:timers/promises';
import { seededRandom, type EntryFault, type KinesisFaultProxy } from '@eventline/devstack';
import type { ChaosPlan } from './plan';
import type { Restartable } from './restartable';
import type { RssWatch } from './rss';

export interface FaultDeps {
  plan: ChaosPlan;
  proxy: KinesisFaultProxy;
  ingest: Restartable;
  processor: Restartable;
  rss: RssWatch;
  /** Start of the load (epoch ms): fault times count from here. */
  t0: number;
  log: (line: string) => void;
}

const until = (t0: number, atMs: number) => sleep(Math.max(0, t0 + atMs - Date.now()));

/** Run the plan's fault timeline: throttling, the outage, and the kills, each on its own schedule. */
export async function injectFaults(d: FaultDeps): Promise<void> {
  const { plan, proxy, t0, log } = d;
  const stamp = () => `t+${((Date.now() - t0) / 1000).toFixed(1)}s`;

  const throttle = async (): Promise<void> => {
    await until(t0, plan.throttle.atMs);
    const random = seededRandom(7);
    let failed = 0;
    proxy.plan.failEntry = (): EntryFault | undefined => {
      if (random() >= plan.throttle.share) return undefined;
      failed += 1;
      // Mostly throttling, sometimes Kinesis' own internal failure: both are per-entry retries.
      return failed % 4 === 0 ? 'InternalFailure' : 'ProvisionedThroughputExceededException';
    };
    log(`${stamp()} throttling ${Math.round(plan.throttle.share * 100)} % of PutRecords entries for ${plan.throttle.forMs / 1000} s`);
    await until(t0, plan.throttle.atMs + plan.throttle.forMs);
    delete proxy.plan.failEntry;
    log(`${stamp()} throttling over (${proxy.stats.failedEntries} entries failed on purpose)`);
  };

  const outage = async (): Promise<void> => {
    await until(t0, plan.outage.atMs);
    proxy.plan.outage = 'refuse';
    log(`${stamp()} Kinesis unreachable from the ingest for ${plan.outage.forMs / 1000} s`);
    await until(t0, plan.outage.atMs + plan.outage.forMs);
    delete proxy.plan.outage;
    log(`${stamp()} Kinesis reachable again`);
  };

  const kills = async (service: Restartable, times: number[]): Promise<void> => {
    for (const atMs of times) {
      await until(t0, atMs);
      d.rss.sample();
      const pid = service.pid;
      await service.kill();
      log(`${stamp()} SIGKILL ${service.name} (pid ${pid})`);
      await sleep(plan.restartAfterMs);
      await service.start();
      log(`${stamp()} ${service.name} restarted (pid ${service.pid})`);
    }
  };

  await Promise.all([throttle(), outage(), kills(d.ingest, plan.ingestKills), kills(d.processor, plan.processorKills)]);
}
