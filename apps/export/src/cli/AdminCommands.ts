/**
 * The admin exports on the command line: `spotpipe tml` (one TML document per object), `spotpipe principals`
 * (users, groups, roles, memberships and privileges as tables) and `spotpipe permissions` (one row per object,
 * principal and permission). They are
 * single commands of the one engine (`runSingle`), so they resume, lock, publish and record like the others.
 */
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { baseFileName } from "../plan/FileName.ts"
import { makeExport } from "../plan/JobFile.ts"
import { UsageError } from "../UsageError.ts"
import { type CommonInput, runSingle, singleExport } from "./Commands.ts"
import {
  connectionFlags,
  defaultsOf,
  described,
  exportFlags,
  logFlags,
  permissionTypeFlag,
  reportFlags,
  timeLimitFlags,
  tmlFormatFlag,
  tmlTypeFlag
} from "./Flags.ts"
import { modifiedSinceFlag } from "./IncrementalFlags.ts"

/** The flags of `tml`: an export's, without the row formats' (TML is YAML or JSON text, written as sent). */
const tmlFlags = {
  ...connectionFlags,
  ...timeLimitFlags,
  ...logFlags,
  ...reportFlags,
  // TML documents are files: no stdout.
  out: described(exportFlags.out, "output directory (default .)"),
  force: exportFlags.force,
  resume: exportFlags.resume,
  outputName: exportFlags.outputName,
  fileNames: exportFlags.fileNames,
  orgs: exportFlags.orgs,
  concurrency: exportFlags.concurrency,
  type: tmlTypeFlag,
  tmlFormat: tmlFormatFlag,
  modifiedSince: modifiedSinceFlag,
  associated: Flag.Boolean("associated").pipe(
    Flag.withDefault(false),
    Flag.withDescription(
      "also export the objects each one is built on (models, tables, connections: ThoughtSpot's export_associated), each once, in its type's folder"
    )
  )
}

/** `spotpipe tml`. */
export const tmlCommand = Command.make("tml", tmlFlags, (input) =>
  Effect.gen(function* () {
    if (Option.getOrUndefined(input.out) === "-") {
      return yield* new UsageError({
        message: "spotpipe tml writes one file per object: give --out a directory, not -"
      })
    }
    const defaults = yield* defaultsOf(exportFlags)
    const common: CommonInput = { ...defaults, ...input }
    const what = `tml (${input.type.join(", ")})`
    yield* runSingle(
      "tml",
      common,
      () =>
        Effect.succeed([
          makeExport({
            index: 0,
            key:
              Option.getOrUndefined(Option.map(input.outputName, (name) => baseFileName(name, input.fileNames))) ??
              "tml",
            what,
            spec: {
              type: "tml",
              tmlTypes: input.type,
              format: input.tmlFormat,
              ...(input.associated ? { associated: true } : {}),
              ...Option.match(input.modifiedSince, {
                onNone: () => ({}),
                onSome: (modifiedSince) => ({ modifiedSince })
              })
            },
            format: input.tmlFormat,
            timezone: undefined,
            pageSize: 1,
            strict: false,
            fileNames: input.fileNames
          })
        ]),
      { what }
    )
  })
).pipe(
  Command.withDescription(
    "Export the TML of every object of the given types, one file each (tml/<type>/<name>.tml); by default liveboards, answers and tables; USER, USER_GROUP and ROLE through the batched export"
  ),
  Command.withExamples([
    { command: "spotpipe tml --sandbox --out ./backup", description: "liveboards, answers and tables as YAML" },
    {
      command: "spotpipe tml --type USER,USER_GROUP,ROLE --format json --orgs all --out ./backup",
      description: "users, groups and roles of every Org, as JSON"
    }
  ])
)

/** The flags of every command that exports rows. */
const rowFlags = { ...connectionFlags, ...timeLimitFlags, ...exportFlags, ...logFlags, ...reportFlags }

/** `spotpipe principals`. */
export const principalsCommand = Command.make("principals", rowFlags, (input) =>
  Option.getOrUndefined(input.out) === "-"
    ? // Seven tables, never one result: refused before signing in (the engine would find it out only then).
      Effect.fail(
        new UsageError({
          message:
            "spotpipe principals writes seven tables (principals/users, groups, roles, group_members, group_roles, group_privileges, role_privileges): give --out a directory, not -"
        })
      )
    : runSingle("principals", input, singleExport(input, { type: "principals" }, "principals", "principals"), {
        what: "principals"
      })
).pipe(
  Command.withDescription(
    "Export users, groups and roles with their memberships and privileges, one table each (principals/users.csv, groups, roles, group_members, group_roles, group_privileges, role_privileges)"
  ),
  Command.withExamples([
    { command: "spotpipe principals --sandbox --out ./landing", description: "every table as CSV" },
    {
      command: "spotpipe principals --format parquet --orgs all --out ./landing",
      description: "every Org's principals, typed"
    }
  ])
)

/** `spotpipe permissions`. */
export const permissionsCommand = Command.make("permissions", { ...rowFlags, type: permissionTypeFlag }, (input) =>
  runSingle(
    "permissions",
    input,
    singleExport(
      input,
      { type: "permissions", permissionTypes: input.type },
      `permissions (${input.type.join(", ")})`,
      "permissions"
    ),
    { what: `permissions (${input.type.join(", ")})` }
  )
).pipe(
  Command.withDescription(
    "Export who may do what: one row per object, principal and permission (security/metadata/fetch-permissions, EFFECTIVE); by default of liveboards, answers and tables"
  ),
  Command.withExamples([
    { command: "spotpipe permissions --sandbox --out ./landing", description: "permissions.csv" },
    {
      command: "spotpipe permissions --type LIVEBOARD --format ndjson --out -",
      description: "liveboards' permissions to stdout"
    }
  ])
)
