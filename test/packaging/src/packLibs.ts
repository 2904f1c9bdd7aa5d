/**
 * Builds the installable libraries (`@spotpipe/decode`, `@spotpipe/core`) into their `dist/` folders (ESM
 * JavaScript and `.d.ts`, TypeScript's own emit) and packs them into `packs/` at the repository root.
 * `--build-only` stops after the build. The workspace itself runs from the sources; only the tarballs use `dist/`
 * (pnpm swaps in each package's `publishConfig.exports` when it packs).
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../..", import.meta.url))
const libs = ["decode", "core"]
const buildOnly = process.argv.includes("--build-only")

const tsc = join(root, "node_modules", ".bin", "tsc")
if (!existsSync(tsc)) {
  console.error(`packLibs: ${tsc} is missing; run \`npx -y pnpm@12.4.2 install\` first.`)
  process.exit(1)
}

/** Runs a step with its output on the terminal; a failure ends the script with one line saying which step. */
const step = (what: string, command: string, args: ReadonlyArray<string>, cwd: string): void => {
  try {
    execFileSync(command, args, { cwd, stdio: "inherit" })
  } catch (error) {
    const code = error instanceof Error && "code" in error && error.code === "ENOENT" ? ` (${command} not found)` : ""
    console.error(`packLibs: ${what} failed${code}; see the output above.`)
    process.exit(1)
  }
}

const packs = join(root, "packs")
// Old tarballs go first, so that a failed run leaves none that could pass for this one's.
for (const lib of libs) {
  const { version } = JSON.parse(readFileSync(join(root, "packages", lib, "package.json"), "utf8"))
  rmSync(join(packs, `spotpipe-${lib}-${version}.tgz`), { force: true })
}

for (const lib of libs) {
  const dir = join(root, "packages", lib)
  // A clean build: a module deleted from src/ must not live on in dist/ and ship.
  rmSync(join(dir, "dist"), { recursive: true, force: true })
  step(`building @spotpipe/${lib}`, tsc, ["-p", join(dir, "tsconfig.build.json")], root)
}

if (!buildOnly) {
  mkdirSync(packs, { recursive: true })
  for (const lib of libs) {
    // pnpm (not npm) packs: it applies publishConfig and replaces workspace: ranges with versions.
    step(`packing @spotpipe/${lib}`, "pnpm", ["pack", "--pack-destination", packs], join(root, "packages", lib))
  }
}
