/**
 * `layerNode` where `@effect/platform-node` is not installed: a typed failure that says what to install, not a
 * defect. The package's sources run from a folder outside the workspace whose `node_modules` holds `effect` only,
 * so the layer's import of the HTTP client really fails, as in a project that did not install the optional peer.
 */
import { spawnSync } from "node:child_process"
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { PLATFORM_NODE, PLATFORM_NODE_RANGE } from "../src/internal/nodeVersion.ts"
import * as ThoughtSpotClient from "../src/ThoughtSpotClient.ts"

const packageDir = realpathSync(fileURLToPath(new URL("..", import.meta.url)))

/** Builds `layerNode` (nothing is sent) and reports how it went. */
const buildScript = `
import { Cause, Effect, Exit, Layer } from "effect"
import * as Auth from "./src/Auth.ts"
import * as ThoughtSpotClient from "./src/ThoughtSpotClient.ts"

let resolves = true
try { import.meta.resolve("@effect/platform-node/NodeHttpClient") } catch { resolves = false }
const layer = ThoughtSpotClient.layerNode({ host: "http://127.0.0.1:9", auth: Auth.bearerToken("token") })
const exit = await Effect.runPromiseExit(Effect.scoped(Layer.build(layer)))
const failure = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
console.log(JSON.stringify({
  resolves,
  built: Exit.isSuccess(exit),
  typed: Exit.isFailure(exit) && exit.cause.reasons.every((r) => r._tag === "Fail"),
  isError: failure instanceof Error,
  tag: failure?._tag,
  package: failure?.package,
  range: failure?.range,
  detail: failure?.detail,
  message: failure?.message
}))
`

describe("layerNode without @effect/platform-node", () => {
  it("the-range-it-names-is-the-peer-dependency-of-the-package", () => {
    const own = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"))
    expect(own.peerDependencies[PLATFORM_NODE]).toBe(PLATFORM_NODE_RANGE)
    expect(own.peerDependenciesMeta[PLATFORM_NODE]).toEqual({ optional: true })
  })

  /**
   * Runs the build script from a folder outside the workspace holding this package's sources and `effect`, plus
   * whatever `prepare` puts in its `node_modules`; returns what the script printed.
   */
  const buildIn = (prepare: (nodeModules: string) => void) => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "spotpipe-core-without-platform-node-")))
    try {
      expect(relative(packageDir, dir).startsWith("..")).toBe(true)
      cpSync(join(packageDir, "src"), join(dir, "src"), { recursive: true })
      mkdirSync(join(dir, "node_modules"))
      symlinkSync(realpathSync(join(packageDir, "node_modules", "effect")), join(dir, "node_modules", "effect"))
      prepare(join(dir, "node_modules"))
      writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "without-platform-node", type: "module" }))
      writeFileSync(join(dir, "build.mjs"), buildScript)
      const run = spawnSync(process.execPath, ["build.mjs"], { cwd: dir, encoding: "utf8" })
      expect(run.stderr).toBe("")
      expect(run.status).toBe(0)
      return JSON.parse(run.stdout)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  const failedTyped = {
    built: false,
    typed: true,
    isError: true,
    tag: "MissingPlatformNode",
    package: "@effect/platform-node",
    range: PLATFORM_NODE_RANGE
  }

  const says = (detail: string): string =>
    `ThoughtSpotClient.layerNode needs the package @effect/platform-node@${PLATFORM_NODE_RANGE}, which could not be loaded (${detail}): install it next to effect (npm install @effect/platform-node@${PLATFORM_NODE_RANGE}), or give ThoughtSpotClient.layer your own HttpClient`

  it("layerNode-fails-with-a-typed-MissingPlatformNode-saying-what-to-install", () => {
    const out = buildIn(() => {})
    expect(out).toMatchObject({ resolves: false, ...failedTyped })
    // What Node's loader said, for a broken install; its wording is Node's.
    expect(out.detail).toContain("@effect/platform-node")
    expect(out.message).toBe(says(out.detail))
  })

  it("a-platform-node-made-for-another-effect-is-refused-the-same-way-not-a-defect", () => {
    // Effect 3's platform-node has a NodeHttpClient.layerUndici too, but its layers are not this effect's.
    const out = buildIn((nodeModules) => {
      const dir = join(nodeModules, "@effect", "platform-node")
      mkdirSync(dir, { recursive: true })
      const manifest = {
        name: "@effect/platform-node",
        version: "0.80.0",
        type: "module",
        exports: { "./*": "./*.js" }
      }
      writeFileSync(join(dir, "package.json"), JSON.stringify(manifest))
      writeFileSync(join(dir, "NodeHttpClient.js"), 'export const layerUndici = { [Symbol.for("effect/Layer")]: {} }\n')
    })
    expect(out).toMatchObject({ resolves: true, ...failedTyped })
    expect(out.message).toBe(
      says(
        `its NodeHttpClient loaded, but its layerUndici is not a Layer of the effect this package uses: a version outside ${PLATFORM_NODE_RANGE} is installed`
      )
    )
  })

  it("the-error-names-the-package-its-range-and-what-the-loader-said", () => {
    const error = new ThoughtSpotClient.MissingPlatformNode({ package: PLATFORM_NODE, range: "^4.1.0", detail: "gone" })
    expect(error.message).toBe(
      "ThoughtSpotClient.layerNode needs the package @effect/platform-node@^4.1.0, which could not be loaded (gone): install it next to effect (npm install @effect/platform-node@^4.1.0), or give ThoughtSpotClient.layer your own HttpClient"
    )
    expect(error._tag).toBe("MissingPlatformNode")
  })
})
