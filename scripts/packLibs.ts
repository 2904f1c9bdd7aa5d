/**
 * Builds the installable libraries (`@spotpipe/decode`, `@spotpipe/core`) into their `dist/` folders (ESM
 * JavaScript and `.d.ts`, TypeScript's own emit) and packs them into `packs/` at the repository root.
 * `--build-only` stops after the build. The workspace itself runs from the sources; only the tarballs use `dist/`
 * (pnpm swaps in each package's `publishConfig.exports` when it packs).
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, rmSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const libs = ["decode", "core"]
const buildOnly = process.argv.includes("--build-only")

const tsc = join(root, "node_modules", ".bin", "tsc")
if (!existsSync(tsc)) {
  console.error(`packLibs: ${tsc} is missing; run \`npx -y pnpm@12.4.2 install\` first.`)
  process.exit(1)
}

for (const lib of libs) {
  const dir = join(root, "packages", lib)
  // A clean build: a module deleted from src/ must not live on in dist/ and ship.
  rmSync(join(dir, "dist"), { recursive: true, force: true })
  execFileSync(tsc, ["-p", join(dir, "tsconfig.build.json")], { cwd: root, stdio: "inherit" })
}

if (!buildOnly) {
  const packs = join(root, "packs")
  mkdirSync(packs, { recursive: true })
  for (const lib of libs) {
    rmSync(join(packs, `spotpipe-${lib}-0.1.0.tgz`), { force: true })
    // pnpm (not npm) packs: it applies publishConfig and replaces workspace: ranges with versions.
    execFileSync("pnpm", ["pack", "--pack-destination", packs], { cwd: join(root, "packages", lib), stdio: "inherit" })
  }
}
