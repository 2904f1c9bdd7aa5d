/**
 * Packs the installable `spotpipe` command (`pnpm pack:cli`): `packs/spotpipe-<version>.tgz` at the repository
 * root, a package with no dependencies that `npm install -g` turns into a `spotpipe` on PATH. It holds the
 * launcher (`bin/`: version check, start-up settings), the bundle (`dist/`, scripts/bundle.ts: the CLI with
 * Effect, undici, papaparse and our packages inside, and the transcode worker), README.md and LICENSE.
 *
 * The version is apps/export/package.json's; the bundled CLI must report the same (`spotpipe --version`, from
 * Cli.ts), or the pack fails. So does a bundle that leaves any import other than Node's built-ins outside.
 */
import { execFileSync } from "node:child_process"
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { isBuiltin } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { Metafile } from "esbuild"
import { recordName } from "../bin/bundled.js"
import { bundle } from "./bundle.ts"

const root = fileURLToPath(new URL("../../../", import.meta.url))
const app = join(root, "apps", "export")

/** The files of the launcher that the package ships (bundled.js only serves a checkout's freshness check). */
export const launcherFiles = ["spotpipe.js", "nodeVersion.js", "leanStart.js"] as const

/** Imports esbuild left outside the bundle that are not Node built-ins (must be none: nothing is installed). */
export const strayExternals = (meta: Metafile): Array<string> =>
  Object.values(meta.outputs).flatMap((output) =>
    output.imports.filter((i) => i.external && !isBuiltin(i.path)).map((i) => i.path)
  )

const fail = (message: string): never => {
  console.error(`pack:cli: ${message}`)
  process.exit(1)
}

/** Builds and packs; returns the tarball's path. */
export const packCli = async (): Promise<string> => {
  const manifest = JSON.parse(readFileSync(join(app, "package.json"), "utf8")) as { version: string }
  const rootManifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    description: string
    license: string
    engines: { node: string }
  }
  const { version } = manifest
  const packs = join(root, "packs")
  const tarball = join(packs, `spotpipe-${version}.tgz`)
  // The old tarball goes first, so that a failed run leaves none that could pass for this one's.
  rmSync(tarball, { force: true })

  const staging = mkdtempSync(join(tmpdir(), "spotpipe-pack-"))
  try {
    const pkg = join(staging, "spotpipe")
    const built = await bundle(join(pkg, "dist"))
    // The record of the checkout's sources means nothing without them.
    rmSync(join(pkg, "dist", recordName))
    const stray = [...strayExternals(built.cli), ...strayExternals(built.worker)]
    if (stray.length > 0) fail(`the bundle leaves ${stray.join(", ")} outside; bundle everything but node: built-ins`)

    mkdirSync(join(pkg, "bin"))
    for (const file of launcherFiles) copyFileSync(join(app, "bin", file), join(pkg, "bin", file))
    chmodSync(join(pkg, "bin", "spotpipe.js"), 0o755)
    copyFileSync(join(app, "README.md"), join(pkg, "README.md"))
    copyFileSync(join(root, "LICENSE"), join(pkg, "LICENSE"))
    const published = {
      name: "spotpipe",
      version,
      description: rootManifest.description,
      license: rootManifest.license,
      type: "module",
      bin: { spotpipe: "bin/spotpipe.js" },
      engines: rootManifest.engines,
      files: ["bin", "dist", "README.md", "LICENSE"]
    }
    writeFileSync(join(pkg, "package.json"), `${JSON.stringify(published, null, 2)}\n`)

    // The staged package as it will run, outside the checkout: it must say the version it is packed as.
    const reported = execFileSync(process.execPath, [join(pkg, "bin", "spotpipe.js"), "--version"], {
      cwd: staging,
      encoding: "utf8"
    }).trim()
    if (reported !== `spotpipe v${version}`) {
      fail(`the CLI reports "${reported}" but apps/export/package.json says ${version}: make Cli.ts's version agree`)
    }

    mkdirSync(packs, { recursive: true })
    // npm packs the staged folder, outside the workspace: exactly its files, no lifecycle scripts.
    execFileSync("npm", ["pack", "--offline", "--ignore-scripts", "--loglevel=warn", "--pack-destination", packs], {
      cwd: pkg,
      stdio: ["ignore", "ignore", "inherit"]
    })
    return tarball
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
}

if (import.meta.main) {
  const started = performance.now()
  const tarball = await packCli()
  console.log(`packed ${tarball} in ${Math.round(performance.now() - started)} ms`)
}
