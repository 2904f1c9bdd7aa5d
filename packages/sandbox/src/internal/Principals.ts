/**
 * Principals and org-level lists: `users/search`, `groups/search`, `roles/search`, `orgs/search` and
 * `tags/search`, plus the `User` body that `auth/session/user` shares. Every list holds only the caller's org
 * (`orgs/search` from the Primary org by an administrator lists every org). Response fields follow the spec's
 * `User`, `UserGroupResponse`, `SearchRoleResponse`, `OrgResponse` and `Tag` schemas.
 */
import type { Route } from "./Api.ts"
import { forbidden } from "./ApiError.ts"
import type { Principal } from "./Auth.ts"
import { defaultUser } from "./Catalog.ts"
import {
  type GroupDef,
  groupMatches,
  holdsPrivilege,
  type MemberDef,
  type OrgContent,
  orgMatches,
  orgOf,
  orgs,
  orgsOf,
  type RoleDef,
  roleMatches,
  userMatches
} from "./Orgs.ts"
import {
  bool,
  eachOneOf,
  json,
  likePattern,
  oneOf,
  pageList,
  refuseFlag,
  refuseValue,
  sortList,
  str,
  strings
} from "./Params.ts"

const idName = (id: string, name: string) => ({ id, name })

/** Groups whose members (directly or through sub-groups) include the groups in `direct`: inherited groups. */
const inheritedGroups = (org: OrgContent, direct: ReadonlyArray<GroupDef>): ReadonlyArray<GroupDef> => {
  const found = new Set<GroupDef>()
  let frontier = direct
  while (frontier.length > 0) {
    const ids = new Set(frontier.map((g) => g.object.id))
    frontier = org.groups.filter((g) => !found.has(g) && !direct.includes(g) && g.subGroups.some((s) => ids.has(s)))
    for (const g of frontier) found.add(g)
  }
  return [...found]
}

const directGroups = (org: OrgContent, userId: string) => org.groups.filter((g) => g.users.includes(userId))

/** The `User` body of a member of `org`. */
export const userBody = (m: MemberDef, org: OrgContent, nowMs: number) => {
  const direct = directGroups(org, m.user.id)
  return {
    id: m.user.id,
    name: m.user.name,
    display_name: m.user.displayName,
    visibility: "SHARABLE",
    author_id: defaultUser.id,
    can_change_password: m.accountType === "LOCAL_USER",
    complete_detail: true,
    creation_time_in_millis: m.created,
    current_org: { id: org.org.id, name: org.org.name },
    deleted: false,
    deprecated: false,
    account_type: m.accountType,
    account_status: m.accountStatus,
    email: m.user.email,
    expiration_time_in_millis: nowMs + 3 * 3_600_000,
    external: m.accountType !== "LOCAL_USER",
    hidden: false,
    modification_time_in_millis: m.modified,
    modifier_id: defaultUser.id,
    orgs: orgsOf(m.user.id).map((o) => ({ id: o.id, name: o.name })),
    owner_id: m.user.id,
    parent_type: "USER",
    privileges: m.privileges,
    tenant_id: "sandbox",
    user_groups: direct.map((g) => idName(g.object.id, g.object.name)),
    user_inherited_groups: inheritedGroups(org, direct).map((g) => idName(g.object.id, g.object.name))
  }
}

/** `privileges` values of `users/search` and `groups/search` (the OpenAPI document's enum). */
const principalPrivileges = [
  "ADMINISTRATION",
  "AUTHORING",
  "USERDATAUPLOADING",
  "DATADOWNLOADING",
  "USERMANAGEMENT",
  "DATAMANAGEMENT",
  "SHAREWITHALL",
  "JOBSCHEDULING",
  "A3ANALYSIS",
  "EXPERIMENTALFEATUREPRIVILEGE",
  "BYPASSRLS",
  "RANALYSIS",
  "DEVELOPER",
  "USER_ADMINISTRATION",
  "GROUP_ADMINISTRATION",
  "SYNCMANAGEMENT",
  "CAN_CREATE_CATALOG",
  "DISABLE_PINBOARD_CREATION",
  "LIVEBOARD_VERIFIER",
  "PREVIEW_THOUGHTSPOT_SAGE",
  "APPLICATION_ADMINISTRATION",
  "SYSTEM_INFO_ADMINISTRATION",
  "ORG_ADMINISTRATION",
  "ROLE_ADMINISTRATION",
  "AUTHENTICATION_ADMINISTRATION",
  "BILLING_INFO_ADMINISTRATION",
  "CAN_MANAGE_CUSTOM_CALENDAR",
  "CAN_CREATE_OR_EDIT_CONNECTIONS",
  "CAN_MANAGE_WORKSHEET_VIEWS_TABLES",
  "CAN_MANAGE_VERSION_CONTROL",
  "THIRDPARTY_ANALYSIS",
  "ALLOW_NON_EMBED_FULL_APP_ACCESS",
  "CAN_ACCESS_ANALYST_STUDIO",
  "CAN_MANAGE_ANALYST_STUDIO",
  "PREVIEW_DOCUMENT_SEARCH",
  "CAN_MODIFY_FOLDERS",
  "CAN_MANAGE_VARIABLES",
  "CAN_VIEW_FOLDERS",
  "CAN_MANAGE_AGENTSPOT",
  "CAN_ACCESS_AGENTSPOT",
  "CAN_SETUP_VERSION_CONTROL",
  "CAN_MANAGE_WEBHOOKS",
  "CAN_DOWNLOAD_VISUALS",
  "CAN_DOWNLOAD_DETAILED_DATA",
  "CAN_USE_SPOTTER",
  "CAN_MANAGE_SPOTTER"
] as const

/** `privileges` values of `roles/search` (the OpenAPI document's enum; it differs from the users' and groups'). */
const rolePrivileges = [
  "UNKNOWN",
  "ADMINISTRATION",
  "AUTHORING",
  "USERDATAUPLOADING",
  "DATADOWNLOADING",
  "USERMANAGEMENT",
  "SECURITYMANAGEMENT",
  "LOGICALMODELING",
  "DATAMANAGEMENT",
  "TAGMANAGEMENT",
  "SHAREWITHALL",
  "SYSTEMMANAGEMENT",
  "JOBSCHEDULING",
  "A3ANALYSIS",
  "EXPERIMENTALFEATUREPRIVILEGE",
  "BYPASSRLS",
  "RANALYSIS",
  "DISABLE_PINBOARD_CREATION",
  "DEVELOPER",
  "APPLICATION_ADMINISTRATION",
  "USER_ADMINISTRATION",
  "GROUP_ADMINISTRATION",
  "BACKUP_ADMINISTRATION",
  "SYSTEM_INFO_ADMINISTRATION",
  "ENABLESPOTAPPCREATION",
  "SYNCMANAGEMENT",
  "ORG_ADMINISTRATION",
  "ROLE_ADMINISTRATION",
  "AUTHENTICATION_ADMINISTRATION",
  "BILLING_INFO_ADMINISTRATION",
  "PREVIEW_THOUGHTSPOT_SAGE",
  "LIVEBOARD_VERIFIER",
  "CAN_MANAGE_CUSTOM_CALENDAR",
  "CAN_CREATE_OR_EDIT_CONNECTIONS",
  "CAN_CONFIGURE_CONNECTIONS",
  "CAN_MANAGE_WORKSHEET_VIEWS_TABLES",
  "CAN_MANAGE_VERSION_CONTROL",
  "THIRDPARTY_ANALYSIS",
  "CONTROL_TRUSTED_AUTH",
  "CAN_CREATE_CATALOG",
  "ALLOW_NON_EMBED_FULL_APP_ACCESS",
  "CAN_ACCESS_ANALYST_STUDIO",
  "CAN_MANAGE_ANALYST_STUDIO",
  "CAN_VIEW_FOLDERS",
  "CAN_MODIDY_FOLDERS",
  "CAN_MANAGE_VARIABLES",
  "CAN_MANAGE_AGENTSPOT",
  "CAN_ACCESS_AGENTSPOT",
  "PREVIEW_DOCUMENT_SEARCH",
  "CAN_SETUP_VERSION_CONTROL",
  "CAN_MANAGE_WEBHOOKS",
  "CAN_DOWNLOAD_VISUALS",
  "CAN_DOWNLOAD_DETAILED_DATA",
  "CAN_USE_SPOTTER",
  "CAN_MANAGE_SPOTTER"
] as const

/** `sort_options.field_name` values of `users/search` and `groups/search`. */
const principalSortFields = ["NAME", "DISPLAY_NAME", "AUTHOR", "CREATED", "MODIFIED"] as const

/** A user's or group's `sort_options` key: names compare without case; every principal's author is the default user. */
const principalKey = (
  field: (typeof principalSortFields)[number],
  p: { readonly created: number; readonly modified: number; readonly displayName: string; readonly name: string }
): string | number =>
  field === "CREATED"
    ? p.created
    : field === "MODIFIED"
      ? p.modified
      : field === "DISPLAY_NAME"
        ? p.displayName.toLowerCase()
        : field === "AUTHOR"
          ? defaultUser.name
          : p.name.toLowerCase()

const lower = (s: string) => s.toLowerCase()

/**
 * Refuses (403, code 10023) a caller who holds neither ADMINISTRATION nor `rbacPrivilege` in the org it works in:
 * the endpoints that ThoughtSpot's OpenAPI document says need administration privileges (`rbacPrivilege` being the
 * one RBAC asks for instead) answer a cluster's other users so.
 */
export const requireAdministration = (p: Principal, rbacPrivilege: string, what: string): void => {
  const org = orgOf(p)
  if (holdsPrivilege(org, p.user.id, "ADMINISTRATION") || holdsPrivilege(org, p.user.id, rbacPrivilege)) return
  throw forbidden(`ADMINISTRATION (or, with RBAC, ${rbacPrivilege}) privilege required to ${what}.`)
}

/** The principal-list routes. */
export const principalRoutes = (now: () => number): Readonly<Record<string, Route>> => ({
  "users/search": {
    method: "POST",
    auth: true,
    handle: (req) => {
      const org = orgOf(req.principal!)
      const b = req.body
      const identifier = str(b, "user_identifier")
      const displayName = str(b, "display_name")
      const pattern = str(b, "name_pattern")
      const visibility = oneOf(b, "visibility", ["SHARABLE", "NON_SHARABLE"])
      const email = str(b, "email")
      const groupIds = strings(b, "group_identifiers")
      const privileges = eachOneOf(b, "privileges", principalPrivileges)
      const accountType = oneOf(b, "account_type", ["LOCAL_USER", "LDAP_USER", "SAML_USER", "OIDC_USER", "REMOTE_USER"])
      const accountStatus = oneOf(b, "account_status", [
        "ACTIVE",
        "INACTIVE",
        "EXPIRED",
        "LOCKED",
        "PENDING",
        "SUSPENDED"
      ])
      const orgIds = strings(b, "org_identifiers")
      const roleIds = strings(b, "role_identifiers")
      // Settings the sandbox's users do not have: a filter on them or a request to show them is refused.
      for (const key of ["notify_on_share", "show_onboarding_experience", "onboarding_experience_completed"]) {
        refuseFlag(b, key, "its users carry no notification or onboarding preferences")
      }
      refuseValue(b, "home_liveboard_identifier", "string", "its users have no home Liveboard")
      refuseValue(b, "favorite_metadata", "array", "its users have no favorites")
      refuseFlag(b, "include_favorite_metadata", "its users have no favorites", false)
      refuseFlag(b, "include_variable_values", "its users have no formula variable values", false)
      const found = org.members.filter((m) => {
        const u = m.user
        if (identifier !== undefined && u.id !== identifier && lower(u.name) !== lower(identifier)) return false
        if (displayName !== undefined && u.displayName !== displayName) return false
        if (pattern !== undefined && !likePattern(pattern).test(u.name)) return false
        if (visibility !== undefined && visibility !== "SHARABLE") return false
        if (email !== undefined && lower(u.email) !== lower(email)) return false
        const groups = directGroups(org, u.id)
        if (groupIds !== undefined && !groups.some((g) => groupIds.some((i) => groupMatches(g, i)))) return false
        if (privileges !== undefined && !privileges.some((p) => m.privileges.includes(p))) return false
        if (accountType !== undefined && m.accountType !== accountType) return false
        if (accountStatus !== undefined && m.accountStatus !== accountStatus) return false
        if (orgIds !== undefined) {
          const mine = orgsOf(u.id)
          if (!orgIds.some((i) => mine.some((o) => orgMatches(o, i)))) return false
        }
        if (roleIds !== undefined) {
          const held = [...groups, ...inheritedGroups(org, groups)].flatMap((g) => g.roles)
          const wanted = org.roles.filter((r) => roleIds.some((i) => roleMatches(r, i))).map((r) => r.id)
          if (!held.some((r) => wanted.includes(r))) return false
        }
        return true
      })
      const sorted = sortList(b, found, principalSortFields, (m, f) =>
        principalKey(f, {
          created: m.created,
          modified: m.modified,
          displayName: m.user.displayName,
          name: m.user.name
        })
      )
      return json(pageList(b, sorted, 10).map((m) => userBody(m, org, now())))
    }
  },
  "groups/search": {
    method: "POST",
    auth: true,
    handle: (req) => {
      const org = orgOf(req.principal!)
      const b = req.body
      const identifier = str(b, "group_identifier")
      const pattern = str(b, "name_pattern")
      const displayName = str(b, "display_name")
      const description = str(b, "description")
      const privileges = eachOneOf(b, "privileges", principalPrivileges)
      const subGroupIds = strings(b, "sub_group_identifiers")
      const type = oneOf(b, "type", ["LOCAL_GROUP", "LDAP_GROUP", "TEAM_GROUP", "TENANT_GROUP"])
      const userIds = strings(b, "user_identifiers")
      const visibility = oneOf(b, "visibility", ["SHARABLE", "NON_SHARABLE"])
      const roleIds = strings(b, "role_identifiers")
      const orgIds = strings(b, "org_identifiers")
      const liveboardIds = strings(b, "default_liveboard_identifiers")
      const includeUsers = bool(b, "include_users", true)
      const includeSubGroups = bool(b, "include_sub_groups", true)
      const memberOf = (id: string) => org.members.find((m) => m.user.id === id)!.user
      const groupOf = (id: string) => org.groups.find((g) => g.object.id === id)!
      const found = org.groups.filter((g) => {
        if (identifier !== undefined && !groupMatches(g, identifier)) return false
        if (pattern !== undefined && !likePattern(pattern).test(g.object.name)) return false
        if (displayName !== undefined && g.displayName !== displayName) return false
        if (description !== undefined && g.object.description !== description) return false
        if (privileges !== undefined && !privileges.some((p) => g.privileges.includes(p))) return false
        if (subGroupIds !== undefined && !g.subGroups.some((s) => subGroupIds.some((i) => groupMatches(groupOf(s), i))))
          return false
        if (type !== undefined && type !== "LOCAL_GROUP") return false
        if (userIds !== undefined) {
          const users = g.users.map(memberOf)
          if (!users.some((u) => userIds.some((i) => userMatches(u, i)))) return false
        }
        if (visibility !== undefined && visibility !== "SHARABLE") return false
        if (
          roleIds !== undefined &&
          !org.roles.some((r) => g.roles.includes(r.id) && roleIds.some((i) => roleMatches(r, i)))
        )
          return false
        if (orgIds !== undefined && !orgIds.some((i) => orgMatches(org.org, i))) return false
        if (liveboardIds !== undefined && liveboardIds.length > 0) return false
        return true
      })
      const sorted = sortList(b, found, principalSortFields, (g, f) =>
        principalKey(f, {
          created: g.object.created,
          modified: g.object.modified,
          displayName: g.displayName,
          name: g.object.name
        })
      )
      return json(
        pageList(b, sorted, 10).map((g) => ({
          author_id: defaultUser.id,
          complete_detail: true,
          content: {},
          creation_time_in_millis: g.object.created,
          default_liveboards: [],
          deleted: false,
          deprecated: false,
          description: g.object.description,
          display_name: g.displayName,
          external: false,
          generation_number: 1,
          hidden: false,
          id: g.object.id,
          index: 0,
          index_version: 0,
          metadata_version: 1,
          modification_time_in_millis: g.object.modified,
          modifier_id: defaultUser.id,
          name: g.object.name,
          orgs: [idName(String(org.org.id), org.org.name)],
          owner_id: g.object.id,
          parent_type: "GROUP",
          privileges: g.privileges,
          sub_groups: includeSubGroups ? g.subGroups.map((s) => idName(s, groupOf(s).object.name)) : [],
          system_group: g.systemGroup,
          tags: [],
          type: "LOCAL_GROUP",
          users: includeUsers ? g.users.map((u) => idName(u, memberOf(u).name)) : [],
          visibility: "SHARABLE",
          roles: g.roles.map((r) => idName(r, org.roles.find((x) => x.id === r)!.name))
        }))
      )
    }
  },
  "roles/search": {
    method: "POST",
    auth: true,
    handle: (req) => {
      requireAdministration(req.principal!, "ROLE_ADMINISTRATION", "search roles")
      const org = orgOf(req.principal!)
      const b = req.body
      const roleIds = strings(b, "role_identifiers")
      const orgIds = strings(b, "org_identifiers")
      const groupIds = strings(b, "group_identifiers")
      const privileges = eachOneOf(b, "privileges", rolePrivileges)
      const deprecated = bool(b, "deprecated", undefined)
      const external = bool(b, "external", undefined)
      const viaConnection = bool(b, "shared_via_connection", undefined)
      const permissions = eachOneOf(b, "permissions", ["READ_ONLY", "MODIFY", "NO_ACCESS"])
      const groupsWith = (r: RoleDef) => org.groups.filter((g) => g.roles.includes(r.id))
      const found = org.roles.filter((r) => {
        if (roleIds !== undefined && !roleIds.some((i) => roleMatches(r, i))) return false
        if (orgIds !== undefined && !orgIds.some((i) => orgMatches(org.org, i))) return false
        if (groupIds !== undefined && !groupsWith(r).some((g) => groupIds.some((i) => groupMatches(g, i)))) return false
        if (privileges !== undefined && !privileges.some((p) => r.privileges.includes(p))) return false
        if (deprecated === true || external === true || viaConnection === true) return false
        if (permissions !== undefined && !permissions.includes("MODIFY")) return false
        return true
      })
      return json(
        found.map((r) => ({
          id: r.id,
          name: r.name,
          description: r.description,
          groups_assigned_count: groupsWith(r).length,
          orgs: [idName(String(org.org.id), org.org.name)],
          groups: groupsWith(r).map((g) => idName(g.object.id, g.object.name)),
          privileges: r.privileges,
          permission: "MODIFY",
          author_id: defaultUser.id,
          modifier_id: defaultUser.id,
          creation_time_in_millis: r.created,
          modification_time_in_millis: r.modified,
          deleted: false,
          deprecated: false,
          external: false,
          hidden: false,
          shared_via_connection: false
        }))
      )
    }
  },
  "orgs/search": {
    method: "POST",
    auth: true,
    handle: (req) => {
      const p = req.principal!
      requireAdministration(p, "ORG_ADMINISTRATION", "search orgs")
      const org = orgOf(p)
      const b = req.body
      const identifier = str(b, "org_identifier")
      const description = str(b, "description")
      const visibility = oneOf(b, "visibility", ["SHOW", "HIDDEN"])
      const status = oneOf(b, "status", ["ACTIVE", "IN_ACTIVE"])
      const userIds = strings(b, "user_identifiers")
      // An administrator of the Primary org sees every org; in another org, only that org.
      const visible = org.org.id === 0 ? orgs : [org]
      const found = visible.filter((o) => {
        if (identifier !== undefined && String(o.org.id) !== identifier.trim() && o.org.name !== identifier)
          return false
        if (description !== undefined && o.org.description !== description) return false
        if (visibility !== undefined && o.org.visibility !== visibility) return false
        if (status !== undefined && o.org.status !== status) return false
        if (userIds !== undefined && !o.members.some((m) => userIds.some((i) => userMatches(m.user, i)))) return false
        return true
      })
      return json(found.map((o) => ({ ...o.org })))
    }
  },
  "tags/search": {
    method: "POST",
    auth: true,
    handle: (req) => {
      const org = orgOf(req.principal!)
      const b = req.body
      const identifier = str(b, "tag_identifier")
      const pattern = str(b, "name_pattern")
      const color = str(b, "color")
      const found = org.tags.filter((t) => {
        if (identifier !== undefined && t.id !== identifier && t.name !== identifier) return false
        if (pattern !== undefined && !likePattern(pattern).test(t.name)) return false
        if (color !== undefined && lower(org.tagColors.get(t.id) ?? "") !== lower(color)) return false
        return true
      })
      return json(
        found.map((t) => ({
          name: t.name,
          id: t.id,
          color: org.tagColors.get(t.id) ?? null,
          deleted: false,
          hidden: false,
          external: false,
          deprecated: false,
          creation_time_in_millis: t.created,
          modification_time_in_millis: t.modified,
          author_id: defaultUser.id,
          modifier_id: defaultUser.id,
          owner_id: t.id
        }))
      )
    }
  }
})
