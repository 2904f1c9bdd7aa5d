/**
 * A folder with no finished run: the refusal says what the folder holds instead — the shards' manifests (merge
 * them), an unfinished run's state (resume it), or nothing yet.
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
  it("names the shards' manifests and says to merge them", () => {
    const dir = folder("shards", ["manifest.shard-2-of-2.json", "manifest.shard-1-of-2.json", "orders.csv"])
    expect(refusal(dir)).toBe(
      `${dir} holds no manifest.json but the manifests of shards (manifest.shard-1-of-2.json, manifest.shard-2-of-2.json): join their runs into one with spotpipe merge ${dir} (it joins the parts of split exports too), then load the folder`
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
