/**
 * Orgs and what each one holds. The Primary org (id 0) is the original catalog, unchanged: its objects, users
 * and groups are those of Catalog.ts. Two more orgs each have their own model, answers, liveboard, users,
 * groups, roles and tags, with ids of their own, so that a client exporting across orgs can tell them apart; a
 * fourth is inactive (listed by `orgs/search`, but no one can sign in to it).
 * Principals (memberships, account states, privileges, roles) are declared here, next to the objects.
 */
import type { Principal } from "./Auth.ts"
import {
  allObjects,
  answer,
  type CatalogObject,
  defaultUser,
  limitedUser,
  liveboard,
  groups as primaryGroups,
  tags as primaryTags,
  users as primaryUsers,
  simple,
  type UserDef
} from "./Catalog.ts"
import { stableGuid } from "./Hash.ts"
import { orderColumns } from "./Orders.ts"

/** An org as `orgs/search` describes it. */
export interface OrgDef {
  readonly id: number
  readonly name: string
  readonly description: string
  readonly status: "ACTIVE" | "IN_ACTIVE"
  readonly visibility: "SHOW" | "HIDDEN"
}

/** A user's membership of one org, with what `users/search` reports about the account. */
export interface MemberDef {
  readonly user: UserDef
  readonly accountType: "LOCAL_USER" | "LDAP_USER" | "SAML_USER" | "OIDC_USER" | "REMOTE_USER"
  readonly accountStatus: "ACTIVE" | "INACTIVE" | "EXPIRED" | "LOCKED" | "PENDING" | "SUSPENDED"
  /** Privileges the user holds in this org (through its groups and roles). */
  readonly privileges: ReadonlyArray<string>
  readonly created: number
  readonly modified: number
}

/** A user group: its USER_GROUP object, direct members, sub-groups, privileges and roles. */
export interface GroupDef {
  readonly object: CatalogObject
  readonly displayName: string
  readonly users: ReadonlyArray<string>
  readonly subGroups: ReadonlyArray<string>
  readonly privileges: ReadonlyArray<string>
  readonly roles: ReadonlyArray<string>
  readonly systemGroup: boolean
}

/** A role (a named set of privileges, assigned to groups). */
export interface RoleDef {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly privileges: ReadonlyArray<string>
  readonly created: number
  readonly modified: number
}

/** Everything one org holds. */
export interface OrgContent {
  readonly org: OrgDef
  /** Objects in `metadata/search` order. */
  readonly objects: ReadonlyArray<CatalogObject>
  readonly members: ReadonlyArray<MemberDef>
  readonly groups: ReadonlyArray<GroupDef>
  readonly roles: ReadonlyArray<RoleDef>
  readonly tags: ReadonlyArray<CatalogObject>
  readonly tagColors: ReadonlyMap<string, string>
}

const at = (iso: string) => Date.parse(iso)
const adminPrivileges = ["ADMINISTRATION", "DATADOWNLOADING", "AUTHORING"]
const allColumns = orderColumns.map((c) => `[${c.name}]`).join(" ")

const member = (
  user: UserDef,
  privileges: ReadonlyArray<string>,
  accountStatus: MemberDef["accountStatus"] = "ACTIVE",
  accountType: MemberDef["accountType"] = "LOCAL_USER"
): MemberDef => ({
  user,
  accountType,
  accountStatus,
  privileges,
  created: at("2024-01-15T00:00:00Z"),
  modified: at("2024-01-15T00:00:00Z")
})

const role = (scope: string, name: string, description: string, privileges: ReadonlyArray<string>): RoleDef => ({
  id: stableGuid(`${scope}role:${name}`),
  name,
  description,
  privileges,
  created: at("2024-02-01T00:00:00Z"),
  modified: at("2024-02-01T00:00:00Z")
})

const groupObject = (scope: string, name: string, description: string) =>
  simple("USER_GROUP", name, description, undefined, scope)

const orgUser = (name: string, displayName: string, password: string, access: ReadonlySet<string> | undefined) =>
  ({
    id: stableGuid(`user:${name}`),
    name,
    displayName,
    email: `${name}@example.com`,
    password,
    groups: [],
    access
  }) satisfies UserDef

const byName = (list: ReadonlyArray<CatalogObject>, name: string) => list.find((o) => o.name === name)!

// ---- Primary (org 0): the original catalog ------------------------------------------------------------------

const primaryRoles = [
  role("", "Content Admin", "Administers content and users", ["ADMINISTRATION", "AUTHORING", "DATADOWNLOADING"]),
  role("", "Data Viewer", "Reads and downloads data", ["DATADOWNLOADING"])
]

const primary: OrgContent = {
  org: { id: 0, name: "Primary", description: "Primary Org", status: "ACTIVE", visibility: "SHOW" },
  objects: allObjects,
  members: [member(defaultUser, adminPrivileges), member(limitedUser, ["DATADOWNLOADING"])],
  groups: [
    {
      object: byName(primaryGroups, "Administrator"),
      displayName: "Administrator",
      users: [defaultUser.id],
      subGroups: [],
      privileges: adminPrivileges,
      roles: [primaryRoles[0]!.id],
      systemGroup: true
    },
    {
      object: byName(primaryGroups, "All"),
      displayName: "All Group",
      users: [defaultUser.id, limitedUser.id],
      subGroups: [],
      privileges: [],
      roles: [],
      systemGroup: true
    },
    {
      object: byName(primaryGroups, "Analysts"),
      displayName: "Analysts",
      users: [limitedUser.id],
      subGroups: [],
      privileges: ["DATADOWNLOADING"],
      roles: [primaryRoles[1]!.id],
      systemGroup: false
    },
    {
      object: byName(primaryGroups, "Sales"),
      displayName: "Sales",
      users: [],
      subGroups: [byName(primaryGroups, "Analysts").id],
      privileges: ["DATADOWNLOADING"],
      roles: [],
      systemGroup: false
    }
  ],
  roles: primaryRoles,
  tags: primaryTags,
  tagColors: new Map(primaryTags.map((t, i) => [t.id, ["#2E75F0", "#F0A22E", "#3BB273"][i]!]))
}

// ---- Sales EMEA --------------------------------------------------------------------------------------------

const emeaScope = "org:1482304613:"
const emeaTable: CatalogObject = {
  ...simple("LOGICAL_TABLE", "Orders", "EMEA orders model.", "WORKSHEET", emeaScope),
  tags: ["EMEA"]
}
const emeaAnswers = [
  answer("EMEA Revenue by Month", "[Order Date].monthly [Revenue]", ["EMEA", "Certified"], 1, emeaScope),
  answer("EMEA Order Details", `${allColumns} sort by [Order ID]`, ["EMEA"], 1, emeaScope)
]
const emeaLiveboards = [
  liveboard(
    "EMEA Sales Pulse",
    [
      ["Revenue by Region", "[Region] [Revenue] sort by [Revenue] descending"],
      ["Weekly Quantity", "[Order Date].weekly [Quantity]"]
    ],
    ["EMEA"],
    emeaScope
  )
]
const emeaLead = orgUser(
  "emea.lead",
  "EMEA Lead",
  "EmeaLead@123!",
  new Set([emeaTable.id, ...emeaAnswers.map((a) => a.id), emeaLiveboards[0]!.id])
)
const emeaContractor = orgUser(
  "emea.contractor",
  "EMEA Contractor",
  "EmeaContractor@123!",
  new Set([emeaAnswers[0]!.id])
)
const emeaFormer = orgUser("emea.former", "Former EMEA Analyst", "EmeaFormer@123!", new Set([emeaAnswers[0]!.id]))
const emeaRoles = [
  role(emeaScope, "EMEA Analyst", "Authors and downloads EMEA content", ["AUTHORING", "DATADOWNLOADING"])
]
const emeaTags = [
  simple("TAG", "EMEA", "EMEA content", undefined, emeaScope),
  simple("TAG", "Certified", "Certified content", undefined, emeaScope)
]
const emeaGroupObjects = [
  groupObject(emeaScope, "EMEA Admins", "EMEA administrators"),
  groupObject(emeaScope, "EMEA Sales", "EMEA sales team"),
  groupObject(emeaScope, "EMEA Managers", "EMEA sales managers")
]
const emea: OrgContent = {
  org: {
    id: 1482304613,
    name: "Sales EMEA",
    description: "Sales in Europe, Middle East and Africa",
    status: "ACTIVE",
    visibility: "SHOW"
  },
  objects: [
    ...emeaLiveboards,
    ...emeaAnswers,
    emeaTable,
    ...[defaultUser, emeaLead, emeaContractor, emeaFormer].map((u) => ({
      ...simple("USER", u.name, u.displayName),
      id: u.id
    })),
    ...emeaGroupObjects,
    ...emeaTags,
    simple("CONNECTION", "EMEA Warehouse", "Snowflake warehouse of the EMEA orders.", "SNOWFLAKE", emeaScope)
  ],
  members: [
    member(defaultUser, adminPrivileges),
    member(emeaLead, ["AUTHORING", "DATADOWNLOADING"]),
    member(emeaContractor, ["DATADOWNLOADING"], "LOCKED", "SAML_USER"),
    member(emeaFormer, [], "INACTIVE")
  ],
  groups: [
    {
      object: emeaGroupObjects[0]!,
      displayName: "EMEA Admins",
      users: [defaultUser.id],
      subGroups: [],
      privileges: adminPrivileges,
      roles: [],
      systemGroup: false
    },
    {
      object: emeaGroupObjects[1]!,
      displayName: "EMEA Sales",
      users: [emeaContractor.id, emeaFormer.id],
      subGroups: [emeaGroupObjects[2]!.id],
      privileges: ["DATADOWNLOADING"],
      roles: [emeaRoles[0]!.id],
      systemGroup: false
    },
    {
      object: emeaGroupObjects[2]!,
      displayName: "EMEA Managers",
      users: [emeaLead.id],
      subGroups: [],
      privileges: ["AUTHORING", "DATADOWNLOADING"],
      roles: [],
      systemGroup: false
    }
  ],
  roles: emeaRoles,
  tags: emeaTags,
  tagColors: new Map([
    [emeaTags[0]!.id, "#7B61FF"],
    [emeaTags[1]!.id, "#2E75F0"]
  ])
}

// ---- Finance APAC ------------------------------------------------------------------------------------------

const apacScope = "org:2094412837:"
const apacTable: CatalogObject = {
  ...simple("LOGICAL_TABLE", "Orders", "APAC orders model.", "WORKSHEET", apacScope),
  tags: ["APAC"]
}
const apacAnswers = [
  answer("APAC Quarterly Returns", "[Order Date].quarterly [Region] [Returned] [Revenue]", ["APAC"], 1, apacScope)
]
const apacLiveboards = [
  liveboard(
    "APAC Finance Board",
    [
      ["Revenue by Year", "[Order Date].yearly [Revenue]"],
      ["Top Customers", "top 10 [Customer] [Revenue]"]
    ],
    ["APAC"],
    apacScope
  )
]
const apacAnalyst = orgUser(
  "apac.analyst",
  "APAC Analyst",
  "ApacAnalyst@123!",
  new Set([apacTable.id, apacAnswers[0]!.id])
)
const apacPending = orgUser("apac.pending", "APAC Newcomer", "ApacPending@123!", new Set<string>())
const apacRoles = [role(apacScope, "APAC Viewer", "Reads and downloads APAC data", ["DATADOWNLOADING"])]
const apacTags = [simple("TAG", "APAC", "APAC content", undefined, apacScope)]
const apacGroupObjects = [groupObject(apacScope, "APAC Finance", "APAC finance team")]
const apac: OrgContent = {
  org: {
    id: 2094412837,
    name: "Finance APAC",
    description: "Finance in Asia-Pacific",
    status: "ACTIVE",
    visibility: "SHOW"
  },
  objects: [
    ...apacLiveboards,
    ...apacAnswers,
    apacTable,
    ...[defaultUser, apacAnalyst, apacPending].map((u) => ({ ...simple("USER", u.name, u.displayName), id: u.id })),
    ...apacGroupObjects,
    ...apacTags
  ],
  members: [
    member(defaultUser, adminPrivileges),
    member(apacAnalyst, ["DATADOWNLOADING"]),
    member(apacPending, [], "PENDING")
  ],
  groups: [
    {
      object: apacGroupObjects[0]!,
      displayName: "APAC Finance",
      users: [apacAnalyst.id, apacPending.id],
      subGroups: [],
      privileges: ["DATADOWNLOADING"],
      roles: [apacRoles[0]!.id],
      systemGroup: false
    }
  ],
  roles: apacRoles,
  tags: apacTags,
  tagColors: new Map([[apacTags[0]!.id, "#E04F5F"]])
}

// ---- Sales LATAM (inactive) -------------------------------------------------------------------------------

const latamScope = "org:1739504221:"
const latamAnswers = [answer("LATAM Revenue by Month", "[Order Date].monthly [Revenue]", ["LATAM"], 1, latamScope)]
const latamTags = [simple("TAG", "LATAM", "LATAM content", undefined, latamScope)]
/**
 * An org that was deactivated (`status: "IN_ACTIVE"`): `orgs/search` still lists it, but no one can sign in to
 * it (a token or session for it is refused with 403), so nothing of it can be read.
 */
const latam: OrgContent = {
  org: {
    id: 1739504221,
    name: "Sales LATAM",
    description: "Sales in Latin America (closed)",
    status: "IN_ACTIVE",
    visibility: "SHOW"
  },
  objects: [
    ...latamAnswers,
    { ...simple("USER", defaultUser.name, defaultUser.displayName), id: defaultUser.id },
    ...latamTags
  ],
  members: [member(defaultUser, adminPrivileges)],
  groups: [],
  roles: [],
  tags: latamTags,
  tagColors: new Map([[latamTags[0]!.id, "#3BB273"]])
}

/** Every org, Primary first; the inactive one last. */
export const orgs: ReadonlyArray<OrgContent> = [primary, emea, apac, latam]

/** Every user who can sign in, each once (a user may belong to several orgs). */
export const allUsers: ReadonlyArray<UserDef> = [
  ...primaryUsers,
  ...orgs
    .flatMap((o) => o.members.map((m) => m.user))
    .filter((u, i, all) => !primaryUsers.includes(u) && all.indexOf(u) === i)
]

/** The content of org `id`; Primary for an id that does not exist (callers check ids with `findOrg` first). */
export const orgContent = (id: number): OrgContent => orgs.find((o) => o.org.id === id) ?? primary

/** Finds an org by id (a number, or its digits) or exact name. */
export const findOrg = (identifier: string | number): OrgContent | undefined => {
  const text = String(identifier).trim()
  return /^-?\d+$/.test(text) ? orgs.find((o) => o.org.id === Number(text)) : orgs.find((o) => o.org.name === text)
}

/** The user's membership of an org, if any. */
export const membership = (org: OrgContent, userId: string): MemberDef | undefined =>
  org.members.find((m) => m.user.id === userId)

/** Whether the user holds `privilege` in `org` (never when not a member). */
export const holdsPrivilege = (org: OrgContent, userId: string, privilege: string): boolean =>
  membership(org, userId)?.privileges.includes(privilege) === true

/** Whether `identifier` names the user: its GUID or its exact name. */
export const userMatches = (u: UserDef, identifier: string): boolean => u.id === identifier || u.name === identifier

/** Whether `identifier` names the group: its GUID or its exact name. */
export const groupMatches = (g: GroupDef, identifier: string): boolean =>
  g.object.id === identifier || g.object.name === identifier

/** Whether `identifier` names the role: its GUID or its exact name. */
export const roleMatches = (r: RoleDef, identifier: string): boolean => r.id === identifier || r.name === identifier

/** Whether `identifier` names the org: its id's digits or its exact name. */
export const orgMatches = (o: OrgDef, identifier: string): boolean =>
  String(o.id) === identifier || o.name === identifier

/** The orgs a user belongs to. */
export const orgsOf = (userId: string): ReadonlyArray<OrgDef> =>
  orgs.filter((o) => membership(o, userId) !== undefined).map((o) => o.org)

/** Object-id lookup across every org (the control route's `touch`). */
export const anyObject = (id: string): CatalogObject | undefined => {
  for (const o of orgs) {
    const found = o.objects.find((x) => x.id === id)
    if (found !== undefined) return found
  }
  return undefined
}

/** The org a caller works in: its token's or session's org. */
export const orgOf = (p: Principal): OrgContent => {
  const content = orgContent(p.token?.orgId ?? p.session?.orgId ?? 0)
  return p.view === undefined ? content : p.view(content)
}
