/**
 * A load of a folder whose file a later `--force` run replaced before it was interrupted (it published the file,
 * then stopped short of its manifest): the file is not the manifest's, and the load says that this run is what to
 * finish, with --resume, naming the setting it wrote the file with — not to export again. Once that run is
 * finished as its interrupt line says, the folder loads.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "../support/inProcess.ts"
import { pauseAtStepPath, runNode } from "../support/runCli.ts"
import { sandboxEnv, testSandbox, writeJob } from "../support/Sandboxes.ts"
import { tempFolders } from "../support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-load-forced-")
const served = testSandbox({ rows: 300 })

describe("a load after an interrupted --force run", () => {
  it("names-the-unfinished-run-to-resume-and-loads-once-it-is-finished", { timeout: 120_000 }, async () => {
    const root = tempDir()
    const out = NodePath.join(root, "fr")
    const database = `duckdb:${NodePath.join(root, "fr.duckdb")}`
    const env = sandboxEnv(served.sandbox)
    const job = writeJob(root, { exports: [{ type: "answer", id: "Revenue by Month" }] })
    expect((await runCliInProcess(["run", job, "--out", out, "--quiet"], { env })).code).toBe(0)

    // The --force run is stopped once it has published the file, before its manifest.
    const hold = NodePath.join(root, "hold")
    const forced = runNode(
      [pauseAtStepPath, "after-publish", hold, "run", job, "--out", out, "--force", "--newline", "lf"],
      { env }
    )
    while (!NodeFs.existsSync(hold)) await new Promise((resolve) => setTimeout(resolve, 20))
    process.kill(Number(NodeFs.readFileSync(hold, "utf8")), "SIGINT")
    NodeFs.rmSync(hold)
    const interrupted = await forced
    expect(interrupted.code, interrupted.stderr).toBe(130)
    const hint = /^run "(.*)" to continue$/.exec(interrupted.stderr.trimEnd().split("\n").at(-1) ?? "")?.[1]
    expect(hint).toBe(`spotpipe run ${job} --out ${out} --newline lf --resume`)

    const refused = await runCliInProcess(["load", out, "--into", database], { env })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(
      `answer-Revenue by Month.csv is not the file this manifest describes: a later --force run replaced it and stopped before writing its manifest (it wrote the file with --newline lf; this manifest's run with crlf); its state is in .spotpipe-state/. Finish that run by running it again with --resume and the flags it was given, as its interrupt line printed it (spotpipe run ${job} --out ${out} … --resume), then load the folder`
    )
    expect(refused.stderr).not.toContain("export the run again")

    const finished = await runCliInProcess(hint!.split(" ").slice(1), { env })
    expect(finished.code, finished.stderr).toBe(0)
    const loaded = await runCliInProcess(["load", out, "--into", database], { env })
    expect(loaded.code, loaded.stderr).toBe(0)
  })
})
