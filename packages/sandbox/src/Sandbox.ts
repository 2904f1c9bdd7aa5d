/**
 * `startSandbox`: a ThoughtSpot REST v2.0-compatible server on loopback, for tests, benchmarks, the demo and the
 * `spotpipe sandbox` command. Also available as an Effect service (`Sandbox.layer`) whose scope closes it.
 */
import { randomBytes } from "node:crypto"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { Context, Effect, Layer, Result } from "effect"
import type { FaultKind } from "./Faults.ts"
import { AuthStore } from "./internal/Auth.ts"
import { CatalogEdits, type SavedObject } from "./internal/Edits.ts"
import { Engine } from "./internal/Engine.ts"
import { ModifiedTimes, type Touched } from "./internal/Modified.ts"
import { orgs } from "./internal/Orgs.ts"
import { makeListener, type WireStats } from "./internal/Server.ts"
import { resolveOptions, SandboxOptionError, type SandboxOptions } from "./Options.ts"

/** Counters since start. */
export interface SandboxStats {
  readonly requests: number
  /** Most requests being answered at once (from arrival until the response is finished or dropped). */
  readonly peakInFlight: number
  /** Responses by HTTP status. */
  readonly byStatus: Readonly<Record<string, number>>
  /** Faults actually injected, by kind. */
  readonly faultsInjected: Readonly<Record<FaultKind, number>>
  /** Requests refused by the rate limiter. */
  readonly rateLimited: number
  readonly tokensIssued: number
  /** Tokens revoked (by `auth/token/revoke` or `revokeAllTokens`), each counted once. */
  readonly tokensRevoked: number
  readonly pagesRendered: number
  readonly pageCacheHits: number
  /** Pages rendered ahead of a sequential reader. */
  readonly lookAheadRenders: number
}

/** A started sandbox. */
export interface RunningSandbox {
  /** e.g. `http://127.0.0.1:41234` (no trailing slash); the API base is `${url}/api/rest/2.0`. */
  readonly url: string
  /** The trusted-auth secret key (sandbox only). */
  readonly secretKey: string
  /** The effective options. */
  readonly rows: number
  readonly timezone: string
  readonly seed: number
  /** Counters since start. */
  readonly stats: () => SandboxStats
  /** Revokes every issued token and closes every session (forced revocation); returns how many tokens. */
  readonly revokeAllTokens: () => number
  /**
   * Marks objects (GUIDs of any org) as modified now (the sandbox clock; always later than before), so that
   * `metadata/search` reports the new `modified`. Throws for an unknown id, changing nothing. The same is
   * `POST ${url}/__sandbox/touch` with `{"ids":[…]}` for tests that drive a sandbox in another process.
   */
  readonly touch: (ids: ReadonlyArray<string>) => ReadonlyArray<Touched>
  /**
   * Renames an object (a GUID of any org) and marks it modified now, as a rename on a cluster does (ThoughtSpot
   * renames through TML import, which the sandbox lacks): `metadata/search` and TML export give the new name. Throws
   * for an unknown or deleted id, changing nothing. The same is `POST ${url}/__sandbox/rename` with `{"id","name"}`.
   * Objects are deleted through the API's own `metadata/delete`.
   */
  readonly rename: (id: string, name: string) => { readonly id: string; readonly name: string }
  /**
   * Saves a new answer (`{answer, query}`: one search query over the Orders model) or liveboard (`{liveboard,
   * visualizations: [[name, query], …]}`) in the Primary org, as an author does on a cluster (ThoughtSpot saves
   * through its UI or TML import, which the sandbox lacks): listed, described, exported as TML and read like the
   * built-in ones, by the full-access user. Throws for a query the sandbox cannot run or a name taken, changing
   * nothing.
   */
  readonly save: (saved: SavedObject) => { readonly id: string; readonly name: string }
  /**
   * Adds `count` rows to the Orders table (orders arriving between two exports; `rows` grows): the rows there were
   * stay as they are, the new ones have the next Order IDs and seeded values like the others.
   */
  readonly addRows: (count: number) => void
  /** Stops listening and drops open connections. */
  readonly close: () => Promise<void>
}

/** Starts a sandbox; rejects with `SandboxOptionError` for bad options or a port that cannot be bound. */
export const startSandbox = async (options: SandboxOptions = {}): Promise<RunningSandbox> => {
  const checked = resolveOptions(options)
  if (Result.isFailure(checked)) throw checked.failure
  const resolved = checked.success
  const secretKey = resolved.secretKey ?? randomBytes(18).toString("base64url")
  const auth = new AuthStore()
  const modified = new ModifiedTimes()
  const edits = new CatalogEdits(modified)
  const engine = new Engine(resolved.seed, resolved.rows, resolved.timezone, resolved.customCalendar, resolved.orderIds)
  const wire: WireStats = {
    requests: 0,
    inFlight: 0,
    peakInFlight: 0,
    byStatus: {},
    faultsInjected: {
      error500: 0,
      error502: 0,
      error503: 0,
      error429: 0,
      reset: 0,
      disconnect: 0,
      truncate: 0,
      malformed: 0
    },
    rateLimited: 0
  }
  const server = createServer(
    { keepAliveTimeout: 30_000 },
    makeListener(resolved, secretKey, auth, engine, wire, modified, edits)
  )
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      const where = `${resolved.host}:${resolved.port}`
      const hint =
        e.code === "EADDRINUSE"
          ? `port ${resolved.port} is already in use on ${resolved.host}; choose another port (0 picks a free one)`
          : `cannot listen on ${where} (${e.code ?? e.message}); check host and port`
      reject(new SandboxOptionError({ message: hint }))
    }
    server.once("error", onError)
    server.listen(resolved.port, resolved.host, () => {
      server.off("error", onError)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address
  return {
    url: `http://${host}:${address.port}`,
    secretKey,
    get rows() {
      return engine.rows
    },
    timezone: resolved.timezone,
    seed: resolved.seed,
    stats: () => ({
      requests: wire.requests,
      peakInFlight: wire.peakInFlight,
      byStatus: { ...wire.byStatus },
      faultsInjected: { ...wire.faultsInjected },
      rateLimited: wire.rateLimited,
      tokensIssued: auth.issued,
      tokensRevoked: auth.revoked,
      pagesRendered: engine.stats.pagesRendered,
      pageCacheHits: engine.stats.pageCacheHits,
      lookAheadRenders: engine.stats.lookAheadRenders
    }),
    revokeAllTokens: () => auth.revokeAll(),
    touch: (ids) => modified.touch(ids, resolved.clock.now(), (id) => edits.find(id, orgs)),
    rename: (id, name) => edits.rename(id, name, orgs, resolved.clock.now()),
    save: (saved) => edits.save(saved, orgs[0]!, resolved.clock.now()),
    addRows: (count) => {
      if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`addRows takes a row count, not ${count}`)
      engine.addRows(count)
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}

/** The sandbox as an Effect service: started when the layer is built, closed with its scope. */
export class Sandbox extends Context.Service<Sandbox, RunningSandbox>()("@spotpipe/sandbox/Sandbox") {
  /** A layer that starts a sandbox with `options` and closes it on release. */
  static readonly layer = (options: SandboxOptions = {}): Layer.Layer<Sandbox, SandboxOptionError> =>
    Layer.effect(
      Sandbox,
      Effect.acquireRelease(
        Effect.tryPromise({
          try: () => startSandbox(options),
          catch: (e) =>
            e instanceof SandboxOptionError
              ? e
              : new SandboxOptionError({ message: `cannot start the sandbox: ${String(e)}` })
        }),
        (s) => Effect.promise(() => s.close())
      )
    )
}
