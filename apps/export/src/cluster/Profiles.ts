/**
 * Named connection profiles: spotpipe's config file, read and written. The file is JSON,
 * `{ "default": "prod", "profiles": { "prod": { "host": …, "username": …, "org-id": 0, "auth": "password",
 * "secret": "env:TS_PASSWORD" } } }`, at `SPOTPIPE_CONFIG` or the platform's config folder ({@link configPath}).
 * A profile never holds a secret, only where to find it ({@link SecretSource}: an environment variable, a file,
 * or the system keychain); a value that is not such a reference is refused, and no message repeats a value from
 * the file. The file is changed under a lock beside it and replaced atomically with mode 0600. Connection.ts
 * turns a profile into a connection layer.
 */
import { execFile } from "node:child_process"
import * as NodePath from "node:path"
import { Effect, FileSystem, Path, type Scope } from "effect"
import type { ExportError } from "../ExportError.ts"
import { replaceFile } from "../output/AtomicFile.ts"
import { errnoCode, readProblem } from "../output/OutputFolder.ts"
import { waitForLockFile } from "../output/OutputLock.ts"
import { closest, didYouMean } from "../Suggest.ts"
import { UsageError } from "../UsageError.ts"
import { checkHostUrl } from "./HostUrl.ts"

/** Reads an environment variable; `undefined` when it is not set or empty (as Connection.ts's `Environment`). */
type Environment = (name: string) => string | undefined

/** How a profile signs in; `secret` holds the password, the trusted-auth secret key, or a bearer token. */
export const authMethods = ["password", "secret-key", "token"] as const
/** See {@link authMethods}. */
export type AuthMethod = (typeof authMethods)[number]

/** Where a profile's secret is read from, at the moment a command connects. */
export type SecretSource =
  | { readonly _tag: "Env"; readonly variable: string }
  | { readonly _tag: "File"; readonly path: string }
  | { readonly _tag: "Keychain"; readonly account: string }

/** One profile; every field optional (a flag or variable may give it). */
export interface Profile {
  readonly host?: string
  readonly username?: string
  readonly "org-id"?: number
  readonly auth?: AuthMethod
  /** A {@link SecretSource} as written: `env:NAME`, `file:/abs/path` or `keychain:ACCOUNT`. */
  readonly secret?: string
  readonly "allow-insecure-http"?: boolean
}

/** The config file's content. */
export interface ConfigFile {
  readonly default?: string
  readonly profiles: Readonly<Record<string, Profile>>
}

/** The keys of a profile, as `spotpipe config set` and the file spell them. */
export const profileKeys = ["host", "username", "org-id", "auth", "secret", "allow-insecure-http"] as const
/** See {@link profileKeys}. */
export type ProfileKey = (typeof profileKeys)[number]

/** The keychain service spotpipe's secrets are stored under (the account is named by the reference). */
export const keychainService = "spotpipe"

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/
const profileName = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

/** How to reference a secret, for messages. */
export const secretReferenceHelp =
  "reference where it is instead: env:VARIABLE (an environment variable), file:/path/to/file (a file of one line, read without its line end), or keychain[:ACCOUNT] (the system keychain, service spotpipe)"

/** A key that would hold a secret itself (refused: profiles hold references only). */
const secretLike = /pass(word)?|secret[-_]?key|token|^pw$|credential|api[-_]?key/i

const usage = (message: string) => new UsageError({ message })

/**
 * The config file's path: `SPOTPIPE_CONFIG`, else `spotpipe/config.json` in `XDG_CONFIG_HOME` (Linux, macOS),
 * `~/.config` (Linux and other Unix), `~/Library/Application Support` (macOS) or `%APPDATA%` (Windows).
 * `undefined` when the environment names no home folder.
 */
export const configPath = (env: Environment, platform: NodeJS.Platform = process.platform): string | undefined => {
  const explicit = env("SPOTPIPE_CONFIG")
  if (explicit !== undefined) return explicit
  if (platform === "win32") {
    const appData = env("APPDATA")
    return appData === undefined ? undefined : NodePath.win32.join(appData, "spotpipe", "config.json")
  }
  const xdg = env("XDG_CONFIG_HOME")
  // The XDG specification ignores a relative path.
  if (xdg !== undefined && NodePath.posix.isAbsolute(xdg)) return NodePath.posix.join(xdg, "spotpipe", "config.json")
  const home = env("HOME")
  if (home === undefined) return undefined
  return platform === "darwin"
    ? NodePath.posix.join(home, "Library", "Application Support", "spotpipe", "config.json")
    : NodePath.posix.join(home, ".config", "spotpipe", "config.json")
}

/** The variables {@link configPath} and the profile selection read. */
export const configVariables = ["SPOTPIPE_CONFIG", "XDG_CONFIG_HOME", "HOME", "APPDATA", "THOUGHTSPOT_PROFILE", "PATH"]

/** Parses a secret reference; the message never repeats the text (it may be a secret typed by mistake). */
export const parseSecretSource = (text: string): { readonly ok: SecretSource } | { readonly refused: string } => {
  const refused = `the secret's value is never stored in the config file (nothing was saved): ${secretReferenceHelp}`
  const colon = text.indexOf(":")
  const scheme = colon < 0 ? text : text.slice(0, colon)
  const rest = colon < 0 ? "" : text.slice(colon + 1)
  switch (scheme) {
    case "env":
      return envName.test(rest)
        ? { ok: { _tag: "Env", variable: rest } }
        : { refused: "env: needs the NAME of an environment variable, e.g. env:TS_PASSWORD (nothing was saved)" }
    case "file":
      return rest.trim() === ""
        ? { refused: "file: needs the path of the file that holds the secret, e.g. file:/etc/spotpipe/password" }
        : { ok: { _tag: "File", path: rest } }
    case "keychain":
      return rest === "" && colon >= 0
        ? { refused: "keychain: needs an account name after the colon, or write keychain alone" }
        : { ok: { _tag: "Keychain", account: rest } }
    default:
      return { refused }
  }
}

/** A secret reference as written in the file and shown by `config list`: `env:NAME`, `file:PATH`, `keychain:A`. */
export const formatSecretSource = (source: SecretSource): string =>
  source._tag === "Env"
    ? `env:${source.variable}`
    : source._tag === "File"
      ? `file:${source.path}`
      : `keychain:${source.account}`

/** Checks a profile name: letters, digits, `_`, `.`, `-`, starting with a letter or digit, at most 64. */
export const checkProfileName = (name: string): UsageError | undefined =>
  profileName.test(name)
    ? undefined
    : usage(
        `profile name "${name}" is not valid: use letters, digits, _, . and - (starting with a letter or digit, at most 64)`
      )

const describe = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : typeof value

/**
 * Checks one profile of the file; every problem is reported, each with the profile and key, never the value.
 * A key that would hold a secret is refused.
 */
const checkProfile = (name: string, raw: unknown, problems: Array<string>): Profile => {
  const at = (key: string) => `profiles.${name}.${key}`
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    problems.push(`profiles.${name} must be an object, not ${describe(raw)}`)
    return {}
  }
  const profile: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(raw)) {
    if (!(profileKeys as ReadonlyArray<string>).includes(key)) {
      problems.push(
        secretLike.test(key)
          ? `${at(key)}: a profile never holds a secret: remove it from the file and ${secretReferenceHelp}`
          : `${at(key)} is not a profile key (keys: ${profileKeys.join(", ")})${didYouMean(closest(key, profileKeys))}`
      )
      continue
    }
    const problem = checkValue(key as ProfileKey, value)
    if (problem === undefined) profile[key] = value
    else problems.push(`${at(key)} ${problem}`)
  }
  return profile as Profile
}

/** A refused host's reason, as the end of a sentence after the key's name; `undefined` for a host taken. */
const refusedHost = (checked: ReturnType<typeof checkHostUrl>): string | undefined =>
  checked._tag === "Ok" ? undefined : checked.message.replace(/^the host /, "")

/** Why `value` cannot be profile key `key` (no value in the text), or `undefined` when it can. */
const checkValue = (key: ProfileKey, value: unknown): string | undefined => {
  switch (key) {
    case "host":
      if (typeof value !== "string" || value.trim() === "") return "must be a non-empty string"
      // The rule `config set host` and every connection apply: `config list` shows the host, so one that could
      // hold a password (even behind a mistyped scheme) is refused here. Plain http is a connection's policy.
      return refusedHost(checkHostUrl(value, true, `remove them from the file and ${secretReferenceHelp}`))
    case "username":
      return typeof value === "string" && value.trim() !== "" ? undefined : "must be a non-empty string"
    case "org-id":
      return typeof value === "number" && Number.isSafeInteger(value) && value >= 0
        ? undefined
        : "must be a whole number, 0 or more"
    case "auth":
      return typeof value === "string" && (authMethods as ReadonlyArray<string>).includes(value)
        ? undefined
        : `must be one of ${authMethods.join(", ")}`
    case "secret": {
      if (typeof value !== "string") return `must be a reference (${secretReferenceHelp})`
      const parsed = parseSecretSource(value)
      return "ok" in parsed
        ? undefined
        : `is not a reference: a secret never belongs in this file; ${secretReferenceHelp}`
    }
    case "allow-insecure-http":
      return typeof value === "boolean" ? undefined : "must be true or false"
  }
}

/**
 * How a config file is read: `danglingDefault: "keep"` takes a `default` that names no profile of the file as it is,
 * for the `config` commands that repair it (`config use` names another, `config set` creates it, `config list`
 * shows it); every other reader refuses it, saying how to repair it.
 */
export interface ReadOptions {
  readonly danglingDefault?: "refuse" | "keep"
}

/** Parses the config file's text; every problem at once (one a line), naming `path`, never a value. */
export const parseConfigFile = (
  text: string,
  path: string,
  options: ReadOptions = {}
): { ok: ConfigFile } | { refused: string } => {
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch (e) {
    // Only the position, never V8's message: it quotes the text (a password pasted without quotes, say).
    const at = /at position (\d+)/.exec((e as Error).message)
    const before = at === null ? undefined : text.slice(0, Number(at[1]))
    const where =
      before === undefined
        ? ""
        : ` at line ${before.split("\n").length}, column ${before.length - before.lastIndexOf("\n")}`
    return { refused: `the config file ${path} is not valid JSON${where}: fix or remove it` }
  }
  const problems: Array<string> = []
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return { refused: `the config file ${path} must hold a JSON object: fix or remove it` }
  }
  const profiles: Record<string, Profile> = {}
  let defaultName: string | undefined
  for (const [key, value] of Object.entries(document)) {
    if (key === "default") {
      if (typeof value === "string") defaultName = value
      else problems.push(`default must be a profile name, not ${describe(value)}`)
    } else if (key === "profiles") {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        problems.push(`profiles must be an object of named profiles, not ${describe(value)}`)
        continue
      }
      for (const [name, raw] of Object.entries(value)) {
        const badName = checkProfileName(name)
        if (badName !== undefined) problems.push(badName.message)
        profiles[name] = checkProfile(name, raw, problems)
      }
    } else {
      problems.push(`${key} is not a config file key (keys: default, profiles)`)
    }
  }
  if (defaultName !== undefined && !(defaultName in profiles) && options.danglingDefault !== "keep") {
    const names = Object.keys(profiles)
    const another = names.length === 0 ? "" : `make another the default (spotpipe config use ${names[0]}), or `
    problems.push(
      `default names the profile "${defaultName}", which the file does not define: ${another}create it (spotpipe config set host URL --profile ${defaultName})`
    )
  }
  if (problems.length > 0) {
    const list = problems.length === 1 ? ` ${problems[0]}` : `\n  ${problems.join("\n  ")}`
    return { refused: `the config file ${path} is not valid:${list}` }
  }
  return { ok: { ...(defaultName === undefined ? {} : { default: defaultName }), profiles } }
}

/** Reads the config file at `path`; a file that does not exist is an empty config (`exists: false`). */
export const readConfigFile = Effect.fn("Profiles.readConfigFile")(function* (
  path: string,
  options: ReadOptions = {}
): Effect.fn.Return<{ readonly config: ConfigFile; readonly exists: boolean }, UsageError, FileSystem.FileSystem> {
  const fs = yield* FileSystem.FileSystem
  const text = yield* fs.readFileString(path).pipe(
    Effect.map((t): string | undefined => t),
    Effect.catch((e) =>
      errnoCode(e) === "ENOENT"
        ? Effect.succeed(undefined)
        : Effect.fail(usage(readProblem(`the config file ${path}`, errnoCode(e))))
    )
  )
  if (text === undefined) return { config: { profiles: {} }, exists: false }
  const parsed = parseConfigFile(text, path, options)
  if ("refused" in parsed) return yield* usage(parsed.refused)
  return { config: parsed.ok, exists: true }
})

/** How long a change of the config file waits, at most, for another one to finish. */
export const configLockWaitMillis = 5_000

/**
 * Changes the config file: reads it, lets `change` give the new content (and a result for the command's message),
 * and replaces the file atomically (temp file, fsync, rename), mode 0600, creating its folder (mode 0700) when
 * missing. All of it under the lock file `<config file>.lock` (OutputLock's {@link waitForLockFile}), so two commands
 * at once never lose one's update: one that finds the lock held waits for it, `waitMillis` at most. Reading the
 * file alone takes no lock. A config file that is a symbolic link (a dotfiles checkout) has its target replaced,
 * so the link stays, and the lock is taken beside the target.
 */
export const updateConfigFile = <A, E, R>(
  given: string,
  change: (current: {
    readonly config: ConfigFile
    readonly exists: boolean
  }) => Effect.Effect<readonly [ConfigFile, A], E, R>,
  options: { readonly waitMillis?: number } = {}
): Effect.Effect<A, E | UsageError | ExportError, Exclude<R, Scope.Scope> | FileSystem.FileSystem | Path.Path> =>
  Effect.scoped(
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const paths = yield* Path.Path
      const path = yield* fs.realPath(given).pipe(Effect.catch(() => Effect.succeed(given)))
      yield* fs
        .makeDirectory(paths.dirname(path), { recursive: true, mode: 0o700 })
        .pipe(
          Effect.mapError((e) =>
            usage(
              `cannot create the folder of the config file ${path} (${errnoCode(e) ?? e.reason._tag}): check its permissions, or set SPOTPIPE_CONFIG to another path`
            )
          )
        )
      yield* lockConfigFile(path, options.waitMillis ?? configLockWaitMillis)
      // The `config` commands change the file, and are how a default that names no profile is repaired.
      const [config, result] = yield* readConfigFile(given, { danglingDefault: "keep" }).pipe(Effect.flatMap(change))
      yield* replaceFile(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 })
      return result
    })
  )

/** Takes the lock beside the config file `path` for the rest of the scope, waiting `waitMillis` at most. */
const lockConfigFile = (path: string, waitMillis: number) => {
  const lockPath = `${path}.lock`
  return waitForLockFile(lockPath, waitMillis, {
    cannotCreate: (error) =>
      usage(
        `cannot create ${lockPath}, the lock of the config file (${(error as NodeJS.ErrnoException).code ?? String(error)}): check its folder's permissions, or set SPOTPIPE_CONFIG to another path`
      ),
    busy: (holder) =>
      usage(
        `the config file ${path} is being changed by another spotpipe command (${holder}), which did not finish within ${waitMillis / 1000} s: nothing was saved; run this command again once that one has ended (remove ${lockPath} only if no such process exists)`
      )
  })
}

/**
 * The command line that stores a keychain secret for `account`, per platform (for messages), ready to paste into
 * a POSIX shell: the account is one word whatever it holds (spaces, quotes, `$`).
 */
export const keychainStoreCommand = (account: string, platform: NodeJS.Platform = process.platform): string =>
  platform === "darwin"
    ? `security add-generic-password -s ${keychainService} -a ${shellWord(account)} -w`
    : `secret-tool store --label=spotpipe service ${keychainService} account ${shellWord(account)}`

/** `text` as one POSIX shell word: bare when nothing in it is special to a shell, else in single quotes. */
const shellWord = (text: string): string =>
  /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`

/**
 * Reads the secret stored for `account` in the system keychain: macOS `security`, elsewhere `secret-tool`
 * (libsecret). A missing tool, a missing entry and Windows are usage errors that say what to do; the tool's
 * output is never shown. `path` is the PATH to find the tool on (default: this process's).
 */
export const readKeychain = (
  account: string,
  platform: NodeJS.Platform = process.platform,
  path?: string
): Effect.Effect<string, UsageError> => {
  if (platform === "win32") {
    return Effect.fail(
      usage(
        "spotpipe reads no keychain on Windows: reference the secret as env:VARIABLE or file:PATH (spotpipe config set secret env:TS_PASSWORD)"
      )
    )
  }
  const [tool, args] =
    platform === "darwin"
      ? ["security", ["find-generic-password", "-s", keychainService, "-a", account, "-w"]]
      : ["secret-tool", ["lookup", "service", keychainService, "account", account]]
  return Effect.callback<string, UsageError>((resume) => {
    execFile(
      tool,
      args,
      { encoding: "utf8", env: { ...process.env, ...(path === undefined ? {} : { PATH: path }) }, timeout: 60_000 },
      (error, stdout) => {
        if (error === null) {
          const secret = stdout.replace(/\r?\n$/, "")
          resume(
            secret === ""
              ? Effect.fail(
                  usage(
                    `the keychain entry for ${account} (service ${keychainService}) is empty: store the secret with ${keychainStoreCommand(account, platform)}`
                  )
                )
              : Effect.succeed(secret)
          )
        } else if ((error as NodeJS.ErrnoException).code === "ENOENT") {
          resume(
            Effect.fail(
              usage(
                platform === "darwin"
                  ? "cannot read the keychain: the security command is not on PATH; reference the secret as env:VARIABLE or file:PATH instead"
                  : "cannot read the keychain: secret-tool is not installed (Debian/Ubuntu: apt install libsecret-tools; Fedora: dnf install libsecret); or reference the secret as env:VARIABLE or file:PATH instead"
              )
            )
          )
        } else {
          resume(
            Effect.fail(
              usage(
                `the keychain has no secret for account ${account} (service ${keychainService}), or it could not be read: store it with ${keychainStoreCommand(account, platform)}`
              )
            )
          )
        }
      }
    )
  })
}
