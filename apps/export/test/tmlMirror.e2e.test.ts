/**
 * A TML folder kept as a true copy (a TML backup in git): `tml --modified-since last --force` removes the files an
 * earlier run wrote for objects deleted on the cluster since, and a renamed object's file under its old name (a
 * namesake's numbered file that became the plain name included), lists them in the manifest, `--json` and the
 * summary, and leaves the folder equal to a full export into an empty one. Files spotpipe did not write, files of
 * types the run does not list and files changed by hand are kept; a dry run lists what would go; a run that fails,
 * or whose listing has an object without a GUID, removes nothing. Objects are deleted through the sandbox's
 * `metadata/delete` and renamed with `sandbox.rename`. Every run is in-process (runCliInProcess): what is tested
 * is the folder and reports a run leaves, which no process behaviour changes.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { startRewritingProxy } from "./support/RenamingProxy.ts"
import { filesIn, manifestIn, sandboxEnv, writeJob } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 120_000 }
const tempDir = tempFolders("spotpipe-tml-mirror-")

let sandboxes: Array<RunningSandbox> = []
beforeAll(() => {
  sandboxes = []
})
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.close()))
})
const newSandbox = async (options?: Parameters<typeof startSandbox>[0]) => {
  const sandbox = await startSandbox(options)
  sandboxes.push(sandbox)
  return sandbox
}

/** Deletes objects through the sandbox's REST API (`metadata/delete`), as the full-access user (in Org `orgId`). */
const deleteObjects = async (sandbox: RunningSandbox, ids: ReadonlyArray<string>, orgId = 0) => {
  const api = `${sandbox.url}/api/rest/2.0`
  const headers = { "content-type": "application/json", "user-agent": "spotpipe-test" }
  const token = (await (
    await fetch(`${api}/auth/token/full`, {
      method: "POST",
      headers,
      body: JSON.stringify({ username: fixtures.user.username, password: fixtures.user.password, org_id: orgId })
    })
  ).json()) as { token: string }
  const response = await fetch(`${api}/metadata/delete`, {
    method: "POST",
    headers: { ...headers, authorization: `Bearer ${token.token}` },
    body: JSON.stringify({ metadata: ids.map((identifier) => ({ identifier })) })
  })
  expect(response.status).toBe(204)
}

interface Removed {
  readonly file: string
  readonly reason: string
  readonly detail: string
}
const manifestOf = (dir: string) =>
  manifestIn<{
    run_id: string
    signed_in?: { id: string; name: string; org: { id: number; name: string } | null }
    outputs: Array<{ file: string }>
    exports: Array<{ export: string; status: string; removed?: Array<Removed> }>
    warnings: Array<string>
  }>(dir)

/** A user of the sandbox's fixtures. */
type User = { readonly username: string; readonly password: string }

/** `spotpipe tml --type ANSWER --out <dir> --force <more…>` against `target` (a sandbox or a proxy) as `user`. */
const tmlAnswers = (target: { readonly url: string }, user: User, dir: string, ...more: Array<string>) =>
  runCliInProcess(["tml", "--type", "ANSWER", "--out", dir, "--force", ...more], { env: sandboxEnv(target, user) })

/**
 * Gives an answer the limited user cannot see the name `target` of one it can (one of `visible`), taking one whose
 * GUID (`hidden`) is the lower: listed by name, then GUID, the hidden answer gets the plain file name, so the
 * limited user's listing would name its own answer's file as the hidden one's.
 */
const hideNamesake = (sandbox: RunningSandbox) => {
  const visible = ["Revenue by Month", "Order Details"] as const
  const [target, hidden] = visible
    .flatMap((name) =>
      Object.entries(fixtures.answers)
        .filter(([other, a]) => !(visible as ReadonlyArray<string>).includes(other) && a.id < fixtures.answers[name].id)
        .map(([, a]) => [name, a.id] as const)
    )
    .at(0)!
  sandbox.rename(hidden, target)
  return { visible, target, hidden }
}

/** The files under `dir/tml`, relative to `dir`, with their bytes as text. */
const tmlFiles = (dir: string): Record<string, string> =>
  Object.fromEntries(
    [...filesIn(dir)]
      .filter(([file]) => file.startsWith(`tml${NodePath.sep}`))
      .map(([file, bytes]) => [file.split(NodePath.sep).join("/"), bytes.toString("utf8")])
      .sort(([a], [b]) => (a! < b! ? -1 : 1))
  )

describe("tml into a folder of earlier runs", () => {
  it(
    "removes the files of objects deleted or renamed since, lists them, and leaves the folder equal to a full export",
    timeout,
    async () => {
      const sandbox = await newSandbox()
      const env = sandboxEnv(sandbox)
      const dir = tempDir()
      const tml = (out: string, ...more: Array<string>) =>
        runCliInProcess(["tml", "--type", "ANSWER,LIVEBOARD", "--out", out, "--force", ...more], { env })
      /** A full export of the cluster as it is now, into an empty folder: what the backup must equal. */
      const fullExport = async () => {
        const fresh = tempDir()
        const run = await tml(fresh, "--quiet")
        expect(run.code, run.stderr).toBe(0)
        return tmlFiles(fresh)
      }

      const first = await tml(dir, "--modified-since", "2000-01-01", "--quiet")
      expect(first.code, first.stderr).toBe(0)
      expect(tmlFiles(dir)).toHaveProperty(["tml/answer/Order Details.tml"])
      // What the user keeps in the folder by hand is never spotpipe's to remove.
      NodeFs.writeFileSync(NodePath.join(dir, "tml", "answer", "notes.tml"), "mine\n")
      NodeFs.writeFileSync(NodePath.join(dir, "README.md"), "backup\n")

      await deleteObjects(sandbox, [fixtures.answers["Order Details"].id])
      sandbox.rename(fixtures.answers["Revenue by Month"].id, "Monthly Revenue")
      const second = await tml(dir, "--modified-since", "last", "--json")
      expect(second.code, second.stderr).toBe(0)
      const expected = [
        {
          file: "tml/answer/Order Details.tml",
          reason: "deleted",
          detail: `answer ${fixtures.answers["Order Details"].id} is no longer listed on the cluster`
        },
        {
          file: "tml/answer/Revenue by Month.tml",
          reason: "renamed",
          detail: `answer ${fixtures.answers["Revenue by Month"].id} is now written to tml/answer/Monthly Revenue.tml`
        }
      ]
      const removedOf = (entries: ReadonlyArray<Removed>) => [...entries].sort((a, b) => (a.file < b.file ? -1 : 1))
      expect(removedOf(manifestOf(dir).exports[0]!.removed ?? [])).toEqual(expected)
      const report = JSON.parse(second.stdout) as {
        removed: Array<Removed>
        exports: Array<{ removed?: Array<Removed> }>
      }
      expect(removedOf(report.removed)).toEqual(expected)
      expect(removedOf(report.exports[0]!.removed ?? [])).toEqual(expected)
      const { "tml/answer/notes.tml": notes, ...copy } = tmlFiles(dir)
      expect(notes).toBe("mine\n")
      expect(copy).toEqual(await fullExport())
      expect(NodeFs.readFileSync(NodePath.join(dir, "README.md"), "utf8")).toBe("backup\n")

      // A namesake: another answer renamed to a name one has; then the one with the plain name deleted, so the other
      // (unchanged since the last run) moves from ` (2)` to the plain name.
      const renamed = fixtures.answers["Weekly Shipments"].id
      const plain = fixtures.answers["Sampled Orders"].id
      sandbox.rename(renamed, "Sampled Orders")
      const third = await tml(dir, "--modified-since", "last", "--quiet")
      expect(third.code, third.stderr).toBe(0)
      const [low, high] = [renamed, plain].sort()
      const stays = high!
      await deleteObjects(sandbox, [low!])
      const fourth = await tml(dir, "--modified-since", "last")
      expect(fourth.code, fourth.stderr).toBe(0)
      expect(manifestOf(dir).exports[0]!.removed).toEqual([
        {
          file: "tml/answer/Sampled Orders (2).tml",
          reason: "renamed",
          detail: `answer ${stays} is now written to tml/answer/Sampled Orders.tml`
        }
      ])
      expect(fourth.stdout).toContain("removed 1 file of objects gone from the cluster or renamed:")
      expect(fourth.stdout).toContain("tml/answer/Sampled Orders (2).tml")
      const { "tml/answer/notes.tml": _notes, ...after } = tmlFiles(dir)
      expect(after).toEqual(await fullExport())
      expect(after["tml/answer/Sampled Orders.tml"]).toContain(stays)

      // Nothing changed since: nothing written, nothing removed.
      const fifth = await tml(dir, "--modified-since", "last", "--quiet")
      expect(fifth.code, fifth.stderr).toBe(0)
      expect(tmlFiles(dir)).toEqual({ ...after, "tml/answer/notes.tml": "mine\n" })
    }
  )

  it(
    "keeps files of types the run does not list and files changed by hand; a dry run lists what would go",
    timeout,
    async () => {
      const sandbox = await newSandbox()
      const env = sandboxEnv(sandbox)
      const dir = tempDir()
      const tml = (types: string, ...more: Array<string>) =>
        runCliInProcess(["tml", "--type", types, "--out", dir, "--force", ...more], { env })
      expect((await tml("ANSWER,LIVEBOARD", "--quiet")).code).toBe(0)
      const liveboard = Object.entries(fixtures.liveboards)[0]!
      await deleteObjects(sandbox, [
        liveboard[1].id,
        fixtures.answers["Order Details"].id,
        fixtures.answers["Weekly Shipments"].id
      ])
      // Changed by hand since spotpipe wrote it: not spotpipe's file any more.
      const edited = NodePath.join(dir, "tml", "answer", "Weekly Shipments.tml")
      NodeFs.appendFileSync(edited, "# my note\n")
      const before = tmlFiles(dir)

      const dry = await tml("ANSWER", "--dry-run", "--json")
      expect(dry.code, dry.stderr).toBe(0)
      expect((JSON.parse(dry.stdout) as { removed: Array<Removed> }).removed).toEqual([
        expect.objectContaining({ file: "tml/answer/Order Details.tml", reason: "deleted" })
      ])
      const dryText = await tml("ANSWER", "--dry-run")
      expect(dryText.stdout).toContain("would remove 1 file of objects gone from the cluster or renamed:")
      expect(dryText.stdout).toContain("1 file removed")
      expect(tmlFiles(dir)).toEqual(before)

      const run = await tml("ANSWER", "--quiet")
      expect(run.code, run.stderr).toBe(0)
      const files = tmlFiles(dir)
      expect(files).not.toHaveProperty(["tml/answer/Order Details.tml"])
      // The liveboard's file stays: this run lists answers only.
      expect(files).toHaveProperty([`tml/liveboard/${liveboard[0]}.tml`])
      expect(files["tml/answer/Weekly Shipments.tml"]).toContain("# my note")
      const manifest = manifestOf(dir)
      expect(manifest.exports[0]!.removed?.map((r) => r.file)).toEqual(["tml/answer/Order Details.tml"])
      expect(manifest.warnings).toEqual([
        expect.stringContaining(
          "tml/answer/Weekly Shipments.tml was not removed although answer " +
            `${fixtures.answers["Weekly Shipments"].id} is no longer listed on the cluster: it changed since spotpipe wrote it`
        )
      ])
      expect(run.stderr).toContain("Weekly Shipments.tml was not removed")
    }
  )

  it("a run that fails, or whose listing has an object without a GUID, removes nothing", timeout, async () => {
    const sandbox = await newSandbox()
    let failOne = false
    let dropGuid = false
    const failing = fixtures.answers["Revenue by Month"].id
    const dropped = fixtures.answers["Sampled Orders"].id
    // ThoughtSpot answers ERROR for one object's TML; or lists one object without its GUID.
    const proxy = await startRewritingProxy(sandbox.url, {
      response: (text, request) => {
        if (failOne && request.url.endsWith("/metadata/tml/export") && request.body?.includes(failing) === true) {
          return JSON.stringify([{ info: { id: failing, status: { status_code: "ERROR", error_message: "boom" } } }])
        }
        if (dropGuid && request.url.endsWith("/metadata/search")) {
          return text.replace(`"metadata_id":"${dropped}"`, '"metadata_id":null')
        }
        return text
      }
    })
    try {
      const dir = tempDir()
      const tml = (...more: Array<string>) => tmlAnswers(proxy, fixtures.user, dir, "--quiet", ...more)
      expect((await tml("--modified-since", "2000-01-01")).code).toBe(0)
      await deleteObjects(sandbox, [fixtures.answers["Order Details"].id])
      sandbox.touch([failing])
      const before = tmlFiles(dir)

      failOne = true
      const failed = await tml("--modified-since", "last")
      expect(failed.code).toBe(1)
      expect(tmlFiles(dir)).toEqual(before)
      expect(manifestOf(dir).exports[0]!.removed).toBeUndefined()

      failOne = false
      dropGuid = true
      const blind = await tml("--modified-since", "last")
      expect(blind.code, blind.stderr).toBe(0)
      expect(tmlFiles(dir)).toHaveProperty(["tml/answer/Order Details.tml"])
      expect(blind.stderr).toContain("1 listed object has no GUID")
      expect(manifestOf(dir).warnings).toEqual([expect.stringContaining("none was removed")])

      dropGuid = false
      const whole = await tml("--modified-since", "last")
      expect(whole.code, whole.stderr).toBe(0)
      expect(tmlFiles(dir)).not.toHaveProperty(["tml/answer/Order Details.tml"])
    } finally {
      await proxy.close()
    }
  })

  it("over Orgs removes in the Org whose object is gone only, and full runs remove too", timeout, async () => {
    const sandbox = await newSandbox()
    const env = sandboxEnv(sandbox)
    const dir = tempDir()
    const tml = () =>
      runCliInProcess(["tml", "--type", "ANSWER", "--orgs", "all", "--out", dir, "--force", "--quiet"], { env })
    expect((await tml()).code).toBe(0)
    const emea = fixtures.orgs.find((o) => o.name === "Sales EMEA")!
    const [name, gone] = Object.entries(emea.objects).find(([, o]) => o.type === "ANSWER")!
    const folder = `org-${emea.id}-sales_emea`
    const file = `${folder}/tml/answer/${name}.tml`
    expect(NodeFs.existsSync(NodePath.join(dir, file))).toBe(true)
    const others = [...filesIn(dir).keys()].filter(
      (f) => f.includes(`${NodePath.sep}tml${NodePath.sep}`) && !f.startsWith(folder)
    )
    expect(others.length).toBeGreaterThan(0)
    await deleteObjects(sandbox, [gone.id], emea.id)

    const run = await tml()
    expect(run.code, run.stderr).toBe(0)
    expect(NodeFs.existsSync(NodePath.join(dir, file))).toBe(false)
    for (const other of others) expect(NodeFs.existsSync(NodePath.join(dir, other))).toBe(true)
    const removed = manifestOf(dir).exports.flatMap((e) => (e.removed ?? []).map((r) => [e.export, r.file, r.reason]))
    expect(removed).toEqual([[`${folder}/tml`, file, "deleted"]])
  })

  it("users, groups and roles: a group gone from the batched export has its file removed", timeout, async () => {
    const sandbox = await newSandbox()
    let drop: string | undefined
    // The cluster's batched export no longer holds one group (deleted on the cluster): the proxy reads the whole
    // batched listing and answers each batch of it without that group, as the cluster would page it.
    let asked = { offset: 0, size: 0 }
    const proxy = await startRewritingProxy(sandbox.url, {
      request: (body) => {
        const request = JSON.parse(body) as Record<string, unknown>
        if (drop === undefined || typeof request["batch_offset"] !== "number") return body
        asked = { offset: request["batch_offset"], size: request["batch_size"] as number }
        return JSON.stringify({ ...request, batch_offset: 0, batch_size: 200 })
      },
      response: (text, request) => {
        if (drop === undefined || !request.url.endsWith("/metadata/tml/export/batch")) return text
        const body = JSON.parse(text) as { edocs: Array<{ info: { id: string } }> }
        const kept = body.edocs.filter((item) => item.info.id !== drop)
        return JSON.stringify({ edocs: kept.slice(asked.offset, asked.offset + asked.size) })
      }
    })
    try {
      const dir = tempDir()
      const tml = () =>
        runCliInProcess(["tml", "--type", "USER_GROUP,ROLE", "--out", dir, "--force", "--quiet"], {
          env: sandboxEnv(proxy)
        })
      expect((await tml()).code).toBe(0)
      const group = manifestIn<{ outputs: Array<{ file: string; source: { type: string; id: string } }> }>(
        dir
      ).outputs.find((o) => o.source.type === "USER_GROUP")!
      const before = tmlFiles(dir)
      drop = group.source.id
      const run = await tml()
      expect(run.code, run.stderr).toBe(0)
      const { [group.file]: gone, ...kept } = before
      expect(gone).toBeDefined()
      expect(tmlFiles(dir)).toEqual(kept)
      expect(manifestOf(dir).exports[0]!.removed).toEqual([
        { file: group.file, reason: "deleted", detail: `user_group ${drop} is no longer listed on the cluster` }
      ])
    } finally {
      await proxy.close()
    }
  })
})

describe("tml removes only what the same user's listing wrote", () => {
  const primary = fixtures.orgs.find((o) => o.id === 0)!
  const admin = fixtures.user
  const viewer = fixtures.limitedUser
  const adminWrote = `user "${admin.username}" (${admin.id}) in Org "${primary.name}" (0)`

  it(
    "a run as a user who sees fewer objects keeps the files of objects hidden from it, and says whose they are",
    timeout,
    async () => {
      const sandbox = await newSandbox()
      const dir = tempDir()
      const tml = (user: User, ...more: Array<string>) => tmlAnswers(sandbox, user, dir, ...more)
      const first = await tml(admin, "--quiet")
      expect(first.code, first.stderr).toBe(0)
      expect(manifestOf(dir).signed_in).toEqual({
        id: admin.id,
        name: admin.username,
        org: { id: 0, name: primary.name }
      })
      const before = tmlFiles(dir)

      // The viewer reads two of the answers: the others are hidden from it, not gone.
      const run = await tml(viewer, "--json")
      expect(run.code, run.stderr).toBe(0)
      expect(tmlFiles(dir)).toEqual(before)
      const manifest = manifestOf(dir)
      expect(manifest.signed_in).toEqual({ id: viewer.id, name: viewer.username, org: { id: 0, name: primary.name } })
      const seen = manifest.outputs.map((o) => o.file).sort()
      expect(seen).toEqual(["tml/answer/Order Details.tml", "tml/answer/Revenue by Month.tml"])
      expect(manifest.exports[0]!.removed).toBeUndefined()
      const hidden = Object.keys(before).filter((file) => !seen.includes(file))
      expect(hidden.length).toBeGreaterThan(2)
      expect(manifest.warnings).toEqual([
        expect.stringContaining(
          `tml: ${hidden.length} files were not removed although their objects are not in this run's listing (or now written to another file): they were written from the listing of ${adminWrote}, and this run reads as user "${viewer.username}" (${viewer.id})`
        )
      ])
      for (const file of hidden) expect(manifest.warnings[0]).toContain(file)
      expect(manifest.warnings[0]).toContain(
        `run as ${admin.username} in Org "${primary.name}" (0) to remove those of objects gone`
      )
      const report = JSON.parse(run.stdout) as { removed: Array<Removed>; warnings: Array<string> }
      expect(report.removed).toEqual([])
      expect(report.warnings).toEqual(manifest.warnings)
      expect(run.stderr).toContain(`written from the listing of ${adminWrote}`)

      // The admin, whose listing alone wrote a file, removes it once its object is deleted; a file the viewer's
      // listing wrote too is kept, naming the viewer.
      const gone = fixtures.answers["Sampled Orders"].id
      await deleteObjects(sandbox, [gone, fixtures.answers["Order Details"].id])
      const again = await tml(admin, "--quiet")
      expect(again.code, again.stderr).toBe(0)
      const after = manifestOf(dir)
      expect(after.exports[0]!.removed).toEqual([
        {
          file: "tml/answer/Sampled Orders.tml",
          reason: "deleted",
          detail: `answer ${gone} is no longer listed on the cluster`
        }
      ])
      expect(tmlFiles(dir)).toHaveProperty(["tml/answer/Order Details.tml"])
      expect(after.warnings).toEqual([
        expect.stringContaining(
          `tml: 1 file was not removed although its object is not in this run's listing (or now written to another file): it was written from the listing of user "${viewer.username}" (${viewer.id}) in Org "${primary.name}" (0)`
        )
      ])
      expect(after.warnings[0]).toContain("tml/answer/Order Details.tml")
    }
  )

  it("a run in another Org into the same folder keeps the first Org's files", timeout, async () => {
    const sandbox = await newSandbox()
    const dir = tempDir()
    const env = sandboxEnv(sandbox)
    const first = await tmlAnswers(sandbox, fixtures.user, dir, "--quiet")
    expect(first.code, first.stderr).toBe(0)
    const before = tmlFiles(dir)
    const emea = fixtures.orgs.find((o) => o.name === "Sales EMEA")!
    const run = await runCliInProcess(
      ["tml", "--type", "ANSWER", "--org-id", String(emea.id), "--out", dir, "--force"],
      {
        env
      }
    )
    expect(run.code, run.stderr).toBe(0)
    const files = tmlFiles(dir)
    for (const [file, text] of Object.entries(before)) expect(files[file]).toBe(text)
    const manifest = manifestOf(dir)
    expect(manifest.signed_in?.org).toEqual({ id: emea.id, name: emea.name })
    expect(manifest.exports[0]!.removed).toBeUndefined()
    expect(manifest.warnings).toEqual([
      expect.stringContaining(`they were written from the listing of ${adminWrote}, and this run reads as user`)
    ])
    expect(manifest.warnings[0]).toContain(`in Org "${emea.name}" (${emea.id})`)
    expect(run.stdout).not.toContain("removed")
  })

  it("files only manifests of earlier versions vouch for are kept; a full run adopts the folder", timeout, async () => {
    const sandbox = await newSandbox()
    const dir = tempDir()
    const tml = (...more: Array<string>) => tmlAnswers(sandbox, fixtures.user, dir, "--quiet", ...more)
    expect((await tml("--modified-since", "2000-01-01")).code).toBe(0)
    // The folder as spotpipe versions that did not record the signed-in user left it.
    for (const name of NodeFs.readdirSync(dir).filter((n) => n.startsWith("manifest"))) {
      const at = NodePath.join(dir, name)
      const { signed_in, ...older } = JSON.parse(NodeFs.readFileSync(at, "utf8")) as Record<string, unknown>
      expect(signed_in).toBeDefined()
      NodeFs.writeFileSync(at, `${JSON.stringify(older, null, 2)}\n`)
    }
    const first = fixtures.answers["Order Details"].id
    await deleteObjects(sandbox, [first])
    const kept = await tml("--modified-since", "last")
    expect(kept.code, kept.stderr).toBe(0)
    expect(tmlFiles(dir)).toHaveProperty(["tml/answer/Order Details.tml"])
    const warning = expect.stringContaining(
      "tml: 1 file was not removed although its object is not in this run's listing (or now written to another file): it was written by an earlier spotpipe version"
    )
    expect(kept.stderr).toContain("written by an earlier spotpipe version")
    expect(kept.stderr).toContain("run once without --modified-since")

    // A full run writes every listed object again, recording the user: what it wrote is removed once gone.
    const adopt = await tml()
    expect(adopt.code, adopt.stderr).toBe(0)
    expect(manifestOf(dir).warnings).toEqual([warning])
    const second = fixtures.answers["Sampled Orders"].id
    await deleteObjects(sandbox, [second])
    const run = await tml("--modified-since", "last")
    expect(run.code, run.stderr).toBe(0)
    expect(manifestOf(dir).exports[0]!.removed).toEqual([
      {
        file: "tml/answer/Sampled Orders.tml",
        reason: "deleted",
        detail: `answer ${second} is no longer listed on the cluster`
      }
    ])
    expect(manifestOf(dir).warnings).toEqual([warning])
    expect(tmlFiles(dir)).toHaveProperty(["tml/answer/Order Details.tml"])
  })

  it("spotpipe run lists the files it removed under its summary, as a single command does", timeout, async () => {
    const sandbox = await newSandbox()
    const dir = tempDir()
    const job = writeJob(tempDir(), { exports: [{ type: "tml", tmlTypes: ["ANSWER"] }] })
    const run = () => runCliInProcess(["run", job, "--out", dir, "--force"], { env: sandboxEnv(sandbox) })
    expect((await run()).code).toBe(0)
    const gone = fixtures.answers["Order Details"].id
    await deleteObjects(sandbox, [gone])
    const second = await run()
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).toContain(
      "removed 1 file of objects gone from the cluster or renamed:\n" +
        `  tml/answer/Order Details.tml: answer ${gone} is no longer listed on the cluster`
    )
  })
})

describe("tml never writes over another object's file another user's listing wrote", () => {
  it(
    "a namesake hidden from the user keeps its file: that document is a failed item, the others are written",
    timeout,
    async () => {
      const sandbox = await newSandbox()
      const dir = tempDir()
      const tml = (user: User) => tmlAnswers(sandbox, user, dir, "--quiet")
      const { target, hidden } = hideNamesake(sandbox)
      expect((await tml(fixtures.user)).code).toBe(0)
      const file = `tml/answer/${target}.tml`
      const before = tmlFiles(dir)
      expect(before[file]).toContain(hidden)
      expect(before[`tml/answer/${target} (2).tml`]).toContain(fixtures.answers[target].id)

      const run = await tml(fixtures.limitedUser)
      expect(run.code).toBe(1)
      expect(tmlFiles(dir)).toEqual(before)
      const manifest = manifestOf(dir) as ReturnType<typeof manifestOf> & {
        exports: Array<{ failed_items?: Array<{ file: string; error: string }> }>
      }
      expect(manifest.signed_in?.name).toBe(fixtures.limitedUser.username)
      expect(manifest.exports[0]!.failed_items).toEqual([
        {
          file,
          what: `TML of answer "${target}"`,
          error: expect.stringContaining(
            `${file} holds the TML of answer ${hidden}, written from the listing of user "${fixtures.user.username}" (${fixtures.user.id})`
          )
        }
      ])
      expect(run.stderr).toContain(
        `Run as ${fixtures.user.username} in Org "Primary" (0), or export into another folder`
      )
    }
  )
})

describe("a dry run shows the document a run would refuse to write over another object's file", () => {
  it(
    "the hidden namesake's file: the dry run fails naming it, as the run would, and a job's plan lists it",
    timeout,
    async () => {
      const sandbox = await newSandbox()
      const dir = tempDir()
      const tml = (user: User, ...more: Array<string>) => tmlAnswers(sandbox, user, dir, ...more)
      const { visible, target, hidden } = hideNamesake(sandbox)
      expect((await tml(fixtures.user, "--quiet")).code).toBe(0)
      const file = `tml/answer/${target}.tml`
      const before = tmlFiles(dir)
      const holds = `${file} holds the TML of answer ${hidden}, written from the listing of user "${fixtures.user.username}" (${fixtures.user.id})`

      // A single command stops at its first failure, a dry run too: exit 1 with the item's reason and what to do.
      const dry = await tml(fixtures.limitedUser, "--dry-run")
      expect(dry.code).toBe(1)
      expect(dry.stderr).toContain(holds)
      expect(dry.stderr).toContain(
        `Run as ${fixtures.user.username} in Org "Primary" (0), or export into another folder`
      )
      expect(tmlFiles(dir)).toEqual(before)

      // A job's dry run carries on: its plan lists the documents a run writes and the failed item.
      const job = writeJob(tempDir(), { exports: [{ type: "tml", tmlTypes: ["ANSWER"] }] })
      const planned = await runCliInProcess(["run", job, "--out", dir, "--force", "--dry-run", "--json"], {
        env: sandboxEnv(sandbox, fixtures.limitedUser)
      })
      expect(planned.code).toBe(1)
      const plan = JSON.parse(planned.stdout) as {
        outputs: Array<{ file: string }>
        failures: Array<{ export: string; error: string; failed_items?: Array<{ file: string; error: string }> }>
        removed: Array<Removed>
      }
      // The viewer's listing names its own answer's file as the hidden one's: only the other answer would be written.
      const other = visible.find((name) => name !== target)!
      expect(plan.outputs.map((o) => o.file)).toEqual([`tml/answer/${other}.tml`])
      expect(plan.failures).toEqual([
        {
          export: "tml",
          what: expect.any(String),
          error: expect.stringContaining(holds),
          failed_items: [{ file, what: `TML of answer "${target}"`, error: expect.stringContaining(holds) }]
        }
      ])
      // A run whose item fails removes nothing: neither does its plan.
      expect(plan.removed).toEqual([])
      const text = await runCliInProcess(["run", job, "--out", dir, "--force", "--dry-run"], {
        env: sandboxEnv(sandbox, fixtures.limitedUser)
      })
      expect(text.stdout).toContain(`  ${file}: ${holds}`)
      expect(tmlFiles(dir)).toEqual(before)
    }
  )
})

describe("--json shows every warning of a tml run", () => {
  it("a run that writes and removes nothing reports the files it kept in its warnings", timeout, async () => {
    const sandbox = await newSandbox()
    const dir = tempDir()
    const tml = (user: User, ...more: Array<string>) => tmlAnswers(sandbox, user, dir, ...more)
    expect((await tml(fixtures.user, "--modified-since", "2000-01-01", "--quiet")).code).toBe(0)
    const manifests = NodeFs.readdirSync(dir).filter((n) => n.startsWith("manifest"))
    // Nothing changed since: the viewer's run writes nothing, and keeps the files hidden from it, saying so.
    const run = await tml(fixtures.limitedUser, "--modified-since", "last", "--json")
    expect(run.code, run.stderr).toBe(0)
    expect(NodeFs.readdirSync(dir).filter((n) => n.startsWith("manifest"))).toEqual(manifests)
    const report = JSON.parse(run.stdout) as { manifest: string | null; warnings: Array<string> | null }
    expect(report.manifest).toBeNull()
    expect(report.warnings).toEqual([
      expect.stringContaining(
        `files were not removed although their objects are not in this run's listing (or now written to another file): they were written from the listing of user "${fixtures.user.username}"`
      )
    ])
    expect(run.stderr).toContain(report.warnings![0]!)
    // A dry run of the same says the same in its plan.
    const dry = await tml(fixtures.limitedUser, "--modified-since", "last", "--dry-run", "--json")
    expect(dry.code, dry.stderr).toBe(0)
    const plan = JSON.parse(dry.stdout) as { dry_run: boolean; warnings: Array<string> }
    expect(plan.dry_run).toBe(true)
    expect(plan.warnings).toEqual(report.warnings)
  })
})

describe("spotpipe merge records who the shards' tml exports read as", () => {
  /** A job with a split answer (so merge has parts to join) and `tml` exports, dealt to two shards in turn. */
  const shardedJob = (tmlExports: ReadonlyArray<Record<string, unknown>>) =>
    writeJob(tempDir(), {
      // The sandbox's time zone: a shard run as the limited user may not read it (GET system is for administrators).
      defaults: { pageSize: 40, timezone: "America/Los_Angeles" },
      exports: [{ type: "answer", id: "Order Details", split: 2 }, ...tmlExports]
    })
  const shardRun = (sandbox: RunningSandbox, job: string, dir: string, index: number, user: User = fixtures.user) =>
    runCliInProcess(["run", job, "--out", dir, "--quiet", "--force", "--shard", `${index}/2`], {
      env: sandboxEnv(sandbox, user)
    })
  /** Leaves only the merge's manifests in `dir`, as a folder copied without its shards' manifests holds. */
  const keepOnlyMerged = (dir: string) => {
    for (const name of NodeFs.readdirSync(dir).filter((n) => n.startsWith("manifest"))) {
      const at = NodePath.join(dir, name)
      if ((JSON.parse(NodeFs.readFileSync(at, "utf8")) as { command: string }).command !== "merge") NodeFs.rmSync(at)
    }
  }
  /**
   * With only the merge's manifests left in `dir`, deletes "Sampled Orders" and runs `tml --json` there as the
   * full-access user: its report, and the GUID deleted.
   */
  const tmlAfterDeleting = async (sandbox: RunningSandbox, dir: string) => {
    keepOnlyMerged(dir)
    const gone = fixtures.answers["Sampled Orders"].id
    await deleteObjects(sandbox, [gone])
    const run = await tmlAnswers(sandbox, fixtures.user, dir, "--json")
    expect(run.code, run.stderr).toBe(0)
    return { gone, report: JSON.parse(run.stdout) as { removed: Array<Removed>; warnings: Array<string> } }
  }

  it(
    "shards read as one user: the merged manifest says so, and a folder of only merged manifests is removed from",
    timeout,
    async () => {
      const sandbox = await newSandbox({ rows: 200 })
      const dir = tempDir()
      const job = shardedJob([{ type: "tml", tmlTypes: ["ANSWER"] }])
      for (const i of [1, 2]) {
        const run = await shardRun(sandbox, job, dir, i)
        expect(run.code, run.stderr).toBe(0)
      }
      const merged = await runCliInProcess(["merge", dir, "--quiet"], { env: sandboxEnv(sandbox) })
      expect(merged.code, merged.stderr).toBe(0)
      const manifest = manifestOf(dir)
      expect(manifest.signed_in).toEqual({
        id: fixtures.user.id,
        name: fixtures.user.username,
        org: { id: 0, name: "Primary" }
      })
      expect(manifest.outputs.map((o) => o.file)).toContain("tml/answer/Sampled Orders.tml")
      expect(manifest.warnings).toEqual([])

      const { gone, report } = await tmlAfterDeleting(sandbox, dir)
      expect(report.removed).toEqual([
        {
          file: "tml/answer/Sampled Orders.tml",
          reason: "deleted",
          detail: `answer ${gone} is no longer listed on the cluster`
        }
      ])
      expect(report.warnings).toEqual([])
      expect(NodeFs.existsSync(NodePath.join(dir, "tml", "answer", "Sampled Orders.tml"))).toBe(false)
    }
  )

  it(
    "shards that read as different users: none is recorded, with a warning; their files are kept, naming the merge",
    timeout,
    async () => {
      const sandbox = await newSandbox({ rows: 200 })
      const dir = tempDir()
      // Shard 1 writes the part 1 and the first tml export, shard 2 the part 2 and the second.
      const job = shardedJob([
        { type: "tml", tmlTypes: ["ANSWER"] },
        { type: "tml", tmlTypes: ["ANSWER"], output: "tml-again" }
      ])
      expect((await shardRun(sandbox, job, dir, 1)).code).toBe(0)
      const second = await shardRun(sandbox, job, dir, 2, fixtures.limitedUser)
      expect(second.code, second.stderr).toBe(0)
      const merged = await runCliInProcess(["merge", dir], { env: sandboxEnv(sandbox) })
      expect(merged.code, merged.stderr).toBe(0)
      const manifest = manifestOf(dir)
      expect(manifest.signed_in).toBeUndefined()
      expect(manifest.outputs.map((o) => o.file)).toEqual(
        expect.arrayContaining(["tml/answer/Sampled Orders.tml", "tml-again/answer/Order Details.tml"])
      )
      expect(manifest.warnings).toEqual([
        expect.stringContaining(
          `the shards whose TML documents the merged run lists did not read as one user (shard 1: user "${fixtures.user.username}" (${fixtures.user.id}) in Org "Primary" (0); shard 2: user "${fixtures.limitedUser.username}" (${fixtures.limitedUser.id}) in Org "Primary" (0))`
        )
      ])
      expect(merged.stderr).toContain(manifest.warnings[0]!)

      const { report } = await tmlAfterDeleting(sandbox, dir)
      expect(report.removed).toEqual([])
      expect(NodeFs.existsSync(NodePath.join(dir, "tml", "answer", "Sampled Orders.tml"))).toBe(true)
      expect(report.warnings).toEqual([
        expect.stringContaining(
          "tml: 1 file was not removed although its object is not in this run's listing (or now written to another file): it was listed only by spotpipe merge, whose shards did not read as one user"
        )
      ])
      expect(report.warnings[0]).not.toContain("earlier spotpipe version")
    }
  )
})
