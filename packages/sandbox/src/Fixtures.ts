/**
 * Facts about the sandbox's built-in content that other packages' tests rely on: credentials, object ids and
 * names, result column names, and the small fixed "golden" configuration whose output never changes.
 */
import { answers, defaultUser, limitedUser, liveboards, ordersTable } from "./internal/Catalog.ts"
import { orderColumns } from "./internal/Orders.ts"

const named = (objects: typeof answers) =>
  Object.fromEntries(
    objects.map((o) => [
      o.name,
      {
        id: o.id,
        name: o.name,
        visualizations: o.visualizations.map((v) => ({
          id: v.id,
          name: v.name,
          query: v.plan.text,
          columns: v.plan.selections.map((s) => ({ name: s.name, dataType: s.dataType }))
        }))
      }
    ])
  )

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
  answers: named(answers),
  /** Liveboards by name. */
  liveboards: named(liveboards),
  /** A small fixed dataset for golden-file tests: same output on every machine and run. */
  golden: { rows: 40, seed: 7, timezone: "America/Los_Angeles" }
} as const
