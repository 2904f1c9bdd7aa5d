/**
 * Reading request bodies and writing JSON answers, shared by every endpoint module: typed field readers that
 * answer 400/10002 naming the field, the refusal of fields the sandbox cannot honour, and the list paging
 * (`record_offset`/`record_size`) and ordering (`sort_options`) of the search endpoints.
 */
import { badRequest } from "./ApiError.ts"

/** A JSON response body with its status. */
export const json = (value: unknown, status = 200) => ({
  status,
  headers: { "content-type": "application/json" },
  body: [JSON.stringify(value)]
})

/** A string field, or undefined when absent or null. */
export const str = (body: Record<string, unknown>, key: string): string | undefined => {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== "string") throw badRequest(`Invalid parameter values: ${key} must be a string`)
  return v
}

/** An integer field, or `fallback` when absent or null. */
export const int = <F extends number | undefined>(
  body: Record<string, unknown>,
  key: string,
  fallback: F
): number | F => {
  const v = body[key]
  if (v === undefined || v === null) return fallback
  if (typeof v !== "number" || !Number.isInteger(v))
    throw badRequest(`Invalid parameter values: ${key} must be an integer`)
  return v
}

/** A boolean field, or `fallback` when absent or null. */
export const bool = <F extends boolean | undefined>(
  body: Record<string, unknown>,
  key: string,
  fallback: F
): boolean | F => {
  const v = body[key]
  if (v === undefined || v === null) return fallback
  if (typeof v !== "boolean") throw badRequest(`Invalid parameter values: ${key} must be a boolean`)
  return v
}

/** An array-of-strings field, or undefined when absent or null. */
export const strings = (body: Record<string, unknown>, key: string): ReadonlyArray<string> | undefined => {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    throw badRequest(`Invalid parameter values: ${key} must be an array of strings`)
  return v as ReadonlyArray<string>
}

/** One of `allowed`, or undefined when absent or null. */
export const oneOf = <const A extends string>(
  body: Record<string, unknown>,
  key: string,
  allowed: ReadonlyArray<A>
): A | undefined => {
  const v = str(body, key)
  if (v === undefined) return undefined
  if (!(allowed as ReadonlyArray<string>).includes(v))
    throw badRequest(`Invalid parameter values: ${key} must be one of ${allowed.join(", ")}; got '${v}'`)
  return v as A
}

/** An array whose every element is one of `allowed`, or undefined when absent or null. */
export const eachOneOf = <const A extends string>(
  body: Record<string, unknown>,
  key: string,
  allowed: ReadonlyArray<A>
): ReadonlyArray<A> | undefined => {
  const v = strings(body, key)
  const bad = v?.find((x) => !(allowed as ReadonlyArray<string>).includes(x))
  if (bad !== undefined)
    throw badRequest(`Invalid parameter values: each ${key} item must be one of ${allowed.join(", ")}; got '${bad}'`)
  return v as ReadonlyArray<A> | undefined
}

/** An object field, or undefined when absent or null. */
export const obj = (body: Record<string, unknown>, key: string): Record<string, unknown> | undefined => {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== "object" || Array.isArray(v)) throw badRequest(`Invalid parameter values: ${key} must be an object`)
  return v as Record<string, unknown>
}

/**
 * The 400 for a field of the OpenAPI document that the sandbox does not implement: a client relying on it would
 * otherwise get an answer that silently ignores it. `why` says what the sandbox lacks, `instead` what to send.
 */
export const unsupported = (key: string, why: string, instead = "leave it out") =>
  badRequest(`Invalid parameter values: ${key} is not supported by the sandbox (${why}); ${instead}.`)

/** A value that asks for nothing: null, "", [] or an object whose every value is such a value. */
const isEmpty = (v: unknown): boolean =>
  v === undefined ||
  v === null ||
  v === "" ||
  (Array.isArray(v)
    ? v.length === 0
    : typeof v === "object" && Object.values(v as Record<string, unknown>).every(isEmpty))

/**
 * Refuses a boolean field set to anything but `inert` (its default, which asks for nothing), after checking that it
 * is a boolean. Without `inert` (a filter with no default) every value is refused.
 */
export const refuseFlag = (
  body: Record<string, unknown>,
  key: string,
  why: string,
  inert?: boolean,
  label = key
): void => {
  const v = body[key]
  if (v === undefined || v === null) return
  if (typeof v !== "boolean") throw badRequest(`Invalid parameter values: ${label} must be a boolean`)
  if (v !== inert) throw unsupported(label, why, inert === undefined ? "leave it out" : `leave it out or send ${inert}`)
}

const kindNames = { string: "a string", array: "an array", object: "an object" } as const

/** Refuses a string, array or object field that asks for something (see `isEmpty`), after checking its JSON type. */
export const refuseValue = (
  body: Record<string, unknown>,
  key: string,
  kind: keyof typeof kindNames,
  why: string,
  label = key
): void => {
  const v = body[key]
  if (v === undefined || v === null) return
  const ok =
    kind === "array"
      ? Array.isArray(v)
      : kind === "object"
        ? typeof v === "object" && !Array.isArray(v)
        : typeof v === "string"
  if (!ok) throw badRequest(`Invalid parameter values: ${label} must be ${kindNames[kind]}`)
  if (!isEmpty(v)) throw unsupported(label, why)
}

/** Pages a list with `record_offset` and `record_size` (-1 = all), as the search endpoints do. */
export const pageList = <T>(
  body: Record<string, unknown>,
  list: ReadonlyArray<T>,
  defaultSize: number
): ReadonlyArray<T> => {
  const offset = int(body, "record_offset", 0)
  const size = int(body, "record_size", defaultSize)
  if (offset < 0) throw badRequest("Invalid parameter values: record_offset must be ≥ 0")
  if (size === 0 || size < -1) throw badRequest("Invalid parameter values: record_size must be ≥ 1 (or -1 for all)")
  return list.slice(offset, size === -1 ? undefined : offset + size)
}

/**
 * Orders a list by `sort_options` (`field_name` one of `fields`, NAME when absent; `order` ASC or DESC), as the
 * search endpoints do; without `sort_options` the list keeps its order. `key` is an item's value for a field.
 */
export const sortList = <T, const F extends string>(
  body: Record<string, unknown>,
  list: ReadonlyArray<T>,
  fields: ReadonlyArray<F>,
  key: (item: T, field: F | "NAME") => string | number
): ReadonlyArray<T> => {
  const options = obj(body, "sort_options")
  if (options === undefined) return list
  const field = oneOf(options, "field_name", fields) ?? "NAME"
  const dir = oneOf(options, "order", ["ASC", "DESC"]) === "DESC" ? -1 : 1
  return [...list].sort((a, b) => {
    const x = key(a, field)
    const y = key(b, field)
    return x < y ? -dir : x > y ? dir : 0
  })
}

/** SQL-LIKE name pattern (`%` wildcard, case-insensitive), as ThoughtSpot's `name_pattern`. */
export const likePattern = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .split("%")
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
    "is"
  )
