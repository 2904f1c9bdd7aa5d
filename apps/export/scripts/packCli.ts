/**
 * Packs the installable `spotpipe` command (`pnpm pack:cli`): `packs/spotpipe-<version>.tgz` at the repository
 * root, a package with no dependencies that `npm install -g` turns into a `spotpipe` on PATH. It holds the
 * launcher (`bin/`: version check, start-up settings), the bundle (`dist/`, scripts/bundle.ts: the CLI with
 * Effect, undici, papaparse and our packages inside, and the transcode worker), README.md, LICENSE and the
 * deployment examples the README points to (`examples/`: a job file, Kubernetes and AWS Batch definitions). The
 * README's links to files the package does not ship become text naming them in the source repository.
 *
 * The version is apps/export/package.json's; the bundled CLI must report the same (`spotpipe --version`, from
 * Cli.ts), or the pack fails. So does a bundle that leaves any import other than Node's built-ins outside, but
 * for `loadExternals` (DuckDB, native: `spotpipe load --into duckdb:…` says what to install when it is missing).
 */
import { execFileSync } from "node:child_process"
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from "node:fs"
import { isBuiltin } from "node:module"
import { tmpdir } from "node:os"
import { isAbsolute, join, normalize, relative } from "node:path"
import { fileURLToPath } from "node:url"
import type { Metafile } from "esbuild"
import { bundle, loadExternals } from "./bundle.ts"

const root = fileURLToPath(new URL("../../../", import.meta.url))
const app = join(root, "apps", "export")

/** The files of the launcher that the package ships (dev.js runs a checkout's sources and stays out). */
export const launcherFiles = ["spotpipe.js", "nodeVersion.js", "leanStart.js"] as const

/** Imports esbuild left outside the bundle that are not Node built-ins (must be none: nothing is installed). */
export const strayExternals = (meta: Metafile): Array<string> =>
  Object.values(meta.outputs).flatMap((output) =>
    output.imports
      .filter((i) => i.external && !isBuiltin(i.path) && !(loadExternals as ReadonlyArray<string>).includes(i.path))
      .map((i) => i.path)
  )

/** Why the package cannot be made (the command prints the message and exits 1). */
export class PackError extends Error {}

const fail = (message: string): never => {
  throw new PackError(message)
}

/** GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces as hyphens. */
const slugOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-")

/** The headings of a Markdown text (not those inside fenced code), by their anchors. */
const headingsOf = (markdown: string): Map<string, string> => {
  const headings = new Map<string, string>()
  let fenced = false
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced
    const heading = fenced ? undefined : line.match(/^#{1,6}\s+(.+?)\s*$/)?.[1]
    if (heading !== undefined && !headings.has(slugOf(heading))) headings.set(slugOf(heading), heading)
  }
  return headings
}

/**
 * The CLI README as the package ships it: a link to a file the package holds stays; a link to a file it does not
 * (one that leaves the package, `../../BENCHMARKS.md`, or one of apps/export the package leaves out) would lead
 * nowhere in an installed package, so it becomes plain text naming the file and its section "in the spotpipe source
 * repository" (the link text kept, with the path after it when they differ). `readme` is apps/export/README.md's
 * text, `pkg` the staged package folder, `repo` the checkout's root. A link whose file or section the checkout does
 * not have fails the pack: the README would be wrong in both places.
 */
export const shippedReadme = (readme: string, pkg: string, repo: string): string => {
  const appDir = join(repo, "apps", "export")
  return readme.replace(/\[([^\]]*)\]\(([^)\s]+)\)/g, (link, text: string, target: string) => {
    // Anchors in the README itself and absolute URLs work wherever it is read.
    if (target.startsWith("#") || /^[a-z][a-z0-9+.-]*:/i.test(target)) return link
    const hash = target.indexOf("#")
    const path = hash === -1 ? target : target.slice(0, hash)
    const anchor = hash === -1 ? undefined : target.slice(hash + 1)
    const inRepo = relative(repo, join(appDir, path))
    if (isAbsolute(path) || inRepo.startsWith("..") || !existsSync(join(repo, inRepo))) {
      fail(`apps/export/README.md links to ${target}, which is not a file of the repository: fix the link`)
    }
    const inPackage = normalize(path)
    if (!inPackage.startsWith("..") && existsSync(join(pkg, inPackage))) return link
    let section = ""
    if (anchor !== undefined) {
      const heading = headingsOf(readFileSync(join(repo, inRepo), "utf8")).get(anchor)
      if (heading === undefined) fail(`apps/export/README.md links to ${target}: ${inRepo} has no such section`)
      section = ` (section "${heading}")`
    }
    const named = `${inRepo}${section} in the spotpipe source repository`
    return text.replace(/`/g, "") === inRepo ? named : `${text} (${named})`
  })
}

/**
 * Writes the package as it will be installed into `pkg` (a new folder): the bundle in `dist/`, the launcher in
 * `bin/`, README.md, LICENSE, `examples/` and its package.json. The test runs use the same folder, unpacked
 * (`packCli.ts --stage-into <folder>`, from apps/export/test/support/builtCli.ts). Returns the path of its
 * `bin/spotpipe.js`.
 */
export const stagePackage = async (pkg: string): Promise<string> => {
  const manifest = JSON.parse(readFileSync(join(app, "package.json"), "utf8")) as {
    version: string
    dependencies: Record<string, string>
  }
  const rootManifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    description: string
    license: string
    engines: { node: string }
  }
  const built = await bundle(join(pkg, "dist"))
  const stray = [...strayExternals(built.cli), ...strayExternals(built.worker)]
  if (stray.length > 0) fail(`the bundle leaves ${stray.join(", ")} outside; bundle everything but node: built-ins`)

  mkdirSync(join(pkg, "bin"))
  for (const file of launcherFiles) copyFileSync(join(app, "bin", file), join(pkg, "bin", file))
  chmodSync(join(pkg, "bin", "spotpipe.js"), 0o755)
  copyFileSync(join(root, "LICENSE"), join(pkg, "LICENSE"))
  // The README's "examples/ holds working examples" holds where it is read from too: in the installed package.
  cpSync(join(app, "examples"), join(pkg, "examples"), { recursive: true })
  // Last, once the package holds every file it ships: its links to others name them in the repository instead.
  writeFileSync(join(pkg, "README.md"), shippedReadme(readFileSync(join(app, "README.md"), "utf8"), pkg, root))
  const published = {
    name: "spotpipe",
    version: manifest.version,
    description: rootManifest.description,
    license: rootManifest.license,
    type: "module",
    bin: { spotpipe: "bin/spotpipe.js" },
    engines: rootManifest.engines,
    files: ["bin", "dist", "examples", "README.md", "LICENSE"],
    // `spotpipe load --into duckdb:…` only; npm does not install an optional peer, it records the version that fits.
    peerDependencies: { "@duckdb/node-api": manifest.dependencies["@duckdb/node-api"] },
    peerDependenciesMeta: { "@duckdb/node-api": { optional: true } }
  }
  writeFileSync(join(pkg, "package.json"), `${JSON.stringify(published, null, 2)}\n`)
  return join(pkg, "bin", "spotpipe.js")
}

/** Builds and packs; returns the tarball's path. */
export const packCli = async (): Promise<string> => {
  const { version } = JSON.parse(readFileSync(join(app, "package.json"), "utf8")) as { version: string }
  const packs = join(root, "packs")
  const tarball = join(packs, `spotpipe-${version}.tgz`)
  // The old tarball goes first, so that a failed run leaves none that could pass for this one's.
  rmSync(tarball, { force: true })

  const staging = mkdtempSync(join(tmpdir(), "spotpipe-pack-"))
  try {
    const pkg = join(staging, "spotpipe")
    const bin = await stagePackage(pkg)

    // The staged package as it will run, outside the checkout: it must say the version it is packed as.
    const reported = execFileSync(process.execPath, [bin, "--version"], {
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
  try {
    if (process.argv[2] === "--stage-into") {
      // Only the package folder, at the path given (the test runs' build): prints its bin/spotpipe.js.
      const into = process.argv[3]
      if (into === undefined) fail("--stage-into needs a folder that does not exist yet")
      console.log(await stagePackage(into!))
    } else {
      const tarball = await packCli()
      console.log(`packed ${tarball} in ${Math.round(performance.now() - started)} ms`)
    }
  } catch (error) {
    if (!(error instanceof PackError)) throw error
    console.error(`pack:cli: ${error.message}`)
    process.exit(1)
  }
}
