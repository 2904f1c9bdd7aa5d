/**
 * A small, strict validator for the subset of OpenAPI 3.0 schemas the official ThoughtSpot document uses
 * (`$ref`, `type`, `properties`, `required`, `items`, `enum`, `nullable`, `allOf`/`oneOf`/`anyOf`,
 * `additionalProperties`, `format` int32/int64/float/double), so the sandbox's answers can be checked against
 * the document itself. Strict where the document is silent: an object schema that lists `properties` admits no
 * other key unless it says `additionalProperties`, and `null` is refused unless `nullable: true`. A keyword
 * outside the subset is an error, never skipped, so a document update cannot silently weaken the checks.
 */
import { readFileSync } from "node:fs"

/** One schema object of the document (loosely typed: it is read from JSON). */
export type Schema = Readonly<Record<string, unknown>>

/** A value that does not match: where (a JSON path such as `$.contents[0].record_size`) and what. */
export interface Mismatch {
  readonly path: string
  readonly message: string
}

/** Checks the value at a JSON path in place of the document's schema there (where the document is loose). */
export type Override = (value: unknown, path: string) => ReadonlyArray<Mismatch>

/** The OpenAPI document: its schemas and each operation's response schema. */
export interface OpenApiDocument {
  readonly components: { readonly schemas: Readonly<Record<string, Schema>> }
  readonly paths: Readonly<Record<string, Readonly<Record<string, { readonly responses: Record<string, unknown> }>>>>
}

/** Reads the document from a file. */
export const loadDocument = (file: string): OpenApiDocument => JSON.parse(readFileSync(file, "utf8")) as OpenApiDocument

const annotations = new Set(["description", "default", "example", "examples", "deprecated", "title"])
const known = new Set([
  ...annotations,
  "$ref",
  "type",
  "properties",
  "required",
  "items",
  "enum",
  "nullable",
  "allOf",
  "oneOf",
  "anyOf",
  "additionalProperties",
  "format"
])

const int32 = { min: -(2 ** 31), max: 2 ** 31 - 1 }
const int64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n }

const typeOf = (v: unknown): string =>
  v === null ? "null" : Array.isArray(v) ? "array" : typeof v === "number" && Number.isInteger(v) ? "integer" : typeof v

const describe = (v: unknown): string => {
  const text = JSON.stringify(v)
  return text === undefined ? String(v) : text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/**
 * The schema of a response: `path` as written in the document (`/api/rest/2.0/searchdata`), lower-case method
 * and status; undefined when the document lists that status without a JSON body (a 204), and an error when it
 * does not list the status at all.
 */
export const responseSchema = (
  doc: OpenApiDocument,
  path: string,
  method: string,
  status: number
): Schema | undefined => {
  const operation = doc.paths[path]?.[method]
  if (operation === undefined) throw new Error(`the document has no operation ${method.toUpperCase()} ${path}`)
  const response = operation.responses[String(status)] as { content?: Record<string, { schema?: Schema }> } | undefined
  if (response === undefined) {
    throw new Error(`the document lists no ${status} response for ${method.toUpperCase()} ${path}`)
  }
  return response.content?.["application/json"]?.schema
}

/**
 * Every mismatch between `value` and `schema` (empty when it matches). `overrides` maps a JSON path pattern, with
 * `[]` for any array index (`$.contents[].data_rows`), to a check used there instead of the document's schema.
 */
export const validate = (
  doc: OpenApiDocument,
  schema: Schema,
  value: unknown,
  overrides: Readonly<Record<string, Override>> = {}
): ReadonlyArray<Mismatch> => {
  const out: Array<Mismatch> = []
  const resolve = (ref: string): Schema => {
    const m = /^#\/components\/schemas\/(.+)$/.exec(ref)
    const target = m === null ? undefined : doc.components.schemas[m[1]!]
    if (target === undefined) throw new Error(`unresolvable $ref ${ref}`)
    return target
  }

  /** Mismatches of one schema at one place (not recorded, so `oneOf`/`anyOf` can try branches). */
  const check = (s: Schema, v: unknown, path: string, pattern: string): Array<Mismatch> => {
    const override = overrides[pattern]
    if (override !== undefined) return [...override(v, path)]
    for (const k of Object.keys(s)) {
      if (!known.has(k)) throw new Error(`schema keyword '${k}' at ${path} is outside the validated subset`)
    }
    // In the document a $ref's sibling `nullable` says the reference may be null (its description is annotation).
    if (v === null)
      return s["nullable"] === true ? [] : [{ path, message: "is null, which the document does not allow" }]
    if (typeof s["$ref"] === "string") return check(resolve(s["$ref"]), v, path, pattern)
    const errors: Array<Mismatch> = []
    const allOf = s["allOf"] as ReadonlyArray<Schema> | undefined
    // The document's allOf wraps one reference (to add a description); parts that each close their keys would
    // refuse one another's, so more parts are outside the subset.
    if (allOf !== undefined && allOf.length !== 1) throw new Error(`allOf of ${allOf.length} parts at ${path}`)
    if (allOf !== undefined) errors.push(...check(allOf[0]!, v, path, pattern))
    for (const key of ["oneOf", "anyOf"] as const) {
      const branches = s[key] as ReadonlyArray<Schema> | undefined
      if (branches === undefined) continue
      const matching = branches.filter((b) => check(b, v, path, pattern).length === 0).length
      if (key === "anyOf" ? matching === 0 : matching !== 1) {
        errors.push({ path, message: `${describe(v)} matches ${matching} of the ${key} branches` })
      }
    }
    const type = s["type"] as string | undefined
    if (type !== undefined) {
      const actual = typeOf(v)
      const ok = type === actual || (type === "number" && actual === "integer")
      if (!ok) return [...errors, { path, message: `is ${actual} ${describe(v)}, the document says ${type}` }]
    }
    const format = s["format"] as string | undefined
    if (format !== undefined && !["int32", "int64", "float", "double"].includes(format)) {
      throw new Error(`format '${format}' at ${path} is outside the validated subset`)
    }
    if (format !== undefined && typeof v === "number") {
      if (format === "int32" && (v < int32.min || v > int32.max)) {
        errors.push({ path, message: `${v} is outside int32` })
      } else if (format === "int64" && (BigInt(v) < int64.min || BigInt(v) > int64.max)) {
        errors.push({ path, message: `${v} is outside int64` })
      } else if ((format === "float" || format === "double") && !Number.isFinite(v)) {
        errors.push({ path, message: `${v} is not a finite number` })
      }
    }
    const values = s["enum"] as ReadonlyArray<unknown> | undefined
    if (values !== undefined && !values.includes(v)) {
      errors.push({ path, message: `${describe(v)} is not one of the document's values ${values.join(", ")}` })
    }
    if (Array.isArray(v) && s["items"] !== undefined) {
      v.forEach((item, i) => {
        errors.push(...check(s["items"] as Schema, item, `${path}[${i}]`, `${pattern}[]`))
      })
    }
    if (typeOf(v) === "object") {
      const record = v as Record<string, unknown>
      const properties = (s["properties"] ?? {}) as Record<string, Schema>
      for (const key of (s["required"] ?? []) as ReadonlyArray<string>) {
        if (!(key in record)) errors.push({ path, message: `lacks the required field '${key}'` })
      }
      const extra = s["additionalProperties"] as Schema | boolean | undefined
      // A bare `type: object` (no properties) is the document saying nothing about the keys: any key passes.
      const closed = s["properties"] !== undefined
      for (const [key, item] of Object.entries(record)) {
        const at = `${path}.${key}`
        const own = properties[key]
        if (own !== undefined) errors.push(...check(own, item, at, `${pattern}.${key}`))
        else if (typeof extra === "object") errors.push(...check(extra, item, at, `${pattern}.${key}`))
        else if (extra !== true && closed) {
          errors.push({ path: at, message: "is a field the document does not define here" })
        }
      }
    }
    return errors
  }

  out.push(...check(schema, value, "$", "$"))
  return out
}

/**
 * A check against a documented example where the schema says less than the example shows: the value has the
 * example's JSON types and exactly its keys, recursively; array items follow the example's first item (any
 * items when the example's array is empty).
 */
export const matchesExample =
  (example: unknown): Override =>
  (value, path) => {
    const out: Array<Mismatch> = []
    const walk = (e: unknown, v: unknown, at: string) => {
      if (typeOf(e) !== typeOf(v) && !(typeOf(e) === "number" && typeOf(v) === "integer")) {
        out.push({ path: at, message: `is ${typeOf(v)} ${describe(v)}, the document's example has ${typeOf(e)}` })
      } else if (Array.isArray(e) && Array.isArray(v)) {
        if (e.length > 0) {
          v.forEach((item, i) => {
            walk(e[0], item, `${at}[${i}]`)
          })
        }
      } else if (typeOf(e) === "object") {
        const ev = e as Record<string, unknown>
        const vv = v as Record<string, unknown>
        for (const k of Object.keys(ev))
          if (!(k in vv)) out.push({ path: at, message: `lacks the example's field '${k}'` })
        for (const k of Object.keys(vv)) {
          if (k in ev) walk(ev[k], vv[k], `${at}.${k}`)
          else out.push({ path: `${at}.${k}`, message: "is a field the document's example does not have" })
        }
      }
    }
    walk(example, value, path)
    return out
  }
