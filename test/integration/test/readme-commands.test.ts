/**
 * The README tells a newcomer two commands; CI must run exactly the test one, and both must use the pinned pnpm.
 * (Whether they work is proven by CI itself running `.ci/run` from a clean clone.)
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"

const root = new URL("../../../", import.meta.url)
const readme = readFileSync(new URL("README.md", root), "utf8")
const ciScript = readFileSync(new URL(".ci/run", root), "utf8")
const rootPackage = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as {
  readonly packageManager: string
  readonly scripts: Record<string, string>
}

/** The shell commands of the README's ```sh blocks, one per line. */
const readmeCommands = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) =>
  m[1]!.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#"))
)

describe("README commands", () => {
  it("ci-runs-exactly-the-readme-test-command", () => {
    // Besides the README's command, CI only installs the PostgreSQL server the README names as a prerequisite.
    const prerequisite = ciScript.match(/^if [^\n]*\n([\s\S]*?)\nfi$/m)
    expect(prerequisite?.[1]?.trim()).toMatch(
      /^apt-get update && .*apt-get install -y --no-install-recommends postgresql$/
    )
    expect(readme).toContain("apt-get install postgresql")
    const ciCommand = ciScript
      .replace(prerequisite?.[0] ?? "", "")
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.startsWith("#") && !/^(set |cd )/.test(line))
    expect(ciCommand).toHaveLength(1)
    expect(readmeCommands).toContain(ciCommand[0])
    expect(ciCommand[0]).toMatch(/ verify$/)
  })

  it("main-job-and-test-commands-use-the-pinned-pnpm", () => {
    const pnpm = rootPackage.packageManager // "pnpm@12.4.2"
    for (const script of ["demo", "verify"]) {
      expect(readmeCommands).toContain(`npx -y ${pnpm} install --frozen-lockfile && npx -y ${pnpm} ${script}`)
      expect(rootPackage.scripts[script]).toBeDefined()
    }
  })
})
