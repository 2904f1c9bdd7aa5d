/**
 * Facts about the sandbox's built-in content that other packages' tests rely on: credentials, object ids and
 * names, result column names, and the small fixed "golden" configuration whose output never changes.
 */
import { answers, defaultUser, isSecured, limitedUser, liveboards, ordersTable } from "./internal/Catalog.ts"
import { orderColumns } from "./internal/Orders.ts"
import { orgs } from "./internal/Orgs.ts"

/** A saved answer or liveboard as tests see it. */
export interface FixtureObject {
  readonly id: string
  readonly name: string
  readonly visualizations: ReadonlyArray<{
    readonly id: string
    readonly name: string
    readonly query: string
    readonly columns: ReadonlyArray<{ readonly name: string; readonly dataType: string }>
  }>
}

const answerNames = [
  "Revenue by Month",
  "Revenue by Region and Product",
  "Order Details",
  "Weekly Shipments",
  "Quarterly Returns by Region",
  "Sampled Orders",
  "Top Customers (restricted)"
] as const
const liveboardNames = ["Sales Overview", "Order Operations", "Executive Summary (restricted)"] as const

/** Indexes objects by name; the names are listed literally so that lookups are typed (and checked here). */
const named = <const N extends string>(
  objects: typeof answers,
  names: ReadonlyArray<N>
): { readonly [K in N]: FixtureObject } => {
  if (objects.length !== names.length || objects.some((o) => !names.includes(o.name as N))) {
    throw new Error("sandbox fixtures: the name list is out of step with the catalog")
  }
  const out = {} as { [K in N]: FixtureObject }
  for (const o of objects) {
    out[o.name as N] = {
      id: o.id,
      name: o.name,
      visualizations: o.visualizations.map((v) => ({
        id: v.id,
        name: v.name,
        query: v.plan.text,
        columns: v.plan.selections.map((s) => ({ name: s.name, dataType: s.dataType }))
      }))
    }
  }
  return out
}

/** Built-in content of every sandbox (independent of seed, rows and time zone). */
export const fixtures = {
  /** Full-access user (ThoughtSpot's documented example credentials). */
  user: { username: defaultUser.name, password: defaultUser.password, id: defaultUser.id },
  /** A user who can read only the Orders model, "Revenue by Month", "Order Details" and "Sales Overview". */
  limitedUser: { username: limitedUser.name, password: limitedUser.password, id: limitedUser.id },
  /** The Orders model (LOGICAL_TABLE, subtype WORKSHEET). */
  ordersTable: {
    id: ordersTable.id,
    name: ordersTable.name,
    columns: orderColumns.map((c) => ({ id: c.id, name: c.name, dataType: c.dataType, type: c.kind }))
  },
  /** Saved answers by name. */
  answers: named(answers, answerNames),
  /** Liveboards by name. */
  liveboards: named(liveboards, liveboardNames),
  /**
   * Every org (Primary, id 0, first; the inactive one last): its status, its members (`tsUserA` is in all of them,
   * with full access) with their passwords and account status, and the ids of its answers, liveboards and model
   * by name.
   */
  orgs: orgs.map((o) => ({
    id: o.org.id,
    name: o.org.name,
    /** `IN_ACTIVE`: listed by `orgs/search`, but a token or session for it is refused (403). */
    status: o.org.status,
    users: o.members.map((m) => ({
      username: m.user.name,
      password: m.user.password,
      id: m.user.id,
      accountStatus: m.accountStatus
    })),
    objects: Object.fromEntries(
      o.objects.filter(isSecured).map((x) => [x.name, { id: x.id, type: x.type }])
    ) as Readonly<Record<string, { readonly id: string; readonly type: string }>>
  })),
  /** A small fixed dataset for golden-file tests: same output on every machine and run. */
  golden: { rows: 40, seed: 7, timezone: "America/Los_Angeles" }
} as const
