/**
 * How a refused answer is described: what the schema found wrong and where, on one line, with what to do.
 */

/** A schema failure's issue and path on one line (`Missing key at ["sampling_ratio"]`). */
export const shapeProblem = (error: unknown): string =>
  String(error instanceof Error ? error.message : error)
    .replace(/\s*\n\s*/g, " ")
    .trim()

/** What to do about an answer of a shape the API's documentation does not allow. */
export const SHAPE_ADVICE =
  "check the host URL (a proxy or another service may answer in ThoughtSpot's place); if it reaches ThoughtSpot, the cluster answers unlike its API documentation: report this message with the cluster's release version"
