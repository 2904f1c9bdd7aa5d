/**
 * Core's response schemas against the API's OpenAPI document (`responses.json`, extracted from it by
 * `extract.ts`): every answer the document allows is read, and read as sent. From each documented schema the test
 * builds answers — every field given, only the required ones, every nullable one `null`, each enum value, fields
 * the document does not define (a newer cluster) — and checks that core decodes them without changing a value;
 * then answers the document does not allow (a required field missing, a value of another JSON type) and checks
 * that core refuses them by the field's name or keeps them exactly as sent, never coerced.
 */

import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { AuditLog, Orgs, Permissions, Principals, Tags, ThoughtSpotApi } from "../../src/index.ts"
import document from "./responses.json" with { type: "json" }

type Spec = {
  readonly $ref?: string
  readonly type?: string
  readonly format?: string
  readonly nullable?: boolean
  readonly enum?: ReadonlyArray<string>
  readonly required?: ReadonlyArray<string>
  readonly properties?: Readonly<Record<string, Spec>>
  readonly items?: Spec
}
const schemas = document as unknown as Readonly<Record<string, Spec>>

const resolve = (spec: Spec): Spec => {
  if (spec.$ref === undefined) return spec
  const target = schemas[spec.$ref.replace("#/components/schemas/", "")]
  if (target === undefined) throw new Error(`responses.json has no ${spec.$ref}: run extract.ts again`)
  return { ...target, ...(spec.nullable === true ? { nullable: true } : {}) }
}

/** How an answer is built: every documented field, or only the required ones, or `null` wherever allowed. */
type Mode = "complete" | "required" | "nulls"

/** A field the document does not define, as a newer cluster may add one at any level. */
const NEWER = "field_of_a_newer_cluster"

const documentedValue = (spec: Spec, mode: Mode, newer: boolean): unknown => {
  const s = resolve(spec)
  if (s.enum !== undefined) return s.enum[0]
  switch (s.type) {
    case "string":
      return "text"
    case "integer":
      return 7
    case "number":
      // A float where the document says so, a whole number beyond 2^31 otherwise (epoch milliseconds).
      return s.format === "float" || s.format === "double" ? 1718900000000.5 : 1718900000000
    case "boolean":
      return true
    case "array":
      return s.items === undefined ? [] : [documentedValue(s.items, mode, newer)]
    default:
      return objectOf(s, mode, newer)
  }
}

const objectOf = (spec: Spec, mode: Mode, newer: boolean): Record<string, unknown> => {
  const s = resolve(spec)
  const required = new Set(s.required ?? [])
  const out: Record<string, unknown> = {}
  for (const [key, field] of Object.entries(s.properties ?? { key: { type: "string" } })) {
    if (required.has(key)) out[key] = documentedValue(field, mode, newer)
    else if (mode === "complete") out[key] = documentedValue(field, mode, newer)
    else if (mode === "nulls" && resolve(field).nullable === true) out[key] = null
  }
  if (newer) out[NEWER] = { kept: [1, "as sent"] }
  return out
}

/** Every path (keys and array indexes) to a field of `spec` whose schema satisfies `pick`, within `value`. */
const pathsTo = (
  spec: Spec,
  value: unknown,
  pick: (field: Spec) => boolean,
  at: ReadonlyArray<string | number> = []
): Array<ReadonlyArray<string | number>> => {
  const s = resolve(spec)
  if (s.type === "array" && s.items !== undefined && Array.isArray(value)) {
    return value.flatMap((item, i) => pathsTo(s.items!, item, pick, [...at, i]))
  }
  if (typeof value !== "object" || value === null || s.properties === undefined) return []
  return Object.entries(s.properties).flatMap(([key, field]) =>
    key in value
      ? [
          ...(pick(resolve(field)) ? [[...at, key]] : []),
          ...pathsTo(field, (value as Record<string, unknown>)[key], pick, [...at, key])
        ]
      : []
  )
}

const setAt = (value: unknown, path: ReadonlyArray<string | number>, to: unknown | typeof REMOVE): unknown => {
  const copy = structuredClone(value) as Record<string | number, unknown>
  let parent = copy
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>
  const last = path[path.length - 1]!
  if (to === REMOVE) delete parent[last]
  else parent[last] = to
  return copy
}
const REMOVE = Symbol("remove")

/** A value of another JSON type than the field's. */
const wrongTypeFor = (spec: Spec): unknown =>
  spec.enum !== undefined || spec.type === "string"
    ? 7
    : spec.type === "integer" || spec.type === "number"
      ? "7"
      : spec.type === "boolean"
        ? "true"
        : spec.type === "array"
          ? "[]"
          : 7

const decode = (schema: Schema.Top & { readonly DecodingServices: never }, input: unknown) => {
  try {
    return { ok: true as const, value: Schema.decodeUnknownSync(schema as Schema.Codec<unknown>)(input) }
  } catch (error) {
    return { ok: false as const, message: String((error as Error).message) }
  }
}

/**
 * Every field of `decoded` holds exactly what `sent` holds there (a decoder may leave fields out, never change
 * one); with `whole`, nothing was left out either.
 */
const asSent = (decoded: unknown, sent: unknown, whole: boolean, at = "$"): ReadonlyArray<string> => {
  if (typeof decoded !== "object" || decoded === null || typeof sent !== "object" || sent === null) {
    return Object.is(decoded, sent) ? [] : [`${at}: sent ${JSON.stringify(sent)}, decoded ${JSON.stringify(decoded)}`]
  }
  if (Array.isArray(decoded) !== Array.isArray(sent)) return [`${at}: an array and an object`]
  const problems: Array<string> = []
  const d = decoded as Record<string, unknown>
  const s = sent as Record<string, unknown>
  for (const key of Object.keys(d)) {
    if (!(key in s)) problems.push(`${at}.${key}: not sent, decoded as ${JSON.stringify(d[key])}`)
    else problems.push(...asSent(d[key], s[key], whole, `${at}.${key}`))
  }
  if (whole) for (const key of Object.keys(s)) if (!(key in d)) problems.push(`${at}.${key}: sent, left out`)
  return problems
}

interface Case {
  /** Core's schema of one documented object. */
  readonly core: Schema.Top & { readonly DecodingServices: never }
  /** The document's schema it reads. */
  readonly documented: string
  /** Whether core keeps every field as sent, documented or not (listings that are exported). */
  readonly keepsAll: boolean
  /** Fields core reads that this schema does not define. */
  readonly alsoReads?: ReadonlyArray<string>
}

const cases: ReadonlyArray<[string, Case]> = [
  ["TokenResponse", { core: ThoughtSpotApi.TokenResponse, documented: "Token", keepsAll: false }],
  ["SystemInfo", { core: ThoughtSpotApi.SystemInfo, documented: "SystemInfo", keepsAll: false }],
  ["CurrentUser", { core: ThoughtSpotApi.CurrentUser, documented: "User", keepsAll: false }],
  ["MetadataItem", { core: ThoughtSpotApi.MetadataItem, documented: "MetadataSearchResponse", keepsAll: false }],
  [
    "ContentEnvelope (answer)",
    {
      core: ThoughtSpotApi.ContentEnvelope,
      documented: "AnswerContent",
      keepsAll: false,
      // One schema reads answer and liveboard pages; only a liveboard's has these (optional).
      alsoReads: ["visualization_id", "visualization_name"]
    }
  ],
  [
    "ContentEnvelope (liveboard)",
    { core: ThoughtSpotApi.ContentEnvelope, documented: "LiveboardContent", keepsAll: false }
  ],
  ["Org", { core: Orgs.Org, documented: "OrgResponse", keepsAll: true }],
  ["Tag", { core: Tags.Tag, documented: "Tag", keepsAll: true }],
  ["User", { core: Principals.User, documented: "User", keepsAll: true }],
  ["UserGroup", { core: Principals.UserGroup, documented: "UserGroupResponse", keepsAll: true }],
  ["Role", { core: Principals.Role, documented: "SearchRoleResponse", keepsAll: true }],
  [
    "PermissionsResponse",
    { core: Permissions.PermissionsResponse, documented: "PermissionOfMetadataResponse", keepsAll: true }
  ],
  ["LogEntry", { core: AuditLog.LogEntry, documented: "LogResponse", keepsAll: false }]
]

describe.each(cases)("%s reads every answer the document allows", (_, { core, documented, keepsAll, alsoReads }) => {
  const spec: Spec = { $ref: documented }

  it.each(["complete", "required", "nulls"] as const)("%s, with a field the document does not define", (mode) => {
    const sent = objectOf(spec, mode, true)
    const result = decode(core, sent)
    expect(result.ok ? [] : [result.message]).toEqual([])
    if (result.ok) expect(asSent(result.value, sent, keepsAll)).toEqual([])
  })

  it("declares only fields the document defines (a misspelt or renamed one would never be read)", () => {
    const struct = core as unknown as {
      readonly fields?: Readonly<Record<string, unknown>>
      readonly schema?: { readonly fields: Readonly<Record<string, unknown>> }
    }
    const declared = Object.keys(struct.fields ?? struct.schema?.fields ?? {})
    expect(declared.length).toBeGreaterThan(0)
    const defined = Object.keys(resolve(spec).properties ?? {})
    expect(declared.filter((field) => !defined.includes(field))).toEqual(alsoReads ?? [])
  })

  it("each enum value", () => {
    const sent = objectOf(spec, "complete", false)
    const problems: Array<string> = []
    for (const path of pathsTo(spec, sent, (field) => field.enum !== undefined)) {
      let field: Spec = spec
      for (const key of path) field = typeof key === "number" ? resolve(field).items! : resolve(field).properties![key]!
      for (const value of resolve(field).enum!) {
        const variant = setAt(sent, path, value)
        const result = decode(core, variant)
        if (!result.ok) problems.push(`${path.join(".")} = ${value}: ${result.message}`)
        else problems.push(...asSent(result.value, variant, keepsAll))
      }
    }
    expect(problems).toEqual([])
  })

  it("a required field missing is refused by its name, or left as sent", () => {
    const sent = objectOf(spec, "complete", false)
    const problems: Array<string> = []
    const required = (path: ReadonlyArray<string | number>): boolean => {
      let parent: Spec = spec
      for (const key of path.slice(0, -1))
        parent = typeof key === "number" ? resolve(parent).items! : resolve(parent).properties![key]!
      return (resolve(parent).required ?? []).includes(String(path[path.length - 1]))
    }
    for (const path of pathsTo(spec, sent, () => true).filter(required)) {
      const variant = setAt(sent, path, REMOVE)
      const result = decode(core, variant)
      if (!result.ok) {
        if (!result.message.includes(JSON.stringify(path[path.length - 1]))) {
          problems.push(`without ${path.join(".")}: the message does not name it: ${result.message}`)
        }
      } else problems.push(...asSent(result.value, variant, keepsAll))
    }
    expect(problems).toEqual([])
  })

  it("a value of another JSON type is refused, never coerced", () => {
    const sent = objectOf(spec, "complete", false)
    const problems: Array<string> = []
    for (const path of pathsTo(spec, sent, (field) => field.type !== undefined && field.type !== "object")) {
      let field: Spec = spec
      for (const key of path) field = typeof key === "number" ? resolve(field).items! : resolve(field).properties![key]!
      const variant = setAt(sent, path, wrongTypeFor(resolve(field)))
      const result = decode(core, variant)
      if (result.ok) problems.push(...asSent(result.value, variant, keepsAll))
    }
    expect(problems).toEqual([])
  })
})
