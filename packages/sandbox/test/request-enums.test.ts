/**
 * Enum-typed request fields: a value outside the enum gets ThoughtSpot's 400 naming the field and the allowed
 * values, so a client that sends a wrong value fails here instead of passing every test. The values are the
 * official SDK's (the string unions its request models declare): every one it can send is among those the
 * sandbox lists and is answered, so a value the SDK gains that the sandbox would refuse fails here by name.
 */
import { describe, expect, it } from "vitest"
import { fixtures } from "../src/index.ts"
import { nestedError, sandbox } from "./harness.ts"
import { enumFieldsOf, enumValues } from "./sdk-models.ts"

type Body = Record<string, unknown>

/** An enum-typed field: where the SDK declares it (nested names) and a body that sends `value` in it. */
interface EnumField {
  readonly path: string
  readonly field: ReadonlyArray<string>
  readonly body: (value: string) => Body
  /** The value picks an object by type, and the sandbox has none of some types: "no … exists" also answers. */
  readonly mayFindNone?: true
}

const revenue = fixtures.answers["Revenue by Month"]
const sales = fixtures.liveboards["Sales Overview"]
const answerOnly = { identifier: revenue.id, type: "ANSWER" }
/** An object of `type` the sandbox has, by id (a name that finds nothing for the types it has none of). */
const objectOf = (type: string): string =>
  ({
    LIVEBOARD: sales.id,
    ANSWER: revenue.id,
    LOGICAL_TABLE: fixtures.ordersTable.id,
    LOGICAL_COLUMN: fixtures.ordersTable.columns[0]!.id
  })[type] ?? `no such ${type}`
/** A principal of `type`. */
const principalOf = (type: string): string => (type === "USER_GROUP" ? "Analysts" : "tsViewer")
const enumFields: ReadonlyArray<EnumField> = [
  { path: "metadata/search", field: ["metadata", "type"], body: (type) => ({ metadata: [{ type }] }) },
  {
    path: "metadata/search",
    field: ["metadata", "subtypes"],
    body: (subtype) => ({ metadata: [{ type: "LOGICAL_TABLE", subtypes: [subtype] }] })
  },
  {
    path: "metadata/search",
    field: ["exclude_objects", "type"],
    body: (type) => ({ exclude_objects: [{ identifier: revenue.id, type }] })
  },
  {
    path: "metadata/search",
    field: ["sort_options", "field_name"],
    body: (field_name) => ({ sort_options: { field_name, order: "DESC" } })
  },
  {
    path: "metadata/search",
    field: ["sort_options", "order"],
    body: (order) => ({ sort_options: { field_name: "NAME", order } })
  },
  { path: "metadata/search", field: ["dependent_object_version"], body: (v) => ({ dependent_object_version: v }) },
  { path: "metadata/search", field: ["liveboard_response_version"], body: (v) => ({ liveboard_response_version: v }) },
  { path: "users/search", field: ["privileges"], body: (privilege) => ({ privileges: [privilege] }) },
  { path: "users/search", field: ["visibility"], body: (visibility) => ({ visibility }) },
  { path: "users/search", field: ["account_type"], body: (account_type) => ({ account_type }) },
  { path: "users/search", field: ["account_status"], body: (account_status) => ({ account_status }) },
  {
    path: "users/search",
    field: ["sort_options", "field_name"],
    body: (field_name) => ({ sort_options: { field_name } })
  },
  { path: "users/search", field: ["sort_options", "order"], body: (order) => ({ sort_options: { order } }) },
  { path: "groups/search", field: ["privileges"], body: (privilege) => ({ privileges: [privilege] }) },
  { path: "groups/search", field: ["type"], body: (type) => ({ type }) },
  { path: "groups/search", field: ["visibility"], body: (visibility) => ({ visibility }) },
  {
    path: "groups/search",
    field: ["sort_options", "field_name"],
    body: (field_name) => ({ sort_options: { field_name } })
  },
  { path: "groups/search", field: ["sort_options", "order"], body: (order) => ({ sort_options: { order } }) },
  { path: "roles/search", field: ["privileges"], body: (privilege) => ({ privileges: [privilege] }) },
  { path: "roles/search", field: ["permissions"], body: (permission) => ({ permissions: [permission] }) },
  { path: "orgs/search", field: ["visibility"], body: (visibility) => ({ visibility }) },
  { path: "orgs/search", field: ["status"], body: (status) => ({ status }) },
  { path: "logs/fetch", field: ["log_type"], body: (log_type) => ({ log_type }) },
  {
    path: "metadata/answer/data",
    field: ["data_format"],
    body: (data_format) => ({ metadata_identifier: revenue.id, data_format })
  },
  {
    path: "metadata/liveboard/data",
    field: ["data_format"],
    body: (data_format) => ({ metadata_identifier: sales.id, data_format })
  },
  {
    path: "searchdata",
    field: ["data_format"],
    body: (data_format) => ({
      query_string: "[Region] [Revenue]",
      logical_table_identifier: fixtures.ordersTable.id,
      data_format
    })
  },
  {
    path: "metadata/search",
    field: ["permissions", "principal", "type"],
    body: (type) => ({ permissions: [{ principal: { identifier: principalOf(type), type }, share_mode: "READ_ONLY" }] })
  },
  {
    path: "metadata/search",
    field: ["permissions", "share_mode"],
    body: (share_mode) => ({ permissions: [{ principal: { identifier: "tsViewer" }, share_mode }] })
  },
  {
    path: "metadata/tml/export",
    field: ["metadata", "type"],
    body: (type) => ({ metadata: [{ identifier: revenue.id, type }] })
  },
  {
    path: "metadata/tml/export",
    field: ["edoc_format"],
    body: (edoc_format) => ({ metadata: [answerOnly], edoc_format })
  },
  {
    path: "metadata/tml/export",
    field: ["export_schema_version"],
    body: (export_schema_version) => ({ metadata: [answerOnly], export_schema_version })
  },
  { path: "metadata/tml/export/batch", field: ["metadata_type"], body: (metadata_type) => ({ metadata_type }) },
  {
    path: "metadata/tml/export/batch",
    field: ["edoc_format"],
    body: (edoc_format) => ({ metadata_type: "USER", edoc_format })
  },
  {
    path: "security/metadata/fetch-permissions",
    field: ["metadata", "type"],
    body: (type) => ({ metadata: [{ identifier: objectOf(type), type }] }),
    mayFindNone: true
  },
  {
    path: "security/metadata/fetch-permissions",
    field: ["principals", "type"],
    body: (type) => ({ metadata: [answerOnly], principals: [{ identifier: principalOf(type), type }] })
  }
]

/** The endpoints whose every SDK enum field is checked above, or listed here with why it is not. */
const endpoints: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "auth/token/full": { user_parameters: "refused whole as unsupported (request-coverage)" },
  "auth/token/object": { user_parameters: "refused whole as unsupported (request-coverage)" },
  "groups/search": {},
  "logs/fetch": {},
  "metadata/answer/data": {},
  "metadata/liveboard/data": {},
  "metadata/search": {},
  "metadata/tml/export": {},
  "metadata/tml/export/batch": {},
  "orgs/search": {},
  "roles/search": {},
  searchdata: {},
  "security/metadata/fetch-permissions": {},
  "tags/search": {},
  "users/search": { favorite_metadata: "refused whole as unsupported (request-coverage)" }
}

const outside = "NOT_AN_SDK_VALUE"

describe("request enums", () => {
  it("checks-every-enum-field-the-sdk-declares", () => {
    const checked = new Set(enumFields.map(({ path, field }) => `${path} ${field.join(".")}`))
    const unchecked = Object.entries(endpoints).flatMap(([path, exempt]) =>
      enumFieldsOf(path)
        .filter((field) => !checked.has(`${path} ${field.join(".")}`) && exempt[field[0]!] === undefined)
        .map((field) => `${path} ${field.join(".")}`)
    )
    expect(unchecked).toEqual([])
    const unknown = [...checked].filter((c) => {
      const [path, field] = c.split(" ") as [string, string]
      return !enumFieldsOf(path).some((f) => f.join(".") === field)
    })
    expect(unknown).toEqual([])
  })

  it("refuses-values-outside-the-enum-and-answers-every-sdk-value", async () => {
    // Some three hundred requests in a row: more than the default rate limit lets through.
    const { call, token } = await sandbox({ faults: { rateLimit: false } })
    const t = await token()
    // Every field's gaps at once, by value, rather than the first field's.
    const gaps: Record<string, Record<string, unknown>> = {}
    for (const { path, field, body, mayFindNone } of enumFields) {
      const name = field.at(-1)!
      const values = enumValues(path, field)
      const refused = await call(path, body(outside), { token: t })
      const error = refused.status === 400 ? nestedError(refused.text) : undefined
      // "type must be one of A, B; got 'X'", "each privileges item must be one of …", "data_format must be A or B".
      const listed = new RegExp(`${name}(?: item)? must be (?:one of )?(.+?)(?:; got '${outside}'|$)`).exec(
        error?.debug.join(" ").replace(/\s+$/, "") ?? ""
      )?.[1]
      const gap: Record<string, unknown> = {}
      if (listed === undefined || error?.code !== 10002) gap.refusal = `${refused.status} ${refused.text.slice(0, 300)}`
      const allowed = listed?.split(/, | or /) ?? []
      const notListed = values.filter((v) => !allowed.includes(v))
      if (notListed.length > 0) gap.notListed = notListed
      const notAnswered: Array<string> = []
      for (const value of values) {
        const r = await call(path, body(value), { token: t })
        const foundNone =
          r.status === 400 && /no \S+ with id or name .* exists/.test(nestedError(r.text).debug.join(" "))
        if (r.status !== 200 && !(mayFindNone && foundNone))
          notAnswered.push(`${value}: ${r.status} ${r.text.slice(0, 200)}`)
      }
      if (notAnswered.length > 0) gap.notAnswered = notAnswered
      if (Object.keys(gap).length > 0) gaps[`${path} ${field.join(".")}`] = gap
    }
    expect(gaps).toEqual({})
  })

  it("refuses-values-not-spelled-as-the-enum", async () => {
    const { call, token } = await sandbox()
    const t = await token()
    // SECURITYMANAGEMENT is a role privilege, not a user one; VIEWS sorts metadata, not users.
    expect(enumValues("roles/search", ["privileges"])).toContain("SECURITYMANAGEMENT")
    expect(enumValues("users/search", ["privileges"])).not.toContain("SECURITYMANAGEMENT")
    expect(enumValues("metadata/search", ["sort_options", "field_name"])).toContain("VIEWS")
    expect(enumValues("users/search", ["sort_options", "field_name"])).not.toContain("VIEWS")
    const cases: Array<[string, Body, string]> = [
      ["metadata/search", { sort_options: { field_name: "name", order: "ASC" } }, "got 'name'"],
      ["metadata/search", { sort_options: "NAME" }, "sort_options must be an object"],
      ["groups/search", { privileges: ["AUTHORING", "authoring"] }, "got 'authoring'"],
      ["users/search", { privileges: ["SECURITYMANAGEMENT"] }, "got 'SECURITYMANAGEMENT'"],
      ["users/search", { sort_options: { field_name: "VIEWS" } }, "got 'VIEWS'"]
    ]
    for (const [path, body, hint] of cases) {
      const r = await call(path, body, { token: t })
      expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(400)
      const error = nestedError(r.text)
      expect(error.code).toBe(10002)
      expect(error.debug.join(" ")).toContain(hint)
    }
  })

  it("answers-types-it-has-no-objects-of-with-none", async () => {
    const { call, token } = await sandbox()
    const t = await token()
    // COLLECTION is the OpenAPI document's, newer than the SDK's enum.
    for (const type of ["LOGICAL_RELATIONSHIP", "INSIGHT_SPEC", "COLLECTION"]) {
      const r = await call("metadata/search", { metadata: [{ type }] }, { token: t })
      expect(r.status, type).toBe(200)
      expect(r.json<Array<unknown>>()).toEqual([])
    }
  })
})
