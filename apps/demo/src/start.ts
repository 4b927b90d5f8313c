import { fileURLToPath } from 'node:url';
import { demoDataDir, ensureDataDir, queryHint } from './data-dir';
import { DEMO_WRITE_KEY, startPipeline } from './pipeline';
import { seedShoppers } from './seed';
import { DemoSettingsError, readDemoSettings } from './settings';
import { reserveWebPort, saveWebPort } from './web-port';
import { serveWebApp } from './web-server';

/** `npm run demo`: the whole pipeline on this machine; Ctrl-C stops all of it. */
async function main(): Promise<void> {
  // The AWS SDK warns on Node 20 that its 2027 releases need Node 22; the demo pins a version that runs
  // here, so keep the console for the demo's own output (the services inherit this).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const dataDir = demoDataDir(process.env, repoRoot);
  // Checked before anything starts: a bad value is said at once, not after the services are up.
  const { engine, port, seed, verbose } = readDemoSettings(process.env);
  // Also before anything starts: a data folder it cannot write, and a busy page port.
  ensureDataDir(dataDir);
  const reserved = await reserveWebPort(port, dataDir);

  // From here on Ctrl-C (or SIGTERM) stops in order, also during start-up and seeding: what is under
  // way finishes (a service starting, the shopper being sent), then the ingest, the processor (it reads
  // what the ingest accepted to the streams' tip, for at most 10 s, flushes and checkpoints) and the
  // emulator stop.
  const stopping = new AbortController();
  const onSignal = (): void => {
    if (stopping.signal.aborted) return;
    console.log('Stopping …');
    stopping.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  console.log(`Starting eventline demo (Kinesis emulator: ${engine}, data in ${dataDir}) …`);
  let pipeline;
  try {
    pipeline = await startPipeline({
      dataDir,
      engine,
      onLine: (service, line) => {
        if (verbose || /"level":"(warn|error)"/.test(line)) console.log(`[${service}] ${line}`);
      },
      onBacklogProgress: (message) => console.log(`  ${message}`),
      onStopNote: (message) => console.log(`  ${message}`),
      signal: stopping.signal,
    });
  } catch (error) {
    reserved.server.close();
    // Stopped while starting (the backlog wait): what had started is stopped already.
    if (stopping.signal.aborted) return;
    throw error;
  }
  let web: ReturnType<typeof serveWebApp> | undefined;
  try {
    if (stopping.signal.aborted) return;
    web = serveWebApp(reserved.server, {
      ingestUrl: pipeline.ingestUrl,
      writeKey: DEMO_WRITE_KEY,
      lakeDir: pipeline.lakeDir,
      processorMetricsUrl: pipeline.processorMetricsUrl,
      backlog: pipeline.backlog,
      database: pipeline.database,
    });
    saveWebPort(dataDir, reserved.port); // this run owns the data folder now (the pipeline's lock)
    if (reserved.note) console.log(`  ${reserved.note}`);

    console.log(
      [
        '',
        `  Demo page        ${web.url}`,
        `  Dashboard        ${web.url}/dashboard`,
        `  Ingest           ${pipeline.ingestUrl}  (POST /v1/batch, GET /readyz)`,
        `  Processor        ${pipeline.processorMetricsUrl}  (Prometheus; /healthz, /readyz)`,
        `  Kinesis (${pipeline.kinesis.engine})  ${pipeline.kinesis.endpoint}`,
        `  Lake             ${pipeline.lakeDir}`,
        `  Query            ${queryHint(pipeline.lakeDir, repoRoot)}`,
        `  Processes        ${[`kinesis=${pipeline.kinesis.pid}`, ...pipeline.services.map((s) => `${s.name}=${s.pid}`)].join(' ')}`,
        '',
        '  Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );

    if (seed > 0) {
      console.log(`  Seeding ${seed} synthetic shoppers …`);
      const seeded = await seedShoppers({ ingestUrl: pipeline.ingestUrl, writeKey: DEMO_WRITE_KEY, shoppers: seed, signal: stopping.signal });
      const count = seeded.shoppers < seed ? `${seeded.shoppers} of ${seed} (stopped)` : String(seed);
      console.log(`  Seeded ${count} synthetic shoppers: ${seeded.accepted} events accepted${seeded.problems.length ? `, problems: ${seeded.problems.join('; ')}` : ''}`);
    }
    if (!stopping.signal.aborted) await new Promise((resolve) => stopping.signal.addEventListener('abort', resolve, { once: true }));
  } finally {
    reserved.server.close();
    await pipeline.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(error instanceof DemoSettingsError ? 2 : 1);
  },
);
