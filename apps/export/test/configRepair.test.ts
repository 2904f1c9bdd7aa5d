/**
 * A config file with a problem can be repaired with the `config` commands, or its error says how: a default that
 * names no profile is shown by `config list` and replaced by `config use`; a mistyped key gets "did you mean";
 * several problems are one a line. `config get` of a secret-like key does not claim that nothing was saved, and
 * `config list --json` gives the file's absolute path.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runInProcess } from "./support/inProcess.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-config-repair-")

const configFile = (content: unknown) => {
  const file = NodePath.join(tempDir(), "config.json")
  NodeFs.writeFileSync(file, JSON.stringify(content))
  return file
}

const dangling = { default: "q", profiles: { p: { host: "http://127.0.0.1:1" } } }

describe("a config file whose default names no profile", () => {
  it.live("is-listed-with-a-note-and-repaired-by-config-use", () =>
    Effect.gen(function* () {
      const file = configFile(dangling)
      const env = { SPOTPIPE_CONFIG: file }
      const list = yield* runInProcess(["config", "list"], env)
      expect(list.code, list.stderr).toBe(0)
      expect(list.stdout).toContain('# default: "q", which this file does not define')
      expect(list.stdout).toContain("http://127.0.0.1:1")
      const use = yield* runInProcess(["config", "use", "p"], env)
      expect(use.code, use.stderr).toBe(0)
      expect(JSON.parse(NodeFs.readFileSync(file, "utf8")).default).toBe("p")
    })
  )

  it.live("can-have-a-key-unset", () =>
    Effect.gen(function* () {
      const file = configFile(dangling)
      const run = yield* runInProcess(["config", "unset", "host", "--profile", "p"], { SPOTPIPE_CONFIG: file })
      expect(run.code, run.stderr).toBe(0)
      expect(JSON.parse(NodeFs.readFileSync(file, "utf8")).profiles.p).toEqual({})
    })
  )

  it.live("is-refused-elsewhere-saying-how-to-repair-it", () =>
    Effect.gen(function* () {
      const file = configFile(dangling)
      const run = yield* runInProcess(["metadata", "--dry-run"], { SPOTPIPE_CONFIG: file })
      expect(run.code).toBe(2)
      expect(run.stderr).toContain(
        'default names the profile "q", which the file does not define: make another the default (spotpipe config use p), or create it (spotpipe config set host URL --profile q)'
      )
    })
  )
})

describe("a config file with other problems", () => {
  it.live("names-each-on-a-line-with-did-you-mean", () =>
    Effect.gen(function* () {
      const file = configFile({ profiles: { p: { usrname: "a", "org-id": "x" } } })
      const run = yield* runInProcess(["config", "list"], { SPOTPIPE_CONFIG: file })
      expect(run.code).toBe(2)
      expect(run.stderr.split("\n")).toEqual([
        `spotpipe: the config file ${file} is not valid:`,
        '  profiles.p.usrname is not a profile key (keys: host, username, org-id, auth, secret, allow-insecure-http); did you mean "username"?',
        "  profiles.p.org-id must be a whole number, 0 or more"
      ])
    })
  )
})

describe("config commands", () => {
  it.live("get-of-a-secret-like-key-says-nothing-of-saving", () =>
    Effect.gen(function* () {
      const file = configFile({ profiles: { p: {} } })
      const run = yield* runInProcess(["config", "get", "passwrd", "--profile", "p"], { SPOTPIPE_CONFIG: file })
      expect(run.code).toBe(2)
      expect(run.stderr).toContain("a profile never holds a secret")
      expect(run.stderr).not.toContain("nothing was saved")
    })
  )

  it.live("list---json-gives-the-absolute-path-of-a-relative-SPOTPIPE_CONFIG", () =>
    Effect.gen(function* () {
      const file = configFile({ profiles: { p: { username: "ana" } } })
      const relative = NodePath.relative(process.cwd(), file)
      expect(NodePath.isAbsolute(relative)).toBe(false)
      const run = yield* runInProcess(["config", "list", "--json"], { SPOTPIPE_CONFIG: relative })
      expect(run.code, run.stderr).toBe(0)
      expect(JSON.parse(run.stdout)).toEqual({
        path: file,
        exists: true,
        profiles: { p: { username: "ana" } }
      })
    })
  )
})
