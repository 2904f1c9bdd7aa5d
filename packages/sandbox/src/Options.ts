/**
 * Sandbox options: their types, defaults and validation (with messages that say what to do). The command-line
 * flags that set them are in Flags.ts.
 */
import { Result, Schema } from "effect"
import { type FaultConfig, resolveFaults } from "./Faults.ts"
import type { OrderIds } from "./internal/Orders.ts"
import { isValidTimeZone } from "./internal/Zone.ts"

/** Time source for the sandbox; tests pass a controllable one instead of sleeping. */
export interface SandboxClock {
  /** Current time, epoch milliseconds. */
  readonly now: () => number
  /** Waits `ms` (injected latency and slow bodies go through this). */
  readonly sleep: (ms: number) => Promise<void>
}

/** Options of `startSandbox` (every field optional). */
export interface SandboxOptions {
  /** TCP port; default 0 (any free port). */
  readonly port?: number
  /** Bind address; default 127.0.0.1. */
  readonly host?: string
  /** Rows in the Orders model; default 10 000, up to 1 000 000 000 (generated lazily). */
  readonly rows?: number
  /** Cluster time zone (IANA); default America/Los_Angeles. */
  readonly timezone?: string
  /** Custom Calendar date cells: false (epoch seconds), true (`{"v":{"s":…}}`) or "with-end" (adds `e`). */
  readonly customCalendar?: boolean | "with-end"
  /**
   * Order ID range: "beyond-2^53" (default: from 9007199254740000, most above `Number.MAX_SAFE_INTEGER`, to
   * exercise exactness) or "safe" (from 1000000000000000: same digit count and page sizes, every ID exact as a
   * double — for benchmarks against plain `JSON.parse`).
   */
  readonly orderIds?: OrderIds
  /** Fault profile name (`none`, `flaky`, `rate-limit`, `slow`, `expiring-tokens`, `chaos`), JSON text, or object. */
  readonly faults?: string | FaultConfig
  /** Caps every token's validity in seconds (overrides the profile's). */
  readonly tokenValiditySeconds?: number
  /** Seed of the data and of fault decisions; default 1. */
  readonly seed?: number
  /** Trusted-auth secret key; default a random one per start. */
  readonly secretKey?: string
  /** Reject requests without `User-Agent` with 400 (ThoughtSpot documents it as required); default true. */
  readonly requireUserAgent?: boolean
  /** Error body shape: "nested" (live clusters, default) or "flat" (the spec's examples). */
  readonly errorShape?: "nested" | "flat"
  /** Receives one line per request (method, path, status, latency); default: no logging. */
  readonly log?: (line: string) => void
  /** Time source; default the system clock and real timers. */
  readonly clock?: SandboxClock
}

/** Options after defaults and validation. */
export interface ResolvedOptions {
  readonly port: number
  readonly host: string
  readonly rows: number
  readonly timezone: string
  readonly customCalendar: false | true | "with-end"
  readonly orderIds: OrderIds
  readonly faults: FaultConfig
  readonly tokenValiditySeconds: number | undefined
  readonly seed: number
  readonly secretKey: string | undefined
  readonly requireUserAgent: boolean
  readonly errorShape: "nested" | "flat"
  readonly log: ((line: string) => void) | undefined
  readonly clock: SandboxClock
}

/** A bad sandbox option; `message` says which and what to use instead. */
export class SandboxOptionError extends Schema.TaggedError<SandboxOptionError>()("SandboxOptionError", {
  message: Schema.String
}) {}

/** The system clock. */
export const systemClock: SandboxClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms))
}

/** The largest supported row count. */
export const maxRows = 1_000_000_000

/** Applies defaults and checks every option. */
export const resolveOptions = (options: SandboxOptions = {}): Result.Result<ResolvedOptions, SandboxOptionError> => {
  const fail = (message: string) => Result.fail(new SandboxOptionError({ message }))
  const port = options.port ?? 0
  if (!Number.isInteger(port) || port < 0 || port > 65535) return fail(`port must be an integer 0-65535, got ${port}`)
  const rows = options.rows ?? 10_000
  if (!Number.isInteger(rows) || rows < 0 || rows > maxRows)
    return fail(`rows must be an integer 0-${maxRows}, got ${rows}`)
  const timezone = options.timezone ?? "America/Los_Angeles"
  if (!isValidTimeZone(timezone))
    return fail(`timezone '${timezone}' is not an IANA time zone (e.g. America/Los_Angeles, UTC)`)
  const orderIds = options.orderIds ?? "beyond-2^53"
  if (orderIds !== "beyond-2^53" && orderIds !== "safe") {
    return fail(`orderIds must be "beyond-2^53" (default) or "safe", got '${String(orderIds)}'`)
  }
  const customCalendar = options.customCalendar ?? false
  if (customCalendar !== false && customCalendar !== true && customCalendar !== "with-end") {
    return fail(`customCalendar must be false (default), true or "with-end", got '${String(customCalendar)}'`)
  }
  const errorShape = options.errorShape ?? "nested"
  if (errorShape !== "nested" && errorShape !== "flat") {
    return fail(
      `errorShape must be "nested" (default, live clusters) or "flat" (the spec's), got '${String(errorShape)}'`
    )
  }
  const seed = options.seed ?? 1
  if (!Number.isSafeInteger(seed)) return fail(`seed must be an integer, got ${seed}`)
  const faults = resolveFaults(options.faults)
  if (typeof faults === "string") return fail(faults)
  const tokenValiditySeconds = options.tokenValiditySeconds ?? faults.tokenValiditySeconds
  if (tokenValiditySeconds !== undefined && !(tokenValiditySeconds > 0)) {
    return fail(`tokenValiditySeconds must be a positive number, got ${tokenValiditySeconds}`)
  }
  if (options.secretKey !== undefined && options.secretKey.length < 8)
    return fail("secretKey must be at least 8 characters")
  return Result.succeed({
    port,
    host: options.host ?? "127.0.0.1",
    rows,
    timezone,
    customCalendar,
    orderIds,
    faults,
    tokenValiditySeconds,
    seed,
    secretKey: options.secretKey,
    requireUserAgent: options.requireUserAgent ?? true,
    errorShape,
    log: options.log,
    clock: options.clock ?? systemClock
  })
}
