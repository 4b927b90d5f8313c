import { FULL_PLAN, SHORT_PLAN } from './plan';
import { ChaosRunError } from './cleanup';
import { formatReport } from './report';
import { runChaos } from './run';

/** `npm run chaos` (full plan) or `npm run chaos -- --short` (the CI plan). Exit 1 on any problem. */
async function main(): Promise<void> {
  // The AWS SDK's Node 20 deprecation warning would otherwise repeat in every service's log.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const plan = process.argv.includes('--short') ? SHORT_PLAN : FULL_PLAN;
  console.log(`eventline chaos: ${plan.name} plan`);
  const result = await runChaos(plan, (line) => console.log(`  ${line}`));
  console.log(`\n${formatReport(result)}`);
  process.exitCode = result.problems.length === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  // The README promises a failed run keeps (and names) its data folder.
  if (error instanceof ChaosRunError) console.error(`\ndata kept in ${error.dataDir} (the lake, Kinesis data, services.log)`);
  process.exitCode = 1;
});
