import type { LambdaEvent } from 'hono/aws-lambda';

/**
 * The path the app routes, from the path an AWS front end puts in the event. Two prefixes may stand
 * before the app's own paths, and each is cut only when the path starts with it as whole segments:
 *
 * - A named stage of an HTTP API (not `$default`) is served under its name, and API Gateway leaves
 *   that name in the path: stage `prod` delivers `POST /prod/v1/batch`, in `rawPath` (payload 2.0)
 *   and in `path` (payload 1.0 of an HTTP API, `version: "1.0"`), on the API's execute-api host only.
 *   A custom domain's API mapping invokes the stage with no stage segment (`/v1/batch`,
 *   `requestContext.stage` still `prod`): nothing is cut then, whatever the stage is called. A REST API's `path` never holds its stage: REST events are left alone here.
 * - A custom domain's base path (a REST API's base path mapping, an HTTP API's API mapping key) stays
 *   in a payload 1.0 `path` (`/ingest/v1/batch` for the key `ingest`; payload 2.0's `rawPath` leaves
 *   it out, as AWS documents); the event does not name it, so the operator does (`INGEST_BASE_PATH`).
 *   Without it every route of such a deployment answered 404. Cut from `rawPath` too, should it be there.
 * An ALB's path is the client's, as it is, apart from the base path.
 */
export function withRoutedPath<L extends LambdaEvent>(event: L, basePath: string | undefined): L {
  if ('rawPath' in event && typeof event.rawPath === 'string') {
    const stage = stageOf(event);
    const rawPath = routedPath(event.rawPath, stage, basePath);
    if (rawPath === event.rawPath) return event;
    const http = event.requestContext.http as { path?: unknown } | undefined;
    const path = typeof http?.path === 'string' ? routedPath(http.path, stage, basePath) : http?.path;
    return { ...event, rawPath, requestContext: { ...event.requestContext, http: { ...event.requestContext.http, path } } };
  }
  if ('path' in event && typeof event.path === 'string') {
    // Only an HTTP API's payload 1.0 carries `version`; a REST API's `path` holds no stage.
    const stage = (event as { version?: unknown }).version === '1.0' ? stageOf(event) : undefined;
    const path = routedPath(event.path, stage, basePath);
    return path === event.path ? event : { ...event, path };
  }
  return event;
}

/**
 * The named stage whose segment leads the path, or undefined. Only a request to the API's own
 * `<apiId>.execute-api.<region>.amazonaws.com` host carries it: through a custom domain the stage is
 * `requestContext.stage` too, but not in the path, and cutting then turned stage `v1`'s `/v1/batch`
 * into `/batch` (404).
 */
function stageOf(event: LambdaEvent): string | undefined {
  const context = (event.requestContext ?? {}) as { stage?: unknown; apiId?: unknown; domainName?: unknown; domainPrefix?: unknown };
  const { stage, apiId, domainName, domainPrefix } = context;
  if (typeof stage !== 'string' || stage === '' || stage === '$default') return undefined;
  const onExecuteApiHost = typeof apiId === 'string' && apiId !== '' && typeof domainName === 'string' && domainName.startsWith(`${apiId}.execute-api.`) && (domainPrefix === undefined || domainPrefix === apiId);
  return onExecuteApiHost ? stage : undefined;
}

function routedPath(path: string, stage: string | undefined, basePath: string | undefined): string {
  const withoutStage = stage === undefined ? path : withoutPrefix(path, `/${stage}`);
  return basePath === undefined ? withoutStage : withoutPrefix(withoutStage, basePath);
}

function withoutPrefix(path: string, prefix: string): string {
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path;
}
