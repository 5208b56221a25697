/**
 * Conformance cases we believe are wrong, kept failing on purpose (never skipped, never
 * edited). Each entry names the case and why; the evidence is in the closing note of the
 * issue. A case listed here that starts passing fails the suite, so the list stays honest.
 */
export const expectedFailures: ReadonlyMap<string, string> = new Map([]);
