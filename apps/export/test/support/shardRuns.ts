/**
 * Shard runs of a split job for the merge tests, in-process (inProcess.ts): the shards run one after another, each
 * into its folder, and must succeed. A file runs the shards its tests share once and gives each test a copy of the
 * folder: a run records no path of its own folder (manifests name files relative to it), so a copy holds exactly
 * what the runs would have left there.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { expect } from "vitest"
import { runCliInProcess } from "./inProcess.ts"
import { filesIn } from "./Sandboxes.ts"

/** A part file of a split export: `<output>.part-0002-of-0003.<ext>`. */
export const partFile = /\.part-\d{4}-of-\d{4}\./

/** The data files of a folder that are not parts (no manifests, no hidden files). */
export const wholeFiles = (dir: string): Record<string, Buffer> =>
  Object.fromEntries(
    [...filesIn(dir)].filter(
      ([name]) => !NodePath.basename(name).startsWith("manifest") && !name.startsWith(".") && !partFile.test(name)
    )
  )

/** A JSON file (a manifest), parsed. */
export const readJson = (path: string) => JSON.parse(NodeFs.readFileSync(path, "utf8"))

/** What {@link runShards} runs. */
export interface ShardRuns {
  /** The job file. */
  readonly job: string
  /** How many shards the job is run as. */
  readonly count: number
  /** The folder of shard `i` (from 1). */
  readonly out: (i: number) => string
  /** The environment of every run. */
  readonly env: Readonly<Record<string, string>>
  /** The shards to run, in this order (default: all of them). */
  readonly shards?: ReadonlyArray<number>
  /** More flags for shard `i`. */
  readonly extra?: (i: number) => ReadonlyArray<string>
}

/** Runs `spotpipe run <job> --out <folder> --quiet --shard i/count …` for each shard; each must exit 0. */
export const runShards = async (runs: ShardRuns): Promise<void> => {
  const shards = runs.shards ?? Array.from({ length: runs.count }, (_, i) => i + 1)
  for (const i of shards) {
    const args = ["run", runs.job, "--out", runs.out(i), "--quiet", "--shard", `${i}/${runs.count}`]
    const run = await runCliInProcess([...args, ...(runs.extra?.(i) ?? [])], { env: runs.env })
    expect(run.code, run.stderr).toBe(0)
  }
}

/** Copies the folder `from` (hidden files too) to `to`, which must not exist; returns `to`. */
export const copyFolder = (from: string, to: string): string => {
  if (NodeFs.existsSync(to)) throw new Error(`copyFolder: ${to} exists already`)
  NodeFs.cpSync(from, to, { recursive: true })
  return to
}
