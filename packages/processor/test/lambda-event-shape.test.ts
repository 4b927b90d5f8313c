import { afterAll, describe, expect, it } from 'vitest';
import { createFirehoseTransformHandler, createFolderSink, createKinesisEsmHandler, type FirehoseTransformationEvent, type KinesisStreamEvent } from '../src';
import { awsEvent } from './fixtures/aws-events';
import { tempDirs } from './fixtures/temp-dir';

// A handler wired to the wrong source failed on a TypeError from deep inside (`reading 'length'` of
// undefined), at every retry, with nothing naming the wiring: now the invocation fails saying what came.
describe('Lambda handlers given an event of another kind', () => {
  const dirs = tempDirs();
  afterAll(() => dirs.cleanup());

  it('kinesisHandler refuses a Firehose event, an SQS event and a test invoke, naming each', async () => {
    const handler = createKinesisEsmHandler({ sink: createFolderSink(await dirs.make()) });
    const firehose = await awsEvent<FirehoseTransformationEvent>('firehose-transformation-event.json');
    const sqs = { Records: [{ messageId: 'm-1', body: '{}', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:q' }] };
    const cases: [unknown, RegExp][] = [
      [firehose, /got a Firehose transformation event: use firehoseHandler/],
      [sqs, /got records of aws:sqs/],
      [{}, /got an empty event/],
    ];
    for (const [event, why] of cases) {
      const outcome = handler(event as KinesisStreamEvent);
      await expect(outcome).rejects.toMatchObject({ name: 'UnsupportedEventError' });
      await expect(outcome).rejects.toThrow(why);
    }
  });

  it('firehoseHandler refuses a Kinesis event source mapping event, naming the handler that takes it', async () => {
    const kinesis = await awsEvent<KinesisStreamEvent>('kinesis-esm-event.json');
    const outcome = createFirehoseTransformHandler({})(kinesis as unknown as FirehoseTransformationEvent);
    await expect(outcome).rejects.toMatchObject({ name: 'UnsupportedEventError' });
    await expect(outcome).rejects.toThrow(/firehoseHandler takes a Firehose transformation event .*got a Kinesis event source mapping event: use kinesisHandler/);
  });
});
