/**
 * Running figures over a stream of measurements: exact count, min, max and mean, and
 * percentiles from a bounded uniform sample (reservoir sampling, Vitter's algorithm R),
 * so memory stays fixed however long the cache runs.
 */
export class SampleStats {
  readonly #reservoir: Float64Array;
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = -Infinity;

  /** @param capacity - how many measurements the percentile sample keeps. */
  constructor(capacity = 1024) {
    this.#reservoir = new Float64Array(capacity);
  }

  /** How many measurements were recorded. */
  get count(): number {
    return this.#count;
  }

  /** Records one measurement. */
  record(value: number): void {
    const n = this.#count++;
    this.#sum += value;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
    if (n < this.#reservoir.length) this.#reservoir[n] = value;
    else {
      // Not part of any replayed state, so Math.random is fine here.
      const j = Math.floor(Math.random() * (n + 1));
      if (j < this.#reservoir.length) this.#reservoir[j] = value;
    }
  }

  /** Forgets every measurement. */
  reset(): void {
    this.#count = 0;
    this.#sum = 0;
    this.#min = Infinity;
    this.#max = -Infinity;
  }

  /** The figures now; all zero when nothing was recorded. */
  summary(): SampleSummary {
    const count = this.#count;
    if (count === 0) return { count: 0, min: 0, max: 0, mean: 0, p50: 0, p99: 0 };
    const sample = this.#reservoir.slice(0, Math.min(count, this.#reservoir.length)).sort();
    return {
      count,
      min: this.#min,
      max: this.#max,
      mean: this.#sum / count,
      p50: quantile(sample, 0.5),
      p99: quantile(sample, 0.99),
    };
  }
}

/** What {@link SampleStats.summary} reports. */
export interface SampleSummary {
  /** Measurements recorded (all of them, not just the sample). */
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Median of the sample. */
  readonly p50: number;
  /** 99th percentile of the sample. */
  readonly p99: number;
}

// Nearest-rank on a sorted sample: always a value that was really measured.
function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
