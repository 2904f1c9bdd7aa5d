/**
 * A library packed the obvious way, `pnpm --filter @spotpipe/<lib> pack`, rather than through `pnpm pack:libs`:
 * its `prepack` script builds `dist/` afresh first, so a checkout that never built it (a fresh clone) or built it
 * before a module was deleted still packs what its `exports` name, and nothing stale. `npm pack`, which ignores
 * `publishConfig` (the tarball's exports would name `src/`, which it does not hold), is refused with what to run.
 * Each pack runs in a scratch copy of the workspace, so the checkout's own `dist/` folders are never touched.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { join, relative, sep } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { filesUnder, run, runToEnd, strangerEnv } from "../src/scratch.ts"

const repoRoot = realpathSync(fileURLToPath(new URL("../../../", import.meta.url)))
const libs = ["decode", "core"] as const

/** Every file a manifest's published entry points name (`main`, `types`, each `exports` target), without `./`. */
const entryFiles = (manifest: { readonly publishConfig: Record<string, unknown> }): Array<string> => {
  const targets: Array<string> = []
  const walk = (value: unknown): void => {
    if (typeof value === "string") targets.push(value.replace(/^\.\//, ""))
    else if (typeof value === "object" && value !== null) for (const inner of Object.values(value)) walk(inner)
  }
  walk(manifest.publishConfig)
  return [...new Set(targets)].sort()
}

describe("a library packed with pnpm pack, without pack:libs", () => {
  let scratch = ""
  let workspace = ""
  let tarballs = ""
  let env: NodeJS.ProcessEnv = {}

  beforeAll(() => {
    scratch = realpathSync(mkdtempSync(join(tmpdir(), "spotpipe-pnpm-pack-")))
    env = strangerEnv(scratch)
    // The workspace as a clone has it before any build: the libraries' files without dist/, the installed
    // dependencies linked in, and the private package core's devDependencies name.
    workspace = join(scratch, "workspace")
    mkdirSync(join(workspace, "packages", "sandbox"), { recursive: true })
    writeFileSync(join(workspace, "pnpm-workspace.yaml"), "packages:\n  - packages/*\n")
    writeFileSync(join(workspace, "package.json"), JSON.stringify({ name: "workspace", private: true }))
    cpSync(join(repoRoot, "tsconfig.base.json"), join(workspace, "tsconfig.base.json"))
    symlinkSync(join(repoRoot, "node_modules"), join(workspace, "node_modules"), "dir")
    cpSync(
      join(repoRoot, "packages", "sandbox", "package.json"),
      join(workspace, "packages", "sandbox", "package.json")
    )
    for (const lib of libs) {
      const from = join(repoRoot, "packages", lib)
      const to = join(workspace, "packages", lib)
      cpSync(from, to, {
        recursive: true,
        filter: (source) => !["node_modules", "dist", "test"].includes(relative(from, source).split(sep)[0]!)
      })
      if (existsSync(join(from, "node_modules")))
        symlinkSync(join(from, "node_modules"), join(to, "node_modules"), "dir")
    }
    // core's dist/ is stale: it holds a module since deleted from src/, and none of the current ones.
    mkdirSync(join(workspace, "packages", "core", "dist"))
    writeFileSync(join(workspace, "packages", "core", "dist", "Deleted.js"), "export {}\n")
    tarballs = join(scratch, "tarballs")
    mkdirSync(tarballs)
  })

  afterAll(() => {
    if (scratch !== "") rmSync(scratch, { recursive: true, force: true })
  })

  it.each(libs)("%s: pnpm --filter pack builds dist/ first and ships every entry point, nothing stale", async (lib) => {
    await run("pnpm", ["--filter", `@spotpipe/${lib}`, "pack", "--pack-destination", tarballs], workspace, env)
    const tarball = join(tarballs, `spotpipe-${lib}-0.1.0.tgz`)
    const unpacked = join(scratch, `unpacked-${lib}`)
    mkdirSync(unpacked)
    await run("tar", ["-xzf", tarball, "-C", unpacked], scratch, env)
    const files = filesUnder(join(unpacked, "package"))
    const manifest = JSON.parse(readFileSync(join(repoRoot, "packages", lib, "package.json"), "utf8"))
    const entries = entryFiles(manifest)
    expect(entries).toContain("dist/index.js")
    for (const entry of entries) expect(files).toContain(entry)
    expect(files.filter((file) => file.startsWith("dist/") && !/\.(js|d\.ts)$/.test(file))).toEqual([])
    expect(files).not.toContain("dist/Deleted.js")
  })

  it("decode packed that way installs with npm and imports", async () => {
    const tarball = join(tarballs, "spotpipe-decode-0.1.0.tgz")
    if (!existsSync(tarball)) {
      await run("pnpm", ["--filter", "@spotpipe/decode", "pack", "--pack-destination", tarballs], workspace, env)
    }
    const project = join(scratch, "project")
    mkdirSync(project)
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "project", private: true, type: "module" }))
    await run("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], project, env)
    const script = 'import { formatDays } from "@spotpipe/decode"; console.log(formatDays(0))'
    const ran = await run(process.execPath, ["--input-type=module", "--eval", script], project, env)
    expect(ran.stdout).toBe("1970-01-01\n")
  })

  it.each(libs)("%s: npm pack is refused, saying to pack with pnpm", async (lib) => {
    const destination = join(scratch, `npm-${lib}`)
    mkdirSync(destination)
    const packed = await runToEnd(
      "npm",
      ["pack", "--offline", "--pack-destination", destination],
      join(workspace, "packages", lib),
      env
    )
    expect(packed.code).not.toBe(0)
    expect(packed.stderr).toContain(
      `@spotpipe/${lib}: pack it with pnpm (pnpm pack:libs in the spotpipe repository): only pnpm applies publishConfig, which points the exports at dist/`
    )
    expect(readdirSync(destination)).toEqual([])
  })
})
