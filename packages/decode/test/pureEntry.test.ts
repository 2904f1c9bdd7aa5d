/**
 * The main entry imports nothing: no module reachable from `src/index.ts` imports `effect`, a Node built-in or any
 * other package, so the entry runs without `effect` installed and in browsers. Checked twice: statically (every
 * import specifier in the sources, type-only imports included, since they end up in the shipped `.d.ts`) and by
 * loading the entry in a fresh Node process that records every module it resolves. The schema subpath is walked
 * the same way and must reach `effect`, which shows the walks do see package imports.
 */
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
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
