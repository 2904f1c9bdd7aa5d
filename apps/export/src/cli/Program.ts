/**
 * The whole CLI as one Effect from arguments to an exit code: 0 success, 1 export failed, 2 usage error.
 * Usage errors and failures print one line on stderr (the full cause with `--verbose`); parse errors go to
 * stderr with a pointer to `--help`, never the whole help text to stdout, so stdout only ever carries data
 * (`--out -`), help or the summary. A closed stdout ends quietly with 141. An interruption (a signal, see
 * Main.ts), or leaving a prompt (the wizard's, the password's), prints that nothing partial was published and,
 * for a batch run, how to resume it. An unknown flag or command names the closest ones ("did you mean"); a
 * missing or extra argument or flag value says what to give (a name with spaces, in quotes); with
 * `--log-format json` every stderr line printed here is one JSON object, the last one with the run's `exit_code`.
 */
import { constants } from "node:os"
import { ApiCall } from "@spotpipe/core"
import { Cause, Clock, Console, Effect, Layer, Option, Queue, Terminal } from "effect"
import { CliConfig, CliError, type HelpDoc as CliHelpDoc, CliOutput, Command, TerminalCapabilities } from "effect/cli"
import { rejectSecretFlags } from "../cluster/Connection.ts"
import { ExitCode, reportFailure, SignInHint } from "../Failure.ts"
import { interruptedLines, ResumeHint, shellWord } from "../Interruption.ts"
import { isStdoutClosed, stdoutClosedExitCode } from "../output/StdoutWriter.ts"
import { ExportSpec, flagKeys, JobFileSchema } from "../plan/JobFile.ts"
import { closest, didYouMean } from "../Suggest.ts"
import { UsageError } from "../UsageError.ts"
import { spotpipe, version } from "./Cli.ts"
import { actionFlagNames, builtInFlags, RefusedValue } from "./Flags.ts"
import { jsonRecord, loggingFromArgs, wantsFullCause, wantsJson } from "./Logging.ts"
import { inert, jsonLine } from "./TerminalText.ts"

/** One stderr line: inert text, or with `--log-format json` one JSON object (`{"timestamp","level","message",…}`). */
const errorLine = (json: boolean, message: string, fields: Record<string, unknown> = {}) =>
  json
    ? Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Console.error(jsonLine(jsonRecord(new Date(now).toISOString(), "ERROR", message, fields)))
      )
    : Console.error(inert(message))

/** The names of `flags` as typed (`--out`, `-f`: a help document's aliases carry their dash already). */
const flagNames = (flags: CliHelpDoc.HelpDoc["flags"]) =>
  flags.flatMap((f) => [
    `--${f.name}`,
    ...f.aliases.map((a) => (a.startsWith("-") ? a : a.length === 1 ? `-${a}` : `--${a}`))
  ])

/**
 * Commands other tools have (gh's `auth login`, `help`, `version`) that spotpipe does differently: what to type
 * instead, rather than "unknown command" with no way forward.
 */
const habits: Readonly<Record<string, string>> = {
  "spotpipe help": 'there is no help command: run "spotpipe --help", or "spotpipe <command> --help" for one command',
  "spotpipe version": 'there is no version command: run "spotpipe --version"',
  "spotpipe completion": 'there is no completion command: run "spotpipe --completions bash" (or zsh, fish, powershell)',
  "spotpipe completions":
    'there is no completions command: run "spotpipe --completions bash" (or zsh, fish, powershell)',
  "spotpipe auth login":
    "there is no auth login: spotpipe keeps no session, it signs in on every command with the connection flags, the THOUGHTSPOT_* variables or a profile (spotpipe config set host URL --profile NAME, then config set username and config set secret env:VARIABLE); spotpipe auth status checks them",
  "spotpipe auth logout":
    "there is no auth logout: spotpipe keeps no session, and a command revokes the tokens it mints when it ends; spotpipe config unset secret removes a profile's secret reference"
}

/** gh's one-letter `api` flags that mean something else than spotpipe's flags of the same letter (`-i`: --include, not --input). */
const ghApiFlags: Readonly<Record<string, string>> = {
  "-i": "--include",
  "-H": "--header",
  "-q": "--jq",
  "-t": "--template"
}

/** The words after the command's name that are neither flags nor their values: its arguments as given. */
const argumentsGiven = (args: ReadonlyArray<string>, helpDoc: CliHelpDoc.HelpDoc): ReadonlyArray<string> => {
  const { takeValue } = flagKinds(helpDoc)
  const given: Array<string> = []
  for (let i = (commandWords(args).at(-1)?.at ?? -1) + 1; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--") return [...given, ...args.slice(i + 1)]
    if (arg.startsWith("-") && arg !== "-") {
      if (takeValue.has(arg)) i++
      continue
    }
    given.push(arg)
  }
  return given
}

const isMethod = (word: string) => (ApiCall.methods as ReadonlyArray<string>).includes(word.toUpperCase())

/**
 * gh habits on `spotpipe api`: a path without the method (`api metadata/search`), or the method as `-X POST`.
 * effect/cli says "needs <path>" (a path was given) or "unknown flag -X": what to type instead.
 */
const apiMethodText = (
  error: CliError.NonShowHelpErrors,
  helpDoc: CliHelpDoc.HelpDoc,
  args: ReadonlyArray<string>
): string | undefined => {
  if ((helpDoc.commandPath ?? []).join(" ") !== "spotpipe api") return undefined
  // The path as messages show it: a query string or a URL's user info may hold a secret (`system?…`).
  const line = (method: string, path: string) => `spotpipe api ${method} ${shellWord(ApiCall.shownPath(path))}`
  const methods = `${ApiCall.methods.join(", ")}; REST v2.0 uses POST for most calls`
  if (error._tag === "MissingArgument" && error.argument === "path") {
    const [word] = argumentsGiven(args, helpDoc)
    if (word === undefined || isMethod(word)) return undefined
    return `spotpipe: ${shellWord(ApiCall.shownPath(word))} is not a method: give it first, as in ${line(ApiCall.usualMethod(word), word)} (${methods})`
  }
  if (error._tag === "UnrecognizedOption" && /^(-X|--method)(=|$)|^-X[A-Za-z]+$/.test(error.option)) {
    // As typed: `-X POST`, `-XPOST` (which effect/cli reads as -X -P -O -S -T) or `--method=POST`.
    const at = args.findIndex((arg) => /^(-X|--method)(=|$)|^-X[A-Za-z]+$/.test(arg))
    const attached = /^(?:-X|--method)=?(.+)$/.exec(args[at] ?? "")?.[1]
    const flagged = attached ?? args[at + 1]
    // The words after each -X/--method are its values, not arguments.
    const values = new Set(args.flatMap((arg, i) => (/^(-X|--method)$/.test(arg) ? [i + 1] : [])))
    const given = argumentsGiven(args, helpDoc).filter((word) => !values.has(args.indexOf(word)))
    const path = given.find((word) => !isMethod(word)) ?? "metadata/search"
    // A method given as the first argument too is the one that counts; else the flag's, when it is one.
    const method =
      given.find(isMethod)?.toUpperCase() ??
      (flagged !== undefined && isMethod(flagged) ? flagged.toUpperCase() : ApiCall.usualMethod(path))
    const unknown =
      flagged !== undefined && !isMethod(flagged) && !flagged.startsWith("-")
        ? ` (${shellWord(flagged)} is no method REST v2.0 takes: ${methods})`
        : ""
    return `spotpipe: unknown flag ${error.option} for "spotpipe api": the method is the first argument, as in ${line(method, path)}${unknown}`
  }
  return undefined
}

/**
 * Words beyond what a command takes. Most often a name with spaces that the shell split (`spotpipe answer Revenue
 * by Month`): then the name as meant, in quotes. effect/cli says only "Unexpected positional arguments".
 */
const extraWordsText = (
  extra: ReadonlyArray<string>,
  helpDoc: CliHelpDoc.HelpDoc,
  args: ReadonlyArray<string>
): string => {
  const command = (helpDoc.commandPath ?? ["spotpipe"]).join(" ")
  const words = extra.map((word) => JSON.stringify(word)).join(" ")
  const takes = helpDoc.args ?? []
  const last = takes.at(-1)
  if (last === undefined) {
    return `${command} takes no argument, but ${words} ${extra.length === 1 ? "was" : "were"} given: what it does is set with flags (--help lists them)`
  }
  const taken = takes.map((arg) => `<${arg.name}>`).join(" ")
  // The words right after the argument they were split from: that argument is no flag, nor a flag's value.
  const at = args.findIndex((_, i) => i > 0 && extra.every((word, k) => args[i + k] === word))
  const before = args[at - 1]
  const flag = args[at - 2]
  const booleans = new Set(flagNames(helpDoc.flags.filter((f) => f.type === "boolean")))
  const afterArgument =
    at > 0 &&
    before !== undefined &&
    !before.startsWith("-") &&
    (flag === undefined || !flag.startsWith("-") || flag.includes("=") || booleans.has(flag))
  // An object's name (answer, liveboard), as the argument's help says: names are what have spaces.
  const named = Option.getOrUndefined(last.description)?.includes("name") === true
  if (afterArgument && named) {
    const meant = [before, ...extra].join(" ")
    // Double quotes, as the examples write names, where the shell leaves the name as it is inside them.
    const quoted = /^[^"$`\\!]*$/.test(meant) ? `"${meant}"` : shellWord(meant)
    return `${command} takes one ${taken}, but the shell split ${JSON.stringify(meant)} into ${extra.length + 1} words: put a name with spaces in quotes (${command} ${quoted})`
  }
  return `${command} takes ${taken}, but ${words} ${extra.length === 1 ? "is" : "are"} more${named ? ": put a name with spaces in quotes" : ""}`
}

/** The keys of an export in a job file, and those of them "defaults" sets for every export. */
const exportKeys: ReadonlySet<string> = new Set(ExportSpec.members.flatMap((member) => Object.keys(member.fields)))
const defaultKeys: ReadonlySet<string> = new Set(Object.keys(JobFileSchema.fields.defaults.schema.fields))

/** The job-file key of an export setting given as a flag (`--page-size` is "pageSize"), if it is one. */
const jobFileKey = (flag: string): string | undefined => {
  const name = flag.replace(/^-+/, "")
  const key = flagKeys[name] ?? name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())
  return key !== "type" && exportKeys.has(key) ? key : undefined
}

/** Which commands have each flag (`--viz`: `spotpipe liveboard`), as their --help lists them. */
export type FlagOwners = ReadonlyMap<string, ReadonlyArray<string>>

/** The {@link FlagOwners} of every command, from each command's help document. */
export const flagOwners = Effect.gen(function* () {
  const owners = new Map<string, Array<string>>()
  const pending: Array<ReadonlyArray<string>> = [[]]
  let command: Command.Command.Any | undefined
  for (let path = pending.shift(); path !== undefined; path = pending.shift()) {
    command = spotpipe
    for (const word of path) {
      command = command?.subcommands.flatMap((group) => group.commands).find((c) => c.name === word)
    }
    if (command === undefined) continue
    for (const sub of command.subcommands.flatMap((group) => group.commands)) pending.push([...path, sub.name])
    if (path.length === 0) continue
    const doc = yield* helpDocOf(path)
    for (const name of flagNames(doc?.flags ?? [])) {
      owners.set(name, [...(owners.get(name) ?? []), ["spotpipe", ...path].join(" ")])
    }
  }
  return owners as FlagOwners
})

/** `(spotpipe liveboard has it)`, naming up to three commands that have `flag`; "" for none. */
const ownersText = (flag: string, owners: ReadonlyArray<string>): string => {
  if (owners.length === 0) return ""
  const shown = owners.length > 3 ? [...owners.slice(0, 2), `${owners.length - 2} more`] : owners
  const list = shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}`
  return ` (${list} ${owners.length === 1 ? "has" : "have"} ${flag})`
}

/** A parse error as one line; an unknown flag or command names the closest ones. */
const parseErrorText = (
  error: CliError.NonShowHelpErrors,
  helpDoc: CliHelpDoc.HelpDoc,
  args: ReadonlyArray<string>,
  owners: FlagOwners = new Map()
) => {
  const where = helpDoc.commandPath === undefined ? "" : ` for "${helpDoc.commandPath.join(" ")}"`
  const command = (helpDoc.commandPath ?? ["spotpipe"]).join(" ")
  const api = apiMethodText(error, helpDoc, args)
  if (api !== undefined) return api
  switch (error._tag) {
    case "UnexpectedArgument":
      return `spotpipe: ${extraWordsText(error.arguments, helpDoc, args)}`
    // What is missing, and what to give there: its --help text (effect/cli names it only).
    case "MissingArgument": {
      const arg = (helpDoc.args ?? []).find((a) => a.name === error.argument)
      const what = arg === undefined ? undefined : Option.getOrUndefined(arg.description)
      return `spotpipe: ${command} needs <${error.argument}>${what === undefined ? "" : `: ${what}`}`
    }
    case "MissingOption": {
      const flag = helpDoc.flags.find((f) => f.name === error.option)
      const what = flag === undefined ? undefined : Option.getOrUndefined(flag.description)
      return `spotpipe: ${command} needs --${error.option}${what === undefined ? "" : `: ${what}`}`
    }
    case "UnrecognizedOption": {
      const flags = flagNames([...helpDoc.flags, ...(helpDoc.globalFlags ?? [])])
      // A one-letter flag other tools have (`-o`, `-q`): the flags that start with its letter, not the one-letter
      // flags that merely differ from it by one character (`-h`, `-v`).
      const letter = /^-([A-Za-z])$/.exec(error.option)?.[1]?.toLowerCase()
      // `spotpipe run` reads the export settings from its job file: where this one goes there.
      const key = command === "spotpipe run" ? jobFileKey(error.option) : undefined
      if (key !== undefined) {
        const where = defaultKeys.has(key) ? ' in "defaults" (for every export) or in an export' : " in each export"
        return `spotpipe: ${error.option} is an export setting, which "spotpipe run" reads from the job file: set "${key}" there,${where}`
      }
      // Long flags only, compared without the dashes that every one of them has (`--sort` is not `--host`).
      const bare = (flag: string) => flag.replace(/^-+/, "")
      const byBare = new Map(flags.filter((flag) => flag.startsWith("--")).map((flag) => [bare(flag), flag] as const))
      const gh = command === "spotpipe api" ? ghApiFlags[error.option] : undefined
      const suggestions =
        gh !== undefined
          ? []
          : error.option === "--debug" && flags.includes("--verbose")
            ? ["--verbose"]
            : letter === undefined
              ? closest(bare(error.option), byBare.keys(), 3, "prefix").map((name) => byBare.get(name)!)
              : flags
                  .filter((f) => f.startsWith(`--${letter}`) || f.toLowerCase() === `-${letter}`)
                  .sort((a, b) => a.length - b.length)
                  .slice(0, 3)
      // Right after a flag that takes a value, it may have been meant as that value (`--null-string --`).
      const before = args[args.indexOf(error.option) - 1]
      const value =
        before !== undefined && flagKinds(helpDoc).takeValue.has(before)
          ? `; if it is the value of ${before}, give it as ${before}=${error.option}`
          : ""
      const elsewhere = ownersText(
        error.option,
        (owners.get(error.option) ?? []).filter((owner) => owner !== command)
      )
      const habit = gh === undefined ? "" : ` (in gh, ${error.option} is ${gh}, which spotpipe api does not have)`
      return `spotpipe: unknown flag ${error.option}${where}${habit}${elsewhere}${didYouMean(suggestions, false)}${value}`
    }
    case "UnknownSubcommand": {
      const habit = habits[`${(helpDoc.commandPath ?? []).join(" ")} ${error.subcommand}`]
      // `completion zsh`: the shell it names, not bash.
      const shell = args[args.indexOf(error.subcommand) + 1]
      if (
        habit !== undefined &&
        /^completions?$/.test(error.subcommand) &&
        /^(bash|zsh|fish|sh|powershell)$/.test(shell ?? "")
      ) {
        return `spotpipe: ${habit.replace(/--completions bash" \(or [^)]*\)/, `--completions ${shell}"`)}`
      }
      if (habit !== undefined) return `spotpipe: ${habit}`
      const commands = (helpDoc.subcommands ?? []).flatMap((group) => group.commands.map((c) => c.name))
      return `spotpipe: unknown command "${error.subcommand}"${where}${didYouMean(closest(error.subcommand, commands))}`
    }
    case "InvalidValue": {
      // effect/cli's words for a flag given twice: `Invalid value for flag --format: "2 occurrences"`.
      const times = /^(\d+) occurrences$/.exec(error.value)
      if (error.kind === "flag" && times !== null && error.expected === "at most 1 value") {
        return `spotpipe: --${error.option} is given ${times[1]} times: give it once (spotpipe takes neither the first nor the last)`
      }
      // A flag last on the line, or followed by another flag (`--out --format csv`): effect/cli says "Missing value
      // for flag --out. Expected: string". (An empty value given, `--host ""`, is refused by the flag itself.)
      if (error.kind === "flag" && error.value === "" && !(error instanceof RefusedValue)) {
        const flag = [...helpDoc.flags, ...(helpDoc.globalFlags ?? [])].find((f) => f.name === error.option)
        const choices = flag?.type.includes("|") === true ? ` (${flag.type})` : ""
        const what = flag === undefined ? undefined : Option.getOrUndefined(flag.description)
        return `spotpipe: --${error.option} needs a value${choices}${what === undefined ? "" : `: ${what}`}`
      }
      return `spotpipe: ${error.message}`
    }
    default:
      return `spotpipe: ${error.message}`
  }
}

/** A negative number, which effect/cli's lexer reads as a value, not as flags. */
const negativeNumber = /^-(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/

/**
 * A word of one dash as effect/cli reads it: every character before a `=` a one-letter flag, the last of them given
 * what follows the `=` (`-zv` → -z -v, `-ov=1` → -o -v=1). Any other word, and unless `always` one without -h or -v
 * among its letters, as it is.
 */
const lettersOf = (word: string, always = false): ReadonlyArray<string> => {
  if (!/^-[^-]./.test(word) || negativeNumber.test(word)) return [word]
  const equals = word.indexOf("=")
  const letters = [...word.slice(1, equals === -1 ? undefined : equals)]
  if (!always && !letters.some((letter) => letter === "h" || letter === "v")) return [word]
  return letters.map((letter, i) =>
    equals !== -1 && i === letters.length - 1 ? `-${letter}=${word.slice(equals + 1)}` : `-${letter}`
  )
}

/**
 * The parse errors worth showing. A mistyped command comes first: the flags after it belong to the command
 * meant, so "unknown flag" for its parent would mislead (`spotpipe answr X --sandbox`). The value after an
 * unknown flag is read as an argument or command ("unknown command x"): such follow-on errors are noise, so
 * otherwise with an unknown flag only those are shown.
 */
export const shownParseErrors = (
  errors: ReadonlyArray<CliError.NonShowHelpErrors>,
  args: ReadonlyArray<string>
): ReadonlyArray<CliError.NonShowHelpErrors> => {
  // A word of one dash is read letter by letter (`-XPOST`, gh's method: -X -P -O -S -T; `-o/tmp/a.csv`): only its
  // first letter is worth a line.
  const letters = args.map((arg) => lettersOf(arg, true).map((flag) => flag.split("=", 1)[0]!))
  const first = new Set(letters.map((flags) => flags[0]))
  const bundled = new Set(letters.flatMap((flags) => flags.slice(1)).filter((flag) => !first.has(flag)))
  const unknownFlags = errors.filter(
    (error): error is CliError.UnrecognizedOption =>
      error._tag === "UnrecognizedOption" && !(bundled.has(error.option) && !args.includes(error.option))
  )
  const flagNames = new Set(unknownFlags.map((error) => error.option))
  const commands = errors.filter(
    (error) =>
      error._tag === "UnknownSubcommand" &&
      !args.some((arg, i) => arg === error.subcommand && i > 0 && flagNames.has(args[i - 1] ?? ""))
  )
  return commands.length > 0 ? commands : unknownFlags.length > 0 ? unknownFlags : errors
}

/** Parse errors: one line each and a pointer to --help, on stderr (one JSON object each with --log-format json). */
const presentParseErrors = (
  json: boolean,
  args: ReadonlyArray<string>,
  event: CliOutput.Presenter.InvalidInvocation,
  shown: ReadonlyArray<CliError.NonShowHelpErrors>
) =>
  Effect.gen(function* () {
    const usage = `run "${event.commandPath.join(" ")} --help" for usage`
    const owners: FlagOwners = shown.some((error) => error._tag === "UnrecognizedOption")
      ? yield* flagOwners
      : new Map()
    // Each line once: two errors may come to the same advice (`-X POST -X GET`).
    const lines = new Set(shown.map((error) => parseErrorText(error, event.helpDoc, args, owners)))
    for (const line of lines) yield* errorLine(json, line, { hint: usage, exit_code: ExitCode.usage })
    if (!json) yield* Console.error(inert(`Run "${event.commandPath.join(" ")} --help" for usage.`))
  })

// The presenter reads the commands' help documents (flagOwners), with the services the run was given.
const presenter = (json: boolean, args: ReadonlyArray<string>) =>
  Layer.effect(
    CliOutput.Presenter,
    Effect.map(Effect.context<Effect.Services<typeof flagOwners>>(), (context) => ({
      present: (event: CliOutput.Presenter.Event) =>
        event._tag === "InvalidInvocation"
          ? presentParseErrors(json, args, event, shownParseErrors(event.errors, args)).pipe(
              Effect.provideContext(context)
            )
          : CliOutput.defaultPresenter.present(event)
    }))
  )

/** What stands in for a built-in flag that acts while the line is checked for unknown flags: no command's flag. */
const actionStandIn = "--(help)"

/**
 * An unknown flag beside a built-in flag that acts (`answer X --fromat -h`, `answer X --bogus --version`):
 * effect/cli acts on `-h` or `--version` before it looks at the other flags, so a typo printed help or the version
 * and exited 0. As gh does, the unknown flag wins: the line is parsed once with each such flag replaced by a stand-in
 * that is no flag (so the parse fails and nothing runs), and its unknown flags other than the stand-in are shown
 * (a cluster of one-letter flags such as `-zv` taken letter by letter). None when the stand-in is the only one.
 */
export const unknownBesideAction = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const end = args.indexOf("--")
    // A word of one dash whose letters hold -h or -v (`-zv`, `-o/tmp/v.csv`) is its letters, each checked as given
    // alone: effect/cli reads every character before a `=` as a one-letter flag, and would act on the -v among them.
    const words = (end === -1 ? args : args.slice(0, end)).flatMap((word) => lettersOf(word))
    const acts = (word: string) => actionFlagNames.has(word.split("=", 1)[0]!)
    if (!words.some(acts)) return Option.none<readonly [CliOutput.Presenter.InvalidInvocation, ReadonlyArray<string>]>()
    const probe = [...words.map((word) => (acts(word) ? actionStandIn : word)), ...(end === -1 ? [] : args.slice(end))]
    let invalid: CliOutput.Presenter.InvalidInvocation | undefined
    yield* Command.runWith(spotpipe, { version })(probe).pipe(
      Effect.provideService(CliConfig.CliConfig, cliConfig),
      Effect.provide(
        CliOutput.layerPresenter({
          present: (event) =>
            Effect.sync(() => {
              if (event._tag === "InvalidInvocation") invalid = event
            })
        })
      ),
      Effect.ignore
    )
    const isStandIn = (error: CliError.NonShowHelpErrors) =>
      error._tag === "UnrecognizedOption" && error.option === actionStandIn
    if (
      invalid === undefined ||
      !invalid.errors.some((error) => error._tag === "UnrecognizedOption" && !isStandIn(error))
    ) {
      return Option.none<readonly [CliOutput.Presenter.InvalidInvocation, ReadonlyArray<string>]>()
    }
    return Option.some([invalid, probe] as const)
  })

/**
 * `--wizard` asks for each flag on the terminal and prints its questions on stdout: without a terminal there (a
 * pipe, a script) it could only print escape codes and give up, so it is a usage error before anything runs. It
 * follows the CLI's one terminal rule, as the password prompt does (`canPrompt`): a terminal with `TERM=dumb`
 * cannot redraw a question as it is answered.
 */
export const wizardWithoutTerminal = (
  args: ReadonlyArray<string>,
  terminal: { readonly stdin: boolean; readonly stdout: boolean; readonly canPrompt: boolean }
): Option.Option<UsageError> => {
  const end = args.indexOf("--")
  const words = end === -1 ? args : args.slice(0, end)
  if (!words.some((arg) => arg === "--wizard" || arg.startsWith("--wizard="))) return Option.none()
  if (terminal.stdin && terminal.stdout) {
    return terminal.canPrompt
      ? Option.none()
      : Option.some(
          new UsageError({
            message:
              "--wizard redraws each question as it is answered, which a terminal with TERM=dumb cannot: run it where TERM names a terminal that can, or give the flags themselves (--help lists them)"
          })
        )
  }
  const which = terminal.stdin ? "stdout" : terminal.stdout ? "stdin" : "stdin and stdout"
  return Option.some(
    new UsageError({
      message: `--wizard asks for each flag on a terminal, but ${which} ${which.includes(" and ") ? "are" : "is"} not one: run it in a terminal, or give the flags themselves (--help lists them)`
    })
  )
}

/**
 * The command words of `args` (`ls`, `answers`) with their positions, found by name down the command tree from
 * the root; flags and their values in between are skipped.
 */
const commandWords = (args: ReadonlyArray<string>): ReadonlyArray<{ readonly word: string; readonly at: number }> => {
  const words: Array<{ readonly word: string; readonly at: number }> = []
  let command: Command.Command.Any = spotpipe
  for (let at = 0; at < args.length; at++) {
    const arg = args[at]!
    if (arg === "--") break
    const next = command.subcommands.flatMap((group) => group.commands).find((c) => c.name === arg)
    if (next === undefined) continue
    words.push({ word: arg, at })
    command = next
  }
  return words
}

/** effect/cli's configuration: its global flags, with our `--log-level` (any case) in place of its own. */
const cliConfig = CliConfig.make({ builtIns: builtInFlags })

/** The help document of the command `words` name (`["ls", "answers"]`): effect/cli's own, as its --help shows it. */
export const helpDocOf = (words: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    let doc: CliHelpDoc.HelpDoc | undefined
    yield* Command.runWith(spotpipe, { version })([...words, "--help"]).pipe(
      Effect.provideService(CliConfig.CliConfig, cliConfig),
      Effect.provide(
        CliOutput.layerPresenter({
          present: (event) =>
            Effect.sync(() => {
              if (event._tag === "Help") doc = event.helpDoc
            })
        })
      ),
      Effect.ignore
    )
    return doc
  })

/** The flags of `doc` that take a value (`--out`, `-f`), and all of its flags, as typed. */
const flagKinds = (doc: CliHelpDoc.HelpDoc) => {
  const all = [...doc.flags, ...(doc.globalFlags ?? [])]
  return {
    known: new Set(flagNames(all)),
    takeValue: new Set(flagNames(all.filter((f) => f.type !== "boolean")))
  }
}

/** A word with one leading dash that could be a value (`-x`, `-08:00`, `-\N`), not the lone `-` (stdout). */
const oneDashWord = (word: string) => word.length > 1 && word.startsWith("-") && !word.startsWith("--")

/** Whether `word` right after a flag that takes a value is that value (see {@link joinDashValues}). */
const isDashValue = (word: string, known: ReadonlySet<string>) =>
  actionFlagNames.has(word) || (oneDashWord(word) && !known.has(word))

/**
 * effect/cli reads every word that starts with `-` as a flag, so `--null-string -x` or `--timezone -08:00` was
 * "unknown flag -x". Such a word right after a flag that takes a value is that flag's value, joined as
 * `--null-string=-x`, unless it is a flag of the command itself (`-f`): then it stays a flag, as does a word that
 * starts with `--` (a flag whose value was forgotten, `--out --fromat`, is not taken for a folder). The built-in
 * flags that end the run (`-h`, `--version`) are that value too: the flag then checks it as any value of its
 * own (`--job-run -v` is refused), where they would have printed help or the version and exited 0.
 */
export const joinDashValues = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const end = args.indexOf("--")
    const words = end === -1 ? args : args.slice(0, end)
    const candidate = (word: string) => oneDashWord(word) || actionFlagNames.has(word)
    if (!words.some((word, i) => i > 0 && candidate(word) && words[i - 1]!.startsWith("-"))) return args
    const doc = yield* helpDocOf(commandWords(args).map((w) => w.word))
    if (doc === undefined) return args
    const { known, takeValue } = flagKinds(doc)
    const joined: Array<string> = []
    for (let at = 0; at < args.length; at++) {
      const word = args[at]!
      const next = args[at + 1]
      if (at + 1 < words.length && takeValue.has(word) && next !== undefined && isDashValue(next, known)) {
        joined.push(`${word}=${next}`)
        at++
      } else {
        joined.push(word)
      }
    }
    return joined
  })

/**
 * A one-letter flag's value written against it, as gh and other pflag tools take it (`-Ftype=LIVEBOARD`, `-o./land`):
 * effect/cli read the word as a cluster of one-letter flags (`-F -t -y -p …`) and refused it. A word of one dash
 * whose first letter is a flag of the command that takes a value, and that is no flag itself, becomes `-F=type=…`.
 */
export const attachShortValues = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const end = args.indexOf("--")
    const words = end === -1 ? args : args.slice(0, end)
    const attached = (word: string) => /^-[A-Za-z][^=]/.test(word)
    if (!words.some(attached)) return args
    const doc = yield* helpDocOf(commandWords(args).map((w) => w.word))
    if (doc === undefined) return args
    const { known, takeValue } = flagKinds(doc)
    return args.map((word, at) =>
      at < words.length && attached(word) && !known.has(word) && takeValue.has(word.slice(0, 2))
        ? `${word.slice(0, 2)}=${word.slice(2)}`
        : word
    )
  })

/**
 * `config set KEY VALUE` takes VALUE as it is, also `-v` or `-h` (`config set username -v`), which effect/cli read as
 * --version or --help: it printed that and exited 0 having saved nothing. A VALUE that starts with one dash and is
 * no flag of `config set` of its own (nor --profile's value) is moved after `--`, where every word is an argument.
 * `config set -h`, with no KEY before it, still shows help.
 */
export const configSetValue = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const [config, set] = commandWords(args)
    if (config?.word !== "config" || set?.word !== "set") return args
    const end = args.indexOf("--")
    const limit = end === -1 ? args.length : end
    const doc = yield* helpDocOf(["config", "set"])
    if (doc === undefined) return args
    const { takeValue } = flagKinds(doc)
    const own = new Set(flagNames(doc.flags))
    for (let at = set.at + 1; at < limit; at++) {
      const word = args[at]!
      if (word.startsWith("-") && word !== "-") {
        if (takeValue.has(word)) at++
        continue
      }
      // `word` is KEY: the word after it is VALUE.
      const value = args[at + 1]
      if (at + 1 >= limit || value === undefined || !oneDashWord(value) || own.has(value)) return args
      const rest = args.filter((_, i) => i !== at + 1)
      // With a `--` already there, VALUE goes first after it, ahead of the words that were after it.
      return end === -1 ? [...rest, "--", value] : [...rest.slice(0, end - 1), "--", value, ...rest.slice(end)]
    }
    return args
  })

/**
 * A flag of a command given before the command's name (`spotpipe --sandbox answer X`): effect/cli reads it as a
 * flag of the command above, which has none such, and would call it unknown — untrue, and no help to find the
 * mistake. A usage error saying where it goes instead; none when every flag is in its place or is no flag of
 * the command (the parser then names it unknown, with the closest ones).
 */
export const misplacedFlag = (args: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const words = commandWords(args)
    const last = words.at(-1)
    if (last === undefined) return Option.none<UsageError>()
    const before = args.slice(0, last.at).filter((arg) => arg.startsWith("-") && arg !== "-")
    if (before.length === 0) return Option.none<UsageError>()
    // The command's flags, as its --help lists them.
    const doc = yield* helpDocOf(words.map((w) => w.word))
    if (doc === undefined) return Option.none<UsageError>()
    const own = flagNames(doc.flags)
    const found = before.map((arg) => arg.split("=", 1)[0]!).find((name) => own.includes(name))
    if (found === undefined) return Option.none<UsageError>()
    const command = ["spotpipe", ...words.map((w) => w.word)].join(" ")
    return Option.some(
      new UsageError({
        message: `${found} is given before "${last.word}": a command's flags go after its name (${command} … ${found}); run "${command} --help" for usage`
      })
    )
  })

/**
 * Leaving a prompt (Esc, Ctrl-C or Ctrl-D, which a terminal in raw mode hands over as keys, not as SIGINT; the
 * terminal then ends its key input) stops the run as Ctrl-C does anywhere else: interrupted, exit 130. effect/cli
 * reads that end as a `QuitError`, which its `--wizard` catches, prints "Wizard cancelled." and ends with 0, as if
 * the command had run. So the keys reach the prompts through a queue that ends in an interruption instead.
 */
export const quitInterrupts = (terminal: Terminal.Terminal): Terminal.Terminal =>
  Terminal.make({
    ...terminal,
    readInput: Effect.gen(function* () {
      const keys = yield* terminal.readInput
      const passed = yield* Queue.make<Terminal.UserInput, Cause.Done>()
      yield* Queue.take(keys).pipe(
        Effect.flatMap((key) => Queue.offer(passed, key)),
        Effect.forever,
        // Keys already passed on are still read; the take after them is interrupted. The prompt's line is ended
        // first, so that what the run says next starts on a line of its own.
        Effect.catchCause(() => Effect.andThen(Effect.ignore(terminal.display("\n")), Queue.interrupt(passed))),
        Effect.forkScoped
      )
      return passed
    })
  })

/**
 * The signal that stopped the run (set by Main.ts as it arrives), for the exit code its last line names; none
 * when the run was left at a prompt (exit 130, as Ctrl-C).
 */
export const stopSignal: { current: NodeJS.Signals | undefined } = { current: undefined }

/**
 * The resume hint of the run in progress, for the line a second signal prints (Main.ts): that one ends the process
 * at once, without the program's own last lines.
 */
export const runningHint: { current: ResumeHint | undefined } = { current: undefined }

/** The exit code of a run stopped by `signal`: 128 + its number (SIGINT 130, SIGTERM 143, SIGHUP 129). */
export const signalExitCode = (signal: NodeJS.Signals): number => 128 + constants.signals[signal]

/** Runs `spotpipe args…` and returns the exit code. */
export const program = (args: ReadonlyArray<string>) => {
  const verbose = wantsFullCause(args)
  const json = wantsJson(args)
  const cli = Effect.flatMap(TerminalCapabilities.TerminalCapabilities, (terminal) => {
    const secretFlag = rejectSecretFlags(args)
    if (Option.isSome(secretFlag)) return Effect.fail(secretFlag.value)
    return joinDashValues(args).pipe(
      Effect.flatMap(attachShortValues),
      Effect.flatMap(configSetValue),
      Effect.flatMap((joined) => {
        // After joining: `--null-string --wizard` gives a value, it starts no wizard.
        const wizard = wizardWithoutTerminal(joined, {
          stdin: process.stdin.isTTY === true,
          stdout: process.stdout.isTTY === true,
          canPrompt: terminal.canPrompt
        })
        if (Option.isSome(wizard)) return Effect.fail(wizard.value)
        return misplacedFlag(joined).pipe(
          Effect.flatMap((misplaced) =>
            Option.isSome(misplaced) ? Effect.fail(misplaced.value) : unknownBesideAction(joined)
          ),
          Effect.flatMap((unknown) => {
            if (Option.isNone(unknown)) {
              return Command.runWith(spotpipe, { version })(joined).pipe(
                Effect.provideService(CliConfig.CliConfig, cliConfig)
              )
            }
            const [event, probe] = unknown.value
            const shown = shownParseErrors(event.errors, joined).filter(
              (error) => !(error._tag === "UnrecognizedOption" && error.option === actionStandIn)
            )
            return Effect.andThen(
              presentParseErrors(json, probe, event, shown),
              Effect.fail(new CliError.ShowHelp({ commandPath: event.commandPath, errors: event.errors }))
            )
          })
        )
      })
    )
  })
  // A load says what it leaves as it reaches the database; before that (reading the run, a password) it left nothing.
  // A single export given --resume keeps its checkpoints when interrupted: the same command continues it (its
  // arguments hold no secret: the secret flags are refused). `spotpipe run` sets its own hint from its job.
  const hint: ResumeHint =
    commandWords(args)[0]?.word === "load"
      ? { current: undefined, left: "nothing was loaded" }
      : { current: args.includes("--resume") ? ["spotpipe", ...args].map(shellWord).join(" ") : undefined }
  runningHint.current = hint
  const signIn: SignInHint = { current: undefined }
  return cli.pipe(
    Effect.updateService(Terminal.Terminal, quitInterrupts),
    Effect.as(ExitCode.success as number),
    Effect.catchCause((cause) => {
      if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause)
      const error = Cause.squash(cause)
      // The reader of `--out -` went away (`| head`): end quietly, as other Unix tools do.
      if (isStdoutClosed(error)) return Effect.succeed(stdoutClosedExitCode)
      if (CliError.isCliError(error)) {
        // The presenter already printed the parse errors; plain help (no errors) is a success.
        return Effect.succeed(
          error._tag === "ShowHelp" && error.errors.length === 0 ? ExitCode.success : ExitCode.usage
        )
      }
      const report = reportFailure(cause, verbose, signIn.current)
      const [message = "", ...details] = report.lines
      return Effect.as(
        json
          ? errorLine(true, message, {
              exit_code: report.exitCode,
              ...(details.length > 0 ? { details: details.join("\n") } : {})
            })
          : Effect.forEach(report.lines, (line) => errorLine(false, line), { discard: true }),
        report.exitCode
      )
    }),
    // Runs after every finalizer inside (temp files are gone by then), so these are the last lines printed.
    // `spotpipe sandbox` serves until it is stopped: it has nothing to say then.
    Effect.onInterrupt(() => {
      if (args[0] === "sandbox") return Effect.void
      const [line = "", ...resume] = interruptedLines(hint)
      const code = stopSignal.current === undefined ? ExitCode.interrupted : signalExitCode(stopSignal.current)
      // JSON's `hint` is the command alone, for a scheduler to run as it is; the text line says it in a sentence.
      return json
        ? errorLine(true, line, { ...(hint.current === undefined ? {} : { hint: hint.current }), exit_code: code })
        : Effect.forEach([line, ...resume], (text) => errorLine(false, text), { discard: true })
    }),
    Effect.provideService(ResumeHint, hint),
    Effect.provideService(SignInHint, signIn),
    // Commands set up their logging from their flags; `loggingFromArgs` covers whatever logs outside it.
    Effect.provide(Layer.merge(presenter(json, args), loggingFromArgs(args)))
  )
}
