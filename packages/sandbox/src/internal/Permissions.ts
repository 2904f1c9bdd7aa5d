/**
 * `POST security/metadata/fetch-permissions`: who may read or change each object of the caller's org.
 * Administrators (users and groups holding ADMINISTRATION) and the author have MODIFY; users whose access list
 * names the object have READ_ONLY, shared with them; a non-system group whose direct members can all read the
 * object has READ_ONLY too. `permission_type: "DEFINED"` keeps only what was shared (not what privileges
 * give); EFFECTIVE (the default) lists both. Named `principals` are always listed, with NO_ACCESS if they have
 * none. The response follows the spec's example: `metadata_permission_details` is an array (the schema says
 * "object"). `record_offset`/`record_size` (default -1, all) page the list of objects. The same principal
 * lookup and effective permission serve `metadata/search`'s `permissions` filter.
 */
import type { Route } from "./Api.ts"
import { badRequest, forbidden } from "./ApiError.ts"
import { type CatalogObject, canRead, defaultUser, isSecured } from "./Catalog.ts"
import { type GroupDef, groupMatches, type MemberDef, type OrgContent, orgOf, userMatches } from "./Orgs.ts"
import { bool, json, oneOf, pageList, str } from "./Params.ts"

/** A permission of a principal on an object. */
export type Permission = "MODIFY" | "READ_ONLY" | "NO_ACCESS"

const permissionTypes = ["LIVEBOARD", "ANSWER", "LOGICAL_TABLE", "LOGICAL_COLUMN", "CONNECTION", "COLLECTION"] as const

/** The object whose access rules an object follows (a column follows its model). */
const governing = (org: OrgContent, o: CatalogObject): CatalogObject =>
  o.type === "LOGICAL_COLUMN" ? (org.objects.find((x) => x.type === "LOGICAL_TABLE") ?? o) : o

const userAccess = (
  org: OrgContent,
  m: MemberDef,
  o: CatalogObject
): { permission: Permission; shared: Permission } => {
  const target = governing(org, o)
  const shared: Permission = m.user.access?.has(target.id) === true && isSecured(target) ? "READ_ONLY" : "NO_ACCESS"
  if (m.user.id === defaultUser.id || m.privileges.includes("ADMINISTRATION")) return { permission: "MODIFY", shared }
  return { permission: shared, shared }
}

const groupAccess = (
  org: OrgContent,
  g: GroupDef,
  o: CatalogObject
): { permission: Permission; shared: Permission } => {
  if (g.privileges.includes("ADMINISTRATION")) return { permission: "MODIFY", shared: "NO_ACCESS" }
  const target = governing(org, o)
  const members = g.users.map((id) => org.members.find((m) => m.user.id === id)!)
  const shared: Permission =
    !g.systemGroup &&
    isSecured(target) &&
    members.length > 0 &&
    members.every((m) => m.user.access === undefined || m.user.access.has(target.id))
      ? "READ_ONLY"
      : "NO_ACCESS"
  return { permission: shared, shared }
}

/** The types whose objects carry permissions (the spec's `fetch-permissions` types). */
const isShareable = (o: CatalogObject): boolean => (permissionTypes as ReadonlyArray<string>).includes(o.type)

/**
 * The user or group of `org` that a `{identifier, type?}` item names (id or name; a user first when no type is
 * given); 400 naming `field` when there is none.
 */
export const findPrincipal = (org: OrgContent, raw: unknown, field: string): MemberDef | GroupDef => {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw badRequest(`Invalid parameter values: ${field} must be an object ({identifier, type}).`)
  }
  const item = raw as Record<string, unknown>
  const identifier = str(item, "identifier")
  if (identifier === undefined) throw badRequest(`Invalid parameter values: ${field}.identifier is required.`)
  const type = oneOf(item, "type", ["USER", "USER_GROUP"])
  const user = type === "USER_GROUP" ? undefined : org.members.find((m) => userMatches(m.user, identifier))
  const group = type === "USER" || user !== undefined ? undefined : org.groups.find((g) => groupMatches(g, identifier))
  if (user === undefined && group === undefined) {
    throw badRequest(`Invalid parameter values: no ${type ?? "user or group"} '${identifier}' in this org.`)
  }
  return user ?? group!
}

/**
 * The effective permission of a user or group on an object, as `fetch-permissions` reports it by default;
 * undefined for objects that carry no permissions (users, groups, tags).
 */
export const permissionOf = (
  org: OrgContent,
  principal: MemberDef | GroupDef,
  o: CatalogObject
): Permission | undefined => {
  if (!isShareable(o)) return undefined
  return ("user" in principal ? userAccess(org, principal, o) : groupAccess(org, principal, o)).permission
}

/** The fetch-permissions route. */
export const permissionRoutes = (): Readonly<Record<string, Route>> => ({
  "security/metadata/fetch-permissions": {
    method: "POST",
    auth: true,
    handle: (req) => {
      const p = req.principal!
      const org = orgOf(p)
      const b = req.body
      const list = b["metadata"]
      if (!Array.isArray(list) || list.length === 0) {
        throw badRequest("Invalid parameter values: metadata is required (a non-empty array of {identifier, type}).")
      }
      const principalsIn = b["principals"]
      if (principalsIn !== undefined && principalsIn !== null && !Array.isArray(principalsIn)) {
        throw badRequest("Invalid parameter values: principals must be an array")
      }
      const permissionType = oneOf(b, "permission_type", ["EFFECTIVE", "DEFINED"]) ?? "EFFECTIVE"
      const dependents = bool(b, "include_dependent_objects", false)
      const objects: Array<CatalogObject> = []
      const add = (o: CatalogObject) => {
        if (!objects.includes(o)) objects.push(o)
      }
      for (const raw of list) {
        if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
          throw badRequest("Invalid parameter values: each metadata item must be an object.")
        }
        const item = raw as Record<string, unknown>
        const type = oneOf(item, "type", permissionTypes)
        const identifier = str(item, "identifier")
        if (identifier === undefined || identifier === "") {
          throw badRequest("Invalid parameter values: metadata[].identifier is required.")
        }
        const o =
          org.objects.find((x) => x.id === identifier && (type === undefined || x.type === type)) ??
          org.objects.find((x) => x.type === type && x.name === identifier)
        if (o === undefined || !(permissionTypes as ReadonlyArray<string>).includes(o.type)) {
          throw badRequest(`Invalid parameter values: no ${type ?? "object"} with id or name '${identifier}' exists.`)
        }
        if (!canRead(p, governing(org, o))) throw forbidden(`User does not have access to read ${o.type} ${o.id}.`)
        add(o)
        if (dependents && (o.type === "ANSWER" || o.type === "LIVEBOARD")) {
          add(org.objects.find((x) => x.type === "LOGICAL_TABLE")!)
        }
      }
      const named = ((principalsIn ?? []) as Array<unknown>).map((raw) => findPrincipal(org, raw, "principals[]"))
      const isListed = (access: { permission: Permission; shared: Permission }) =>
        permissionType === "DEFINED" ? access.shared !== "NO_ACCESS" : access.permission !== "NO_ACCESS"
      const entry = (id: string, name: string, access: { permission: Permission; shared: Permission }) => ({
        principal_id: id,
        principal_name: name,
        permission: permissionType === "DEFINED" ? access.shared : access.permission,
        shared_permission: access.shared,
        group_permission: []
      })
      const details = pageList(b, objects, -1).map((o) => {
        const users = named.length > 0 ? named.filter((x): x is MemberDef => "user" in x) : org.members
        const groups = named.length > 0 ? named.filter((x): x is GroupDef => "object" in x) : org.groups
        const userEntries = users
          .map((m) => ({ m, access: userAccess(org, m, o) }))
          .filter(({ access }) => named.length > 0 || isListed(access))
          .map(({ m, access }) => entry(m.user.id, m.user.name, access))
        const groupEntries = groups
          .map((g) => ({ g, access: groupAccess(org, g, o) }))
          .filter(({ access }) => named.length > 0 || isListed(access))
          .map(({ g, access }) => entry(g.object.id, g.object.name, access))
        const owner = o.type === "ANSWER" || o.type === "LIVEBOARD" ? { id: o.id, name: o.name } : null
        return {
          metadata_id: o.id,
          metadata_name: o.name,
          metadata_type: o.type,
          metadata_owner: owner ?? { id: defaultUser.id, name: defaultUser.name },
          metadata_author: { id: defaultUser.id, name: defaultUser.name },
          principal_permission_info: [
            ...(groupEntries.length > 0
              ? [
                  {
                    principal_type: "USER_GROUP",
                    principal_sub_type: "LOCAL_GROUP",
                    principal_permissions: groupEntries
                  }
                ]
              : []),
            ...(userEntries.length > 0
              ? [{ principal_type: "USER", principal_sub_type: "LOCAL_USER", principal_permissions: userEntries }]
              : [])
          ]
        }
      })
      return json({ metadata_permission_details: details })
    }
  }
})
