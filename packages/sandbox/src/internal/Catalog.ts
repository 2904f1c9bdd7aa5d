/**
 * Every metadata object the sandbox serves: the Orders model (LOGICAL_TABLE/WORKSHEET) and its columns, saved
 * answers and liveboards (each defined by a search query over the model), users, groups, tags and a connection.
 * Ids are stable GUIDs derived from names, so they do not change with the seed or row count.
 */
import type { Principal } from "./Auth.ts"
import { stableGuid } from "./Hash.ts"
import { orderColumns } from "./Orders.ts"
import { parseQuery, QueryError, type QueryPlan } from "./Query.ts"

/** Metadata types the sandbox knows (ThoughtSpot's enum minus relationships, insight specs and collections). */
export type MetadataType =
  | "LIVEBOARD"
  | "ANSWER"
  | "LOGICAL_TABLE"
  | "LOGICAL_COLUMN"
  | "USER"
  | "USER_GROUP"
  | "TAG"
  | "CONNECTION"

/** All metadata types, in the order search results list them. */
export const metadataTypes: ReadonlyArray<MetadataType> = [
  "LIVEBOARD",
  "ANSWER",
  "LOGICAL_TABLE",
  "LOGICAL_COLUMN",
  "USER",
  "USER_GROUP",
  "TAG",
  "CONNECTION"
]

/** A saved query: an answer, or one visualization of a liveboard. */
export interface SavedQuery {
  readonly id: string
  readonly name: string
  readonly plan: QueryPlan
  readonly samplingRatio: number
}

/** A metadata object with what search and the data endpoints need. */
export interface CatalogObject {
  readonly type: MetadataType
  readonly id: string
  readonly name: string
  readonly description: string
  readonly subtype: string | undefined
  readonly tags: ReadonlyArray<string>
  /** Answers have one visualization (its own id); liveboards several; other types none. */
  readonly visualizations: ReadonlyArray<SavedQuery>
  readonly created: number
  readonly modified: number
}

/** A user who can authenticate. */
export interface UserDef {
  readonly id: string
  readonly name: string
  readonly displayName: string
  readonly email: string
  readonly password: string
  readonly groups: ReadonlyArray<string>
  /** Ids of the answers, liveboards and tables this user can read; `undefined` = everything. */
  readonly access: ReadonlySet<string> | undefined
}

const plan = (text: string): QueryPlan => {
  const p = parseQuery(text)
  if (p instanceof QueryError) throw new Error(`built-in query is invalid: ${text}: ${p.message}`)
  return p
}

const allColumns = orderColumns.map((c) => `[${c.name}]`).join(" ")

const at = (iso: string) => Date.parse(iso)

/** The id of the Orders model. */
export const ordersTableId = stableGuid("table:Orders")

/** A saved answer; `scope` prefixes the id key so that another org's copy gets its own id. */
export const answer = (
  name: string,
  query: string,
  tags: ReadonlyArray<string>,
  samplingRatio = 1,
  scope = ""
): CatalogObject => {
  const id = stableGuid(`${scope}answer:${name}`)
  return {
    type: "ANSWER",
    id,
    name,
    description: `Saved answer: ${query}`,
    subtype: undefined,
    tags,
    visualizations: [{ id, name, plan: plan(query), samplingRatio }],
    created: at("2024-03-01T10:00:00Z"),
    modified: at("2025-06-15T12:30:00Z")
  }
}

/** A liveboard of saved queries; `scope` as for `answer`. */
export const liveboard = (
  name: string,
  vizzes: ReadonlyArray<readonly [string, string]>,
  tags: ReadonlyArray<string>,
  scope = ""
): CatalogObject => ({
  type: "LIVEBOARD",
  id: stableGuid(`${scope}liveboard:${name}`),
  name,
  description: `Liveboard with ${vizzes.length} visualizations`,
  subtype: undefined,
  tags,
  visualizations: vizzes.map(([vizName, query]) => ({
    id: stableGuid(`${scope}viz:${name}:${vizName}`),
    name: vizName,
    plan: plan(query),
    samplingRatio: 1
  })),
  created: at("2024-04-01T09:00:00Z"),
  modified: at("2025-07-01T08:00:00Z")
})

/** Any other object (table, group, tag, user, connection); `scope` as for `answer`. */
export const simple = (
  type: MetadataType,
  name: string,
  description: string,
  subtype?: string,
  scope = ""
): CatalogObject => ({
  type,
  id: stableGuid(`${scope}${type.toLowerCase()}:${name}`),
  name,
  description,
  subtype,
  tags: [],
  visualizations: [],
  created: at("2024-01-15T00:00:00Z"),
  modified: at("2024-01-15T00:00:00Z")
})

/** Saved answers. "Order Details" is the row-level answer that streams any number of rows. */
export const answers: ReadonlyArray<CatalogObject> = [
  answer("Revenue by Month", "[Order Date].monthly [Revenue]", ["Finance", "Certified"]),
  answer("Revenue by Region and Product", "[Region] [Product] [Revenue] [Quantity] sort by [Revenue] descending", [
    "Sales"
  ]),
  answer("Order Details", `${allColumns} sort by [Order ID]`, ["Sales"]),
  answer("Weekly Shipments", "[Shipped At].weekly [Quantity] count [Order ID]", []),
  answer("Quarterly Returns by Region", "[Order Date].quarterly [Region] [Returned] [Revenue]", ["Finance"]),
  answer("Sampled Orders", "[Order ID] [Customer] [Revenue] [Order Date]", [], 0.5),
  answer("Top Customers (restricted)", "top 10 [Customer] [Revenue]", ["Finance"])
]

/** Liveboards with several visualizations each. */
export const liveboards: ReadonlyArray<CatalogObject> = [
  liveboard(
    "Sales Overview",
    [
      ["Revenue by Month", "[Order Date].monthly [Revenue]"],
      ["Revenue by Region", "[Region] [Revenue] sort by [Revenue] descending"],
      ["Top 10 Customers", "top 10 [Customer] [Revenue]"],
      ["Yearly Orders", "[Order Date].yearly count [Order ID] [Quantity]"]
    ],
    ["Sales", "Certified"]
  ),
  liveboard(
    "Order Operations",
    [
      ["Order Timeline", "[Order ID] [Order Date] [Shipped At] [Ship Time] [Returned] sort by [Order ID]"],
      ["Daily Quantity", "[Order Date].daily [Quantity]"],
      ["Shipments by Quarter", "[Shipped At].quarterly [Quantity]"]
    ],
    ["Sales"]
  ),
  liveboard(
    "Executive Summary (restricted)",
    [
      ["Total Revenue", "[Revenue]"],
      ["Revenue by Year", "[Order Date].yearly [Revenue]"]
    ],
    ["Finance"]
  )
]

/** The Orders model. */
export const ordersTable: CatalogObject = {
  ...simple("LOGICAL_TABLE", "Orders", "Seeded retail orders model.", "WORKSHEET"),
  id: ordersTableId,
  tags: ["Certified"]
}

/** Model columns as LOGICAL_COLUMN objects. */
export const columnObjects: ReadonlyArray<CatalogObject> = orderColumns.map((c) => ({
  ...simple("LOGICAL_COLUMN", c.name, c.description),
  id: c.id
}))

/** Groups. */
export const groups: ReadonlyArray<CatalogObject> = [
  simple("USER_GROUP", "Administrator", "Administrators"),
  simple("USER_GROUP", "All", "All users"),
  simple("USER_GROUP", "Analysts", "Read-only analysts"),
  simple("USER_GROUP", "Sales", "Sales team")
]

/** Tags. */
export const tags: ReadonlyArray<CatalogObject> = [
  simple("TAG", "Certified", "Certified content"),
  simple("TAG", "Finance", "Finance"),
  simple("TAG", "Sales", "Sales")
]

/** The data connection behind the model. */
export const connections: ReadonlyArray<CatalogObject> = [
  simple("CONNECTION", "Retail Warehouse", "Snowflake warehouse holding the orders data.", "SNOWFLAKE")
]

const byName = (list: ReadonlyArray<CatalogObject>, name: string) => list.find((o) => o.name === name)!.id

/** The default full-access user (ThoughtSpot's documented example credentials). */
export const defaultUser: UserDef = {
  id: stableGuid("user:tsUserA"),
  name: "tsUserA",
  displayName: "TS User A",
  email: "tsusera@example.com",
  password: "Guest@123!",
  groups: [byName(groups, "Administrator"), byName(groups, "All")],
  access: undefined
}

/** A user who can read only the model, two answers and one liveboard (for 403 paths). */
export const limitedUser: UserDef = {
  id: stableGuid("user:tsViewer"),
  name: "tsViewer",
  displayName: "Limited Viewer",
  email: "tsviewer@example.com",
  password: "Viewer@123!",
  groups: [byName(groups, "Analysts"), byName(groups, "All")],
  access: new Set([
    ordersTableId,
    byName(answers, "Revenue by Month"),
    byName(answers, "Order Details"),
    byName(liveboards, "Sales Overview")
  ])
}

/** Users who can sign in. */
export const users: ReadonlyArray<UserDef> = [defaultUser, limitedUser]

/** Users as USER objects. */
export const userObjects: ReadonlyArray<CatalogObject> = users.map((u) => ({
  ...simple("USER", u.name, u.displayName),
  id: u.id
}))

/** Every object, in search order. */
export const allObjects: ReadonlyArray<CatalogObject> = [
  ...liveboards,
  ...answers,
  ordersTable,
  ...columnObjects,
  ...userObjects,
  ...groups,
  ...tags,
  ...connections
]

/** Objects whose reading needs an access check (the others are visible to every signed-in user). */
export const isSecured = (o: CatalogObject): boolean =>
  o.type === "ANSWER" || o.type === "LIVEBOARD" || o.type === "LOGICAL_TABLE"

/**
 * Whether a caller may read (fetch data of, export, list permissions of) an object: an object token reaches its
 * object only; otherwise a secured object needs the user's access list to name it (a user without a list, an
 * administrator, reads all).
 */
export const canRead = (p: Principal, o: CatalogObject): boolean => {
  if (p.objectId !== undefined) return o.id === p.objectId
  if (!isSecured(o)) return true
  return p.user.access === undefined || p.user.access.has(o.id)
}

/** The tag objects named by an object's tag names (in `tagList`, its org's tags). */
export const tagObjects = (
  o: CatalogObject,
  tagList: ReadonlyArray<CatalogObject> = tags
): ReadonlyArray<CatalogObject> => o.tags.map((t) => tagList.find((x) => x.name === t)!)
