/**
 * The bundled CLI (scripts/bundle.ts, run by the launcher when current): built here into a temp directory, it
 * must write the very bytes the sources write — with a worker thread, whose bundle holds no Effect code — and the
 * launcher must take it only while every recorded source is unchanged.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { pathToFileURL } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { currentBundle, entryName, recordName } from "../bin/bundled.js"
import { bundle } from "../scripts/bundle.ts"
import { runCli, runNode } from "./support/runCli.ts"

const timeout = { timeout: 90_000 }
let sandbox: RunningSandbox
let dist: string
const temps: Array<string> = []
const tempDir = (prefix: string) => {
  const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), prefix))
  temps.push(dir)
  return dir
}
const distUrl = () => pathToFileURL(`${dist}/`)

beforeAll(async () => {
  dist = tempDir("spotpipe-bundle-")
  // Pages of 15 000 rows are > 1 MiB: large enough to be shared with a worker thread.
  const [started] = await Promise.all([
    startSandbox({ rows: 30_000, timezone: "Asia/Kolkata", customCalendar: "with-end" }),
    bundle(dist)
  ])
  sandbox = started
}, 60_000)

afterAll(async () => {
  await sandbox?.close()
  for (const dir of temps) NodeFs.rmSync(dir, { recursive: true, force: true })
})

describe("bundled CLI", () => {
  it("writes-the-same-bytes-as-the-sources-with-a-worker-thread", timeout, async () => {
    const env = {
      THOUGHTSPOT_HOST: sandbox.url,
      THOUGHTSPOT_USERNAME: fixtures.user.username,
      THOUGHTSPOT_PASSWORD: fixtures.user.password
    }
    const args = ["answer", "Order Details", "--page-size", "15000", "--period-end", "--verbose", "--workers", "1"]
    const exportWith = async (how: "bundle" | "source", format: string) => {
      const out = tempDir("spotpipe-bundle-out-")
      const all = [...args, "--format", format, "--out", out]
      const run =
        how === "bundle"
          ? await runNode([NodePath.join(dist, entryName), ...all], { env })
          : await runCli(all, { env: { ...env, SPOTPIPE_FROM_SOURCE: "1" } })
      expect(run.code, run.stderr).toBe(0)
      return { bytes: NodeFs.readFileSync(NodePath.join(out, `answer-Order Details.${format}`)), stderr: run.stderr }
    }
    for (const format of ["csv", "ndjson"]) {
      const [fromSource, fromBundle] = await Promise.all([exportWith("source", format), exportWith("bundle", format)])
      expect(fromSource.bytes.length).toBeGreaterThan(1 << 20)
      expect(fromBundle.bytes.equals(fromSource.bytes), `${format}: the bundle differs from the sources`).toBe(true)
      // The bundled worker really transcoded rows (a worker that failed to load would leave every page to the
      // main thread: same bytes, so only this count tells).
      const done = /\bdone=(\d+)/.exec(fromBundle.stderr)
      expect(Number(done?.[1]), fromBundle.stderr).toBeGreaterThan(0)
    }
  })

  it("the-worker-bundle-is-built-from-real-modules-none-of-them-effect", () => {
    // esbuild heads each bundled module with a comment naming it: a path, or `namespace:path` for a module a
    // plugin made up (such as a stand-in for a package).
    const modulesOf = (text: string) =>
      [...text.matchAll(/^\/\/ (\S*[/:]\S*)$/gm)].map((match) => match[1]!).filter((name) => !/^https?:/.test(name))
    const isEffect = (name: string) => /(^|\/)node_modules\/(effect|@effect\/[^/]+)\//.test(name)
    const worker = modulesOf(NodeFs.readFileSync(NodePath.join(dist, "TranscodeWorker.js"), "utf8"))
    expect(worker).toContain("packages/decode/src/Render.ts")
    expect(worker.filter((name) => isEffect(name) || /^[\w-]+:/.test(name))).toEqual([])
    // The same reading does find Effect's modules in the CLI's own files, so their absence above means something.
    const cli = NodeFs.readdirSync(dist)
      .filter((name) => name.endsWith(".js") && name !== "TranscodeWorker.js")
      .flatMap((name) => modulesOf(NodeFs.readFileSync(NodePath.join(dist, name), "utf8")))
    expect(cli.some(isEffect)).toBe(true)
  })

  it("the-worker-run-from-sources-loads-no-effect-either", async () => {
    // Every module the worker's source imports, as Node resolves them (all are resolved before the module runs,
    // and outside a worker thread it then stops with an error).
    const code = `
import { registerHooks } from "node:module"
const resolved = []
registerHooks({ resolve: (specifier, context, next) => { const r = next(specifier, context); resolved.push(r.url); return r } })
await import(${JSON.stringify(new URL("../src/engine/TranscodeWorker.ts", import.meta.url).href)}).catch((error) => process.stderr.write(error.message))
process.stdout.write(JSON.stringify(resolved))
`
    const run = await runNode(["--input-type=module", "--eval", code])
    expect(run.stderr).toBe("TranscodeWorker runs as a worker thread")
    const resolved = JSON.parse(run.stdout) as Array<string>
    expect(resolved.some((url) => url.endsWith("/packages/decode/src/Render.ts"))).toBe(true)
    // No Effect, and no module made up in its place (a `data:` URL).
    expect(resolved.filter((url) => /\/node_modules\/(effect|@effect\/[^/]+)\/|^data:/.test(url))).toEqual([])
  })

  it("is-current-right-after-the-build-and-names-its-entry", () => {
    expect(currentBundle(distUrl())?.href).toBe(new URL(entryName, distUrl()).href)
  })

  it("is-stale-when-any-recorded-file-differs-or-the-record-is-missing-or-empty", () => {
    const recordPath = NodePath.join(dist, recordName)
    const original = NodeFs.readFileSync(recordPath, "utf8")
    const record = JSON.parse(original) as { files: Record<string, string> }
    const paths = Object.keys(record.files)
    // Our sources, the lockfile and the build script are all recorded, relative to the bundle.
    expect(paths.some((p) => p.endsWith("apps/export/src/cli/Cli.ts"))).toBe(true)
    expect(paths.some((p) => p.endsWith("packages/core/src/ThoughtSpotClient.ts"))).toBe(true)
    expect(paths.some((p) => p.endsWith("packages/decode/src/CellWriter.ts"))).toBe(true)
    expect(paths.some((p) => p.endsWith("pnpm-lock.yaml"))).toBe(true)
    expect(paths.some((p) => p.endsWith("apps/export/scripts/bundle.ts"))).toBe(true)
    expect(paths.some((p) => p.includes("node_modules"))).toBe(false)
    try {
      // One source edited since the build: its fingerprint no longer matches.
      const edited = { files: { ...record.files, [paths[paths.length - 1]!]: "not-the-same" } }
      NodeFs.writeFileSync(recordPath, JSON.stringify(edited))
      expect(currentBundle(distUrl())).toBeUndefined()
      // A recorded file that is gone.
      NodeFs.writeFileSync(recordPath, JSON.stringify({ files: { ...record.files, "../nowhere.ts": "x" } }))
      expect(currentBundle(distUrl())).toBeUndefined()
      NodeFs.writeFileSync(recordPath, JSON.stringify({ files: {} }))
      expect(currentBundle(distUrl())).toBeUndefined()
      NodeFs.writeFileSync(recordPath, "{ not json")
      expect(currentBundle(distUrl())).toBeUndefined()
      NodeFs.rmSync(recordPath)
      expect(currentBundle(distUrl())).toBeUndefined()
    } finally {
      NodeFs.writeFileSync(recordPath, original)
    }
    expect(currentBundle(distUrl())).toBeDefined()
  })
})
