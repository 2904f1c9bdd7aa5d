/**
 * The job file of `spotpipe run <job.json>`: a JSON document listing exports (metadata types, answers,
 * liveboards with all or some visualizations, search queries) with run-wide defaults and per-export overrides
 * of format, timezone, page size and output name, plus how to connect (`ConnectionSpec`, cluster/Connection.ts) —
 * by naming environment variables, never by holding a secret. Times are spelled as the flags spell them
 * ({@link parseInstant}, or {@link lastWord} for where the previous run left off).
 *
 * A job that loads with `"mode": "merge"` gives each export's tables their key columns (`"loadKey"`, else the load's
 * `"key"`), checked here against the columns known before the run (a metadata listing's, the audit log's).
 *
 * Parsing is strict: unknown keys, wrong types and out-of-range values are all reported at once, each with the
 * path of the bad field (`exports[2].format: …`) and where it belongs or what to write instead, and so are the same
 * export twice and a default no export takes. A key that looks like an inline secret (`password`, `token`,
 * `secret_key`, …) is refused anywhere in the document, and no message repeats a value from the file but the
 * `output` name of the export a problem is in.
 *
 * Each resolved export gets a unique `key` (its sanitized output name; default names shared by different exports
 * each get a hash of the export's identity, never a number by position, so that every shard of a job and every
 * order of its exports give each export the same name) and a `fingerprint` (SHA-256 of what it exports and how),
 * which resume uses to notice that an export changed between runs.
 */
import { createHash } from "node:crypto"
import { InvalidTimeZoneError, resolveTimeZone } from "@spotpipe/decode"
import { Cause, Effect, Exit, Option, Schema, SchemaGetter, SchemaIssue } from "effect"
import { auditColumns, metadataColumns, metadataTypes } from "../cluster/Cluster.ts"
import { ConnectionSpec, EnvName, SettingText } from "../cluster/Connection.ts"
import { checkHostUrl } from "../cluster/HostUrl.ts"
import { nullStringProblem } from "../formats/CsvFormat.ts"
import { loadModes, parseTarget } from "../LoadTarget.ts"
import { isDocumentFormat } from "../output/Manifest.ts"
import { closest, didYouMean } from "../Suggest.ts"
import { baseFileName, placeFileNames } from "./FileName.ts"
import { type ColumnNames, distinctSnakeNames, type FileNames } from "./Names.ts"
import { RuntimeFiltersSpec, SortSpec, searchSortProblem } from "./RuntimeOptions.ts"
import type { GivenIn } from "./SettingNames.ts"

/**
 * One of `choices`, matched ignoring case as the flags match theirs (`"CSV"` is `csv`, `"answer"` is `ANSWER`): the
 * value is the choice as spelt here; anything else is refused naming the choices and the closest ones (never
 * repeating the value), or with `refused` when given.
 */
const Choice = <const L extends ReadonlyArray<string>>(choices: L, refused?: string) => {
  const byKey = new Map<string, L[number]>(choices.map((choice) => [choice.toLowerCase(), choice]))
  const listed = `${choices.slice(0, -1).join(", ")}${choices.length > 1 ? " or " : ""}${choices[choices.length - 1]}`
  const message = refused ?? `must be ${listed} (any case)`
  return Schema.String.pipe(
    Schema.decodeTo(Schema.Literals(choices), {
      decode: SchemaGetter.transformEffect((text: string, options) => {
        const found = byKey.get(text.toLowerCase())
        // The closest choices, never the value: `"cvs"` is told `did you mean "csv"?`.
        const near = refused === undefined ? didYouMean(closest(text, choices)) : ""
        return found === undefined
          ? Effect.fail(new SchemaIssue.InvalidValue({ message: `${message}${near}` }, text, options))
          : Effect.succeed(found)
      }),
      encode: SchemaGetter.passthroughSupertype()
    })
  )
}

const Format = Choice(["csv", "ndjson", "parquet"])
const PageSize = Schema.Int.check(
  Schema.isBetween({ minimum: 1, maximum: 100_000 }, { message: "must be a whole number from 1 to 100000" })
)
const TimeZone = Schema.String.check(Schema.makeFilter((zone: string) => timeZoneProblem(zone) ?? true))
const MetadataType = Choice(metadataTypes)
const NullString = Schema.String.check(Schema.makeFilter((text: string) => nullStringProblem(text) ?? true))

/** The word that asks for the previous successful run's watermark (see Watermark.ts). */
export const lastWord = "last"

/** Milliseconds of the units `--since 30d` / `12h` / `90m` takes. */
const unitMillis: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000 }

/**
 * An instant as the flags take it, in epoch milliseconds: `now`, a duration before `now` (`30d`, `12h`, `90m`),
 * a date (`2025-06-01`, UTC midnight), or an ISO 8601 instant with a zone (`2025-06-01T12:00:00Z`,
 * `…+02:00`). A string saying what is wrong otherwise.
 */
export const parseInstant = (text: string, nowMillis: number): number | { readonly refused: string } => {
  const trimmed = text.trim()
  if (trimmed.toLowerCase() === "now") return nowMillis
  const ago = /^(\d{1,6})([dhm])$/i.exec(trimmed)
  if (ago !== null) return nowMillis - Number(ago[1]) * unitMillis[ago[2]!.toLowerCase()]!
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed)
  if (date !== null) {
    const millis = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]))
    if (new Date(millis).toISOString().slice(0, 10) === trimmed) return millis
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/i.test(trimmed)) {
    const millis = Date.parse(trimmed)
    // Date.parse rolls an impossible day into the next month (31 April → 1 May): refused, as a date alone is.
    const day = Date.UTC(Number(trimmed.slice(0, 4)), Number(trimmed.slice(5, 7)) - 1, Number(trimmed.slice(8, 10)))
    if (Number.isFinite(millis) && new Date(day).toISOString().slice(0, 10) === trimmed.slice(0, 10)) return millis
  }
  return {
    refused: `"${text}" is not a time: ${nearMiss(trimmed)}give a date (2025-06-01, UTC), an instant with its zone (2025-06-01T12:00:00Z), a span before now (30d, 12h, 90m) or now`
  }
}

/**
 * Why an instant close to the form {@link parseInstant} takes is refused, with what to give instead (`""` for
 * other text): finer than a millisecond (an audit log's `date` has microseconds), or an offset without its colon.
 */
const nearMiss = (text: string): string => {
  // Examples of its own, never the text: a job file's messages repeat no value (see Instant below).
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{4,}(Z|[+-]\d{2}:\d{2})$/i.test(text)) {
    return "it has digits finer than a millisecond: keep three (12:00:00.123Z for 12:00:00.123456Z, which starts at or before it); "
  }
  return /^\d{4}-\d{2}-\d{2}T[\d:.]+[+-]\d{4}$/i.test(text) ? "write the offset with a colon (+02:00, not +0200); " : ""
}

/** A time as `--until` takes it: a date, an instant with its zone, a span before now (`30d`) or `now`. */
const Instant = SettingText.check(
  Schema.makeFilter((text: string) => {
    const parsed = parseInstant(text, 0)
    return typeof parsed === "number" || parsed.refused.replace(/^"[^"]*" is not a time/, "is not a time")
  })
)
/**
 * Where an incremental export starts (`modifiedSince`, an audit export's `since`): a time as {@link Instant}, or
 * `"last"`: where the previous successful run of the export into the same folder left off (see Watermark.ts).
 */
export const Since = SettingText.check(
  Schema.makeFilter((text: string) => {
    if (text.trim().toLowerCase() === lastWord) return true
    const parsed = parseInstant(text, 0)
    return (
      typeof parsed === "number" || `${parsed.refused.replace(/^"[^"]*" is not a time/, "is not a time")}, or "last"`
    )
  })
)

/**
 * Zones the tz database renamed that ICU (whose list Intl gives) still names by their old names, for stability:
 * suggestions name them as the tz database, ThoughtSpot and the user's system do now (Intl accepts both).
 */
const renamedZones: Readonly<Record<string, string>> = {
  "Africa/Asmera": "Africa/Asmara",
  "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
  "America/Catamarca": "America/Argentina/Catamarca",
  "America/Coral_Harbour": "America/Atikokan",
  "America/Cordoba": "America/Argentina/Cordoba",
  "America/Godthab": "America/Nuuk",
  "America/Indianapolis": "America/Indiana/Indianapolis",
  "America/Jujuy": "America/Argentina/Jujuy",
  "America/Louisville": "America/Kentucky/Louisville",
  "America/Mendoza": "America/Argentina/Mendoza",
  "Asia/Calcutta": "Asia/Kolkata",
  "Asia/Katmandu": "Asia/Kathmandu",
  "Asia/Rangoon": "Asia/Yangon",
  "Asia/Saigon": "Asia/Ho_Chi_Minh",
  "Atlantic/Faeroe": "Atlantic/Faroe",
  "Europe/Kiev": "Europe/Kyiv",
  "Pacific/Enderbury": "Pacific/Kanton",
  "Pacific/Ponape": "Pacific/Pohnpei",
  "Pacific/Truk": "Pacific/Chuuk"
}

/**
 * Why `zone` is no data time zone the export can render dates in, or `undefined` when it is one: one
 * `@spotpipe/decode` resolves (an IANA name or link as this runtime's Intl knows it, or an offset such as -08:00),
 * checked here as the export will resolve it. An abbreviation (PST) gets decode's advice. The text never repeats
 * the name (a job file's messages repeat no value): "is an abbreviation, not a time zone: use …" or "must be …".
 * `--timezone` takes the same rule.
 */
export const timeZoneProblem = (zone: string): string | undefined => {
  const resolved = resolveTimeZone(zone)
  if (!(resolved instanceof InvalidTimeZoneError)) return undefined
  // Decode's advice for an abbreviation starts with the name: keep what follows it.
  const named = `${JSON.stringify(zone)} `
  if (resolved.message.startsWith(named)) return resolved.message.slice(named.length).replace(/\.$/, "")
  // A misspelt IANA name (America/Los_Angels) is told its zone; a name alone (Berlin) the zones it ends.
  const zones = Intl.supportedValuesOf("timeZone").map((z) => renamedZones[z] ?? z)
  const near = zone.includes("/")
    ? closest(zone, zones, 3, "prefix")
    : zones.filter((z) => z.toLowerCase().endsWith(`/${zone.toLowerCase()}`))
  return `must be an IANA name such as UTC, Europe/Berlin or America/Los_Angeles, or an offset such as -08:00${didYouMean(near.slice(0, 3))}`
}

/** Settings an export may override; also the run-wide `defaults`. */
const settingsFields = {
  format: Schema.optionalKey(Format),
  timezone: Schema.optionalKey(TimeZone),
  pageSize: Schema.optionalKey(PageSize),
  /**
   * A page the server repeated, or a result read in several pages without a fixed order (a search without `sort
   * by`, a saved answer or visualization whose saved query has none and no `sort`), fails the export (as `--strict`).
   */
  strict: Schema.optionalKey(Schema.Boolean),
  /** As `--column-names`: `snake` writes result columns as snake_case identifiers. */
  columnNames: Schema.optionalKey(Choice(["original", "snake"])),
  /** As `--file-names`: `slug` names files and folders (and `output`) as slugs. */
  fileNames: Schema.optionalKey(Choice(["original", "slug"])),
  /** As `--null-string`: CSV text of a null cell (`defaults`: for the CSV exports only). */
  nullString: Schema.optionalKey(NullString)
}

const exportFields = { ...settingsFields, output: Schema.optionalKey(SettingText) }

/** Key columns: one or more, each named once (a merge matches rows on them all). */
const KeyColumns = Schema.Array(SettingText).check(
  Schema.isMinLength(1, { message: "list at least one column" }),
  Schema.makeFilter((columns: ReadonlyArray<string>) => {
    const twice = [...new Set(columns.filter((column, i) => columns.indexOf(column) !== i))]
    return twice.length === 0 || "names a column more than once: name each key column once"
  })
)

/**
 * The fields of an export that writes tables: `"loadKey": ["id"]`, the key columns its tables are merged by when
 * the job's `load` merges (`"mode": "merge"`), instead of the load's `key`. It changes no output byte.
 */
const tableExportFields = { ...exportFields, loadKey: Schema.optionalKey(KeyColumns) }

/** Names or GUIDs a metadata listing filters by: at least one, none blank (`what`: "tag", "user"). */
const FilterNames = (what: string) =>
  Schema.Array(
    Schema.String.check(
      Schema.makeFilter((name: string) => name.trim() !== "" || `must not be blank: give a ${what}'s name or GUID`)
    )
  )
    .check(Schema.isMinLength(1, { message: `list at least one ${what}, or omit the key` }))
    .pipe(
      Schema.decodeTo(Schema.Array(Schema.String), {
        decode: SchemaGetter.transform(filterNames),
        encode: SchemaGetter.passthrough()
      })
    )

/**
 * Tags or authors to filter a listing by, as the export holds them: each once, in order, so that the same filter
 * listed in another order is the same export (its file name, its watermark).
 */
export const filterNames = (names: ReadonlyArray<string>): ReadonlyArray<string> =>
  [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))

/**
 * `{ "type": "metadata", "metadataTypes": ["ANSWER", "LIVEBOARD"] }`: one listing of those object types;
 * `"tags"`, `"authors"`: only objects with any of those tags, created by any of those users (as `--tag`, `--author`).
 */
const MetadataExport = Schema.Struct({
  type: Schema.Literal("metadata"),
  metadataTypes: Schema.Array(MetadataType).check(Schema.isMinLength(1, { message: "list at least one type" })),
  tags: Schema.optionalKey(FilterNames("tag")),
  authors: Schema.optionalKey(FilterNames("user")),
  /** Only the objects modified at or after this time, or `last` (as `--modified-since`). */
  modifiedSince: Schema.optionalKey(Since),
  ...tableExportFields
})

/**
 * `"split": K` on an answer or search: its pages are read in K contiguous ranges, each a part file of its own
 * (`orders.part-0001-of-0004.csv`), so the shards of a job share one large export; `spotpipe merge` joins them.
 */
const splitField = {
  split: Schema.optionalKey(
    Schema.Int.check(
      Schema.isBetween(
        { minimum: 2, maximum: 9999 },
        { message: "must be a whole number of parts from 2 to 9999 (leave it out for one file)" }
      )
    )
  )
}

/**
 * `"sort": [{ "column": "Order ID" }, { "column": "Revenue", "order": "desc" }]` and `"runtimeFilters": [{ "column":
 * "Region", "op": "EQ", "values": ["West"] }]` on an answer, liveboard or search: as `--sort` and `--runtime-filter`
 * (see RuntimeOptions.ts).
 */
const runtimeFields = {
  sort: Schema.optionalKey(SortSpec),
  runtimeFilters: Schema.optionalKey(RuntimeFiltersSpec)
}

/**
 * `"sinceColumn": "Order ID", "since": "1000" | "last"` on an answer or liveboard: as `--since-column`/`--since`,
 * through a runtime filter (see Incremental.ts).
 */
const sinceFields = {
  sinceColumn: Schema.optionalKey(SettingText),
  since: Schema.optionalKey(SettingText)
}

/** `{ "type": "answer", "id": "GUID or name" }`. */
const AnswerExport = Schema.Struct({
  type: Schema.Literal("answer"),
  id: SettingText,
  ...sinceFields,
  ...tableExportFields,
  ...splitField,
  ...runtimeFields
})

/** `{ "type": "liveboard", "id": "GUID or name", "visualizations"?: [...] }` (omit for every visualization). */
const LiveboardExport = Schema.Struct({
  type: Schema.Literal("liveboard"),
  id: SettingText,
  visualizations: Schema.optionalKey(
    Schema.Array(SettingText).check(
      Schema.isMinLength(1, { message: "list at least one visualization, or omit the key" })
    )
  ),
  ...sinceFields,
  ...tableExportFields,
  ...runtimeFields
})

/** `{ "type": "search", "table": "GUID or name", "query": "[Region] [Revenue]" }`. */
const SearchExport = Schema.Struct({
  type: Schema.Literal("search"),
  table: SettingText,
  query: SettingText,
  /** Only the rows whose `sinceColumn` is at least `since` (a value, or `last`), as `--since-column`/`--since`. */
  sinceColumn: Schema.optionalKey(SettingText),
  since: Schema.optionalKey(SettingText),
  ...tableExportFields,
  ...splitField,
  ...runtimeFields
})

/** The object types `tml` exports (users, groups and roles through the batched TML endpoint). */
export const tmlTypes = ["LIVEBOARD", "ANSWER", "LOGICAL_TABLE", "CONNECTION", "USER", "USER_GROUP", "ROLE"] as const
/** The object types `permissions` reads (those `security/metadata/fetch-permissions` takes and lists). */
export const permissionTypes = ["LIVEBOARD", "ANSWER", "LOGICAL_TABLE", "CONNECTION"] as const
/** The types a `tml` and a `permissions` export read when they name none. */
export const defaultAdminTypes = ["LIVEBOARD", "ANSWER", "LOGICAL_TABLE"] as const

/**
 * `{ "type": "tml", "tmlTypes": ["LIVEBOARD"], "format": "yaml" }`: every object of those types as one TML document
 * each (`format` `yaml`, the default, or `json`; the row formats' `defaults.format` does not apply).
 */
const TmlExport = Schema.Struct({
  type: Schema.Literal("tml"),
  tmlTypes: Schema.optionalKey(
    Schema.Array(Choice(tmlTypes)).check(Schema.isMinLength(1, { message: "list at least one type" }))
  ),
  ...exportFields,
  format: Schema.optionalKey(Choice(["yaml", "json"])),
  /** Also the objects each one is built on (ThoughtSpot's `export_associated`), each once, in its type's folder. */
  associated: Schema.optionalKey(Schema.Boolean),
  /** Only the objects modified at or after this time, or `last` (as `--modified-since`). */
  modifiedSince: Schema.optionalKey(Since)
})

/** `{ "type": "principals" }`: users, groups, roles and their memberships and privileges, one table each. */
const PrincipalsExport = Schema.Struct({ type: Schema.Literal("principals"), ...tableExportFields })

/** `{ "type": "permissions", "permissionTypes": ["LIVEBOARD"] }`: one row per object, principal and permission. */
const PermissionsExport = Schema.Struct({
  type: Schema.Literal("permissions"),
  permissionTypes: Schema.optionalKey(
    Schema.Array(Choice(permissionTypes)).check(Schema.isMinLength(1, { message: "list at least one type" }))
  ),
  ...tableExportFields
})

/**
 * `{ "type": "audit", "since": "30d" }`: the SECURITY_AUDIT events of `[since, until)` (`until` default now), one
 * row each; `since` may be `last`: where the previous successful run of the export left off.
 */
const AuditExport = Schema.Struct({
  type: Schema.Literal("audit"),
  since: Since,
  until: Schema.optionalKey(Instant),
  ...tableExportFields
})

/** One export as written in the job file. */
export const ExportSpec = Schema.Union([
  MetadataExport,
  AnswerExport,
  LiveboardExport,
  SearchExport,
  TmlExport,
  PrincipalsExport,
  PermissionsExport,
  AuditExport
])
/** See {@link ExportSpec}. */
export type ExportSpec = typeof ExportSpec.Type

/**
 * The client's time limits for the whole run (one client serves every export): `timeoutSeconds` per request
 * attempt, `deadlineSeconds` per request with its retries. `--timeout` and `--deadline` win over them.
 */
export const ClientSpec = Schema.Struct({
  timeoutSeconds: Schema.optionalKey(
    Schema.Int.check(
      Schema.isBetween({ minimum: 1, maximum: 3600 }, { message: "must be whole seconds from 1 to 3600" })
    )
  ),
  deadlineSeconds: Schema.optionalKey(
    Schema.Int.check(
      Schema.isBetween({ minimum: 1, maximum: 86_400 }, { message: "must be whole seconds from 1 to 86400" })
    )
  )
})
/** See {@link ClientSpec}. */
export type ClientSpec = typeof ClientSpec.Type

/** The whole job file. */
/**
 * `"load": { "into": "duckdb:warehouse.duckdb", "mode": "replace" }`: once every export succeeded, the run is loaded
 * (see load/Load.ts). A PostgreSQL URL holds no password: it comes from `PGPASSWORD` or the variable `passwordEnv` names.
 */
export const LoadSpec = Schema.Struct({
  into: Schema.String.check(
    Schema.makeFilter((into: string) => {
      const target = parseTarget(into, "job file")
      return "ok" in target || target.refused
    })
  ),
  mode: Schema.optionalKey(Choice(loadModes)),
  /** `merge`: the key columns of every export's tables, but those of an export with its own `loadKey`. */
  key: Schema.optionalKey(KeyColumns),
  passwordEnv: Schema.optionalKey(EnvName),
  /** `append`, `merge`: evolve an existing table to the file's columns (`spotpipe load --evolve`). */
  evolve: Schema.optionalKey(Schema.Boolean),
  /** Seconds to wait for a lock held elsewhere, 0 without limit (`spotpipe load --lock-timeout`, same range). */
  lockTimeoutSeconds: Schema.optionalKey(
    Schema.Int.check(
      Schema.isBetween(
        { minimum: 0, maximum: 86_400 },
        { message: "must be whole seconds from 0 (wait without limit) to 86400" }
      )
    )
  )
}).check(
  // A merge without any key is said with the exports (each may have its own "loadKey").
  Schema.makeFilter(
    (load) =>
      load.key === undefined ||
      load.mode === "merge" ||
      '"key" goes with "mode": "merge" (the key a merge matches rows on): add "mode": "merge", or remove "key"'
  ),
  Schema.makeFilter(
    (load) =>
      load.evolve !== true ||
      (load.mode !== undefined && load.mode !== "replace") ||
      '"evolve" is for "mode": "append" or "merge" (a replace makes each table anew with its file\'s columns): remove "evolve" or set "mode": "append"'
  ),
  Schema.makeFilter(
    (load) =>
      load.passwordEnv === undefined ||
      !load.into.startsWith("duckdb:") ||
      '"passwordEnv" is for a PostgreSQL "into" (a DuckDB file takes no password): remove it'
  )
)
/** See {@link LoadSpec}. */
export type LoadSpec = typeof LoadSpec.Type

export const JobFileSchema = Schema.Struct({
  version: Schema.optionalKey(Schema.Literal(1)),
  connection: Schema.optionalKey(ConnectionSpec),
  client: Schema.optionalKey(ClientSpec),
  defaults: Schema.optionalKey(Schema.Struct(settingsFields)),
  exports: Schema.Array(ExportSpec).check(Schema.isMinLength(1, { message: "list at least one export" })),
  load: Schema.optionalKey(LoadSpec),
  /** Every export once per Org: `"all"` the Orgs the user can reach, or their ids (`--orgs` wins). */
  orgs: Schema.optionalKey(
    Schema.Union([
      Choice(["all"], 'must be "all" or a list of Org ids'),
      Schema.Array(
        Schema.Int.check(Schema.isGreaterThanOrEqualTo(0, { message: "must be an Org id, 0 or more" }))
      ).check(Schema.isMinLength(1, { message: 'list at least one Org id, or write "all"' }))
    ])
  )
})
/** See {@link JobFileSchema}. */
export type JobFileSchema = typeof JobFileSchema.Type

/**
 * One problem in a job file: where (`exports[2].format`) and what to do; `output`: the `output` name of the export
 * it is in, when that export has one (`exports[2].format (output "monthly"): …`), to find it in a long job.
 */
export interface JobFileProblem {
  readonly path: string
  readonly message: string
  readonly output?: string
}

/** The job file cannot be used; `problems` lists every bad field. */
export class JobFileError extends Schema.TaggedError<JobFileError>()("JobFileError", {
  file: Schema.String,
  problems: Schema.Array(
    Schema.Struct({ path: Schema.String, message: Schema.String, output: Schema.optionalKey(Schema.String) })
  )
}) {
  override get message(): string {
    const lines = this.problems.map((p) => {
      // JSON-quoted: a control character in the name is shown escaped, never acted on by a terminal.
      const named = p.output === undefined ? "" : ` (output ${JSON.stringify(p.output)})`
      return p.path === "" ? p.message : `${p.path}${named}: ${p.message}`
    })
    return `job file ${this.file} is not valid:\n  ${lines.join("\n  ")}`
  }
}

/**
 * `problems` with the `output` name of the export each is in (its first 60 characters), when that export of
 * `document` has one: the one value of the file a message repeats, a name its user gave to find the export by.
 */
const withOutputNames = (problems: ReadonlyArray<JobFileProblem>, document: unknown): Array<JobFileProblem> =>
  problems.map((problem) => {
    const index = /^exports\[(\d+)\]/.exec(problem.path)?.[1]
    const exports = (document as { readonly exports?: unknown } | null)?.exports
    const entry = index !== undefined && Array.isArray(exports) ? exports[Number(index)] : undefined
    const output = typeof entry === "object" && entry !== null ? (entry as { output?: unknown }).output : undefined
    if (typeof output !== "string" || output.trim() === "") return problem
    return { ...problem, output: output.length > 60 ? `${output.slice(0, 60)}…` : output }
  })

/** A part of a split export: the `index`-th (from 1) of `count`. */
export interface PartOf {
  readonly index: number
  readonly count: number
}

/** A part's suffix of its export's name, zero-padded so that names sort: `.part-0002-of-0004`. */
export const partSuffix = (part: PartOf): string => {
  const width = Math.max(4, String(part.count).length)
  return `.part-${String(part.index).padStart(width, "0")}-of-${String(part.count).padStart(width, "0")}`
}

/** An export with the defaults applied, ready to run: one entry of a job file, or the one export of a single command. */
export interface JobExport {
  /** Position in the job (0-based). */
  readonly index: number
  /**
   * Unique, file-system-safe output name without extension (also the export's identity for resume); `undefined`:
   * named after the object found (a single command's `answer-<name>`, see `Planner`).
   */
  readonly key: string | undefined
  /** Names the export in messages: `export 3 (answer "Sales")` in a job, `answer "Sales"` for a single command. */
  readonly what: string
  readonly spec: ExportSpec
  readonly format: ExportFormat
  /** The data timezone, when the job sets one (else the cluster's zone or UTC is used). */
  readonly timezone: string | undefined
  readonly pageSize: number
  /** A page the server repeated, or a result read in pages without a fixed order, fails the export (`strict`). */
  readonly strict: boolean
  /** Result column names as they are or as snake_case identifiers. */
  readonly columnNames: ColumnNames
  /** File and folder names from object names (sanitized) or as slugs. */
  readonly fileNames: FileNames
  /** CSV text of a null cell (empty: the default; NDJSON writes `null`). */
  readonly nullString: string
  /** One of the parts of a split export (`"split": K`), from 1: it reads the `index`-th of `count` page ranges. */
  readonly part?: PartOf
  /** SHA-256 of what the export reads and how it writes it: a change means its earlier output is stale. */
  readonly fingerprint: string
  /** With `--orgs` (or a job's `orgs`): the Org it reads from, through a client of its own (its own token). */
  readonly org?: ExportOrg
  /** Where it was given (absent: the command line): its messages name settings so (SettingNames.ts). */
  readonly givenIn?: GivenIn
}

/** An output's format: a row format, or `yaml`/`json` for TML documents. */
export type ExportFormat = "csv" | "ndjson" | "parquet" | "yaml" | "json"

/**
 * The row format of an output that writes rows. A document format here is a defect (documents never reach the row
 * writer), so it dies rather than writing rows in some other format.
 */
export const rowFormatOf = (format: ExportFormat): "csv" | "ndjson" | "parquet" => {
  if (isDocumentFormat(format)) throw new Error(`a ${format} document has no row writer`)
  return format
}

/** An Org an export reads from: its id and name (the folder `org-<id>-<name>/` holds its files). */
export interface ExportOrg {
  readonly id: number
  readonly name: string
}

/** The folder of an Org's files: `org-<id>-<name as a slug>` (`org-1482304613-sales_emea`). */
export const orgFolder = (org: ExportOrg): string => `org-${org.id}-${baseFileName(org.name, "slug")}`

/**
 * Each export once per Org (`--orgs`, a job's `orgs`), in Org order: an export with a key gets it inside the Org's
 * folder, one named after its object is named there by the planner. Its fingerprint names the Org.
 */
export const exportsPerOrg = (
  exports: ReadonlyArray<JobExport>,
  orgs: ReadonlyArray<ExportOrg>
): ReadonlyArray<JobExport> =>
  orgs.flatMap((org) =>
    exports.map(({ fingerprint: _, ...entry }) =>
      makeExport({
        ...entry,
        key: entry.key === undefined ? undefined : `${orgFolder(org)}/${entry.key}`,
        what: `${entry.what} in Org "${org.name}"`,
        org
      })
    )
  )

/**
 * Builds an export from its spec and settings. The fingerprint covers what it reads and how; its file name is part
 * of every output's settings (see `OutputSettings`), and `strict` changes whether an output is written, never its
 * bytes, so neither is in it.
 */
export const makeExport = (
  given: Omit<JobExport, "fingerprint" | "columnNames" | "fileNames" | "nullString"> &
    Partial<Pick<JobExport, "columnNames" | "fileNames" | "nullString">>
): JobExport => {
  const options = {
    ...given,
    columnNames: given.columnNames ?? "original",
    fileNames: given.fileNames ?? "original",
    nullString: given.nullString ?? ""
  }
  // How names and nulls are written is in each output's settings (`OutputSettings`), not in what is read.
  const {
    format: _f,
    timezone: _t,
    pageSize: _p,
    output: _o,
    strict: _s,
    columnNames: _c,
    fileNames: _n,
    nullString: _z,
    // How the tables are loaded, not what the files hold.
    loadKey: _k,
    ...source
  } = options.spec as ExportSpec & { readonly loadKey?: unknown }
  // A part's pages are its own: its fingerprint names it (`undefined` is left out, so an export's is unchanged).
  const fingerprint = sha256(
    canonicalJson({
      v: 2,
      source,
      format: options.format,
      timezone: options.timezone,
      pageSize: options.pageSize,
      part: options.part,
      org: options.org?.id
    })
  )
  return { ...options, fingerprint }
}

/** How a job file's export is named in messages: `export 3 (answer "Sales")`. */
export const describeExport = (spec: ExportSpec, index: number): string => {
  switch (spec.type) {
    case "metadata":
      return `export ${index + 1} (metadata ${spec.metadataTypes.join(", ")})`
    case "answer":
      return `export ${index + 1} (answer "${spec.id}")`
    case "liveboard":
      return `export ${index + 1} (liveboard "${spec.id}")`
    case "search":
      return `export ${index + 1} (search on "${spec.table}")`
    case "tml":
      return `export ${index + 1} (tml ${(spec.tmlTypes ?? defaultAdminTypes).join(", ")})`
    case "principals":
      return `export ${index + 1} (principals)`
    case "permissions":
      return `export ${index + 1} (permissions ${(spec.permissionTypes ?? defaultAdminTypes).join(", ")})`
    case "audit":
      return `export ${index + 1} (audit log)`
  }
}

/** A parsed job. */
export interface Job {
  readonly connection: ConnectionSpec
  /** Time limits (not part of the fingerprint: they change no output byte). */
  readonly client: ClientSpec
  readonly exports: ReadonlyArray<JobExport>
  /** SHA-256 of the normalized job. */
  readonly fingerprint: string
  /** Load the run once it succeeded (not part of the fingerprint: it changes no output byte). */
  readonly load?: LoadSpec
  /** Run every export once per Org (each export's fingerprint then names its Org). */
  readonly orgs?: "all" | ReadonlyArray<number>
}

/** Rows per data request when neither the export nor the defaults say. */
export const defaultPageSize = 10_000

// Keys that would hold a secret inline. Matched on the key only, so the value is never read or echoed.
const secretKey =
  /^(password|passwd|pass|secret|secret_?key|client_?secret|token|bearer(_?token)?|access_?token|auth_?token|api_?key|credentials?)$/i

/**
 * `value` without the keys that look like inline secrets, each reported in `out` by its path (the value is neither
 * read nor kept): the rest of the document is then checked as if they were not there, so that one pass reports
 * every other mistake too, and a secret key is not reported a second time as an unknown key.
 */
const withoutInlineSecrets = (value: unknown, path: string, out: Array<JobFileProblem>): unknown => {
  if (Array.isArray(value)) return value.map((item, i) => withoutInlineSecrets(item, `${path}[${i}]`, out))
  if (typeof value !== "object" || value === null) return value
  const kept: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) {
    const at = path === "" ? key : `${path}.${key}`
    if (secretKey.test(key)) {
      out.push({
        path: at,
        message: `secrets must not be written in a job file: put the value in an environment variable and name that variable instead (e.g. "passwordEnv": "THOUGHTSPOT_PASSWORD", "secretKeyEnv", "tokenEnv")`
      })
    } else {
      kept[key] = withoutInlineSecrets(inner, at, out)
    }
  }
  return kept
}

const renderPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (text, key) => (typeof key === "number" ? `${text}[${key}]` : text === "" ? String(key) : `${text}.${String(key)}`),
    ""
  )

/** The keys each place of a job file takes (by the path of the object holding them): for "did you mean". */
const keysAt = (parent: ReadonlyArray<PropertyKey>, document: unknown): ReadonlyArray<string> => {
  const at = renderPath(parent)
  if (at === "") return Object.keys(JobFileSchema.fields)
  if (at === "defaults") return Object.keys(settingsFields)
  if (at === "connection") return Object.keys(ConnectionSpec.fields)
  if (at === "client") return Object.keys(ClientSpec.fields)
  if (at === "load") return Object.keys(LoadSpec.fields)
  if (/^exports\[\d+\]$/.test(at)) {
    const type = exportTypeOf(document, parent[1])
    const members = ExportSpec.members.filter((member) => type === undefined || member.fields.type.literal === type)
    return [...new Set(members.flatMap((member) => Object.keys(member.fields)))]
  }
  return []
}

/** The `type` of `exports[index]` when it is one spotpipe knows. */
const exportTypeOf = (document: unknown, index: PropertyKey | undefined): string | undefined => {
  const exports = (document as { readonly exports?: unknown } | null)?.exports
  const entry = Array.isArray(exports) && typeof index === "number" ? exports[index] : undefined
  const type = typeof entry === "object" && entry !== null ? (entry as { type?: unknown }).type : undefined
  return typeof type === "string" && exportTypeNames.includes(type) ? type : undefined
}

/** Words people use for the object an export reads, and the key that holds it (`id`; a search's `table`). */
const objectWords: Readonly<Record<string, ReadonlyArray<string>>> = {
  id: ["name", "guid", "answer", "liveboard", "object", "objectid", "object_id", "identifier"],
  table: ["name", "guid", "model", "worksheet", "datasource", "data_source", "object", "objectid", "object_id"]
}

/** The key that holds the object an export reads, when `key` is another word for it; `keys`: the export's keys. */
const objectKeyFor = (key: string, keys: ReadonlyArray<string>): string | undefined =>
  ["id", "table"].find((holder) => keys.includes(holder) && objectWords[holder]?.includes(key.toLowerCase()) === true)

const exportTypeNames: ReadonlyArray<string> = ExportSpec.members.map((member) => member.fields.type.literal)

const exportTypes = `"type" must be one of "metadata", "answer", "liveboard", "search", "tml", "principals", "permissions", "audit", with that type's fields`

/** `a`/`an` before a word. */
const article = (word: string) => (/^[aeiou]/.test(word) ? "an" : "a")

/** `a, b and c`. */
const andList = (words: ReadonlyArray<string>) =>
  words.length < 2 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`

/** Where each block of a job file takes its keys, for a key written in the wrong one. */
const blocks: ReadonlyArray<{ readonly place: string; readonly keys: ReadonlyArray<string> }> = [
  { place: 'in "defaults" (for every export) or in an export', keys: Object.keys(settingsFields) },
  { place: 'in "connection"', keys: Object.keys(ConnectionSpec.fields) },
  { place: 'in "client"', keys: Object.keys(ClientSpec.fields) },
  { place: 'in "load"', keys: Object.keys(LoadSpec.fields) },
  { place: 'at the top of the job file, beside "exports"', keys: Object.keys(JobFileSchema.fields) }
]

/** What reads only the rows or objects since a point, by export type: said to one that wrote the other's key. */
const incrementalKeys: Readonly<Record<string, string>> = {
  answer: '"sinceColumn" and "since"',
  liveboard: '"sinceColumn" and "since"',
  search: '"sinceColumn" and "since"',
  metadata: '"modifiedSince"',
  tml: '"modifiedSince"',
  audit: '"since" and "until"'
}

/**
 * Where `key`, refused in the object at `parent` (an export, "defaults" or the top level), belongs instead, as a
 * message; `undefined` when it is a key of no other place (a typo, then). A key of other export types names them; one
 * of another block names the block.
 */
const elsewhere = (key: string, parent: ReadonlyArray<PropertyKey>, document: unknown): string | undefined => {
  const at = renderPath(parent)
  if (/^exports\[\d+\]$/.test(at)) {
    const type = exportTypeOf(document, parent[1])
    if (type === undefined) return undefined
    const types = ExportSpec.members
      .filter((member) => member.fields.type.literal !== type && key in member.fields)
      .map((member) => member.fields.type.literal)
    if (types.length === 0) return undefined
    const instead =
      incrementalKeys[type] !== undefined && ["since", "sinceColumn", "modifiedSince", "until"].includes(key)
        ? ` (${article(type)} ${type} export reads only what is new with ${incrementalKeys[type]})`
        : ""
    return `"${key}" is for ${andList(types)} exports, not ${article(type)} ${type} export: remove it${instead}`
  }
  // Inside "connection", "client" or "load" a word of another place means something else there (a load's "table").
  if (at !== "" && at !== "defaults") return undefined
  const exportKeys = new Set(ExportSpec.members.flatMap((member) => Object.keys(member.fields)))
  if (at === "defaults" && exportKeys.has(key)) {
    return `"${key}" is set in each export, not in "defaults": move it into the exports that need it`
  }
  const place = blocks.find((block) => block.keys.includes(key) && !(at === "defaults" && block === blocks[0]))?.place
  if (place !== undefined) return `"${key}" goes ${place}: move it there`
  return exportKeys.has(key) && at === ""
    ? `"${key}" goes in an export, one of the list "exports": move it there`
    : undefined
}

/**
 * Why `output` cannot name the file of an export of `type` written as `format`, if it cannot: `orders.csv` would write
 * `orders.csv.csv`, as the name is given without the extension spotpipe adds (the exports of a folder name that).
 */
export const outputNameProblem = (output: string, format: string, type: string): string | undefined => {
  if (type === "liveboard" || type === "tml" || type === "principals") return undefined
  const extension = `.${format}`
  return output.toLowerCase().endsWith(extension)
    ? `is the file name without its extension, which spotpipe adds (it would write a file ending in ${extension}${extension}): leave "${extension}" out`
    : undefined
}

/** The job-file key of each flag whose name is not the key itself (`--viz` is `"visualizations"`). */
export const flagKeys: Readonly<Record<string, string>> = {
  viz: "visualizations",
  "page-size": "pageSize",
  "output-name": "output",
  "since-column": "sinceColumn",
  "modified-since": "modifiedSince",
  "column-names": "columnNames",
  "file-names": "fileNames",
  "null-string": "nullString",
  "runtime-filter": "runtimeFilters",
  "org-id": "orgId",
  "allow-insecure-http": "allowInsecureHttp",
  timeout: "timeoutSeconds",
  deadline: "deadlineSeconds",
  "lock-timeout": "lockTimeoutSeconds"
}

/** The value at `path` of the document, `undefined` where there is none. */
const valueAt = (document: unknown, path: ReadonlyArray<PropertyKey>): unknown =>
  path.reduce<unknown>(
    (value, key) =>
      typeof value === "object" && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined,
    document
  )

/** What a JSON value is, in words (never the value itself: a job file's messages repeat no value). */
const kindOfValue = (value: unknown): string =>
  value === null
    ? "null"
    : Array.isArray(value)
      ? "a list"
      : typeof value === "string"
        ? "text"
        : typeof value === "number"
          ? "a number"
          : typeof value === "boolean"
            ? String(value)
            : "an object"

/** Examples of the objects a list holds, by the key of the list. */
const itemShapes: Readonly<Record<string, string>> = {
  sort: '{"column": "Revenue", "order": "desc"}',
  runtimeFilters: '{"column": "Region", "op": "EQ", "values": ["West"]}',
  exports: '{"type": "answer", "id": "Revenue by Month"}'
}

/**
 * A value of the wrong JSON type (`Expected number` from the schema), said with what it is and what to write
 * instead; `undefined` for other messages.
 */
const wrongType = (expected: string, path: ReadonlyArray<PropertyKey>, document: unknown): string | undefined => {
  const value = valueAt(document, path)
  const kind = kindOfValue(value)
  const quoted = typeof value === "string"
  const unset = value === null ? " (or leave the key out)" : ""
  const listKey = path.at(-2)
  switch (expected) {
    case "Expected string":
      return `must be text in double quotes, not ${kind}${Array.isArray(value) ? " (this key takes one)" : unset}`
    case "Expected number":
      return quoted && value.trim() !== "" && Number.isFinite(Number(value))
        ? "must be a number, not text: write it without the quotes"
        : `must be a number, not ${kind}${unset}`
    case "Expected an integer":
      return "must be a whole number"
    case "Expected boolean":
      return quoted && ["true", "false"].includes(value.trim().toLowerCase())
        ? "must be true or false, not text: write it without the quotes"
        : `must be true or false, not ${kind}${unset}`
    case "Expected array":
      return path.length === 1 && path[0] === "exports"
        ? `must be a list of exports in [ ], not ${kind}: "exports": [${itemShapes.exports}, …]`
        : `must be a list in [ ], not ${kind}${quoted ? `: write [${itemShapes[String(path.at(-1))] ?? '"…"'}], even for one item` : unset}`
    case "Expected object":
      return typeof listKey === "string" && itemShapes[listKey] !== undefined
        ? `must be an object, not ${kind}: ${itemShapes[listKey]}`
        : `must be an object in { }, not ${kind}${unset}`
  }
  const literal = /^Expected (\d+)$/.exec(expected)
  return literal === null
    ? undefined
    : `must be ${literal[1]}, the version of the job file format this spotpipe reads (or leave it out)`
}

const problemsOf = (issue: SchemaIssue.Issue, document: unknown): Array<JobFileProblem> =>
  SchemaIssue.makeFormatterStandardSchemaV1()(issue).issues.map((item) => {
    const path = (item.path ?? []).map((p) => (typeof p === "object" && p !== null && "key" in p ? p.key : p))
    const at = renderPath(path)
    if (item.message === "Expected no excess property") {
      const key = path.at(-1)
      const keys = keysAt(path.slice(0, -1), document)
      // The object an export reads, under another word (`"name": "Revenue by Month"`): spelling is not the
      // mistake, so the closest spellings ("fileNames") would mislead.
      const holder = typeof key === "string" ? objectKeyFor(key, keys) : undefined
      if (holder !== undefined) {
        const what = holder === "table" ? "table's or model's" : `${exportTypeOf(document, path[1]) ?? "object"}'s`
        return { path: at, message: `unknown key: the ${what} GUID or exact name goes in "${holder}"` }
      }
      // A flag's name (`"viz"`, `"page-size"`): the key a job file writes for it, and where that one goes.
      const flagKey = typeof key === "string" ? flagKeys[key.replace(/^-+/, "")] : undefined
      if (flagKey !== undefined) {
        const there = keys.includes(flagKey) ? undefined : elsewhere(flagKey, path.slice(0, -1), document)
        return {
          path: at,
          message: `unknown key: a job file writes the flag --${String(key).replace(/^-+/, "")} as "${flagKey}"${there === undefined ? "" : `, and ${there}`}`
        }
      }
      // A key of another export type or block (`"visualizations"` on a search, `"host"` beside "exports").
      const belongs = typeof key === "string" ? elsewhere(key, path.slice(0, -1), document) : undefined
      if (belongs !== undefined) return { path: at, message: `unknown key here: ${belongs}` }
      const near = typeof key === "string" ? closest(key, keys) : []
      return { path: at, message: `unknown key: remove it (or check its spelling)${didYouMean(near)}` }
    }
    if (item.message === "Missing key") return { path: at, message: "is required" }
    // The whole document something else (a bare list of exports): say what it must be, not "Expected object".
    if (at === "" && item.message === "Expected object") {
      return { path: at, message: 'must be a JSON object with the list of exports: {"exports": [{"type": …}, …]}' }
    }
    // A union failure names every alternative; say what the `type` field should be instead.
    if (/^exports\[\d+\]$/.test(at) && item.message.startsWith("Expected")) {
      const entry = (document as { exports: ReadonlyArray<unknown> }).exports[path[1] as number]
      const type = typeof entry === "object" && entry !== null ? (entry as { type?: unknown }).type : undefined
      const known =
        typeof type === "string" &&
        ["metadata", "answer", "liveboard", "search", "tml", "principals", "permissions", "audit"].includes(type)
      return {
        path: at,
        message:
          typeof entry !== "object" || entry === null || Array.isArray(entry)
            ? "must be an object"
            : known
              ? "is not valid"
              : `${exportTypes}${typeof type === "string" ? didYouMean(closest(type, exportTypeNames)) : ""}`
      }
    }
    return { path: at, message: wrongType(item.message, path, document) ?? item.message }
  })

const decodeJob = Schema.decodeUnknownExit(JobFileSchema)

/** A stable JSON text of `value` (object keys sorted) for fingerprints. */
export const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`
  }
  return JSON.stringify(value)
}

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex")

/** The output name an export gets when the job file gives none. */
export const defaultOutputName = (spec: ExportSpec): string => {
  switch (spec.type) {
    case "metadata":
      return `metadata-${spec.metadataTypes.map((t) => t.toLowerCase()).join("-")}`
    case "answer":
      return `answer-${spec.id}`
    case "liveboard":
      return `liveboard-${spec.id}`
    case "search":
      return `search-${spec.table}`
    case "audit":
      return "audit-log"
    case "tml":
    case "principals":
    case "permissions":
      return spec.type
  }
}

/** The run-wide `defaults`. */
const DefaultsSpec = Schema.Struct(settingsFields)
type Defaults = typeof DefaultsSpec.Type

const decodeExport = Schema.decodeUnknownExit(ExportSpec)
const decodeLoad = Schema.decodeUnknownExit(LoadSpec)
const decodeDefault = Object.fromEntries(
  Object.entries(settingsFields).map(([key, field]) => [key, Schema.decodeUnknownExit(Schema.Struct({ [key]: field }))])
)

/**
 * The parts of a job document that decode on their own: each export (`undefined` where it does not), and each
 * `defaults` setting, with the ones given but not valid in `unsure`. The checks between fields run on these, so
 * that one mistake does not hide the others; `complete` when every export and setting decoded.
 */
const decodeParts = (document: unknown) => {
  const asObject = (value: unknown): Record<string, unknown> | undefined =>
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  const whole = asObject(document) ?? {}
  const given = whole.exports
  const exports = Array.isArray(given)
    ? given.map((entry) => {
        const decoded = decodeExport(entry, { onExcessProperty: "error" })
        return Exit.isSuccess(decoded) ? decoded.value : undefined
      })
    : []
  const written = whole.defaults === undefined ? {} : asObject(whole.defaults)
  const defaults: Record<string, unknown> = {}
  const unsure = new Set<keyof Defaults>()
  for (const key of Object.keys(settingsFields) as ReadonlyArray<keyof Defaults>) {
    if (written === undefined) {
      unsure.add(key)
      continue
    }
    if (written[key] === undefined) continue
    const decoded = decodeDefault[key]!({ [key]: written[key] })
    if (Exit.isSuccess(decoded)) defaults[key] = (decoded.value as Record<string, unknown>)[key]
    else unsure.add(key)
  }
  return {
    exports,
    defaults: defaults as Defaults,
    unsure,
    loads: whole.load !== undefined,
    /** The `load` block when it is valid (`undefined` also when it is not). */
    load: (() => {
      const decoded = whole.load === undefined ? undefined : decodeLoad(whole.load, { onExcessProperty: "error" })
      return decoded !== undefined && Exit.isSuccess(decoded) ? decoded.value : undefined
    })(),
    complete: exports.length > 0 && exports.every((spec) => spec !== undefined) && unsure.size === 0
  }
}

/**
 * `problems` in the order their places come in `document`: by top-level key as written, then by export, each
 * place's own in the order found.
 */
const inDocumentOrder = (problems: ReadonlyArray<JobFileProblem>, document: unknown): Array<JobFileProblem> => {
  const keys = typeof document === "object" && document !== null ? Object.keys(document) : []
  const rank = (path: string): [number, number] => {
    const top = /^[^.[]*/.exec(path)![0]
    const at = keys.indexOf(top)
    return [at === -1 ? keys.length : at, Number(/^exports\[(\d+)\]/.exec(path)?.[1] ?? -1)]
  }
  return problems
    .map((problem, i) => ({ problem, i, rank: rank(problem.path) }))
    .sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.i - b.i)
    .map((entry) => entry.problem)
}

/** The columns of an export's file that are known before anything is read: those of a listing or the audit log. */
const columnsKnownAhead = (spec: ExportSpec, columnNames: ColumnNames): ReadonlyArray<string> | undefined => {
  const columns = spec.type === "metadata" ? metadataColumns : spec.type === "audit" ? auditColumns : undefined
  if (columns === undefined) return undefined
  const names = columns.map((c) => c.name)
  return columnNames === "snake" ? distinctSnakeNames(names) : names
}

/**
 * The merge keys of a job that loads with `"mode": "merge"`: every export that writes tables needs one (its own
 * `loadKey` or the load's `key`), a `loadKey` is for a merge only, and a key column an export's file is known not to
 * have (a metadata listing's, the audit log's columns are fixed) is said now rather than after every export ran.
 * Checked when the load block and the exports are valid.
 */
const loadKeyProblems = (
  exports: ReadonlyArray<{ readonly spec: ExportSpec; readonly index: number }>,
  load: LoadSpec | undefined,
  loads: boolean,
  columnNamesOf: (spec: ExportSpec) => ColumnNames | undefined
): Array<JobFileProblem> => {
  const problems: Array<JobFileProblem> = []
  const tables = exports.filter(({ spec }) => spec.type !== "tml") as ReadonlyArray<{
    readonly spec: Exclude<ExportSpec, { readonly type: "tml" }>
    readonly index: number
  }>
  const merges = load?.mode === "merge"
  for (const { spec, index } of tables) {
    if (spec.loadKey === undefined || merges) continue
    // A load block that is not valid is reported as such: whether it merges is not known yet.
    if (loads && load === undefined) continue
    problems.push({
      path: `exports[${index}].loadKey`,
      message:
        load === undefined
          ? `is the key this export's tables are merged by, and the job has no "load": remove it (or add "load": {"into": …, "mode": "merge"})`
          : `is the key this export's tables are merged by, and the job's load does not merge ("mode" is ${load.mode ?? "replace"}): remove it, or set "mode": "merge" in "load"`
    })
  }
  if (!merges) return problems
  const keyless = tables.filter(({ spec }) => spec.loadKey === undefined && load.key === undefined)
  if (keyless.length > 0 && keyless.length === tables.length) {
    problems.push({
      path: "load",
      message:
        '"mode": "merge" needs the key columns rows are matched on: add "key": ["…"] here (for every export), or "loadKey": ["…"] to each export'
    })
  } else {
    for (const { index } of keyless) {
      problems.push({
        path: `exports[${index}]`,
        message: `has no "loadKey", and "load" has no "key": a merge needs the key columns of every export's tables; add "loadKey": ["…"]`
      })
    }
  }
  for (const { spec, index } of tables) {
    const key = spec.loadKey ?? load.key
    const columnNames = columnNamesOf(spec)
    const known = key === undefined || columnNames === undefined ? undefined : columnsKnownAhead(spec, columnNames)
    const missing = known === undefined ? [] : key!.filter((column) => !known.includes(column))
    if (missing.length === 0) continue
    const named = missing.map(
      (column) => `"${column}"${didYouMean(closest(column, known!)).replace(/^; (.*)$/, " ($1)")}`
    )
    const own = spec.loadKey !== undefined
    problems.push({
      path: own ? `exports[${index}].loadKey` : `exports[${index}]`,
      message: `${own ? "names" : 'is merged by "load"\'s "key", which names'} ${missing.length === 1 ? "a column" : "columns"} ${named.join(", ")} that ${article(spec.type)} ${spec.type} export's file does not have: its columns are ${known!.join(", ")}${own ? "" : '; give this export its own "loadKey"'}`
    })
  }
  return problems
}

/** How a user and password written into `connection.host` are given instead, in a job file's terms. */
const hostCredentials =
  'name the user with "username" (or "usernameEnv") and the variable that holds the password with "passwordEnv" in "connection"'

/**
 * A `connection.host` that can be no cluster's address (no http(s) URL, a user and password in it, a query, the API
 * path), by the rule every host is held to (HostUrl.ts); plain `http://` is left for the run to judge, since
 * `--allow-insecure-http` may permit it. The value is never repeated.
 */
const hostProblems = (document: unknown): ReadonlyArray<JobFileProblem> => {
  const host = valueAt(document, ["connection", "host"])
  if (typeof host !== "string" || host === "") return []
  const checked = checkHostUrl(host, true, hostCredentials)
  return checked._tag === "Refused" ? [{ path: "connection.host", message: checked.message }] : []
}

/**
 * Decodes an already-parsed JSON document into a {@link Job}. Every mistake found is reported at once: inline
 * secrets (by their path only), each field's own problems, and the checks between fields run on the exports and
 * defaults that are valid. Two checks need the whole job valid first, since they depend on every export: a
 * `defaults` setting no export takes, and a folder named as another export's file.
 */
export const decodeJobDocument = (document: unknown, file: string): Exit.Exit<Job, JobFileError> => {
  const problems: Array<JobFileProblem> = []
  // Checked without its secret keys, so that these are reported once, as secrets, and everything else as well.
  const cleaned = withoutInlineSecrets(document, "", problems)
  const decoded = decodeJob(cleaned, { errors: "all", onExcessProperty: "error" })
  if (Exit.isFailure(decoded)) {
    const error = decoded.cause.reasons.find((r) => r._tag === "Fail")
    const found = error !== undefined && error._tag === "Fail" ? problemsOf(error.error.issue, cleaned) : []
    problems.push(...(found.length > 0 ? found : [{ path: "", message: "is not a job file" }]))
  }
  problems.push(...hostProblems(cleaned))
  const parts = decodeParts(cleaned)
  const defaults = parts.defaults
  // Two exports whose output names are the same once sanitized (ignoring case) would overwrite each other or be
  // renamed behind the user's back: when either name was given as `output`, that is refused. Default names that
  // collide (the same answer in two formats) each get a hash of their export's identity (`identityOf`), as
  // namesake objects get their GUID's (`placeFileNames`), so that reordering the job moves no file or table.
  const firstWithName = new Map<string, number>()
  const firstWithSettings = new Map<string, number>()
  // `undefined`: it comes from a default that is not valid, so the checks that need it wait until it is.
  const fileNamesOf = (spec: ExportSpec) =>
    spec.fileNames ?? (parts.unsure.has("fileNames") ? undefined : (defaults.fileNames ?? "original"))
  // A TML export writes documents: YAML unless it says JSON; the row formats' default is not for it.
  const formatOf = (spec: ExportSpec): ExportFormat | undefined =>
    spec.type === "tml"
      ? (spec.format ?? "yaml")
      : (spec.format ?? (parts.unsure.has("format") ? undefined : (defaults.format ?? "csv")))
  const valid = parts.exports.flatMap((spec, index) => (spec === undefined ? [] : [{ spec, index }]))
  // An export's identity: what it reads, and every setting as it resolves (written on the export or taken from
  // "defaults"), so neither its place in the job nor the other exports. Two exports with one identity are the same
  // export (refused below). Namesakes are told apart by a hash of theirs without the starting point, as watermarks
  // are (Watermark.ts), so that a first run's date followed by `"since": "last"` keeps the file and its watermark.
  // Only once every default is valid.
  const identityOf = (spec: ExportSpec, startingPoint = true): string => {
    const {
      strict: _s,
      format: _f,
      timezone: _t,
      pageSize: _p,
      columnNames: _c,
      fileNames: _n,
      nullString: _z,
      loadKey: _k,
      ...reads
    } = spec as ExportSpec & { readonly loadKey?: unknown }
    const { since: _since, modifiedSince: _modified, until: _until, ...started } = reads as Record<string, unknown>
    const format = formatOf(spec)
    // A liveboard's visualizations are written alike in any order they are listed in: one identity.
    const inAnyOrder = (read: Record<string, unknown>) =>
      Array.isArray(read.visualizations) ? { ...read, visualizations: [...read.visualizations].sort() } : read
    return canonicalJson({
      reads: inAnyOrder(startingPoint ? reads : started),
      format,
      timezone: spec.timezone ?? defaults.timezone,
      pageSize: spec.pageSize ?? defaults.pageSize,
      columnNames: spec.columnNames ?? defaults.columnNames,
      fileNames: fileNamesOf(spec),
      nullString: format === "csv" ? (spec.nullString ?? defaults.nullString) : undefined
    })
  }
  valid.forEach(({ spec, index }) => {
    const format = formatOf(spec)
    if ("split" in spec && spec.split !== undefined && parts.loads) {
      problems.push({
        path: `exports[${index}].split`,
        message: `a split export's parts are no tables until they are merged: remove "load" and run spotpipe merge, then spotpipe load, after every shard finished (or remove "split")`
      })
    }
    if ("split" in spec && spec.split !== undefined && format === "parquet") {
      problems.push({
        path: `exports[${index}].split`,
        message: `applies to CSV and NDJSON (a Parquet file is not a concatenation of parts, so its parts could not be merged): remove it, or set "format": "csv" or "ndjson"`
      })
    }
    const incremental = spec.type === "search" || spec.type === "answer" || spec.type === "liveboard"
    if (incremental && (spec.sinceColumn === undefined) !== (spec.since === undefined)) {
      problems.push({
        path: `exports[${index}].${spec.since === undefined ? "since" : "sinceColumn"}`,
        message: `is required with "${spec.since === undefined ? "sinceColumn" : "since"}": an incremental ${spec.type} names its column and where it starts ("sinceColumn": "Order Date", "since": "2025-01-01" or "last")`
      })
    }
    if (
      (spec.type === "search" || spec.type === "answer") &&
      spec.sinceColumn !== undefined &&
      spec.split !== undefined
    ) {
      problems.push({
        path: `exports[${index}].split`,
        message: `cannot go with "sinceColumn": the parts of an incremental ${spec.type} would each start from their own watermark; remove one of them`
      })
    }
    const sortProblem = spec.type === "search" ? searchSortProblem(spec.query, spec.sort) : undefined
    if (sortProblem !== undefined) problems.push({ path: `exports[${index}].sort`, message: sortProblem })
    if (spec.type === "search" && spec.since?.includes("'") === true) {
      problems.push({
        path: `exports[${index}].since`,
        message: "must not hold a single quote (the value goes between single quotes in the search query)"
      })
    }
    if (spec.nullString !== undefined && format !== undefined && format !== "csv") {
      problems.push({
        path: `exports[${index}].nullString`,
        message: `applies to CSV only (the other formats write a null as null): remove it, or set "format": "csv"`
      })
    }
    const outputProblem =
      spec.output === undefined || format === undefined ? undefined : outputNameProblem(spec.output, format, spec.type)
    if (outputProblem !== undefined) problems.push({ path: `exports[${index}].output`, message: outputProblem })
    const fileNames = fileNamesOf(spec)
    const name =
      fileNames === undefined
        ? undefined
        : baseFileName(spec.output ?? defaultOutputName(spec), fileNames).toLowerCase()
    const earlier = name === undefined ? undefined : firstWithName.get(name)
    if (name !== undefined && earlier === undefined) {
      firstWithName.set(name, index)
    } else if (earlier !== undefined && (spec.output !== undefined || parts.exports[earlier]!.output !== undefined)) {
      problems.push({
        path: `exports[${index}]${spec.output === undefined ? "" : ".output"}`,
        message: `has the same output name as exports[${earlier}] (names are compared sanitized and ignoring case): give each export its own "output"`
      })
    }
    // The same export twice (a line copied and not changed) would write the same rows again under a second name.
    if (spec.output === undefined && parts.unsure.size === 0) {
      const same = identityOf(spec)
      const twin = firstWithSettings.get(same)
      if (twin === undefined) firstWithSettings.set(same, index)
      else {
        problems.push({
          path: `exports[${index}]`,
          message: `is the same export as exports[${twin}], with the same settings: it would write the same file a second time; remove one (or give it an "output" of its own if both copies are wanted)`
        })
      }
    }
  })
  problems.push(
    ...loadKeyProblems(
      valid,
      parts.load,
      parts.loads,
      (spec) => spec.columnNames ?? (parts.unsure.has("columnNames") ? undefined : (defaults.columnNames ?? "original"))
    )
  )
  // Which exports take a default, and each export's name, depend on them all: checked once all are valid.
  const refused = () =>
    Exit.fail(new JobFileError({ file, problems: withOutputNames(inDocumentOrder(problems, document), document) }))
  if (!parts.complete) return refused()
  const specs = parts.exports as ReadonlyArray<ExportSpec>
  // A default no export takes: a setting its user meant for some export that it does not reach.
  for (const key of Object.keys(defaults) as ReadonlyArray<keyof typeof defaults>) {
    const takes = (spec: ExportSpec) =>
      spec[key] === undefined &&
      (key === "format" ? spec.type !== "tml" : key === "nullString" ? formatOf(spec) === "csv" : true)
    if (!specs.some(takes)) {
      const or =
        key === "format"
          ? ' or is a tml export (written as "yaml" unless it sets "format": "json")'
          : key === "nullString"
            ? " or writes no CSV (a null string is for CSV only)"
            : ""
      problems.push({
        path: `defaults.${key}`,
        message: `no export takes it: every export sets its own "${key}"${or}; remove it from "defaults" (or leave it out of an export that should take it)`
      })
    }
  }
  // Every format and file-name style is known here: `parts` is complete. A given `output` is kept as written (two
  // alike are refused above); default names are placed around them by identity, never by position, so that every
  // shard of a job computes the same names. Placed without extension so that `x.csv` and `x.ndjson` of two exports
  // cannot share a key.
  const givenKey = (spec: ExportSpec) => baseFileName(spec.output!, fileNamesOf(spec)!)
  const named = specs.filter((spec) => spec.output !== undefined)
  const unnamed = specs.filter((spec) => spec.output === undefined)
  const placed = placeFileNames(
    unnamed.map((spec) => ({
      name: defaultOutputName(spec),
      identity: sha256(identityOf(spec, false)),
      style: fileNamesOf(spec)!
    })),
    "x",
    "original",
    named.map((spec) => `${givenKey(spec)}.x`)
  )
  const defaultKeys = new Map(unnamed.map((spec, i) => [spec, placed[i]!.slice(0, -2)]))
  // Namesakes that differ in their starting point alone could only be told apart by their order in the job.
  const firstWithIdentity = new Map<string, number>()
  for (const spec of unnamed) {
    const index = specs.indexOf(spec)
    const identity = identityOf(spec, false)
    const earlier = firstWithIdentity.get(identity)
    if (earlier === undefined) firstWithIdentity.set(identity, index)
    // The same starting point too: the same export, refused above.
    else if (identityOf(specs[earlier]!) !== identityOf(spec)) {
      problems.push({
        path: `exports[${index}]`,
        message: `differs from exports[${earlier}] only in where it starts ("since", "modifiedSince" or "until"), so their files could be told apart only by their order in the job, and a reordered job would swap them: give each its own "output"`
      })
    }
  }
  // A split export is one entry per part, in order, so the shards of a job share its parts like any exports.
  const exports = specs.flatMap((spec, index) => {
    const key = spec.output === undefined ? defaultKeys.get(spec)! : givenKey(spec)
    const count = "split" in spec ? (spec.split ?? 1) : 1
    return Array.from({ length: count }, (_, p) => {
      const part = count === 1 ? undefined : { index: p + 1, count }
      return makeExport({
        index,
        givenIn: "job file",
        key: part === undefined ? key : key + partSuffix(part),
        what: describeExport(spec, index) + (part === undefined ? "" : ` part ${part.index} of ${count}`),
        ...(part === undefined ? {} : { part }),
        spec,
        format: formatOf(spec)!,
        timezone: spec.timezone ?? defaults.timezone,
        pageSize: spec.pageSize ?? defaults.pageSize ?? defaultPageSize,
        strict: spec.strict ?? defaults.strict ?? false,
        columnNames: spec.columnNames ?? defaults.columnNames ?? "original",
        fileNames: fileNamesOf(spec)!,
        // A default null string is for the CSV exports; an export's own on NDJSON is refused above.
        nullString: formatOf(spec) === "csv" ? (spec.nullString ?? defaults.nullString ?? "") : ""
      })
    })
  })
  // A folder of one export (a liveboard's, TML's, principals') named as another export's file (`"output": "x.csv"`
  // beside an answer's `x`): the second to write would fail once the first had written.
  const writesFolder = (e: JobExport) =>
    e.spec.type === "liveboard" || e.spec.type === "tml" || e.spec.type === "principals"
  const fileOf = new Map(
    exports.filter((e) => !writesFolder(e)).map((e) => [`${e.key}.${e.format}`.toLowerCase(), e.index] as const)
  )
  const inTheWay = exports.flatMap((e) => {
    const other = writesFolder(e) ? fileOf.get(e.key!.toLowerCase()) : undefined
    return other === undefined
      ? []
      : [
          {
            path: `exports[${e.index}]${e.spec.output === undefined ? "" : ".output"}`,
            message: `names its folder as exports[${other}] names its file (names are compared ignoring case): give each export its own "output"`
          }
        ]
  })
  problems.push(...inTheWay)
  if (problems.length > 0 || Exit.isFailure(decoded)) return refused()
  const job = decoded.value
  const connection = job.connection ?? {}
  return Exit.succeed({
    connection,
    client: job.client ?? {},
    ...(job.load === undefined ? {} : { load: job.load }),
    ...(job.orgs === undefined ? {} : { orgs: job.orgs }),
    exports,
    fingerprint: sha256(canonicalJson({ connection, exports: exports.map((e) => [e.key, e.fingerprint]) }))
  })
}

/**
 * Where the JSON text `text` first goes wrong (an offset; `text.length` when it ends too early), or `undefined` when
 * this scan finds no fault (or the text nests too deep for it).
 */
export const syntaxErrorOffset = (text: string): number | undefined => {
  let i = 0
  const fault = new Error("fault")
  const space = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++
  }
  const expect = (char: string) => {
    if (text[i] !== char) throw fault
    i++
  }
  const word = (literal: string) => {
    for (const char of literal) expect(char)
  }
  const string = () => {
    expect('"')
    for (;;) {
      if (i >= text.length || text.charCodeAt(i) < 0x20) throw fault
      const char = text[i++]
      if (char === '"') return
      if (char === "\\") {
        const escaped = text[i]
        if (escaped === "u") {
          i++
          for (let k = 0; k < 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i] ?? "")) throw fault
            i++
          }
        } else if (escaped !== undefined && '"\\/bfnrt'.includes(escaped)) i++
        else throw fault
      }
    }
  }
  const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
  const members = (close: string, member: () => void) => {
    i++
    space()
    if (text[i] === close) {
      i++
      return
    }
    for (;;) {
      member()
      space()
      if (text[i] !== ",") break
      i++
      space()
    }
    expect(close)
  }
  const value = (): void => {
    space()
    switch (text[i]) {
      case "{":
        members("}", () => {
          string()
          space()
          expect(":")
          value()
        })
        break
      case "[":
        members("]", value)
        break
      case '"':
        string()
        break
      case "t":
        word("true")
        break
      case "f":
        word("false")
        break
      case "n":
        word("null")
        break
      default:
        number.lastIndex = i
        if (number.exec(text) === null) throw fault
        i = number.lastIndex
    }
  }
  try {
    value()
    space()
    return i < text.length ? i : undefined
  } catch (error) {
    if (error === fault) return Math.min(i, text.length)
    return undefined
  }
}

/** A job file's smallest form, for messages about a file that is no JSON job at all. */
const jobExample = '{"exports": [{"type": "answer", "id": "Revenue by Month"}]}'

/**
 * What makes `text` no JSON document at all, before any syntax is read: nothing in it, UTF-16 (read as UTF-8), or
 * YAML; `undefined` otherwise.
 */
const notJsonText = (text: string): string | undefined => {
  if (text.trim() === "") return `is empty: write the job as JSON, e.g. ${jobExample}`
  // UTF-16 read as UTF-8: its byte-order mark becomes two replacement characters, its ASCII NUL-separated.
  if (text.startsWith("\uFFFD\uFFFD") || text.includes("\u0000")) {
    return "is not UTF-8 text (it looks like UTF-16, as Windows PowerShell's > writes files): save it as UTF-8"
  }
  const start = text.trimStart()
  // YAML's document start, a top-level `key:` or a list item `- `: not a JSON document, which starts { or [.
  if (/^(---|%YAML|#|- |[A-Za-z_][\w-]*\s*:(\s|$))/.test(start)) {
    return `looks like YAML, but a job file is JSON: write the job as JSON, e.g. ${jobExample}`
  }
  return undefined
}

/** Why the JSON text goes wrong at `offset`, for the habits JSON5 and YAML teach (comments, trailing commas). */
const syntaxHint = (text: string, offset: number): { readonly at: number; readonly hint: string } => {
  const here = text.slice(offset)
  if (here.startsWith("//") || here.startsWith("/*")) {
    return { at: offset, hint: "JSON has no comments: remove the comment" }
  }
  const before = text.slice(0, offset).trimEnd()
  if ((here.startsWith("]") || here.startsWith("}")) && before.endsWith(",")) {
    return { at: before.length - 1, hint: "JSON has no comma after the last item: remove this comma" }
  }
  if (here.startsWith("'")) return { at: offset, hint: 'JSON text and keys go in double quotes ("…"), not single ones' }
  if (/^[A-Za-z_$]/.test(here) && /[{,]$/.test(before)) {
    return { at: offset, hint: 'a key or text without quotes: JSON writes keys and text in double quotes ("exports")' }
  }
  return { at: offset, hint: "fix the syntax" }
}

/**
 * Parses job-file text: JSON syntax errors, inline secrets and every bad field are reported together; an empty
 * file, UTF-16 text or YAML is said to be what it is.
 */
export const parseJobFile = (given: string, file: string): Exit.Exit<Job, JobFileError> => {
  // A UTF-8 byte-order mark (some Windows editors write one) is no part of the document (RFC 8259 lets a parser
  // ignore it), and the CLI's UTF-8 reading drops it already: the same text parses the same either way.
  const text = given.startsWith("\uFEFF") ? given.slice(1) : given
  const notJson = notJsonText(text)
  if (notJson !== undefined) return Exit.fail(new JobFileError({ file, problems: [{ path: "", message: notJson }] }))
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    // Only the position is reported (V8's message quotes file text, which could be a secret), found by a scan of
    // our own: V8 names no position for an unexpected token or the end of the text.
    const offset = syntaxErrorOffset(text)
    let where = ""
    let hint = "fix the syntax"
    if (offset !== undefined) {
      const found = syntaxHint(text, offset)
      hint = found.hint
      const before = text.slice(0, found.at)
      const line = before.split("\n").length
      where = ` at line ${line}, column ${before.length - before.lastIndexOf("\n")}`
    }
    return Exit.fail(
      new JobFileError({ file, problems: [{ path: "", message: `is not valid JSON${where}; ${hint}` }] })
    )
  }
  // JSON.parse keeps the last of two equal keys and drops the first without a word: a second "exports" list would
  // leave the first one's exports out of the run.
  const twice = duplicateKeys(text).map((path) => ({
    path,
    message: "is given twice in one object, and only the last would count: keep one (merge the two if both matter)"
  }))
  const decoded = decodeJobDocument(document, file)
  if (twice.length === 0) return decoded
  // The rest of the document is checked as JSON reads it (the last of two equal keys), reported with them.
  const more = Exit.isFailure(decoded) ? Option.getOrUndefined(Cause.findErrorOption(decoded.cause)) : undefined
  return Exit.fail(new JobFileError({ file, problems: [...twice, ...(more?.problems ?? [])] }))
}

/**
 * The paths (`exports[1].format`) of the keys that occur twice in one object of the valid JSON text `text`, in
 * text order; none when it nests too deep for this scan.
 */
export const duplicateKeys = (text: string): ReadonlyArray<string> => {
  let i = 0
  const found: Array<string> = []
  const space = () => {
    while (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r") i++
  }
  const string = (): string => {
    const start = i++
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1
    i++
    return JSON.parse(text.slice(start, i)) as string
  }
  const value = (path: string): void => {
    space()
    const open = text[i]
    if (open === "{" || open === "[") {
      i++
      space()
      const keys = open === "{" ? new Set<string>() : undefined
      for (let n = 0; i < text.length && text[i] !== (open === "{" ? "}" : "]"); n++) {
        let at = `${path}[${n}]`
        if (keys !== undefined) {
          space()
          const key = string()
          at = path === "" ? key : `${path}.${key}`
          if (keys.has(key)) found.push(at)
          keys.add(key)
          space()
          i++ // the colon
        }
        value(at)
        space()
        if (text[i] === ",") i++
        space()
      }
      i++
    } else if (open === '"') string()
    else while (i < text.length && !",]} \t\n\r".includes(text[i]!)) i++
  }
  try {
    value("")
  } catch {
    return []
  }
  return found
}
