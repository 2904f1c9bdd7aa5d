/**
 * `spotpipe ls answers|liveboards|tables` and `spotpipe ls visualizations <liveboard>`: what can be exported, by
 * name and GUID, so that the next command can name it. Objects come from the cluster's metadata listing (the
 * `metadata` export's own read: name order, author, modified time in UTC), a liveboard's visualizations from its
 * details (the planner's lookup, with its did-you-mean). Output is an aligned table on stdout, or with `--json`
 * NDJSON: one JSON object per line, so a long listing streams into `jq` or a loader line by line. `--filter`
 * keeps the names that match, ignoring case; `--tag` and `--author` are ThoughtSpot's filters (the listing asks
 * for them). Logs stay on stderr.
 */
import { Console, Effect, Option, Stream } from "effect"
import { Command, Flag } from "effect/cli"
import type { MetadataFilter, MetadataObject } from "../cluster/Cluster.ts"
import { connect } from "../cluster/CoreCluster.ts"
import { toExportError } from "../Failure.ts"
import { findObject } from "../plan/ObjectNames.ts"
import { version } from "../Version.ts"
import { connectionOf, withLogging } from "./Commands.ts"
import {
  connectionFlags,
  logFlags,
  metadataFilterFlags,
  nonBlankArgument,
  type Parsed,
  timeLimitFlags
} from "./Flags.ts"
import { checkTimeLimits } from "./Settings.ts"
import { formatTable } from "./Summary.ts"
import { formatCount, inert, jsonLine } from "./TerminalText.ts"

/** The flags of every `ls` listing: where to connect, time limits, logging, the filter and JSON. */
const lsFlags = {
  ...connectionFlags,
  timeout: timeLimitFlags.timeout,
  deadline: timeLimitFlags.deadline,
  ...logFlags,
  filter: Flag.String("filter").pipe(
    Flag.withDescription(
      'only names that match, ignoring case: "*" is any text, "?" one character; without either, names containing the text'
    ),
    Flag.optional
  ),
  json: Flag.Boolean("json").pipe(
    Flag.withDescription("NDJSON on stdout: one JSON object per line (times in UTC, ISO 8601)"),
    Flag.withDefault(false)
  )
}

type LsInput = Parsed<typeof lsFlags>

/** The flags of `ls answers|liveboards|tables`: those of every listing, and the tags and authors it asks for. */
const objectFlags = { ...lsFlags, ...metadataFilterFlags }

type ObjectsInput = Parsed<typeof objectFlags>

/**
 * Whether `name` matches `--filter`'s `pattern`, ignoring case: a glob over the whole name when it holds `*` or
 * `?`, else a substring. Both are compared in NFC, as file names are written: a decomposed "ä" (a terminal's or
 * macOS's) matches the composed one of a name, and `?` is one such character.
 */
export const nameMatches = (rawPattern: string, rawName: string): boolean => {
  const pattern = rawPattern.normalize("NFC")
  const name = rawName.normalize("NFC")
  if (!/[*?]/.test(pattern)) return name.toLowerCase().includes(pattern.toLowerCase())
  const source = [...pattern]
    .map((c) => (c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("")
  return new RegExp(`^${source}$`, "iu").test(name)
}

/** Epoch seconds as ISO 8601 in UTC (`2026-01-31T09:15:00Z`), as the metadata export writes them. */
const isoSeconds = (seconds: unknown): string | null =>
  typeof seconds === "number" ? new Date(seconds * 1000).toISOString().replace(/\.000Z$/, "Z") : null

/** One object of a listing. */
interface Listed {
  readonly type: string
  readonly id: string | null
  readonly name: string | null
  readonly subtype: string | null
  readonly author: string | null
  readonly created: string | null
  readonly modified: string | null
}

const text = (value: unknown): string | null => (typeof value === "string" ? value : null)

/** The listings `ls` knows, by word. */
const kinds = {
  answers: { type: "ANSWER", plural: ["answer", "answers"] },
  liveboards: { type: "LIVEBOARD", plural: ["liveboard", "liveboards"] },
  tables: { type: "LOGICAL_TABLE", plural: ["table or model", "tables and models"] }
} as const

/** Connects as the flags say, for the lifetime of the command's scope. */
const connected = (input: LsInput) =>
  Effect.gen(function* () {
    const limits = yield* checkTimeLimits(input)
    const connection = yield* connectionOf(input, true)
    const cluster = yield* connect(connection, { version, pageSize: 1000, concurrency: 1, ...limits })
    yield* Effect.logDebug(`using ThoughtSpot at ${cluster.host}`)
    return cluster
  })

const quoted = (names: ReadonlyArray<string>) => names.map((n) => JSON.stringify(n)).join(" or ")

const footer = (
  n: number,
  [one, many]: readonly [string, string],
  input: LsInput & {
    readonly tag?: Option.Option<ReadonlyArray<string>>
    readonly author?: Option.Option<ReadonlyArray<string>>
  }
) =>
  `${formatCount(n)} ${n === 1 ? one : many}${input.tag !== undefined && Option.isSome(input.tag) ? ` tagged ${quoted(input.tag.value)}` : ""}${input.author !== undefined && Option.isSome(input.author) ? ` by ${quoted(input.author.value)}` : ""}${Option.isSome(input.filter) ? ` matching "${input.filter.value}"` : ""}`

/**
 * `ls answers|liveboards|tables`: every object of the kind this user can see, in name order; with `--tag` and
 * `--author`, those ThoughtSpot lists for them, and a warning for each tag or author that no listed object carries.
 */
const listObjects = (kind: keyof typeof kinds) => (input: ObjectsInput) =>
  withLogging(input, () =>
    Effect.gen(function* () {
      const { type, plural } = kinds[kind]
      const cluster = yield* connected(input)
      let unmatched: { readonly tags: ReadonlyArray<string>; readonly authors: ReadonlyArray<string> } | undefined
      const filter: MetadataFilter = {
        tags: Option.getOrUndefined(input.tag),
        authors: Option.getOrUndefined(input.author),
        unmatched: (found) => {
          unmatched = found
        }
      }
      const pages = yield* cluster.metadataPages([type], 1000, false, undefined, filter).pipe(
        Stream.runCollect,
        Effect.mapError((e) => toExportError(e, `listing ${plural[1]}`))
      )
      // Said whether or not --filter keeps any: the server's listing had none of theirs.
      for (const tag of unmatched?.tags ?? []) {
        yield* Effect.logWarning(
          `tag ${JSON.stringify(tag)} matched no ${plural[0]} this user can see: check its name or GUID (spotpipe metadata --type TAG --out - lists the tags)`
        )
      }
      for (const author of unmatched?.authors ?? []) {
        yield* Effect.logWarning(
          `author ${JSON.stringify(author)} matched no ${plural[0]} this user can see: check the user's name or GUID (spotpipe metadata --type USER --out - lists the users)`
        )
      }
      // Rows in metadataColumns order: type, id, name, subtype, description, author, created, modified, tags, created_ms, modified_ms.
      const listed: Array<Listed> = []
      for (const page of pages) {
        if (!Array.isArray(page.rows)) continue
        for (const row of page.rows as ReadonlyArray<ReadonlyArray<unknown>>) {
          const name = text(row[2])
          if (Option.isSome(input.filter) && !nameMatches(input.filter.value, name ?? "")) continue
          listed.push({
            type: text(row[0]) ?? type,
            id: text(row[1]),
            name,
            subtype: text(row[3]),
            author: text(row[5]),
            created: isoSeconds(row[6]),
            modified: isoSeconds(row[7])
          })
        }
      }
      if (input.json) {
        for (const item of listed) yield* Console.log(jsonLine(item))
        return
      }
      const tables = kind === "tables"
      const headers = tables ? ["name", "id", "subtype", "author", "modified"] : ["name", "id", "author", "modified"]
      const rows = listed.map((o) =>
        [o.name ?? "", o.id ?? "", ...(tables ? [o.subtype ?? ""] : []), o.author ?? "", o.modified ?? ""].map(String)
      )
      yield* Console.log(`${formatTable(headers, rows)}${inert(footer(listed.length, plural, input))}`)
    })
  )

/** `ls visualizations <liveboard>`: the liveboard's visualizations in its order, with their columns. */
const listVisualizations = (input: LsInput & { readonly liveboard: string }) =>
  withLogging(input, () =>
    Effect.gen(function* () {
      const cluster = yield* connected(input)
      const liveboard: MetadataObject = yield* findObject(cluster, "LIVEBOARD", input.liveboard).pipe(
        Effect.mapError((e) => toExportError(e, `liveboard "${input.liveboard}"`))
      )
      const vizzes = liveboard.visualizations.filter(
        (v) => Option.isNone(input.filter) || nameMatches(input.filter.value, v.name)
      )
      if (input.json) {
        for (const v of vizzes) {
          yield* Console.log(
            jsonLine({
              liveboard: { id: liveboard.id, name: liveboard.name },
              id: v.id,
              name: v.name,
              columns: v.columns
            })
          )
        }
        return
      }
      const rows = vizzes.map((v) => [v.name, v.id, formatCount(v.columns.length)])
      yield* Console.log(
        // The liveboard's name and GUID come from the server: inert, as the table's cells.
        `${formatTable(["name", "id", "columns"], rows, [false, false, true])}${inert(`${footer(vizzes.length, ["visualization", "visualizations"], input)} of liveboard "${liveboard.name}" (${liveboard.id})`)}`
      )
    })
  )

const objectsCommand = (kind: keyof typeof kinds, description: string) =>
  Command.make(kind, objectFlags, listObjects(kind)).pipe(
    Command.withDescription(description),
    Command.withExamples([
      { command: `spotpipe ls ${kind} --sandbox`, description: "as a table" },
      { command: `spotpipe ls ${kind} --sandbox --filter "rev*" --json`, description: "matching names, as NDJSON" },
      { command: `spotpipe ls ${kind} --sandbox --tag Certified`, description: "those tagged Certified" }
    ])
  )

/** `spotpipe ls`: what there is to export. */
export const lsCommand = Command.make("ls").pipe(
  Command.withDescription("List answers, liveboards, tables or a liveboard's visualizations: names, GUIDs, authors"),
  Command.withExamples([
    { command: 'spotpipe ls answers --filter "rev*" --sandbox', description: "answers whose names start with rev" },
    { command: 'spotpipe ls visualizations "Sales Overview" --sandbox', description: "what a liveboard export writes" }
  ]),
  Command.withSubcommands([
    objectsCommand("answers", "List saved answers: name, GUID, author, modified (UTC)"),
    objectsCommand("liveboards", "List liveboards: name, GUID, author, modified (UTC)"),
    objectsCommand("tables", "List tables, worksheets and models: name, GUID, subtype, author, modified (UTC)"),
    Command.make(
      "visualizations",
      {
        ...lsFlags,
        liveboard: nonBlankArgument(
          "liveboard",
          "the liveboard's GUID or exact name",
          "the liveboard is empty: give its GUID or exact name (spotpipe ls liveboards lists them)"
        )
      },
      listVisualizations
    ).pipe(
      Command.withDescription("List a liveboard's visualizations: name, GUID, number of columns"),
      Command.withExamples([
        { command: 'spotpipe ls visualizations "Sales Overview" --sandbox', description: "as a table" },
        {
          command: 'spotpipe ls visualizations "Sales Overview" --sandbox --json | jq .name',
          description: "their names"
        }
      ])
    )
  ])
)
