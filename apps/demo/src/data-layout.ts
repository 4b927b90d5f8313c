import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KinesisEngine } from '@eventline/devstack';

/**
 * Where one demo run keeps what. The Kinesis emulator's data and the processor's checkpoints belong to
 * one stream instance, so each engine has its own (`<engine>/`, i.e. `kinesalite/` or `kinesis-local/`): a checkpoint of one engine's
 * stream is refused by the other's ("did not come from this stream"), forever. The lake and the
 * processor's seen index (event_id → claim) are shared: one lake for both engines, and an event the
 * SDK resends after a switch is still delivered once.
 */
export interface DataLayout {
  lakeDir: string;
  /** The processor's seen index (LevelDB), next to the lake it keeps free of repeats. */
  seenDir: string;
  /** `<engine>/`, i.e. `kinesalite/` or `kinesis-local/`: everything tied to this engine's streams. */
  engineDir: string;
  /** The emulator's own data (kinesalite's LevelDB, kinesis-local's kinesis-data.json). */
  emulatorDir: string;
  /** The processor's checkpoint of the `events` stream. */
  checkpointFile: string;
  /** The bad-rows stream's, next to it (where the processor puts it by default). */
  badRowsCheckpointFile: string;
}

export function dataLayout(dataDir: string, engine: KinesisEngine): DataLayout {
  const engineDir = join(dataDir, engine);
  return {
    lakeDir: join(dataDir, 'lake'),
    seenDir: join(dataDir, 'seen-index'),
    engineDir,
    emulatorDir: join(engineDir, 'emulator'),
    checkpointFile: join(engineDir, 'checkpoints', 'events.json'),
    badRowsCheckpointFile: join(engineDir, 'checkpoints', 'events-bad.json'),
  };
}

/** The files of the layout before engines were kept apart: `kinesis/` and the checkpoints at the top. */
const LEGACY = { kinesis: 'kinesis', checkpoints: ['checkpoints.json', 'events-bad.json'], seen: 'checkpoints.seen' } as const;

/**
 * Move a data folder of the shared layout (one `kinesis/` and one `checkpoints.json` for both
 * engines) to the per-engine one, once; returns what it did, for the console.
 *
 * When only one engine ever ran there (only kinesalite's LevelDB, or only kinesis-local's
 * `kinesis-data.json`), its stream data and the checkpoints are that engine's: they move together.
 * When both did, nothing says whose streams the checkpoints point into; the old emulator data and
 * checkpoints are set aside in `legacy-shared-kinesis/` and both engines start on new streams. The
 * lake loses nothing: the processor flushes everything it read before it stops.
 */
export function migrateSharedLayout(dataDir: string): string[] {
  const kinesisDir = join(dataDir, LEGACY.kinesis);
  const checkpoints = LEGACY.checkpoints.filter((name) => existsSync(join(dataDir, name)));
  const notes: string[] = [];
  const seen = join(dataDir, LEGACY.seen);
  const { seenDir } = dataLayout(dataDir, 'kinesalite');
  if (existsSync(seen) && !existsSync(seenDir)) renameSync(seen, seenDir);
  if (!existsSync(kinesisDir) && checkpoints.length === 0) return notes;

  const files = existsSync(kinesisDir) ? readdirSync(kinesisDir) : [];
  const engines: KinesisEngine[] = [];
  if (files.includes('CURRENT')) engines.push('kinesalite');
  if (files.includes('kinesis-data.json')) engines.push('kinesis-local');
  const [only] = engines;
  if (engines.length === 1 && only !== undefined && !existsSync(dataLayout(dataDir, only).engineDir)) {
    const target = dataLayout(dataDir, only);
    mkdirSync(dirname(target.checkpointFile), { recursive: true });
    renameSync(kinesisDir, target.emulatorDir);
    for (const name of checkpoints) renameSync(join(dataDir, name), join(dirname(target.checkpointFile), name === 'checkpoints.json' ? 'events.json' : name));
    notes.push(`moved the ${only} stream data and checkpoints of ${dataDir} to ${target.engineDir} (one folder per Kinesis engine now)`);
    return notes;
  }
  const aside = join(dataDir, 'legacy-shared-kinesis');
  mkdirSync(aside, { recursive: true });
  if (existsSync(kinesisDir)) renameSync(kinesisDir, join(aside, LEGACY.kinesis));
  for (const name of checkpoints) renameSync(join(dataDir, name), join(aside, name));
  notes.push(
    `set aside the shared Kinesis data and checkpoints of ${dataDir} in ${aside}: they cannot be told apart per engine ` +
      '(each engine now keeps its own in <data>/<engine>/ and starts on a new stream; the lake keeps every event delivered so far)',
  );
  return notes;
}
