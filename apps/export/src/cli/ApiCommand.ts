/**
 * `spotpipe api <METHOD> <path>`: any ThoughtSpot REST API v2.0 call, as `gh api` makes GitHub's, over the same
 * connection flags, environment, credentials, token renewal, rate limit, retries and errors as the exports
 * (`@spotpipe/core`'s `ThoughtSpotClient.request`). The answer's body goes to stdout byte for byte, never parsed
 * and written again, so big integers and key order stay as ThoughtSpot sent them; a failure prints ThoughtSpot's
 * error on stderr, exit 1, and nothing on stdout.
 *
 * The body: `-f key=value` a string, `-F key=value` a typed value (`true`, `false`, `null`, a JSON number kept
 * digit for digit, `@file` / `@-` the text of a file or stdin, else a string); `key[sub]=` nests objects, `key[]=`
 * appends to an array (`key[][sub]=` starts a new object in it when the last one has `sub`), `key[]` alone is an
 * empty array. For GET the fields are query parameters, in order. `--input FILE|-` sends a JSON body as it is.
 * `--paginate` sets `record_offset`/`record_size` page after page (default size {@link defaultRecordSize}) and
 * writes NDJSON: one element of the answer's array per line, as its own bytes, read as core reads every listing
 * (`Pagination.untilEmptyPage`: pages overlap by an item, so a listing that moves under the read fails).
 * The values of the request's secret fields (a `password`, a `token` …: core's `ApiCall.secretsOf`) are
 * scrubbed from whatever the call's failure shows, as the connection's own secrets are. `--secret-env key=NAME`
 * adds a string field from the environment variable NAME, a secret by that alone (for a credential in a field
 * core does not know as one), and never on the command line; a secret field's value given there (`-f password=…`)
 * is sent, with a warning that the command line is seen by others (`ps`, the shell's history).
 */

import { createHash } from "node:crypto"
import { ApiCall, Pagination, ThoughtSpotError } from "@spotpipe/core"
import { Config, Effect, FileSystem, Option, Stream } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { openClient } from "../cluster/CoreCluster.ts"
import { ExportError } from "../ExportError.ts"
import { fromThoughtSpot } from "../Failure.ts"
import { makeStreamWriter, Stdout } from "../output/StdoutWriter.ts"
import { readStdin } from "../Stdin.ts"
import { UsageError } from "../UsageError.ts"
import { version } from "../Version.ts"
import { connectionOf, withLogging } from "./Commands.ts"
import { connectionFlags, described, logFlags, type Parsed, timeLimitFlags } from "./Flags.ts"
import { checkTimeLimits } from "./Settings.ts"

/** Items per page asked for with `--paginate` when the request does not set `record_size`. */
export const defaultRecordSize = 500

/** The flags of `spotpipe api`. */
export const apiFlags = {
  ...connectionFlags,
  ...timeLimitFlags,
  ...logFlags,
  method: Argument.String("method").pipe(
    Argument.withDescription(`the HTTP method: ${ApiCall.methods.join(", ")} (any case)`)
  ),
  path: Argument.String("path").pipe(
    Argument.withDescription(
      "the endpoint below /api/rest/2.0/, e.g. metadata/search (a leading / or the /api/rest/2.0 prefix is fine)"
    )
  ),
  rawField: described(
    Flag.String("raw-field").pipe(Flag.withAlias("f"), Flag.atLeast(0)),
    "add a string field key=value (a query parameter for GET); key[sub]= nests, key[]= appends to an array"
  ),
  field: described(
    Flag.String("field").pipe(Flag.withAlias("F"), Flag.atLeast(0)),
    "add a typed field key=value: true, false, null and JSON numbers as such, @file (@- stdin) the file's text, else a string"
  ),
  secretEnv: described(
    Flag.String("secret-env").pipe(Flag.atLeast(0)),
    "add a string field key=NAME whose value is the environment variable NAME's: a secret, never shown (nor on the command line)"
  ),
  input: described(
    Flag.String("input").pipe(Flag.optional),
    "send this file's JSON as the body, as it is (- reads stdin); not with -f/-F/--secret-env"
  ),
  paginate: described(
    Flag.Boolean("paginate").pipe(Flag.withDefault(false)),
    `read every page (record_offset/record_size, default size ${defaultRecordSize}) and write one array element per line (NDJSON)`
  )
}

/** What `spotpipe api` parsed. */
export type ApiInput = Parsed<typeof connectionFlags & typeof timeLimitFlags & typeof logFlags> & {
  readonly method: string
  readonly path: string
  readonly rawField: ReadonlyArray<string>
  readonly field: ReadonlyArray<string>
  readonly secretEnv: ReadonlyArray<string>
  readonly input: Option.Option<string>
  readonly paginate: boolean
}

const usage = (message: string) => new UsageError({ message })

// ----- fields -----------------------------------------------------------------------------------------------

/**
 * A field as given: its key, its value as JSON text (`undefined`: `key[]` alone), its text for a query, and
 * whether that text was written on the command line (not read from a file, stdin or the environment).
 */
interface Field {
  readonly key: string
  readonly json: string | undefined
  readonly text: string
  readonly flag: FieldFlag
  readonly inline: boolean
}

type FieldFlag = "-f" | "-F" | "--secret-env"

type Node =
  | { readonly _tag: "Object"; readonly entries: Map<string, Node> }
  | { readonly _tag: "Array"; readonly items: Array<Node>; readonly flags: Set<string> }
  | { readonly _tag: "Value"; readonly json: string }

const jsonNumber = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/

/** The bytes of `path` (`-`: stdin), as a usage error when they cannot be read; `what` names it for messages. */
const readSource = (path: string, what: string): Effect.Effect<Uint8Array, UsageError, FileSystem.FileSystem> =>
  path === "-"
    ? readStdin
    : Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        return yield* fs
          .readFile(path)
          .pipe(Effect.mapError(() => usage(`cannot read ${what} ${path}: check the path and its permissions`)))
      })

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

/** `bytes` as text, refused when they are not UTF-8 (a replacement character would change them). */
const textOf = (bytes: Uint8Array, what: string): Effect.Effect<string, UsageError> =>
  Effect.try({
    try: () => utf8.decode(bytes),
    catch: () => usage(`${what} is not UTF-8 text: JSON is sent as UTF-8, convert it first`)
  })

/** `1st`, `2nd`, `3rd`, `4th`, … `11th`, `21st`. */
const ordinal = (n: number): string => {
  const tens = n % 100
  const suffix = tens >= 11 && tens <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th")
  return `${n}${suffix}`
}

/**
 * Parses the `index`-th `-f`/`-F` argument. Values never appear in messages (they may be secrets), nor does an
 * argument without `=`, which may be one (`password:…` typed the way a header is): it is named by its place.
 */
const parseField = (argument: string, flag: "-f" | "-F", index: number) =>
  Effect.gen(function* () {
    const at = argument.indexOf("=")
    if (at < 0) {
      if (argument.endsWith("[]"))
        return { key: argument, json: undefined, text: "", flag, inline: false } satisfies Field
      return yield* usage(
        `the ${ordinal(index + 1)} ${flag} has no '=': give key=value (an empty array: key[]); its text is not shown, as it may hold a secret`
      )
    }
    const key = argument.slice(0, at)
    const value = argument.slice(at + 1)
    if (flag === "-f") return { key, json: JSON.stringify(value), text: value, flag, inline: true } satisfies Field
    if (value === "true" || value === "false" || value === "null" || jsonNumber.test(value)) {
      // The number's own digits: never through a double.
      return { key, json: value, text: value, flag, inline: true } satisfies Field
    }
    if (value.startsWith("@")) {
      const text = yield* textOf(yield* readSource(value.slice(1), `the file for -F ${key}`), `the file for -F ${key}`)
      return { key, json: JSON.stringify(text), text, flag, inline: false } satisfies Field
    }
    return { key, json: JSON.stringify(value), text: value, flag, inline: true } satisfies Field
  })

/**
 * Parses the `index`-th `--secret-env key=NAME`: the field `key`, a string, the value of the environment variable
 * NAME. Unset or empty is a usage error naming the variable; the value never appears in a message.
 */
const parseSecretEnv = (argument: string, index: number) =>
  Effect.gen(function* () {
    const at = argument.indexOf("=")
    const key = at < 0 ? "" : argument.slice(0, at)
    const name = at < 0 ? "" : argument.slice(at + 1)
    if (key === "" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      return yield* usage(
        `the ${ordinal(index + 1)} --secret-env is not key=NAME: give the field's key and the name of the environment variable that holds its value, e.g. --secret-env 'configuration[password]=WAREHOUSE_PASSWORD'`
      )
    }
    const value = yield* Config.option(Config.String(name)).pipe(
      Effect.mapError(() => usage(`--secret-env ${key}: cannot read the environment variable ${name}`))
    )
    if (Option.isNone(value) || value.value === "") {
      return yield* usage(
        `--secret-env ${key}: the environment variable ${name} is ${Option.isNone(value) ? "not set" : "empty"}: export the secret in it first`
      )
    }
    return {
      key,
      json: JSON.stringify(value.value),
      text: value.value,
      flag: "--secret-env",
      inline: false
    } satisfies Field
  })

/** `name[a][]…` → `["name", "a", ""]`, or `undefined` when the key is not of that form. */
const keyPath = (key: string): ReadonlyArray<string> | undefined => {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key)
  if (match === null) return undefined
  return [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)]
}

/** The JSON object the fields make (see the module comment for the key forms). */
const bodyOf = (fields: ReadonlyArray<Field>): Effect.Effect<string, UsageError> =>
  Effect.gen(function* () {
    const root: Node = { _tag: "Object", entries: new Map() }
    for (const field of fields) {
      const path = keyPath(field.key)
      const refuse = (why: string) => usage(`${field.flag} ${field.key}: ${why}`)
      if (path === undefined) {
        return yield* refuse("a key is a name, optionally followed by [sub] or [] parts, e.g. metadata[][type]")
      }
      // `key[]` alone makes the array `key` (empty unless items are added to it).
      const segments = field.json === undefined ? path.slice(0, -1) : path
      const leaf: Node =
        field.json === undefined ? { _tag: "Array", items: [], flags: new Set() } : { _tag: "Value", json: field.json }
      let node: Node = root
      for (let i = 0; i < segments.length; i++) {
        const segment = segments[i]!
        const next = segments[i + 1]
        if (node._tag === "Object") {
          if (segment === "") return yield* refuse("[] must follow a name")
          const existing = node.entries.get(segment)
          if (next === undefined) {
            if (leaf._tag === "Array" && existing?._tag === "Array") break
            if (existing !== undefined) return yield* refuse("this key is given twice: give it once")
            node.entries.set(segment, leaf)
            break
          }
          const wantArray = next === ""
          const child: Node =
            existing ??
            (wantArray ? { _tag: "Array", items: [], flags: new Set() } : { _tag: "Object", entries: new Map() })
          if (child._tag === "Value" || (child._tag === "Array") !== wantArray) {
            return yield* refuse(`${segment} is used both as a value, an object or an array: give it one way`)
          }
          node.entries.set(segment, child)
          node = child
          continue
        }
        if (segment !== "") return yield* refuse("an array takes [] (items are appended in order), not [name]")
        if (next === "" || (next === undefined && leaf._tag === "Array")) {
          return yield* refuse("arrays of arrays are not supported: send the body with --input")
        }
        node.flags.add(field.flag)
        if (next === undefined) {
          node.items.push(leaf)
          break
        }
        // gh's rule: `key[][sub]=` fills the last object until it already has `sub`, then starts a new one.
        const tail: Node | undefined = node.items[node.items.length - 1]
        if (tail !== undefined && tail._tag === "Object" && !tail.entries.has(next)) node = tail
        else {
          const fresh: Node = { _tag: "Object", entries: new Map() }
          node.items.push(fresh)
          node = fresh
        }
      }
    }
    // Each flag is parsed apart, so the order between them is unknown: an array fed by two could be misordered.
    const mixed = (node: Node, name: string): { name: string; flags: Set<string> } | undefined => {
      if (node._tag === "Value") return undefined
      if (node._tag === "Array") {
        if (node.flags.size > 1) return { name, flags: node.flags }
        for (const item of node.items) {
          const found = mixed(item, `${name}[]`)
          if (found !== undefined) return found
        }
        return undefined
      }
      for (const [key, child] of node.entries) {
        const found = mixed(child, name === "" ? key : `${name}[${key}]`)
        if (found !== undefined) return found
      }
      return undefined
    }
    const both = mixed(root, "")
    if (both !== undefined) {
      return yield* usage(
        `${both.name}[] gets items from ${both.flags.size === 2 ? "both " : ""}${[...both.flags].join(" and ")}, whose order between them is lost: give its items with one of them, or send the body with --input`
      )
    }
    const write = (node: Node): string =>
      node._tag === "Value"
        ? node.json
        : node._tag === "Array"
          ? `[${node.items.map(write).join(",")}]`
          : `{${[...node.entries].map(([key, child]) => `${JSON.stringify(key)}:${write(child)}`).join(",")}}`
    return write(root)
  })

// ----- the request ------------------------------------------------------------------------------------------

/** What to send, once the arguments are checked. */
interface Plan {
  readonly method: ApiCall.Method
  readonly path: string
  /** GET: the query parameters. */
  readonly query: ReadonlyArray<readonly [string, string]>
  /** Other methods: the body's JSON text, if any. */
  readonly body: string | undefined
  /** The values of `--secret-env`: secrets of every request, whatever their fields' names. */
  readonly secrets: ReadonlyArray<string>
  /** The secrets written on the command line (`-f password=…`, `system?token=…`), named by flag and key. */
  readonly onCommandLine: ReadonlyArray<string>
}

const planOf = (
  input: ApiInput
): Effect.Effect<Plan & { readonly stdin: boolean }, UsageError, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const method = input.method.toUpperCase()
    if (!(ApiCall.methods as ReadonlyArray<string>).includes(method)) {
      // The two swapped (`api metadata/search POST`): the method goes first.
      if ((ApiCall.methods as ReadonlyArray<string>).includes(input.path.toUpperCase())) {
        return yield* usage(
          `the method goes first: spotpipe api ${input.path.toUpperCase()} ${ApiCall.shownPath(input.method)}`
        )
      }
      return yield* usage(
        `unknown method "${input.method}": use ${ApiCall.methods.join(", ")} (REST v2.0 uses POST for most calls)`
      )
    }
    const m = method as ApiCall.Method
    const path = ApiCall.apiPath(input.path)
    if (path._tag === "Refused") return yield* usage(`${ApiCall.shownPath(input.path)}: ${path.message}`)
    const stdinUsers = [
      ...(Option.getOrUndefined(input.passwordFile) === "-" ? ["--password-file -"] : []),
      ...(Option.getOrUndefined(input.input) === "-" ? ["--input -"] : []),
      ...input.field.filter((f) => f.slice(f.indexOf("=") + 1) === "@-").map((f) => `-F ${f}`)
    ]
    if (stdinUsers.length > 1) return yield* usage(`${stdinUsers.join(" and ")} both read stdin: only one can`)
    const given = input.rawField.length + input.field.length + input.secretEnv.length
    // The path's own query is on the command line too (`system?token=…`).
    const inPath = ApiCall.secretsOf({ method: m, path: path.path }).length > 0 ? ["the path's query"] : []
    if (Option.isSome(input.input)) {
      if (given > 0) {
        return yield* usage(
          `--input sends the whole body, ${input.secretEnv.length > 0 ? "-f/-F/--secret-env" : "-f/-F"} build one: use one way (put the fields in the file)`
        )
      }
      if (m === "GET") {
        return yield* usage("--input sends a body, and a GET has none: give query parameters with -f/-F, or use POST")
      }
      const file = input.input.value
      const what = file === "-" ? "the body on stdin" : `the body file ${file}`
      const text = yield* textOf(yield* readSource(file, "the body file"), what)
      // Checked, never re-written: it is sent byte for byte.
      const valid = ApiCall.arrayElements(new TextEncoder().encode(text))._tag !== "NotJson"
      if (!valid)
        return yield* usage(`${what} is not JSON: check it (e.g. with jq . ${file === "-" ? "" : file})`.trimEnd())
      return {
        method: m,
        path: path.path,
        query: [],
        body: text,
        secrets: [],
        onCommandLine: inPath,
        stdin: stdinUsers.length > 0
      }
    }
    const fields = [
      ...(yield* Effect.forEach(input.rawField, (f, i) => parseField(f, "-f", i))),
      ...(yield* Effect.forEach(input.field, (f, i) => parseField(f, "-F", i))),
      ...(yield* Effect.forEach(input.secretEnv, (f, i) => parseSecretEnv(f, i)))
    ]
    const secrets = fields.filter((f) => f.flag === "--secret-env").map((f) => f.text)
    /** The fields written on the command line that hold one of `request`'s secrets (a URL's key: a part of it). */
    const onCommandLine = (request: ApiCall.ApiRequest) => {
      const found = ApiCall.secretsOf(request)
      const named = fields
        .filter((f) => f.inline && found.some((secret) => f.text.includes(secret)))
        .map((f) => `${f.flag} ${f.key}`)
      return [...inPath, ...new Set(named)]
    }
    if (m === "GET") {
      const empty = fields.find((f) => f.json === undefined)
      if (empty !== undefined)
        return yield* usage(`${empty.flag} ${empty.key}: a query parameter needs a value (key=value)`)
      const query = fields.map((f) => [f.key, f.text] as const)
      return {
        method: m,
        path: path.path,
        query,
        body: undefined,
        secrets,
        onCommandLine: onCommandLine({ method: m, path: path.path, query }),
        stdin: stdinUsers.length > 0
      }
    }
    const body = fields.length === 0 ? undefined : yield* bodyOf(fields)
    return {
      method: m,
      path: path.path,
      query: [],
      body,
      secrets,
      onCommandLine: onCommandLine({ method: m, path: path.path, ...(body === undefined ? {} : { body }) }),
      stdin: stdinUsers.length > 0
    }
  })

/** A whole number `min` or more in `text` (a JSON number or a query value), else `undefined`. */
const wholeAtLeast = (text: string, min: number): number | undefined => {
  if (!/^\d+$/.test(text.trim())) return undefined
  const n = Number(text.trim())
  return Number.isSafeInteger(n) && n >= min ? n : undefined
}

/** How `--paginate` asks for the page at an offset. */
interface Paging {
  readonly start: number
  readonly size: number
  /** The request for `size` items at `offset` (the page size, or 2 where it is 1: see `Pagination.untilEmptyPage`). */
  readonly at: (offset: number, size: number) => Pick<Plan, "query" | "body">
}

const pagingOf = (plan: Plan): Effect.Effect<Paging, UsageError> =>
  Effect.gen(function* () {
    const read = (name: string, text: string | undefined, min: number, fallback: number) => {
      if (text === undefined) return Effect.succeed(fallback)
      const n = wholeAtLeast(text, min)
      return n === undefined
        ? Effect.fail(
            usage(
              `--paginate sets ${name} page by page, but the request gives ${name} ${text}: give a whole number ${min} or more${name === "record_size" ? " (-1, everything at once, needs no --paginate)" : ""}, or leave it out`
            )
          )
        : Effect.succeed(n)
    }
    if (plan.method === "GET") {
      const given = (name: string) => plan.query.findLast(([key]) => key === name)?.[1]
      const start = yield* read("record_offset", given("record_offset"), 0, 0)
      const size = yield* read("record_size", given("record_size"), 1, defaultRecordSize)
      const others = plan.query.filter(([key]) => key !== "record_offset" && key !== "record_size")
      return {
        start,
        size,
        at: (offset, asked) => ({
          query: [...others, ["record_offset", String(offset)], ["record_size", String(asked)]],
          body: undefined
        })
      }
    }
    const members = ApiCall.objectMembers(plan.body ?? "{}")
    if (members === undefined) {
      return yield* usage("--paginate sets record_offset/record_size in the body, but the body is not a JSON object")
    }
    const given = (name: string) => members.findLast(([key]) => JSON.parse(key) === name)?.[1]
    const start = yield* read("record_offset", given("record_offset"), 0, 0)
    const size = yield* read("record_size", given("record_size"), 1, defaultRecordSize)
    return {
      start,
      size,
      at: (offset, asked) => ({
        query: plan.query,
        body: ApiCall.withMembers(members, [
          ["record_offset", String(offset)],
          ["record_size", String(asked)]
        ])
      })
    }
  })

/**
 * The failure line for a ThoughtSpot error of `what` (e.g. `POST metadata/search`): its own message; for a call
 * that changes something and failed in a way that leaves its outcome unknown (so it was not sent again), what to
 * check before sending it again.
 */
const failed = (
  error: ThoughtSpotError.ThoughtSpotError,
  what: string,
  changes: boolean,
  renewable: boolean
): ExportError => {
  const line = refusedCall(error, what, renewable) ?? failureLine(error, what)
  if (!changes || !error.isRetryable || error.isUnapplied) return line
  return new ExportError({
    kind: line.kind,
    message: `${line.message}; ThoughtSpot may have carried out this ${what.split(" ", 1)[0]} before the answer was lost, so it was not sent again: check its effect (e.g. with a search) before sending it again`,
    cause: error
  })
}

/**
 * A 401 to the call itself when the connection signs in anew (a password or secret key): core renewed the token
 * and sent the call again, and ThoughtSpot refused it again — so signing in works, and it is this request that is
 * refused (an `auth/` endpoint's own credentials in its fields, or an endpoint this user may not call). Said so,
 * rather than as refused connection credentials. With a pre-issued token (not renewable) the token may be what
 * is refused: `undefined`, the usual line.
 */
const refusedCall = (error: ThoughtSpotError.ThoughtSpotError, what: string, renewable: boolean) => {
  const reason = error.reason
  if (reason._tag !== "Authentication" || !renewable || error.operation !== what) return undefined
  const facts = [
    ...(reason.status === undefined ? [] : [`HTTP ${reason.status}`]),
    ...(reason.code === undefined ? [] : [`code ${reason.code}`])
  ].join(", ")
  const server = reason.serverMessage === undefined ? "" : `: ${reason.serverMessage}`
  return new ExportError({
    kind: "Remote",
    message: `${what} failed: ThoughtSpot refused this call${facts === "" ? "" : ` (${facts})`} also with a freshly issued token, so signing in works and it is the request that was refused${server}; check the credentials in the request's fields (an auth/ endpoint), or this user's right to call ${what.slice(what.indexOf(" ") + 1)}`,
    cause: error
  })
}

const failureLine = (error: ThoughtSpotError.ThoughtSpotError, what: string): ExportError => {
  switch (error.reason._tag) {
    // These lines say what to check (credentials, host, time limits), with the error's message.
    case "Authentication":
    case "Transport":
    case "Timeout":
    case "RateLimited":
      return fromThoughtSpot(error, what)
    default:
      return new ExportError({
        kind: "Remote",
        // The message says the status and ThoughtSpot's own words; the reason's tag is for programs (`--verbose`).
        message: `${what} failed: ${error.reason.message}`,
        cause: error
      })
  }
}

const badAnswer = (what: string, message: string) => new ExportError({ kind: "Remote", message: `${what}: ${message}` })

/** Runs `spotpipe api`. */
export const runApi = (input: ApiInput) =>
  withLogging(input, () =>
    Effect.gen(function* () {
      // Every check before any request: a usage error never costs a round trip.
      const plan = yield* planOf(input)
      if (plan.onCommandLine.length > 0) {
        yield* Effect.logWarning(
          `${plan.onCommandLine.join(", ")}: a secret on the command line, which other users of this machine can read (ps) and the shell's history keeps; it is sent and never shown, but next time give it with --secret-env key=VARIABLE or -F key=@FILE`
        )
      }
      const paging = input.paginate ? Option.some(yield* pagingOf(plan)) : Option.none<Paging>()
      const limits = yield* checkTimeLimits(input)
      // A prompt reads stdin: not when the body comes from there.
      const connection = yield* connectionOf(input, !plan.stdin)
      // One call at a time (a --paginate's pages follow each other).
      const { host, client } = yield* openClient(connection, {
        version,
        requests: 1,
        ...limits,
        ...(Option.isSome(input.rateLimit) ? { requestsPerSecond: input.rateLimit.value } : {})
      })
      yield* Effect.logDebug(`using ThoughtSpot at ${host}`)
      const endpoint = plan.path.split("?", 1)[0]
      const what = `${plan.method} ${endpoint}`
      const changes = ApiCall.changesState(plan.method, plan.path)
      // A password or secret key signs in anew on a 401; a pre-issued token cannot.
      const renewable = connection._tag === "Sandbox" || connection.auth._tag !== "BearerToken"
      const call = (parts: Pick<Plan, "query" | "body">) =>
        client
          .request({
            method: plan.method,
            path: plan.path,
            query: parts.query,
            ...(parts.body === undefined ? {} : { body: parts.body }),
            secrets: plan.secrets
          })
          .pipe(Effect.mapError((error) => failed(error, what, changes, renewable)))
      const { writer } = makeStreamWriter(yield* Stdout)
      if (Option.isNone(paging)) {
        const response = yield* call(plan)
        yield* writer.write(response.bytes)
        return
      }
      const { start, size, at } = paging.value
      // Read as core reads every listing (`Pagination.untilEmptyPage`): each page after the first overlaps the one
      // before by an item, so a listing that moved under the read (an object deleted or created before the read
      // position) fails instead of ending short or writing an item twice; an item is told by its bytes' SHA-256.
      // Offsets count from the request's own record_offset.
      const pageAt = (offset: number, asked: number) =>
        Effect.flatMap(call(at(start + offset, asked)), (response) => {
          const page = ApiCall.arrayElements(response.bytes)
          const where = `the page at record_offset ${start + offset}`
          if (page._tag === "NotJson") {
            return Effect.fail(
              badAnswer(
                what,
                `${where} is not JSON${response.bytes.length === 0 ? " (an empty answer)" : ""}: --paginate reads JSON arrays; drop --paginate to see the answer as it is`
              )
            )
          }
          if (page._tag === "NotArray") {
            return Effect.fail(
              badAnswer(
                what,
                `--paginate reads a JSON array page by page, but ${where} is a JSON ${page.kind}: drop --paginate (this endpoint's answer is not a list paged by record_offset/record_size)`
              )
            )
          }
          return Effect.succeed(page.elements)
        })
      const sha256 = (item: Uint8Array) => createHash("sha256").update(item).digest("base64")
      yield* Pagination.untilEmptyPage(size, pageAt, { operation: what, keyOf: sha256 }).pipe(
        // The listing's own failures (it moved, it is not paged as documented) say what to do.
        Stream.mapError((error) =>
          error instanceof ThoughtSpotError.ThoughtSpotError
            ? badAnswer(
                what,
                `${error.reason.description}${error.reason._tag === "Incomplete" ? " (an endpoint that filters a page after paging, a name_pattern say, reads so too: ask for it in one request, -F record_size=-1 without --paginate)" : ""}`
              )
            : error
        ),
        Stream.runForEachArray((items) =>
          writer.write(Buffer.concat(items.flatMap((item) => [ApiCall.oneLine(item), newline])))
        )
      )
    })
  )

const newline = Buffer.from("\n")

/** `spotpipe api <METHOD> <path>`. */
export const apiCommand = Command.make("api", apiFlags, runApi).pipe(
  Command.withDescription(
    "Call any ThoughtSpot REST API v2.0 endpoint with the connection and sign-in of the other commands; the answer goes to stdout byte for byte"
  ),
  Command.withExamples([
    {
      command: "spotpipe api POST metadata/search -f 'metadata[][type]=LIVEBOARD' -F record_size=5",
      description: "the first 5 liveboards, as ThoughtSpot sent them"
    },
    { command: "spotpipe api GET system | jq .time_zone", description: "a GET (fields become query parameters)" },
    {
      command: "spotpipe api POST metadata/search --paginate -F include_headers=true | wc -l",
      description: "every object, one per line (NDJSON)"
    },
    {
      command: "spotpipe api POST metadata/answer/data --input request.json",
      description: "a body from a file (- reads stdin)"
    },
    {
      command:
        "spotpipe api POST connection-configurations/create -f name=etl -f connection_identifier=Warehouse --secret-env 'configuration[accountKey]=AZURE_KEY'",
      description: "a credential from the environment, in a field of any name: never on the command line, never shown"
    }
  ])
)
