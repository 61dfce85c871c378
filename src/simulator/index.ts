/**
 * The trace-driven policy simulator: trace readers, Belady's optimal bound, and
 * {@link simulate}, which replays a trace through real caches and reports hit ratios.
 *
 * @example
 * import { OPTIMAL, readTrace, simulate } from 'macho';
 * const trace = await readTrace('traces/gli.trace');
 * simulate(trace, { policies: ['lru', OPTIMAL], sizes: [1000] });
 *
 * @module
 */
export type { NamedPolicy, SimulatedPolicy, SimulateOptions, SimulationMode, SimulationProgress, SimulationResult } from './simulate.js';
export { OPTIMAL, simulate } from './simulate.js';
export { nextUses, optimalHits } from './optimal.js';
export type { TraceKey } from './traceParser.js';
export { MAX_TRACE_REQUESTS, parseTrace } from './traceParser.js';
export type { ReadTraceOptions, Trace } from './traceReader.js';
export { readTrace, traceName } from './traceReader.js';
export { TraceFormatError, TraceNotFoundError, TraceReadError } from './traceErrors.js';
