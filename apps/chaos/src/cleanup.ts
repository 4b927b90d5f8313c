/**
 * Run every cleanup step, the last added first, each under its own try, and empty the list: a step
 * that throws (a stream that cannot be read) must not skip the ones after it (stopping the services).
 * Returns the errors, in the order they happened.
 */
export async function runCleanup(steps: (() => Promise<void>)[]): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (const step of steps.splice(0).reverse()) {
    try {
      await step();
    } catch (error) {
      errors.push(error);
    }
  }
  return errors;
}

/** A run that did not finish; `dataDir` (the lake, Kinesis data, services.log) is kept for a look. */
export class ChaosRunError extends Error {
  constructor(
    message: string,
    readonly dataDir: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ChaosRunError';
  }
}
