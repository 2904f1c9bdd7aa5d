/**
 * Writes `responses.json`: the response schemas of the API's OpenAPI document that core decodes, closed under
 * `$ref`, with what a decoder must honour (`type`, `format`, `nullable`, `enum`, `required`, `properties`, `items`,
 * `additionalProperties`) and nothing else. Run it with the document's path when the document changes, then format
 * what it wrote (Node 24 runs it: it is TypeScript):
 * `npx -y pnpm@12.4.2 exec node packages/core/test/openapi/extract.ts <openapiSpecv3-2_0.json>`, then
 * `npx -y pnpm@12.4.2 exec biome check --write packages/core/test/openapi/responses.json`.
 */
import { readFileSync, writeFileSync } from "node:fs"

/** The document's schemas core decodes responses with (see `responses.test.ts`). */
const roots = [
  "Token",
  "SystemInfo",
  "User",
  "MetadataSearchResponse",
  "AnswerContent",
  "LiveboardContent",
  "OrgResponse",
  "Tag",
  "UserGroupResponse",
  "SearchRoleResponse",
  "PermissionOfMetadataResponse",
  "LogResponse"
]
const kept = new Set([
  "type",
  "format",
  "nullable",
  "enum",
  "required",
  "properties",
  "items",
  "additionalProperties",
  "$ref",
  "allOf"
])

type Json = { readonly [key: string]: unknown }
const file = process.argv[2]
if (file === undefined) throw new Error("usage: node extract.ts <path of the OpenAPI document>")
const document = JSON.parse(readFileSync(file, "utf8")) as { components: { schemas: Record<string, Json> } }
const all = document.components.schemas
const out: Record<string, Json> = {}
const pending = [...roots]
const strip = (schema: Json): Json => {
  const result: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(schema)) {
    if (!kept.has(key)) continue
    if (key === "$ref") pending.push(String(value).replace("#/components/schemas/", ""))
    result[key] =
      key === "properties"
        ? Object.fromEntries(Object.entries(value as Record<string, Json>).map(([k, v]) => [k, strip(v)]))
        : key === "items" || (key === "additionalProperties" && typeof value === "object")
          ? strip(value as Json)
          : key === "allOf"
            ? (value as ReadonlyArray<Json>).map(strip)
            : value
  }
  return result
}
while (pending.length > 0) {
  const name = pending.shift()!
  if (name in out) continue
  const schema = all[name]
  if (schema === undefined) throw new Error(`the document has no schema ${name}`)
  out[name] = strip(schema)
}
writeFileSync(
  new URL("responses.json", import.meta.url),
  `${JSON.stringify(Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b))), null, 2)}\n`
)
