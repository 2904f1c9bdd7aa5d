/**
 * `--sort` and `--runtime-filter` of `answer`, `liveboard` and `search`: a runtime sort and runtime filters sent
 * with every data request (see plan/RuntimeOptions.ts). Each flag is repeatable and gives one column or one filter,
 * taken as written (a comma is part of a column name, not a separator); each value is checked as it is parsed (a
 * date value against its column's type once the export's columns are known, see plan/RuntimeOptions.ts).
 */
import { Effect } from "effect"
import { Flag } from "effect/cli"
import {
  maxRuntimeFilters,
  operatorList,
  parseRuntimeFilter,
  parseSortKey,
  type RuntimeFilter,
  type RuntimeOptions,
  type SortKey,
  searchSortProblem
} from "../plan/RuntimeOptions.ts"
import { UsageError } from "../UsageError.ts"
import { RefusedValue } from "./Flags.ts"

/** Each value of a repeated flag through `parse`; the first refused one is the flag's usage error. */
const repeated = <A>(name: string, parse: (text: string) => { readonly ok: A } | { readonly refused: string }) =>
  Flag.String(name).pipe(
    Flag.atLeast(0),
    Flag.mapEffect((given) =>
      Effect.forEach(given, (text) => {
        const parsed = parse(text)
        return "ok" in parsed
          ? Effect.succeed(parsed.ok)
          : Effect.fail(new RefusedValue({ option: name, value: text, expected: parsed.refused, kind: "flag" }))
      })
    )
  )

/** The flags; spread into a command's flags. */
export const runtimeFlags = {
  sort: repeated("sort", parseSortKey).pipe(
    Flag.withMetavar("column[:desc]"),
    Flag.withDescription(
      'sort the rows by this column as the cluster reads them (COLUMN, COLUMN:asc or COLUMN:desc); repeat for more columns, in order. A result read in several pages is complete only in an order the sort columns fix for every row: --sort "Order ID"'
    )
  ),
  runtimeFilter: repeated("runtime-filter", parseRuntimeFilter).pipe(
    Flag.withMetavar("column op value…"),
    Flag.withDescription(
      `only the rows that pass this filter: COLUMN OP VALUE…, OP one of ${operatorList}; a value with spaces in double quotes (--runtime-filter 'Region IN West "North East"'); on a date column a day or a wall time in the data time zone, sent as the epoch seconds ThoughtSpot takes (--runtime-filter 'Shipped At GE "2025-06-01 13:30:00"'), or epoch seconds; repeatable (all must pass)`
    )
  )
}

/**
 * The job-file keys of the flags (`sort`, `runtimeFilters`; none when not given); a usage error for more filters
 * than ThoughtSpot applies, or a `--sort` on a search whose query has its own `sort by` (`query`).
 */
export const runtimeOptions = (
  input: { readonly sort: ReadonlyArray<SortKey>; readonly runtimeFilter: ReadonlyArray<RuntimeFilter> },
  query?: string
): Effect.Effect<RuntimeOptions, UsageError> => {
  if (input.runtimeFilter.length > maxRuntimeFilters) {
    return Effect.fail(
      new UsageError({
        message: `--runtime-filter is given ${input.runtimeFilter.length} times: ThoughtSpot applies at most ${maxRuntimeFilters} runtime filters and drops the others without a word; export with fewer filters`
      })
    )
  }
  const problem = query === undefined ? undefined : searchSortProblem(query, input.sort)
  if (problem !== undefined) return Effect.fail(new UsageError({ message: `--sort: ${problem}` }))
  return Effect.succeed({
    ...(input.sort.length === 0 ? {} : { sort: input.sort }),
    ...(input.runtimeFilter.length === 0 ? {} : { runtimeFilters: input.runtimeFilter })
  })
}
