/**
 * One running ledger: storage (fs or PostgreSQL), the sequencer with the registry gate and its
 * witnesses, and the HTTP server — or, read-only, storage and HTTP alone.
 */
import type { Server } from 'node:http'
import { CivicError } from '../core/errors.ts'
import { closeServer, listen, type HttpLimits } from '../node/http.ts'
import { requestCosignature } from './witness/client.ts'
import { createLedgerServer } from './http.ts'
import { RegistryGate } from './gate.ts'
import { Sequencer } from './sequencer.ts'
import { openStorage } from './storage/open.ts'
import type { ParsedLedgerConfig } from './config.ts'
import type { LogStorage } from './storage/types.ts'

export interface LedgerServiceOptions {
  dataDir: string
  config: ParsedLedgerConfig
  postgresUrl?: string
  readOnly?: boolean
  host?: string
  port?: number
  maxBatch?: number
  maxDelayMs?: number
  limits?: { perAddressPerSecond?: number; perIssuerPerSecond?: number }
  /** Deadlines and caps of the HTTP layer (defaults: src/node/http.ts). */
  http?: Partial<HttpLimits>
  now?: () => number
  log?: (line: string) => void
}

export interface LedgerService {
  url: string
  server: Server
  storage: LogStorage
  sequencer: Sequencer | undefined
  gate: RegistryGate | undefined
  close(): Promise<void>
}

export async function startLedger(o: LedgerServiceOptions): Promise<LedgerService> {
  const now = o.now ?? (() => Math.floor(Date.now() / 1000))
  const storage = await openStorage({ dataDir: o.dataDir, ...(o.postgresUrl ? { postgresUrl: o.postgresUrl } : {}) })
  let sequencer: Sequencer | undefined
  let gate: RegistryGate | undefined
  try {
    if (!o.readOnly) {
      gate = new RegistryGate(o.config.root, now)
      sequencer = await Sequencer.open({
        storage,
        origin: o.config.origin,
        logKey: o.config.signer,
        witnesses: o.config.witnesses.map((w, i) => ({ url: w.url, key: o.config.witnessKeys[i]! })),
        quorum: o.config.quorum,
        gate,
        cosign: requestCosignature,
        now,
        ...(o.maxBatch ? { maxBatch: o.maxBatch } : {}),
        ...(o.maxDelayMs ? { maxDelayMs: o.maxDelayMs } : {}),
        ...(o.log ? { log: o.log } : {}),
      })
    }
  } catch (e) {
    await storage.close()
    throw e
  }
  const server = createLedgerServer({ storage, ...(sequencer ? { sequencer } : {}), ...(o.limits ? { limits: o.limits } : {}), ...(o.http ? { http: o.http } : {}), ...(o.log ? { log: o.log } : {}), now })
  let url: string
  try {
    url = `${await listen(server, o.port ?? 0, o.host ?? '127.0.0.1')}/`
  } catch (e) {
    if (sequencer) await sequencer.close()
    else await storage.close()
    throw new CivicError('ERR_LEDGER_CONFIG', `cannot listen on ${o.host ?? '127.0.0.1'}:${o.port ?? 0}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e })
  }
  let closed = false
  return {
    url,
    server,
    storage,
    sequencer,
    gate,
    async close() {
      if (closed) return
      closed = true
      await closeServer(server)
      if (sequencer) await sequencer.close()
      else await storage.close()
    },
  }
}
