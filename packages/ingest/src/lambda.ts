import { createLambdaHandler, type LambdaHandler } from './lambda-handler';

export { createLambdaHandler, type LambdaHandler } from './lambda-handler';

/**
 * The handler built once per instance. In the Lambda runtime (AWS_LAMBDA_FUNCTION_NAME is always set
 * there) it is built while the module loads, so a bad config fails the init (every problem listed)
 * instead of the first request. Elsewhere (tests importing this module) it is built at the first
 * call; a config error is kept and thrown again, never re-read.
 */
let built: { handler: LambdaHandler } | { error: Error } | undefined;
// (A function of your own that builds its handler with createLambdaHandler should import it from the
// package root, `@eventline/ingest`: importing this module in the runtime builds one from process.env.)

function build(): { handler: LambdaHandler } | { error: Error } {
  try {
    return { handler: createLambdaHandler() };
  } catch (error) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }
}

if (process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined) {
  built = build();
  if ('error' in built) throw built.error;
}

/** The Lambda entry point (`dist/lambda.handler`). */
export const handler: LambdaHandler = async (event, context) => {
  built ??= build();
  if ('error' in built) throw built.error;
  return built.handler(event, context);
};
