/**
 * The workspace's OAuth credentials. Access tokens never expire, as Intercom's do not; they stop
 * working only when revoked. Authorization codes are good for one exchange within 10 minutes, and
 * those never redeemed are purged, so a flood of `/oauth` requests cannot grow memory without bound.
 */
import type { TokenRecord } from "./Records.ts"
import type { Workspace } from "./Workspace.ts"

export class AccessTokens {
  private readonly workspace: Workspace
  private readonly byToken = new Map<string, TokenRecord>()

  constructor(workspace: Workspace) {
    this.workspace = workspace
    for (const token of workspace.persistence.load("token") as ReadonlyArray<TokenRecord>) {
      this.byToken.set(token.token, token)
    }
  }

  issue(clientId: string, token = `dG9rOj${this.workspace.hex(40)}`): TokenRecord {
    const record: TokenRecord = {
      token,
      client_id: clientId,
      revoked: false,
      created_at: this.workspace.nowSeconds()
    }
    this.byToken.set(token, record)
    this.workspace.persistence.save("token", token, record)
    return record
  }

  find(token: string): TokenRecord | undefined {
    return this.byToken.get(token)
  }

  revoke(token: string): boolean {
    const record = this.byToken.get(token)
    if (record === undefined) return false
    record.revoked = true
    this.workspace.persistence.save("token", token, record)
    return true
  }
}

export interface OAuthCode {
  readonly code: string
  readonly clientId: string
  readonly redirectUri: string
  /** Unix ms. */
  readonly expiresAt: number
}

/** An authorization code is good for this long. */
export const authorizationCodeLifetimeMillis = 10 * 60_000

/** At most this many codes wait to be redeemed; past it the oldest goes first. */
export const maxOutstandingCodes = 10_000

export class AuthorizationCodes {
  private readonly workspace: Workspace
  /** Insertion order is expiry order: every code lives equally long. */
  private readonly byCode = new Map<string, OAuthCode>()

  constructor(workspace: Workspace) {
    this.workspace = workspace
  }

  get outstanding(): number {
    return this.byCode.size
  }

  issue(clientId: string, redirectUri: string): OAuthCode {
    const now = this.workspace.nowMillisUnsafe()
    this.purge(now)
    const code: OAuthCode = {
      code: this.workspace.hex(32),
      clientId,
      redirectUri,
      expiresAt: now + authorizationCodeLifetimeMillis
    }
    this.byCode.set(code.code, code)
    if (this.byCode.size > maxOutstandingCodes) {
      const oldest = this.byCode.keys().next().value
      if (oldest !== undefined) this.byCode.delete(oldest)
    }
    return code
  }

  /** The code's grant, once; undefined when unknown, used or expired. */
  redeem(code: string): OAuthCode | undefined {
    const now = this.workspace.nowMillisUnsafe()
    this.purge(now)
    const found = this.byCode.get(code)
    this.byCode.delete(code)
    return found !== undefined && found.expiresAt > now ? found : undefined
  }

  private purge(now: number): void {
    for (const [code, grant] of this.byCode) {
      if (grant.expiresAt > now) break
      this.byCode.delete(code)
    }
  }
}
