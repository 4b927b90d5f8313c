import { athenaDdl, glueTables } from '@eventline/schemas';
import { catalogArgs, USAGE } from './catalog/args';

function main(argv: readonly string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const { options, glue, warnings } = catalogArgs(argv, process.env);
    for (const warning of warnings) process.stderr.write(`${warning}\n`);
    process.stdout.write(glue ? `${JSON.stringify(glueTables(options), null, 2)}\n` : `${athenaDdl(options).join('\n\n')}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
