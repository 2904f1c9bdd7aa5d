/** `layerNode` names the Node.js it needs: the version comparison, and that version kept equal to undici's. */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import * as Auth from "../src/Auth.ts"
import { isAtLeast, MIN_NODE_VERSION } from "../src/internal/nodeVersion.ts"
import * as ThoughtSpotClient from "../src/ThoughtSpotClient.ts"

describe("the Node.js layerNode needs", () => {
  it("versions-compare-by-major-minor-patch", () => {
    expect(isAtLeast("v22.19.0", "22.19.0")).toBe(true)
    expect(isAtLeast("22.19.1", "22.19.0")).toBe(true)
    expect(isAtLeast("22.20.0", "22.19.0")).toBe(true)
    expect(isAtLeast("24.0.0", "22.19.0")).toBe(true)
    expect(isAtLeast("100.0.0", "22.19.0")).toBe(true)
    expect(isAtLeast("22.18.9", "22.19.0")).toBe(false)
    expect(isAtLeast("v20.20.2", "22.19.0")).toBe(false)
    expect(isAtLeast("22.9.0", "22.19.0")).toBe(false) // numbers, not text: 9 < 19
    expect(isAtLeast("18.20.8", "22.19.0")).toBe(false)
    // A runtime whose version cannot be read is not refused on a guess.
    expect(isAtLeast("unknown", "22.19.0")).toBe(true)
  })

  it("the-minimum-is-undicis-and-the-packages-engines", () => {
    const own = JSON.parse(readFileSync(fileURLToPath(new URL("../package.json", import.meta.url)), "utf8"))
    expect(own.engines.node).toBe(`>=${MIN_NODE_VERSION}`)
    // undici as @effect/platform-node resolves it: the client that fails to load on older Node.
    const fromPlatform = createRequire(import.meta.resolve("@effect/platform-node/NodeHttpClient"))
    const undici = JSON.parse(readFileSync(fromPlatform.resolve("undici/package.json"), "utf8"))
    expect(undici.engines.node).toBe(`>=${MIN_NODE_VERSION}`)
  })

  it.effect("on-this-node-the-layer-builds-and-the-refusal-names-both-versions", () =>
    Effect.gen(function* () {
      expect(isAtLeast(process.versions.node, MIN_NODE_VERSION)).toBe(true)
      // Building sends nothing (a bearer token is not minted), so a closed port will do.
      const options = { host: "http://127.0.0.1:9", auth: Auth.bearerToken("token") }
      const built = yield* Effect.exit(Effect.scoped(Layer.build(ThoughtSpotClient.layerNode(options))))
      expect(Exit.isSuccess(built)).toBe(true)
      const message = new ThoughtSpotClient.UnsupportedNode({ required: MIN_NODE_VERSION, running: "20.20.2" }).message
      expect(message).toBe(
        "ThoughtSpotClient.layerNode needs Node.js 22.19.0 or later (its HTTP client, undici, does not load on older versions); this is Node.js 20.20.2: upgrade Node.js"
      )
    })
  )
})
