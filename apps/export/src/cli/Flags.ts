/**
 * The command line's flags, typed, in groups that each command spreads into its own flag list: connection, time
 * limits, one export's output, how files are written, logging, and `spotpipe run`'s own. Whatever one flag can
 * check on its own is checked as it is parsed (choices, ranges, empty values), so a bad value is a usage error
 * (exit 2) before any request, with a message that says what to do; checks that need several flags live in
 * Settings.ts. Choices are matched ignoring case (`--format CSV`). Secrets have no flag (see Connection.ts).
 */
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { Effect, Exit, FileSystem } from "effect"
import { Argument, CliError, Flag, GlobalFlag } from "effect/cli"
import { metadataTypes } from "../cluster/Cluster.ts"
import { nullStringProblem } from "../formats/CsvFormat.ts"
import { formats } from "../formats/RowFormat.ts"
import { loadModes } from "../LoadTarget.ts"
import { maxLockTimeoutSeconds } from "../load/LockTimeout.ts"
import { type Dialect, dialectNamed, dialects } from "../load/Warehouse.ts"
import { errnoCode, readProblem } from "../output/OutputFolder.ts"
import { defaultAdminTypes, filterNames, type Job, parseJobFile, permissionTypes, tmlTypes } from "../plan/JobFile.ts"
import * as Shard from "../plan/Shard.ts"
import { closest, didYouMean } from "../Suggest.ts"
import {
  defaultDeadlineSeconds,
  defaultTimeoutSeconds,
  maxConcurrency,
  maxDeadlineSeconds,
  maxPageSize,
  maxTimeoutSeconds,
  maxWorkers
} from "./Settings.ts"

/** `flag` with its `--help` text. */
export const described = <A>(flag: Flag.Flag<A>, description: string) => flag.pipe(Flag.withDescription(description))

/** A switch, off unless given. */
const toggle = (name: string, description: string) =>
  described(Flag.Boolean(name).pipe(Flag.withDefault(false)), description)

/**
 * A value a flag or argument refuses. Its message is ours, whole: effect/cli's own would wrap it in
 * `Invalid value for flag --x: "…". Expected: …`, which says the same thing twice.
 */
export class RefusedValue extends CliError.InvalidValue {
  override get message(): string {
    return this.expected
  }
}

const refuse = (name: string, kind: "flag" | "argument", value: string, message: string) =>
  new RefusedValue({ option: name, value, expected: message, kind })

/** `flag`'s value through `check`, which returns the new value or the message to refuse it with. */
const refine =
  <A, B>(name: string, check: (a: A) => { readonly ok: B } | { readonly refused: string }) =>
  (flag: Flag.Flag<A>): Flag.Flag<B> =>
    Flag.mapEffect(flag, (a) => {
      const checked = check(a)
      return "ok" in checked
        ? Effect.succeed(checked.ok)
        : Effect.fail(refuse(name, "flag", String(a), checked.refused))
    })

/**
 * A flag that takes one of `choices` (matched ignoring case) and yields the value paired with it; any other value
 * is refused with `help(value)`. Help shows the choices as the flag's type (`--format csv|ndjson`).
 */
const choice = <const C extends ReadonlyArray<readonly [string, unknown]>>(
  name: string,
  choices: C,
  help: (value: string) => string
): Flag.Flag<C[number][1]> =>
  Flag.String(name).pipe(
    refine(name, (text: string) => {
      const found = choices.find(([key]) => key === text.toLowerCase())
      const keys = choices.map(([key]) => key)
      return found === undefined
        ? { refused: `${help(text)}${didYouMean(closest(text, keys, 1))}` }
        : { ok: found[1] as C[number][1] }
    }),
    Flag.withMetavar(choices.map(([key]) => key).join("|"))
  )

/**
 * A whole number from `min` to `max`; anything else (`1.5`, `many`, out of range) is refused with a message that
 * names the setting (`label`) and what to use (`advice`). effect/cli's `Flag.Int` would answer "Expected a string
 * representing a finite number".
 */
const wholeNumber = (name: string, label: string, min: number, max: number, advice: string) =>
  Flag.String(name).pipe(
    refine(name, (text: string) => {
      const trimmed = text.trim()
      const n = Number(trimmed)
      if (!/^[+-]?\d+$/.test(trimmed)) return { refused: `${label} "${text}" is not a whole number: ${advice}` }
      return n >= min && n <= max ? { ok: n } : { refused: `${label} ${n} is out of range: ${advice}` }
    }),
    Flag.withMetavar("integer")
  )

/**
 * `~` or `~/…` at the start of a folder's path is the home folder, as the shell would have made it had it seen the
 * word alone: it leaves `--out=~/landing` as it is, which would otherwise create a folder named `~` here.
 */
export const homeExpanded = (path: string): string =>
  path === "~" || path.startsWith("~/") ? NodePath.join(NodeOs.homedir(), path.slice(1)) : path

/**
 * A built-in flag's name (`-h`, `--version`) as the value of a flag that names a file or folder: the flag's value
 * was left out before it (a command line's values are taken as given, see Program.ts), so it is refused rather
 * than made a folder or file of that name. `./-h` still names one.
 */
const actionFlagAsName = (name: string, text: string): string | undefined =>
  actionFlagNames.has(text)
    ? `--${name} ${text}: ${text} is taken as the value of --${name}, not as a flag; give --${name} its value (--${name} ./${text} for a name like that), and ${text} elsewhere`
    : undefined

/** A folder flag's text, not blank (refused with `help`) nor a built-in flag's name, `~/…` under the home folder. */
const folderFlag = (name: string, help: string) =>
  Flag.String(name).pipe(
    refine(name, (text: string) => {
      if (text.trim() === "") return { refused: help }
      const asFlag = actionFlagAsName(name, text)
      return asFlag === undefined ? { ok: homeExpanded(text) } : { refused: asFlag }
    })
  )

/** Text that is not blank; blank is refused with `help`. */
const nonBlank = (name: string, help: string) =>
  Flag.String(name).pipe(refine(name, (text: string) => (text.trim() === "" ? { refused: help } : { ok: text })))

/** A required flag's text that is not blank (`--table "$T"` with the variable unset); blank is refused with `help`. */
export const nonBlankFlag = nonBlank

/** The items of a comma-separated list, trimmed, blank ones left out. */
export const parseList = (text: string): ReadonlyArray<string> =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")

/**
 * Why a list flag's `text` is refused for an empty item (`0,,1`, `ANSWER,`), if it is: most often a shell variable
 * that expanded to nothing, whose value would otherwise be left out without a word.
 */
export const emptyListItem = (flag: string, text: string): string | undefined => {
  const items = text.split(",").map((item) => item.trim())
  // A list of nothing at all is each flag's own "lists nothing".
  return items.some((item) => item === "") && items.some((item) => item !== "")
    ? `--${flag} ${JSON.stringify(text)} has an empty item (two commas in a row, or one at an end: a variable that was empty?): give each value once, separated by commas`
    : undefined
}

/** Words people use for a ThoughtSpot type, by the type's API name (tables, worksheets and models are all one). */
const typeAliases: Readonly<Record<string, string>> = {
  TABLE: "LOGICAL_TABLE",
  WORKSHEET: "LOGICAL_TABLE",
  MODEL: "LOGICAL_TABLE",
  VIEW: "LOGICAL_TABLE",
  GROUP: "USER_GROUP",
  COLUMN: "LOGICAL_COLUMN"
}

/**
 * `; did you mean "ANSWER"?` for an unknown `--type` word: its singular (`ANSWERS`), what people call it
 * (`WORKSHEET` → `LOGICAL_TABLE`), else the closest names.
 */
export const typeSuggestion = (word: string, allowed: ReadonlyArray<string>): string => {
  const singular = word.endsWith("S") ? word.slice(0, -1) : word
  const named = [typeAliases[word], typeAliases[singular], singular].find(
    (name) => name !== undefined && allowed.includes(name)
  )
  return didYouMean(named === undefined ? closest(word, allowed) : [named])
}

/** `metadata --type`: comma-separated metadata types, matched ignoring case, each one the API knows. */
export const metadataTypeFlag = described(
  Flag.String("type").pipe(
    refine("type", (text: string) => {
      const empty = emptyListItem("type", text)
      if (empty !== undefined) return { refused: empty }
      const types = parseList(text.toUpperCase())
      const unknown = types.filter((t) => !(metadataTypes as ReadonlyArray<string>).includes(t))
      return types.length === 0 || unknown.length > 0
        ? {
            refused: `unknown metadata type ${unknown.join(", ") || "(none)"}: use --type with any of ${metadataTypes.join(",")}${unknown[0] === undefined ? "" : typeSuggestion(unknown[0], metadataTypes)}`
          }
        : { ok: types as ReadonlyArray<(typeof metadataTypes)[number]> }
    }),
    Flag.withDefault<ReadonlyArray<(typeof metadataTypes)[number]>>(["LIVEBOARD", "ANSWER", "LOGICAL_TABLE"])
  ),
  `comma-separated metadata types, any of ${metadataTypes.join(", ")} (default LIVEBOARD,ANSWER,LOGICAL_TABLE)`
)

/** A comma-separated list of names or GUIDs, each once; an empty item, or no item at all, is refused. */
const nameListFlag = (name: string, metavar: string, what: string, description: string) =>
  described(
    Flag.String(name).pipe(
      refine(name, (text: string): { readonly ok: ReadonlyArray<string> } | { readonly refused: string } => {
        const empty = emptyListItem(name, text)
        if (empty !== undefined) return { refused: empty }
        const items = parseList(text)
        return items.length === 0
          ? { refused: `--${name} is empty: give ${what}, separated by commas, or leave --${name} out` }
          : { ok: filterNames(items) }
      }),
      Flag.withMetavar(metavar),
      Flag.optional
    ),
    description
  )

/**
 * `metadata` and `ls answers|liveboards|tables`: `--tag` and `--author`, sent to ThoughtSpot as `metadata/search`'s
 * `tag_identifiers` and `created_by_user_identifiers` (it filters, not the CLI).
 */
export const metadataFilterFlags = {
  tag: nameListFlag(
    "tag",
    "NAME,…",
    "one or more tag names or GUIDs",
    "only objects with any of these tags: names or GUIDs, separated by commas"
  ),
  author: nameListFlag(
    "author",
    "USER,…",
    "one or more user names or GUIDs",
    "only objects created by any of these users: names or GUIDs, separated by commas"
  )
}

/** `--orgs all|ID,…`: every active Org this user can reach, or those ids; absent: the signed-in Org only, as always. */
export type OrgsChoice = "all" | ReadonlyArray<number>

/** `--orgs`: on every exporting command and `run` (where it wins over the job file's `orgs`). */
export const orgsFlag = described(
  Flag.String("orgs").pipe(
    refine("orgs", (text: string): { readonly ok: OrgsChoice } | { readonly refused: string } => {
      if (text.trim().toLowerCase() === "all") return { ok: "all" }
      const empty = emptyListItem("orgs", text)
      if (empty !== undefined) return { refused: empty }
      const ids = parseList(text)
      const bad = ids.filter((id) => !/^\d+$/.test(id))
      return ids.length === 0 || bad.length > 0
        ? {
            refused: `--orgs takes all or Org ids separated by commas (such as 0,1482304613): ${bad.join(", ") || "none given"}`
          }
        : { ok: [...new Set(ids.map(Number))] }
    }),
    Flag.withMetavar("all|ID,…"),
    Flag.optional
  ),
  "export from every active Org (all; inactive ones are skipped, named in a warning) or these Org ids, one token per Org, each Org's files in org-<id>-<name>/ and one manifest; an Org that fails does not stop the others (default: the signed-in Org only)"
)

/** A comma-separated list of `allowed` types (matched ignoring case), `default` when absent. */
const typeListFlag = <const T extends string>(allowed: ReadonlyArray<T>, fallback: ReadonlyArray<T>, command: string) =>
  described(
    Flag.String("type").pipe(
      refine("type", (text: string) => {
        const empty = emptyListItem("type", text)
        if (empty !== undefined) return { refused: empty }
        const types = parseList(text.toUpperCase())
        const unknown = types.filter((t) => !(allowed as ReadonlyArray<string>).includes(t))
        return types.length === 0 || unknown.length > 0
          ? {
              refused: `unknown ${command} type ${unknown.join(", ") || "(none)"}: use --type with any of ${allowed.join(",")}${unknown[0] === undefined ? "" : typeSuggestion(unknown[0], allowed)}`
            }
          : { ok: [...new Set(types)] as ReadonlyArray<string> as ReadonlyArray<T> }
      }),
      Flag.withDefault<ReadonlyArray<T>>(fallback)
    ),
    `comma-separated object types, any of ${allowed.join(", ")} (default ${fallback.join(",")})`
  )

/** `tml --type`. */
export const tmlTypeFlag = typeListFlag(tmlTypes, defaultAdminTypes, "tml")

/** `permissions --type`. */
export const permissionTypeFlag = typeListFlag(permissionTypes, defaultAdminTypes, "permissions")

/** `tml --format yaml|json`. */
export const tmlFormatFlag = described(
  choice(
    "format",
    [
      ["yaml", "yaml"],
      ["json", "json"]
    ],
    (text) => `unknown TML format "${text}": use --format yaml (the default) or --format json`
  ).pipe(Flag.withDefault("yaml" as const)),
  "TML text format: yaml (.tml) or json (.tml.json) (default yaml)"
)

/** `liveboard --viz`: comma-separated visualization GUIDs or names; absent for every visualization. */
export const vizFlag = described(
  Flag.String("viz").pipe(
    refine("viz", (text: string) => {
      const empty = emptyListItem("viz", text)
      if (empty !== undefined) return { refused: empty }
      const wanted = parseList(text)
      return wanted.length === 0
        ? { refused: "--viz lists no visualization: give GUIDs or names separated by commas, or leave it out for all" }
        : { ok: wanted }
    }),
    Flag.optional
  ),
  "comma-separated visualization GUIDs or names (default: all)"
)

/** Host, user, password file, org, sandbox, plain http: where and as whom (see Connection.ts for the layering). */
export const connectionFlags = {
  // An empty value (`--host "$TS_HOST"` with the variable unset) is refused as such: taken as given, it would hide
  // the environment and the profile, and the message would ask for what is set.
  host: described(
    nonBlank(
      "host",
      "--host is empty: give the cluster's URL (--host https://acme.thoughtspot.cloud), or leave --host out to use THOUGHTSPOT_HOST or the profile's host"
    ).pipe(Flag.optional),
    "ThoughtSpot URL, e.g. https://acme.thoughtspot.cloud (default: THOUGHTSPOT_HOST)"
  ),
  username: described(
    nonBlank(
      "username",
      "--username is empty: give the ThoughtSpot user, or leave --username out to use THOUGHTSPOT_USERNAME or the profile's username"
    ).pipe(Flag.optional),
    "ThoughtSpot user (default: THOUGHTSPOT_USERNAME)"
  ),
  passwordFile: described(
    nonBlank(
      "password-file",
      "--password-file is empty: give the path of the file that holds the password, or leave --password-file out"
    ).pipe(Flag.optional),
    "read the password from this file; otherwise THOUGHTSPOT_TOKEN, THOUGHTSPOT_SECRET_KEY or THOUGHTSPOT_PASSWORD (with THOUGHTSPOT_HOST set, only for its host), the profile's secret (only for its own host) or a prompt"
  ),
  orgId: described(
    wholeNumber("org-id", "org id", 0, Number.MAX_SAFE_INTEGER, `use --org-id with a whole number such as 0`).pipe(
      Flag.optional
    ),
    "ThoughtSpot Org id, 0 or more (default: none asked for, so ThoughtSpot picks the Org)"
  ),
  profile: described(
    nonBlank("profile", "--profile is empty: give a profile's name (spotpipe config list shows them)").pipe(
      Flag.optional
    ),
    "the named connection profile of the config file (default: THOUGHTSPOT_PROFILE, else the config's default; none when THOUGHTSPOT_PROFILE is set but empty); flags override its settings, and THOUGHTSPOT_* variables override them unless --profile names it; its secret goes only to its own host"
  ),
  sandbox: toggle("sandbox", "export from an embedded sandbox instead of a cluster"),
  allowInsecureHttp: toggle(
    "allow-insecure-http",
    "permit a plain http:// host that is not loopback (credentials and data travel unencrypted)"
  )
}

/** Upper bound of `--rate-limit` (requests per second; a cluster's own limit may be above ThoughtSpot's 100). */
const maxRequestsPerSecond = 10_000

/** `--timeout` and `--deadline`, in seconds, and the client's `--rate-limit`. */
export const timeLimitFlags = {
  rateLimit: described(
    Flag.String("rate-limit").pipe(
      refine("rate-limit", (text: string) => {
        const n = Number(text.trim())
        return /^\d+(\.\d+)?$/.test(text.trim()) && n > 0 && n <= maxRequestsPerSecond
          ? { ok: n }
          : {
              refused: `--rate-limit "${text}" is not a number of requests per second above 0 and up to ${maxRequestsPerSecond}: e.g. --rate-limit 25`
            }
      }),
      Flag.withMetavar("requests/s"),
      Flag.optional
    ),
    `requests per second this process sends at most (default ${Shard.clientRequestsPerSecond}, ThoughtSpot's limit per client address; a shard of --shard i/n its share, ${Shard.clientRequestsPerSecond}/n)`
  ),
  timeout: described(
    wholeNumber(
      "timeout",
      "timeout",
      1,
      maxTimeoutSeconds,
      `use --timeout with whole seconds from 1 to ${maxTimeoutSeconds} (one request attempt; default ${defaultTimeoutSeconds})`
    ).pipe(Flag.optional),
    `seconds one request attempt may take, reading the answer included, 1-${maxTimeoutSeconds} (default ${defaultTimeoutSeconds})`
  ),
  deadline: described(
    wholeNumber(
      "deadline",
      "deadline",
      1,
      maxDeadlineSeconds,
      `use --deadline with whole seconds from 1 to ${maxDeadlineSeconds} (one request with its retries; default ${defaultDeadlineSeconds})`
    ).pipe(Flag.optional),
    `seconds one request may take with all its retries, 1-${maxDeadlineSeconds} (default ${defaultDeadlineSeconds})`
  )
}

/** `--workers`: shared by single exports and batch runs. */
const workers = described(
  wholeNumber(
    "workers",
    "workers",
    0,
    maxWorkers,
    `use --workers between 0 (no worker threads) and ${maxWorkers}`
  ).pipe(Flag.optional),
  `threads that write part of each large page (256 KiB or more) while the main thread writes the rest, so large exports use two cores, 0-${maxWorkers} (0: all on the main thread; default 1 on machines with 2+ cores, 0 where the memory allocator cannot be set up for it, e.g. Windows)`
)

/** `--concurrency`'s number; what it counts (requests or exports) depends on the command. */
const concurrencyNumber = wholeNumber(
  "concurrency",
  "concurrency",
  1,
  maxConcurrency,
  `use --concurrency between 1 and ${maxConcurrency}`
)

/** How files are written, for single exports and batch runs alike. */
export const writeFlags = {
  workers,
  newline: described(
    choice(
      "newline",
      [
        ["crlf", "crlf"],
        ["lf", "lf"]
      ],
      (text) => `unknown newline "${text}": use --newline crlf (the CSV default) or --newline lf`
    ).pipe(Flag.withDefault("crlf" as const)),
    "CSV line ending (default crlf)"
  ),
  force: toggle("force", "replace existing output files"),
  escapeFormulae: toggle(
    "escape-formulae",
    "CSV: prefix cells starting with = + - @ with ' so spreadsheets do not run them"
  ),
  periodEnd: toggle(
    "period-end",
    'add a "<column> (end)" column after each date column with the Custom Calendar period end'
  ),
  datetimeOffset: described(
    choice(
      "datetime-offset",
      [
        ["utc", "utc"],
        ["zone", "zone"]
      ],
      (text) => `unknown --datetime-offset "${text}": use utc (…Z) or zone (…-07:00)`
    ).pipe(Flag.withDefault("utc" as const)),
    "DATE_TIME/TIMESTAMP text: utc (…Z) or zone (the data zone's offset, …-07:00) (default utc)"
  ),
  strict: toggle(
    "strict",
    "fail an export whose server sent a page byte-identical to the previous one, or whose result needs more than one page without a fixed order: a search without sort by, a saved answer or visualization whose saved query has none (or cannot be checked) and no --sort (default: a warning)"
  ),
  ddl: described(
    Flag.String("ddl").pipe(
      refine("ddl", (text: string) => {
        const empty = emptyListItem("ddl", text)
        if (empty !== undefined) return { refused: empty }
        const wanted = parseList(text.toLowerCase())
        const unknown = wanted.filter((d) => dialectNamed(d) === undefined)
        return wanted.length === 0 || unknown.length > 0
          ? {
              refused: `unknown --ddl dialect ${unknown.join(", ") || "(none)"}: use any of ${dialects.join(",")}${didYouMean(closest(unknown[0] ?? "", dialects, 1))}`
            }
          : { ok: [...new Set(wanted.flatMap((d) => dialectNamed(d) ?? []))] }
      }),
      Flag.withDefault<ReadonlyArray<Dialect>>([])
    ),
    `also write CREATE TABLE statements for the run's files into ddl/ after the manifest, comma-separated: ${dialects.join(",")} (postgresql is postgres; bigquery: a schema JSON)`
  )
}

/** The output formats as `--format` choices, and as words for messages (`csv, ndjson or parquet`). */
const formatChoices = formats.map((format) => [format, format] as const)
const formatList = `${formats.slice(0, -1).join(", ")} or ${formats.at(-1)}`

/** What one export writes and how it reads: format, destination, zone, page size, requests in flight, name. */
export const exportFlags = {
  format: described(
    choice("format", formatChoices, (text) => `unknown format "${text}": use --format ${formatList}`).pipe(
      Flag.withDefault("csv" as const)
    ),
    "output format (default csv)"
  ),
  out: described(
    folderFlag("out", "--out is empty: give a directory, or - for stdout").pipe(Flag.optional),
    "output directory, or - for stdout (default .)"
  ),
  timezone: described(
    Flag.String("timezone").pipe(Flag.optional),
    "IANA data time zone for dates (default: the cluster's time_zone, else UTC)"
  ),
  pageSize: described(
    wholeNumber(
      "page-size",
      "page size",
      1,
      maxPageSize,
      `use --page-size between 1 and ${maxPageSize} (ThoughtSpot's per-call limit)`
    ).pipe(Flag.optional),
    `rows per request, 1-${maxPageSize} (default 10000)`
  ),
  concurrency: described(
    concurrencyNumber.pipe(Flag.optional),
    `data requests in flight at once, 1-${maxConcurrency} (default 2; 1 with --page-size 50000 or more)`
  ),
  resume: toggle(
    "resume",
    "continue this export from its last checkpoint if an earlier run of it was interrupted (a complete, verified file is kept); without it a failed export leaves nothing behind"
  ),
  outputName: described(
    nonBlank(
      "output-name",
      "--output-name is empty: give the file name without extension, e.g. --output-name monthly-revenue"
    ).pipe(
      refine("output-name", (text: string) => {
        const asFlag = actionFlagAsName("output-name", text)
        return asFlag === undefined ? { ok: text } : { refused: asFlag }
      }),
      Flag.optional
    ),
    "file name without extension (liveboard: the folder of its files); sanitized like object names (default: from the object's name)"
  ),
  columnNames: described(
    choice(
      "column-names",
      [
        ["original", "original"],
        ["snake", "snake"]
      ],
      (text) => `unknown --column-names "${text}": use original (as the result names them) or snake (month_order_date)`
    ).pipe(Flag.withDefault("original" as const)),
    "header and NDJSON keys: original, or snake (warehouse-safe snake_case; the manifest maps them) (default original)"
  ),
  fileNames: described(
    choice(
      "file-names",
      [
        ["original", "original"],
        ["slug", "slug"]
      ],
      (text) =>
        `unknown --file-names "${text}": use original (from the object's name) or slug (answer_revenue_by_month)`
    ).pipe(Flag.withDefault("original" as const)),
    "file and folder names: original, or slug (lower-case letters, digits and _) (default original)"
  ),
  nullString: described(
    Flag.String("null-string").pipe(
      refine("null-string", (text: string) => {
        const problem = nullStringProblem(text)
        return problem === undefined ? { ok: text } : { refused: `--null-string is refused: ${problem}` }
      }),
      Flag.optional
    ),
    "CSV: write null cells as this text, e.g. '\\N' (default empty; a string equal to it is quoted)"
  ),
  orgs: orgsFlag,
  ...writeFlags
}

/** Quiet, verbose, and text or JSON lines on stderr. */
export const logFlags = {
  quiet: toggle("quiet", "no progress, no summary; only warnings and errors (--log-level warn)"),
  verbose: toggle("verbose", "debug logs and the full cause of a failure (--log-level debug)"),
  logFormat: described(
    choice(
      "log-format",
      [
        ["text", "text"],
        ["json", "json"]
      ],
      (text) => `unknown log format "${text}": use --log-format text or --log-format json`
    ).pipe(Flag.withDefault("text" as const)),
    "with json every stderr line is one JSON object and the summary is one JSON object too (default text)"
  )
}

/**
 * `--log-level`, a global flag like effect/cli's own, whose choices are matched ignoring case as every other
 * choice here (`DEBUG` works). It replaces the built-in one (see Program.ts).
 */
export const logLevel = GlobalFlag.Setting("log-level")({
  flag: choice(
    "log-level",
    [
      ["all", "All"],
      ["trace", "Trace"],
      ["debug", "Debug"],
      ["info", "Info"],
      ["warn", "Warn"],
      ["warning", "Warn"],
      ["error", "Error"],
      ["fatal", "Fatal"],
      ["none", "None"]
    ] as const,
    (text) =>
      `unknown log level "${text}": use --log-level with one of all, trace, debug, info, warn, error, fatal, none`
  ).pipe(Flag.optional, Flag.withDescription("the least severe log line shown on stderr (default info)"))
})

/** effect/cli's global flags, with our `--log-level` (any case) in place of its own (lower case only). */
export const builtInFlags = [GlobalFlag.Help, GlobalFlag.Version, GlobalFlag.Wizard, GlobalFlag.Completions, logLevel]

/**
 * The names of the built-in flags that act and end the run (effect/cli's Help, Version, Wizard and Completions of
 * {@link builtInFlags}), as typed: effect/cli acts on them wherever they are, even where a flag's value was left out.
 */
export const actionFlagNames: ReadonlySet<string> = new Set([
  "-h",
  "--help",
  "-v",
  "--version",
  "--wizard",
  "--completions"
])

/** `--dry-run` and `--json`: what an exporting command prints instead of, or besides, writing. */
export const reportFlags = {
  dryRun: toggle(
    "dry-run",
    "resolve every name, read one row of each result, and print the files that would be written with their rows and columns; writes nothing"
  ),
  json: toggle(
    "json",
    "print the run's summary (or the --dry-run plan) on stdout as one JSON object: each file's rows, columns, SHA-256 and status, failures, totals; not with --out -"
  )
}

/**
 * `--json` of `load` and `merge`: their report on stdout as one JSON object (the summary `--log-format json` prints),
 * with `--quiet` too, as the exporting commands' `--json`.
 */
export const jsonReportFlag = toggle(
  "json",
  "print the report on stdout as one JSON object (the summary --log-format json prints), also with --quiet; logs stay on stderr"
)

/**
 * `spotpipe run`'s job file: read and decoded as it is parsed, so a file that cannot be read or is not a valid
 * job is a usage error naming the file and every bad field. Yields the path and the job.
 */
export const jobArgument: Argument.Argument<{ readonly path: string; readonly job: Job }> = Argument.String(
  "job.json"
).pipe(
  Argument.withDescription("the job file (JSON) listing the exports"),
  Argument.mapEffect((path) =>
    Effect.gen(function* () {
      const invalid = (message: string) => refuse("job.json", "argument", path, message)
      if (path.trim() === "") return yield* invalid("the job file is empty: give the path of a job file (JSON)")
      const fs = yield* FileSystem.FileSystem
      const text = yield* fs
        .readFileString(path)
        .pipe(Effect.mapError((e) => invalid(readProblem(`the job file ${path}`, errnoCode(e)))))
      const parsed = parseJobFile(text, path)
      if (Exit.isFailure(parsed)) {
        const failure = parsed.cause.reasons.find((r) => r._tag === "Fail")
        return yield* invalid(failure?._tag === "Fail" ? failure.error.message : `job file ${path} is not valid`)
      }
      return { path, job: parsed.value }
    })
  )
)

/**
 * `demo --out`: a folder, never `-` (the demo writes dozens of files; stdout takes one result) nor blank, refused
 * before its sandbox starts.
 */
export const demoOutFlag = described(
  folderFlag("out", "--out is empty: give a folder (without --out the demo writes into ./spotpipe-demo)").pipe(
    refine("out", (out: string) =>
      out === "-"
        ? {
            refused:
              "spotpipe demo writes many files: give --out a folder, not - (one result goes to stdout with e.g. spotpipe answer NAME --sandbox --out -)"
          }
        : { ok: out }
    ),
    Flag.withDefault("spotpipe-demo")
  ),
  "output directory (default ./spotpipe-demo)"
)

/** Exports `spotpipe run` runs at once when `--concurrency` is not given. */
export const defaultRunConcurrency = 4

/** The variable `spotpipe run` takes the job run from when `--job-run` is not given. */
export const jobRunVariable = "SPOTPIPE_JOB_RUN"

/**
 * A job run id as `--job-run` or {@link jobRunVariable} gives it: 1-128 letters, digits and `. _ - : + = @ /` (a
 * Kubernetes Job's name or uid, a CI run id, an Airflow run id fit); anything else is refused, never cleaned up, as
 * ids that differ only in what a cleanup removed would be taken for one.
 */
export const checkJobRun = (text: string, given: string): { readonly ok: string } | { readonly refused: string } =>
  // An AWS Batch parameter the submission did not give stays in the command as `Ref::name`: the same every night.
  /^Ref::/.test(text)
    ? {
        refused: `${given} is ${JSON.stringify(text.slice(0, 40))}, an AWS Batch parameter the job submission did not give: pass it in the submission's "parameters" (a value of its own for every run, e.g. the job's name)`
      }
    : // A leading dash is a flag where the id was left out (`--job-run $RUN -v`, RUN unset): no scheduler's id has one.
      text.startsWith("-")
      ? {
          refused: `${given} is ${JSON.stringify(text.slice(0, 40))}, which starts with - as a flag does and no job run id does: give the run's id${given.startsWith("--") ? ` right after ${given}` : ""} (the same for every shard and retry of one run: a Kubernetes Job's name or uid, a CI run id)`
        }
      : /^[A-Za-z0-9._:+=@/-]{1,128}$/.test(text)
        ? { ok: text }
        : {
            refused: `${given} must be 1 to 128 letters, digits or . _ - : + = @ / (the same for every shard and retry of one run: a Kubernetes Job's name or uid, a CI run id), got ${JSON.stringify(text.slice(0, 40))}${text.length > 40 ? "…" : ""}`
          }

/** `spotpipe run`'s own flags: destination, resume, exports at once, shard, job run. */
export const runFlags = {
  out: described(
    folderFlag("out", "--out is empty: give a directory").pipe(
      refine("out", (out: string) =>
        out === "-" ? { refused: "spotpipe run writes files: give --out a directory, not -" } : { ok: out }
      ),
      Flag.withDefault(".")
    ),
    "output directory (default .)"
  ),
  resume: toggle(
    "resume",
    "skip outputs already complete and verified, continue partial ones from their last checkpoint"
  ),
  orgs: orgsFlag,
  concurrency: described(
    concurrencyNumber.pipe(Flag.withDefault(defaultRunConcurrency)),
    `exports at once, 1-${maxConcurrency} (default ${defaultRunConcurrency}); they share one client, token and rate limit`
  ),
  shard: described(
    Flag.String("shard").pipe(
      refine("shard", (text: string) => {
        const checked = Shard.parseShardSpec(text)
        return checked._tag === "Error" ? { refused: checked.message } : { ok: { text, spec: checked.shard } }
      }),
      Flag.optional
    ),
    "i/n: run only the i-th of n deterministic, balanced parts of the job (from 1; default: the whole job); auto/N (auto on AWS Batch): the part from JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX (from 0) of N (or AWS_BATCH_JOB_ARRAY_SIZE)"
  ),
  jobRun: described(
    Flag.String("job-run").pipe(
      refine("job-run", (text: string) => checkJobRun(text, "--job-run")),
      Flag.optional
    ),
    `ID: the run of the job this process belongs to, the same for every shard and retry of one run (a Kubernetes Job's name or uid, a CI run id); recorded in the manifest, so spotpipe merge never joins shards of two runs and --resume never keeps another run's files (default: ${jobRunVariable}, else in a child of an AWS Batch array job the array job's id, from AWS_BATCH_JOB_ID)`
  )
}

/**
 * A text argument that is not blank (`"$NAME"` with the variable unset is refused as such, before any request),
 * with its `--help` text; blank is refused with `help`.
 */
export const nonBlankArgument = (name: string, description: string, help: string) =>
  Argument.String(name).pipe(
    Argument.withDescription(description),
    Argument.mapEffect((text) =>
      text.trim() === "" ? Effect.fail(refuse(name, "argument", text, help)) : Effect.succeed(text)
    )
  )

/** `spotpipe load`'s run: a folder or manifest. */
export const runFolderArgument = nonBlankArgument(
  "run",
  "a finished run's output folder (its manifest.json) or one manifest-….json",
  "the run to load is empty: give a run's output folder or its manifest-….json"
)

/** `spotpipe load`'s flags: target, mode, merge key, password file, failed runs. */
export const loadFlags = {
  into: described(
    // Checked by the command (LoadTarget.ts), so that a refused URL, which may hold a password, is never repeated.
    Flag.String("into"),
    "duckdb:FILE, or postgresql://user@host:port/database (no password in it: PGPASSWORD or --password-file)"
  ),
  mode: described(
    choice(
      "mode",
      loadModes.map((m) => [m, m] as const),
      (text) => `unknown --mode "${text}": use replace, append or merge (with --key)`
    ).pipe(Flag.withDefault("replace" as const)),
    "replace each table (default), append to it, or merge by --key"
  ),
  key: described(
    // One --key is a comma-separated list (trimmed); repeated, each is one column name taken verbatim, so a name
    // with a comma or edge spaces can be given (`--key "Revenue (USD, net)" --key Region`).
    Flag.String("key").pipe(
      Flag.atLeast(0),
      Flag.mapEffect((given) => {
        if (given.length === 0) return Effect.succeed<ReadonlyArray<string>>([])
        if (given.length === 1) {
          const empty = emptyListItem("key", given[0] ?? "")
          if (empty !== undefined) return Effect.fail(refuse("key", "flag", given[0] ?? "", empty))
          const key = parseList(given[0] ?? "")
          return key.length === 0
            ? Effect.fail(refuse("key", "flag", given[0] ?? "", "--key lists no column: give COLUMN[,COLUMN…]"))
            : Effect.succeed(key)
        }
        const empty = given.find((name) => name === "")
        return empty === undefined
          ? Effect.succeed<ReadonlyArray<string>>(given)
          : Effect.fail(
              refuse(
                "key",
                "flag",
                empty,
                "a --key is empty: a repeated --key gives one column name each, as the files name it"
              )
            )
      })
    ),
    "merge: the key columns, comma-separated, as the files name them; or --key repeated, one column name each, taken as given (for a name with a comma or edge spaces)"
  ),
  evolve: toggle(
    "evolve",
    "append, merge: add a file's new columns to its existing table, and leave the table's columns the file lacks NULL in the new rows (refused by default; a changed type is refused always)"
  ),
  passwordFile: described(
    nonBlank(
      "password-file",
      "--password-file is empty: give the path of the file that holds the PostgreSQL password, or leave it out to use PGPASSWORD"
    ).pipe(Flag.optional),
    "read the PostgreSQL password from this file (default: PGPASSWORD)"
  ),
  format: described(
    choice(
      "format",
      formatChoices,
      (text) => `unknown --format "${text}": use ${formatList} (the outputs of that format only)`
    ).pipe(Flag.optional),
    "load only the outputs of this format, when the run wrote each result in several (default: every output)"
  ),
  allowFailed: toggle(
    "allow-failed",
    "load the outputs of a run that has failed exports too (refused by default: its tables would be a partial picture)"
  ),
  // Whole seconds, as --timeout and --deadline take them.
  lockTimeout: described(
    wholeNumber(
      "lock-timeout",
      "lock timeout",
      0,
      maxLockTimeoutSeconds,
      `use --lock-timeout with whole seconds from 0 (wait without limit) to ${maxLockTimeoutSeconds}`
    ).pipe(Flag.optional),
    `seconds to wait for a lock held elsewhere before the load fails: a DuckDB file open in another process of this machine, a PostgreSQL lock of another session (the session's lock_timeout, over the URL's or role's), 0-${maxLockTimeoutSeconds}, 0 waits without limit (default: without limit; PostgreSQL: the session's own lock_timeout, if any)`
  )
}

/** The values a group of flags parses to. */
export type Parsed<Flags> = { readonly [K in keyof Flags]: Flags[K] extends Flag.Flag<infer A> ? A : never }

/**
 * What `flags` parse to when none of them is given: each one's default (`None` for an optional flag). For a
 * command that runs with another's settings without taking its flags (the demo).
 */
export const defaultsOf = <F extends Record<string, Flag.Flag<unknown>>>(flags: F) =>
  Effect.map(
    Effect.forEach(Object.entries(flags), ([key, flag]) =>
      Effect.map(flag.parse({ flags: {}, arguments: [] }), ([, value]) => [key, value] as const)
    ),
    (entries) => Object.fromEntries(entries) as Parsed<F>
  )
