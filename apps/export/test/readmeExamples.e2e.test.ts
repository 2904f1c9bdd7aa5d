/**
 * The README's usage table promises that every example works with `--sandbox`: the ones a first run could trip
 * over (an incremental export with no earlier run into its folder) are run here as a newcomer would, twice.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { runCli } from "./support/runCli.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-readme-"))
afterAll(() => NodeFs.rmSync(root, { recursive: true, force: true }))

const readme = NodeFs.readFileSync(new URL("../../../README.md", import.meta.url), "utf8")

/** The usage table's example of `command`, as words (double-quoted words kept whole). */
const exampleOf = (command: string): Array<string> => {
  const row = readme.split("\n").find((line) => line.startsWith(`| \`${command}\``))
  const example = row?.match(/\| `(spotpipe [^`]+)` \|$/)?.[1]
  if (example === undefined) throw new Error(`no example of ${command} in the README's usage table`)
  return [...example.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!).slice(1)
}

describe("the README's usage table", () => {
  it("tml-example-works-on-a-first-run-and-its-next-run-reads-what-changed", async () => {
    const args = exampleOf("tml").map((word) => (word === "./landing" ? NodePath.join(root, "landing") : word))
    const first = await runCli([...args, "--sandbox", "--quiet"])
    expect(first.code, first.stderr).toBe(0)
    // The documents are in tml/ of the folder, as the table says.
    const written = NodeFs.readdirSync(NodePath.join(root, "landing", "tml"), { recursive: true })
    expect(written.some((name) => String(name).endsWith(".tml"))).toBe(true)
    const since = args.indexOf("--modified-since")
    const next = [...args.slice(0, since + 1), "last", ...args.slice(since + 2), "--force"]
    const second = await runCli([...next, "--sandbox", "--quiet"])
    expect(second.code, second.stderr).toBe(0)
  }, 60_000)
})
