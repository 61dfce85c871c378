/**
 * Running figures over a stream of measurements: exact count, min, max and mean, and
 * percentiles from a bounded uniform sample (reservoir sampling, Vitter's algorithm R),
 * so memory stays fixed however long the cache runs.
 */
export class SampleStats {
  readonly #reservoir: Float64Array;
  // Algorithm L (Li, 1994): once the reservoir is full, the index of the next
  // measurement to keep is drawn ahead, so that record() costs a comparison instead of
  // a Math.random() per call (it runs on every eviction).
  #nextKept = 0;
  #weight = 0;
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = -Infinity;

  /** @param capacity - how many measurements the percentile sample keeps. */
  constructor(capacity = 1024) {
    this.#reservoir = new Float64Array(capacity);
  }

  /** Records one measurement. */
  record(value: number): void {
    const n = this.#count++;
    this.#sum += value;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
    const size = this.#reservoir.length;
    if (n < size) {
      this.#reservoir[n] = value;
      if (n === size - 1) {
        this.#weight = 1;
        this.#drawNextKept(n);
      }
    } else if (n === this.#nextKept) {
      this.#reservoir[Math.floor(Math.random() * size)] = value;
      this.#drawNextKept(n);
    }
  }

  // Not part of any replayed state, so Math.random is fine here.
  #drawNextKept(n: number): void {
    const size = this.#reservoir.length;
    this.#weight *= Math.exp(Math.log(1 - Math.random()) / size);
    this.#nextKept = n + 1 + Math.floor(Math.log(1 - Math.random()) / Math.log(1 - this.#weight));
  }

  /** Forgets every measurement. */
  reset(): void {
    this.#count = 0;
    this.#nextKept = 0;
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
  /** Median of the sample, by nearest rank (the lower middle value of an even count). */
  readonly p50: number;
  /** 99th percentile of the sample. */
  readonly p99: number;
}

// Nearest-rank on a sorted sample: always a value that was really measured.
function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
