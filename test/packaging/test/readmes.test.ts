/**
 * The commands the READMEs give a newcomer run in the checkout the top README sets up: it asks for Node ≥ 20 and
 * npm only, and brings pnpm through `npx -y pnpm@<the pinned version>` and a pinned Node 24 for project code. So a
 * README that runs pnpm names that exact pnpm with `-y` (without it npx stops to ask before fetching it), and a
 * TypeScript file is run as `npx -y pnpm@… exec node FILE.ts`, whose `node` is the pinned one: a bare
 * `node FILE.ts` is the user's own Node, and Node 20 runs no TypeScript (`Unknown file extension ".ts"`).
 */
import { readdirSync, readFileSync, realpathSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const repoRoot = realpathSync(fileURLToPath(new URL("../../../", import.meta.url)))
const { packageManager } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  readonly packageManager: string
}

/** Every Markdown file a newcomer reads: the top level's and each workspace folder's. */
const readmes = (): Array<string> => {
  const top = readdirSync(repoRoot).filter((name) => name.endsWith(".md"))
  const nested = ["apps", "packages", "test"].flatMap((group) =>
    readdirSync(join(repoRoot, group), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((entry) =>
        readdirSync(join(repoRoot, group, entry.name))
          .filter((name) => name.endsWith(".md"))
          .map((name) => join(group, entry.name, name))
      )
  )
  return [...top, ...nested].sort()
}

/** `file:line: text` of every line of every README where `pattern` matches. */
const linesMatching = (pattern: RegExp): Array<string> =>
  readmes().flatMap((file) =>
    readFileSync(join(repoRoot, file), "utf8")
      .split("\n")
      .flatMap((line, i) =>
        [...line.matchAll(pattern)].map((match) => `${relative(repoRoot, join(repoRoot, file))}:${i + 1}: ${match[0]}`)
      )
  )

describe("the READMEs' commands", () => {
  it("read every README of the workspace", () => {
    expect(readmes()).toEqual(
      expect.arrayContaining([
        "README.md",
        "apps/export/README.md",
        "packages/decode/README.md",
        "packages/sandbox/README.md"
      ])
    )
  })

  it("run pnpm through npx as the pinned version, with -y", () => {
    const npxPnpm = linesMatching(/npx(?:\s+-y)?\s+pnpm(?:@[\w.-]+)?/g)
    expect(npxPnpm.length).toBeGreaterThan(0)
    expect(npxPnpm.filter((hit) => !hit.endsWith(`: npx -y ${packageManager}`))).toEqual([])
  })

  it("run a TypeScript file only on the pinned Node (pnpm exec node), never on the user's own", () => {
    const bare = linesMatching(/(?<![\w./-])node\s+[\w./-]+\.ts\b/g).filter((hit) => {
      const [file, line] = hit.split(":")
      const text = readFileSync(join(repoRoot, file!), "utf8").split("\n")[Number(line) - 1]!
      const command = hit.slice(hit.indexOf(": ") + 2)
      return !text.includes(`npx -y ${packageManager} exec ${command}`)
    })
    expect(bare).toEqual([])
  })
})
