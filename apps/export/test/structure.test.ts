/**
 * How the app's folders may depend on each other, read from the import statements of `src/`: the shared modules
 * at its root (errors, failures, did-you-mean, the load target, what an interruption leaves) import none of the
 * folders; nothing but the package's entry imports the command line (`cli/`); and `plan/` imports nothing from
 * `load/`, which reads the plan's column kinds. Each rule keeps a cycle from coming back, where a change to one
 * side would ripple through the other.
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

  it("plan-imports-nothing-from-load-which-reads-the-plan's-column-kinds", () => {
    expect(
      edges(
        (f) => f === "load",
        (f) => f === "plan"
      ).length
    ).toBeGreaterThan(0)
    expect(
      edges(
        (f) => f === "plan",
        (f) => f === "load"
      )
    ).toEqual([])
  })
})
