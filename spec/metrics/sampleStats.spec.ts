import { describe, expect, it } from 'vitest';
import { SampleStats } from '../../src/metrics/sampleStats.js';

describe('SampleStats', () => {
  it('keeps count, min, max and mean exact, and percentiles from a uniform sample', () => {
    const stats = new SampleStats(1024);
    const n = 200_000;
    for (let i = 0; i < n; i++) stats.record(i);
    const summary = stats.summary();
    expect(summary).toMatchObject({ count: n, min: 0, max: n - 1, mean: (n - 1) / 2 });
    // The sample median of 1,024 uniform draws lies within ±10 % of the true median
    // except with a probability far below 1e-9 (it is ~6 standard deviations).
    expect(summary.p50).toBeGreaterThan(0.4 * n);
    expect(summary.p50).toBeLessThan(0.6 * n);
    expect(summary.p99).toBeGreaterThan(0.95 * n);
  });

  it('keeps late measurements as likely as early ones (no bias to either end of the stream)', () => {
    // A fair sample of 256 from 150k zeros then 50k ones holds about 25 % ones: its
    // median is 0 and its 99th percentile 1. One that favoured the start would hold no
    // ones; one that favoured the end, mostly ones. And the same the other way round.
    const early = new SampleStats(256);
    for (let i = 0; i < 200_000; i++) early.record(i < 150_000 ? 0 : 1);
    expect(early.summary()).toMatchObject({ p50: 0, p99: 1, mean: 0.25 });
    const late = new SampleStats(256);
    for (let i = 0; i < 200_000; i++) late.record(i < 50_000 ? 0 : 1);
    expect(late.summary()).toMatchObject({ p50: 1, mean: 0.75 });
    expect(late.summary().min).toBe(0);
  });

  it('is exact while fewer measurements than the sample size came in, and resets', () => {
    const stats = new SampleStats(8);
    for (const value of [5, 1, 3]) stats.record(value);
    expect(stats.summary()).toMatchObject({ count: 3, min: 1, max: 5, mean: 3, p50: 3, p99: 5 });
    stats.reset();
    expect(stats.summary().count).toBe(0);
    for (let i = 0; i < 100; i++) stats.record(7);
    expect(stats.summary()).toMatchObject({ count: 100, min: 7, max: 7, p50: 7 });
  });
});
