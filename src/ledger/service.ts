/**
 * One running ledger: the registry log and the status log, each with its storage (fs or
 * PostgreSQL) and its sequencer, gate and witnesses, behind one HTTP server — or, read-only,
 * storage and HTTP alone.
 *
 * The registry log opens first: the status gate authorizes every anchor against the registry
 * gate's tip. Both logs use the same governance root, witnesses and quorum; each has its own
 * origin, log key, sequencer lock and storage (`<data>/registry`, `<data>/status`, or two table
 * sets in one PostgreSQL database).
 */
import type { Server } from 'node:http'
import { CivicError } from '../core/errors.ts'
import { closeServer, listen, type HttpLimits } from '../node/http.ts'
import { requestCosignature } from './witness/client.ts'
import { createLedgerServer, type AnchorLookup, type LedgerLogHandle } from './http.ts'
import { RegistryGate } from './gate.ts'
import { AnchorIndex, StatusGate } from './status-gate.ts'
import { Sequencer, type EntryGate } from './sequencer.ts'
import { openStorage } from './storage/open.ts'
import { assertNoSingleLogLayout, type LogName, type ParsedLedgerConfig } from './config.ts'
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
  /** Seconds between re-witnessings of an idle log's checkpoint (default 60; 0: never). */
  refreshSeconds?: number
  limits?: { perAddressPerSecond?: number; perIssuerPerSecond?: number }
  /** Deadlines and caps of the HTTP layer (defaults: src/node/http.ts). */
  http?: Partial<HttpLimits>
  now?: () => number
  log?: (line: string) => void
}

export interface LedgerLog {
  origin: string
  storage: LogStorage
  /** Absent on a read-only server. */
  sequencer: Sequencer | undefined
}

export interface LedgerService {
  /** Base URL, ending in `/`; the logs are at `<url>registry/` and `<url>status/`. */
  url: string
  server: Server
  registry: LedgerLog
  status: LedgerLog
  /** The registry log's gate (absent read-only). */
  registryGate: RegistryGate | undefined
  /** The status log's gate (absent read-only). */
  statusGate: StatusGate | undefined
  close(): Promise<void>
}

export async function startLedger(o: LedgerServiceOptions): Promise<LedgerService> {
  const now = o.now ?? (() => Math.floor(Date.now() / 1000))
  if (o.postgresUrl === undefined) await assertNoSingleLogLayout(o.dataDir)
  /** Storage not (yet) handed to a sequencer, which closes its own. */
  const opened = new Set<LogStorage>()
  const sequencers: Sequencer[] = []
  const release = async (): Promise<void> => {
    for (const s of sequencers) await s.close().catch(() => {})
    for (const s of opened) await s.close().catch(() => {})
  }
  const open = async (log: LogName): Promise<LogStorage> => {
    const s = await openStorage({ dataDir: o.dataDir, log, ...(o.postgresUrl !== undefined ? { postgresUrl: o.postgresUrl } : {}) })
    opened.add(s)
    return s
  }
  const sequence = async (log: LogName, storage: LogStorage, gate: EntryGate): Promise<Sequencer> => {
    const seq = await Sequencer.open({
      storage,
      origin: o.config[log].origin,
      logKey: o.config.signers[log],
      witnesses: o.config.witnesses.map((w, i) => ({ url: w.url, key: o.config.witnessKeys[i]! })),
      quorum: o.config.quorum,
      gate,
      cosign: requestCosignature,
      now,
      ...(o.maxBatch ? { maxBatch: o.maxBatch } : {}),
      ...(o.maxDelayMs ? { maxDelayMs: o.maxDelayMs } : {}),
      ...(o.refreshSeconds !== undefined ? { refreshSeconds: o.refreshSeconds } : {}),
      ...(o.log ? { log: (line: string) => o.log!(`${log}: ${line}`) } : {}),
    })
    sequencers.push(seq)
    opened.delete(storage)
    return seq
  }

  let registryGate: RegistryGate | undefined
  let statusGate: StatusGate | undefined
  const logs = {} as Record<LogName, LedgerLogHandle>
  let anchors: AnchorLookup
  try {
    const registryStorage = await open('registry')
    const statusStorage = await open('status')
    if (!o.readOnly) {
      const rg = new RegistryGate(o.config.root, now)
      const sg = new StatusGate(rg, now)
      logs.registry = { storage: registryStorage, sequencer: await sequence('registry', registryStorage, rg) }
      const statusSeq = await sequence('status', statusStorage, sg)
      logs.status = { storage: statusStorage, sequencer: statusSeq }
      registryGate = rg
      statusGate = sg
      // The checkpoint and the index are read in one synchronous step: the sequencer publishes
      // a note and commits its anchors to the index in one step too.
      anchors = async (uri) => {
        const note = statusSeq.checkpoint
        const position = sg.index.get(uri)
        return note && position ? { position, note } : null
      }
    } else {
      logs.registry = { storage: registryStorage }
      logs.status = { storage: statusStorage }
      const index = new AnchorIndex()
      await index.catchUp(statusStorage)
      anchors = async (uri) => {
        await index.catchUp(statusStorage)
        const note = index.note
        const position = index.get(uri)
        return note && position ? { position, note } : null
      }
    }
  } catch (e) {
    await release()
    throw e
  }
  const server = createLedgerServer({ logs, anchors, ...(o.limits ? { limits: o.limits } : {}), ...(o.http ? { http: o.http } : {}), ...(o.log ? { log: o.log } : {}), now })
  let url: string
  try {
    url = `${await listen(server, o.port ?? 0, o.host ?? '127.0.0.1')}/`
  } catch (e) {
    await release()
    throw new CivicError('ERR_LEDGER_CONFIG', `cannot listen on ${o.host ?? '127.0.0.1'}:${o.port ?? 0}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e })
  }
  let closed = false
  const handle = (log: LogName): LedgerLog => ({ origin: o.config[log].origin, storage: logs[log].storage, sequencer: logs[log].sequencer })
  return {
    url,
    server,
    registry: handle('registry'),
    status: handle('status'),
    registryGate,
    statusGate,
    async close() {
      if (closed) return
      closed = true
      await closeServer(server)
      await release()
    },
  }
}
