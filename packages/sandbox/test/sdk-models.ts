/**
 * The official TypeScript SDK's (@thoughtspot/rest-api-sdk, a client nobody here wrote) view of request bodies:
 * which model each endpoint's body is serialized from, the fields of a model, which it declares required, and
 * the values of an enum-typed field. Tests check the sandbox against these rather than lists kept by hand.
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import * as sdk from "@thoughtspot/rest-api-sdk"

// The package's exports hide package.json; its main entry sits in dist/, one level below the root.
const sdkRoot = dirname(dirname(createRequire(import.meta.url).resolve("@thoughtspot/rest-api-sdk")))

const modelSource = (model: string): string => readFileSync(join(sdkRoot, "models", `${model}.ts`), "utf8")

/**
 * The request model the SDK serializes the body of `POST /api/rest/2.0/<path>` from, per its generated request
 * factory: each method sets its path, then serializes its body (if it has one) before the next method's path.
 */
export const requestModels: ReadonlyMap<string, string> = new Map(
  readFileSync(join(sdkRoot, "apis", "ThoughtSpotRestApi.ts"), "utf8")
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
  readonly baseName: string
  readonly type: string
}

/** The attribute map the SDK's ObjectSerializer writes a body from: JSON field name and declared type. */
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
