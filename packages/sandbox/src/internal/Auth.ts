/**
 * Tokens and cookie sessions. Tokens are opaque random strings mapped to who they belong to, their scope
 * (FULL, or REPORT_BOOK_VIEW limited to one object) and their lifetime; sessions are `JSESSIONID` cookies.
 * Time comes from the sandbox clock, so tests move it instead of sleeping.
 */
import { randomBytes, randomUUID } from "node:crypto"
import type { UserDef } from "./Catalog.ts"
import type { OrgContent } from "./Orgs.ts"

/** A bearer token's record. */
export interface TokenRecord {
  readonly token: string
  readonly user: UserDef
  readonly objectId: string | undefined
  readonly orgId: number
  readonly createdMs: number
  readonly expiresMs: number
  revoked: boolean
}

/** A cookie session's record. */
export interface SessionRecord {
  readonly id: string
  readonly clientId: string
  readonly user: UserDef
  /** The org the session works in. */
  readonly orgId: number
  readonly idleMs: number
  lastSeenMs: number
  closed: boolean
}

/** Who is calling, after authentication. */
export interface Principal {
  readonly user: UserDef
  /** Set for object tokens: the only object this caller may read. */
  readonly objectId: string | undefined
  readonly token: TokenRecord | undefined
  readonly session: SessionRecord | undefined
  /** The caller's org as its sandbox has it (objects deleted or renamed there; see `Edits.ts`). */
  readonly view?: (org: OrgContent) => OrgContent
}

/** Token and session state of one sandbox. */
export class AuthStore {
  readonly tokens = new Map<string, TokenRecord>()
  readonly sessions = new Map<string, SessionRecord>()
  issued = 0
  /** Tokens revoked so far (by `auth/token/revoke` or a forced revocation), each counted once. */
  revoked = 0

  /** Issues a token valid for `validityMs` from `nowMs`. */
  issue(user: UserDef, objectId: string | undefined, orgId: number, nowMs: number, validityMs: number): TokenRecord {
    const store = this
    let revoked = false
    const record: TokenRecord = {
      token: randomBytes(24).toString("base64url"),
      user,
      objectId,
      orgId,
      createdMs: nowMs,
      expiresMs: nowMs + validityMs,
      get revoked() {
        return revoked
      },
      set revoked(value: boolean) {
        if (value && !revoked) store.revoked++
        revoked = value
      }
    }
    this.tokens.set(record.token, record)
    this.issued++
    return record
  }

  /** Opens a cookie session (3 h idle timeout, about 7 days with remember_me). */
  openSession(user: UserDef, rememberMe: boolean, nowMs: number, orgId = 0): SessionRecord {
    const record: SessionRecord = {
      id: randomUUID(),
      clientId: randomUUID(),
      user,
      orgId,
      idleMs: rememberMe ? 7 * 86_400_000 : 3 * 3_600_000,
      lastSeenMs: nowMs,
      closed: false
    }
    this.sessions.set(record.id, record)
    return record
  }

  /** Revokes every token and closes every session (all users), or only those of one user. */
  revokeAll(userId?: string): number {
    let n = 0
    for (const t of this.tokens.values()) {
      if (!t.revoked && (userId === undefined || t.user.id === userId)) {
        t.revoked = true
        n++
      }
    }
    for (const s of this.sessions.values()) {
      if (userId === undefined || s.user.id === userId) s.closed = true
    }
    return n
  }
}
