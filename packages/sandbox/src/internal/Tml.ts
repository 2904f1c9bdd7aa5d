/**
 * TML export: `metadata/tml/export` (answers, liveboards, models, connections, users, groups, roles) and
 * `metadata/tml/export/batch` (all USER, USER_GROUP or ROLE objects of the org, in batches). Each object
 * becomes one small, real-looking TML document (`guid` plus one top-level key), sent as JSON text or YAML text
 * (`edoc_format`). Items carry their own status, as ThoughtSpot's do: an object that does not exist or may not
 * be read gives an item with `status_code: "ERROR"` inside a 200, never a failed call.
 *
 * Item: `{"info":{"name","filename","status":{"status_code":"OK"},"type","id"},"edoc":"<TML text>"}`; an
 * error item: `{"info":{"id":<identifier as sent>,"status":{"status_code":"ERROR","error_message":"…"}}}`.
 * The batch response (a bare "object" in the spec) is `{"edocs":[items]}`.
 */
import type { Route } from "./Api.ts"
import { badRequest, forbidden } from "./ApiError.ts"
import { type CatalogObject, canRead, type SavedQuery, tagObjects } from "./Catalog.ts"
import { orderColumns } from "./Orders.ts"
import {
  type GroupDef,
  groupMatches,
  holdsPrivilege,
  type MemberDef,
  type OrgContent,
  orgOf,
  type RoleDef,
  roleMatches,
  userMatches
} from "./Orgs.ts"
import { bool, int, json, obj, oneOf, refuseFlag, str, unsupported } from "./Params.ts"

type Doc = { readonly [key: string]: unknown }

// ---- YAML ---------------------------------------------------------------------------------------------------

const plain = /^[A-Za-z_][A-Za-z0-9_ .()/-]*$/
const reserved = /^(?:true|false|yes|no|on|off|null|y|n|~)$/i

/** A YAML scalar: plain when unambiguous, else double-quoted (JSON's escapes are valid YAML escapes). */
const scalar = (v: unknown): string => {
  if (v === null) return "null"
  if (typeof v === "number" || typeof v === "boolean") return String(v)
  const s = String(v)
  return plain.test(s) && !reserved.test(s) && !s.endsWith(" ") ? s : JSON.stringify(s)
}

const isRecord = (v: unknown): v is Doc => typeof v === "object" && v !== null && !Array.isArray(v)

const yamlLines = (v: unknown, indent: string, out: Array<string>): void => {
  if (Array.isArray(v)) {
    for (const item of v) {
      if (isRecord(item) && Object.keys(item).length > 0) {
        const inner: Array<string> = []
        yamlLines(item, `${indent}  `, inner)
        out.push(`${indent}- ${inner[0]!.slice(indent.length + 2)}`, ...inner.slice(1))
      } else if (Array.isArray(item)) throw new Error("TML documents have no nested arrays")
      else out.push(`${indent}- ${isRecord(item) ? "{}" : scalar(item)}`)
    }
    return
  }
  for (const [key, value] of Object.entries(v as Doc)) {
    if (value === undefined) continue
    if (Array.isArray(value)) {
      if (value.length === 0) out.push(`${indent}${key}: []`)
      else {
        out.push(`${indent}${key}:`)
        yamlLines(value, indent, out)
      }
    } else if (isRecord(value)) {
      if (Object.keys(value).length === 0) out.push(`${indent}${key}: {}`)
      else {
        out.push(`${indent}${key}:`)
        yamlLines(value, `${indent}  `, out)
      }
    } else out.push(`${indent}${key}: ${scalar(value)}`)
  }
}

/** A TML document as YAML text (block style, two-space indent, sequences at their key's indent like ThoughtSpot). */
export const toYaml = (doc: Doc): string => {
  const out: Array<string> = []
  yamlLines(doc, "", out)
  return `${out.join("\n")}\n`
}

// ---- TML documents ------------------------------------------------------------------------------------------

const columnId = (name: string) => `ORDERS::${name.toUpperCase().replaceAll(" ", "_")}`

const tableRef = (org: OrgContent, fqn: boolean) => {
  const table = org.objects.find((o) => o.type === "LOGICAL_TABLE")!
  return fqn ? { id: table.name, name: table.name, fqn: table.id } : { id: table.name, name: table.name }
}

const answerBody = (q: SavedQuery, org: OrgContent, fqn: boolean, description?: string) => {
  const names = q.plan.selections.map((s) => s.name)
  return {
    name: q.name,
    ...(description === undefined ? {} : { description }),
    tables: [tableRef(org, fqn)],
    search_query: q.plan.text,
    answer_columns: names.map((name) => ({ name })),
    table: {
      table_columns: names.map((name) => ({ column_id: name, show_headline: false })),
      ordered_column_ids: names
    },
    chart: { type: q.plan.selections.some((s) => s.column.dataType.startsWith("DATE")) ? "LINE" : "COLUMN" },
    display_mode: "TABLE_MODE"
  }
}

const tmlKind = (o: CatalogObject, schema: string): string =>
  o.type === "ANSWER"
    ? "answer"
    : o.type === "LIVEBOARD"
      ? "liveboard"
      : o.type === "LOGICAL_TABLE"
        ? schema === "V2"
          ? "model"
          : "worksheet"
        : o.type === "CONNECTION"
          ? "connection"
          : o.type === "USER"
            ? "user"
            : "group"

const objectDoc = (o: CatalogObject, org: OrgContent, schema: string, fqn: boolean): Doc => {
  const tags = tagObjects(o, org.tags).map((t) => ({ name: t.name }))
  switch (o.type) {
    case "ANSWER":
      // The answer's own name (its query's unless renamed, see Edits.ts).
      return {
        guid: o.id,
        answer: { ...answerBody(o.visualizations[0]!, org, fqn, o.description), name: o.name, tags }
      }
    case "LIVEBOARD":
      return {
        guid: o.id,
        liveboard: {
          name: o.name,
          description: o.description,
          visualizations: o.visualizations.map((v, i) => ({
            id: `Viz_${i + 1}`,
            answer: answerBody(v, org, fqn),
            viz_guid: v.id
          })),
          layout: {
            tiles: o.visualizations.map((_, i) => ({
              visualization_id: `Viz_${i + 1}`,
              x: (i % 2) * 6,
              y: Math.floor(i / 2) * 6,
              height: 6,
              width: 6
            }))
          },
          tags
        }
      }
    case "LOGICAL_TABLE": {
      const columns = orderColumns.map((c) => ({
        name: c.name,
        description: c.description,
        column_id: columnId(c.name),
        properties: {
          column_type: c.kind,
          ...(c.kind === "MEASURE" ? { aggregation: "SUM" } : {}),
          index_type: "DEFAULT"
        }
      }))
      return schema === "V2"
        ? {
            guid: o.id,
            model: {
              name: o.name,
              description: o.description,
              model_tables: [{ name: "ORDERS", ...(fqn ? { fqn: `${o.id}-source` } : {}) }],
              columns,
              properties: { is_bypass_rls: false, join_progressive: true }
            }
          }
        : {
            guid: o.id,
            worksheet: {
              name: o.name,
              description: o.description,
              tables: [{ name: "ORDERS", ...(fqn ? { fqn: `${o.id}-source` } : {}) }],
              table_paths: [{ id: "ORDERS_1", table: "ORDERS", join_path: [{}] }],
              worksheet_columns: columns,
              properties: { is_bypass_rls: false, join_progressive: true }
            }
          }
    }
    case "CONNECTION":
      return {
        guid: o.id,
        connection: {
          name: o.name,
          type: `RDBMS_${o.subtype ?? "SNOWFLAKE"}`,
          authentication_type: "SERVICE_ACCOUNT",
          // Secrets are never exported.
          properties: [
            { key: "accountName", value: "spotpipe-sandbox" },
            { key: "user", value: "SPOTPIPE_READER" },
            { key: "role", value: "ANALYST" },
            { key: "warehouse", value: "COMPUTE_WH" },
            { key: "database", value: "RETAIL" }
          ],
          description: o.description
        }
      }
    default:
      return { guid: o.id }
  }
}

const userDoc = (m: MemberDef, org: OrgContent): Doc => ({
  guid: m.user.id,
  user: {
    name: m.user.name,
    display_name: m.user.displayName,
    account_type: m.accountType,
    account_status: m.accountStatus,
    email: m.user.email,
    visibility: "SHARABLE",
    groups: org.groups.filter((g) => g.users.includes(m.user.id)).map((g) => ({ name: g.object.name }))
  }
})

const groupDoc = (g: GroupDef, org: OrgContent): Doc => ({
  guid: g.object.id,
  group: {
    name: g.object.name,
    display_name: g.displayName,
    description: g.object.description,
    visibility: "SHARABLE",
    sub_groups: g.subGroups.map((s) => ({ name: org.groups.find((x) => x.object.id === s)!.object.name })),
    roles: g.roles.map((r) => ({ name: org.roles.find((x) => x.id === r)!.name })),
    privileges: g.privileges
  }
})

const roleDoc = (r: RoleDef): Doc => ({
  guid: r.id,
  role: { name: r.name, description: r.description, privileges: r.privileges }
})

// ---- Items --------------------------------------------------------------------------------------------------

type Format = "JSON" | "YAML"

const okItem = (name: string, kind: string, id: string, doc: Doc, format: Format) => ({
  info: {
    name,
    filename: `${name}.${kind}.tml`,
    status: { status_code: "OK" },
    type: kind,
    id
  },
  edoc: format === "YAML" ? toYaml(doc) : JSON.stringify(doc)
})

const errorItem = (identifier: string, message: string) => ({
  info: { id: identifier, status: { status_code: "ERROR", error_message: message } }
})

const exportTypes = [
  "LIVEBOARD",
  "ANSWER",
  "LOGICAL_TABLE",
  "CONNECTION",
  "CUSTOM_ACTION",
  "USER",
  "USER_GROUP",
  "ROLE",
  "FEEDBACK",
  "COLLECTION"
] as const

/** `export_options` flags (the spec's) with their defaults; the sandbox honours only the defaults. */
const exportOptionDefaults: Readonly<Record<string, boolean>> = {
  include_obj_id_ref: false,
  include_guid: true,
  include_obj_id: false,
  export_with_associated_feedbacks: false,
  export_column_security_rules: false,
  export_with_column_aliases: false
}

/**
 * Checks `export_options`: the Object ID flags need ThoughtSpot's Object ID feature, which the sandbox does not
 * have, and its objects have no feedback, column security rules or column aliases, so only the defaults are taken.
 */
const checkExportOptions = (b: Record<string, unknown>) => {
  const options = obj(b, "export_options")
  if (options === undefined) return
  for (const key of Object.keys(options)) {
    const inert = exportOptionDefaults[key]
    if (inert === undefined) {
      throw badRequest(
        `Invalid parameter values: export_options has no flag '${key}' (known: ${Object.keys(exportOptionDefaults).join(", ")})`
      )
    }
    refuseFlag(
      options,
      key,
      "it has no Object IDs, feedback, column security rules or column aliases",
      inert,
      `export_options.${key}`
    )
  }
}

const allOrgsWhy = "it exports from the org of the caller's token only; request a token for each org"

/** The TML export routes. */
export const tmlRoutes = (): Readonly<Record<string, Route>> => ({
  "metadata/tml/export": {
    method: "POST",
    auth: true,
    handle: (req) => {
      const p = req.principal!
      const org = orgOf(p)
      const b = req.body
      const list = b["metadata"]
      if (!Array.isArray(list)) throw badRequest("Invalid parameter values: metadata is required (an array).")
      const format = oneOf(b, "edoc_format", ["JSON", "YAML"]) ?? "JSON"
      const schema = oneOf(b, "export_schema_version", ["DEFAULT", "V1", "V2"]) ?? "DEFAULT"
      const associated = bool(b, "export_associated", false)
      const fqn = bool(b, "export_fqn", false)
      const withConnection = bool(b, "export_connection_as_dependent", false)
      const withTables = bool(b, "export_dependent", false)
      refuseFlag(b, "all_orgs_override", allOrgsWhy, false)
      checkExportOptions(b)
      if (!holdsPrivilege(org, p.user.id, "DATADOWNLOADING")) {
        throw forbidden("Exporting TML requires the DATADOWNLOADING (Can download data) privilege.")
      }
      const items: Array<unknown> = []
      const sent = new Set<string>()
      const emit = (o: CatalogObject) => {
        // ThoughtSpot adds a connection's tables; the sandbox's model reads a table it has no object for.
        if (withTables && o.type === "CONNECTION") {
          throw unsupported(
            "export_dependent",
            "its connections have no table objects to export with them",
            "leave it out or send false"
          )
        }
        if (sent.has(o.id)) return
        sent.add(o.id)
        items.push(okItem(o.name, tmlKind(o, schema), o.id, objectDoc(o, org, schema, fqn), format))
      }
      for (const raw of list) {
        if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
          throw badRequest("Invalid parameter values: each metadata item must be an object.")
        }
        const item = raw as Record<string, unknown>
        const type = oneOf(item, "type", exportTypes)
        const identifier = str(item, "identifier")
        const session = str(item, "session_identifier")
        const generation = item["generation_number"] ?? undefined
        if (generation !== undefined) int(item, "generation_number", 0)
        if (session !== undefined || generation !== undefined) {
          items.push(
            errorItem(
              identifier ?? session ?? "",
              "The sandbox exports saved objects only: answer sessions (session_identifier, generation_number) are not supported; send the saved object's identifier alone."
            )
          )
          continue
        }
        if (identifier === undefined || identifier === "") {
          items.push(
            errorItem(
              str(item, "session_identifier") ?? "",
              "The sandbox exports saved objects only: identifier is required (answer sessions are not supported)."
            )
          )
          continue
        }
        // A GUID without a type may also be a user, group or role.
        const principalType =
          type ??
          (["USER", "USER_GROUP", "ROLE"] as const).find((t) => principalDoc(org, t, identifier)?.id === identifier)
        if (principalType === "USER" || principalType === "USER_GROUP" || principalType === "ROLE") {
          const doc = principalDoc(org, principalType, identifier)
          if (doc === undefined) {
            items.push(errorItem(identifier, `No ${principalType} with id or name '${identifier}' exists.`))
          } else if (!sent.has(doc.id)) {
            sent.add(doc.id)
            items.push(okItem(doc.name, doc.kind, doc.id, doc.doc, format))
          }
          continue
        }
        if (type === "CUSTOM_ACTION" || type === "FEEDBACK" || type === "COLLECTION") {
          items.push(errorItem(identifier, `The sandbox has no ${type} objects; '${identifier}' was not exported.`))
          continue
        }
        const byGuid = org.objects.find((o) => o.id === identifier && (type === undefined || o.type === type))
        const o =
          byGuid ?? (type === undefined ? undefined : org.objects.find((x) => x.type === type && x.name === identifier))
        if (o === undefined || !["ANSWER", "LIVEBOARD", "LOGICAL_TABLE", "CONNECTION"].includes(o.type)) {
          const hint = type === undefined ? " (give its type to look it up by name)" : ""
          items.push(errorItem(identifier, `No ${type ?? "object"} with id or name '${identifier}' exists${hint}.`))
          continue
        }
        if (!canRead(p, o)) {
          items.push(errorItem(identifier, `User does not have access to read ${o.type} ${o.id}.`))
          continue
        }
        emit(o)
        if (associated && (o.type === "ANSWER" || o.type === "LIVEBOARD")) {
          emit(org.objects.find((x) => x.type === "LOGICAL_TABLE")!)
        }
        if (associated && withConnection && o.type !== "CONNECTION") {
          const connection = org.objects.find((x) => x.type === "CONNECTION")
          if (connection !== undefined) emit(connection)
        }
      }
      return json(items)
    }
  },
  "metadata/tml/export/batch": {
    method: "POST",
    auth: true,
    handle: (req) => {
      const p = req.principal!
      const org = orgOf(p)
      const b = req.body
      const type = oneOf(b, "metadata_type", ["USER", "USER_GROUP", "ROLE"])
      if (type === undefined)
        throw badRequest("Invalid parameter values: metadata_type is required (USER, USER_GROUP or ROLE).")
      const offset = int(b, "batch_offset", 0)
      const size = int(b, "batch_size", 20)
      if (offset < 0) throw badRequest("Invalid parameter values: batch_offset must be ≥ 0")
      if (size < 1) throw badRequest("Invalid parameter values: batch_size must be ≥ 1")
      const format = oneOf(b, "edoc_format", ["JSON", "YAML"]) ?? "JSON"
      refuseFlag(b, "export_dependent", "it exports no dependents of users, groups or roles", false)
      refuseFlag(b, "all_orgs_override", allOrgsWhy, false)
      if (!holdsPrivilege(org, p.user.id, "ADMINISTRATION")) {
        throw forbidden(
          "Exporting users, groups and roles requires the DATAMANAGEMENT and USERMANAGEMENT privileges (or ADMINISTRATION)."
        )
      }
      const all =
        type === "USER"
          ? org.members.map((m) => ({ id: m.user.id, name: m.user.name, kind: "user", doc: userDoc(m, org) }))
          : type === "USER_GROUP"
            ? org.groups.map((g) => ({ id: g.object.id, name: g.object.name, kind: "group", doc: groupDoc(g, org) }))
            : org.roles.map((r) => ({ id: r.id, name: r.name, kind: "role", doc: roleDoc(r) }))
      return json({
        edocs: all.slice(offset, offset + size).map((d) => okItem(d.name, d.kind, d.id, d.doc, format))
      })
    }
  }
})

const principalDoc = (org: OrgContent, type: "USER" | "USER_GROUP" | "ROLE", identifier: string) => {
  if (type === "USER") {
    const m = org.members.find((x) => userMatches(x.user, identifier))
    return m && { id: m.user.id, name: m.user.name, kind: "user", doc: userDoc(m, org) }
  }
  if (type === "USER_GROUP") {
    const g = org.groups.find((x) => groupMatches(x, identifier))
    return g && { id: g.object.id, name: g.object.name, kind: "group", doc: groupDoc(g, org) }
  }
  const r = org.roles.find((x) => roleMatches(x, identifier))
  return r && { id: r.id, name: r.name, kind: "role", doc: roleDoc(r) }
}
