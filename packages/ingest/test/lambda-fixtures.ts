import { readFileSync } from 'node:fs';
import type { LambdaContext } from 'hono/aws-lambda';

/** One of the front ends' events as AWS documents them (`fixtures/`, each citing its page in lambda-front-ends.test.ts). */
export function loadFixture<E>(name: string): E {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as E;
}

/** The Lambda context the handler tests invoke with. */
export const LAMBDA_CONTEXT = { awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678', functionName: 'ingest' } as LambdaContext;
/** The environment of the in-process handler tests: one write key, one allowed origin. */
export const LAMBDA_TEST_ENV = { INGEST_WRITE_KEYS: 'wk_test_123=shop', INGEST_ALLOWED_ORIGINS: 'shop=https://shop.example' };
