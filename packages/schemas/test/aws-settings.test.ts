import { describe, expect, it } from 'vitest';
import { checkAwsRegion, checkEndpointUrl } from '../src';

const problems = (check: (v: string, value: string, p: string[]) => void, value: string): string[] => {
  const out: string[] = [];
  check('X', value, out);
  return out;
};

describe('AWS settings', () => {
  it('takes region codes and refuses what the SDK would turn into a host that does not exist', () => {
    for (const region of ['us-east-1', 'eu-central-2', 'us-gov-west-1', 'cn-northwest-1', 'us-isob-east-1', 'eusc-de-east-1']) expect(problems(checkAwsRegion, region)).toEqual([]);
    expect(problems(checkAwsRegion, 'us-east1')).toEqual(['X must be an AWS region code such as us-east-1, got "us-east1"']);
    expect(problems(checkAwsRegion, 'eu-west-1b')).toEqual(['X must be an AWS region code such as us-east-1, got "eu-west-1b": "eu-west-1b" is an availability zone, the region is "eu-west-1"']);
    expect(problems(checkAwsRegion, 'EU-WEST-1')).toEqual(['X must be an AWS region code such as us-east-1, got "EU-WEST-1": write "eu-west-1"']);
  });

  it('takes the FIPS pseudo-regions the SDK resolves to a FIPS endpoint (us-east-1-fips, fips-us-gov-west-1)', () => {
    for (const region of ['us-east-1-fips', 'us-gov-west-1-fips', 'fips-us-gov-west-1', 'fips-ca-central-1']) expect(problems(checkAwsRegion, region)).toEqual([]);
    for (const region of ['fips-us-east-1-fips', 'us-east-1-fips-fips', 'us-east1-fips', 'fips']) expect(problems(checkAwsRegion, region)).toEqual([`X must be an AWS region code such as us-east-1, got "${region}"`]);
  });

  it('takes an endpoint of scheme, host and port only', () => {
    for (const url of ['http://127.0.0.1:4567', 'https://s3.example.com/', 'http://[::1]:9000']) expect(problems(checkEndpointUrl, url)).toEqual([]);
    expect(problems(checkEndpointUrl, 'localhost:4567')).toEqual(['X must be an http(s) URL such as http://127.0.0.1:4567, got "localhost:4567"']);
    expect(problems(checkEndpointUrl, 'ftp://h')).toEqual(['X must be an http(s) URL such as http://127.0.0.1:4567, got "ftp://h"']);
    expect(problems(checkEndpointUrl, 'http://h:9000/bucket')).toEqual(['X must be a scheme, host and port only, got "http://h:9000/bucket": write "http://h:9000"']);
  });

  it('takes a path for an S3 endpoint only (Supabase Storage serves S3 below /storage/v1/s3), still refusing a query, # part or user', () => {
    const s3 = (value: string) => {
      const out: string[] = [];
      checkEndpointUrl('S3_ENDPOINT', value, out, { path: true });
      return out;
    };
    for (const url of ['https://ref.storage.supabase.co/storage/v1/s3', 'https://ref.storage.supabase.co/storage/v1/s3/', 'http://127.0.0.1:9000']) expect(s3(url)).toEqual([]);
    expect(s3('https://h/storage/v1/s3?x=1')).toEqual(['S3_ENDPOINT must be a scheme, host, port and path only, got "https://h/storage/v1/s3?x=1": write "https://h/storage/v1/s3"']);
    expect(s3('https://u:p@h:9000/')).toEqual(['S3_ENDPOINT must be a scheme, host, port and path only, got "https://u:p@h:9000/": write "https://h:9000"']);
    expect(s3('http://h/#a')).toEqual(['S3_ENDPOINT must be a scheme, host, port and path only, got "http://h/#a": write "http://h"']);
    // Kinesis and DynamoDB endpoints stay strict.
    expect(problems(checkEndpointUrl, 'https://ref.storage.supabase.co/storage/v1/s3')).toEqual(['X must be a scheme, host and port only, got "https://ref.storage.supabase.co/storage/v1/s3": write "https://ref.storage.supabase.co"']);
  });
});
