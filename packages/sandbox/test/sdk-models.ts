/**
 * The official TypeScript SDK's (@thoughtspot/rest-api-sdk, a client nobody here wrote) view of the API, read
 * from its generated sources. Requests: which model each endpoint's body is serialized from, the fields of a
 * model, which it declares required, and the values of an enum-typed field. Responses: which type the SDK reads
 * each status's body as, and its models as schemas for the validator in openapi-schema.ts. Tests check the
 * sandbox against these rather than lists or documents kept by hand.
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import * as sdk from "@thoughtspot/rest-api-sdk"
import type { Schema } from "./openapi-schema.ts"

// The package's exports hide package.json; its main entry sits in dist/, one level below the root.
const sdkRoot = dirname(dirname(createRequire(import.meta.url).resolve("@thoughtspot/rest-api-sdk")))

const modelSource = (model: string): string => readFileSync(join(sdkRoot, "models", `${model}.ts`), "utf8")

const apiSource = readFileSync(join(sdkRoot, "apis", "ThoughtSpotRestApi.ts"), "utf8")

/**
 * The request model the SDK serializes the body of `POST /api/rest/2.0/<path>` from, per its generated request
 * factory: each method sets its path, then serializes its body (if it has one) before the next method's path.
 */
export const requestModels: ReadonlyMap<string, string> = new Map(
  apiSource
    .split("const localVarPath = '/api/rest/2.0/")
    .slice(1)
    .flatMap((method) => {
      const model = /ObjectSerializer\.serialize\(\w+, "(\w+)", ""\)/.exec(method)?.[1]
      return model === undefined ? [] : [[method.slice(0, method.indexOf("'")), model] as const]
    })
)

/** The SDK's request model for an endpoint; a path it has no POST body model for fails by name. */
export const modelOf = (path: string): string => {
  const model = requestModels.get(path)
  if (model === undefined) throw new Error(`the SDK has no request model for POST ${path}`)
  return model
}

interface Attribute {
  readonly name: string
  readonly baseName: string
  readonly type: string
  readonly format: string
}

/** The attribute map the SDK's ObjectSerializer reads and writes a body with: JSON field name, type, format. */
const attributes = (model: string): ReadonlyArray<Attribute> => {
  const cls = (sdk as unknown as Record<string, { getAttributeTypeMap?: () => ReadonlyArray<Attribute> }>)[model]
  if (cls?.getAttributeTypeMap === undefined) throw new Error(`the SDK exports no model ${model}`)
  return cls.getAttributeTypeMap()
}

/** The JSON field names the SDK writes for `model`. */
export const modelFields = (model: string): ReadonlyArray<string> => attributes(model).map((a) => a.baseName)

/** The fields `model` declares required (`'name': type;` rather than `'name'?: type;`). */
export const modelRequired = (model: string): ReadonlyArray<string> =>
  [...modelSource(model).matchAll(/^\s+'([a-z_]+)': /gm)].map((m) => m[1]!)

/**
 * The values the SDK allows for the field at `field` (nested names, through objects and arrays of objects) in
 * the body of `POST /api/rest/2.0/<path>`: the string union its model declares as the field's type.
 */
export const enumValues = (path: string, field: ReadonlyArray<string>): ReadonlyArray<string> => {
  let model = modelOf(path)
  for (const [i, name] of field.entries()) {
    const attribute = attributes(model).find((a) => a.baseName === name)
    if (attribute === undefined) throw new Error(`the SDK's ${model} has no field ${name}`)
    const type = attribute.type.replace(/^Array<(.+)>$/, "$1")
    if (i < field.length - 1) {
      model = type
      continue
    }
    const union = new RegExp(`^export type ${type} = (.+);$`, "m").exec(modelSource(model))?.[1]
    if (union === undefined) throw new Error(`the SDK's ${model}.${name} is no enum (${attribute.type})`)
    return [...union.matchAll(/"([^"]+)"/g)].map((m) => m[1]!)
  }
  throw new Error("enumValues needs a field")
}

/** Every enum-typed field (nested names) the SDK declares in the body of `POST /api/rest/2.0/<path>`. */
export const enumFieldsOf = (path: string): ReadonlyArray<ReadonlyArray<string>> => {
  const walk = (model: string, at: ReadonlyArray<string>): ReadonlyArray<ReadonlyArray<string>> => {
    const source = modelSource(model)
    return attributes(model).flatMap((a) => {
      const type = a.type.replace(/^Array<(.+)>$/, "$1")
      if (new RegExp(`^export type ${type} = `, "m").test(source)) return [[...at, a.baseName]]
      const nested = (sdk as unknown as Record<string, { getAttributeTypeMap?: unknown }>)[type]
      return nested?.getAttributeTypeMap === undefined ? [] : walk(type, [...at, a.baseName])
    })
  }
  return walk(modelOf(path), [])
}

/** One operation of the SDK: its HTTP method and, per status it lists, the type it reads the body as. */
export interface Operation {
  readonly method: string
  /** The SDK's type name (`Token`, `Array<User>`, `any`), or undefined where it reads no body (a 204). */
  readonly responses: ReadonlyMap<number, string | undefined>
}

/**
 * The SDK's operations by path below /api/rest/2.0/. Its request factory gives each method's path and HTTP
 * method; its response processor, a method of the same name, deserializes each listed status's body as a
 * named type (or returns nothing).
 */
export const operations: ReadonlyMap<string, Operation> = (() => {
  const marker = "export class ThoughtSpotRestApiResponseProcessor"
  const at = apiSource.indexOf(marker)
  if (at < 0) throw new Error("the SDK's generated API has no response processor")
  const methods = (source: string, signature: string) =>
    source
      .split(new RegExp(`\\n\\s+public async (?=\\w+\\(${signature})`))
      .slice(1)
      .map((text) => [text.slice(0, text.indexOf("(")), text] as const)
  const requests = new Map<string, { path: string; method: string }>()
  for (const [name, text] of methods(apiSource.slice(0, at), "")) {
    const m = /const localVarPath = '\/api\/rest\/2\.0\/([^']+)'[\s\S]*?HttpMethod\.(\w+)\)/.exec(text)
    if (m !== null) requests.set(name, { path: m[1]!, method: m[2]! })
  }
  const out = new Map<string, Operation>()
  for (const [name, text] of methods(apiSource.slice(at), "response: ResponseContext")) {
    const request = requests.get(name)
    if (request === undefined) throw new Error(`the SDK's response processor ${name} has no request factory`)
    if (out.has(request.path)) throw new Error(`the SDK has two operations on ${request.path}`)
    // Only the listed statuses: the fallback for any other 2xx comes after this comment.
    const listed = text.slice(0, text.indexOf("// Work around for missing responses"))
    const responses = new Map<number, string | undefined>()
    for (const m of listed.matchAll(
      /isCodeInRange\("(\d{3})", response\.httpStatusCode\)\) \{\s*(return;|[^}]*?"([^"]+)", ""\s*\))/g
    )) {
      responses.set(Number(m[1]), m[2] === "return;" ? undefined : m[3]!)
    }
    out.set(request.path, { method: request.method.toLowerCase(), responses })
  }
  return out
})()

/**
 * The SDK's type for the body of a `method` (lower case) response with `status` on `path` (below
 * /api/rest/2.0/): undefined when it reads no body there; an error when it has no such operation or status.
 */
export const responseType = (path: string, method: string, status: number): string | undefined => {
  const operation = operations.get(path)
  if (operation === undefined || operation.method !== method) {
    throw new Error(`the SDK has no operation ${method.toUpperCase()} ${path}`)
  }
  if (!operation.responses.has(status)) {
    throw new Error(`the SDK lists no ${status} response for ${method.toUpperCase()} ${path}`)
  }
  return operation.responses.get(status)
}

/** The string union `type` declared in `source` (a model's file), or undefined when it declares none. */
const unionOf = (type: string, source: string): ReadonlyArray<string> | undefined => {
  const union = new RegExp(`^export type ${type} = (.+);$`, "m").exec(source)?.[1]
  if (union === undefined) return undefined
  const values = [...union.matchAll(/"([^"]+)"/g)].map((m) => m[1]!)
  if (values.length !== union.split("|").length) throw new Error(`the SDK's ${type} is not a union of strings`)
  return values
}

const isModel = (type: string) =>
  (sdk as unknown as Record<string, { getAttributeTypeMap?: unknown }>)[type]?.getAttributeTypeMap !== undefined

/**
 * The schema of one SDK type, as written in the model whose file is `source`: `any` admits any value (but null
 * only where the field says `| null`), numbers with format int32/int64 are integers, a model is a `$ref` by
 * name, an enum its union's values. A type outside these is an error, never skipped.
 */
const typeSchema = (type: string, format: string, source: string): Schema => {
  const array = /^Array<(.+)>$/.exec(type)
  if (array !== null) return { type: "array", items: typeSchema(array[1]!, "", source) }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type)
  if (map !== null) return { type: "object", additionalProperties: typeSchema(map[1]!, "", source) }
  if (type === "any") return {}
  if (type === "string" || type === "boolean") return { type }
  if (type === "number") {
    if (format === "int32" || format === "int64") return { type: "integer", format }
    return format === "" ? { type: "number" } : { type: "number", format }
  }
  if (isModel(type)) return { $ref: type }
  const values = unionOf(type, source)
  if (values !== undefined) return { type: "string", enum: values }
  throw new Error(`the SDK's type ${type} has no schema here`)
}

const modelSchemas = new Map<string, Schema>()

/**
 * The schema of the SDK's model `model`: an object with exactly its attributes (JSON names), those its source
 * declares `'name':` required, those it types `| null` nullable. What `$ref` in these schemas names.
 */
export const modelSchema = (model: string): Schema => {
  const known = modelSchemas.get(model)
  if (known !== undefined) return known
  const source = modelSource(model)
  const properties: Record<string, Schema> = {}
  const required: Array<string> = []
  for (const a of attributes(model)) {
    const line = new RegExp(`^\\s+'${a.name}'(\\??): (.+);$`, "m").exec(source)
    if (line === null) throw new Error(`the SDK's ${model} does not declare ${a.name}`)
    const nullable = line[2]!.endsWith(" | null")
    if (line[1] === "") required.push(a.baseName)
    const schema = typeSchema(a.type, a.format, source)
    properties[a.baseName] = nullable ? { ...schema, nullable: true } : schema
  }
  const schema: Schema = { type: "object", properties, required }
  modelSchemas.set(model, schema)
  return schema
}

/** The schema of the body of a response as the SDK reads it (see responseType); undefined where it reads none. */
export const responseSchema = (path: string, method: string, status: number): Schema | undefined => {
  const type = responseType(path, method, status)
  return type === undefined ? undefined : typeSchema(type, "", "")
}
