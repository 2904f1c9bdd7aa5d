/**
 * `spotpipe auth status`: signs in with the connection every command would use (flags, environment, profile) and
 * says who that is (`GET auth/session/user`), in which Org, on which cluster (`GET system`: version and time
 * zone), when a bearer token issued elsewhere expires (`POST auth/token/validate`), and where each setting came
 * from — never a secret. Credentials ThoughtSpot refuses end it with exit 1 and ThoughtSpot's reason, naming where
 * they came from.
 */
import type { ThoughtSpotApi, ThoughtSpotClient, ThoughtSpotError } from "@spotpipe/core"
import { Clock, Console, Effect, Redacted } from "effect"
import { Command, Flag } from "effect/cli"
import { type Connection, connectionLayers, resolveConnection } from "../cluster/Connection.ts"
import { openClient } from "../cluster/CoreCluster.ts"
import type { ExportError } from "../ExportError.ts"
import { fromThoughtSpot, setSignIn } from "../Failure.ts"
import { version } from "../Version.ts"
import { sandboxOrgRefused, sandboxUserRefused, signInOf, tokenOrgRefused, withLogging } from "./Commands.ts"
import { connectionFlags, logFlags, type Parsed, timeLimitFlags } from "./Flags.ts"
import { checkTimeLimits } from "./Settings.ts"
import { inert, jsonLine } from "./TerminalText.ts"

/** What `auth status` reports (also its `--json` form). */
export interface AuthStatus {
  readonly host: string
  readonly profile?: { readonly name: string; readonly chosen_by: string; readonly file: string }
  readonly auth: "password" | "secret-key" | "token"
  readonly user: { readonly name: string; readonly id: string; readonly display_name: string }
  readonly org?: { readonly id: number; readonly name: string }
  readonly cluster: {
    readonly version?: string
    readonly time_zone?: string
    /** Why the cluster's settings could not be read, when they could not. */
    readonly unavailable?: string
  }
  /**
   * The bearer token: `minted` (password, secret key) is spotpipe's own, renewed before it expires; `issued` (a
   * token from elsewhere, never renewed) has its expiry, or why it could not be read.
   */
  readonly token:
    | { readonly kind: "minted" }
    | {
        readonly kind: "issued"
        readonly expires_at?: string
        readonly expires_in_seconds?: number
        readonly unavailable?: string
      }
  /** Where each setting came from: `--host`, `THOUGHTSPOT_PASSWORD`, `profile "prod" (env:TS_PASSWORD)`, … */
  readonly sources: Readonly<Record<string, string>>
}

const methodNames = { Password: "password", SecretKey: "secret-key", BearerToken: "token" } as const

/** How `connection` signs in (the embedded sandbox: with a password). */
const methodOf = (connection: Connection) =>
  connection._tag === "Cluster" ? methodNames[connection.auth._tag] : "password"

/** How `connection` signs in, with where its host came from too (`THOUGHTSPOT_HOST`, a profile). */
const signInWithHost = (connection: Connection) => {
  const signIn = signInOf(connection)
  return signIn === undefined || connection._tag !== "Cluster" || connection.sources === undefined
    ? signIn
    : { ...signIn, hostFrom: connection.sources.host }
}

/** A failure of the status's own requests; refused credentials and an unreachable host name where they came from. */
const refused = (error: ThoughtSpotError.ThoughtSpotError, connection: Connection): ExportError =>
  fromThoughtSpot(error, "the signed-in user", signInWithHost(connection))

/** A span of time for people: `23 h 59 min`, `4 min 59 s`, `12 s`. */
export const formatSpan = (seconds: number): string => {
  const s = Math.abs(Math.round(seconds))
  const days = Math.floor(s / 86_400)
  const hours = Math.floor((s % 86_400) / 3_600)
  const minutes = Math.floor((s % 3_600) / 60)
  if (days > 0) return `${days} d ${hours} h`
  if (hours > 0) return `${hours} h ${minutes} min`
  return minutes > 0 ? `${minutes} min ${s % 60} s` : `${s} s`
}

/** The token's line: an issued token's expiry, absolute (UTC) and relative. */
const tokenText = (token: AuthStatus["token"]): string => {
  if (token.kind === "minted") return "minted at sign-in, renewed by spotpipe before it expires"
  if (token.expires_at === undefined || token.expires_in_seconds === undefined) {
    return `issued elsewhere, cannot be renewed; expiry unknown: ${token.unavailable ?? "not reported"}`
  }
  const relative =
    token.expires_in_seconds >= 0
      ? `in ${formatSpan(token.expires_in_seconds)}`
      : `${formatSpan(token.expires_in_seconds)} ago`
  return `issued elsewhere, cannot be renewed; expires ${token.expires_at} (${relative})`
}

/** The status lines for people. */
export const formatStatus = (status: AuthStatus): string => {
  const row = (label: string, value: string, from?: string) =>
    `  ${label.padEnd(9)} ${inert(value)}${from === undefined ? "" : `  (${inert(from)})`}`
  const { user, org, cluster, sources } = status
  return [
    `${inert(status.host)}`,
    row("user", `${user.name} (${user.display_name}, id ${user.id})`, sources["username"]),
    row("sign-in", status.auth, sources["secret"]),
    row("token", tokenText(status.token)),
    row("org", org === undefined ? "none reported" : `${org.name} (id ${org.id})`, sources["org_id"]),
    row(
      "cluster",
      cluster.unavailable !== undefined
        ? `not readable: ${cluster.unavailable}`
        : `version ${cluster.version ?? "unknown"}, time zone ${cluster.time_zone ?? "unknown"}`
    ),
    row("host", status.host, sources["host"]),
    ...(status.profile === undefined
      ? []
      : [row("profile", status.profile.name, `${status.profile.chosen_by}, ${status.profile.file}`)])
  ].join("\n")
}

/**
 * The status as `--json` prints it: every key of the documented shape present whatever the cluster and the
 * connection tell, `null` for what is unknown or not given (no profile, no Org reported, a user from nowhere), so
 * that a script reads `.profile.name` or `.sources.org_id` without checking first that the key is there.
 */
export const statusJson = (status: AuthStatus): string =>
  jsonLine({
    host: status.host,
    profile: status.profile ?? null,
    auth: status.auth,
    user: status.user,
    org: status.org ?? null,
    cluster: {
      version: status.cluster.version ?? null,
      time_zone: status.cluster.time_zone ?? null,
      unavailable: status.cluster.unavailable ?? null
    },
    token:
      status.token.kind === "minted"
        ? status.token
        : {
            kind: status.token.kind,
            expires_at: status.token.expires_at ?? null,
            expires_in_seconds: status.token.expires_in_seconds ?? null,
            unavailable: status.token.unavailable ?? null
          },
    sources: {
      host: status.sources["host"] ?? null,
      username: status.sources["username"] ?? null,
      secret: status.sources["secret"] ?? null,
      org_id: status.sources["org_id"] ?? null
    }
  })

/**
 * An issued token's expiry from `POST auth/token/validate` (ThoughtSpot 9.12 and later); a cluster that cannot
 * say gives the reason instead.
 */
const issuedToken = (
  client: ThoughtSpotClient.Service,
  token: Redacted.Redacted<string>
): Effect.Effect<AuthStatus["token"]> =>
  client
    .request({ method: "POST", path: "auth/token/validate", body: JSON.stringify({ token: Redacted.value(token) }) })
    .pipe(
      Effect.flatMap((response) =>
        Effect.gen(function* () {
          const body: unknown = JSON.parse(new TextDecoder().decode(response.bytes))
          const expiry = (body as { readonly expiration_time_in_millis?: unknown } | null)?.expiration_time_in_millis
          if (typeof expiry !== "number" || !Number.isFinite(expiry)) {
            return { kind: "issued" as const, unavailable: "the answer has no expiration_time_in_millis" }
          }
          const now = yield* Clock.currentTimeMillis
          return {
            kind: "issued" as const,
            expires_at: new Date(expiry).toISOString(),
            expires_in_seconds: Math.floor((expiry - now) / 1000)
          }
        })
      ),
      Effect.catch((e) => Effect.succeed({ kind: "issued" as const, unavailable: e.message })),
      Effect.catchDefect(() => Effect.succeed({ kind: "issued" as const, unavailable: "the answer is not JSON" }))
    )

const statusCommand = Command.make(
  "status",
  {
    ...connectionFlags,
    ...timeLimitFlags,
    ...logFlags,
    json: Flag.Boolean("json").pipe(
      Flag.withDefault(false),
      Flag.withDescription("print the status as one JSON object on stdout")
    )
  },
  (input: Parsed<typeof connectionFlags & typeof timeLimitFlags & typeof logFlags> & { readonly json: boolean }) =>
    // Retries are logged: on stderr in spotpipe's format, so stdout holds only the status (`--json`).
    withLogging(input, () =>
      Effect.gen(function* () {
        const limits = yield* checkTimeLimits(input)
        yield* sandboxUserRefused(input)
        yield* sandboxOrgRefused(input)
        const { layers, profile } = yield* connectionLayers(input)
        // No prompt: a status check runs unattended as often as by hand.
        const connection = yield* resolveConnection(layers)
        yield* tokenOrgRefused(connection, layers)
        const signIn = signInWithHost(connection)
        if (signIn !== undefined) yield* setSignIn(signIn)
        let sources: Record<string, string> = { host: "--sandbox", username: "--sandbox", secret: "--sandbox" }
        if (connection._tag === "Cluster") {
          const { username, orgId, ...rest } = connection.sources ?? { host: "", secret: "" }
          sources = {
            ...rest,
            ...(username === undefined ? {} : { username }),
            ...(orgId === undefined ? {} : { org_id: orgId })
          }
        }
        const { host, client } = yield* openClient(connection, { version, ...limits })
        const user: ThoughtSpotApi.CurrentUser = yield* client.currentUser.pipe(
          Effect.mapError((e) => refused(e, connection))
        )
        // The cluster's settings may be closed to this user: say so, the sign-in itself worked.
        const system = yield* client.system.pipe(
          Effect.map((info) => ({
            ...(info.release_version == null ? {} : { version: info.release_version }),
            ...(info.time_zone == null ? {} : { time_zone: info.time_zone })
          })),
          Effect.catch((e) => Effect.succeed({ unavailable: fromThoughtSpot(e, "the cluster's settings").message }))
        )
        const token: AuthStatus["token"] =
          connection._tag === "Cluster" && connection.auth._tag === "BearerToken"
            ? yield* issuedToken(client, connection.auth.token)
            : { kind: "minted" }
        const status: AuthStatus = {
          host,
          ...(profile === undefined
            ? {}
            : { profile: { name: profile.name, chosen_by: profile.chosenBy, file: profile.path } }),
          auth: methodOf(connection),
          user: { name: user.name, id: user.id, display_name: user.display_name },
          ...(user.current_org == null ? {} : { org: { id: user.current_org.id, name: user.current_org.name } }),
          cluster: system,
          token,
          sources
        }
        yield* Console.log(input.json ? statusJson(status) : formatStatus(status))
      })
    )
).pipe(
  Command.withDescription(
    "Sign in as an export would and show who you are (user, id, display name), the Org, the cluster's version and time zone, and where the host and each credential came from (flag, environment, profile); exit 1 with ThoughtSpot's reason when it refuses the credentials"
  ),
  Command.withExamples([
    { command: "spotpipe auth status --profile prod", description: "check prod's credentials" },
    { command: "spotpipe auth status --sandbox --json", description: "as JSON" }
  ])
)

/** `spotpipe auth …`. */
export const authCommand = Command.make("auth").pipe(
  Command.withDescription("Check the credentials spotpipe would sign in with"),
  Command.withExamples([
    { command: "spotpipe auth status", description: "who am I, with the settings every command would use" }
  ]),
  Command.withSubcommands([statusCommand])
)
