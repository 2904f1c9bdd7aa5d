/**
 * Fault injection and rate limiting, seeded and reproducible. Faults are decided per attempt: the n-th request
 * to a route gets the outcome hash(seed, route, n) picks, so a retry is a fresh draw and never a permanent
 * failure; after `maxConsecutiveFaults` faulted attempts in a row on a route the next one is clean, so a client
 * that retries one request at a time gets through (the streak is per route, shared by concurrent requests, and the
 * rate limiter's 429s do not count toward it). Profiles are named presets of the same JSON shape.
 */
import { fnv1a, hash3 } from "./internal/Hash.ts"

/** Per-route fault probabilities (0..1, per attempt) and delays. */
export interface RouteFaults {
  /** HTTP 500 with a ThoughtSpot error body (code 10000). */
  readonly error500?: number
  /** HTTP 502 (gateway), with an error body. */
  readonly error502?: number
  /** HTTP 503 (unavailable), with an error body. */
  readonly error503?: number
  /** HTTP 429, as if rate limited. */
  readonly error429?: number
  /** The connection is reset (TCP RST) after about half of the body was sent. */
  readonly reset?: number
  /** The connection is closed (FIN) after about half of the body, short of the announced Content-Length. */
  readonly disconnect?: number
  /** A 200 whose body stops halfway (framing consistent, JSON incomplete). */
  readonly truncate?: number
  /** A 200 whose body is not valid JSON (a corrupted span in the middle). */
  readonly malformed?: number
  /** Added latency before the response: a fixed delay or a uniform [min, max] range, in ms. */
  readonly latencyMs?: number | readonly [number, number]
  /** Every body is sent in chunks of `chunkBytes`, `delayMs` apart. */
  readonly slowBody?: { readonly chunkBytes: number; readonly delayMs: number }
}

/** A rate limit per client IP: a token bucket of `perSecond + burst` tokens refilled at `perSecond`. */
export interface RateLimit {
  readonly perSecond: number
  readonly burst: number
}

/** The whole fault configuration (what a profile name expands to; also accepted as JSON). */
export interface FaultConfig {
  /** Faults by route (path below `/api/rest/2.0/`, e.g. `searchdata`, `metadata/answer/data`); `*` for the rest. */
  readonly routes?: Readonly<Record<string, RouteFaults>>
  /** `false` disables it; default ThoughtSpot's documented 100 req/s + burst 10. */
  readonly rateLimit?: RateLimit | false
  /** Whether 429 responses carry `Retry-After` (ThoughtSpot documents none; default false). */
  readonly retryAfter?: boolean
  /** Caps every issued token's validity (a short validity forces refreshes). */
  readonly tokenValiditySeconds?: number
  /** After this many faulted attempts in a row on one route, the next attempt is clean (default 3). */
  readonly maxConsecutiveFaults?: number
}

/** Named fault profiles. */
export const faultProfiles: Readonly<Record<string, FaultConfig>> = {
  none: {},
  flaky: {
    routes: {
      "*": {
        error500: 0.04,
        error502: 0.03,
        error503: 0.03,
        error429: 0.05,
        reset: 0.01,
        disconnect: 0.01,
        truncate: 0.02
      }
    },
    retryAfter: true
  },
  "rate-limit": { rateLimit: { perSecond: 5, burst: 2 }, retryAfter: true },
  slow: { routes: { "*": { latencyMs: [20, 200], slowBody: { chunkBytes: 65_536, delayMs: 5 } } } },
  "expiring-tokens": { tokenValiditySeconds: 5 },
  chaos: {
    routes: {
      "*": {
        error500: 0.05,
        error502: 0.05,
        error503: 0.05,
        error429: 0.1,
        reset: 0.03,
        disconnect: 0.02,
        truncate: 0.05,
        malformed: 0.03,
        latencyMs: [0, 50]
      }
    },
    rateLimit: { perSecond: 50, burst: 10 },
    retryAfter: true,
    tokenValiditySeconds: 30,
    maxConsecutiveFaults: 4
  }
}

/** Names of the built-in profiles. */
export const faultProfileNames: ReadonlyArray<string> = Object.keys(faultProfiles)

/** The documented ThoughtSpot limit (26.2.0.cl+): 100 requests/s per client IP plus a burst of 10. */
export const defaultRateLimit: RateLimit = { perSecond: 100, burst: 10 }

const probabilityKeys = [
  "error500",
  "error502",
  "error503",
  "error429",
  "reset",
  "disconnect",
  "truncate",
  "malformed"
] as const

/** What the injector decided for one attempt. */
export type FaultKind = (typeof probabilityKeys)[number]

/**
 * The routes the sandbox serves (paths below `/api/rest/2.0/`), the keys `faults.routes` may name besides `*`.
 * Listed here, not taken from the route table, so that checking flags loads none of the server; the server
 * checks at start that its table has exactly these.
 */
export const faultRoutes: ReadonlyArray<string> = [
  "auth/session/login",
  "auth/session/logout",
  "auth/session/token",
  "auth/session/user",
  "auth/token/full",
  "auth/token/object",
  "auth/token/revoke",
  "auth/token/validate",
  "groups/search",
  "logs/fetch",
  "metadata/answer/data",
  "metadata/delete",
  "metadata/liveboard/data",
  "metadata/search",
  "metadata/tml/export",
  "metadata/tml/export/batch",
  "orgs/search",
  "roles/search",
  "searchdata",
  "security/metadata/fetch-permissions",
  "system",
  "tags/search",
  "users/search"
]

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)
const isNonNegative = (u: unknown): u is number => typeof u === "number" && Number.isFinite(u) && u >= 0

/** Checks a fault configuration read from JSON; returns it typed, or a message saying what is wrong. */
export const validateFaultConfig = (input: unknown): FaultConfig | string => {
  if (!isObject(input)) return "faults must be a profile name or a JSON object"
  const known = ["routes", "rateLimit", "retryAfter", "tokenValiditySeconds", "maxConsecutiveFaults"]
  for (const k of Object.keys(input))
    if (!known.includes(k)) return `unknown faults key '${k}' (known: ${known.join(", ")})`
  if (input["routes"] !== undefined) {
    if (!isObject(input["routes"])) return "faults.routes must be an object keyed by route"
    for (const [route, spec] of Object.entries(input["routes"])) {
      // A key no request matches would inject nothing, silently: a chaos run would pass without faults.
      if (route !== "*" && !faultRoutes.includes(route)) {
        return `faults.routes has no route ${JSON.stringify(route)}: use "*" or a path below /api/rest/2.0/ without a leading slash, one of ${faultRoutes.join(", ")}`
      }
      if (!isObject(spec)) return `faults.routes["${route}"] must be an object`
      for (const [k, v] of Object.entries(spec)) {
        if ((probabilityKeys as ReadonlyArray<string>).includes(k)) {
          if (!isNonNegative(v) || v > 1) return `faults.routes["${route}"].${k} must be a probability between 0 and 1`
        } else if (k === "latencyMs") {
          const ok =
            isNonNegative(v) || (Array.isArray(v) && v.length === 2 && v.every(isNonNegative) && v[0]! <= v[1]!)
          if (!ok) return `faults.routes["${route}"].latencyMs must be a number of ms or a [min, max] pair`
        } else if (k === "slowBody") {
          if (!isObject(v) || !isNonNegative(v["delayMs"]) || !isNonNegative(v["chunkBytes"]) || v["chunkBytes"] < 1) {
            return `faults.routes["${route}"].slowBody must be { "chunkBytes": n ≥ 1, "delayMs": n ≥ 0 }`
          }
        } else return `unknown fault '${k}' in faults.routes["${route}"]`
      }
      const total = probabilityKeys.reduce((sum, k) => sum + (typeof spec[k] === "number" ? spec[k] : 0), 0)
      if (total > 1) return `faults.routes["${route}"]: the fault probabilities add up to more than 1`
    }
  }
  const rl = input["rateLimit"]
  if (rl !== undefined && rl !== false) {
    if (!isObject(rl) || !isNonNegative(rl["perSecond"]) || rl["perSecond"] <= 0 || !isNonNegative(rl["burst"])) {
      return 'faults.rateLimit must be false or { "perSecond": n > 0, "burst": n ≥ 0 }'
    }
  }
  if (input["retryAfter"] !== undefined && typeof input["retryAfter"] !== "boolean")
    return "faults.retryAfter must be a boolean"
  const tv = input["tokenValiditySeconds"]
  if (tv !== undefined && (!isNonNegative(tv) || tv <= 0))
    return "faults.tokenValiditySeconds must be a positive number"
  const mc = input["maxConsecutiveFaults"]
  if (mc !== undefined && (!Number.isInteger(mc) || (mc as number) < 0))
    return "faults.maxConsecutiveFaults must be an integer ≥ 0"
  return input as FaultConfig
}

/** Resolves a profile name, a JSON text or an object to a configuration, or a message saying what is wrong. */
export const resolveFaults = (faults: string | FaultConfig | undefined): FaultConfig | string => {
  if (faults === undefined) return {}
  if (typeof faults !== "string") return validateFaultConfig(faults)
  const profile = faultProfiles[faults]
  if (profile !== undefined) return profile
  if (faults.trim().startsWith("{")) {
    try {
      return validateFaultConfig(JSON.parse(faults))
    } catch {
      return "faults JSON could not be parsed"
    }
  }
  return `unknown fault profile '${faults}'; use one of ${faultProfileNames.join(", ")} or a JSON object`
}

/** One attempt's injected behaviour. */
export interface FaultDecision {
  readonly kind: FaultKind | undefined
  readonly latencyMs: number
  readonly slowBody: RouteFaults["slowBody"]
}

/** Decides faults per route and attempt, deterministically from the seed. */
export class FaultInjector {
  readonly config: FaultConfig
  readonly seed: number
  readonly #attempts = new Map<string, number>()
  readonly #streak = new Map<string, number>()
  constructor(config: FaultConfig, seed: number) {
    this.config = config
    this.seed = seed
  }

  /** The decision for the next attempt on `route`. */
  next(route: string): FaultDecision {
    const spec = this.config.routes?.[route] ?? this.config.routes?.["*"]
    if (spec === undefined) return { kind: undefined, latencyMs: 0, slowBody: undefined }
    const n = this.#attempts.get(route) ?? 0
    this.#attempts.set(route, n + 1)
    const salt = fnv1a(route)
    const u = hash3(this.seed ^ salt, n, 1) / 4294967296
    let kind: FaultKind | undefined
    let acc = 0
    for (const k of probabilityKeys) {
      acc += spec[k] ?? 0
      if (u < acc) {
        kind = k
        break
      }
    }
    const streak = this.#streak.get(route) ?? 0
    if (kind !== undefined && streak >= (this.config.maxConsecutiveFaults ?? 3)) kind = undefined
    this.#streak.set(route, kind === undefined ? 0 : streak + 1)
    const lat = spec.latencyMs
    const latencyMs =
      lat === undefined
        ? 0
        : typeof lat === "number"
          ? lat
          : Math.round(lat[0] + (hash3(this.seed ^ salt, n, 2) / 4294967296) * (lat[1] - lat[0]))
    return { kind, latencyMs, slowBody: spec.slowBody }
  }
}

/** Token buckets per client address. */
export class RateLimiter {
  readonly limit: RateLimit
  readonly #buckets = new Map<string, { tokens: number; atMs: number }>()
  constructor(limit: RateLimit) {
    this.limit = limit
  }

  /** Takes one token for `client` at `nowMs`; returns 0 when allowed, else the ms until a token is available. */
  take(client: string, nowMs: number): number {
    const capacity = this.limit.perSecond + this.limit.burst
    const b = this.#buckets.get(client) ?? { tokens: capacity, atMs: nowMs }
    b.tokens = Math.min(capacity, b.tokens + ((nowMs - b.atMs) * this.limit.perSecond) / 1000)
    b.atMs = nowMs
    this.#buckets.set(client, b)
    if (b.tokens >= 1) {
      b.tokens -= 1
      return 0
    }
    return Math.ceil(((1 - b.tokens) * 1000) / this.limit.perSecond)
  }
}
