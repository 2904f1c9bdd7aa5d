/**
 * `--shard i/n`: one of `n` deterministic, balanced, disjoint parts of a job, for running a job across the
 * machines of an existing scheduler (a Kubernetes indexed Job, an Airflow task group, a CI matrix). Shards are
 * numbered from 1, as in vitest and Playwright (`JOB_COMPLETION_INDEX + 1` on Kubernetes).
 *
 * Export number `k` (0-based, in job-file order) belongs to shard `k mod n + 1`: every shard gets ⌊m/n⌋ or
 * ⌈m/n⌉ of the `m` exports, the shards are disjoint, and together they are the whole job. Output names are
 * allocated over the whole job before selecting (see `JobFile`), so the union of the shards' files is exactly
 * the files of one unsharded run.
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

/** Parses `i/n`; the error message says what is expected. */
export const parseShard = (
  text: string
): { readonly _tag: "Ok"; readonly shard: Shard } | { readonly _tag: "Error"; readonly message: string } => {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text)
  const usage = `--shard must be i/n with 1 ≤ i ≤ n ≤ ${maxShards} (e.g. --shard 2/5 for the second of five parts), got "${text.slice(0, 40)}"`
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
