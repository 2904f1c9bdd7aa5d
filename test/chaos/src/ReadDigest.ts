/**
 * A read's fingerprint: row count and a SHA-256 over every cell in order (bigints by their digits, date
 * objects as JSON), so that two reads of the same result compare equal exactly when they delivered the same
 * rows in the same order.
 */
import { createHash } from "node:crypto"
import { Effect, Stream } from "effect"

/** Rows and digest of a read. */
export interface ReadDigest {
  readonly rows: number
  readonly pages: number
  readonly sha256: string
  /** String cells carrying the sandbox's `<<corrupted>>` marker (see the `malformed` fault). */
  readonly markedCells: number
}

/** The text the sandbox's `malformed` fault inserts into a body. */
export const corruptionMarker = "<<corrupted>>"

const cellText = (cell: unknown): string =>
  typeof cell === "object" && cell !== null ? JSON.stringify(cell) : `${typeof cell}:${String(cell)}`

/** Runs `pages` and digests every row. */
export const digestPages = <E, R>(
  pages: Stream.Stream<{ readonly rows: ReadonlyArray<ReadonlyArray<unknown>> }, E, R>
): Effect.Effect<ReadDigest, E, R> =>
  Effect.suspend(() => {
    const hash = createHash("sha256")
    let rows = 0
    let count = 0
    let markedCells = 0
    return pages.pipe(
      Stream.runForEach((page) =>
        Effect.sync(() => {
          count++
          for (const row of page.rows) {
            rows++
            for (const cell of row) if (typeof cell === "string" && cell.includes(corruptionMarker)) markedCells++
            hash.update(`${row.map(cellText).join("\u0001")}\u0002`)
          }
        })
      ),
      Effect.map(() => ({ rows, pages: count, sha256: hash.digest("hex"), markedCells }))
    )
  })
