/**
 * `spotpipe merge` and the Orgs shards read: a shard's run records its Org selection (`--orgs`, `--org-id`), merge's
 * command for a shard to run carries it (running that as printed merges every Org's outputs), and shards that read
 * different Orgs are refused, naming them and what to run, with nothing written. Runs are in-process.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { filesIn, sandboxEnv } from "./support/Sandboxes.ts"
import { readJson, runShards } from "./support/shardRuns.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-merge-orgs-"))
let sandbox: RunningSandbox
let env: Record<string, string>
let job: string

const active = fixtures.orgs.filter((o) => o.status === "ACTIVE")
const emea = fixtures.orgs.find((o) => o.name === "Sales EMEA")!

/** The `spotpipe run …` commands a refusal names (each in parentheses, up to `;` or `)`), as arguments. */
const hintedRuns = (message: string): ReadonlyArray<ReadonlyArray<string>> => {
  const commands = [...message.matchAll(/\((spotpipe run .*?)(?:;|\))/g)].map((m) => m[1]!.split(" ").slice(1))
  expect(commands.length, message).toBeGreaterThan(0)
  return commands
}

/** The Org ids a manifest's outputs of `prefix` files were read from, sorted (`null`: the signed-in Org). */
const orgsOf = (manifest: { outputs: ReadonlyArray<{ file: string; org?: { id: number } }> }, prefix: string) =>
  manifest.outputs
    .filter((o) => NodePath.basename(o.file).startsWith(prefix))
    .map((o) => o.org?.id ?? null)
    .sort()

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 50, seed: 3 })
  env = sandboxEnv(sandbox)
  job = NodePath.join(root, "og.json")
  NodeFs.writeFileSync(
    job,
    JSON.stringify({
      exports: [
        { type: "metadata", metadataTypes: ["ANSWER"] },
        { type: "metadata", metadataTypes: ["LIVEBOARD"] }
      ]
    })
  )
}, 60_000)

afterAll(async () => {
  await sandbox?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

describe("merge and the Orgs shards read", () => {
  it("a-missing-shard-s-command-carries-the-orgs-and-running-it-merges-every-org", async () => {
    const out = NodePath.join(root, "hint")
    await runShards({
      job,
      count: 2,
      out: () => out,
      env,
      shards: [1],
      extra: () => ["--job-run", "o", "--orgs", "all"]
    })
    expect(readJson(NodePath.join(out, "manifest.shard-1-of-2.json")).org_selection).toEqual({ orgs: "all" })
    const merge = await runCliInProcess(["merge", out], { env })
    expect(merge.code, merge.stdout).toBe(1)
    expect(merge.stderr).toContain(`(spotpipe run ${job} --shard 2/2 --job-run o --out ${out} --orgs all --resume)`)
    const rerun = await runCliInProcess([...hintedRuns(merge.stderr)[0]!, "--quiet"], { env })
    expect(rerun.code, rerun.stderr).toBe(0)
    const merged = await runCliInProcess(["merge", out], { env })
    expect(merged.code, merged.stderr).toBe(0)
    const manifest = readJson(NodePath.join(out, "manifest.json"))
    const ids = active.map((o) => o.id).sort()
    expect(orgsOf(manifest, "metadata-answer")).toEqual(ids)
    expect(orgsOf(manifest, "metadata-liveboard")).toEqual(ids)
  }, 120_000)

  it.each([
    // Either command as printed merges: shard 2 again as shard 1 ran (every Org), or shard 1 as shard 2 ran.
    {
      name: "orgs-all-and-none",
      first: ["--orgs", "all"],
      shown: "--orgs all",
      follow: 1,
      orgs: active.map((o) => o.id)
    },
    {
      name: "an-org-id-and-none",
      first: ["--org-id", String(emea.id)],
      shown: `--org-id ${emea.id}`,
      follow: 0,
      orgs: [null]
    }
  ])(
    "shards-that-read-different-orgs-are-refused-naming-them-and-nothing-is-written: $name",
    async (c) => {
      const out = NodePath.join(root, `mixed-${c.name}`)
      await runShards({
        job,
        count: 2,
        out: () => out,
        env,
        extra: (i) => ["--job-run", "m", ...(i === 1 ? c.first : [])]
      })
      const before = filesIn(out)
      const merge = await runCliInProcess(["merge", out], { env })
      expect(merge.code, merge.stdout).toBe(1)
      expect(merge.stderr).toContain(`the shards of the job ${job} (fingerprint `)
      const signedIn = "the signed-in Org only (no --orgs, no --org-id)"
      expect(merge.stderr).toContain(
        `in job run "m" read different Orgs — shard 1: ${c.shown}; shard 2: ${signedIn} — so a merged run would lack some Orgs' files of some exports: run shard 1 again with ${signedIn} (spotpipe run ${job} --shard 1/2 --job-run m --out ${out} --force), or shard 2 again with ${c.shown} (spotpipe run ${job} --shard 2/2 --job-run m --out ${out} ${c.shown} --force), then merge again; nothing was written`
      )
      expect(filesIn(out)).toEqual(before)
      const rerun = await runCliInProcess([...hintedRuns(merge.stderr)[c.follow]!, "--quiet"], { env })
      expect(rerun.code, rerun.stderr).toBe(0)
      const merged = await runCliInProcess(["merge", out, "--quiet"], { env })
      expect(merged.code, merged.stderr).toBe(0)
      const manifest = readJson(NodePath.join(out, "manifest.json"))
      const orgs = [...c.orgs].sort()
      expect(orgsOf(manifest, "metadata-answer")).toEqual(orgs)
      expect(orgsOf(manifest, "metadata-liveboard")).toEqual(orgs)
    },
    120_000
  )
})
