/**
 * The `spotpipe` command table (effect/cli): `demo`, `sandbox`, `metadata`, `answer`, `liveboard`, `search` and
 * `run`. Each command spreads the flag groups of Flags.ts it takes (each flag checked as it is parsed) and says
 * which export it asks for; Commands.ts does the rest (checks across flags, the connection, the export engine,
 * the summary). Secrets come only from the environment, `--password-file` or a prompt.
 */
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { UsageError } from "../UsageError.ts"
import { permissionsCommand, principalsCommand, tmlCommand } from "./AdminCommands.ts"
import { apiCommand } from "./ApiCommand.ts"
import { authCommand } from "./AuthCommand.ts"
import { type CommonInput, demoExports, demoLoad, runJobFile, runLoad, runSingle, singleExport } from "./Commands.ts"
import { configCommand } from "./ConfigCommand.ts"
import {
  connectionFlags,
  defaultsOf,
  demoOutFlag,
  described,
  exportFlags,
  jobArgument,
  jsonReportFlag,
  loadFlags,
  logFlags,
  metadataFilterFlags,
  metadataTypeFlag,
  nonBlankArgument,
  nonBlankFlag,
  reportFlags,
  runFlags,
  runFolderArgument,
  timeLimitFlags,
  vizFlag,
  writeFlags
} from "./Flags.ts"
import { auditFlags, modifiedSinceFlag, searchSince, searchSinceFlags } from "./IncrementalFlags.ts"
import { lsCommand } from "./LsCommand.ts"
import { mergeCommand } from "./MergeCommand.ts"
import { runtimeFlags, runtimeOptions } from "./RuntimeFlags.ts"
import { sandboxCommand } from "./SandboxCommand.ts"

export { version } from "../Version.ts"

/** The flags of every command that exports: where to connect, time limits, what to write, logging. */
const commonFlags = { ...connectionFlags, ...timeLimitFlags, ...exportFlags, ...logFlags, ...reportFlags }

const metadataCommand = Command.make(
  "metadata",
  { ...commonFlags, type: metadataTypeFlag, ...metadataFilterFlags, modifiedSince: modifiedSinceFlag },
  (input) =>
    runSingle(
      "metadata",
      input,
      singleExport(
        input,
        {
          type: "metadata",
          metadataTypes: input.type,
          ...Option.match(input.tag, { onNone: () => ({}), onSome: (tags) => ({ tags }) }),
          ...Option.match(input.author, { onNone: () => ({}), onSome: (authors) => ({ authors }) }),
          ...Option.match(input.modifiedSince, { onNone: () => ({}), onSome: (modifiedSince) => ({ modifiedSince }) })
        },
        `metadata (${input.type.join(", ")})`,
        "metadata"
      )
    )
).pipe(
  Command.withDescription(
    "Export metadata (one row per object) of the given types; by default liveboards, answers and tables (LIVEBOARD,ANSWER,LOGICAL_TABLE)"
  ),
  Command.withExamples([
    { command: "spotpipe metadata --sandbox --out ./landing", description: "liveboards, answers and tables" },
    {
      command: "spotpipe metadata --type ANSWER,TAG --format ndjson --out -",
      description: "answers and tags to stdout"
    },
    {
      command: "spotpipe metadata --sandbox --tag Finance,Sales --author tsUserA --out -",
      description: "objects tagged Finance or Sales that tsUserA created"
    }
  ])
)

const answerCommand = Command.make(
  "answer",
  {
    ...commonFlags,
    answer: nonBlankArgument(
      "guid-or-name",
      "the saved answer's GUID or exact name",
      "the answer is empty: give its GUID or exact name (spotpipe ls answers lists them)"
    ),
    ...searchSinceFlags,
    ...runtimeFlags
  },
  (input) =>
    Effect.gen(function* () {
      const what = `answer "${input.answer}"`
      const since = yield* searchSince(input)
      const runtime = yield* runtimeOptions(input)
      yield* runSingle(
        "answer",
        input,
        singleExport(input, { type: "answer", id: input.answer, ...since, ...runtime }, what),
        { what }
      )
    })
).pipe(
  Command.withDescription("Export the data of a saved answer"),
  Command.withExamples([
    { command: 'spotpipe answer "Revenue by Month" --sandbox --out ./landing', description: "by name, as CSV" },
    {
      command: 'spotpipe answer "Order Details" --sandbox --format ndjson --out - | head -3',
      description: "NDJSON to stdout"
    },
    {
      command:
        'spotpipe answer "Order Details" --sandbox --sort "Order ID" --runtime-filter "Quantity GT 5" --out ./landing',
      description: "rows in a fixed order (so every page is read in it), only those with a quantity above 5"
    },
    {
      command:
        'spotpipe answer "Order Details" --sandbox --sort "Order ID" --runtime-filter "Order Date GE 2025-06-01" --out ./landing',
      description: "only rows from 1 June 2025 on: a day is YYYY-MM-DD, its midnight in the data time zone"
    }
  ])
)

const liveboardCommand = Command.make(
  "liveboard",
  {
    ...commonFlags,
    liveboard: nonBlankArgument(
      "guid-or-name",
      "the liveboard's GUID or exact name",
      "the liveboard is empty: give its GUID or exact name (spotpipe ls liveboards lists them)"
    ),
    viz: vizFlag,
    ...searchSinceFlags,
    ...runtimeFlags
  },
  (input) =>
    Effect.gen(function* () {
      const what = `liveboard "${input.liveboard}"`
      const since = yield* searchSince(input)
      const runtime = yield* runtimeOptions(input)
      const spec = Option.match(input.viz, {
        onNone: () => ({ type: "liveboard" as const, id: input.liveboard, ...since, ...runtime }),
        onSome: (visualizations) => ({
          type: "liveboard" as const,
          id: input.liveboard,
          visualizations,
          ...since,
          ...runtime
        })
      })
      yield* runSingle("liveboard", input, singleExport(input, spec, what), { what })
    })
).pipe(
  Command.withDescription("Export the data of a liveboard's visualizations (one file each)"),
  Command.withExamples([
    { command: 'spotpipe liveboard "Sales Overview" --sandbox --out ./landing', description: "every visualization" },
    {
      command: 'spotpipe liveboard "Sales Overview" --viz "Revenue by Region" --format ndjson --out ./landing',
      description: "one visualization"
    }
  ])
)

const searchCommand = Command.make(
  "search",
  {
    ...commonFlags,
    table: described(
      nonBlankFlag("table", "--table is empty: give the GUID or exact name of the model, worksheet or table to search"),
      "GUID or exact name of the model, worksheet or table to search"
    ),
    query: described(Flag.String("query"), 'search tokens, e.g. "[Region] [Revenue] [Order Date].monthly"'),
    ...searchSinceFlags,
    ...runtimeFlags
  },
  (input) =>
    Effect.gen(function* () {
      if (input.query.trim() === "") {
        return yield* new UsageError({ message: 'the search query is empty: pass --query "[Column] [Measure]"' })
      }
      const what = `search on "${input.table}"`
      const since = yield* searchSince(input)
      const runtime = yield* runtimeOptions(input, input.query)
      yield* runSingle(
        "search",
        input,
        singleExport(input, { type: "search", table: input.table, query: input.query, ...since, ...runtime }, what),
        { what }
      )
    })
).pipe(
  Command.withDescription("Export the result of a search query on a model or table"),
  Command.withExamples([
    {
      command:
        'spotpipe search --sandbox --table Orders --query "[Region] [Revenue] [Order Date].monthly" --out ./landing',
      description: "monthly revenue by region"
    }
  ])
)

const auditCommand = Command.make("audit", { ...commonFlags, ...auditFlags }, (input) =>
  runSingle(
    "audit",
    input,
    singleExport(
      input,
      {
        type: "audit",
        since: input.since,
        ...Option.match(input.until, { onNone: () => ({}), onSome: (until) => ({ until }) })
      },
      "audit log"
    ),
    { what: "audit log" }
  )
).pipe(
  Command.withDescription(
    "Export the SECURITY_AUDIT events of [--since, --until) (default until now), one row each, read in windows of at most 24 hours"
  ),
  Command.withExamples([
    {
      command: "spotpipe audit --since 30d --until 1h --format ndjson --out ./audit",
      description: "the last 30 days up to an hour ago (events can take 30 minutes to appear)"
    },
    {
      command: "spotpipe audit --since last --until 1h --format ndjson --out ./audit --force",
      description: "later: from where the previous successful run into ./audit ended to an hour ago, replacing its file"
    }
  ])
)

const demoCommand = Command.make(
  "demo",
  {
    out: demoOutFlag,
    ...logFlags
  },
  (input) =>
    Effect.flatMap(defaultsOf(commonFlags), (defaults) =>
      runSingle(
        "demo",
        { ...defaults, ...input, out: Option.some(input.out), sandbox: true, force: true } satisfies CommonInput,
        demoExports(["csv", "ndjson", "parquet"]),
        { ownFolder: true, ambient: false, afterRun: demoLoad(input.out) }
      )
    )
).pipe(
  Command.withDescription(
    "Start the embedded sandbox, export all metadata, every answer and every liveboard visualization as CSV, NDJSON and Parquet, and load the Parquet files into demo.duckdb where DuckDB is installed"
  ),
  Command.withExamples([
    { command: "spotpipe demo", description: "into ./spotpipe-demo" },
    { command: "spotpipe demo --out /tmp/demo --log-format json", description: "summary as JSON" }
  ])
)

const runCommand = Command.make(
  "run",
  { ...connectionFlags, ...timeLimitFlags, ...logFlags, job: jobArgument, ...runFlags, ...writeFlags, ...reportFlags },
  runJobFile
).pipe(
  Command.withDescription("Run a batch job file: many exports, one client, resumable"),
  Command.withExamples([
    { command: "spotpipe run nightly.json --out ./landing", description: "every export of the job" },
    { command: "spotpipe run nightly.json --out ./landing --resume", description: "continue after a failure" }
  ])
)

const loadCommand = Command.make(
  "load",
  {
    run: runFolderArgument,
    ...loadFlags,
    ...logFlags,
    json: jsonReportFlag
  },
  runLoad
).pipe(
  Command.withDescription(
    "Load every output of a finished run into DuckDB or PostgreSQL: one table per file, typed from the manifest, each in one transaction, files checked against their SHA-256 first"
  ),
  Command.withExamples([
    { command: "spotpipe load ./landing --into duckdb:warehouse.duckdb", description: "replace each table" },
    {
      command: "spotpipe load ./landing --into duckdb:warehouse.duckdb --json | jq .load.rows",
      description: "the report as JSON on stdout"
    },
    {
      command:
        "PGPASSWORD=… spotpipe load ./landing --into postgresql://loader@db.internal:5432/analytics --mode append",
      description: "append to PostgreSQL tables"
    },
    {
      command: "spotpipe load ./catalog --into duckdb:w.duckdb --mode merge --key id",
      description:
        "update rows by a key that is unique and never null: after spotpipe metadata --out ./catalog, objects by GUID"
    }
  ])
)

/** The root command. */
export const spotpipe = Command.make("spotpipe").pipe(
  Command.withDescription(
    "Export ThoughtSpot metadata and data to CSV, NDJSON or Parquet, and load them into DuckDB or PostgreSQL"
  ),
  Command.withExamples([
    { command: "spotpipe demo", description: "try it on the embedded sandbox" },
    {
      command:
        'THOUGHTSPOT_HOST=https://acme.thoughtspot.cloud THOUGHTSPOT_USERNAME=me THOUGHTSPOT_PASSWORD=… spotpipe answer "Revenue by Month" --out ./landing',
      description: "an answer from a cluster"
    }
  ]),
  Command.withSubcommands([
    demoCommand,
    sandboxCommand,
    metadataCommand,
    answerCommand,
    liveboardCommand,
    searchCommand,
    auditCommand,
    tmlCommand,
    principalsCommand,
    permissionsCommand,
    runCommand,
    loadCommand,
    mergeCommand,
    apiCommand,
    lsCommand,
    authCommand,
    configCommand
  ])
)
