import { fileURLToPath } from 'node:url';
import { parseEngine } from '@eventline/devstack';
import { demoDataDir, queryHint } from './data-dir';
import { DEMO_WRITE_KEY, startPipeline } from './pipeline';
import { seedShoppers } from './seed';
import { startWebServer } from './web-server';

/** `npm run demo`: the whole pipeline on this machine; Ctrl-C stops all of it. */
async function main(): Promise<void> {
  // The AWS SDK warns on Node 20 that its 2027 releases need Node 22; the demo pins a version that runs
  // here, so keep the console for the demo's own output (the services inherit this).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const dataDir = demoDataDir(process.env, repoRoot);
  const verbose = process.env.DEMO_VERBOSE === '1';
  const engine = parseEngine(process.env.KINESIS_ENGINE);
  console.log(`Starting eventline demo (Kinesis emulator: ${engine}, data in ${dataDir}) …`);

  const pipeline = await startPipeline({
    dataDir,
    engine,
    onLine: (service, line) => {
      if (verbose || /"level":"(warn|error)"/.test(line)) console.log(`[${service}] ${line}`);
    },
  });
  const web = await startWebServer({
    port: Number(process.env.DEMO_PORT ?? 0),
    ingestUrl: pipeline.ingestUrl,
    writeKey: DEMO_WRITE_KEY,
    lakeDir: pipeline.lakeDir,
    processorMetricsUrl: pipeline.processorMetricsUrl,
    database: pipeline.database,
  }).catch(async (error: unknown) => {
    await pipeline.stop();
    throw error;
  });

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

  const seed = Number(process.env.DEMO_SEED ?? 0);
  if (seed > 0) {
    const seeded = await seedShoppers({ ingestUrl: pipeline.ingestUrl, writeKey: DEMO_WRITE_KEY, shoppers: seed });
    console.log(`  Seeded ${seed} synthetic shoppers: ${seeded.accepted} events accepted${seeded.problems.length ? `, problems: ${seeded.problems.join('; ')}` : ''}`);
  }

  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('Stopping …');
    web.server.close();
    pipeline.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('stop failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
