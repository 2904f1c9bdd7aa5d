/**
 * Everything besides the source data that decides the bytes of one batch output. The writer of a batch output
 * takes its settings from this one object and nowhere else, and the output's fingerprint is a hash of the whole
 * object, so a setting added here is covered by resume's change check without another list to keep in step.
 * Checkpoints and manifest entries store the object itself, so that a restart can say which setting changed.
 */
import { createHash } from "node:crypto"
import type { OffsetStyle } from "@spotpipe/decode"
import { canonicalJson, type ExportFormat } from "./JobFile.ts"
import type { ColumnNames } from "./Names.ts"
import { commandLineNames, type SettingNames } from "./SettingNames.ts"

/** The settings one output is written with. */
export interface OutputSettings {
  /** The output's path relative to the output directory. */
  readonly file: string
  /** A row format, or `yaml`/`json` for a TML document. */
  readonly format: ExportFormat
  readonly pageSize: number
  /** The data time zone (from the job file, else the cluster's, else UTC). */
  readonly timezone: string
  readonly offset: OffsetStyle
  readonly newline: "\r\n" | "\n"
  readonly escapeFormulae: boolean
  readonly periodEnd: boolean
  /** Result column names as they are, or as snake_case identifiers (`--column-names`). */
  readonly columnNames: ColumnNames
  /** CSV: the text of a null cell (`--null-string`; empty by default; always empty for NDJSON). */
  readonly nullString: string
  /** The runtime's time-zone database version (`process.versions.tz`): a new one can change a rendered date. */
  readonly tzDatabase: string
  /** The spotpipe version that writes it: a new version may write a cell differently, so it never continues a file. */
  readonly writerVersion: string
  /**
   * The cluster it is read from (the manifest's `host`): the same export of another cluster (a dev cluster's copy of
   * prod's answers) is other data, never kept or continued by a resume against this one.
   */
  readonly host: string
  /**
   * The job run it belongs to (`--job-run`; absent when none is given, so fingerprints without one are as before):
   * another night's output is other data, never kept or continued by a resume of this night's run.
   */
  readonly jobRun?: string
}

/**
 * How each setting is named in messages, those a job file sets as its user wrote them (`say`); a `Record` over the
 * keys, so a new setting cannot go unnamed.
 */
const labelsFor = (say: SettingNames): Record<keyof OutputSettings, string> => ({
  file: "the output name",
  format: "the format",
  pageSize: "the page size",
  timezone: "the data time zone",
  offset: "--datetime-offset",
  newline: "--newline",
  escapeFormulae: "--escape-formulae",
  periodEnd: "--period-end",
  columnNames: say.named("columnNames"),
  nullString: say.named("nullString"),
  tzDatabase: "the time-zone database version",
  writerVersion: "the spotpipe version",
  host: "the cluster",
  jobRun: "the job run (--job-run)"
})

const show = (key: string, value: unknown): string => {
  if (key === "newline") return value === "\r\n" ? "crlf" : value === "\n" ? "lf" : String(value)
  if (typeof value === "boolean") return value ? "on" : "off"
  // As typed (`"\N"`, not JSON's `"\\N"`): a null string never holds a quote or a line break.
  if (key === "nullString" && typeof value === "string") return value === "" ? "(empty)" : `"${value}"`
  if (key === "jobRun" && value === undefined) return "none"
  return value === undefined ? "unknown" : String(value)
}

/** The runtime's time-zone database version. */
export const runtimeTzDatabase = (): string => process.versions.tz ?? "unknown"

/**
 * The fingerprint of an output: its export's fingerprint (what is read) and every setting (how it is written). `v`
 * is raised when a rule of writing changes (3: snake and slug names) so that a checkout's own earlier outputs, of
 * the same version number, restart too.
 */
export const fingerprintOf = (exportFingerprint: string, settings: OutputSettings): string =>
  createHash("sha256")
    .update(canonicalJson({ v: 3, export: exportFingerprint, settings }), "utf8")
    .digest("hex")

/** A setting that differs between two runs, for the log line (`--newline`, `crlf`, `lf`). */
export interface SettingChange {
  readonly setting: string
  readonly from: string
  readonly to: string
}

/**
 * The first setting that differs between an earlier output's settings and the current ones (undefined: none
 * differs, or the earlier ones are unknown); `say` names the settings a job file sets by its keys.
 */
export const changedSetting = (
  before: unknown,
  after: OutputSettings,
  say: SettingNames = commandLineNames
): SettingChange | undefined => {
  if (typeof before !== "object" || before === null) return undefined
  const earlier = before as Record<string, unknown>
  const labels = labelsFor(say)
  for (const key of Object.keys(labels) as Array<keyof OutputSettings>) {
    if (canonicalJson(earlier[key]) !== canonicalJson(after[key])) {
      return { setting: labels[key], from: show(key, earlier[key]), to: show(key, after[key]) }
    }
  }
  return undefined
}
