/**
 * Builds the bundled CLI: `src/RunMain.ts` and everything it loads (Effect, undici, our packages) as a few ES
 * modules in `apps/export/dist/`, and the transcode worker as one more. Node then starts the CLI from a handful of
 * files instead of ~480 modules, each resolved, read and linked: `search --help` 0.52–0.69 → 0.21–0.30 s and
 * ~125–160 → ~78–104 MiB here (measured), a tenth of a 1 M-row export.
 *
 * In a checkout the bundle is only used while it matches the sources: the build records their fingerprints last
 * (bin/bundled.js), and the launcher runs the sources whenever one differs. It runs after every install (the
 * root `postinstall`) and with `pnpm bundle`; `pnpm bench` rebuilds it first. `pnpm pack:cli` (packCli.ts) builds
 * one into the installable package, which holds no sources and runs it as it is.
 *
 * The transcode worker is bundled on its own; it loads no Effect. Code is not minified: stack traces stay readable.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { relative } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { build, type Metafile, type Plugin } from "esbuild"
import { entryName, fingerprint, recordName } from "../bin/bundled.js"

const root = fileURLToPath(new URL("../../../", import.meta.url))
/** Where `pnpm spotpipe` and the bin look for the bundle. */
export const defaultOutDir = fileURLToPath(new URL("../dist/", import.meta.url))

/** Bundled CommonJS (undici) calls `require` for Node's own modules, which an ES module must make itself. */
const banner = {
  js: 'import { createRequire as __spotpipeRequire } from "node:module";\nconst require = __spotpipeRequire(import.meta.url);'
}

/**
 * Effect's `@effect/platform-node/Undici` re-exports undici (CommonJS) with `export *` and is loaded with
 * `import()`. In a chunk of its own that re-export keeps only `default` (an ES module cannot list a CommonJS
 * module's names statically), and `new Undici.Agent` fails. So it is answered with a module that lists them:
 * the names undici's own exports object has, read here at build time.
 */
const undiciReexport: Plugin = {
  name: "undici-reexport",
  setup: (b) => {
    b.onResolve({ filter: /^\.\/Undici\.js$/ }, (args) =>
      args.importer.includes("@effect/platform-node/") ? { path: "undici", namespace: "undici-reexport" } : undefined
    )
    b.onLoad({ filter: /.*/, namespace: "undici-reexport" }, () => {
      const resolveDir = fileURLToPath(new URL("./", import.meta.resolve("@effect/platform-node/NodeHttpClient")))
      const undici = createRequire(`${resolveDir}/`)("undici") as Record<string, unknown>
      const names = Object.keys(undici).filter((name) => name !== "default" && /^[A-Za-z_$][\w$]*$/.test(name))
      return {
        contents: `import undici from "undici"\nexport default undici\nexport const { ${names.join(", ")} } = undici\n`,
        loader: "js",
        resolveDir
      }
    })
  }
}

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  absWorkingDir: root,
  banner,
  metafile: true,
  logLevel: "warning"
} as const

/** What esbuild read and wrote for the CLI and for the worker (`pnpm pack:cli` checks what stayed outside). */
export interface Built {
  readonly cli: Metafile
  readonly worker: Metafile
}

/** Builds the bundle into `outDir` (emptied first); the record of its sources is written last. */
export const bundle = async (outDir: string = defaultOutDir): Promise<Built> => {
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  const cli = await build({
    ...common,
    entryPoints: { [entryName.replace(/\.js$/, "")]: "apps/export/src/cli/RunMain.ts" },
    // What is loaded on demand (`import()`: the sandbox, undici) stays in chunks of its own.
    splitting: true,
    outdir: outDir,
    plugins: [undiciReexport]
  })
  const worker = await build({
    ...common,
    entryPoints: { TranscodeWorker: "apps/export/src/engine/TranscodeWorker.ts" },
    outdir: outDir
  })
  const inputs = (meta: Metafile) =>
    Object.keys(meta.inputs).filter((path) => !path.includes("node_modules/") && !path.includes(":"))
  const sources = new Set([
    ...inputs(cli.metafile),
    ...inputs(worker.metafile),
    "pnpm-lock.yaml",
    "apps/export/scripts/bundle.ts",
    "apps/export/bin/bundled.js"
  ])
  const dist = pathToFileURL(outDir.endsWith("/") ? outDir : `${outDir}/`)
  const files: Record<string, string> = {}
  for (const path of [...sources].sort()) {
    const file = pathToFileURL(`${root}${path}`)
    const print = fingerprint(file)
    if (print === undefined) throw new Error(`bundle: cannot read ${path}`)
    files[relative(fileURLToPath(dist), fileURLToPath(file))] = print
  }
  writeFileSync(new URL(recordName, dist), `${JSON.stringify({ files }, null, 2)}\n`)
  return { cli: cli.metafile, worker: worker.metafile }
}

if (import.meta.main) {
  const started = performance.now()
  await bundle(process.argv[2] ?? defaultOutDir)
  console.log(`spotpipe bundle built in ${Math.round(performance.now() - started)} ms`)
}
