/**
 * Decode alone, on the export's own data: 10 M DATE cells of the Orders model (the `Order Date` column of a
 * fetched page, rendered over and over) through `@spotpipe/decode`'s renderer, against the per-cell
 * `Intl.DateTimeFormat` baseline. The decode package's own bench covers more cell forms; this is the figure
 * next to the export rates.
 */
import { makeCellRenderer, resolveTimeZone } from "@spotpipe/decode"
import type { Rate } from "./limit.ts"

/** Cells rendered by the decode measurement. */
export const decodeCells = 10_000_000

/** Renders `decodeCells` cells taken cyclically from `cells` (epoch seconds); the baseline renders each cell once. */
export const measureDecode = (cells: ReadonlyArray<unknown>, zoneName: string): { decode: Rate; intl: Rate } => {
  const zone = resolveTimeZone(zoneName)
  if (!("offsetSeconds" in zone)) throw new Error(zone.message)
  const render = makeCellRenderer("DATE", { timeZone: zone })
  const intl = new Intl.DateTimeFormat("en-CA", {
    timeZone: zoneName,
    year: "numeric",
    month: "2-digit",
    day: "2-digit"
  })
  const baseline = (cell: unknown): string | null => (cell === null ? null : intl.format(new Date(Number(cell) * 1000)))
  // A fast wrong answer is no answer: both must agree on every cell.
  for (const cell of cells) {
    if (render(cell) !== baseline(cell)) throw new Error(`decode and Intl disagree on ${String(cell)}`)
  }
  let chars = 0
  let started = performance.now()
  const n = cells.length
  for (let i = 0; i < decodeCells; i++) {
    const text = render(cells[i % n])
    if (typeof text === "string") chars += text.length
  }
  const decodeSeconds = (performance.now() - started) / 1000
  started = performance.now()
  for (let i = 0; i < n; i++) chars += baseline(cells[i])?.length ?? 0
  const intlSeconds = (performance.now() - started) / 1000
  if (chars === 0) throw new Error("nothing was rendered")
  return { decode: { rows: decodeCells, seconds: decodeSeconds }, intl: { rows: n, seconds: intlSeconds } }
}
