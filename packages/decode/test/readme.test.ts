/**
 * The package README's examples, run as written (so the documentation cannot drift from the code): every fenced
 * JavaScript/TypeScript block that imports the package runs in a fresh Node process, with `@spotpipe/decode` and
 * `@spotpipe/decode/schema` pointed at this package's sources, and must print exactly what the comments after its
 * `console.log` calls say, in order. Each block, saved as a `.ts` file of a project that installed the package,
 * must also type-check under strict options (the README tells TypeScript users the same code applies).
 */
import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const packageDir = fileURLToPath(new URL("../", import.meta.url))
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")
const entries: Record<string, string> = {
  "@spotpipe/decode": new URL("../src/index.ts", import.meta.url).href,
  "@spotpipe/decode/schema": new URL("../src/schema.ts", import.meta.url).href
}

const fenced = [...readme.matchAll(/^```(js|ts)\n([\s\S]*?)^```$/gm)]
  .map((match) => ({ language: match[1]!, code: match[2]! }))
  .filter(({ code }) => /from "@spotpipe\/decode(\/schema)?"/.test(code))
const blocks = fenced.map(({ code }) => code)

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

  it.each(fenced.map(({ language, code }, i) => [i, language, code] as const))(
    "block-%i-prints-what-it-promises",
    (_, language, code) => {
      const runnable = code.replace(/from "(@spotpipe\/decode(?:\/schema)?)"/g, (_, name: string) => {
        return `from ${JSON.stringify(entries[name])}`
      })
      const inputType = language === "ts" ? "--input-type=module-typescript" : "--input-type=module"
      const run = spawnSync(process.execPath, [inputType, "--eval", runnable], {
        cwd: packageDir,
        encoding: "utf8"
      })
      expect(run.stderr).toBe("")
      expect(run.status).toBe(0)
      expect(run.stdout.split("\n").slice(0, -1)).toEqual(promised(code))
    }
  )

  it("every-block-type-checks-as-a-strict-typescript-file", () => {
    // A scratch project that installed the package (a link to it) and effect, with the strict options of a
    // careful TypeScript user; each block is one `.ts` module of it.
    const project = mkdtempSync(join(tmpdir(), "decode-readme-"))
    try {
      mkdirSync(join(project, "node_modules", "@spotpipe"), { recursive: true })
      symlinkSync(packageDir, join(project, "node_modules", "@spotpipe", "decode"), "dir")
      const effect = dirname(createRequire(import.meta.url).resolve("effect/package.json"))
      symlinkSync(effect, join(project, "node_modules", "effect"), "dir")
      writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module" }))
      for (const [i, code] of blocks.entries()) writeFileSync(join(project, `block${i}.ts`), code)
      writeFileSync(
        join(project, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            target: "ES2023",
            lib: ["ES2023", "DOM"],
            module: "NodeNext",
            moduleResolution: "NodeNext",
            strict: true,
            exactOptionalPropertyTypes: true,
            noUncheckedIndexedAccess: true,
            // The linked package is its TypeScript sources, which import each other with `.ts` extensions.
            allowImportingTsExtensions: true,
            skipLibCheck: true,
            noEmit: true,
            types: []
          },
          include: ["block*.ts"]
        })
      )
      const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc")
      const run = spawnSync(process.execPath, [tsc, "-p", join(project, "tsconfig.json")], { encoding: "utf8" })
      expect(run.stdout + run.stderr).toBe("")
      expect(run.status).toBe(0)
    } finally {
      rmSync(project, { recursive: true, force: true })
    }
  })
})
