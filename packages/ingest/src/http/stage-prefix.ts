import type { LambdaEvent } from 'hono/aws-lambda';

/**
 * An HTTP API (payload 2.0) stage other than `$default` is served under its name, and API Gateway
 * leaves that name in `rawPath`: stage `prod` delivers `POST /prod/v1/batch`. The app's routes know no
 * stage, so the prefix is cut before routing. Only when it is there: a custom domain's API mapping
 * invokes the stage with no stage segment in the path (`/v1/batch`, `requestContext.stage` still
 * `prod`). REST (payload 1.0) events are left alone: their `path` is already the stage-less resource path.
 */
export function withoutStagePrefix<L extends LambdaEvent>(event: L): L {
  if (!('rawPath' in event) || typeof event.rawPath !== 'string') return event;
  const stage = (event.requestContext as { stage?: unknown } | undefined)?.stage;
  if (typeof stage !== 'string' || stage === '' || stage === '$default') return event;
  const rawPath = stripStage(event.rawPath, stage);
  if (rawPath === event.rawPath) return event;
  const http = event.requestContext.http as { path?: unknown } | undefined;
  const path = typeof http?.path === 'string' ? stripStage(http.path, stage) : http?.path;
  return { ...event, rawPath, requestContext: { ...event.requestContext, http: { ...event.requestContext.http, path } } };
}

function stripStage(path: string, stage: string): string {
  const prefix = `/${stage}`;
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path;
}
