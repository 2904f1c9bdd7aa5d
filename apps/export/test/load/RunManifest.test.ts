/**
 * A folder with no finished run: the refusal says what the folder holds instead — the shards' manifests (merge
 * them), runs' own manifests without the `manifest.json` copy (load one of them), an unfinished run's state (resume
 * it), or nothing yet. A folder whose latest run wrote TML documents only names the other runs there that wrote
 * tables, and how to load them.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { RunManifestError, readRunManifest } from "../../src/load/RunManifest.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-run-manifest-"))
afterAll(() => NodeFs.rmSync(root, { recursive: true, force: true }))

const folder = (name: string, files: ReadonlyArray<string>, dirs: ReadonlyArray<string> = []) => {
  const dir = NodePath.join(root, name)
  NodeFs.mkdirSync(dir)
  for (const d of dirs) NodeFs.mkdirSync(NodePath.join(dir, d))
  for (const f of files) NodeFs.writeFileSync(NodePath.join(dir, f), "{}")
  return dir
}

const refusal = (dir: string): string => {
  try {
    readRunManifest(dir)
  } catch (error) {
    expect(error).toBeInstanceOf(RunManifestError)
    return (error as Error).message
  }
  throw new Error("expected a refusal")
}

describe("a folder without manifest.json", () => {
  it("names the shards' manifests and says to merge them (beside the shards' runs' own manifests)", () => {
    const dir = folder("shards", [
      "manifest.shard-2-of-2.json",
      "manifest.shard-1-of-2.json",
      "manifest-20261206T000000000Z-abcd.json",
      "manifest-20261206T000001000Z-bcde.json",
      "orders.csv"
    ])
    expect(refusal(dir)).toBe(
      `${dir} holds no manifest.json but the manifests of shards (manifest.shard-1-of-2.json, manifest.shard-2-of-2.json): join their runs into one with spotpipe merge ${dir} (it joins the parts of split exports too), then load the folder`
    )
  })

  it("names the newest run's own manifest and says to load it by giving that file", () => {
    const one = folder("one-run", ["manifest-20261206T000000000Z-abcd.json", "orders.csv"], [".spotpipe-state"])
    expect(refusal(one)).toBe(
      `${one} holds no manifest.json (the copy of its latest run's manifest) but a run's own manifest manifest-20261206T000000000Z-abcd.json: load that run by giving the file, spotpipe load ${one}/manifest-20261206T000000000Z-abcd.json --into …`
    )
    const two = folder("two-runs", ["manifest-20261206T000000000Z-abcd.json", "manifest-20261205T000000000Z-0a0a.json"])
    expect(refusal(two)).toBe(
      `${two} holds no manifest.json (the copy of its latest run's manifest) but 2 runs' own manifests, the newest manifest-20261206T000000000Z-abcd.json: load that run by giving the file, spotpipe load ${two}/manifest-20261206T000000000Z-abcd.json --into … (or another run's manifest-….json)`
    )
  })

  it("says an unfinished run is there and how to finish it", () => {
    const dir = folder("unfinished", ["orders.csv"], [".spotpipe-state"])
    expect(refusal(dir)).toContain("no run has finished in it (an unfinished one left its state in .spotpipe-state/)")
    expect(refusal(dir)).toContain("running the same command again with --resume")
  })

  it("says no run has finished in an empty folder", () => {
    const dir = folder("empty", [])
    expect(refusal(dir)).toBe(
      `${dir} holds no manifest.json: no run has finished in it; give a run's output folder or its manifest-….json`
    )
  })
})

/** A run's manifest listing `files` (of their extensions' formats), as `spotpipe load` reads it. */
const runManifest = (runId: string, files: ReadonlyArray<string>) =>
  JSON.stringify({
    run_id: runId,
    exports: [{ export: "e", status: "succeeded", error: null }],
    outputs: files.map((file) => ({
      file,
      format: NodePath.extname(file).slice(1),
      columns: [],
      rows_written: 0,
      bytes: 0,
      sha256: "0".repeat(64)
    }))
  })

describe("a folder whose latest run wrote TML documents only", () => {
  const principals = "20261205T000000000Z-0a0a"
  const permissions = "20261205T010000000Z-1b1b"
  const tml = "20261206T000000000Z-2c2c"
  const runs = (name: string, withTables: boolean) => {
    const dir = folder(name, withTables ? ["principals-users.csv", "principals-groups.csv", "permissions.csv"] : [])
    NodeFs.mkdirSync(NodePath.join(dir, "tml"))
    NodeFs.writeFileSync(NodePath.join(dir, "tml", "Sales.answer.yaml"), "guid: x\n")
    const write = (runId: string, files: ReadonlyArray<string>) =>
      NodeFs.writeFileSync(NodePath.join(dir, `manifest-${runId}.json`), runManifest(runId, files))
    if (withTables) {
      write(principals, ["principals-users.csv", "principals-groups.csv"])
      write(permissions, ["permissions.csv"])
    }
    write(tml, ["tml/Sales.answer.yaml"])
    NodeFs.copyFileSync(NodePath.join(dir, `manifest-${tml}.json`), NodePath.join(dir, "manifest.json"))
    return dir
  }

  it("names the other runs that wrote tables, with the manifest that loads each", () => {
    const dir = runs("tml-last", true)
    expect(refusal(dir)).toBe(
      `${dir}/manifest.json lists TML documents only, which are files, not tables: its run has nothing to load; 2 other runs in ${dir} wrote tables, loaded by giving each one's own manifest: spotpipe load ${dir}/manifest-${principals}.json --into … (principals-users.csv, principals-groups.csv); spotpipe load ${dir}/manifest-${permissions}.json --into … (permissions.csv)`
    )
  })

  it("says only that when no other run wrote tables", () => {
    const dir = runs("tml-only", false)
    expect(refusal(dir)).toBe(
      `${dir}/manifest.json lists TML documents only, which are files, not tables: its run has nothing to load`
    )
  })
})
