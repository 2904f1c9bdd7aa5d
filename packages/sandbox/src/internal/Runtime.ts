/**
 * The data requests' runtime sorts and filters (`runtime_sort: {"sortCol1": "Revenue", "asc1": false}`,
 * `runtime_filter: {"col1": "Quantity", "op1": "GE", "val1": "5"}`), applied as the search tokens they stand for:
 * each filter becomes `[Column] >= 'value'` and the sort `sort by [Column] descending`, appended to the saved or
 * searched query, whose own sort the runtime sort replaces. So they select and order rows as the sandbox's queries
 * do, with the same limits, and what it cannot do is a 400 that says so, never a result silently unfiltered: the
 * operators EQ, NE, LT, LE, GT and GE (the others, IN, BW, CONTAINS, …, are refused), one sort column, values
 * without a single quote. A column is named as the result names it (`Total Revenue`) or as the model does
 * (`Revenue`), ignoring case; an unknown one is refused naming the columns there are. A DATE or DATE_TIME value must
 * be epoch seconds, as ThoughtSpot documents for runtime filters (read as the day, or the wall time to the second, in
 * the sandbox's time zone): date text, which the sandbox's own queries take, is refused, so that nothing works here
 * that a cluster would refuse.
 */
import { badRequest } from "./ApiError.ts"
import { type ModelColumn, orderColumns } from "./Orders.ts"
import { parseQuery, QueryError, type QueryPlan } from "./Query.ts"
import { makeLocalMidnight, makeWallText } from "./Zone.ts"

/** The runtime filter operators the sandbox applies, with the search-token operator each stands for. */
const operators: Readonly<Record<string, string>> = { EQ: "=", NE: "!=", LT: "<", LE: "<=", GT: ">", GE: ">=" }

const refused = (message: string) => badRequest(`Invalid parameter values: ${message}`)

/** The field's object, undefined when absent, null or empty; a 400 when it is no object. */
const objectField = (body: Record<string, unknown>, key: string): Record<string, unknown> | undefined => {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== "object" || Array.isArray(v)) throw refused(`${key} must be an object`)
  const o = v as Record<string, unknown>
  return Object.keys(o).length === 0 ? undefined : o
}

/**
 * The numbered groups of a runtime object: `{col1, op1, val1, col2, …}` → `[{col, op, val}, …]` by `prefixes`,
 * numbered from 1 without gaps; a key of another shape is refused.
 */
const groups = (
  field: string,
  o: Record<string, unknown>,
  prefixes: ReadonlyArray<string>
): Array<Record<string, unknown>> => {
  const out: Array<Record<string, unknown>> = []
  for (const [key, value] of Object.entries(o)) {
    const m = /^([A-Za-z]+?)([1-9]\d*)$/.exec(key)
    if (m === null || !prefixes.includes(m[1]!)) {
      throw refused(`${field} key '${key}' is not one of ${prefixes.map((p) => `${p}N`).join(", ")}`)
    }
    const n = Number(m[2]) - 1
    while (out.length <= n) out.push({})
    out[n]![m[1]!] = value
  }
  out.forEach((g, i) => {
    if (Object.keys(g).length === 0) throw refused(`${field} has no group ${i + 1} but later ones`)
  })
  return out
}

/** The model column a runtime column names: a result column's name, else a model column's (ignoring case). */
const columnOf = (plan: QueryPlan, field: string, name: unknown): ModelColumn => {
  if (typeof name !== "string" || name.trim() === "") throw refused(`${field} must name a column`)
  const wanted = name.trim().toLowerCase()
  const selection = plan.selections.find((s) => s.name.toLowerCase() === wanted)
  if (selection !== undefined) return selection.column
  const column = orderColumns.find((c) => c.name.toLowerCase() === wanted)
  if (column !== undefined) return column
  throw refused(
    `${field}: unknown column '${name}'; the result has ${plan.selections.map((s) => `'${s.name}'`).join(", ")}`
  )
}

const filterTokens = (plan: QueryPlan, o: Record<string, unknown>, timezone: string): Array<string> =>
  groups("runtime_filter", o, ["col", "op", "val"]).map((g, i) => {
    const n = i + 1
    const column = columnOf(plan, `runtime_filter col${n}`, g["col"])
    const op = g["op"]
    if (typeof op !== "string" || operators[op] === undefined) {
      throw refused(
        `runtime_filter op${n} '${String(op)}' is not applied by the sandbox: it applies ${Object.keys(operators).join(", ")}`
      )
    }
    const raw = Array.isArray(g["val"]) && g["val"].length === 1 ? g["val"][0] : g["val"]
    if (typeof raw !== "string" && typeof raw !== "number") {
      throw refused(`runtime_filter val${n} must be one value (text or a number) for ${op}`)
    }
    const text = String(raw)
    if (text.includes("'")) throw refused(`runtime_filter val${n}: the sandbox compares no value with a single quote`)
    const dated = column.dataType === "DATE" || column.dataType === "DATE_TIME"
    if (dated && !/^-?\d+$/.test(text)) {
      throw refused(
        `runtime_filter val${n} '${text}' for the ${column.dataType} column '${column.name}' is not epoch seconds: a runtime filter takes a date only as seconds since 1970-01-01T00:00:00Z (2025-06-01 00:00:00 in this cluster's time zone, ${timezone}, is ${makeLocalMidnight(timezone)(2025, 6, 1)})`
      )
    }
    if (dated) {
      // A date is a year 0000-9999 in the cluster's zone (what a query's date text can say); further out, or past
      // what JavaScript's Date holds, is no date a cluster takes.
      const midnight = makeLocalMidnight(timezone)
      const first = midnight(0, 1, 1)
      const last = midnight(10000, 1, 1) - 1
      const seconds = Number(text)
      if (!(seconds >= first && seconds <= last)) {
        throw refused(
          `runtime_filter val${n} '${text}' for the ${column.dataType} column '${column.name}' is out of range: a date is epoch seconds from ${first} to ${last} (0000-01-01 00:00:00 to 9999-12-31 23:59:59 in this cluster's time zone, ${timezone})`
        )
      }
    }
    // Read as the day, or the wall time, in the cluster's zone: the text the sandbox's own queries compare.
    const value = dated ? makeWallText(timezone)(Number(text), column.dataType !== "DATE") : text
    return `[${column.name}] ${operators[op]} '${value}'`
  })

const sortTokens = (plan: QueryPlan, o: Record<string, unknown>): Array<string> => {
  const sorts = groups("runtime_sort", o, ["sortCol", "asc"])
  if (sorts.length > 1) throw refused("runtime_sort: the sandbox sorts by one column only (sortCol1)")
  const g = sorts[0]!
  const column = columnOf(plan, "runtime_sort sortCol1", g["sortCol"])
  const asc = g["asc"] ?? true
  if (typeof asc !== "boolean") throw refused("runtime_sort asc1 must be true or false")
  return [`sort by [${column.name}] ${asc ? "ascending" : "descending"}`]
}

/**
 * `plan` with the request's runtime filters and sort applied (the plan itself without them); a 400 naming what
 * cannot be applied.
 */
export const withRuntime = (plan: QueryPlan, body: Record<string, unknown>, timezone: string): QueryPlan => {
  const filter = objectField(body, "runtime_filter")
  const sort = objectField(body, "runtime_sort")
  if (filter === undefined && sort === undefined) return plan
  const tokens = [
    ...(filter === undefined ? [] : filterTokens(plan, filter, timezone)),
    ...(sort === undefined ? [] : sortTokens(plan, sort))
  ]
  const applied = parseQuery(`${plan.text} ${tokens.join(" ")}`)
  if (applied instanceof QueryError) throw badRequest(`Runtime filter or sort could not be applied: ${applied.message}`)
  return applied
}
