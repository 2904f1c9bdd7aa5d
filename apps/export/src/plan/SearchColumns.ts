/**
 * Types of `searchdata` result columns. A search result names its columns after the model's, decorated for
 * aggregation ("Total Revenue") and date buckets ("Month(Order Date)"); this maps a result column back to the
 * model column by exact name, then by the name inside `Bucket(...)`, then by an aggregation prefix, and gives the
 * aggregate's own type: a sum keeps its measure's type (INT32 widened to INT64), a min or max keeps its column's
 * (a date stays a date), counts are INT64, and average, standard deviation and variance are DOUBLE. A bucket of a
 * day or longer is a DATE (its first day) also over a timestamp column, as ThoughtSpot types it; a part of a
 * period ("Day of week") is a number. A name no rule reads for certain — a bucket not listed here, a name that
 * both is a model column and reads as an aggregate or bucket of another with a different type — has no type
 * (`null`: written as received, the manifest saying its type is unknown) rather than a guessed one.
 */
import type { TypedColumn } from "../cluster/Cluster.ts"

type AggregateRule = "keep" | "sum" | "count" | "statistic"

// Both spellings ThoughtSpot prints for an aggregate (the long forms, "Minimum", are the sandbox's); matched
// without regard to case. A longer prefix comes first so that "Unique Count X" is not read as "Count" of "X".
const aggregationPrefixes: ReadonlyArray<readonly [string, AggregateRule]> = [
  ["unique count ", "count"],
  ["unique number of ", "count"],
  ["count distinct ", "count"],
  ["number of ", "count"],
  ["count ", "count"],
  ["total ", "sum"],
  ["sum ", "sum"],
  ["minimum ", "keep"],
  ["maximum ", "keep"],
  ["min ", "keep"],
  ["max ", "keep"],
  ["average ", "statistic"],
  ["avg ", "statistic"],
  ["std deviation ", "statistic"],
  ["standard deviation ", "statistic"],
  ["variance ", "statistic"]
]

const numeric = new Set(["INT64", "INT32", "DOUBLE", "FLOAT"])

// The type of an aggregate over a column of type `base`; `null` when the pair makes no sense (an average of text),
// so the column is written as received and the manifest says its type is unknown.
const aggregateType = (rule: AggregateRule, base: string): string | null => {
  switch (rule) {
    case "keep":
      return base
    case "count":
      return "INT64"
    case "sum":
      return base === "INT32" ? "INT64" : numeric.has(base) ? base : null
    case "statistic":
      return numeric.has(base) ? "DOUBLE" : null
  }
}

// Bucket functions whose values are the bucket's first day (its local midnight): a DATE, whatever the column's
// date type. Hours keep the column's type; part-of-period buckets ("Day of week") are numbers.
const dayBuckets = new Set([
  "day",
  "week",
  "month",
  "quarter",
  "year",
  "date",
  "daily",
  "weekly",
  "monthly",
  "quarterly",
  "yearly"
])
const hourBuckets = new Set(["hour", "hourly"])
const partBuckets = new Set([
  "hour of day",
  "day of week",
  "day of month",
  "day of quarter",
  "day of year",
  "week of month",
  "week of quarter",
  "week of year",
  "month of quarter",
  "month of year",
  "quarter of year"
])
const dateTypes = new Set(["DATE", "DATE_TIME", "TIMESTAMP"])

// `undefined`: the name is not a bucket of a model column; `null`: it is one, of unknown type.
const bucketType = (byName: ReadonlyMap<string, string>, result: string): string | null | undefined => {
  const bucket = /^([^()]+)\((.+)\)$/.exec(result)
  if (bucket === null) return undefined
  const inner = byName.get(bucket[2]!.trim())
  if (inner === undefined || !dateTypes.has(inner)) return undefined
  const unit = bucket[1]!.trim().toLowerCase().replace(/\s+/g, " ")
  if (dayBuckets.has(unit)) return "DATE"
  if (hourBuckets.has(unit)) return inner
  return partBuckets.has(unit) ? "INT64" : null
}

// `undefined`: the name is not an aggregate of a model column.
const aggregateOf = (byName: ReadonlyMap<string, string>, result: string): string | null | undefined => {
  const lower = result.toLowerCase()
  for (const [prefix, rule] of aggregationPrefixes) {
    if (lower.startsWith(prefix)) {
      const base = byName.get(result.slice(prefix.length))
      if (base !== undefined) return aggregateType(rule, base)
    }
  }
  return undefined
}

/**
 * The model column whose aggregate a result column's name reads as ("Total Revenue" → "Revenue", "Unique Count
 * Customer" → "Customer"), by the prefixes {@link searchColumnTypes} reads, or `undefined`: its rows are totals.
 */
export const aggregatedColumn = (model: ReadonlyArray<TypedColumn>, result: string): string | undefined => {
  const lower = result.toLowerCase()
  for (const [prefix] of aggregationPrefixes) {
    const base = result.slice(prefix.length)
    if (lower.startsWith(prefix) && model.some((c) => c.name === base)) return base
  }
  return undefined
}

/** A lookup from result column name to ThoughtSpot type (`null` when no model column matches for certain). */
export const searchColumnTypes = (model: ReadonlyArray<TypedColumn>) => {
  const byName = new Map(model.map((c) => [c.name, c.type]))
  return (result: string): string | null => {
    const exact = byName.get(result)
    const derived = bucketType(byName, result) ?? aggregateOf(byName, result)
    if (exact === undefined) return derived ?? null
    // A model column named like an aggregate or bucket of another ("Total Revenue" beside "Revenue"): the
    // result is one or the other, which its name cannot tell; a type is given only when both agree.
    return derived === undefined || derived === exact ? exact : null
  }
}
