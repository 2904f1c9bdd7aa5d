/**
 * `--shard i/n`: one of `n` deterministic, balanced, disjoint parts of a job, for running a job across the
 * machines of an existing scheduler (a Kubernetes indexed Job, an Airflow task group, a CI matrix). Shards are
 * numbered from 1, as in vitest and Playwright (`JOB_COMPLETION_INDEX + 1` on Kubernetes).
 *
 * Export number `k` (0-based, in job-file order) belongs to shard `k mod n + 1`: every shard gets ⌊m/n⌋ or
 * ⌈m/n⌉ of the `m` exports, the shards are disjoint, and together they are the whole job. Output names are
 * allocated over the whole job before selecting (see `JobFile`), so the union of the shards' files is exactly
 * the files of one unsharded run.
 *
 * `--shard auto` (or `auto/N`) takes the shard from the scheduler's environment: the 0-based index from
 * `JOB_COMPLETION_INDEX` (a Kubernetes Indexed Job) or `AWS_BATCH_JOB_ARRAY_INDEX` (an AWS Batch array job), the
 * count from `N` or `AWS_BATCH_JOB_ARRAY_SIZE` (Kubernetes has none, so there `N` is required). A missing,
 * malformed or conflicting value is refused with what to do, never guessed. Since shards of one job usually reach
 * ThoughtSpot from one address, each shard's request rate defaults to its share of the per-client limit
 * ({@link requestsPerSecondOf}).
 */

/** Shard `index` of `count` (1 ≤ index ≤ count). */
export interface Shard {
  readonly index: number
  readonly count: number
}

/** The whole job as one shard. */
export const whole: Shard = { index: 1, count: 1 }

/** Most shards a job can be split into. */
export const maxShards = 10_000

/** What `--shard` says: a fixed `i/n`, or `auto` (`count`: the `N` of `auto/N`) to be read from the environment. */
export type ShardSpec =
  | { readonly _tag: "Fixed"; readonly shard: Shard }
  | { readonly _tag: "Auto"; readonly count: number | undefined }

/** The variables `--shard auto` reads the 0-based index from, with the scheduler that sets each. */
export const indexVariables = [
  { name: "JOB_COMPLETION_INDEX", scheduler: "a Kubernetes Indexed Job" },
  { name: "AWS_BATCH_JOB_ARRAY_INDEX", scheduler: "an AWS Batch array job" }
] as const

/** The variable `--shard auto` reads the number of shards from (AWS Batch; Kubernetes has none). */
export const countVariable = "AWS_BATCH_JOB_ARRAY_SIZE"

/** Every variable `--shard auto` reads. */
export const autoVariables: ReadonlyArray<string> = [...indexVariables.map((v) => v.name), countVariable]

type Parsed<A> = { readonly _tag: "Ok"; readonly shard: A } | { readonly _tag: "Error"; readonly message: string }

/** Parses `i/n`, `auto` or `auto/N` (case-insensitive `auto`); the error message says what is expected. */
export const parseShardSpec = (text: string): Parsed<ShardSpec> => {
  const auto = /^\s*auto\s*(?:\/\s*(\S*)\s*)?$/i.exec(text)
  if (auto === null) {
    const fixed = parseShard(text)
    return fixed._tag === "Ok" ? { _tag: "Ok", shard: { _tag: "Fixed", shard: fixed.shard } } : fixed
  }
  if (auto[1] === undefined) return { _tag: "Ok", shard: { _tag: "Auto", count: undefined } }
  const count = /^\d+$/.test(auto[1]) ? Number(auto[1]) : Number.NaN
  if (!(count >= 1 && count <= maxShards)) {
    return {
      _tag: "Error",
      message: `--shard auto/N needs N, the number of shards, from 1 to ${maxShards} (e.g. --shard auto/4 for a Job of 4 completions), got "${text.slice(0, 40)}"`
    }
  }
  return { _tag: "Ok", shard: { _tag: "Auto", count } }
}

/**
 * The shard `spec` names, reading `--shard auto`'s variables through `env` (an unset or empty variable is
 * `undefined`). Every message names the variable and value at fault and says what to do.
 */
export const resolveShard = (spec: ShardSpec, env: (name: string) => string | undefined): Parsed<Shard> => {
  if (spec._tag === "Fixed") return { _tag: "Ok", shard: spec.shard }
  const fail = (message: string): Parsed<Shard> => ({ _tag: "Error", message })
  const given = indexVariables.flatMap((v) => {
    const value = env(v.name)
    return value === undefined ? [] : [{ ...v, value: value.trim() }]
  })
  if (given.length === 0) {
    return fail(
      `--shard auto reads the shard's index from ${indexVariables.map((v) => `${v.name} (${v.scheduler})`).join(" or ")}, but neither is set: run it in such a job, or give the shard as --shard i/n`
    )
  }
  for (const v of given) {
    if (!/^\d+$/.test(v.value)) {
      return fail(
        `--shard auto: ${v.name} is "${v.value.slice(0, 40)}", not a whole number from 0: it is set by ${v.scheduler}; unset it, or give the shard as --shard i/n`
      )
    }
  }
  const [first, second] = given
  if (first !== undefined && second !== undefined && Number(first.value) !== Number(second.value)) {
    return fail(
      `--shard auto: ${first.name} is ${Number(first.value)} but ${second.name} is ${Number(second.value)}, so which shard this is cannot be told: unset one of them, or give the shard as --shard i/n`
    )
  }
  const source = first!
  const index = Number(source.value)
  const sizeText = env(countVariable)?.trim()
  let size: number | undefined
  if (sizeText !== undefined) {
    size = /^\d+$/.test(sizeText) ? Number(sizeText) : Number.NaN
    if (!(size >= 1 && size <= maxShards)) {
      return fail(
        `--shard auto: ${countVariable} is "${sizeText.slice(0, 40)}", not a number of shards from 1 to ${maxShards}: unset it and give the number as --shard auto/N`
      )
    }
  }
  if (spec.count !== undefined && size !== undefined && spec.count !== size) {
    return fail(
      `--shard auto/${spec.count} says ${spec.count} shards but ${countVariable} is ${size}: give the array's size as N (--shard auto/${size}), or write --shard auto to take it from ${countVariable}`
    )
  }
  const count = spec.count ?? size
  if (count === undefined) {
    return fail(
      source.name === "JOB_COMPLETION_INDEX"
        ? `--shard auto: Kubernetes sets the shard's index (${source.name}) but no variable with the number of shards: write --shard auto/N with N the Job's completions (e.g. --shard auto/4)`
        : `--shard auto: ${source.name} is set but ${countVariable} is not: write --shard auto/N with N the array's size (e.g. --shard auto/4)`
    )
  }
  if (index >= count) {
    return fail(
      `--shard auto: ${source.name} is ${index}, but with ${count} shards the index runs from 0 to ${count - 1}: make N in --shard auto/N (or ${countVariable}) the number of shards the scheduler starts`
    )
  }
  return { _tag: "Ok", shard: { index: index + 1, count } }
}

/** ThoughtSpot's limit of requests per second per client address (see `@spotpipe/core`'s RateLimiter). */
export const clientRequestsPerSecond = 100

/**
 * The request rate of one shard's client: `explicit` (`--rate-limit`) when given, else its share of
 * ThoughtSpot's per-client limit, so that the `n` shards of a job reaching the cluster from one address stay
 * under the limit together (the whole job: the limit itself).
 */
export const requestsPerSecondOf = (shard: Shard, explicit: number | undefined, limit = clientRequestsPerSecond) =>
  explicit ?? limit / shard.count

/** Parses `i/n`; the error message says what is expected. */
export const parseShard = (
  text: string
): { readonly _tag: "Ok"; readonly shard: Shard } | { readonly _tag: "Error"; readonly message: string } => {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text)
  const usage = `--shard must be i/n with 1 ≤ i ≤ n ≤ ${maxShards} (e.g. --shard 2/5 for the second of five parts), or auto/N in a Kubernetes Indexed Job or AWS Batch array job, got "${text.slice(0, 40)}"`
  if (match === null) return { _tag: "Error", message: usage }
  const index = Number(match[1])
  const count = Number(match[2])
  if (count < 1 || count > maxShards || index < 1 || index > count) return { _tag: "Error", message: usage }
  return { _tag: "Ok", shard: { index, count } }
}

/** True when the item at `position` (0-based, job order) belongs to `shard`. */
export const owns = (shard: Shard, position: number): boolean => position % shard.count === shard.index - 1

/** The items of `shard`, in their original order. */
export const select = <A>(items: ReadonlyArray<A>, shard: Shard): ReadonlyArray<A> =>
  items.filter((_, position) => owns(shard, position))

/** Text for messages and manifests, e.g. `2/5`. */
export const format = (shard: Shard): string => `${shard.index}/${shard.count}`
