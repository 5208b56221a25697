/**
 * Property tests on fast-check with a fixed seed (HAYSTACK_FC_SEED tries another), and failures
 * that name the seed and how to rerun them.
 */
import fc from 'fast-check';

/** The seed to use: HAYSTACK_FC_SEED when set, else the test file's own. */
export function fcSeed(fallback: number): number {
  return process.env.HAYSTACK_FC_SEED !== undefined ? Number(process.env.HAYSTACK_FC_SEED) : fallback;
}

function rerunError(name: string, seed: number, e: unknown): Error {
  const cause = (e as Error).cause;
  const why = cause instanceof Error ? `\n${cause.message}` : '';
  return new Error(`${name}: failed with fast-check seed ${seed} (rerun with HAYSTACK_FC_SEED=${seed})\n${(e as Error).message}${why}`, { cause: e });
}

/** `holds(name, property, runs)`: asserts the property on `seed`. */
export function propertyRunner(seed: number): <Ts>(name: string, prop: fc.IProperty<Ts>, numRuns: number) => void {
  return (name, prop, numRuns) => {
    try {
      fc.assert(prop, { seed, numRuns });
    } catch (e) {
      throw rerunError(name, seed, e);
    }
  };
}

/** The same for properties that may be asynchronous. */
export function asyncPropertyRunner(seed: number): <Ts>(name: string, prop: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>, numRuns: number) => Promise<void> {
  return async (name, prop, numRuns) => {
    try {
      await fc.assert(prop as fc.IAsyncProperty<unknown>, { seed, numRuns });
    } catch (e) {
      throw rerunError(name, seed, e);
    }
  };
}
