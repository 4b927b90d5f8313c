import { toLakeBadRow } from '../core/ingest-bad-row';
import { badRowContext } from '../delivery/partition';
import type { Logger } from '../log';
import type { FirehoseTransformationEvent, FirehoseTransformationResponse } from './aws-events';
import { arrivalTimeOf } from './arrival-time';
import { fitsResponse, OVER_BUDGET_MSG, outputBytes, overBudget, overBudgetFields, processingFailed, UNFITTABLE_MSG } from './firehose-response-budget';

/**
 * A Firehose delivery stream reading the ingest's bad-rows stream: every record comes back `Ok` as the
 * lake's bad row (one NDJSON line: `error_type` `ingest_<code>`, the reason, the payload), with
 * `metadata.partitionKeys = { error_type, event_date }` so that the prefix
 * `bad_rows/error_type=!{partitionKeyFromLambda:error_type}/event_date=!{partitionKeyFromLambda:event_date}/`
 * gives the lake's own bad-rows layout. (`ProcessingFailed`, what the events mode answers for them,
 * sends them to Firehose's error prefix as unexplained failures.) A record that is not an ingest bad
 * row is kept as `ingest_unreadable`, never dropped. Past Lambda's 6 MB response limit, the last records
 * are answered `ProcessingFailed` instead (see overBudget), logged as an error.
 */
export function transformIngestBadRows(event: FirehoseTransformationEvent, now: () => Date = () => new Date(), log: Logger = () => undefined): FirehoseTransformationResponse {
  const records = event.records.map((record) => {
    const meta = record.kinesisRecordMetadata;
    const badRow = toLakeBadRow(
      {
        data: Buffer.from(record.data, 'base64'),
        partitionKey: meta?.partitionKey ?? '',
        sequenceNumber: meta?.sequenceNumber ?? record.recordId,
        arrivalTime: arrivalTimeOf(record.approximateArrivalTimestamp),
      },
      now(),
    );
    return {
      recordId: record.recordId,
      result: 'Ok' as const,
      data: Buffer.from(JSON.stringify(badRow) + '\n', 'utf8').toString('base64'),
      metadata: { partitionKeys: { error_type: badRow.error_type, event_date: badRowContext(badRow).timestamp.toISOString().slice(0, 10) } },
    };
  });
  const bytes = records.map(outputBytes);
  // The failed answers are built only for a batch that does not fit.
  if (fitsResponse(bytes)) return { records };
  const failedOutputs = event.records.map(processingFailed);
  const failed = overBudget(bytes, failedOutputs.map(outputBytes));
  if (failed.size === 0) {
    log('error', UNFITTABLE_MSG, overBudgetFields(0, records.length, bytes.reduce((sum, b) => sum + b, 0)));
    return { records };
  }
  log('error', OVER_BUDGET_MSG, overBudgetFields(failed.size, records.length, bytes.reduce((sum, b) => sum + b, 0)));
  return { records: records.map((output, i) => (failed.has(i) ? failedOutputs[i]! : output)) };
}
