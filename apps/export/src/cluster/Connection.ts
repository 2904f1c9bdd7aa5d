/**
 * Which cluster to talk to and how to sign in, resolved from layered settings: each source (the command line, a
 * job file's `connection`, the ambient THOUGHTSPOT_* environment, …) is one {@link ConnectionLayer}, a partial set
 * of settings with a label, and {@link resolveConnection} takes every field from the first layer that sets it. A
 * layer may name a variable that is not set: that stops the search (a job that names `NIGHTLY_PW` never falls back
 * to THOUGHTSPOT_PASSWORD) and the message names the variable, never a value. Secrets stay `Redacted` and never
 * come from argv (see {@link rejectSecretFlags}); the result is `@spotpipe/core`'s own auth description. One host
 * rule (`checkHostUrl`, HostUrl.ts) serves every entry point. A secret that belongs to one host (a profile's, or the
 * environment's when THOUGHTSPOT_HOST is set; see {@link ConnectionLayer.secretFor}) is set aside, never sent, when
 * another host is in effect.
 */
import type { Auth } from "@spotpipe/core"
import { Config, ConfigProvider, Effect, FileSystem, Option, Redacted, Schema } from "effect"
import { setHostSource } from "../Failure.ts"
import { shellWord } from "../Interruption.ts"
import { errnoCode, readProblem } from "../output/OutputFolder.ts"
import { readStdin, stdinIsTerminal } from "../Stdin.ts"
import { closest, didYouMean } from "../Suggest.ts"
import { UsageError } from "../UsageError.ts"
import { checkHostUrl } from "./HostUrl.ts"
import {
  configPath,
  configVariables,
  formatSecretSource,
  type Profile,
  parseSecretSource,
  readConfigFile,
  readKeychain
} from "./Profiles.ts"

/** The NAME of an environment variable (a job file names a secret by it, never gives its value). */
export const EnvName = Schema.String.check(
  Schema.isPattern(/^[A-Za-z_][A-Za-z0-9_]*$/, {
    message: "must be the NAME of an environment variable (like THOUGHTSPOT_PASSWORD), not its value"
  })
)
/** Text of a setting (here and in the rest of a job file): not empty. */
export const SettingText = Schema.String.check(Schema.isMinLength(1, { message: "must not be empty" }))

/**
 * How to connect (a job file's `connection`): literal host and user are fine; secrets only by the name of the
 * variable that holds them.
 */
export const ConnectionSpec = Schema.Struct({
  host: Schema.optionalKey(SettingText),
  hostEnv: Schema.optionalKey(EnvName),
  username: Schema.optionalKey(SettingText),
  usernameEnv: Schema.optionalKey(EnvName),
  passwordEnv: Schema.optionalKey(EnvName),
  secretKeyEnv: Schema.optionalKey(EnvName),
  tokenEnv: Schema.optionalKey(EnvName),
  orgId: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(0, { message: "must be 0 or more" }))),
  /** Permits plain `http://` to a host that is not loopback (refused otherwise). */
  allowInsecureHttp: Schema.optionalKey(Schema.Boolean)
})
/** See {@link ConnectionSpec}. */
export type ConnectionSpec = typeof ConnectionSpec.Type

/** How spotpipe signs in to a cluster: core's methods that fit an export (secrets stay `Redacted`). */
export type ClusterAuth = Auth.Password | Auth.SecretKey | Auth.BearerToken

/**
 * Where each setting of a cluster connection came from: `--host`, `THOUGHTSPOT_PASSWORD`, `the job file's "host"`,
 * `profile "prod" (env:TS_PASSWORD)`, `a prompt` (never a value).
 */
export interface ConnectionSources {
  readonly host: string
  readonly username?: string
  readonly secret: string
  readonly orgId?: string
}

/** Which cluster to talk to: the embedded sandbox, or a host with its sign-in (and where each setting came from). */
export type Connection =
  | { readonly _tag: "Sandbox" }
  | {
      readonly _tag: "Cluster"
      readonly host: string
      readonly auth: ClusterAuth
      readonly sources?: ConnectionSources
    }

/** A secret and what kind it is. */
export interface Secret {
  readonly kind: "password" | "secretKey" | "token"
  readonly value: Redacted.Redacted<string>
}

/** What a layer says about one field: a value (and where it came from), or a variable it names that is not set. */
export type Setting<A> =
  | { readonly _tag: "Given"; readonly value: A; readonly from: string }
  | { readonly _tag: "Unset"; readonly variable: string; readonly what: string; readonly empty?: boolean }

/** One source of connection settings; a field it leaves out comes from the next layer. */
export interface ConnectionLayer {
  /** Names the source in messages, e.g. "the job file". */
  readonly label: string
  /** `--sandbox`: the embedded sandbox instead of a cluster. */
  readonly sandbox?: boolean
  readonly host?: Setting<string>
  readonly username?: Setting<string>
  readonly secret?: Setting<Secret>
  readonly orgId?: number
  /** Names where `orgId` came from (default: the label), e.g. `--org-id`. */
  readonly orgIdFrom?: string
  /** Permits plain `http://` to a host that is not loopback. */
  readonly allowInsecureHttp?: boolean
  /**
   * The host this layer's secret belongs to (set when the layer holds one, read or not): with another host in
   * effect the secret is set aside, never sent, and a later layer's secret is used, else the command stops.
   * `kept` says so in a message: `profile "prod" keeps its password (env:TS_PW) for its own host`; `release`, how
   * to let the secret go to the host in effect instead, if the user can (`unset THOUGHTSPOT_HOST to send …`).
   */
  readonly secretFor?: { readonly host: string; readonly kept: string; readonly release?: string }
  /**
   * Variables this source would read a field from that are set but empty (`THOUGHTSPOT_HOST=""`, a shell variable
   * left unset): a message about a missing field says so rather than only "set THOUGHTSPOT_HOST".
   */
  readonly empty?: { readonly [K in "host" | "username" | "secret"]?: ReadonlyArray<string> }
  /** Set variables that look like a mistyped one this source reads: `THOUGHTSPOT_USER is set: did you mean …?` */
  readonly misspelled?: ReadonlyArray<string>
  /**
   * How to set each field through this source, for the message when no layer sets it; `dropHost`, how to stop
   * this source from setting the host.
   */
  readonly hints: {
    readonly host?: string
    readonly username?: string
    readonly secret?: string
    readonly dropHost?: string
  }
}

const given = <A>(value: A, from: string): Setting<A> => ({ _tag: "Given", value, from })

const secretNames = { password: "password", secretKey: "secret key", token: "token" } as const

const usage = (message: string) => Effect.fail(new UsageError({ message }))

// "a", "a or b", "a, b or c" (or "and").
const orList = (items: ReadonlyArray<string>, word = "or"): string =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} ${word} ${items[items.length - 1]}`

/** True when two host settings name the same cluster URL (`PROD.example.com/` is `https://prod.example.com`). */
const sameHost = (a: string, b: string): boolean => {
  const [x, y] = [checkHostUrl(a, true), checkHostUrl(b, true)]
  return x._tag === "Ok" && y._tag === "Ok" ? x.url === y.url : a.trim() === b.trim()
}

/** True when `layer`'s secret is kept for another host than `host`, the one in effect: it is set aside, unread. */
const keptFromHost = (layer: ConnectionLayer, host: string): boolean =>
  layer.secretFor !== undefined && !sameHost(layer.secretFor.host, host)

/**
 * Resolves `layers` (first wins, field by field) into a {@link Connection}. A layer's secret bound to another host
 * than the one in effect ({@link ConnectionLayer.secretFor}) is skipped; when no other layer gives one, the
 * command stops (no prompt: the user expects the set-aside secret, and should see why it was not used). `prompt`
 * asks for a password on a terminal when a user is known but no layer gives a secret (`None` when there is no
 * terminal).
 */
export const resolveConnection = Effect.fn("Connection.resolveConnection")(function* (
  layers: ReadonlyArray<ConnectionLayer>,
  prompt: Option.Option<(message: string) => Effect.Effect<Redacted.Redacted<string>, UsageError>> = Option.none()
): Effect.fn.Return<Connection, UsageError> {
  // The first layer that sets `field`, with its label.
  const pick = <K extends "host" | "username" | "secret">(field: K) => {
    for (const layer of layers) {
      const setting = layer[field]
      if (setting !== undefined) return { setting: setting as NonNullable<ConnectionLayer[K]>, layer }
    }
    return undefined
  }
  // How each layer would set `field`, in order: the message when none does.
  const hintsFor = (field: "host" | "username" | "secret") =>
    layers.flatMap((l) => (l.hints[field] === undefined ? [] : [l.hints[field]]))
  const unset = (layer: ConnectionLayer, setting: Extract<Setting<unknown>, { _tag: "Unset" }>) => {
    // What to do: set the variable, or (a profile's reference) point the profile elsewhere.
    const profile = /^the profile "(.*)"$/.exec(layer.label)?.[1]
    const elsewhere =
      profile === undefined
        ? ""
        : `, or change what profile "${profile}" names (spotpipe config set ${setting.what === "host" ? "host" : setting.what === "user name" ? "username" : "secret"} … --profile ${shellWord(profile)})`
    return usage(
      `${layer.label} names ${setting.variable} for the ${setting.what}, but it is ${setting.empty === true ? "set but empty" : "not set"}: set ${setting.variable}${elsewhere}`
    )
  }
  // "THOUGHTSPOT_HOST is set but empty; " when a layer would have read `field` from a variable that is empty.
  const emptyNote = (field: "host" | "username" | "secret") => {
    const names = layers.flatMap((l) => l.empty?.[field] ?? [])
    return names.length === 0 ? "" : `${orList(names, "and")} ${names.length === 1 ? "is" : "are"} set but empty; `
  }
  // A missing setting may be set under a mistyped name: say which, never its value.
  const misspelled = layers.flatMap((l) => l.misspelled ?? [])
  const misspelledNote = misspelled.length === 0 ? "" : `; ${misspelled.join("; ")}`
  const host = pick("host")

  if (layers.some((l) => l.sandbox === true)) {
    // A host given for this command (a flag, the job file, a profile named by --profile) contradicts the sandbox:
    // say where it comes from rather than pick one. The environment has no say (see connectionLayers).
    if (host !== undefined && host.setting._tag === "Given") {
      const from = host.setting.from
      // Only --profile names a profile here: that flag, not --host, is what the user gave.
      const profile = /^profile "(.*)"$/.exec(from)?.[1]
      if (profile !== undefined) {
        return yield* usage(
          `--sandbox and --profile ${shellWord(profile)} both given: the profile's host (${checkedOrAsGiven(host.setting.value)}) and the sandbox are two clusters; pass only one`
        )
      }
      if (from === "--host") return yield* usage("--sandbox and --host both given: pass only one")
      // A job file's "host": the file, not a --host flag, is what the sandbox contradicts.
      return yield* usage(
        `--sandbox and a host both given: ${from} names ${checkedOrAsGiven(host.setting.value)}, and the sandbox is another cluster; drop --sandbox, or the host from ${from}`
      )
    }
    // A profile named beside --sandbox without a host: its user and Org would be dropped without a word.
    const profile = layers.map((l) => /^the profile "(.*)"$/.exec(l.label)?.[1]).find((name) => name !== undefined)
    if (profile !== undefined) {
      return yield* usage(
        `--sandbox and --profile ${shellWord(profile)} both given: the sandbox signs in as its own test user, not with a profile's settings; pass only one`
      )
    }
    // No credentials go to the sandbox: it signs in as its own test user.
    return { _tag: "Sandbox" }
  }
  if (host === undefined || host.setting._tag === "Unset" || host.setting.value.trim() === "") {
    if (host?.setting._tag === "Unset") return yield* unset(host.layer, host.setting)
    return yield* usage(
      `no ThoughtSpot host: ${emptyNote("host")}${orList(hintsFor("host"))} (or use --sandbox)${misspelledNote}`
    )
  }
  const allowInsecureHttp = layers.find((l) => l.allowInsecureHttp !== undefined)?.allowInsecureHttp ?? false
  const checked = checkHostUrl(host.setting.value, allowInsecureHttp)
  if (checked._tag === "Refused") return yield* usage(`${host.setting.from}: ${checked.message}`)
  const url = checked.url
  yield* setHostSource(url, host.setting.from)
  const orgLayer = layers.find((l) => l.orgId !== undefined)
  const orgId = orgLayer?.orgId
  const org = orgId === undefined ? {} : { orgId }
  const orgFrom = orgLayer === undefined ? {} : { orgId: orgLayer.orgIdFrom ?? orgLayer.label }

  // The first layer with a secret for this host; the layers whose secret is kept for another one are set aside.
  const setAside: Array<ConnectionLayer> = []
  const secret = (() => {
    for (const layer of layers) {
      if (keptFromHost(layer, url)) {
        setAside.push(layer)
      } else if (layer.secret !== undefined) {
        return { setting: layer.secret, layer }
      }
    }
    return undefined
  })()
  const kept = setAside[0]
  if (secret === undefined && kept?.secretFor !== undefined) {
    // A new profile would be kept for its own host too: no way to give this host a secret.
    const others = layers
      .filter((l) => !setAside.includes(l) && l !== profileHints)
      .flatMap((l) => l.hints.secret ?? [])
    const drop = host.layer.hints.dropHost ?? `drop the host of ${host.layer.label}`
    const where = `${kept.secretFor.kept} ${checkedOrAsGiven(kept.secretFor.host)}`
    const release = kept.secretFor.release === undefined ? "" : `, ${kept.secretFor.release}`
    return yield* usage(
      `the host in effect is ${url} (from ${host.setting.from}), but ${where}: give a secret for ${url}${others.length === 0 ? "" : ` (${orList(others)})`}${release}, or ${drop} to connect to ${checkedOrAsGiven(kept.secretFor.host)}`
    )
  }
  // A token needs no user; any other secret does, and a missing user is reported before a missing secret.
  if (secret?.setting._tag === "Given" && secret.setting.value.kind === "token") {
    return {
      _tag: "Cluster",
      host: url,
      auth: { _tag: "BearerToken", token: secret.setting.value.value },
      sources: { host: host.setting.from, secret: secret.setting.from }
    }
  }
  if (secret?.setting._tag === "Unset" && secret.setting.what === secretNames.token) {
    return yield* unset(secret.layer, secret.setting)
  }
  const user = pick("username")
  if (user?.setting._tag === "Unset") return yield* unset(user.layer, user.setting)
  if (secret?.setting._tag === "Unset") return yield* unset(secret.layer, secret.setting)
  const username = user !== undefined && user.setting.value.trim() !== "" ? user.setting.value : undefined
  const userFrom = user?.setting._tag === "Given" ? user.setting.from : undefined
  if (secret === undefined) {
    if (username !== undefined && Option.isSome(prompt)) {
      const password = yield* prompt.value(`Password for ${username} at ${url}`)
      return {
        _tag: "Cluster",
        host: url,
        auth: { _tag: "Password", username, password, ...org },
        sources: {
          host: host.setting.from,
          ...(userFrom === undefined ? {} : { username: userFrom }),
          secret: "a prompt",
          ...orgFrom
        }
      }
    }
    return yield* usage(
      `no credentials: ${emptyNote("secret")}${orList(hintsFor("secret"))}, or use --sandbox for the embedded sandbox${misspelledNote}`
    )
  }
  const { kind, value } = secret.setting.value
  if (username === undefined) {
    return yield* usage(
      `no user for the ${secretNames[kind]} (${secret.setting.from}): ${emptyNote("username")}${orList(hintsFor("username"))} (or sign in with a token)${misspelledNote}`
    )
  }
  return {
    _tag: "Cluster",
    host: url,
    auth:
      kind === "secretKey"
        ? { _tag: "SecretKey", username, secretKey: value, ...org }
        : { _tag: "Password", username, password: value, ...org },
    sources: {
      host: host.setting.from,
      ...(userFrom === undefined ? {} : { username: userFrom }),
      secret: secret.setting.from,
      ...orgFrom
    }
  }
})

// A host as the client would use it, for messages (as given when it is refused: that is reported when in effect).
const checkedOrAsGiven = (host: string): string => {
  const checked = checkHostUrl(host, true)
  return checked._tag === "Ok" ? checked.url : host
}

/**
 * Reads an environment variable; `undefined` when it is not set or empty. `isEmpty` (when known) tells an empty
 * variable from one that is not set, for messages.
 */
export type Environment = ((name: string) => string | undefined) & {
  readonly isEmpty?: (name: string) => boolean
  /** Set THOUGHTSPOT_* variables spotpipe does not read, each with the one it reads that was likely meant. */
  /** What to say of set THOUGHTSPOT_* variables spotpipe does not read (a typo, another tool's name). */
  readonly misspelled?: ReadonlyArray<string>
}

/** What follows `THOUGHTSPOT_` in the variables spotpipe reads. */
const knownSuffixes = ["HOST", "USERNAME", "PASSWORD", "SECRET_KEY", "TOKEN", "PROFILE"]

/**
 * Settings other tools read from variables that spotpipe takes only otherwise: a secret's file (its path is no
 * secret: `THOUGHTSPOT_PASSWORD` set to it would be sent as the password) and the Org (exporting the signed-in
 * user's default Org instead would be the wrong data, without a word).
 */
const unreadSettings: Readonly<Record<string, string>> = {
  PASSWORD_FILE: "pass --password-file PATH",
  TOKEN_FILE: 'set THOUGHTSPOT_TOKEN to the token itself (THOUGHTSPOT_TOKEN="$(cat PATH)")',
  SECRET_KEY_FILE: 'set THOUGHTSPOT_SECRET_KEY to the key itself (THOUGHTSPOT_SECRET_KEY="$(cat PATH)")',
  ORG_ID: "pass --org-id ID (or set org-id in a profile)",
  ORG: "pass --org-id ID (or set org-id in a profile)",
  ORGID: "pass --org-id ID (or set org-id in a profile)",
  ORG_IDENTIFIER: "pass --org-id ID (or set org-id in a profile)"
}

/** `name is set, but spotpipe reads no such variable: …` for a variable of {@link unreadSettings}; else undefined. */
export const unreadVariableNote = (name: string): string | undefined => {
  const advice = name.startsWith("THOUGHTSPOT_")
    ? unreadSettings[name.slice("THOUGHTSPOT_".length).toUpperCase()]
    : undefined
  return advice === undefined ? undefined : `${name} is set, but spotpipe reads no such variable: ${advice}`
}

/** Other tools' names for them (`THOUGHTSPOT_URL`, `THOUGHTSPOT_USER`), besides typos of them. */
const otherSpellings: Readonly<Record<string, string>> = {
  URL: "HOST",
  HOST_URL: "HOST",
  HOSTNAME: "HOST",
  SERVER: "HOST",
  USER: "USERNAME",
  USER_NAME: "USERNAME",
  LOGIN: "USERNAME",
  PASS: "PASSWORD",
  PWD: "PASSWORD",
  SECRET: "SECRET_KEY",
  SECRETKEY: "SECRET_KEY",
  ACCESS_TOKEN: "TOKEN",
  BEARER_TOKEN: "TOKEN"
}

/** The variable `name` (THOUGHTSPOT_…) likely stands for, when it is not one spotpipe reads. */
export const meantVariable = (name: string): string | undefined => {
  if (!name.startsWith("THOUGHTSPOT_")) return undefined
  const suffix = name.slice("THOUGHTSPOT_".length)
  if (knownSuffixes.includes(suffix) || unreadSettings[suffix.toUpperCase()] !== undefined) return undefined
  const meant = otherSpellings[suffix.toUpperCase()] ?? closest(suffix, knownSuffixes, 1)[0]
  return meant === undefined ? undefined : `THOUGHTSPOT_${meant}`
}

/** The names of the set variables that start with THOUGHTSPOT_, from the config provider (values unread). */
const thoughtSpotVariables = Effect.gen(function* () {
  const provider = yield* ConfigProvider.ConfigProvider
  const names: Array<string> = []
  const walk = (path: ReadonlyArray<string>): Effect.Effect<void> =>
    Effect.gen(function* () {
      const node = yield* provider.load(path).pipe(Effect.orElseSucceed(() => undefined))
      if (node === undefined) return
      if (path.length > 1 && (node._tag === "Value" || node.value !== undefined)) names.push(path.join("_"))
      // A name of a few words at most: deeper ones are no THOUGHTSPOT_* setting of anyone's.
      if (node._tag === "Record" && path.length < 4) {
        for (const key of [...node.keys].slice(0, 50)) yield* walk([...path, key])
      }
    })
  yield* walk(["THOUGHTSPOT"])
  return names
})

/**
 * The ambient THOUGHTSPOT_HOST, THOUGHTSPOT_USERNAME and THOUGHTSPOT_TOKEN / _SECRET_KEY / _PASSWORD (first set
 * wins). With THOUGHTSPOT_HOST set the secret belongs to that host ({@link ConnectionLayer.secretFor}): `--host`,
 * a job file's or a profile's host elsewhere never gets it. Without THOUGHTSPOT_HOST it goes to the host in effect
 * (a secret in the environment, the host in a flag or job file).
 */
export const environmentLayer = (env: Environment): ConnectionLayer => {
  const host = env("THOUGHTSPOT_HOST")
  const username = env("THOUGHTSPOT_USERNAME")
  const secret = (["THOUGHTSPOT_TOKEN", "THOUGHTSPOT_SECRET_KEY", "THOUGHTSPOT_PASSWORD"] as const).find(
    (name) => env(name) !== undefined
  )
  const kinds = { THOUGHTSPOT_TOKEN: "token", THOUGHTSPOT_SECRET_KEY: "secretKey", THOUGHTSPOT_PASSWORD: "password" }
  const emptyOf = (names: ReadonlyArray<string>, setting: string | undefined) =>
    setting !== undefined ? [] : names.filter((name) => env.isEmpty?.(name) === true)
  const empty = {
    host: emptyOf(["THOUGHTSPOT_HOST"], host),
    username: emptyOf(["THOUGHTSPOT_USERNAME"], username),
    secret: emptyOf(["THOUGHTSPOT_TOKEN", "THOUGHTSPOT_SECRET_KEY", "THOUGHTSPOT_PASSWORD"], secret)
  }
  return {
    label: "the environment",
    empty,
    ...(env.misspelled === undefined || env.misspelled.length === 0 ? {} : { misspelled: env.misspelled }),
    ...(host === undefined ? {} : { host: given(host, "THOUGHTSPOT_HOST") }),
    ...(username === undefined ? {} : { username: given(username, "THOUGHTSPOT_USERNAME") }),
    ...(secret === undefined
      ? {}
      : { secret: given({ kind: kinds[secret], value: Redacted.make(env(secret) ?? "") } as Secret, secret) }),
    ...(host !== undefined && secret !== undefined
      ? {
          secretFor: {
            host,
            kept: `${secret} is kept for THOUGHTSPOT_HOST's host`,
            release: `unset THOUGHTSPOT_HOST to send ${secret} there`
          }
        }
      : {}),
    hints: {
      host: empty.host.length === 0 ? "set THOUGHTSPOT_HOST" : "give THOUGHTSPOT_HOST the cluster's URL",
      dropHost: "unset THOUGHTSPOT_HOST",
      username: "set THOUGHTSPOT_USERNAME",
      secret: "set THOUGHTSPOT_USERNAME and one of THOUGHTSPOT_PASSWORD, THOUGHTSPOT_SECRET_KEY or THOUGHTSPOT_TOKEN"
    }
  }
}

/**
 * A job file's `connection`: literal host and user, or the variables named by `hostEnv` / `usernameEnv`; the
 * secret only from the variable `tokenEnv`, `secretKeyEnv` or `passwordEnv` names (in that order).
 */
export const jobFileLayer = (spec: ConnectionSpec, env: Environment): ConnectionLayer => {
  const fromVariable = <A>(name: string, what: string, make: (value: string) => A): Setting<A> => {
    const value = env(name)
    return value === undefined
      ? { _tag: "Unset", variable: name, what, ...(env.isEmpty?.(name) === true ? { empty: true } : {}) }
      : given(make(value), name)
  }
  // A literal value in the file, else the variable the file names for it.
  const literalOr = (literal: string | undefined, variable: string | undefined, key: string, what: string) =>
    literal !== undefined
      ? given(literal, `the job file's "${key}"`)
      : variable === undefined
        ? undefined
        : fromVariable(variable, what, (v) => v)
  const host = literalOr(spec.host, spec.hostEnv, "host", "host")
  const username = literalOr(spec.username, spec.usernameEnv, "username", "user name")
  const named: readonly [string, Secret["kind"]] | undefined =
    spec.tokenEnv !== undefined
      ? [spec.tokenEnv, "token"]
      : spec.secretKeyEnv !== undefined
        ? [spec.secretKeyEnv, "secretKey"]
        : spec.passwordEnv !== undefined
          ? [spec.passwordEnv, "password"]
          : undefined
  return {
    label: "the job file",
    ...(host === undefined ? {} : { host }),
    ...(username === undefined ? {} : { username }),
    ...(named === undefined
      ? {}
      : {
          secret: fromVariable(
            named[0],
            secretNames[named[1]],
            (v): Secret => ({ kind: named[1], value: Redacted.make(v) })
          )
        }),
    ...(spec.orgId === undefined ? {} : { orgId: spec.orgId, orgIdFrom: `the job file's "orgId"` }),
    ...(spec.allowInsecureHttp === undefined ? {} : { allowInsecureHttp: spec.allowInsecureHttp }),
    hints: {
      host:
        spec.hostEnv === undefined ? `"host" in the job file's connection` : `set ${spec.hostEnv} (the job's hostEnv)`,
      dropHost: `remove "${spec.host === undefined ? "hostEnv" : "host"}" from the job file's connection`,
      username:
        spec.usernameEnv === undefined
          ? `"username" in the job file's connection`
          : `set ${spec.usernameEnv} (the job's usernameEnv)`,
      secret: `name the variable that holds it with "passwordEnv", "secretKeyEnv" or "tokenEnv" in the job file's connection`
    }
  }
}

/** The connection flags as parsed (before any layering). */
export interface ConnectionFlags {
  readonly host: Option.Option<string>
  readonly username: Option.Option<string>
  readonly passwordFile: Option.Option<string>
  readonly orgId: Option.Option<number>
  readonly sandbox: boolean
  readonly allowInsecureHttp: boolean
  /** `--profile`: the named profile of the config file (see Profiles.ts). */
  readonly profile?: Option.Option<string>
}

/**
 * The secret a file holds: its one line, the final line end dropped. Refused: an empty file, and one of several
 * lines, which sent as it is fails at the server as wrong credentials. `what` names the file; no message shows
 * its text.
 */
const secretOfFile = (text: string, what: string, noun: string): Effect.Effect<string, UsageError> => {
  const secret = text.replace(/\r?\n$/, "")
  if (secret === "") return usage(`${what} is empty: it should hold the ${noun}`)
  if (/[\r\n]/.test(secret)) {
    const lines = secret.split(/\r\n|\r|\n/).length
    return usage(
      `${what} holds ${lines} lines: it should hold the ${noun} alone, on one line (one final line end is fine); remove the other lines`
    )
  }
  return Effect.succeed(secret)
}

/**
 * Warns (on POSIX) when a secret's file is a regular file that its group or others may use (mode & 0o077), as ssh
 * and libpq users expect; it is still read. A file that cannot be looked at is left to the read, which worked.
 */
const warnIfOpen = (fs: FileSystem.FileSystem, path: string, what: string): Effect.Effect<void> =>
  process.platform === "win32"
    ? Effect.void
    : fs.stat(path).pipe(
        Effect.flatMap((info) =>
          info.type === "File" && (info.mode & 0o077) !== 0
            ? Effect.logWarning(
                `${what} can be read or changed by others than its owner (mode ${(info.mode & 0o777).toString(8).padStart(4, "0")}): run chmod 600 ${shellWord(path)}`
              )
            : Effect.void
        ),
        Effect.ignore
      )

/**
 * The password held in the file `--password-file` names (its final newline dropped; an empty file, or one of
 * several lines, is refused; one others may read is warned about). A message about reading it does not repeat the
 * path: a password typed where its file's path belongs would be shown otherwise.
 */
export const readPasswordFile = Effect.fn("Connection.readPasswordFile")(function* (
  path: string
): Effect.fn.Return<Redacted.Redacted<string>, UsageError, FileSystem.FileSystem> {
  if (path === "-") {
    // Nothing piped in: reading would wait for a password typed in the clear.
    if (stdinIsTerminal()) {
      return yield* usage(
        "--password-file - reads the password from stdin, which is a terminal here: pipe it in (printf '%s\\n' \"$PASSWORD\" | spotpipe …) or give the path of a file that holds it"
      )
    }
    const text = (yield* readStdin).toString("utf8")
    return Redacted.make(yield* secretOfFile(text, "the password given on stdin (--password-file -)", "password"))
  }
  const what = "the password file given with --password-file (its path is not shown: it could be the password itself)"
  const fs = yield* FileSystem.FileSystem
  const text = yield* fs
    .readFileString(path)
    .pipe(Effect.mapError((e) => new UsageError({ message: readProblem(what, errnoCode(e)) })))
  const password = yield* secretOfFile(text, "the password file given with --password-file", "password")
  // Read, it is a file: its path is no password.
  yield* warnIfOpen(fs, path, `the password file ${path} (--password-file)`)
  return Redacted.make(password)
})

/**
 * The command line's layer: `--host`, `--username`, `--org-id`, `--sandbox`, `--allow-insecure-http`, and the
 * password read from `--password-file` (its final newline dropped; an empty file is refused).
 */
export const commandLineLayer = Effect.fn("Connection.commandLineLayer")(function* (
  flags: ConnectionFlags
): Effect.fn.Return<ConnectionLayer, UsageError, FileSystem.FileSystem> {
  let secret: Setting<Secret> | undefined
  if (Option.isSome(flags.passwordFile)) {
    const password = yield* readPasswordFile(flags.passwordFile.value)
    secret = given({ kind: "password", value: password }, "--password-file")
  }
  return {
    label: "the command line",
    ...(flags.sandbox ? { sandbox: true } : {}),
    ...(Option.isSome(flags.host) ? { host: given(flags.host.value, "--host") } : {}),
    ...(Option.isSome(flags.username) ? { username: given(flags.username.value, "--username") } : {}),
    ...(secret === undefined ? {} : { secret }),
    ...(Option.isSome(flags.orgId) ? { orgId: flags.orgId.value, orgIdFrom: "--org-id" } : {}),
    ...(flags.allowInsecureHttp ? { allowInsecureHttp: true } : {}),
    hints: {
      host: "pass --host https://your-cluster.thoughtspot.cloud",
      dropHost: "drop --host",
      username: "pass --username",
      secret: "pass --username and --password-file"
    }
  }
})

/**
 * Reads the THOUGHTSPOT_* variables, those `spec` names and `extra` through the Effect config provider (so tests
 * can give an environment without touching `process.env`); an empty value counts as not set (and `isEmpty` says
 * so, for messages).
 */
export const readEnvironment = Effect.fn("Connection.readEnvironment")(function* (
  spec: ConnectionSpec = {},
  extra: ReadonlyArray<string> = []
): Effect.fn.Return<Environment, UsageError> {
  const names = new Set([
    ...extra,
    "THOUGHTSPOT_HOST",
    "THOUGHTSPOT_USERNAME",
    "THOUGHTSPOT_PASSWORD",
    "THOUGHTSPOT_SECRET_KEY",
    "THOUGHTSPOT_TOKEN",
    ...[spec.hostEnv, spec.usernameEnv, spec.passwordEnv, spec.secretKeyEnv, spec.tokenEnv].filter(
      (n): n is string => n !== undefined
    )
  ])
  const values = new Map<string, string>()
  const empty = new Set<string>()
  for (const name of names) {
    const value = yield* Config.option(Config.String(name)).pipe(
      Effect.mapError(() => new UsageError({ message: `cannot read the environment variable ${name}` }))
    )
    if (Option.isSome(value)) {
      if (value.value === "") empty.add(name)
      else values.set(name, value.value)
    }
  }
  const set = yield* thoughtSpotVariables
  const misspelled = set.flatMap((name) => {
    const meant = meantVariable(name)
    return meant === undefined || values.has(meant) ? [] : [`${name} is set: did you mean ${meant}?`]
  })
  const unread = set.flatMap((name) => unreadVariableNote(name) ?? [])
  return Object.assign((name: string) => values.get(name), {
    isEmpty: (name: string) => empty.has(name),
    misspelled: [...unread, ...misspelled]
  })
})

/**
 * SPOTPIPE_CONFIG naming a folder: said in the variable's words, since the fix is to the variable (reading the
 * folder would say only "it is a folder, not a file").
 */
export const checkConfigVariable = Effect.fn("Connection.checkConfigVariable")(function* (
  env: Environment
): Effect.fn.Return<void, UsageError, FileSystem.FileSystem> {
  const given = env("SPOTPIPE_CONFIG")
  if (given === undefined) return
  const fs = yield* FileSystem.FileSystem
  const info = yield* fs.stat(given).pipe(Effect.option)
  if (Option.isSome(info) && info.value.type === "Directory") {
    return yield* usage(
      `SPOTPIPE_CONFIG names the folder ${given}, not a file: set SPOTPIPE_CONFIG to a file's path (${given.replace(/\/+$/, "")}/config.json, for one)`
    )
  }
})

/** The profile a command connects with, and what chose it. */
export interface ProfileChoice {
  readonly name: string
  /** `--profile`, `THOUGHTSPOT_PROFILE`, or `the config file's default`. */
  readonly chosenBy: string
  /** The config file it is defined in. */
  readonly path: string
  readonly profile: Profile
}

/**
 * The profile `--profile` or else THOUGHTSPOT_PROFILE names, else the config file's default one; none when there
 * is no config file or it names no default, or when THOUGHTSPOT_PROFILE is set but empty (`export
 * THOUGHTSPOT_PROFILE=` says "no profile": the default is not used either). A profile that was named but is not
 * defined is a usage error. With `--sandbox` only `--profile` names one: a flag beats the environment and the config
 * file's default, whose host would contradict the sandbox.
 */
export const chooseProfile = Effect.fn("Connection.chooseProfile")(function* (
  flag: Option.Option<string>,
  env: Environment,
  sandbox: boolean
): Effect.fn.Return<ProfileChoice | undefined, UsageError, FileSystem.FileSystem> {
  const named = Option.isSome(flag)
    ? { name: flag.value, chosenBy: "--profile" }
    : env("THOUGHTSPOT_PROFILE") !== undefined && !sandbox
      ? { name: env("THOUGHTSPOT_PROFILE") ?? "", chosenBy: "THOUGHTSPOT_PROFILE" }
      : undefined
  if (named === undefined && (sandbox || env.isEmpty?.("THOUGHTSPOT_PROFILE") === true)) return undefined
  const path = configPath(env)
  yield* checkConfigVariable(env)
  if (path === undefined) {
    if (named === undefined) return undefined
    return yield* usage(
      `${named.chosenBy} names the profile "${named.name}", but there is no config file: HOME (or APPDATA) is not set; set SPOTPIPE_CONFIG to the file's path`
    )
  }
  const { config, exists } = yield* readConfigFile(path)
  if (named === undefined) {
    if (config.default === undefined) return undefined
    const profile = config.profiles[config.default] ?? {}
    return { name: config.default, chosenBy: "the config file's default", path, profile }
  }
  const profile = config.profiles[named.name]
  if (profile === undefined) {
    const names = Object.keys(config.profiles)
    const known = !exists
      ? `there is no config file ${path}`
      : `${path} defines ${names.length === 0 ? "none" : names.join(", ")}`
    return yield* usage(
      `${named.chosenBy} names the profile "${named.name}", which is not defined (${known}): create it with spotpipe config set host URL --profile ${named.name}${didYouMean(closest(named.name, names))}`
    )
  }
  return { name: named.name, chosenBy: named.chosenBy, path, profile }
})

/** The `kind` of a {@link Secret} for a profile's `auth`. */
const kinds = { password: "password", "secret-key": "secretKey", token: "token" } as const

/**
 * A profile as a layer (see {@link connectionLayers} for where). Its secret is read, from the variable, file or
 * keychain entry the profile references, only when `needSecret` (no layer above gives one, and the host in effect
 * is the profile's), so a keychain is not asked for a secret that a flag or variable overrides, nor for one that
 * would not be sent. A profile with a host keeps its secret for that host ({@link ConnectionLayer.secretFor}); one
 * without a host lends it to the host in effect.
 */
export const profileLayer = Effect.fn("Connection.profileLayer")(function* (
  choice: ProfileChoice,
  env: Environment,
  needSecret: boolean
): Effect.fn.Return<ConnectionLayer, UsageError, FileSystem.FileSystem> {
  const { name, profile } = choice
  const from = `profile "${name}"`
  let secret: Setting<Secret> | undefined
  if (needSecret && profile.secret !== undefined) {
    const parsed = parseSecretSource(profile.secret)
    if ("refused" in parsed) return yield* usage(`${from}: ${parsed.refused}`)
    const source = parsed.ok
    const kind = kinds[profile.auth ?? "password"]
    const secretFrom = `${from} (${formatSecretSource(source)})`
    const make = (value: string): Setting<Secret> => given({ kind, value: Redacted.make(value) }, secretFrom)
    if (source._tag === "Env") {
      const value = env(source.variable)
      secret =
        value === undefined
          ? {
              _tag: "Unset",
              variable: source.variable,
              what: secretNames[kind],
              ...(env.isEmpty?.(source.variable) === true ? { empty: true } : {})
            }
          : make(value)
    } else if (source._tag === "File") {
      const fs = yield* FileSystem.FileSystem
      const what = `the ${secretNames[kind]} file ${source.path} (${from})`
      const text = yield* fs
        .readFileString(source.path)
        .pipe(Effect.mapError((e) => new UsageError({ message: readProblem(what, errnoCode(e)) })))
      secret = make(yield* secretOfFile(text, what, secretNames[kind]))
      yield* warnIfOpen(fs, source.path, what)
    } else {
      // Named, as the file's and the variable's are: which profile's reference could not be read.
      const account = source.account === "" ? name : source.account
      secret = make(
        yield* readKeychain(account, process.platform, env("PATH")).pipe(
          Effect.mapError((e) => new UsageError({ message: `${from}'s secret keychain:${account}: ${e.message}` }))
        )
      )
    }
  }
  const set = `spotpipe config set`
  const kind = secretNames[kinds[profile.auth ?? "password"]]
  return {
    label: `the profile "${name}"`,
    ...(profile.host === undefined ? {} : { host: given(profile.host, from) }),
    ...(profile.username === undefined ? {} : { username: given(profile.username, from) }),
    ...(secret === undefined ? {} : { secret }),
    ...(profile["org-id"] === undefined ? {} : { orgId: profile["org-id"], orgIdFrom: from }),
    ...(profile["allow-insecure-http"] === undefined ? {} : { allowInsecureHttp: profile["allow-insecure-http"] }),
    ...(profile.host === undefined || profile.secret === undefined
      ? {}
      : { secretFor: { host: profile.host, kept: `${from} keeps its ${kind} (${profile.secret}) for its own host` } }),
    hints: {
      host: `run ${set} host URL --profile ${name}`,
      dropHost:
        choice.chosenBy === "--profile"
          ? `drop --profile ${name}`
          : choice.chosenBy === "THOUGHTSPOT_PROFILE"
            ? "unset THOUGHTSPOT_PROFILE"
            : `unset its host (spotpipe config unset host --profile ${name})`,
      username: `run ${set} username NAME --profile ${name}`,
      secret: `run ${set} secret env:VARIABLE --profile ${name}`
    }
  }
})

/**
 * Every layer of a command's connection, first wins: the command line, a job file's `connection` (`job`), the
 * THOUGHTSPOT_* environment, then the profile ({@link chooseProfile}); a profile named by `--profile` comes before
 * the environment instead (a profile named for this command is meant as a whole). The environment's secret goes
 * only to THOUGHTSPOT_HOST's host when that is set, a profile's only to its own ({@link ConnectionLayer.secretFor}).
 * With `ambient: false` (the demo's own sandbox) only the command line; with `--sandbox` no THOUGHTSPOT_* variable
 * (a flag beats the environment, so an exported THOUGHTSPOT_HOST does not contradict it, and no password or token
 * of the environment is read). Returns the chosen profile too, for `spotpipe auth status`.
 */
export const connectionLayers = Effect.fn("Connection.connectionLayers")(function* (
  flags: ConnectionFlags,
  sources: { readonly job?: ConnectionSpec; readonly ambient?: boolean } = {}
): Effect.fn.Return<
  { readonly layers: ReadonlyArray<ConnectionLayer>; readonly profile: ProfileChoice | undefined },
  UsageError,
  FileSystem.FileSystem
> {
  const commandLine = yield* commandLineLayer(flags)
  if (sources.ambient === false) return { layers: [commandLine], profile: undefined }
  const ambient = yield* readEnvironment(sources.job, configVariables)
  // An Org variable another tool reads: the run would sign in to the user's default Org, and say nothing of it.
  if (!flags.sandbox) {
    for (const note of ambient.misspelled ?? []) if (note.startsWith("THOUGHTSPOT_ORG")) yield* Effect.logWarning(note)
  }
  const choice = yield* chooseProfile(flags.profile ?? Option.none(), ambient, flags.sandbox)
  // The variable the profile's secret names, read like the others.
  const reference = choice?.profile.secret === undefined ? undefined : parseSecretSource(choice.profile.secret)
  const env =
    reference !== undefined && "ok" in reference && reference.ok._tag === "Env"
      ? yield* readEnvironment(sources.job, [...configVariables, reference.ok.variable])
      : ambient
  const named = choice?.chosenBy === "--profile"
  const explicit = [commandLine, ...(sources.job === undefined ? [] : [jobFileLayer(sources.job, env)])]
  const ambientLayers = flags.sandbox ? [] : [environmentLayer(env)]
  if (choice === undefined) {
    // No profile because THOUGHTSPOT_PROFILE is set but empty: a message about a field no layer sets says so.
    const noProfile = (layer: ConnectionLayer): ConnectionLayer =>
      env.isEmpty?.("THOUGHTSPOT_PROFILE") !== true
        ? layer
        : {
            ...layer,
            empty: {
              host: [...(layer.empty?.host ?? []), "THOUGHTSPOT_PROFILE"],
              username: [...(layer.empty?.username ?? []), "THOUGHTSPOT_PROFILE"],
              secret: [...(layer.empty?.secret ?? []), "THOUGHTSPOT_PROFILE"]
            }
          }
    return { layers: [...explicit, ...ambientLayers.map(noProfile), profileHints], profile: undefined }
  }
  const above = named ? explicit : [...explicit, ...ambientLayers]
  // The profile's secret is read only when it would be sent: nothing above gives one for the host in effect (a
  // secret kept for another host gives none), and that host is the profile's (or it has none).
  const hostAbove = above.find((layer) => layer.host !== undefined)?.host
  const ownHost = choice.profile.host
  const inEffect = hostAbove === undefined ? ownHost : hostAbove._tag === "Given" ? hostAbove.value : undefined
  const needSecret =
    above.every((layer) => layer.secret === undefined || (inEffect !== undefined && keptFromHost(layer, inEffect))) &&
    (ownHost === undefined ||
      hostAbove === undefined ||
      (hostAbove._tag === "Given" && sameHost(hostAbove.value, ownHost)))
  const profile = yield* profileLayer(choice, env, needSecret)
  return { layers: named ? [...explicit, profile, ...ambientLayers] : [...above, profile], profile: choice }
})

/** With no profile in play: how to keep the settings in one, for the message when one is missing. */
const profileHints: ConnectionLayer = {
  label: "a profile",
  hints: {
    host: "save it in a profile (spotpipe config set host URL --profile NAME) and pass --profile NAME",
    username: "save it in a profile (spotpipe config set username NAME --profile NAME) and pass --profile NAME",
    secret:
      "save them in a profile (spotpipe config set username NAME --profile NAME and spotpipe config set secret env:VARIABLE --profile NAME) and pass --profile NAME"
  }
}

/** Flags that would carry a secret as a value; spotpipe refuses them outright. */
const secretFlags = ["--password", "--secret-key", "--secret", "--token", "--bearer-token"]

/**
 * Scans raw arguments for a secret passed as a flag value, before the parser sees (and might echo) it.
 * Returns the usage error to raise, if any.
 */
export const rejectSecretFlags = (args: ReadonlyArray<string>): Option.Option<UsageError> => {
  for (const arg of args) {
    if (arg === "--") break
    const name = arg.split("=", 1)[0] ?? arg
    if (secretFlags.includes(name)) {
      return Option.some(
        new UsageError({
          message:
            `${name} is not accepted: secrets never go on the command line. Set THOUGHTSPOT_PASSWORD, ` +
            "THOUGHTSPOT_SECRET_KEY or THOUGHTSPOT_TOKEN, pass --password-file FILE, or let spotpipe prompt"
        })
      )
    }
  }
  return Option.none()
}
