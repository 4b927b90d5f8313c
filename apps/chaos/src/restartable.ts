import { isAlive, waitFor, type ServiceProcess } from '@eventline/devstack';

/** A service the run can SIGKILL and start again with the same configuration. */
export interface Restartable {
  readonly name: string;
  readonly pid: number;
  readonly kills: number;
  /** SIGKILL (no chance to flush or answer), wait until the process is gone. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function restartable(name: string, spawn: () => Promise<ServiceProcess>, onStart: (pid: number) => void): Restartable {
  let current: ServiceProcess | undefined;
  let kills = 0;
  const self: Restartable = {
    name,
    get pid() {
      return current?.pid ?? -1;
    },
    get kills() {
      return kills;
    },
    async kill() {
      if (!current) throw new Error(`${name} is not running`);
      const { pid } = current;
      current = undefined;
      process.kill(pid, 'SIGKILL');
      kills += 1;
      await waitFor(`${name} (pid ${pid}) to exit after SIGKILL`, () => !isAlive(pid), 10_000, 20);
    },
    async start() {
      if (current) throw new Error(`${name} is already running`);
      current = await spawn();
      onStart(current.pid);
    },
    async stop() {
      const service = current;
      current = undefined;
      await service?.stop();
    },
  };
  return self;
}
