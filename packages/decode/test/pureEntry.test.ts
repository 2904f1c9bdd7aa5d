/**
 * The main entry imports nothing: no module reachable from `src/index.ts` imports `effect`, a Node built-in or any
 * other package, so the entry runs without `effect` installed and in browsers. Checked twice: statically (every
 * import specifier in the sources, type-only imports included, since they end up in the shipped `.d.ts`) and by
 * loading the entry in a fresh Node process that records every module it resolves. The schema subpath is walked
 * the same way and must reach `effect`, which shows the walks do see package imports. What ships is TypeScript's
 * build of the sources (`dist/`), so that build is also run, as the package's own build config makes it, in a
 * `node:vm` context that has only the language's globals (no `process`, `Buffer`, `TextDecoder`, no module but
 * its own): a use of a Node global, which neither walk sees, fails there.
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { describe, expect, it } from "vitest"

const srcDir = new URL("../src/", import.meta.url)
const indexUrl = new URL("index.ts", srcDir)
const schemaUrl = new URL("schema.ts", srcDir)

/** Every specifier in a source file: `from "…"`, `import "…"`, `import("…")`, `require("…")`. */
const specifiersOf = (source: string): Array<string> =>
  [
    ...source.matchAll(/\bfrom\s*["']([^"']+)["']/g),
    ...source.matchAll(/\bimport\s*["']([^"']+)["']/g),
    ...source.matchAll(/\b(?:import|require)\s*\(\s*["'`]([^"'`]*)["'`]/g)
  ].map((match) => match[1]!)

/** The non-relative specifiers of every module reachable from `entry` by relative imports. */
const packageImportsFrom = (entry: URL): Array<string> => {
  const seen = new Set<string>()
  const outside: Array<string> = []
  const visit = (url: URL) => {
    if (seen.has(url.href)) return
    seen.add(url.href)
    const source = readFileSync(url, "utf8")
    // A computed `import(x)` could load anything.
    if (/\bimport\s*\(\s*[^"'`\s]/.test(source)) outside.push(`${url.pathname}: import(<computed>)`)
    for (const specifier of specifiersOf(source)) {
      if (specifier.startsWith("./") || specifier.startsWith("../")) visit(new URL(specifier, url))
      else outside.push(`${url.pathname.slice(srcDir.pathname.length)}: ${specifier}`)
    }
  }
  visit(entry)
  return outside
}

/** Every module URL Node resolves while loading `entry` in a fresh process. */
const resolvedWhileLoading = (entry: URL): Array<string> => {
  const code = `
import { registerHooks } from "node:module"
const resolved = []
registerHooks({ resolve: (specifier, context, next) => { const r = next(specifier, context); resolved.push(r.url); return r } })
await import(${JSON.stringify(entry.href)})
process.stdout.write(JSON.stringify(resolved))
`
  const run = spawnSync(process.execPath, ["--input-type=module", "--eval", code], {
    cwd: fileURLToPath(new URL("../", import.meta.url)),
    encoding: "utf8"
  })
  expect(run.stderr).toBe("")
  return JSON.parse(run.stdout) as Array<string>
}

describe("main entry purity", () => {
  it("no-module-reachable-from-the-main-entry-imports-a-package-or-node-builtin", () => {
    expect(packageImportsFrom(indexUrl)).toEqual([])
  })

  it("loading-the-main-entry-resolves-only-its-own-source-files", () => {
    const resolved = resolvedWhileLoading(indexUrl)
    expect(resolved).toContain(indexUrl.href)
    expect(resolved.filter((url) => !url.startsWith(srcDir.href))).toEqual([])
  })

  it("the-walks-see-package-imports-the-schema-subpath-reaches-effect", () => {
    expect(packageImportsFrom(schemaUrl)).toContain("schema.ts: effect")
    expect(resolvedWhileLoading(schemaUrl).some((url) => url.includes("/node_modules/effect/"))).toBe(true)
  })
})

/**
 * Loads `index.js` of a built package in a fresh `node:vm` context (the language's globals only, `Intl` included),
 * linking relative imports only, and runs `check` there as a module next to it; returns what `check` left in
 * `globalThis.result`.
 */
const runBuiltInBareContext = (dist: string, check: string): string => {
  const code = `
import vm from "node:vm"
import { readFileSync } from "node:fs"
const dist = ${JSON.stringify(pathToFileURL(`${dist}/`).href)}
const context = vm.createContext({})
const modules = new Map()
const load = (href) => {
  let module = modules.get(href)
  if (module === undefined) {
    module = new vm.SourceTextModule(readFileSync(new URL(href), "utf8"), { context, identifier: href })
    modules.set(href, module)
  }
  return module
}
const linker = (specifier, referencing) => {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) {
    throw new Error(referencing.identifier + " imports " + specifier)
  }
  return load(new URL(specifier, referencing.identifier).href)
}
const check = new vm.SourceTextModule(${JSON.stringify(check)}, { context, identifier: dist + "check.js" })
await check.link(linker)
await check.evaluate()
process.stdout.write(String(vm.runInContext("globalThis.result", context)))
`
  const run = spawnSync(
    process.execPath,
    ["--experimental-vm-modules", "--no-warnings", "--input-type=module", "--eval", code],
    { encoding: "utf8" }
  )
  expect(run.stderr).toBe("")
  expect(run.status).toBe(0)
  return run.stdout
}

describe("the built main entry", () => {
  it("runs-in-a-context-without-node-globals", () => {
    const dist = mkdtempSync(join(tmpdir(), "decode-dist-"))
    try {
      const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc")
      const config = fileURLToPath(new URL("../tsconfig.build.json", import.meta.url))
      const build = spawnSync(process.execPath, [tsc, "-p", config, "--outDir", dist], { encoding: "utf8" })
      expect(build.stdout + build.stderr).toBe("")
      const check = `
import * as d from "./index.js"
const zone = d.resolveTimeZone("America/Los_Angeles")
const out = new Uint8Array(d.MAX_CELL_BYTES)
const end = d.makeCellWriter("DATE_TIME", { timeZone: zone, offset: "zone" })(1625759921, out, 0)
const page = d.decodeCompactRows([[694252800, "West"], [{ v: { s: 694252800, e: 702115200 } }, "East"]], [
  { name: "Order Date", type: "DATE" },
  { name: "Region", type: "VARCHAR" }
])
globalThis.result = JSON.stringify([
  typeof process, typeof Buffer,
  d.makeCellRenderer("DATE", { timeZone: zone })({ v: { s: 709974000 } }),
  d.makeCellRenderer("TIME", { timeZone: zone })(1625759921),
  d.makeEndRenderer("DATE", { timeZone: zone })({ v: { s: 694252800, e: 702115200 } }),
  String.fromCharCode(...out.subarray(0, end)),
  page.value,
  d.decodeFullRows([{ "Order Date": 694252800n }], [{ name: "Order Date", type: "DATE" }]).value,
  d.decodeCell("soon") instanceof d.DateCellError,
  d.resolveTimeZone("Mars/Olympus_Mons") instanceof d.InvalidTimeZoneError,
  d.formatDays(0)
])
`
      expect(JSON.parse(runBuiltInBareContext(dist, check))).toEqual([
        "undefined",
        "undefined",
        "1992-07-01",
        "08:58:41",
        "1992-04-01",
        "2021-07-08T08:58:41-07:00",
        [
          [{ start: 694252800, form: "epoch" }, "West"],
          [{ start: 694252800, end: 702115200, form: "calendar" }, "East"]
        ],
        [{ "Order Date": { start: 694252800, form: "epoch" } }],
        true,
        true,
        "1970-01-01"
      ])
    } finally {
      rmSync(dist, { recursive: true, force: true })
    }
  })
})
