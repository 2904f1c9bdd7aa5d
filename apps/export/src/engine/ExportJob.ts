/**
 * One export job: a stream of result pages in, rendered text out, page by page. The column plan is made from the
 * first page's `column_names`; every later page must carry the same columns. Each page is rendered once and
 * written to every requested format (the demo writes CSV and NDJSON from one read). Row counts, pages,
 * `available_data_row_count` and `sampling_ratio` are tracked for the manifest, with warnings where the result
 * is a sample or short. A job may continue an output written earlier (`continues`): its pages then start past
 * the rows already written, no header is written again, and the counts go on from there.
 *
 * The job hands its source a {@link PageDecoder}: a source that supports it (the core client) lends it each
 * page's response bytes as they arrive, and the job writes the rows straight from them (`RowsTranscoder`) into
 * its own chunks, so the body goes back to the client as soon as the decoder is done; a page the transcoder
 * declines is parsed exactly (`Pagination.parseRows`) and goes the ordinary way, render then format. Both give
 * the same bytes. With a worker pool
 * (`offload`), a large page is cut in two after a row: a worker transcodes the rows after the cut while this
 * thread transcodes the ones before, and the page is written as the one part then the other (see
 * TranscodePool.ts); if either part fails, this thread transcodes the whole page.
 *
 * A Parquet output is written here as its staged CSV (`TypedCells.ts`): the same paths, with each typed column
 * held to its type, and CSV settings its Parquet writer reads back exactly (`onColumns` starts that writer:
 * ParquetFile.ts).
 */
import { Pagination } from "@spotpipe/core"
import type { OffsetStyle } from "@spotpipe/decode"
import { Effect, Stream } from "effect"
import type { DataPage, PageDecoder } from "../cluster/Cluster.ts"
import { ExportError } from "../ExportError.ts"
import { badCellMessage } from "../Failure.ts"
import type { Format, RowFormat, TextFormat } from "../formats/RowFormat.ts"
import {
  type ColumnPlan,
  isRenderFailure,
  makeRowRenderer,
  type OutputColumn,
  type RenderFailure,
  type RowRenderer
} from "../formats/RowRenderer.ts"
import {
  type EncodedRows,
  makeRowsTranscoder,
  type RowsTranscoder,
  type Transcoded
} from "../formats/RowsTranscoder.ts"
import { makeRowFormat } from "../formats/TextFormats.ts"
import { typedPlans, typedStaging } from "../formats/TypedCells.ts"
import type { ChunkWriter } from "../output/AtomicFile.ts"
import { type ColumnNames, renamerOf } from "../plan/Names.ts"
import { type OrderCheck, spansPages } from "../plan/SearchOrder.ts"
import { cutRows, type TranscodePool } from "./TranscodePool.ts"

/** `]`: closes the rows before a cut (see `transcodeShared`). */
const CLOSE_BRACKET = 0x5d

/** Rows rendered and written at a time. */
const sliceRows = 4096

/** What the transcoders made of one `data_rows` array: where it ended, its row count and the encoded rows. */
interface Transcribed {
  readonly end: number
  readonly rowCount: number
  readonly rows: EncodedRows
}

const isEncoded = (rows: DataPage["rows"]): rows is EncodedRows => !Array.isArray(rows)

/** Rows on a page, whichever their form. */
export const rowCountOf = (page: DataPage): number => (isEncoded(page.rows) ? page.rows.rowCount : page.rows.length)

/** Receives page-by-page progress of one output (the command line draws a live line from it). */
export interface ProgressReporter {
  readonly start: (label: string) => Effect.Effect<void>
  /** After a page: rows in it and the total the server reports (when known). */
  readonly page: (rows: number, total: number | undefined) => Effect.Effect<void>
  readonly finish: Effect.Effect<void>
}

/** A reporter that shows nothing. */
export const silentProgress: ProgressReporter = {
  start: () => Effect.void,
  page: () => Effect.void,
  finish: Effect.void
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
  /** The pages, read with the job's decoder (a source may ignore it and send parsed rows). */
  readonly pages: (decoder: PageDecoder) => Stream.Stream<DataPage, E, R>
  /** Plans the columns from the first page's names. */
  readonly plan: (columnNames: ReadonlyArray<string>) => ReadonlyArray<ColumnPlan>
  /** Columns to write a header for when the source yields no page at all. */
  readonly emptyColumns: ReadonlyArray<string>
  readonly newline: "\r\n" | "\n"
  readonly escapeFormulae: boolean
  readonly periodEnd: boolean
  /** `snake`: result columns are written as snake_case identifiers (default: as they are). */
  readonly columnNames?: ColumnNames
  /** CSV text of a null cell (default empty). */
  readonly nullString?: string
  /**
   * A page repeated by the server (`DataPage.repeated`), or an `unsorted` result read in several pages, fails the
   * job instead of being a warning (`--strict`).
   */
  readonly strict?: boolean
  /** How its user turned `strict` on, for the failure's message (default `--strict`; a job file's `"strict": true`). */
  readonly strictBy?: string
  /**
   * An output whose order may not be fixed, read in pages of `pageSize` rows: once its result is found to span more
   * than one page, `check` runs once (see SearchOrder.ts), and what it says is a warning; with `strict`, a failure
   * on that page, before any byte of it is written or another page is asked for. `rows`: the result's row count,
   * for pages that report none.
   */
  readonly unsorted?: {
    readonly pageSize: number
    readonly rows?: number | undefined
    readonly check: OrderCheck
  }
  readonly progress: ProgressReporter
  /** Runs once the output's columns are known (from the first page, or the empty result's), before any row. */
  readonly onColumns?: (columns: ReadonlyArray<OutputColumn>) => Effect.Effect<void, ExportError, R>
  /** Runs after each page is written, with its row count (the engine's checkpoint step). */
  readonly afterPage?: (rows: number) => Effect.Effect<void, ExportError, R>
  /**
   * The output already holds the header and this many rows and pages (a resumed export whose `pages` start at
   * row `rows`): the header is not written again and counts continue from these.
   */
  readonly continues?: { readonly rows: number; readonly pages: number }
  /**
   * Transcode large pages on these worker threads; the zone and offset style are those `plan` uses (the
   * workers rebuild the plan from them and the column types).
   */
  readonly offload?: { readonly pool: TranscodePool; readonly timeZone: string; readonly offset: OffsetStyle }
}

/**
 * Pages from this size on are shared with a worker thread. Sharing costs a copy of the worker's part (~1 ms per
 * 5 MB) and a message each way; a 10 000-row page (~1 MB, the default page size) already takes ~20 ms to
 * transcode, so pages of a quarter of that gain too. Smaller pages stay on this thread.
 */
const offloadBytes = 256 << 10

/** What a job wrote. */
export interface JobResult {
  readonly columns: ReadonlyArray<OutputColumn>
  readonly rows: number
  readonly pages: number
  readonly availableRowCount: number | null
  readonly samplingRatio: number | null
  readonly warnings: ReadonlyArray<string>
  /** Those of `warnings` already logged while the pages were read (the rest are for the caller to show). */
  readonly logged?: ReadonlyArray<string>
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
    let renderer: RowRenderer | undefined
    let formats: ReadonlyArray<RowFormat> = []
    let rows = spec.continues?.rows ?? 0
    let pages = spec.continues?.pages ?? 0
    let available: number | null = null
    let sampling: number | null = null
    // Pages written straight from the response bytes (the rest were parsed and rendered): for --verbose.
    let transcoded = 0
    // Pages the source found repeated: logged at once, and listed with the job's warnings.
    const repeats: Array<string> = []
    // An unsorted result found to span pages (checked page by page until it is): logged at once, listed first.
    let unsorted: string | undefined
    let orderChecked = false

    // The plan for the job's columns, made once: by the decoder (while the first page is fetched) or by the
    // first page, whichever comes first. Other columns get `undefined` (the page then fails below).
    // A Parquet output is written as its staged CSV: typed plans and the staging's CSV settings. Its plans differ
    // from the text formats', so a job is all Parquet or all text (the demo reads a result once per kind).
    const typed = sinks.some((sink) => sink.format === "parquet")
    if (typed && sinks.some((sink) => sink.format !== "parquet")) {
      return yield* Effect.die(new Error("a Parquet output cannot share a job with text formats"))
    }
    const textFormats: ReadonlyArray<TextFormat> = sinks.map((sink) =>
      sink.format === "parquet" ? "csv" : sink.format
    )
    const { newline, escapeFormulae, nullString } = typed
      ? typedStaging
      : { newline: spec.newline, escapeFormulae: spec.escapeFormulae, nullString: spec.nullString ?? "" }
    const planOf = (columnNames: ReadonlyArray<string>) =>
      typed ? typedPlans(spec.plan(columnNames)) : spec.plan(columnNames)
    let planned:
      | {
          readonly names: ReadonlyArray<string>
          readonly renderer: RowRenderer
          readonly transcoders: ReadonlyArray<RowsTranscoder>
          /** The plan's key in the worker pool. */
          readonly poolKey: number | undefined
        }
      | undefined
    const planFor = (columnNames: ReadonlyArray<string>) => {
      if (planned === undefined) {
        const plans = planOf(columnNames)
        const plan = makeRowRenderer(plans, spec.periodEnd, renamerOf(spec.columnNames))
        const columns = plan.columns.map((c) => c.name)
        const offload = spec.offload
        planned = {
          names: columnNames,
          renderer: plan,
          poolKey: offload?.pool.plan({
            names: columnNames,
            types: plans.map((p) => p.type),
            timeZone: offload.timeZone,
            offset: offload.offset,
            periodEnd: spec.periodEnd,
            formats: textFormats,
            typed,
            newline,
            escapeFormulae,
            columnNames: spec.columnNames ?? "original",
            nullString
          }),
          transcoders: textFormats.map((format) =>
            makeRowsTranscoder({
              format,
              columns,
              sources: plan.sources,
              formatters: plan.formatters,
              plainText: plan.plainText,
              width: columnNames.length,
              newline,
              escapeFormulae,
              nullString
            })
          )
        }
      }
      return sameColumns(planned.names, columnNames) ? planned : undefined
    }
    /** A page transcoded on this thread, or `undefined` when the transcoder declines it. */
    const transcodeHere = (
      transcoders: ReadonlyArray<RowsTranscoder>,
      bytes: Uint8Array,
      start: number
    ): Transcribed | undefined => {
      const results: Array<Transcoded> = []
      for (const transcoder of transcoders) {
        const result = transcoder.transcode(bytes, start)
        if (result === undefined) {
          for (const [i, done] of results.entries()) transcoders[i]!.recycle(done.chunks)
          return undefined
        }
        results.push(result)
      }
      const { end, rowCount } = results[0]!
      const failure = results.find((r) => r.failure !== undefined)?.failure
      if (failure !== undefined) {
        for (const [i, done] of results.entries()) transcoders[i]!.recycle(done.chunks)
        const none = transcoders.map(() => [])
        return { end, rowCount, rows: { _tag: "EncodedRows", chunks: none, rowCount, local: none, failure } }
      }
      const chunks = results.map((r) => r.chunks)
      return { end, rowCount, rows: { _tag: "EncodedRows", chunks, rowCount, local: chunks } }
    }
    /**
     * A large page shared with a worker (see TranscodePool.ts): the worker transcodes the rows after a cut, this
     * thread the rows before it; `undefined` when no worker can take a part or there is no cut.
     */
    const transcodeShared = (
      pool: TranscodePool,
      poolKey: number,
      transcoders: ReadonlyArray<RowsTranscoder>,
      bytes: Uint8Array,
      start: number,
      end: number
    ) => {
      const cut = cutRows(bytes, start, end - start, pool.share(end - start))
      const theirs = cut === undefined ? undefined : pool.offer(poolKey, bytes, cut)
      if (cut === undefined || theirs === undefined) return undefined
      // The rows before the cut are read in place, the cut's `,` turned into the array's `]` for the time of
      // the call (nothing else reads the body meanwhile). They must end exactly there: a `],[` inside a string
      // leaves the scan in that string, past the cut, and the whole page is then transcoded here.
      const began = performance.now()
      const comma = bytes[cut]!
      bytes[cut] = CLOSE_BRACKET
      let mine: Transcribed | undefined
      try {
        mine = transcodeHere(transcoders, bytes, start)
      } finally {
        bytes[cut] = comma
      }
      pool.measured(cut - start, performance.now() - began)
      // A cell that cannot be written: the whole page is transcoded here, which names the first such cell.
      const head = mine?.end === cut + 1 && mine.rows.failure === undefined ? mine : undefined
      if (head === undefined && mine !== undefined) {
        for (const [i, chunks] of mine.rows.local.entries()) transcoders[i]!.recycle(chunks)
      }
      return Effect.map(theirs, (pooled): Transcribed | undefined => {
        if (pooled === undefined || head === undefined) {
          if (pooled !== undefined) pool.recycle(pooled)
          return transcodeHere(transcoders, bytes, start)
        }
        const rowCount = head.rowCount + pooled.rowCount
        return {
          end: pooled.end,
          rowCount,
          rows: {
            _tag: "EncodedRows",
            chunks: head.rows.local.map((chunks, i) => [...chunks, ...pooled.chunks[i]!]),
            rowCount,
            local: head.rows.local,
            pooled
          }
        }
      })
    }
    /** Gives a page's chunks back (a page read but not written). */
    const recycle = (transcoders: ReadonlyArray<RowsTranscoder>, read: Transcribed) => {
      for (const [i, chunks] of read.rows.local.entries()) transcoders[i]!.recycle(chunks)
      if (read.rows.pooled !== undefined) spec.offload?.pool.recycle(read.rows.pooled)
    }
    /**
     * The transcoders' answer checked against the page: rows that end elsewhere than the page's span are left to
     * the exact parse (which refuses what is not one array there), and a row count other than the envelope's is
     * a page damaged in transit (requested again).
     */
    const settle = (
      page: Pagination.PageBytes,
      transcoders: ReadonlyArray<RowsTranscoder>,
      read: Transcribed | undefined
    ): Effect.Effect<Pagination.Rows | EncodedRows, Pagination.BadPage> => {
      if (read === undefined) return parsed(page)
      if (read.end !== page.end) {
        recycle(transcoders, read)
        return parsed(page)
      }
      if (read.rowCount !== page.rowCount) {
        recycle(transcoders, read)
        return Effect.fail(
          new Pagination.BadPage(`a data page holds ${read.rowCount} rows but says ${page.rowCount}`, true)
        )
      }
      return Effect.succeed(read.rows)
    }
    // A page parsed keeps its numbers as sent, so the ordinary path writes what the transcoders would.
    const parsed = (page: Pagination.PageBytes) => Pagination.parseRows(page, { exactNumbers: true })
    const decoder: PageDecoder = (page) => {
      const plan = planFor(page.columnNames)
      if (plan === undefined || sinks.length === 0) return parsed(page)
      const { bytes, start, end } = page
      const { poolKey, transcoders } = plan
      const pool = spec.offload?.pool
      const shared =
        pool !== undefined && poolKey !== undefined && end - start >= offloadBytes
          ? transcodeShared(pool, poolKey, transcoders, bytes, start, end)
          : undefined
      if (shared !== undefined) return Effect.flatMap(shared, (read) => settle(page, transcoders, read))
      const began = performance.now()
      const alone = transcodeHere(transcoders, bytes, start)
      // Transcoding, not other work, for the pool's share.
      pool?.measured(end - start, performance.now() - began)
      return settle(page, transcoders, alone)
    }

    const start = (columnNames: ReadonlyArray<string>) => {
      names = columnNames
      renderer =
        planFor(columnNames)?.renderer ??
        makeRowRenderer(planOf(columnNames), spec.periodEnd, renamerOf(spec.columnNames))
      const columns = renderer.columns.map((c) => c.name)
      formats = textFormats.map((format) => makeRowFormat(format, { columns, newline, escapeFormulae, nullString }))
      const known = spec.onColumns?.(renderer.columns) ?? Effect.void
      if (spec.continues !== undefined) return known
      return Effect.andThen(
        known,
        Effect.forEach(sinks, (sink, i) => sink.writer.write(formats[i]!.header), { discard: true })
      )
    }

    const badCell = (failure: RenderFailure, row: number) =>
      new ExportError({
        kind: "BadData",
        message: badCellMessage(spec.what, row + 1, failure.column, failure.error),
        cause: failure.error
      })

    /** The ordinary path: render parsed rows, then format them. */
    const writeRows = (pageRows: Pagination.Rows) =>
      Effect.gen(function* () {
        // Render and write in slices: each slice's rows and text die young, which keeps GC cheap and memory
        // at a fraction of a 100 000-row page.
        for (let first = 0; first < pageRows.length; first += sliceRows) {
          const slice = pageRows.length <= sliceRows ? pageRows : pageRows.slice(first, first + sliceRows)
          const rendered = renderer!.render(slice, rows + first)
          if (isRenderFailure(rendered)) return yield* badCell(rendered, rendered.row)
          for (let i = 0; i < sinks.length; i++) yield* sinks[i]!.writer.write(formats[i]!.page(rendered))
        }
      })

    yield* spec.progress.start(spec.what)
    yield* Stream.runForEach(spec.pages(decoder), (page) =>
      Effect.gen(function* () {
        // Before the page is written (with `strict`, nothing is: not even the header).
        if (spec.unsorted !== undefined && !orderChecked) {
          const { pageSize } = spec.unsorted
          const total = page.availableRowCount ?? spec.unsorted.rows
          if (spansPages(rows, total, pageSize)) {
            orderChecked = true
            unsorted = yield* spec.unsorted.check(total, pageSize)
            if (unsorted !== undefined && spec.strict === true) {
              return yield* new ExportError({
                kind: "Incomplete",
                message: `${spec.what}: ${unsorted} (without ${spec.strictBy ?? "--strict"} it is exported with this warning)`
              })
            }
            if (unsorted !== undefined) yield* Effect.logWarning(`${spec.what}: ${unsorted}`)
          }
        }
        if (names === undefined) yield* start(page.columnNames)
        else if (!sameColumns(names, page.columnNames)) return yield* columnsChanged(spec.what, names, page.columnNames)
        const count = rowCountOf(page)
        if (page.repeated !== undefined) {
          if (spec.strict === true) {
            return yield* new ExportError({
              kind: "Incomplete",
              message: `${spec.what}: ${page.repeated}: run the export again (a result can hold two identical pages, e.g. identical rows: without ${spec.strictBy ?? "--strict"} it is exported with this warning)`
            })
          }
          repeats.push(page.repeated)
          yield* Effect.logWarning(`${spec.what}: ${page.repeated}`)
        }
        if (isEncoded(page.rows)) {
          // Row numbers in messages count from 1 over the whole result.
          if (page.rows.failure !== undefined) return yield* badCell(page.rows.failure, rows + page.rows.failure.row)
          transcoded++
          const { chunks, local, pooled } = page.rows
          for (let i = 0; i < sinks.length; i++) {
            for (const chunk of chunks[i]!) yield* sinks[i]!.writer.write(chunk)
            planned?.transcoders[i]?.recycle(local[i]!)
          }
          if (pooled !== undefined) spec.offload?.pool.recycle(pooled)
        } else yield* writeRows(page.rows)
        rows += count
        pages += 1
        if (page.availableRowCount !== undefined) available = page.availableRowCount
        if (page.samplingRatio !== undefined)
          sampling = sampling === null ? page.samplingRatio : Math.min(sampling, page.samplingRatio)
        if (spec.afterPage !== undefined) yield* spec.afterPage(count)
        yield* spec.progress.page(count, page.availableRowCount)
      })
    ).pipe(Effect.ensuring(spec.progress.finish))
    if (names === undefined) yield* start(spec.emptyColumns)
    // The figures are fields (JSON log lines carry them as numbers), not text inside the message.
    const readPages = pages - (spec.continues?.pages ?? 0)
    yield* Effect.logDebug(
      `${spec.what}: ${transcoded} of ${readPages} pages written straight from the response bytes`,
      spec.offload === undefined
        ? { pages: readPages, transcoded }
        : {
            pages: readPages,
            transcoded,
            workers: spec.offload.pool.size,
            worker_min_page_bytes: offloadBytes,
            ...spec.offload.pool.counts()
          }
    )

    const logged = unsorted === undefined ? repeats : [unsorted, ...repeats]
    const warnings: Array<string> = [...logged]
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
      warnings,
      logged
    }
  })

const sameColumns = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
  a.length === b.length && a.every((name, i) => name === b[i])
