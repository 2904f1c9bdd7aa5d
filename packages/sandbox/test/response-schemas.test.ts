/**
 * Every route the sandbox serves answers in the shape the official SDK (@thoughtspot/rest-api-sdk, pinned) reads
 * for that path, method and status: each JSON body — successes with the requests spotpipe and the SDK make, and
 * the error answers — is validated against the schema sdk-models.ts derives from the model the SDK's response
 * processor deserializes it as (openapi-schema.ts: no field the model does not define, every required field,
 * JSON types, enum values, nulls only where the model says `| null`, int32 ranges).
 *
 * Where the SDK is loose (it types a field `any`), stricter checks stand in (`overrides` below):
 * - `data_rows` items are `any`: a COMPACT row is an array as long as `column_names` of scalars, nulls or
 *   `{"v":{"s":…,"e"?:…}}` date cells; a FULL row is an object whose keys are column names. Counts agree with
 *   the rows.
 * - The error model is `{"error"?: any | null}`: the error object is checked against the two shapes ThoughtSpot
 *   sends (nested at `error.message.debug` as live clusters do, with `debug` a JSON array of strings; flat), with
 *   exactly the keys code, incident_id_guid, trace_id_guid and debug.
 * - `metadata_header`, `metadata_detail`, visualization headers, TML items and the batch export are checked to
 *   be JSON objects here; other tests check their keys.
 * - `roles/search` times and `fetch-permissions` details: see `epochMs` and `permissionDetails`.
 *
 * 404, 405, 413, 415 and 429 are not listed for these operations in the SDK; their bodies are held to its error
 * model all the same (what ThoughtSpot's gateway sends for them is not documented).
 */
import { describe, expect, it } from "vitest"
import { fixtures } from "../src/index.ts"
import { sandbox } from "./harness.ts"
import { type Mismatch, type Override, type Schema, validate } from "./openapi-schema.ts"
import { modelSchema, operations, responseSchema } from "./sdk-models.ts"

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/** A date cell with Custom Calendar, as ThoughtSpot documents it: `{"v":{"s":…}}`, `e` optional. */
const isDateCell = (v: unknown): boolean =>
  isObject(v) &&
  Object.keys(v).join() === "v" &&
  isObject(v["v"]) &&
  typeof v["v"]["s"] === "number" &&
  Object.keys(v["v"]).every(
    (k) => k === "s" || (k === "e" && typeof (v["v"] as Record<string, unknown>)["e"] === "number")
  )

const isCell = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v) || isDateCell(v)

/** The rows of one `contents[]` item, against its own column names and counts. */
const contentCheck: Override = (value, path) => {
  const out: Array<Mismatch> = []
  if (!isObject(value)) return [{ path, message: "is not an object" }]
  const names = value["column_names"]
  const rows = value["data_rows"]
  if (!Array.isArray(names) || !Array.isArray(rows)) return []
  if (value["returned_data_row_count"] !== rows.length) {
    out.push({
      path,
      message: `returned_data_row_count ${String(value["returned_data_row_count"])} ≠ ${rows.length} rows`
    })
  }
  rows.forEach((row, i) => {
    const at = `${path}.data_rows[${i}]`
    if (Array.isArray(row)) {
      if (row.length !== names.length)
        out.push({ path: at, message: `has ${row.length} cells for ${names.length} columns` })
      row.forEach((c, j) => {
        if (!isCell(c)) out.push({ path: `${at}[${j}]`, message: `is not a cell value: ${JSON.stringify(c)}` })
      })
    } else if (isObject(row)) {
      for (const [k, c] of Object.entries(row)) {
        if (!names.includes(k)) out.push({ path: `${at}.${k}`, message: "is not one of column_names" })
        if (!isCell(c) || c === null)
          out.push({ path: `${at}.${k}`, message: `is not a FULL cell: ${JSON.stringify(c)}` })
      }
    } else out.push({ path: at, message: "is neither a COMPACT array nor a FULL object" })
  })
  return out
}

/** `schema` checked where an override stands, its mismatches' paths placed under that override's path. */
const within =
  (schema: Schema): Override =>
  (value, path) =>
    validate(modelSchema, schema, value).map((m) => ({ path: path + m.path.slice(1), message: m.message }))

/** Data answers: the SDK's model of the item with `data_rows` left out, then the row checks. */
const dataOverrides = (itemSchema: string): Record<string, Override> => ({
  "$.contents[]": (value, path) => {
    if (!isObject(value)) return [{ path, message: "is not an object" }]
    const schema = modelSchema(itemSchema)
    const { data_rows: _rows, ...rest } = value
    const stripped = within({
      ...schema,
      required: (schema["required"] as Array<string>).filter((k) => k !== "data_rows")
    })(rest, path)
    return [
      ...stripped,
      ...("data_rows" in value ? [] : [{ path, message: "lacks the required field 'data_rows'" }]),
      ...contentCheck(value, path)
    ]
  }
})

const errorInner: Schema = {
  type: "object",
  required: ["code", "incident_id_guid", "trace_id_guid", "debug"],
  properties: {
    code: { type: "integer", format: "int32" },
    incident_id_guid: { type: "string" },
    trace_id_guid: { type: "string" },
    debug: { type: "string" }
  }
}

/** The error object, nested (live clusters) or flat. */
const errorCheck =
  (shape: "nested" | "flat"): Override =>
  (value, path) => {
    const wrapped: Schema = {
      type: "object",
      required: ["message"],
      properties: {
        message:
          shape === "nested" ? { type: "object", required: ["debug"], properties: { debug: errorInner } } : errorInner
      }
    }
    const out = [...within(wrapped)(value, path)]
    if (shape === "nested" && out.length === 0) {
      const debug = (value as { message: { debug: { debug: string } } }).message.debug.debug
      let parsed: unknown
      try {
        parsed = JSON.parse(debug)
      } catch {
        parsed = undefined
      }
      if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === "string")) {
        out.push({ path: `${path}.message.debug.debug`, message: "is not a JSON array of strings" })
      }
    }
    return out
  }

/**
 * `roles/search` `creation_time_in_millis`/`modification_time_in_millis`: the SDK types them `any`; a time in
 * milliseconds is sent as a number, as for users, groups and tags, where the SDK types it `number`. Checked: a
 * non-negative integer, or null.
 */
const epochMs: Override = (value, path) =>
  value === null || (Number.isSafeInteger(value) && (value as number) >= 0)
    ? []
    : [{ path, message: `is not epoch milliseconds: ${JSON.stringify(value)}` }]

/** A JSON object (or, where `nullable`, null) where the SDK types the value `any`. */
const jsonObject =
  (nullable: boolean): Override =>
  (value, path) =>
    (nullable && value === null) || isObject(value)
      ? []
      : [{ path, message: `is not a JSON object: ${JSON.stringify(value)?.slice(0, 60)}` }]

const idAndName: Schema = {
  type: "object",
  required: ["id", "name"],
  properties: { id: { type: "string" }, name: { type: "string" } }
}
const string = { type: "string" }

/**
 * `fetch-permissions` `metadata_permission_details`: the SDK types it `any`; ThoughtSpot sends an array of one
 * object per metadata object, permissions grouped by principal type (see the README's "Permissions"). Checked:
 * exactly these keys and types.
 */
const permissionDetails: Schema = {
  type: "array",
  items: {
    type: "object",
    required: [
      "metadata_id",
      "metadata_name",
      "metadata_type",
      "metadata_owner",
      "metadata_author",
      "principal_permission_info"
    ],
    properties: {
      metadata_id: string,
      metadata_name: string,
      metadata_type: string,
      metadata_owner: idAndName,
      metadata_author: idAndName,
      principal_permission_info: {
        type: "array",
        items: {
          type: "object",
          required: ["principal_type", "principal_sub_type", "principal_permissions"],
          properties: {
            principal_type: string,
            principal_sub_type: string,
            principal_permissions: {
              type: "array",
              items: {
                type: "object",
                required: ["principal_id", "principal_name", "permission", "shared_permission", "group_permission"],
                properties: {
                  principal_id: string,
                  principal_name: string,
                  permission: string,
                  shared_permission: string,
                  group_permission: { type: "array" }
                }
              }
            }
          }
        }
      }
    }
  }
}

type Call = Awaited<ReturnType<typeof sandbox>>["call"]

type Tokens = { readonly admin: string; readonly viewer: string; readonly spare: string }

/** One request and the status it must get; a body may be built from the test's tokens. */
interface Case {
  readonly label: string
  readonly status: number
  readonly body?: unknown | ((tokens: Tokens) => unknown)
  readonly token?: "admin" | "viewer" | "none"
  readonly method?: string
  readonly headers?: Record<string, string>
}

/** Calls each case and validates its body against the SDK's model; returns every mismatch, labelled. */
const check = async (
  call: Call,
  tokens: Tokens,
  path: string,
  cases: ReadonlyArray<Case>,
  overrides: Readonly<Record<string, Override>> = {},
  shape: "nested" | "flat" = "nested"
): Promise<Array<string>> => {
  const out: Array<string> = []
  for (const c of cases) {
    const method = c.method ?? (c.body === undefined ? "GET" : "POST")
    const token = c.token === "none" ? undefined : tokens[c.token ?? "admin"]
    const body = typeof c.body === "function" ? c.body(tokens) : c.body
    const r = await call(path, body, {
      method,
      ...(token === undefined ? {} : { token }),
      ...(c.headers === undefined ? {} : { headers: c.headers })
    })
    if (r.status !== c.status) {
      out.push(`${path} ${c.label}: status ${r.status}, expected ${c.status}: ${r.text.slice(0, 200)}`)
      continue
    }
    // The SDK lists no 404/405/413/415/429 for these operations: such bodies are held to its 400 model.
    const listed = [404, 405, 413, 415, 429].includes(r.status) ? 400 : r.status
    // A 405 is for a method the SDK has no operation of: its body is held to the route's own operation's.
    const read = r.status === 405 ? (operations.get(path)?.method ?? "post") : method.toLowerCase()
    const schema = responseSchema(path, read, listed)
    if (schema === undefined) {
      if (r.text !== "")
        out.push(`${path} ${c.label}: a ${r.status} the SDK reads no body of has ${r.text.slice(0, 80)}`)
      continue
    }
    // The SDK reads each of these bodies as application/json.
    const type = r.headers.get("content-type") ?? ""
    if (!/^application\/json(;|$)/.test(type)) out.push(`${path} ${c.label} (${r.status}): content-type '${type}'`)
    const isError = r.status >= 400
    const mismatches = validate(
      modelSchema,
      schema,
      r.json<unknown>(),
      isError ? { "$.error": errorCheck(shape) } : overrides
    )
    for (const m of mismatches) out.push(`${path} ${c.label} (${r.status}) ${m.path}: ${m.message}`)
  }
  return out
}

const revenue = fixtures.answers["Revenue by Month"]
const details = fixtures.answers["Order Details"]
const sales = fixtures.liveboards["Sales Overview"]
const restricted = fixtures.liveboards["Executive Summary (restricted)"]
const table = fixtures.ordersTable.id
const nowMs = Date.parse("2026-01-15T12:00:00Z")

/** The common error answers of an authenticated route: no caller (401) and a malformed body (400). */
const authErrors = (body: unknown = {}): ReadonlyArray<Case> => [
  { label: "without a token", status: 401, body, token: "none" },
  { label: "with a body that is not an object", status: 400, body: "[1]" }
]

const cases: Readonly<Record<string, { cases: ReadonlyArray<Case>; overrides?: Record<string, Override> }>> = {
  "auth/token/full": {
    cases: [
      { label: "password", status: 200, body: { username: "tsUserA", password: "Guest@123!" }, token: "none" },
      {
        label: "org",
        status: 200,
        body: { username: "tsUserA", password: "Guest@123!", org_id: fixtures.orgs[1]!.id },
        token: "none"
      },
      { label: "wrong password", status: 401, body: { username: "tsUserA", password: "nope" }, token: "none" },
      { label: "no username", status: 400, body: { password: "x" }, token: "none" },
      {
        label: "inactive org",
        status: 403,
        body: { username: "tsUserA", password: "Guest@123!", org_identifier: "Sales LATAM" },
        token: "none"
      }
    ]
  },
  "auth/token/object": {
    cases: [
      {
        label: "object",
        status: 200,
        body: { username: "tsUserA", password: "Guest@123!", object_id: revenue.id },
        token: "none"
      },
      {
        label: "unreadable object",
        status: 403,
        body: { username: "tsViewer", password: "Viewer@123!", object_id: restricted.id },
        token: "none"
      },
      { label: "no object", status: 400, body: { username: "tsUserA", password: "Guest@123!" }, token: "none" }
    ]
  },
  "auth/session/login": {
    cases: [
      { label: "login", status: 204, body: { username: "tsUserA", password: "Guest@123!" }, token: "none" },
      { label: "wrong password", status: 401, body: { username: "tsUserA", password: "nope" }, token: "none" }
    ]
  },
  "auth/session/user": {
    cases: [
      { label: "admin", status: 200 },
      { label: "viewer", status: 200, token: "viewer" },
      { label: "without a token", status: 401, token: "none" }
    ]
  },
  "auth/session/token": {
    cases: [
      { label: "mint", status: 200 },
      { label: "without a token", status: 401, token: "none" }
    ]
  },
  "auth/token/validate": {
    cases: [
      { label: "valid token", status: 200, body: (t: Tokens) => ({ token: t.viewer }) },
      { label: "malformed token", status: 400, body: { token: "nope" } },
      ...authErrors({ token: "x" })
    ]
  },
  "auth/token/revoke": {
    cases: [
      { label: "a token", status: 204, body: (t: Tokens) => ({ token: t.spare }) },
      { label: "a user's tokens", status: 204, body: { user_identifier: "tsViewer" } },
      { label: "no field", status: 400, body: {} },
      ...authErrors()
    ]
  },
  system: {
    cases: [
      { label: "info", status: 200 },
      { label: "without a token", status: 401, token: "none" }
    ]
  },
  "metadata/search": {
    cases: [
      { label: "everything", status: 200, body: { record_size: -1 } },
      { label: "details", status: 200, body: { record_size: -1, include_details: true } },
      {
        label: "spotpipe's find",
        status: 200,
        body: { metadata: [{ identifier: table, type: "LOGICAL_TABLE" }], include_details: true }
      },
      {
        label: "viz headers",
        status: 200,
        body: { metadata: [{ type: "LIVEBOARD" }], include_visualization_headers: true }
      },
      { label: "no headers", status: 200, body: { include_headers: false } },
      {
        label: "users, tags, columns",
        status: 200,
        body: {
          metadata: [
            { type: "USER" },
            { type: "TAG" },
            { type: "LOGICAL_COLUMN" },
            { type: "USER_GROUP" },
            { type: "CONNECTION" }
          ],
          record_size: -1,
          include_details: true
        }
      },
      { label: "bad type", status: 400, body: { metadata: [{ type: "NOPE" }] } },
      ...authErrors()
    ],
    overrides: {
      "$[].metadata_header": jsonObject(true),
      "$[].metadata_detail": jsonObject(true),
      "$[].visualization_headers[]": jsonObject(false)
    }
  },
  searchdata: {
    cases: [
      {
        label: "compact",
        status: 200,
        body: {
          query_string: "[Region] [Revenue] [Order Date].monthly",
          logical_table_identifier: table,
          record_size: 50
        }
      },
      {
        label: "full",
        status: 200,
        body: { query_string: "[Region] [Revenue]", logical_table_identifier: table, data_format: "FULL" }
      },
      {
        label: "past the end",
        status: 200,
        body: { query_string: "[Region]", logical_table_identifier: table, record_offset: 1000 }
      },
      { label: "bad query", status: 400, body: { query_string: "[Nope]", logical_table_identifier: table } },
      ...authErrors()
    ]
  },
  "metadata/answer/data": {
    cases: [
      { label: "compact", status: 200, body: { metadata_identifier: details.id, record_size: 20 } },
      { label: "full", status: 200, body: { metadata_identifier: revenue.id, data_format: "FULL" } },
      {
        label: "unreadable",
        status: 403,
        body: {
          metadata_identifier: Object.values(fixtures.answers).find((a) => a.id !== revenue.id && a.id !== details.id)!
            .id
        },
        token: "viewer"
      },
      { label: "unknown", status: 400, body: { metadata_identifier: "nope" } },
      ...authErrors()
    ]
  },
  "metadata/liveboard/data": {
    cases: [
      { label: "every viz", status: 200, body: { metadata_identifier: sales.id } },
      {
        label: "one viz, full",
        status: 200,
        body: {
          metadata_identifier: sales.id,
          visualization_identifiers: [sales.visualizations[0]!.name],
          data_format: "FULL"
        }
      },
      { label: "unreadable", status: 403, body: { metadata_identifier: restricted.id }, token: "viewer" },
      ...authErrors()
    ]
  },
  "metadata/tml/export": {
    cases: [
      {
        label: "answer",
        status: 200,
        body: { metadata: [{ identifier: revenue.id, type: "ANSWER" }], export_associated: true }
      },
      {
        label: "yaml, fqn",
        status: 200,
        body: { metadata: [{ identifier: sales.id }], edoc_format: "YAML", export_fqn: true }
      },
      { label: "no metadata", status: 400, body: {} },
      ...authErrors()
    ],
    overrides: { "$[]": jsonObject(false) }
  },
  "metadata/tml/export/batch": {
    cases: [
      { label: "users", status: 200, body: { metadata_type: "USER" } },
      { label: "no type", status: 400, body: {} },
      ...authErrors()
    ],
    overrides: { $: jsonObject(false) }
  },
  "logs/fetch": {
    cases: [
      {
        label: "audit",
        status: 200,
        body: {
          log_type: "SECURITY_AUDIT",
          start_epoch_time_in_millis: nowMs - 86_400_000,
          end_epoch_time_in_millis: nowMs
        }
      },
      { label: "not an admin", status: 403, body: { log_type: "SECURITY_AUDIT" }, token: "viewer" },
      ...authErrors({ log_type: "SECURITY_AUDIT" })
    ]
  },
  "users/search": {
    cases: [
      { label: "all", status: 200, body: { record_size: -1 } },
      {
        label: "spotpipe's listing",
        status: 200,
        body: { sort_options: { field_name: "NAME", order: "ASC" }, record_size: 2, record_offset: 1 }
      },
      { label: "another org", status: 200, body: { org_identifiers: ["Sales EMEA"], record_size: -1 } },
      ...authErrors()
    ]
  },
  "groups/search": {
    cases: [
      { label: "all", status: 200, body: { record_size: -1 } },
      {
        label: "spotpipe's listing",
        status: 200,
        body: { sort_options: { field_name: "NAME", order: "ASC" }, include_users: true, include_sub_groups: true }
      },
      {
        label: "without members",
        status: 200,
        body: { include_users: false, include_sub_groups: false, record_size: -1 }
      },
      ...authErrors()
    ]
  },
  "roles/search": {
    cases: [{ label: "all", status: 200, body: {} }, ...authErrors()],
    overrides: { "$[].creation_time_in_millis": epochMs, "$[].modification_time_in_millis": epochMs }
  },
  "orgs/search": {
    cases: [
      { label: "all", status: 200, body: {} },
      { label: "inactive", status: 200, body: { status: "IN_ACTIVE" } },
      ...authErrors()
    ]
  },
  "tags/search": { cases: [{ label: "all", status: 200, body: {} }, ...authErrors()] },
  "security/metadata/fetch-permissions": {
    cases: [
      {
        label: "answer and liveboard",
        status: 200,
        body: {
          metadata: [
            { identifier: revenue.id, type: "ANSWER" },
            { identifier: sales.id, type: "LIVEBOARD" }
          ],
          include_dependent_objects: true
        }
      },
      {
        label: "principals",
        status: 200,
        body: {
          metadata: [{ identifier: revenue.id, type: "ANSWER" }],
          principals: [{ identifier: "tsViewer", type: "USER" }]
        }
      },
      { label: "no metadata", status: 400, body: {} },
      ...authErrors()
    ],
    overrides: { "$.metadata_permission_details": within(permissionDetails) }
  },
  "metadata/delete": {
    cases: [
      { label: "unknown object", status: 400, body: { metadata: [{ identifier: "nope", type: "ANSWER" }] } },
      { label: "delete", status: 204, body: { metadata: [{ identifier: details.id, type: "ANSWER" }] } },
      ...authErrors()
    ]
  },
  "auth/session/logout": {
    cases: [
      { label: "logout", status: 204, body: {} },
      { label: "without a token", status: 401, body: {}, token: "none" }
    ]
  }
}
const dataRoutes: Readonly<Record<string, string>> = {
  searchdata: "AnswerContent",
  "metadata/answer/data": "AnswerContent",
  "metadata/liveboard/data": "LiveboardContent"
}

const setup = async (options: Parameters<typeof sandbox>[0] = {}) => {
  const h = await sandbox(options)
  const tokens = { admin: await h.token(), viewer: await h.token("tsViewer", "Viewer@123!"), spare: await h.token() }
  return { ...h, tokens }
}

describe("response-schemas", () => {
  it("covers-every-route-the-sandbox-serves", async () => {
    const { faultRoutes } = await import("../src/Faults.ts")
    expect(Object.keys(cases).sort()).toEqual([...faultRoutes].sort())
  })

  for (const [path, spec] of Object.entries(cases)) {
    it(`${path}-answers-as-the-sdk-reads-it`, async () => {
      const { call, tokens } = await setup()
      const data = dataRoutes[path]
      const overrides = { ...(data === undefined ? {} : dataOverrides(data)), ...spec.overrides }
      expect(await check(call, tokens, path, spec.cases, overrides)).toEqual([])
    })
  }

  it("every-org-member-gets-documented-answers", async () => {
    // Many requests on a clock that stands still: no rate limit.
    const h = await sandbox({ faults: { rateLimit: false } })
    const out: Array<string> = []
    let members = 0
    for (const org of fixtures.orgs.filter((o) => o.status === "ACTIVE")) {
      const objects = Object.values(org.objects)
      for (const u of org.users) {
        const t = await h.call("auth/token/full", { username: u.username, password: u.password, org_id: org.id })
        // A locked or suspended member gets no token; the refusal's body is checked like any other.
        if (t.status !== 200) {
          const schema = responseSchema("auth/token/full", "post", t.status)!
          for (const m of validate(modelSchema, schema, t.json<unknown>(), { "$.error": errorCheck("nested") })) {
            out.push(`${org.name} ${u.username} token (${t.status}) ${m.path}: ${m.message}`)
          }
          continue
        }
        members++
        const token = t.json<{ token: string }>().token
        const tokens = { admin: token, viewer: token, spare: token }
        const all = (path: string, cases: ReadonlyArray<Case>, overrides: Record<string, Override> = {}) =>
          check(h.call, tokens, path, cases, overrides).then((found) =>
            out.push(...found.map((f) => `${org.name} ${u.username}: ${f}`))
          )
        const ok = (label: string, body?: unknown): Case => ({
          label,
          status: 200,
          ...(body === undefined ? {} : { body })
        })
        await all("auth/session/user", [ok("self")])
        // GET system, roles/search and orgs/search need administration privileges; others get the 403 body.
        const self = await h.call("auth/session/user", undefined, { token })
        const admin = self.json<{ privileges: Array<string> }>().privileges.includes("ADMINISTRATION")
        const adminOnly = (label: string, body?: unknown): Case => ({
          ...ok(label, body),
          status: admin ? 200 : 403
        })
        await all("system", [adminOnly("info")])
        for (const path of ["users/search", "groups/search"]) await all(path, [ok("all", { record_size: -1 })])
        for (const path of ["roles/search", "orgs/search"])
          await all(path, [adminOnly("all", {})], cases[path]!.overrides)
        await all("tags/search", [ok("all", {})], cases["tags/search"]!.overrides)
        await all(
          "metadata/search",
          [ok("details", { record_size: -1, include_details: true, include_visualization_headers: true })],
          cases["metadata/search"]!.overrides
        )
        for (const o of objects) {
          const item = { identifier: o.id, type: o.type }
          const tml = await h.call("metadata/tml/export", { metadata: [item] }, { token })
          if (tml.status === 200) {
            const tmlOverrides = cases["metadata/tml/export"]!.overrides
            await all("metadata/tml/export", [ok(`tml ${o.type}`, { metadata: [item] })], tmlOverrides)
          }
          const permissions = { metadata: [item] }
          const p = await h.call("security/metadata/fetch-permissions", permissions, { token })
          const expected = p.status === 200 || p.status === 403 || p.status === 400 ? p.status : 200
          await all(
            "security/metadata/fetch-permissions",
            [{ label: `permissions ${o.type}`, status: expected, body: permissions }],
            cases["security/metadata/fetch-permissions"]!.overrides
          )
          if (o.type === "ANSWER" || o.type === "LIVEBOARD") {
            const path = o.type === "ANSWER" ? "metadata/answer/data" : "metadata/liveboard/data"
            const d = await h.call(path, { metadata_identifier: o.id }, { token })
            await all(
              path,
              [{ label: "data", status: d.status, body: { metadata_identifier: o.id } }],
              dataOverrides(dataRoutes[path]!)
            )
          }
        }
      }
    }
    expect(members).toBeGreaterThan(fixtures.orgs.length)
    expect(out).toEqual([])
  })

  it("data-cells-with-custom-calendar-and-end-match", async () => {
    const { call, tokens } = await setup({ customCalendar: "with-end" })
    const body = { query_string: "[Order Date].monthly [Revenue]", logical_table_identifier: table }
    const compact = [
      { label: "custom calendar", status: 200, body },
      { label: "full", status: 200, body: { ...body, data_format: "FULL" } }
    ]
    expect(await check(call, tokens, "searchdata", compact, dataOverrides("AnswerContent"))).toEqual([])
  })

  it("flat-error-bodies-match", async () => {
    const { call, tokens } = await setup({ errorShape: "flat" })
    const errors = [...authErrors(), { label: "no query", status: 400, body: { logical_table_identifier: table } }]
    expect(await check(call, tokens, "searchdata", errors, {}, "flat")).toEqual([])
  })

  it("fault-and-gateway-error-bodies-match", async () => {
    const { call, tokens } = await setup({ faults: { routes: { system: { error500: 1 } }, rateLimit: false } })
    const out = [
      ...(await check(call, tokens, "system", [{ label: "injected 500", status: 500 }])),
      ...(await check(call, tokens, "users/search", [{ label: "GET on a POST route", status: 405, method: "GET" }])),
      ...(await check(call, tokens, "searchdata", [
        { label: "not JSON", status: 400, body: "x" },
        { label: "not JSON by its type", status: 415, body: "x", headers: { "content-type": "text/plain" } },
        { label: "over 1 MiB", status: 413, body: { query_string: "x".repeat(1 << 20) } }
      ]))
    ]
    expect(out).toEqual([])
  })

  it("rate-limited-and-unknown-route-bodies-match", async () => {
    // The clock stands still: the first request takes the only one, the next ones are refused.
    const { call } = await sandbox({ faults: { rateLimit: { perSecond: 1, burst: 0 } } })
    const out: Array<string> = []
    const statuses: Array<number> = []
    for (let i = 0; i < 3; i++) {
      const r = await call("nope/route", {})
      statuses.push(r.status)
      if (r.status !== 404 && r.status !== 429) out.push(`unexpected ${r.status}`)
      const schema = responseSchema("system", "get", 400)!
      for (const m of validate(modelSchema, schema, r.json<unknown>(), { "$.error": errorCheck("nested") })) {
        out.push(`${r.status} ${m.path}: ${m.message}`)
      }
    }
    expect(statuses).toEqual([404, 429, 429])
    expect(out).toEqual([])
  })

  describe("the SDK's response models", () => {
    it("reads-each-status's-type-from-the-sdk's-response-processor", () => {
      expect(responseSchema("users/search", "post", 200)).toEqual({ type: "array", items: { $ref: "User" } })
      expect(responseSchema("auth/session/login", "post", 204)).toBeUndefined()
      expect(responseSchema("system", "get", 401)).toEqual({ $ref: "ErrorResponse" })
      expect(responseSchema("metadata/tml/export/batch", "post", 200)).toEqual({})
      expect(() => responseSchema("system", "get", 404)).toThrow("the SDK lists no 404 response for GET system")
      expect(() => responseSchema("system", "post", 200)).toThrow("the SDK has no operation POST system")
    })

    it("turns-a-model-into-a-closed-schema", () => {
      expect(modelSchema("Scope")).toEqual({
        type: "object",
        properties: {
          access_type: { type: "string" },
          org_id: { type: "integer", format: "int32", nullable: true },
          metadata_id: { type: "string", nullable: true }
        },
        required: ["access_type"]
      })
      const role = modelSchema("SearchRoleResponse")["properties"] as Record<string, Schema>
      expect(role["permission"]).toEqual({ type: "string", enum: ["READ_ONLY", "MODIFY", "NO_ACCESS"], nullable: true })
      expect((role["privileges"]!["items"] as Schema)["enum"]).toContain("ADMINISTRATION")
      expect(role["creation_time_in_millis"]).toEqual({ nullable: true })
      expect(modelSchema("Token")["properties"]).toMatchObject({
        creation_time_in_millis: { type: "number", format: "float" },
        scope: { $ref: "Scope" }
      })
      expect(() => modelSchema("NoSuchModel")).toThrow()
    })
  })

  describe("the validator", () => {
    const token = {
      token: "t",
      creation_time_in_millis: 1,
      expiration_time_in_millis: 2,
      scope: { access_type: "FULL", org_id: 0, metadata_id: null },
      valid_for_user_id: "u",
      valid_for_username: "n"
    }
    const found = (value: unknown, name = "Token") =>
      validate(modelSchema, modelSchema(name), value).map((m) => `${m.path}: ${m.message}`)

    it("accepts-a-documented-body", () => {
      expect(found(token)).toEqual([])
    })

    it("names-each-drift-by-its-json-path", () => {
      expect(found({ ...token, extra: 1 })).toEqual(["$.extra: is a field the schema does not define here"])
      const { scope: _scope, ...noScope } = token
      expect(found(noScope)).toEqual(["$: lacks the required field 'scope'"])
      expect(found({ ...token, scope: { ...token.scope, org_id: "0" } })).toEqual([
        '$.scope.org_id: is string "0", the schema says integer'
      ])
      expect(found({ ...token, scope: { ...token.scope, org_id: 2 ** 31 } })).toEqual([
        "$.scope.org_id: 2147483648 is outside int32"
      ])
      expect(found({ ...token, scope: { ...token.scope, org_id: 1.5 } })).toEqual([
        "$.scope.org_id: is number 1.5, the schema says integer"
      ])
      expect(found({ ...token, token: null })).toEqual(["$.token: is null, which the schema does not allow"])
      expect(found({ metadata_type: "NOPE" }, "MetadataSearchResponse")[0]).toMatch(
        /^\$\.metadata_type: "NOPE" is not one of the schema's values LIVEBOARD, ANSWER/
      )
      expect(found({ contents: [{ column_names: [1] }] }, "SearchDataResponse")).toContain(
        "$.contents[0].column_names[0]: is integer 1, the schema says string"
      )
    })

    it("holds-loose-places-to-their-stricter-checks", () => {
      const content = {
        available_data_row_count: 1,
        column_names: ["a", "b"],
        data_rows: [[1, { v: { s: 2, x: 3 } }], [1]],
        record_offset: 0,
        record_size: 10,
        returned_data_row_count: 1,
        sampling_ratio: 1
      }
      const m = validate(
        modelSchema,
        modelSchema("SearchDataResponse"),
        { contents: [content] },
        dataOverrides("AnswerContent")
      )
      expect(m.map((x) => `${x.path}: ${x.message}`)).toEqual([
        "$.contents[0]: returned_data_row_count 1 ≠ 2 rows",
        '$.contents[0].data_rows[0][1]: is not a cell value: {"v":{"s":2,"x":3}}',
        "$.contents[0].data_rows[1]: has 1 cells for 2 columns"
      ])
      const details = [{ metadata_id: 1, metadata_owner: { id: "o", name: "n", extra: true } }]
      const permissions = validate(modelSchema, modelSchema("PermissionOfMetadataResponse"), {
        metadata_permission_details: details
      })
      expect(permissions).toEqual([])
      const strict = validate(
        modelSchema,
        modelSchema("PermissionOfMetadataResponse"),
        { metadata_permission_details: details },
        cases["security/metadata/fetch-permissions"]!.overrides
      ).map((x) => `${x.path}: ${x.message}`)
      expect(strict).toContain("$.metadata_permission_details[0].metadata_id: is integer 1, the schema says string")
      expect(strict).toContain(
        "$.metadata_permission_details[0].metadata_owner.extra: is a field the schema does not define here"
      )
      const roles = validate(
        modelSchema,
        responseSchema("roles/search", "post", 200)!,
        [{ id: "r", name: "n", description: "", privileges: [], creation_time_in_millis: "1" }],
        cases["roles/search"]!.overrides
      )
      expect(roles.map((x) => `${x.path}: ${x.message}`)).toEqual([
        '$[0].creation_time_in_millis: is not epoch milliseconds: "1"'
      ])
      const header = validate(
        modelSchema,
        responseSchema("metadata/search", "post", 200)!,
        [{ metadata_type: "ANSWER", metadata_header: "x" }],
        cases["metadata/search"]!.overrides
      )
      expect(header.map((x) => `${x.path}: ${x.message}`)).toEqual(['$[0].metadata_header: is not a JSON object: "x"'])
    })

    it("refuses-schema-keywords-it-does-not-check", () => {
      expect(() => validate(modelSchema, { type: "string", pattern: "^a$" }, "a")).toThrow(/keyword 'pattern'/)
      expect(() => validate(modelSchema, { type: "string", format: "uuid" }, "a")).toThrow(/format 'uuid'/)
    })
  })
})
