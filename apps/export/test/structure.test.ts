/**
 * How the app's folders may depend on each other, read from the import statements of `src/`: the shared modules
 * at its root (errors, failures, did-you-mean, the load target, what an interruption leaves) import none of the
 * folders; nothing but the package's entry imports the command line (`cli/`); and no folder (nor subfolder, nor
 * module) reaches itself again through its imports. Each rule keeps a cycle from coming back, where a change to
 * one side would ripple through the other.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const src = NodePath.join(NodePath.dirname(fileURLToPath(import.meta.url)), "..", "src")

/** Every import of every module of `src/`, as paths relative to `src/` (`cli/TerminalText.ts`). */
const imports: ReadonlyArray<{ readonly from: string; readonly to: string }> = NodeFs.readdirSync(src, {
  recursive: true,
  encoding: "utf8"
})
  .filter((file) => file.endsWith(".ts"))
  .flatMap((file) => {
    const text = NodeFs.readFileSync(NodePath.join(src, file), "utf8")
    // Static imports and re-exports (type-only ones too: they tie the modules as much), and dynamic imports.
    const specifiers = [...text.matchAll(/\b(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]!)
    return specifiers.map((specifier) => ({
      from: file,
      to: NodePath.relative(src, NodePath.resolve(NodePath.dirname(NodePath.join(src, file)), specifier))
    }))
  })

/** The folder of a module of `src/` (`cli`), `.` for the shared modules at its root, `..` for the package. */
const folderOf = (path: string) =>
  path.startsWith("..") ? ".." : path.includes(NodePath.sep) ? path.split(NodePath.sep)[0]! : "."

/** The folder of a module with its subfolders (`formats/parquet`), as `folderOf` otherwise. */
const subfolderOf = (path: string) =>
  path.startsWith("..") ? ".." : path.includes(NodePath.sep) ? NodePath.dirname(path) : "."

/**
 * The import cycles between the groups `groupOf` puts modules in: per set of groups that reach each other, their
 * names (`cluster, formats, plan`), then an import for each link between two of them. The package entry
 * (`index.ts`) imports from every folder and nothing imports it, so it is left out; so is `..` (the package's own
 * files).
 */
const cyclesBetween = (groupOf: (path: string) => string): ReadonlyArray<string> => {
  const links = new Map<string, Map<string, string>>()
  for (const i of imports) {
    if (i.from === "index.ts" || i.to.startsWith("..")) continue
    const from = groupOf(i.from)
    const to = groupOf(i.to)
    if (from === to) continue
    const out = links.get(from) ?? new Map<string, string>()
    if (!out.has(to)) out.set(to, `${i.from} -> ${i.to}`)
    links.set(from, out)
  }
  const reached = (start: string): ReadonlySet<string> => {
    const seen = new Set<string>()
    const next = [start]
    while (next.length > 0) {
      for (const to of links.get(next.pop()!)?.keys() ?? []) {
        if (!seen.has(to)) {
          seen.add(to)
          next.push(to)
        }
      }
    }
    return seen
  }
  const reach = new Map([...links.keys()].map((group) => [group, reached(group)]))
  const done = new Set<string>()
  const cycles: Array<string> = []
  for (const group of [...links.keys()].sort()) {
    if (done.has(group) || !reach.get(group)!.has(group)) continue
    const members = [...reach.get(group)!].filter((other) => reach.get(other)?.has(group)).sort()
    for (const member of members) done.add(member)
    const joins = members.flatMap((member) =>
      [...(links.get(member) ?? [])].filter(([to]) => members.includes(to)).map(([, why]) => `  ${why}`)
    )
    cycles.push([members.join(", "), ...joins].join("\n"))
  }
  return cycles
}

const edges = (from: (folder: string, path: string) => boolean, to: (folder: string) => boolean) =>
  imports.filter((i) => from(folderOf(i.from), i.from) && to(folderOf(i.to))).map((i) => `${i.from} -> ${i.to}`)

describe("the app's folders", () => {
  it("imports-are-found-in-the-sources", () => {
    // Guards the rules below against passing on nothing (a changed layout, an import spelling not matched).
    expect(
      edges(
        (f) => f === "cli",
        (f) => f === "engine"
      ).length
    ).toBeGreaterThan(0)
    expect(
      edges(
        (f) => f === ".",
        (f) => f === "."
      ).length
    ).toBeGreaterThan(0)
    expect(imports.some((i) => subfolderOf(i.to) === NodePath.join("formats", "parquet"))).toBe(true)
  })

  it("shared-modules-at-the-root-import-none-of-the-folders", () => {
    // index.ts is the package's entry: it exports from the folders. Version.ts reads the package's package.json.
    expect(
      edges(
        (f, path) => f === "." && path !== "index.ts",
        (f) => f !== "." && f !== ".."
      )
    ).toEqual([])
  })

  it("only-the-package-entry-imports-the-command-line", () => {
    expect(
      edges(
        (f, path) => f !== "cli" && path !== "index.ts",
        (f) => f === "cli"
      )
    ).toEqual([])
  })

  it("no-folder-reaches-itself-through-its-imports", () => {
    expect(cyclesBetween(folderOf)).toEqual([])
    // Subfolders too (`formats/parquet` reads `formats/`, which must then not read it back).
    expect(cyclesBetween(subfolderOf)).toEqual([])
  })

  it("no-module-reaches-itself-through-its-imports", () => {
    expect(cyclesBetween((path) => path)).toEqual([])
  })
})
