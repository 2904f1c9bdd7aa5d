/**
 * The {@link Cluster} seam implemented on `@spotpipe/core`'s `ThoughtSpotClient`. (Placeholder until the core
 * client is published: every connection fails with a clear message.)
 */
import { Effect, type Scope } from "effect"
import type { Cluster } from "./Cluster.ts"
import { ExportError } from "./ExportError.ts"
import type { Connection } from "./OptionGate.ts"
import type { UsageError } from "./UsageError.ts"

/** Client settings that come from the command line. */
export interface ConnectOptions {
  readonly version: string
  readonly pageSize: number
  readonly concurrency: number
}

/** Connects to the cluster (or starts the embedded sandbox) for the lifetime of the scope. */
export const connect = (
  _connection: Connection,
  _options: ConnectOptions
): Effect.Effect<Cluster<ExportError>, ExportError | UsageError, Scope.Scope> =>
  Effect.fail(new ExportError({ kind: "Remote", message: "the @spotpipe/core client is not available yet" }))
