/**
 * Builds the installable libraries (`@spotpipe/decode`, `@spotpipe/core`) into their `dist/` folders (ESM
 * JavaScript and `.d.ts`, TypeScript's own emit) and packs them into `packs/` at the repository root.
 * `--build-only` stops after the build. The workspace itself runs from the sources; only the tarballs use `dist/`
 * (pnpm swaps in each package's `publishConfig.exports` when it packs). The packed manifests then lose what only
 * the workspace uses (`devDependencies`, which name private workspace packages, scripts, pnpm settings): pnpm
 * keeps them and has no hook for it, so the tarball's `package/package.json` is rewritten in place.
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { gunzipSync, gzipSync } from "node:zlib"

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

/** Manifest fields that serve only the workspace: a user's install needs none of them. */
const DEV_ONLY = ["devDependencies", "scripts", "packageManager", "pnpm", "devEngines"] as const
/** Scripts npm would run at a user's install: a library that had one could not lose it silently. */
const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall", "prepare"]

/** The manifest without {@link DEV_ONLY} fields (key order kept); throws if it had an install script. */
const publishedManifest = (manifest: Record<string, unknown>): Record<string, unknown> => {
  const scripts = (manifest.scripts ?? {}) as Record<string, unknown>
  const install = INSTALL_SCRIPTS.filter((name) => name in scripts)
  if (install.length > 0) {
    throw new Error(`${String(manifest.name)} has install scripts (${install.join(", ")}): packLibs would drop them`)
  }
  return Object.fromEntries(
    Object.entries(manifest).filter(([key]) => !(DEV_ONLY as ReadonlyArray<string>).includes(key))
  )
}

const BLOCK = 512

/** A tar header's octal number field. */
const octal = (header: Buffer, at: number, length: number): number =>
  Number.parseInt(
    header
      .toString("latin1", at, at + length)
      .replace(/\0.*$/s, "")
      .trim() || "0",
    8
  )

/**
 * The gzipped tar `tgz` with `package/package.json` replaced by `edit` of it. Only plain ustar entries are
 * walked (what pnpm writes); a pax or long-name header before the manifest, or no manifest, throws.
 */
const rewriteManifest = (tgz: Buffer, edit: (manifest: Record<string, unknown>) => Record<string, unknown>): Buffer => {
  const tar = gunzipSync(tgz)
  const parts: Array<Buffer> = []
  let found = false
  let previousType = ""
  for (let at = 0; at + BLOCK <= tar.length; ) {
    const header = Buffer.from(tar.subarray(at, at + BLOCK))
    if (header.every((byte) => byte === 0)) {
      parts.push(tar.subarray(at)) // the end-of-archive blocks
      break
    }
    const size = octal(header, 124, 12)
    const type = String.fromCharCode(header[156]!)
    const prefix = header.toString("utf8", 345, 500).replace(/\0.*$/s, "")
    const base = header.toString("utf8", 0, 100).replace(/\0.*$/s, "")
    const name = prefix === "" ? base : `${prefix}/${base}`
    const dataEnd = at + BLOCK + Math.ceil(size / BLOCK) * BLOCK
    if (name === "package/package.json" && (type === "0" || type === "\0")) {
      if (["x", "g", "L"].includes(previousType)) throw new Error("the manifest's tar entry has an extended header")
      const manifest = JSON.parse(tar.toString("utf8", at + BLOCK, at + BLOCK + size))
      const data = Buffer.from(`${JSON.stringify(edit(manifest), null, 2)}\n`, "utf8")
      header.write(data.length.toString(8).padStart(11, "0"), 124, 11, "latin1")
      header[135] = 0
      // The checksum is the sum of the header's bytes with its own field read as spaces.
      header.fill(0x20, 148, 156)
      const sum = header.reduce((total, byte) => total + byte, 0)
      header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8, "latin1")
      const padded = Buffer.alloc(Math.ceil(data.length / BLOCK) * BLOCK)
      data.copy(padded)
      parts.push(header, padded)
      found = true
    } else {
      parts.push(tar.subarray(at, dataEnd))
    }
    previousType = type
    at = dataEnd
  }
  if (!found) throw new Error("the tarball holds no package/package.json")
  return gzipSync(Buffer.concat(parts), { level: 9 })
}

const packs = join(root, "packs")
// Old tarballs go first, so that a failed run leaves none that could pass for this one's.
for (const lib of libs) {
  const { version } = JSON.parse(readFileSync(join(root, "packages", lib, "package.json"), "utf8"))
  rmSync(join(packs, `spotpipe-${lib}-${version}.tgz`), { force: true })
}

// Packing builds each library itself (its `prepack` script: a clean build, so that a module deleted from src/ does
// not live on in dist/ and ship); --build-only runs the same build without packing.
if (buildOnly) {
  for (const lib of libs) {
    const dir = join(root, "packages", lib)
    rmSync(join(dir, "dist"), { recursive: true, force: true })
    step(`building @spotpipe/${lib}`, tsc, ["-p", join(dir, "tsconfig.build.json")], root)
  }
} else {
  mkdirSync(packs, { recursive: true })
  for (const lib of libs) {
    // pnpm (not npm) packs: it applies publishConfig and replaces workspace: ranges with versions.
    step(`packing @spotpipe/${lib}`, "pnpm", ["pack", "--pack-destination", packs], join(root, "packages", lib))
    const { version } = JSON.parse(readFileSync(join(root, "packages", lib, "package.json"), "utf8"))
    const tarball = join(packs, `spotpipe-${lib}-${version}.tgz`)
    try {
      writeFileSync(tarball, rewriteManifest(readFileSync(tarball), publishedManifest))
    } catch (error) {
      rmSync(tarball, { force: true })
      console.error(`packLibs: cleaning the manifest of ${tarball} failed: ${String(error)}`)
      process.exit(1)
    }
  }
}
