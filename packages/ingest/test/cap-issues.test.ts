import type { Issue } from '@eventline/schemas';
import { describe, expect, it } from 'vitest';
import { capIssues, ISSUE_TEXT_MAX_BYTES, ISSUES_MAX_COUNT, ISSUES_MAX_JSON_BYTES } from '../src/cap-issues';

const issue = (path: string, message = 'unexpected property'): Issue => ({ path, code: 'unexpected_property', message });

describe('capIssues', () => {
  it('keeps small issue lists as they are', () => {
    const issues = [issue('events[0].a'), issue('events[0].b')];
    expect(capIssues(issues)).toEqual({ issues, cut: false });
  });

  it('cuts each path and message at 1 KiB of UTF-8, never inside a character', () => {
    const { issues, cut } = capIssues([issue(`events[0].${'é'.repeat(2000)}`, 'ü'.repeat(5000))]);
    expect(cut).toBe(true);
    expect(Buffer.byteLength(issues[0]!.path)).toBeLessThanOrEqual(ISSUE_TEXT_MAX_BYTES);
    expect(Buffer.byteLength(issues[0]!.message)).toBeLessThanOrEqual(ISSUE_TEXT_MAX_BYTES);
    expect(issues[0]!.message).toMatch(/^ü+$/);
  });

  it('keeps at most 100 issues and 64 KiB of them as JSON, escapes counted', () => {
    expect(capIssues(Array.from({ length: 1000 }, (_, i) => issue(`events[0].k${i}`))).issues).toHaveLength(ISSUES_MAX_COUNT);
    // Control characters take 6 bytes each as JSON: 60 such issues would be ~720 KiB uncapped.
    const escaped = capIssues(Array.from({ length: 60 }, () => issue('\u0001'.repeat(5000), '\u0002'.repeat(5000))));
    expect(escaped.cut).toBe(true);
    expect(escaped.issues.length).toBeGreaterThan(0);
    expect(Buffer.byteLength(JSON.stringify(escaped.issues))).toBeLessThanOrEqual(ISSUES_MAX_JSON_BYTES);
  });
});
