/**
 * The bundled CLI (scripts/bundle.ts), as the test run built it into the installable package (support/builtCli.ts):
 * it must write the very bytes the sources write (`pnpm spotpipe`, bin/dev.js) — with a worker thread, whose
 * bundle holds no Effect code — and its launcher must start it without reading any source, or say how to build a
 * bundle that is missing. The tests' step-probe entry points, bundled beside it for the test run, stay out of it.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as NodeUrl from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { devPath, killAtStepPath, mainPath, pauseAtStepPath, runCli, runNode } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"

const timeout = { timeout: 90_000 }
let sandbox: RunningSandbox
const dist = NodePath.join(NodePath.dirname(mainPath), "..", "dist")
const temps: Array<string> = []
const tempDir = (prefix: string) => {
  const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), prefix))
  temps.push(dir)
  return dir
}

beforeAll(async () => {
  // Pages of 15 000 rows are > 1 MiB: large enough to be shared with a worker thread.
  sandbox = await startSandbox({ rows: 30_000, timezone: "Asia/Kolkata", customCalendar: "with-end" })
}, 60_000)

afterAll(async () => {
  await sandbox?.close()
  for (const dir of temps) NodeFs.rmSync(dir, { recursive: true, force: true })
})

/**
 * The modules bundled into a file's text: esbuild heads each with a comment naming it, a path, or `namespace:path`
 * for a module a plugin made up (such as a stand-in for a package).
 */
const modulesOf = (text: string) =>
  [...text.matchAll(/^\/\/ (\S*[/:]\S*)$/gm)].map((match) => match[1]!).filter((name) => !/^https?:/.test(name))

/** The modules bundled into the `.js` files of `dir`. */
const modulesIn = (dir: string) =>
  NodeFs.readdirSync(dir)
    .filter((name) => name.endsWith(".js"))
    .flatMap((name) => modulesOf(NodeFs.readFileSync(NodePath.join(dir, name), "utf8")))

/**
 * Every module URL a Node run of `argv` resolved, from a resolve hook loaded into each Node the run starts
 * (`NODE_OPTIONS` survives the launcher's re-launch); the process that runs to its end writes them to a file.
 */
const resolvedBy = async (argv: ReadonlyArray<string>) => {
  const file = NodePath.join(tempDir("spotpipe-resolved-"), "urls.json")
  const hook = `data:text/javascript,${encodeURIComponent(
    `import { registerHooks } from "node:module"
import { writeFileSync } from "node:fs"
const seen = new Set()
registerHooks({ resolve: (specifier, context, next) => { const r = next(specifier, context); seen.add(r.url); return r } })
process.on("exit", () => writeFileSync(${JSON.stringify(file)}, JSON.stringify([...seen])))`
  )}`
  const run = await runNode(argv, { env: { NODE_OPTIONS: `--import=${hook}` } })
  return { run, urls: JSON.parse(NodeFs.readFileSync(file, "utf8")) as Array<string> }
}

describe("bundled CLI", () => {
  it("writes-the-same-bytes-as-the-sources-with-a-worker-thread", timeout, async () => {
    const env = sandboxEnv(sandbox)
    const args = ["answer", "Order Details", "--page-size", "15000", "--period-end", "--verbose", "--workers", "1"]
    const exportWith = async (how: "bundle" | "source", format: string) => {
      const out = tempDir("spotpipe-bundle-out-")
      const all = [...args, "--format", format, "--out", out]
      const run = how === "bundle" ? await runCli(all, { env }) : await runNode([devPath, ...all], { env })
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

  it("the-package-ships-no-step-probe-entry-point-and-no-test-module", () => {
    // The test run's probe build, from the same bundle script, does hold them: their absence below means something.
    const probes = NodePath.dirname(killAtStepPath)
    expect(NodePath.dirname(pauseAtStepPath)).toBe(probes)
    expect(modulesIn(probes)).toEqual(
      expect.arrayContaining(["test/chaos/src/KillAtStep.ts", "apps/export/test/support/PauseAtStep.ts"])
    )
    expect(NodeFs.readdirSync(dist).filter((name) => name.includes("AtStep"))).toEqual([])
    // Of the repository's own files, the shipped bundle holds only packages' sources and manifests.
    const own = modulesIn(dist).filter((name) => !name.includes("node_modules/") && !/^[\w-]+:/.test(name))
    expect(own).toContain("apps/export/src/cli/RunMain.ts")
    expect(own.filter((name) => !/^(apps\/export|packages\/[\w-]+)\/(src\/|package\.json$)/.test(name))).toEqual([])
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

  it("the-installed-launcher-starts-the-bundle-without-reading-any-source", async () => {
    const { run, urls } = await resolvedBy([mainPath, "--version"])
    expect(run.code, run.stderr).toBe(0)
    const files = urls.filter((url) => url.startsWith("file:"))
    expect(files).toContain(NodeUrl.pathToFileURL(NodePath.join(dist, "RunMain.js")).href)
    expect(files.filter((url) => !url.startsWith(NodeUrl.pathToFileURL(NodePath.dirname(dist)).href))).toEqual([])
    expect(files.filter((url) => url.endsWith(".ts"))).toEqual([])
  })

  it("pnpm-spotpipe-runs-the-current-sources-not-a-bundle", async () => {
    const { run, urls } = await resolvedBy([devPath, "--version"])
    expect(run.code, run.stderr).toBe(0)
    expect(urls).toContain(new URL("../src/cli/RunMain.ts", import.meta.url).href)
    // Nothing of the checkout's bundle (apps/export/dist/), which may be older than the sources.
    expect(urls.filter((url) => url.startsWith(new URL("../dist/", import.meta.url).href))).toEqual([])
  })

  it("a-launcher-without-its-bundle-says-how-to-build-it-and-exits-2", async () => {
    // A checkout before any build (an install with --ignore-scripts): the launcher next to no dist/.
    const pkg = tempDir("spotpipe-no-dist-")
    NodeFs.cpSync(NodePath.dirname(mainPath), NodePath.join(pkg, "bin"), { recursive: true })
    const run = await runNode([NodePath.join(pkg, "bin", "spotpipe.js"), "--version"])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe("")
    expect(run.stderr).toContain(`the bundled CLI ${NodePath.join(pkg, "dist", "RunMain.js")} is missing`)
    expect(run.stderr).toContain("pnpm@12.4.2 bundle")
  })
})
