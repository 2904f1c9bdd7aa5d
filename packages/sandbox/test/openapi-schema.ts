/**
 * A small, strict validator for OpenAPI-style schemas (`$ref`, `type`, `properties`, `required`, `items`,
 * `enum`, `nullable`, `additionalProperties`, `format` int32/int64/float/double), the form sdk-models.ts gives
 * the official SDK's response models in, so the sandbox's answers can be checked against them. Strict where the
 * schema is silent: an object schema that lists `properties` admits no other key unless it says
 * `additionalProperties`, and `null` is refused unless `nullable: true`. A keyword outside the subset is an
 * error, never skipped, so a change in how schemas are derived cannot silently weaken the checks.
 */

/** One schema object (loosely typed: it is derived from the SDK's sources). */
export type Schema = Readonly<Record<string, unknown>>

/** The named schemas a `$ref` points to: the schema of a model by its name, or an error for an unknown one. */
export type Schemas = (name: string) => Schema

/** A value that does not match: where (a JSON path such as `$.contents[0].record_size`) and what. */
export interface Mismatch {
  readonly path: string
  readonly message: string
}

/** Checks the value at a JSON path in place of the schema there (where the schema is loose). */
export type Override = (value: unknown, path: string) => ReadonlyArray<Mismatch>

const known = new Set([
  "$ref",
  "type",
  "properties",
  "required",
  "items",
  "enum",
  "nullable",
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
 * Every mismatch between `value` and `schema` (empty when it matches), with `$ref`s resolved through `schemas`.
 * `overrides` maps a JSON path pattern, with `[]` for any array index (`$.contents[].data_rows`), to a check used
 * there instead of the schema.
 */
export const validate = (
  schemas: Schemas,
  schema: Schema,
  value: unknown,
  overrides: Readonly<Record<string, Override>> = {}
): ReadonlyArray<Mismatch> => {
  const check = (s: Schema, v: unknown, path: string, pattern: string): Array<Mismatch> => {
    const override = overrides[pattern]
    if (override !== undefined) return [...override(v, path)]
    for (const k of Object.keys(s)) {
      if (!known.has(k)) throw new Error(`schema keyword '${k}' at ${path} is outside the validated subset`)
    }
    // A reference's sibling `nullable` says the reference may be null.
    if (v === null) return s["nullable"] === true ? [] : [{ path, message: "is null, which the schema does not allow" }]
    if (typeof s["$ref"] === "string") return check(schemas(s["$ref"]), v, path, pattern)
    const errors: Array<Mismatch> = []
    const type = s["type"] as string | undefined
    if (type !== undefined) {
      const actual = typeOf(v)
      const ok = type === actual || (type === "number" && actual === "integer")
      if (!ok) return [{ path, message: `is ${actual} ${describe(v)}, the schema says ${type}` }]
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
      errors.push({ path, message: `${describe(v)} is not one of the schema's values ${values.join(", ")}` })
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
      // A bare `type: object` (no properties) says nothing about the keys: any key passes.
      const closed = s["properties"] !== undefined
      for (const [key, item] of Object.entries(record)) {
        const at = `${path}.${key}`
        const own = properties[key]
        if (own !== undefined) errors.push(...check(own, item, at, `${pattern}.${key}`))
        else if (typeof extra === "object") errors.push(...check(extra, item, at, `${pattern}.${key}`))
        else if (extra !== true && closed) {
          errors.push({ path: at, message: "is a field the schema does not define here" })
        }
      }
    }
    return errors
  }

  return check(schema, value, "$", "$")
}
