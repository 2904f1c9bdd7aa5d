/**
 * `spotpipe config`: named connection profiles in the config file (cluster/Profiles.ts). `set`, `get` and `unset`
 * one key of a profile, `list` every profile, `use` makes one the default. A profile holds where a secret is
 * (`env:NAME`, `file:PATH`, `keychain[:ACCOUNT]`), never the secret: a value that is not such a reference is
 * refused and never repeated. Without `--profile` these commands work on THOUGHTSPOT_PROFILE's profile, else the
 * default one, else (for `set`) a new profile named `default`, which becomes the default. The commands that
 * write read and change the file under its lock (Profiles.ts `updateConfigFile`), so that none loses another's.
 */
import * as NodePath from "node:path"
import { Console, Effect, FileSystem, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { checkConfigVariable, type Environment, readEnvironment } from "../cluster/Connection.ts"
import { checkHostUrl } from "../cluster/HostUrl.ts"
import {
  authMethods,
  type ConfigFile,
  checkProfileName,
  configPath,
  configVariables,
  formatSecretSource,
  keychainStoreCommand,
  type Profile,
  type ProfileKey,
  parseSecretSource,
  profileKeys,
  readConfigFile,
  secretReferenceHelp,
  updateConfigFile
} from "../cluster/Profiles.ts"
import { ExportError } from "../ExportError.ts"
import { errnoCode } from "../output/OutputFolder.ts"
import { closest, didYouMean } from "../Suggest.ts"
import { UsageError } from "../UsageError.ts"
import { withLogging } from "./Commands.ts"
import { logFlags } from "./Flags.ts"
import { inert, jsonLine } from "./TerminalText.ts"

const usage = (message: string) => new UsageError({ message })

/** A key that would hold a secret itself: refused with how to reference the secret instead. */
const secretKeys = /pass(word)?|secret[-_]?key|token|^pw$|credential|api[-_]?key/i

const profileFlag = Flag.String("profile").pipe(
  Flag.optional,
  Flag.withDescription("the profile to work on (default: THOUGHTSPOT_PROFILE, else the config file's default)")
)

const keyArgument = Argument.String("key").pipe(Argument.withDescription(`one of ${profileKeys.join(", ")}`))

/** The config file's path, from the environment (`SPOTPIPE_CONFIG`, the platform's config folder). */
const locateConfig = Effect.gen(function* () {
  const env = yield* readEnvironment({}, configVariables)
  const given = configPath(env)
  yield* checkConfigVariable(env)
  if (given === undefined) {
    return yield* usage(
      "cannot find the config file: HOME (or APPDATA on Windows) is not set; set SPOTPIPE_CONFIG to the file's path"
    )
  }
  // Absolute, as `config list` shows it: a relative SPOTPIPE_CONFIG is relative to where spotpipe was called.
  return { path: NodePath.resolve(given), env }
})

/** The config file's path and content, for commands that only read it. */
const loadConfig = Effect.gen(function* () {
  const { path, env } = yield* locateConfig
  const { config, exists } = yield* readConfigFile(path, { danglingDefault: "keep" })
  return { path, config, exists, env }
})

/** Checks `key`: one of the profile keys; a secret-like key is refused with how to reference a secret. */
const checkKey = (key: string, saving = false): Effect.Effect<ProfileKey, UsageError> => {
  const nothingSaved = saving ? " (nothing was saved)" : ""
  if ((profileKeys as ReadonlyArray<string>).includes(key)) return Effect.succeed(key as ProfileKey)
  // `password-file`: the flag's name, meaning a path, not a secret; a profile keeps such a path as a reference.
  if (secretKeys.test(key) && /file$/i.test(key)) {
    return Effect.fail(
      usage(
        `a profile keeps a password file as the key secret with a file: reference${nothingSaved}: spotpipe config set secret file:PATH, e.g. file:~/.spotpipe-password; ${secretReferenceHelp}`
      )
    )
  }
  if (secretKeys.test(key)) {
    return Effect.fail(
      usage(
        `a profile never holds a secret${nothingSaved}: use the key secret with a reference, e.g. spotpipe config set secret env:TS_PASSWORD; ${secretReferenceHelp}`
      )
    )
  }
  return Effect.fail(
    usage(`unknown key "${key}": use one of ${profileKeys.join(", ")}${didYouMean(closest(key, profileKeys))}`)
  )
}

/**
 * `value` checked and converted for `key`; a refused secret is never repeated. A file reference is made absolute
 * (against the folder spotpipe is called from; a leading `~` is `home`, as the shell would have it had it seen
 * the path: it does not inside `file:~/…`), `keychain` alone names the profile as the account.
 */
const checkSetting = (
  key: ProfileKey,
  value: string,
  profile: string,
  home: string | undefined
): Effect.Effect<Profile[ProfileKey], UsageError> => {
  switch (key) {
    case "host": {
      // Shape only: plain http to a remote host is decided when connecting (--allow-insecure-http).
      const checked = checkHostUrl(value, true)
      return checked._tag === "Refused" ? Effect.fail(usage(`host: ${checked.message}`)) : Effect.succeed(value.trim())
    }
    case "username":
      return value.trim() === ""
        ? Effect.fail(usage("username is empty: give the ThoughtSpot user name"))
        : Effect.succeed(value)
    case "org-id": {
      const n = Number(value.trim())
      return /^\d+$/.test(value.trim()) && Number.isSafeInteger(n)
        ? Effect.succeed(n)
        : Effect.fail(usage(`org-id "${value}" is not a whole number, 0 or more: e.g. spotpipe config set org-id 0`))
    }
    case "auth": {
      const method = value.toLowerCase()
      return (authMethods as ReadonlyArray<string>).includes(method)
        ? Effect.succeed(method as Profile["auth"])
        : Effect.fail(usage(`auth "${value}" is not a sign-in method: use ${authMethods.join(", ")}`))
    }
    case "secret": {
      const parsed = parseSecretSource(value)
      if ("refused" in parsed) return Effect.fail(usage(parsed.refused))
      const source = parsed.ok
      if (source._tag === "File") {
        if (source.path !== "~" && !source.path.startsWith("~/")) {
          return Effect.succeed(`file:${NodePath.resolve(source.path)}`)
        }
        return home === undefined || home === ""
          ? Effect.fail(usage("file:~/…: HOME is not set, so ~ names no folder: give the file's absolute path"))
          : Effect.succeed(`file:${NodePath.join(home, source.path.slice(1))}`)
      }
      if (source._tag === "Keychain" && source.account === "") return Effect.succeed(`keychain:${profile}`)
      return Effect.succeed(formatSecretSource(source))
    }
    case "allow-insecure-http": {
      const flag = value.toLowerCase()
      return flag === "true" || flag === "false"
        ? Effect.succeed(flag === "true")
        : Effect.fail(usage(`allow-insecure-http "${value}" is not true or false`))
    }
  }
}

/**
 * The profile a `config` command works on: `--profile`, THOUGHTSPOT_PROFILE, the default, else none. An exported but
 * empty THOUGHTSPOT_PROFILE names no profile for the other commands (not even the default), so here it names none
 * to change either: refused rather than taken as the default.
 */
const targetProfile = (
  flag: Option.Option<string>,
  env: Environment,
  config: ConfigFile
): Effect.Effect<string | undefined, UsageError> =>
  Option.isNone(flag) && env.isEmpty?.("THOUGHTSPOT_PROFILE") === true
    ? Effect.fail(
        usage(
          "THOUGHTSPOT_PROFILE is set but empty, which names no profile: pass --profile NAME, or unset THOUGHTSPOT_PROFILE to work on the config file's default profile"
        )
      )
    : Effect.succeed(Option.getOrUndefined(flag) ?? env("THOUGHTSPOT_PROFILE") ?? config.default)

/** A profile the file does not define: which ones it does, and how to create one. */
const noSuchProfile = (name: string, path: string, config: ConfigFile) => {
  const names = Object.keys(config.profiles)
  return usage(
    `no profile "${name}" in ${path}${names.length === 0 ? "" : ` (profiles: ${names.join(", ")})`}: create it with spotpipe config set host URL --profile ${name}${didYouMean(closest(name, names))}`
  )
}

/**
 * A `file:` secret's file must be there: a path that names no file may be the secret itself, pasted after
 * `file:`, so the message never repeats it (nothing is saved).
 */
const checkSecretFile = (path: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const info = yield* fs.stat(path).pipe(Effect.result)
    if (info._tag === "Failure") {
      // One that cannot be looked at now (a folder without permission) may be readable where commands run.
      const code = errnoCode(info.failure)
      if (code !== "ENOENT" && code !== "ENOTDIR") return
      return yield* usage(
        "secret file:…: that file is not there (nothing was saved; the path is not shown, in case it is the secret itself): create the file first, the secret on one line, and give its path"
      )
    }
    if (info.success.type === "Directory") {
      return yield* usage("secret file:…: that path is a folder, not a file (nothing was saved): give the file's path")
    }
  })

/** A setting as shown: its value as text (a secret's reference, never a secret). */
const shown = (value: Profile[ProfileKey]): string => inert(String(value))

const setCommand = Command.make(
  "set",
  {
    key: keyArgument,
    value: Argument.String("value").pipe(
      Argument.withDescription("the value; for secret a reference: env:NAME, file:PATH or keychain[:ACCOUNT]")
    ),
    profile: profileFlag,
    ...logFlags
  },
  (input) =>
    withLogging(input, (_logging) =>
      Effect.gen(function* () {
        const key = yield* checkKey(input.key, true)
        const { path, env } = yield* locateConfig
        // A refused value or profile name touches nothing: checked before the file (or its folder) is created.
        const checked = yield* checkSetting(key, input.value, "", env("HOME"))
        if (key === "secret" && typeof checked === "string" && checked.startsWith("file:")) {
          yield* checkSecretFile(checked.slice("file:".length))
        }
        const named = Option.getOrUndefined(input.profile) ?? env("THOUGHTSPOT_PROFILE")
        const badNamed = named === undefined ? undefined : checkProfileName(named)
        if (badNamed !== undefined) return yield* badNamed
        const { name, value, created, defaultName } = yield* updateConfigFile(path, ({ config }) =>
          Effect.gen(function* () {
            const name = (yield* targetProfile(input.profile, env, config)) ?? "default"
            const badName = checkProfileName(name)
            if (badName !== undefined) return yield* badName
            const value = yield* checkSetting(key, input.value, name, env("HOME"))
            const profile: Profile = { ...config.profiles[name], [key]: value }
            // The first profile becomes the default, so that commands use it without --profile.
            const defaultName = config.default ?? name
            const next: ConfigFile = { default: defaultName, profiles: { ...config.profiles, [name]: profile } }
            return [next, { name, value, created: !(name in config.profiles), defaultName }] as const
          })
        )
        // A notice, as the other commands give theirs: hidden by --quiet, one JSON object with --log-format json.
        yield* Effect.logInfo(
          `${created ? "created profile" : "profile"} "${name}"${defaultName === name ? " (default)" : ""}: ${key} = ${shown(value)} in ${path}`
        )
        if (key === "secret" && typeof value === "string" && value.startsWith("keychain:")) {
          const account = value.slice("keychain:".length)
          yield* Console.error(`store the secret in the keychain with: ${keychainStoreCommand(account)}`)
        }
      })
    )
).pipe(
  Command.withDescription(
    "Set one key of a profile: host, username, org-id, auth (password, secret-key, token), secret (a reference: env:NAME, file:PATH, keychain[:ACCOUNT]; never the secret itself), allow-insecure-http"
  ),
  Command.withExamples([
    { command: "spotpipe config set host https://acme.thoughtspot.cloud --profile prod", description: "create prod" },
    { command: "spotpipe config set secret env:TS_PASSWORD --profile prod", description: "password from a variable" },
    { command: "spotpipe config set auth token --profile ci", description: "a bearer token from the secret" }
  ])
)

const getCommand = Command.make("get", { key: keyArgument, profile: profileFlag, ...logFlags }, (input) =>
  withLogging(input, () =>
    Effect.gen(function* () {
      const key = yield* checkKey(input.key)
      const { path, config, env } = yield* loadConfig
      const name = yield* targetProfile(input.profile, env, config)
      if (name === undefined) {
        return yield* usage(
          `no profile given and ${path} names no default: pass --profile NAME, or create one with spotpipe config set host URL`
        )
      }
      const profile = config.profiles[name]
      if (profile === undefined) return yield* noSuchProfile(name, path, config)
      const value = profile[key]
      if (value === undefined) {
        return yield* new ExportError({ kind: "NotFound", message: `profile "${name}" does not set ${key} (${path})` })
      }
      yield* Console.log(shown(value))
    })
  )
).pipe(
  Command.withDescription("Print one key of a profile (a secret as its reference); exit 1 when it is not set"),
  Command.withExamples([{ command: "spotpipe config get host --profile prod", description: "prod's host" }])
)

const unsetCommand = Command.make("unset", { key: keyArgument, profile: profileFlag, ...logFlags }, (input) =>
  withLogging(input, (_logging) =>
    Effect.gen(function* () {
      const key = yield* checkKey(input.key)
      const { path, env } = yield* locateConfig
      const name = yield* updateConfigFile(path, ({ config }) =>
        Effect.gen(function* () {
          const name = yield* targetProfile(input.profile, env, config)
          if (name === undefined)
            return yield* usage(`no profile given and ${path} names no default: pass --profile NAME`)
          const profile = config.profiles[name]
          if (profile === undefined) return yield* noSuchProfile(name, path, config)
          // As `config get` says it: nothing to remove is no success (a mistyped profile or key, most likely).
          if (profile[key] === undefined) {
            return yield* new ExportError({
              kind: "NotFound",
              message: `profile "${name}" does not set ${key} (${path}): nothing removed`
            })
          }
          const { [key]: _removed, ...rest } = profile
          return [{ ...config, profiles: { ...config.profiles, [name]: rest } }, name] as const
        })
      )
      yield* Effect.logInfo(`profile "${name}": ${key} removed from ${path}`)
    })
  )
).pipe(
  Command.withDescription("Remove one key from a profile; exit 1 when it does not set it"),
  Command.withExamples([
    { command: "spotpipe config unset org-id --profile prod", description: "back to the user's default Org" }
  ])
)

const useCommand = Command.make(
  "use",
  { name: Argument.String("name").pipe(Argument.withDescription("the profile to make the default")), ...logFlags },
  (input) =>
    withLogging(input, (_logging) =>
      Effect.gen(function* () {
        const { path } = yield* locateConfig
        yield* updateConfigFile(path, ({ config }) =>
          input.name in config.profiles
            ? Effect.succeed([{ ...config, default: input.name }, undefined] as const)
            : Effect.fail(noSuchProfile(input.name, path, config))
        )
        yield* Effect.logInfo(`default profile: ${input.name} (${path})`)
      })
    )
).pipe(
  Command.withDescription(
    "Make a profile the default: commands use it when neither --profile nor THOUGHTSPOT_PROFILE names one"
  ),
  Command.withExamples([{ command: "spotpipe config use prod", description: "prod by default" }])
)

const listCommand = Command.make(
  "list",
  {
    json: Flag.Boolean("json").pipe(Flag.withDefault(false), Flag.withDescription("one JSON object on stdout")),
    ...logFlags
  },
  (input) =>
    withLogging(input, () =>
      Effect.gen(function* () {
        const { path, config, exists } = yield* loadConfig
        if (input.json) {
          return yield* Console.log(
            jsonLine({
              path,
              exists,
              ...(config.default === undefined ? {} : { default: config.default }),
              profiles: config.profiles
            })
          )
        }
        const names = Object.keys(config.profiles)
        if (names.length === 0) {
          return yield* Effect.logInfo(
            `no profiles (${exists ? `${path} defines none` : `there is no ${path}`}): create one with spotpipe config set host URL --profile NAME`
          )
        }
        const lines = [`# ${inert(path)}`]
        if (config.default !== undefined && !(config.default in config.profiles)) {
          lines.push(
            `# default: "${inert(config.default)}", which this file does not define: spotpipe config use NAME makes one of these the default`
          )
        }
        for (const name of names) {
          lines.push(`${name}${config.default === name ? " (default)" : ""}`)
          const profile = config.profiles[name] ?? {}
          for (const key of profileKeys) {
            const value = profile[key]
            if (value !== undefined) lines.push(`  ${key.padEnd(19)} ${shown(value)}`)
          }
        }
        yield* Console.log(lines.join("\n"))
      })
    )
).pipe(
  Command.withDescription("List every profile and its settings (secrets as their references, e.g. env:TS_PASSWORD)"),
  Command.withExamples([
    { command: "spotpipe config list", description: "the config file's path, then each profile" },
    { command: "spotpipe config list --json", description: "as one JSON object" }
  ])
)

/** `spotpipe config …`. */
export const configCommand = Command.make("config").pipe(
  Command.withDescription(
    "Named connection profiles (host, user, org, sign-in method and where its secret is) in the config file: SPOTPIPE_CONFIG, else spotpipe/config.json in the platform's config folder"
  ),
  Command.withExamples([
    { command: "spotpipe config set host https://acme.thoughtspot.cloud --profile prod", description: "create prod" },
    { command: "spotpipe config list", description: "every profile" },
    { command: "spotpipe answer Sales --profile prod", description: "export with prod's settings" }
  ]),
  Command.withSubcommands([setCommand, getCommand, unsetCommand, listCommand, useCommand])
)
