/**
 * Progress on stderr while a file is written: rows, rows/s, pages and an ETA from `available_data_row_count`.
 * It redraws one terminal line at most every 200 ms (time read from `Clock`, so tests drive it with
 * `TestClock`), and is silent when stderr is not a terminal (or `TERM=dumb`) or `--quiet` is set; a log line
 * printed while it shows takes its place and the line is drawn again below it. The label (an object's name) is
 * made inert: it is written to a terminal.
 */
import { Clock, Effect } from "effect"
import type { ProgressReporter } from "../engine/ExportJob.ts"
import { formatCount, inert } from "./TerminalText.ts"

/**
 * Whether the live line is drawn: only on a terminal that can redraw a line (not `TERM=dumb`, which would show
 * the escape codes that clear it as text, the CLI's one terminal rule), and neither with `--quiet` nor with
 * `--log-format json` (where every stderr line must be one JSON object), nor when the data itself goes to a
 * terminal (`--out -` on one screen): the line would be drawn between the data's lines, which then read as one.
 */
export const showsProgress = (
  settings: { readonly quiet: boolean; readonly format: "text" | "json" },
  stderrIsTerminal: boolean,
  dataOnTerminal = false,
  term: string | undefined = undefined
): boolean => stderrIsTerminal && term !== "dumb" && !dataOnTerminal && !settings.quiet && settings.format === "text"

/**
 * Whether a live line is on stderr now, without a line end. A log line printed meanwhile clears it first and takes
 * its place (see Logging.ts), rather than being glued to its end; the next page draws it again below.
 */
export const liveLine: { drawn: boolean } = { drawn: false }

/** What the progress line shows. */
export interface ProgressState {
  readonly label: string
  readonly rows: number
  readonly pages: number
  readonly elapsedMillis: number
  readonly total: number | undefined
}

const clockTime = (seconds: number): string => {
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const rest = String(s % 60).padStart(2, "0")
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`
}

/** The progress line for `state`, e.g. `answer-Sales.csv  12,000 rows  40,000 rows/s  2 pages  ETA 0:03`. */
export const formatProgress = (state: ProgressState): string => {
  const seconds = state.elapsedMillis / 1000
  const rate = seconds > 0 ? state.rows / seconds : 0
  const parts = [
    // The label names a server object: made inert, like every server-controlled string on a terminal.
    inert(state.label),
    state.total === undefined
      ? `${formatCount(state.rows)} ${state.rows === 1 ? "row" : "rows"}`
      : `${formatCount(state.rows)}/${formatCount(state.total)} rows`,
    `${formatCount(Math.round(rate))} rows/s`,
    `${formatCount(state.pages)} ${state.pages === 1 ? "page" : "pages"}`
  ]
  if (state.total !== undefined && rate > 0 && state.total >= state.rows) {
    parts.push(`ETA ${clockTime((state.total - state.rows) / rate)}`)
  }
  return parts.join("  ")
}

/**
 * A reporter redrawing one line through `write` (which should go to a terminal's stderr), at most every
 * `intervalMillis`, and at once after a log line took its place (`line`).
 */
export const makeTerminalProgress = (
  write: (text: string) => Effect.Effect<void>,
  intervalMillis = 200,
  line: { drawn: boolean } = liveLine
) => {
  let state: ProgressState = { label: "", rows: 0, pages: 0, elapsedMillis: 0, total: undefined }
  let startedAt = 0
  let drawnAt = Number.NEGATIVE_INFINITY
  const draw = (now: number) => {
    drawnAt = now
    return Effect.andThen(
      write(`\r\u001b[2K${formatProgress({ ...state, elapsedMillis: now - startedAt })}`),
      Effect.sync(() => {
        line.drawn = true
      })
    )
  }
  const reporter: ProgressReporter = {
    start: (label) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        startedAt = now
        drawnAt = Number.NEGATIVE_INFINITY
        state = { label, rows: 0, pages: 0, elapsedMillis: 0, total: undefined }
        return draw(now)
      }),
    page: (rows, total) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        state = { ...state, rows: state.rows + rows, pages: state.pages + 1, total }
        return now - drawnAt >= intervalMillis || !line.drawn ? draw(now) : Effect.void
      }),
    finish: Effect.andThen(
      write("\r\u001b[2K"),
      Effect.sync(() => {
        line.drawn = false
      })
    )
  }
  return reporter
}
