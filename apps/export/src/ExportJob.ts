/**
 * One export job: a stream of result pages in, rendered text out, page by page. The column plan is made from the
 * first page's `column_names`; every later page must carry the same columns. Each page is rendered once and
 * written to every requested format (the demo writes CSV and NDJSON from one read). Row counts, pages,
 * `available_data_row_count` and `sampling_ratio` are tracked for the manifest, with warnings where the result
 * is a sample or short. A job may continue an output written earlier (`continues`): its pages then start past
 * the rows already written, no header is written again, and the counts go on from there.
 */
import { Effect, Stream } from "effect"
import type { ChunkWriter } from "./AtomicFile.ts"
import { ExportError } from "./ExportError.ts"
import type { Format } from "./OptionGate.ts"
import type { ProgressReporter } from "./Progress.ts"
import { makeRowFormat, type RowFormat } from "./RowFormat.ts"
import { type ColumnPlan, isRenderFailure, makeRowRenderer, type OutputColumn } from "./RowRenderer.ts"

/** Rows rendered and written at a time. */
const sliceRows = 4096

/** One page of a COMPACT data response, as the export needs it. */
export interface DataPage {
  readonly columnNames: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<unknown>>
  /** `available_data_row_count`, when the source reports one. */
  readonly availableRowCount?: number | undefined
  /** `sampling_ratio`, when the source reports one. */
  readonly samplingRatio?: number | undefined
}

/** A format and where its text goes. */
export interface JobSink {
  readonly format: Format
  readonly writer: ChunkWriter
}

/** What a job needs besides its sinks. */
export interface JobSpec<E, R> {
  /** Names the source in messages, e.g. `answer "Sales"`. */
  readonly what: string
  readonly pages: Stream.Stream<DataPage, E, R>
  /** Plans the columns from the first page's names. */
  readonly plan: (columnNames: ReadonlyArray<string>) => ReadonlyArray<ColumnPlan>
  /** Columns to write a header for when the source yields no page at all. */
  readonly emptyColumns: ReadonlyArray<string>
  readonly newline: "\r\n" | "\n"
  readonly escapeFormulae: boolean
  readonly periodEnd: boolean
  readonly progress: ProgressReporter
  /**
   * The output already holds the header and this many rows and pages (a resumed export whose `pages` start at
   * row `rows`): the header is not written again and counts continue from these.
   */
  readonly continues?: { readonly rows: number; readonly pages: number }
}

/** What a job wrote. */
export interface JobResult {
  readonly columns: ReadonlyArray<OutputColumn>
  readonly rows: number
  readonly pages: number
  readonly availableRowCount: number | null
  readonly samplingRatio: number | null
  readonly warnings: ReadonlyArray<string>
}

const columnsChanged = (what: string, before: ReadonlyArray<string>, after: ReadonlyArray<string>) =>
  new ExportError({
    kind: "Incomplete",
    message: `the columns of ${what} changed while paging (${JSON.stringify(before)} then ${JSON.stringify(after)}): run the export again`
  })

/** Runs one job into `sinks`. */
export const runJob = <E, R>(
  spec: JobSpec<E, R>,
  sinks: ReadonlyArray<JobSink>
): Effect.Effect<JobResult, E | ExportError, R> =>
  Effect.gen(function* () {
    let names: ReadonlyArray<string> | undefined
    let renderer: ReturnType<typeof makeRowRenderer> | undefined
    let formats: ReadonlyArray<RowFormat> = []
    let rows = spec.continues?.rows ?? 0
    let pages = spec.continues?.pages ?? 0
    let available: number | null = null
    let sampling: number | null = null

    const start = (columnNames: ReadonlyArray<string>) => {
      names = columnNames
      renderer = makeRowRenderer(spec.plan(columnNames), spec.periodEnd)
      const columns = renderer.columns.map((c) => c.name)
      formats = sinks.map((sink) =>
        makeRowFormat(sink.format, { columns, newline: spec.newline, escapeFormulae: spec.escapeFormulae })
      )
      if (spec.continues !== undefined) return Effect.void
      return Effect.forEach(sinks, (sink, i) => sink.writer.write(formats[i]!.header), { discard: true })
    }

    yield* spec.progress.start(spec.what)
    yield* Stream.runForEach(spec.pages, (page) =>
      Effect.gen(function* () {
        if (names === undefined) yield* start(page.columnNames)
        else if (!sameColumns(names, page.columnNames)) return yield* columnsChanged(spec.what, names, page.columnNames)
        // Render and write in slices: each slice's rows and text die young, which keeps GC cheap and memory
        // at a fraction of a 100 000-row page.
        for (let start = 0; start < page.rows.length; start += sliceRows) {
          const slice = page.rows.length <= sliceRows ? page.rows : page.rows.slice(start, start + sliceRows)
          const rendered = renderer!.render(slice, rows + start)
          if (isRenderFailure(rendered)) {
            return yield* new ExportError({
              kind: "BadData",
              message: `${spec.what}: row ${rendered.row + 1}, column "${rendered.column}": ${rendered.error.message}`,
              cause: rendered.error
            })
          }
          for (let i = 0; i < sinks.length; i++) yield* sinks[i]!.writer.write(formats[i]!.page(rendered))
        }
        rows += page.rows.length
        pages += 1
        if (page.availableRowCount !== undefined) available = page.availableRowCount
        if (page.samplingRatio !== undefined)
          sampling = sampling === null ? page.samplingRatio : Math.min(sampling, page.samplingRatio)
        yield* spec.progress.page(page.rows.length, page.availableRowCount)
      })
    ).pipe(Effect.ensuring(spec.progress.finish))
    if (names === undefined) yield* start(spec.emptyColumns)

    const warnings: Array<string> = []
    for (const column of renderer!.columns) {
      if (column.type === null) {
        warnings.push(
          `column "${column.name}" has no type in the metadata: written as received (Custom Calendar cells as RFC 3339 instants)`
        )
      }
    }
    if (sampling !== null && sampling < 1) {
      warnings.push(`sampling_ratio is ${sampling}: ThoughtSpot returned a sample, not the complete result`)
    }
    if (available !== null && available !== rows) {
      warnings.push(`${rows} rows written but available_data_row_count is ${available}`)
    }
    return {
      columns: renderer!.columns,
      rows,
      pages,
      availableRowCount: available,
      samplingRatio: sampling,
      warnings
    }
  })

const sameColumns = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
  a.length === b.length && a.every((name, i) => name === b[i])
