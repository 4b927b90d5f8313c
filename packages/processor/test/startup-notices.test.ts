import { describe, expect, it } from 'vitest';
import { readEnv } from '../src/config';
import { startupNotices } from '../src/startup-notices';

const base = { STREAM_NAME: 'events', AWS_REGION: 'eu-west-1', LAKE_DIR: '/data/lake', CHECKPOINT_FILE: '/data/cp/events.json' };

describe('start-up notices of the Node entry', () => {
  it('without BAD_ROWS_STREAM_NAME: warns that the ingest\'s rejections are not read, and says where bad rows go', () => {
    expect(startupNotices(readEnv(base))).toEqual([
      {
        level: 'warn',
        msg: "BAD_ROWS_STREAM_NAME is unset: the ingest's rejections are not read",
        fields: {
          ingest_rejections: `stay in the ingest's bad-rows stream (default name "events-bad") until its retention ends; set BAD_ROWS_STREAM_NAME to that stream's name to deliver them as ingest_<code> bad rows`,
          processor_bad_rows: expect.stringMatching(/^\/data\/lake\/bad_rows\//) as unknown,
        },
      },
    ]);
  });

  it('names the S3 destination when the lake is on S3', () => {
    const [notice] = startupNotices(readEnv({ ...base, S3_BUCKET: 'my-lake', S3_PREFIX: 'prod' }));
    expect(notice?.fields.processor_bad_rows).toMatch(/^s3:\/\/my-lake\/prod\/bad_rows\//);
    // The prefix as configured with its slash (S3_PREFIX=prod/ printed prod//) or a leading one: one slash each.
    for (const prefix of ['prod/', '/prod']) {
      const [same] = startupNotices(readEnv({ ...base, S3_BUCKET: 'my-lake', S3_PREFIX: prefix }));
      expect(same?.fields.processor_bad_rows).toMatch(/^s3:\/\/my-lake\/prod\/bad_rows\//);
    }
  });

  it('warns of a PII path under an open object that differs from a known field only in case, _ or - (accepted: such a key can be stored)', () => {
    expect(startupNotices(readEnv({ ...base, BAD_ROWS_STREAM_NAME: 'events-bad', PII_DROP_FIELDS: 'context.userAgent,traits.email' }))).toEqual([
      {
        level: 'warn',
        msg: 'PII path "context.userAgent" is close to a known field: did you mean "context.user_agent"?',
        fields: { pii_path: 'context.userAgent', applies_to: 'only a key spelt "userAgent" exactly; the known field is not covered unless listed' },
      },
    ]);
  });

  it('with BAD_ROWS_STREAM_NAME: nothing to say', () => {
    expect(startupNotices(readEnv({ ...base, BAD_ROWS_STREAM_NAME: 'events-bad' }))).toEqual([]);
  });
});
