/**
 * The package README's examples, run as written (so the documentation cannot drift from the code): every fenced
 * JavaScript/TypeScript block that imports the package runs in a fresh Node process, with `@spotpipe/decode` and
 * `@spotpipe/decode/schema` pointed at this package's sources, and must print exactly what the comments after its
 * `console.log` calls say, in order.
 */
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const packageDir = fileURLToPath(new URL("../", import.meta.url))
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")
const entries: Record<string, string> = {
  "@spotpipe/decode": new URL("../src/index.ts", import.meta.url).href,
  "@spotpipe/decode/schema": new URL("../src/schema.ts", import.meta.url).href
}

const blocks = [...readme.matchAll(/^```(js|ts)\n([\s\S]*?)^```$/gm)]
  .map((match) => match[2]!)
  .filter((code) => /from "@spotpipe\/decode(\/schema)?"/.test(code))

/** What the block's `console.log` lines say they print: the text after ` // ` on each such line. */
const promised = (code: string): Array<string> =>
  code
    .split("\n")
    .filter((line) => line.includes("console.log("))
    .map((line) => {
      const at = line.indexOf(" // ")
      if (at < 0) throw new Error(`README: a console.log line without the output it prints: ${line}`)
      return line.slice(at + 4)
    })

describe("README examples", () => {
  it("there-are-a-plain-example-an-effect-example-and-a-schema-example", () => {
    expect(blocks.length).toBe(3)
    expect(blocks[0]).not.toMatch(/from "effect"/)
    expect(blocks[0]).toMatch(/from "@spotpipe\/decode"\n/)
    expect(blocks.some((code) => code.includes('from "@spotpipe/decode/schema"'))).toBe(true)
  })

  it.each(blocks.map((code, i) => [i, code] as const))("block-%i-prints-what-it-promises", (_, code) => {
    const runnable = code.replace(/from "(@spotpipe\/decode(?:\/schema)?)"/g, (_, name: string) => {
      return `from ${JSON.stringify(entries[name])}`
    })
    const run = spawnSync(process.execPath, ["--input-type=module", "--eval", runnable], {
      cwd: packageDir,
      encoding: "utf8"
    })
    expect(run.stderr).toBe("")
    expect(run.status).toBe(0)
    expect(run.stdout.split("\n").slice(0, -1)).toEqual(promised(code))
  })
})
