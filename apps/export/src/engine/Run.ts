/**
 * What a run is given, shared by the engine and each output it writes: how the run goes ({@link RunOptions}, set
 * by each command; see Engine.ts for what each one sets), where its data goes ({@link Destination}), and the named
 * points of an output's or a load's life ({@link Step}) at which the run calls {@link StepProbe} (the crash suite
 * kills the process there).
 */
import type { OffsetStyle } from "@spotpipe/decode"
import { Context, Effect } from "effect"
import type { OrgSelection } from "../output/Manifest.ts"
import type { GivenIn } from "../plan/SettingNames.ts"
import type * as Shard from "../plan/Shard.ts"
import type { ProgressReporter } from "./ExportJob.ts"

/**
 * Named points of an output's life, for the crash suite (which kills the process at them) and for tests; and of a
 * load's: a table's transaction has done all its work, its COMMIT not yet sent.
 */
export type Step =
  | "claimed"
  | "page-written"
  | "checkpoint-before-rename"
  | "checkpoint-written"
  | "before-publish"
  | "after-publish"
  | "before-manifest"
  | "load-before-commit"

/**
 * Called at each {@link Step} with the output's relative path (a load's: its file, as the manifest names it;
 * `claimed`, once the run holds its folder and made its state folder: that folder's name).
 * Nothing by default; tests provide one (the crash suite's entry point kills the process at a chosen step).
 */
export const StepProbe = Context.Reference<(step: Step, file: string) => Effect.Effect<void>>("spotpipe/StepProbe", {
  defaultValue: () => () => Effect.void
})

/** Where the data goes: files in a directory, or stdout (`--out -`). */
export type Destination = { readonly _tag: "Directory"; readonly path: string } | { readonly _tag: "Stdout" }

/** How a run goes; see Engine.ts's module comment for what each command sets. */
export interface RunOptions {
  /** `run`, or the single command (for the manifest and messages). */
  readonly command: string
  readonly destination: Destination
  /** The job file and its fingerprint (`spotpipe run`). */
  readonly job?: { readonly file: string; readonly fingerprint: string }
  /** Where object identifiers were written, for not-found messages. */
  readonly givenIn: GivenIn
  /** Skip verified outputs and continue partial ones. */
  readonly resume: boolean
  /** Keep a failed output's resume state for a later `--resume` (else it is removed with the failure). */
  readonly keepState: boolean
  /** `record`: a failed export is listed in the manifest and the others carry on; `stop`: the run fails with it. */
  readonly onFailure: "record" | "stop"
  /** Warnings said before the run (the inactive Orgs `--orgs all` skips), recorded with the manifest's own. */
  readonly warnings?: ReadonlyArray<string>
  /** Replace outputs that exist (without `--resume`). */
  readonly force: boolean
  /** Exports written at once. */
  readonly exportsAtOnce: number
  /** Worker threads that transcode large pages, shared by the exports (0: none). */
  readonly workers: number
  /** Whether one export has several pages in flight (the worker pool then plans for overlapping pages). */
  readonly overlappingPages: boolean
  readonly shard: Shard.Shard
  /**
   * `--job-run`: the job run this run belongs to (every shard and retry of one night gives the same), recorded in
   * the manifest and in each output's settings.
   */
  readonly jobRun?: string | undefined
  /** The Orgs a job's run was told to read (`--orgs`, `--org-id`), recorded in its manifest for `spotpipe merge`. */
  readonly orgSelection?: OrgSelection | undefined
  /** `--timezone`: the data time zone of exports that set none (else the cluster's, else UTC). */
  readonly timeZone?: string | undefined
  readonly newline: "\r\n" | "\n"
  readonly escapeFormulae: boolean
  readonly periodEnd: boolean
  /** A page the server repeated fails its export instead of being a warning (`--strict`; or per export in the job). */
  readonly strict: boolean
  readonly offset: OffsetStyle
  readonly version: string
  /** The time-zone database version the dates are rendered with (default: this runtime's). */
  readonly tzDatabase?: string
  readonly progress: ProgressReporter
  /**
   * `--dry-run`: plan, probe each output's first row (see `DryRun`), and stop: nothing is claimed, written or
   * recorded; the result's `dryRun` says what the run would write.
   */
  readonly dryRun?: boolean
  /**
   * A job's `load` follows the run: the watermarks of its incremental exports are not recorded by the run but
   * returned in its result (`RunResult.watermarks`), for the caller to record once the load took their files, so
   * that an increment never loaded is read again by the next `last`.
   */
  readonly watermarksAfterLoad?: boolean
}
