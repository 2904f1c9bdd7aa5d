/**
 * @spotpipe/sandbox — a ThoughtSpot REST API v2.0-compatible local server with a seeded retail model,
 * token lifecycle, rate limits and reproducible fault injection. Its command-line flags (effect/cli) are a
 * module of their own, `@spotpipe/sandbox/flags`, so that a program using the server does not load them.
 */
export {
  defaultRateLimit,
  type FaultConfig,
  type FaultKind,
  faultProfileNames,
  faultProfiles,
  type RateLimit,
  type RouteFaults
} from "./Faults.ts"
export { type FixtureObject, fixtures } from "./Fixtures.ts"
export type { SavedObject } from "./internal/Edits.ts"
export type { Touched } from "./internal/Modified.ts"
export type { OrderIds } from "./internal/Orders.ts"
export { maxRows, type SandboxClock, SandboxOptionError, type SandboxOptions, systemClock } from "./Options.ts"
export { type RunningSandbox, Sandbox, type SandboxStats, startSandbox } from "./Sandbox.ts"
