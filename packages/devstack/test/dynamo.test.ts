import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { emulatorDynamoClientConfig, isAlive, startDynamo, listeningAddresses } from '../src';

describe('startDynamo', () => {
  it('serves DynamoDB on a loopback port: creates a table, puts and gets an item, and stops', async () => {
    const dynamo = await startDynamo();
    const client = new DynamoDBClient(emulatorDynamoClientConfig(dynamo.endpoint));
    try {
      expect(dynamo.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      for (const address of listeningAddresses(dynamo.pid)) expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
      await client.send(
        new CreateTableCommand({
          TableName: 'seen',
          AttributeDefinitions: [{ AttributeName: 'event_id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'event_id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await waitUntilTableExists({ client, maxWaitTime: 20, minDelay: 1 }, { TableName: 'seen' });
      await client.send(new PutItemCommand({ TableName: 'seen', Item: { event_id: { S: 'e-1' }, seq: { S: '42' } } }));
      const got = await client.send(new GetItemCommand({ TableName: 'seen', Key: { event_id: { S: 'e-1' } }, ConsistentRead: true }));
      expect(got.Item).toEqual({ event_id: { S: 'e-1' }, seq: { S: '42' } });
    } finally {
      client.destroy();
      await dynamo.stop();
    }
    expect(isAlive(dynamo.pid)).toBe(false);
  });
});
