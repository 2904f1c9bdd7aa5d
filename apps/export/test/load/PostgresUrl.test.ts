/**
 * A PostgreSQL target's URL query is read as libpq reads it, and only what a load honours is taken: a mistyped or
 * unsupported parameter and an invalid sslmode are refused (naming the parameter and the closest known one, never a
 * value that could be a secret), and a parameter given twice too. The URL messages show names user, host, port and
 * database, as the connection uses them.
 */
import { describe, expect, it } from "vitest"
import { parseTarget, sslModes, withSslModeOf } from "../../src/LoadTarget.ts"

const base = "postgresql://loader@db.internal:5432/analytics"
const refused = (url: string): string => {
  const parsed = parseTarget(url)
  if (!("refused" in parsed)) throw new Error(`expected ${url} to be refused`)
  return parsed.refused
}
const shown = (url: string): string => {
  const parsed = parseTarget(url)
  if (!("ok" in parsed) || parsed.ok._tag !== "Postgres") throw new Error(`expected ${url} to be taken`)
  return parsed.ok.shown
}

describe("a PostgreSQL URL's query parameters", () => {
  it("refuses a mistyped sslmode key, naming it and the key meant", () => {
    for (const key of ["sslmod", "ssl_mode", "SSLMODE", "sslMode"]) {
      const message = refused(`${base}?${key}=verify-full`)
      expect(message).toContain(`"${key}"`)
      expect(message).toContain('did you mean "sslmode"?')
    }
  })

  it("refuses an invalid sslmode value, listing the valid ones", () => {
    const message = refused(`${base}?sslmode=bogus`)
    expect(message).toContain('sslmode="bogus" is not a valid sslmode')
    expect(message).toContain("disable, allow, prefer, require, verify-ca or verify-full")
    expect(refused(`${base}?sslmode=verify_full`)).toContain('did you mean "verify-full"?')
    // libpq's values are lower case; pg would take "Require" as SSL with its own checks.
    expect(refused(`${base}?sslmode=Require`)).toContain("is not a valid sslmode")
    expect(refused(`${base}?sslmode=`)).toContain("is not a valid sslmode")
    // node-postgres' own value is not libpq's.
    expect(refused(`${base}?sslmode=no-verify`)).toContain("is not a valid sslmode")
    for (const mode of sslModes) expect(parseTarget(`${base}?sslmode=${mode}`)).toHaveProperty("ok")
  })

  it("refuses a parameter given twice (the driver would read the last, the first would be checked)", () => {
    expect(refused(`${base}?sslmode=verify-full&sslmode=disable`)).toContain('gives "sslmode" more than once')
  })

  it("refuses libpq's parameters a load does not honour, and node-postgres' own, saying what to do instead", () => {
    expect(refused(`${base}?channel_binding=require`)).toContain("a load does not support it: remove it")
    expect(refused(`${base}?target_session_attrs=read-write`)).toContain("a load does not support it")
    expect(refused(`${base}?ssl=true`)).toContain("give sslmode instead")
    expect(refused(`${base}?dbname=other`)).toContain("put the database in the URL's path")
    expect(refused(`${base}?statement_timeout=1000`)).toContain("?options=-c%20statement_timeout%3D")
    expect(refused(`${base}?lock_timeout=1000`)).toContain("--lock-timeout")
  })

  it("takes the parameters a load honours", () => {
    const url = `${base}?sslmode=verify-ca&sslrootcert=/ca.pem&sslcert=/c.pem&sslkey=/k.pem&application_name=nightly&options=-c%20search_path%3Dstaging&connect_timeout=10&fallback_application_name=x`
    expect(parseTarget(url)).toEqual({
      ok: { _tag: "Postgres", url, shown: base, connectTimeoutMillis: 10_000 }
    })
    // libpq's floor: less than 2 seconds waits 2; 0 waits without limit.
    expect(parseTarget(`${base}?connect_timeout=1`)).toHaveProperty("ok.connectTimeoutMillis", 2000)
    expect(parseTarget(`${base}?connect_timeout=0`)).not.toHaveProperty("ok.connectTimeoutMillis")
    expect(refused(`${base}?connect_timeout=soon`)).toContain("connect_timeout must be whole seconds")
    expect(refused(`${base}?port=x`)).toContain("port must be a number")
  })

  it("never repeats a value that could be a secret", () => {
    for (const url of [
      `${base}?pasword=hunter2`,
      `${base}?sslmode=hunter2%20hunter2`,
      `${base}?hunter2%20hunter2=1`,
      `postgresql://loader:hunter2@db/x?sslmod=require`
    ]) {
      expect(refused(url)).not.toContain("hunter2")
    }
  })
})

describe("the URL a message shows", () => {
  it("names the user, host, port and database the connection uses, never other parameters", () => {
    expect(shown(`${base}?sslmode=require&application_name=x`)).toBe(base)
    expect(shown("postgresql://db.internal/analytics")).toBe("postgresql://db.internal/analytics")
    // A query parameter wins over the URL's part, as for libpq and pg.
    expect(shown(`${base}?user=other&port=6543`)).toBe("postgresql://other@db.internal:6543/analytics")
    expect(shown(`${base}?host=&user=`)).toBe(base)
    expect(refused("postgresql:///analytics?host=")).toContain("needs a host and a database")
    expect(shown("postgresql:///analytics?host=/var/run/postgresql&user=loader")).toBe(
      "postgresql:///analytics?host=/var/run/postgresql&user=loader"
    )
  })
})

describe("PGSSLMODE", () => {
  const target = (url: string) => {
    const parsed = parseTarget(url)
    if (!("ok" in parsed)) throw new Error(`expected ${url} to be taken`)
    return parsed.ok
  }
  it("goes into a URL without sslmode (before a #fragment), and a URL's own sslmode wins", () => {
    expect(withSslModeOf(target(base), "require")).toHaveProperty("ok.url", `${base}?sslmode=require`)
    expect(withSslModeOf(target(`${base}?application_name=x#p`), "prefer")).toHaveProperty(
      "ok.url",
      `${base}?application_name=x&sslmode=prefer#p`
    )
    expect(withSslModeOf(target(`${base}?sslmode=verify-full`), "disable")).toHaveProperty(
      "ok.url",
      `${base}?sslmode=verify-full`
    )
    expect(withSslModeOf(target(base), undefined)).toEqual({ ok: target(base) })
  })
  it("is refused when it is no sslmode, also beside a URL's own", () => {
    expect(withSslModeOf(target(`${base}?sslmode=require`), "requir")).toHaveProperty("refused")
    expect(withSslModeOf(target("duckdb:w.duckdb"), "requir")).toHaveProperty("ok")
  })
})
