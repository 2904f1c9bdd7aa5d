/**
 * What a plan is made of: each export resolved on the cluster ({@link ResolvedExport}), and the output files it
 * gives ({@link PlannedOutput}), a row output's pages or a document output's text ({@link DocumentText}). The
 * planner (`Planner.ts`) and the admin exports (`AdminExports.ts`) make them; the engine writes them.
 */
import type { Effect, Stream } from "effect"
import type { DataPage, PageDecoder } from "../cluster/Cluster.ts"
import type { ExportError } from "../ExportError.ts"
import type { OutputPart, OutputSource } from "../output/Manifest.ts"
import type { ColumnTypes } from "./ColumnPlanner.ts"
import type { JobExport } from "./JobFile.ts"
import type { fingerprintOf, OutputSettings } from "./OutputSettings.ts"
import type { OrderCheck } from "./SearchOrder.ts"
import type { RemovalPlan } from "./TmlMirror.ts"
import type { WatermarkValue } from "./Watermark.ts"

/** A TML document's text and what the server said besides. */
export interface DocumentText {
  readonly text: string
  readonly warnings: ReadonlyArray<string>
}

/** One output file to write. */
export interface PlannedOutput<E> {
  readonly export: JobExport
  /** The export's name in this run (its key, or the name allocated for it). */
  readonly key: string
  /** Path relative to the output directory. */
  readonly file: string
  /** For the summary table, e.g. `answer Sales` or `liveboard Ops / Daily Quantity`. */
  readonly label: string
  /** For messages, e.g. `answer "Sales"`. */
  readonly what: string
  readonly source: OutputSource
  readonly pages: (decoder: PageDecoder) => Stream.Stream<DataPage, E>
  /** The pages from a row offset (a multiple of the page size); absent for metadata listings (no stable offsets). */
  readonly pagesFrom?: (startOffset: number, decoder: PageDecoder) => Stream.Stream<DataPage, E>
  readonly typesOf: ColumnTypes
  /** Header columns when the source yields no page. */
  readonly emptyColumns: ReadonlyArray<string>
  /** Every setting the output is written with; the writer reads them from here only. */
  readonly settings: OutputSettings
  /** {@link fingerprintOf} the export and `settings`. */
  readonly fingerprint: string
  /** A part of a split export: its page range, fixed when planned (its pages read only that range). */
  readonly part?: OutputPart
  /**
   * An incremental export's next starting point (see Watermark.ts), once its output was read whole; the engine
   * records it after the run's manifest, when the export succeeded.
   */
  readonly watermark?: () => WatermarkValue | undefined
  /**
   * What the source said besides its pages, once read (an audit range beyond ThoughtSpot's retention, events of
   * other Orgs): already logged, and recorded with the output's own warnings in its manifest entry.
   */
  readonly warnings?: () => ReadonlyArray<string>
  /**
   * An output whose order may not be fixed (see SearchOrder.ts): a search whose query has no `sort by`, or a saved
   * answer or visualization given no `--sort`, whose saved query is read when needed. Its result, read in more
   * than one page, may hold repeated rows and miss others: the engine runs the check once it finds the result
   * spans pages, and warns of what it says (or with `strict` fails on it).
   */
  readonly unsorted?: OrderCheck
  /**
   * A document output (a TML document): its text, read when it is written, goes to the file as it is; `pages` is
   * then empty. The engine writes, hashes, checkpoints, publishes and records it like any output.
   */
  readonly document?: () => Effect.Effect<DocumentText, E | ExportError>
}

/**
 * An export whose object was found: its outputs once it has a name and the run knows its data time zone (the
 * cluster's, asked for while the objects are looked up; used by an export that sets none).
 */
export interface ResolvedExport<E> {
  readonly export: JobExport
  /** The name it gets when the export has no key: `answer-<object name>`, … */
  readonly defaultName: string
  /** The object read (null: a metadata listing), so that one object keeps one name across formats. */
  readonly objectId: string | null
  readonly outputs: (key: string, clusterZone: string) => ReadonlyArray<PlannedOutput<E>>
  /** A `tml` export's files of objects gone from the cluster, to remove once its outputs are written (TmlMirror.ts). */
  readonly removals?: (key: string) => RemovalPlan
}
