/**
 * The ledger explorer's strings, zh-CN and en side by side, and the texts of the error codes the
 * explorer can meet (a sync that fails, a checkpoint that does not verify, an entry that is not
 * where it claims to be). Imported only by the explorer's components, so the strings load with
 * that role's chunk. In a component: `const t = locale.table(explorerStrings)`, then `t('ex.…')`.
 */
import type { ErrorCode } from '../../core/errors.ts'
import type { Entry } from './strings.ts'
import type { CodesWithPrefix } from './text.ts'

export const explorerStrings = {
  'ex.nav.label': { 'zh-CN': '账本浏览器的视图', en: 'Explorer views' },
  'ex.nav.overview': { 'zh-CN': '图表', en: 'Pictures' },
  'ex.nav.directory': { 'zh-CN': '机构名录', en: 'Who is registered' },
  'ex.nav.check': { 'zh-CN': '亲自核验', en: 'Check it yourself' },

  'ex.config.loading': { 'zh-CN': '正在打开本机保存的账本副本…', en: 'Opening the copy of the ledger kept on this device…' },
  'ex.config.missing': {
    'zh-CN': '本页旁边没有服务配置文件 civic-config.json，也没有保存过的账本副本，所以不知道要核验哪个账本。请用 npm start 启动整个系统。',
    en: 'There is no civic-config.json next to this page and no copy of a ledger on this device, so there is no ledger to check. Start the whole system with npm start.',
  },
  'ex.config.invalid': {
    'zh-CN': '服务配置中的账本设置不符合要求，浏览器不会信任它：',
    en: "The ledger settings in the service configuration do not fit, so the browser trusts none of it:",
  },
  'ex.config.unreachable': {
    'zh-CN': '无法读取服务配置，本机也没有保存过的账本副本（可能已离线）。',
    en: 'The service configuration could not be read and there is no copy of a ledger on this device (offline?).',
  },
  'ex.open.failed': { 'zh-CN': '无法打开本机的账本副本：', en: 'The copy of the ledger on this device could not be opened:' },
  'ex.retry': { 'zh-CN': '重试', en: 'Try again' },

  'ex.fresh.title': { 'zh-CN': '本机副本有多新', en: 'How recent this copy is' },
  'ex.fresh.registry': { 'zh-CN': '登记账本', en: 'Registry log' },
  'ex.fresh.status': { 'zh-CN': '状态账本', en: 'Status log' },
  'ex.fresh.witnessed': { 'zh-CN': '{age}见证', en: 'witnessed {age}' },
  'ex.fresh.checked': { 'zh-CN': '本机{age}核验', en: 'checked here {age}' },
  'ex.fresh.never': { 'zh-CN': '尚未核验过任何检查点', en: 'no checkpoint verified yet' },
  'ex.fresh.stale': {
    'zh-CN': '最近核验的检查点已超过 15 分钟：显示的内容可能不是最新的。',
    en: 'The last verified checkpoint is more than 15 minutes old: what you see may not be the latest.',
  },
  'ex.fresh.entries': { 'zh-CN': '{n} 条', en: '{n} {n|entry|entries}' },
  'ex.sync.now': { 'zh-CN': '立即同步', en: 'Sync now' },
  'ex.sync.busy': { 'zh-CN': '正在同步…', en: 'Syncing…' },
  'ex.sync.progress': {
    'zh-CN': '{log}：已核验 {entries} / {total} 条，已下载 {bytes}',
    en: '{log}: {entries} of {total} entries verified, {bytes} downloaded',
  },
  'ex.sync.done': { 'zh-CN': '同步完成，所有检查点均已核验。', en: 'Synced; every checkpoint verified.' },
  'ex.sync.failed': { 'zh-CN': '同步失败，仍显示本机已核验的副本：', en: 'The sync failed; showing the copy already verified on this device:' },
  'ex.sync.offline': { 'zh-CN': '当前离线：显示本机已核验的副本。', en: 'Offline: showing the copy already verified on this device.' },

  'ex.evidence.title': { 'zh-CN': '发现账本作假的证据', en: 'Evidence that the ledger misbehaved' },
  'ex.evidence.lead': {
    'zh-CN': '账本出示过两个相互矛盾、却都经过签名和见证的检查点。本机保留了证据，任何人都可以用 civic log verify --evidence 核对。请导出并交给监督机构。',
    en: 'The ledger showed two checkpoints that contradict each other, both signed and witnessed. This device kept the proof; anyone can check it with civic log verify --evidence. Export it and hand it to an oversight body.',
  },
  'ex.evidence.kind.rollback': { 'zh-CN': '回滚：树变小了', en: 'Rollback: the tree got smaller' },
  'ex.evidence.kind.fork': { 'zh-CN': '分叉：同样大小，不同内容', en: 'Fork: same size, different contents' },
  'ex.evidence.kind.inconsistent': { 'zh-CN': '不一致：新树不包含旧树', en: 'Inconsistent: the new tree does not contain the old one' },
  'ex.evidence.observed': { 'zh-CN': '发现时间', en: 'Observed' },
  'ex.evidence.export': { 'zh-CN': '导出证据文件', en: 'Export the evidence file' },

  'ex.chart.numbers': { 'zh-CN': '查看数据表', en: 'Show the numbers' },
  'ex.chart.time': { 'zh-CN': '时间', en: 'Time' },
  'ex.chart.size': { 'zh-CN': '条目数', en: 'Entries' },
  'ex.chart.count': { 'zh-CN': '数量', en: 'Count' },
  'ex.chart.empty': { 'zh-CN': '暂无数据。', en: 'Nothing to show yet.' },
  'ex.chart.lineAlt': {
    'zh-CN': '{title}：从 {from} 的 {first} 条增长到 {to} 的 {last} 条。',
    en: '{title}: from {first} {first|entry|entries} on {from} to {last} {last|entry|entries} on {to}.',
  },
  'ex.chart.barAlt': { 'zh-CN': '{title}：{items}。', en: '{title}: {items}.' },
  'ex.chart.timelineAlt': {
    'zh-CN': '{title}：从 {from} 到 {to}，{items}。',
    en: '{title}: from {from} to {to}, {items}.',
  },

  'ex.overview.sizes': { 'zh-CN': '账本的增长', en: 'How the logs grew' },
  'ex.overview.entries': { 'zh-CN': '登记账本里有什么', en: 'What the registry holds' },
  'ex.overview.events': { 'zh-CN': '认证和密钥的变化', en: 'Accreditations and keys over time' },
  'ex.overview.witnessing': { 'zh-CN': '谁见证了账本', en: 'Who witnessed the ledger' },
  'ex.overview.party': { 'zh-CN': '机构', en: 'Issuer or verifier' },
  'ex.overview.lane': { 'zh-CN': '类别', en: 'Kind' },
  'ex.overview.from': { 'zh-CN': '最早', en: 'First' },
  'ex.overview.to': { 'zh-CN': '最近', en: 'Latest' },
  'ex.overview.registrySize': { 'zh-CN': '登记账本的大小', en: 'Size of the registry log' },
  'ex.overview.statusSize': { 'zh-CN': '状态账本的大小', en: 'Size of the status log' },
  'ex.overview.sizesLead': {
    'zh-CN': '每台设备都完整重放登记账本；状态账本只按需逐条核对，从不整本下载。',
    en: 'Every device replays the registry log in full; the status log is checked one anchor at a time, never downloaded whole.',
  },
  'ex.overview.byType': { 'zh-CN': '按类型统计的条目', en: 'Entries by type' },
  'ex.overview.byParty': { 'zh-CN': '按机构统计的条目', en: 'Entries by issuer or verifier' },
  'ex.overview.others': { 'zh-CN': '其他 {n} 个', en: '{n} others' },
  'ex.overview.timeline': { 'zh-CN': '认证、密钥变更和暂停的时间线', en: 'Timeline of accreditations, key changes and suspensions' },
  'ex.overview.recent': { 'zh-CN': '最近的事件', en: 'Latest events' },
  'ex.overview.checkpoints': { 'zh-CN': '检查点和联署的见证方', en: 'Checkpoints and who cosigned them' },
  'ex.overview.witnesses': { 'zh-CN': '各见证方最近一次联署', en: "Each witness's last cosignature" },

  'ex.type.issuer-accreditation': { 'zh-CN': '签发机构认证', en: 'Issuer accreditation' },
  'ex.type.verifier-registration': { 'zh-CN': '核验方登记', en: 'Verifier registration' },
  'ex.type.key-change': { 'zh-CN': '密钥变更', en: 'Key change' },
  'ex.type.suspension': { 'zh-CN': '暂停', en: 'Suspension' },
  'ex.type.status-anchor': { 'zh-CN': '状态锚点', en: 'Status anchor' },
  'ex.lane.accreditation': { 'zh-CN': '认证与登记', en: 'Accreditations and registrations' },
  'ex.lane.key': { 'zh-CN': '密钥变更', en: 'Key changes' },
  'ex.lane.suspension': { 'zh-CN': '暂停', en: 'Suspensions' },
  'ex.root': { 'zh-CN': '治理根', en: 'Governance root' },

  'ex.cp.origin': { 'zh-CN': '来源', en: 'Origin' },
  'ex.cp.size': { 'zh-CN': '条目数', en: 'Size' },
  'ex.cp.root': { 'zh-CN': '根哈希', en: 'Root hash' },
  'ex.cp.cosigned': {
    'zh-CN': '{n} 个见证方联署（至少需要 {k} 个）',
    en: '{n} {n|witness|witnesses} cosigned (at least {k} needed)',
  },
  'ex.cp.none': { 'zh-CN': '尚无已核验的检查点。', en: 'No checkpoint verified yet.' },
  'ex.cp.witness': { 'zh-CN': '见证方', en: 'Witness' },
  'ex.cp.time': { 'zh-CN': '联署时间', en: 'Cosigned at' },
  'ex.wit.never': { 'zh-CN': '尚未联署过本机核验的检查点', en: 'has not cosigned a checkpoint verified here' },
  'ex.wit.last': { 'zh-CN': '最近联署：{age}', en: 'last cosigned {age}' },

  'ex.dir.issuers': { 'zh-CN': '认证的签发机构', en: 'Accredited issuers' },
  'ex.dir.issuersLead': {
    'zh-CN': '只有这些机构签发的证件才会被接受，而且只限它们获准签发的证件类型。',
    en: 'Only credentials from these offices are accepted, and only of the types each is accredited for.',
  },
  'ex.dir.verifiers': { 'zh-CN': '登记的核验方', en: 'Registered verifiers' },
  'ex.dir.verifiersLead': {
    'zh-CN': '每个核验方只能为登记的用途索取列出的信息。你可以事先在这里看到对方能问什么、会保留多久。',
    en: 'Each verifier may ask only for the listed details, for its registered purposes. See here in advance what a service may ask and how long it keeps it.',
  },
  'ex.dir.filter': { 'zh-CN': '按名称或标识查找', en: 'Find by name or identifier' },
  'ex.dir.matches': { 'zh-CN': '找到 {n} 个签发机构、{m} 个核验方。', en: '{n} {n|issuer|issuers} and {m} {m|verifier|verifiers} match.' },
  'ex.dir.noMatch': { 'zh-CN': '没有符合的机构。', en: 'Nothing matches.' },
  'ex.overview.othersLine': { 'zh-CN': '另有 {n} 个机构，共 {count} 条。', en: '{n} more, with {count} entries between them.' },
  'ex.dir.none': { 'zh-CN': '账本上还没有。', en: 'None on the ledger yet.' },
  'ex.dir.did': { 'zh-CN': '标识', en: 'Identifier' },
  'ex.dir.types': { 'zh-CN': '可签发的证件类型', en: 'Credential types' },
  'ex.dir.keys': { 'zh-CN': '当前密钥', en: 'Current keys' },
  'ex.dir.revokedKeys': { 'zh-CN': '已撤销的密钥', en: 'Revoked keys' },
  'ex.dir.valid': { 'zh-CN': '有效期', en: 'Valid' },
  'ex.dir.standing': { 'zh-CN': '状态', en: 'Standing' },
  'ex.dir.standing.active': { 'zh-CN': '有效', en: 'In good standing' },
  'ex.dir.standing.suspended': { 'zh-CN': '已暂停', en: 'Suspended' },
  'ex.dir.standing.expired': { 'zh-CN': '已过期', en: 'Expired' },
  'ex.dir.standing.pending': { 'zh-CN': '尚未生效', en: 'Not yet valid' },
  'ex.dir.suspendedAt': { 'zh-CN': '暂停于 {time}', en: 'suspended on {time}' },
  'ex.dir.purposes': { 'zh-CN': '用途与可索取的信息', en: 'Purposes and what each may ask' },
  'ex.dir.claims': { 'zh-CN': '可索取', en: 'May ask for' },
  'ex.dir.why': { 'zh-CN': '为什么需要', en: 'Why' },
  'ex.dir.contact': { 'zh-CN': '咨询与投诉', en: 'Questions to' },
  'ex.dir.retention': { 'zh-CN': '保留承诺', en: 'Retention promise' },
  'ex.dir.keepsNothing': { 'zh-CN': '核验后不保留', en: 'keeps nothing after the check' },
  'ex.dir.keepsDays': { 'zh-CN': '保留 {n} 天', en: 'keeps it {n} {n|day|days}' },
  'ex.dir.more': { 'zh-CN': '显示全部 {n} 个', en: 'Show all {n}' },

  'ex.check.title': { 'zh-CN': '亲自核验一个条目', en: 'Check an entry yourself' },
  'ex.check.lead': {
    'zh-CN': '选择任意条目：浏览器用本机保存的哈希，证明它就在最近核验的检查点之下，不向任何服务器询问。你也可以改动条目的内容，看看核验如何失败。',
    en: 'Pick any entry: the browser proves, from the hashes kept on this device, that it sits under the last verified checkpoint, asking no server. Change the entry and watch the check fail.',
  },
  'ex.check.index': { 'zh-CN': '条目编号（0 到 {max}）', en: 'Entry number (0 to {max})' },
  'ex.check.show': { 'zh-CN': '显示', en: 'Show' },
  'ex.check.latest': { 'zh-CN': '最新的条目', en: 'Latest entries' },
  'ex.check.entry': { 'zh-CN': '条目 #{i}', en: 'Entry #{i}' },
  'ex.check.type': { 'zh-CN': '类型', en: 'Type' },
  'ex.check.signer': { 'zh-CN': '签名方', en: 'Signed by' },
  'ex.check.subject': { 'zh-CN': '涉及', en: 'Concerns' },
  'ex.check.time': { 'zh-CN': '时间', en: 'Time' },
  'ex.check.bytes': { 'zh-CN': '条目内容（可以改动）', en: 'The entry (you may change it)' },
  'ex.check.bytesHint': {
    'zh-CN': '账本里存的就是这段文字的字节。改动任何一个字符，它的哈希就不同了。',
    en: 'The ledger holds exactly the bytes of this text. Change any character and its hash differs.',
  },
  'ex.check.changed': { 'zh-CN': '已改动', en: 'Changed' },
  'ex.check.run': { 'zh-CN': '核验包含证明', en: 'Check inclusion' },
  'ex.check.restore': { 'zh-CN': '恢复原样', en: 'Restore the original' },
  'ex.check.pass': {
    'zh-CN': '通过：条目 #{i} 就在大小为 {size} 的登记账本中，与本机核验的检查点一致。',
    en: 'Passed: entry #{i} is in the registry log of size {size}, under the checkpoint verified on this device.',
  },
  'ex.check.fail': { 'zh-CN': '未通过：', en: 'Failed:' },
  'ex.check.code': { 'zh-CN': '错误代码', en: 'Error code' },
  'ex.check.detail': { 'zh-CN': '技术详情', en: 'Technical details' },
  'ex.check.cpTitle': { 'zh-CN': '检查点本身', en: 'The checkpoint itself' },
  'ex.check.cpLogKey': {
    'zh-CN': '{log}大小为 {size} 的检查点由账本密钥签名，本机已核验。',
    en: '{log} checkpoint of size {size}: signed by the log key, verified on this device.',
  },
  'ex.check.cpQuorum': {
    'zh-CN': '{n} 个配置的见证方联署，法定数为 {k}：{ok}',
    en: '{n} configured {n|witness|witnesses} cosigned, the quorum is {k}: {ok}',
  },
  'ex.check.quorumMet': { 'zh-CN': '已达到', en: 'met' },
  'ex.check.quorumNotMet': { 'zh-CN': '未达到', en: 'not met' },
  'ex.check.consistent': {
    'zh-CN': '与本机以前信任的每个检查点一致（没有分叉或回滚的证据）。',
    en: 'Consistent with every checkpoint this device trusted before (no evidence of a fork or rollback).',
  },
  'ex.check.inconsistent': {
    'zh-CN': '本机保留了账本作假的证据，见“图表”视图。',
    en: 'This device holds evidence that the ledger misbehaved: see the Pictures view.',
  },
  'ex.check.empty': { 'zh-CN': '登记账本里还没有条目。', en: 'The registry log has no entries yet.' },

  'ex.bytes.b': { 'zh-CN': '{n} 字节', en: '{n} B' },
  'ex.bytes.kb': { 'zh-CN': '{n} KB', en: '{n} kB' },
  'ex.bytes.mb': { 'zh-CN': '{n} MB', en: '{n} MB' },

  'error.ERR_LOG_INCLUSION_INVALID': {
    'zh-CN': '这些字节不是账本在该编号处记录的条目：内容被改动过，或者它根本不在账本中。',
    en: 'These bytes are not the entry the ledger holds at that number: the entry was changed, or it is not in the log.',
  },
  'error.ERR_LOG_CHECKPOINT_MALFORMED': { 'zh-CN': '账本的检查点格式不对。', en: "The ledger's checkpoint is not well-formed." },
  'error.ERR_LOG_SIZE_UNSUPPORTED': { 'zh-CN': '账本给出的大小或编号超出了可处理的范围。', en: 'The ledger gave a size or number beyond what can be handled.' },
  'error.ERR_LOG_ORIGIN_MISMATCH': { 'zh-CN': '检查点属于另一个账本。', en: 'The checkpoint belongs to another log.' },
  'error.ERR_LOG_COSIGNATURE_MALFORMED': { 'zh-CN': '见证方的联署格式不对。', en: "A witness's cosignature is not well-formed." },
  'error.ERR_LOG_COSIGNATURE_INVALID': { 'zh-CN': '一个配置的见证方的联署没有通过核验。', en: "A configured witness's cosignature does not verify." },
  'error.ERR_LOG_COSIGNATURE_FUTURE': { 'zh-CN': '见证方的联署时间在未来。', en: "A witness's cosignature is dated in the future." },
  'error.ERR_LOG_QUORUM_NOT_MET': { 'zh-CN': '联署的见证方不足法定数，检查点不被信任。', en: 'Too few witnesses cosigned: the checkpoint is not trusted.' },
  'error.ERR_LOG_TILE_PATH_INVALID': { 'zh-CN': '账本的数据块地址不对。', en: 'A tile address of the ledger is not valid.' },
  'error.ERR_LOG_TILE_MALFORMED': { 'zh-CN': '账本的哈希块格式不对。', en: 'A hash tile of the ledger is not well-formed.' },
  'error.ERR_LOG_BUNDLE_MALFORMED': { 'zh-CN': '账本的条目块格式不对。', en: 'An entry bundle of the ledger is not well-formed.' },
  'error.ERR_LOG_TILE_MISMATCH': { 'zh-CN': '账本的哈希块与其下的条目不符。', en: 'A hash tile does not match the entries below it.' },
  'error.ERR_LOG_ROOT_MISMATCH': { 'zh-CN': '重新计算的根哈希与检查点不符。', en: "The recomputed root hash differs from the checkpoint's." },
  'error.ERR_LOG_FETCH_FAILED': { 'zh-CN': '无法从账本下载数据（可能已离线）。', en: 'Data could not be fetched from the ledger (offline?).' },
  'error.ERR_LOG_MISBEHAVIOUR': {
    'zh-CN': '账本出示了与本机信任的检查点相矛盾的检查点。证据已保留。',
    en: 'The ledger showed a checkpoint that contradicts the one this device trusts. The evidence is kept.',
  },
  'error.ERR_LOG_STATE_INVALID': { 'zh-CN': '本机保存的账本状态已损坏。', en: 'The ledger state kept on this device is damaged.' },
  'error.ERR_LOG_EVIDENCE_INVALID': { 'zh-CN': '证据文件不能证明它所声称的矛盾。', en: 'The evidence file does not prove what it claims.' },
  'error.ERR_PROOF_MALFORMED': { 'zh-CN': '包含证明的格式不对。', en: 'The inclusion proof is not well-formed.' },
  'error.ERR_PROOF_OUT_OF_RANGE': { 'zh-CN': '这个编号不在已核验的账本范围内。', en: 'That number is not inside the verified log.' },
  'error.ERR_PROOF_WRONG_LENGTH': { 'zh-CN': '包含证明的哈希数量不对。', en: 'The inclusion proof has the wrong number of hashes.' },
  'error.ERR_PROOF_ROOT_MISMATCH': {
    'zh-CN': '由条目和证明算出的根哈希与检查点不符：条目被改动过。',
    en: "The root hash computed from the entry and its proof differs from the checkpoint's: the entry was changed.",
  },
  'error.ERR_NOTE_TOO_LARGE': { 'zh-CN': '检查点太大。', en: 'The checkpoint is too large.' },
  'error.ERR_NOTE_MALFORMED': { 'zh-CN': '检查点不是格式正确的签名文本。', en: 'The checkpoint is not a well-formed signed note.' },
  'error.ERR_NOTE_TOO_MANY_SIGNATURES': { 'zh-CN': '检查点的签名过多。', en: 'The checkpoint carries too many signatures.' },
  'error.ERR_NOTE_KEY_INVALID': { 'zh-CN': '配置中的账本或见证方密钥格式不对。', en: 'A log or witness key in the configuration is not valid.' },
  'error.ERR_NOTE_SIGNATURE_INVALID': { 'zh-CN': '检查点上账本密钥的签名没有通过核验。', en: "The log key's signature on the checkpoint does not verify." },
  'error.ERR_NOTE_UNVERIFIED': { 'zh-CN': '检查点没有账本密钥的有效签名。', en: 'The checkpoint has no valid signature from the log key.' },
  'error.ERR_TRUST_CONFIG': {
    'zh-CN': '服务配置中的账本设置不符合要求（密钥、来源或法定数），浏览器不会信任它。',
    en: 'The ledger settings in the service configuration (keys, origins or quorum) do not fit, so the browser trusts none of it.',
  },
  'error.ERR_TRUST_REGISTRY_BEHIND': {
    'zh-CN': '本机的登记账本副本比状态锚点旧，请先同步。',
    en: "This device's copy of the registry is older than the status anchor: sync first.",
  },
  'error.ERR_STORE_UNAVAILABLE': {
    'zh-CN': '无法打开本机的存储（可能被另一个标签页占用，或浏览器禁止了存储）。',
    en: "This device's storage cannot be opened (another tab may hold it, or the browser refuses storage).",
  },
  'error.ERR_STORE_QUOTA': { 'zh-CN': '本机存储空间已满，未保存任何内容。', en: "This device's storage is full; nothing was saved." },
} as const satisfies Record<string, Entry>

export type ExplorerKey = keyof typeof explorerStrings

/** Every code of the logs, their proofs and their signed notes: what a sync or a check can answer. */
export type ExplorerCode =
  | CodesWithPrefix<'ERR_LOG_'>
  | CodesWithPrefix<'ERR_PROOF_'>
  | CodesWithPrefix<'ERR_NOTE_'>
  | CodesWithPrefix<'ERR_TRUST_'>
  | CodesWithPrefix<'ERR_STORE_'>

/**
 * The text of every code the explorer can meet: total, so a new ERR_LOG_, ERR_PROOF_ or ERR_NOTE_
 * code (and ERR_TRUST_, ERR_STORE_) without a text here is a type error. Anything else (the shell's HTTP codes, a store
 * failure) is named by `error.unknown` and its code.
 */
export const EXPLORER_ERROR_TEXT: Readonly<Record<ExplorerCode, ExplorerKey>> = {
  ERR_LOG_INCLUSION_INVALID: 'error.ERR_LOG_INCLUSION_INVALID',
  ERR_LOG_CHECKPOINT_MALFORMED: 'error.ERR_LOG_CHECKPOINT_MALFORMED',
  ERR_LOG_SIZE_UNSUPPORTED: 'error.ERR_LOG_SIZE_UNSUPPORTED',
  ERR_LOG_ORIGIN_MISMATCH: 'error.ERR_LOG_ORIGIN_MISMATCH',
  ERR_LOG_COSIGNATURE_MALFORMED: 'error.ERR_LOG_COSIGNATURE_MALFORMED',
  ERR_LOG_COSIGNATURE_INVALID: 'error.ERR_LOG_COSIGNATURE_INVALID',
  ERR_LOG_COSIGNATURE_FUTURE: 'error.ERR_LOG_COSIGNATURE_FUTURE',
  ERR_LOG_QUORUM_NOT_MET: 'error.ERR_LOG_QUORUM_NOT_MET',
  ERR_LOG_TILE_PATH_INVALID: 'error.ERR_LOG_TILE_PATH_INVALID',
  ERR_LOG_TILE_MALFORMED: 'error.ERR_LOG_TILE_MALFORMED',
  ERR_LOG_BUNDLE_MALFORMED: 'error.ERR_LOG_BUNDLE_MALFORMED',
  ERR_LOG_TILE_MISMATCH: 'error.ERR_LOG_TILE_MISMATCH',
  ERR_LOG_ROOT_MISMATCH: 'error.ERR_LOG_ROOT_MISMATCH',
  ERR_LOG_FETCH_FAILED: 'error.ERR_LOG_FETCH_FAILED',
  ERR_LOG_MISBEHAVIOUR: 'error.ERR_LOG_MISBEHAVIOUR',
  ERR_LOG_STATE_INVALID: 'error.ERR_LOG_STATE_INVALID',
  ERR_LOG_EVIDENCE_INVALID: 'error.ERR_LOG_EVIDENCE_INVALID',
  ERR_PROOF_MALFORMED: 'error.ERR_PROOF_MALFORMED',
  ERR_PROOF_OUT_OF_RANGE: 'error.ERR_PROOF_OUT_OF_RANGE',
  ERR_PROOF_WRONG_LENGTH: 'error.ERR_PROOF_WRONG_LENGTH',
  ERR_PROOF_ROOT_MISMATCH: 'error.ERR_PROOF_ROOT_MISMATCH',
  ERR_NOTE_TOO_LARGE: 'error.ERR_NOTE_TOO_LARGE',
  ERR_NOTE_MALFORMED: 'error.ERR_NOTE_MALFORMED',
  ERR_NOTE_TOO_MANY_SIGNATURES: 'error.ERR_NOTE_TOO_MANY_SIGNATURES',
  ERR_NOTE_KEY_INVALID: 'error.ERR_NOTE_KEY_INVALID',
  ERR_NOTE_SIGNATURE_INVALID: 'error.ERR_NOTE_SIGNATURE_INVALID',
  ERR_NOTE_UNVERIFIED: 'error.ERR_NOTE_UNVERIFIED',
  ERR_TRUST_CONFIG: 'error.ERR_TRUST_CONFIG',
  ERR_TRUST_REGISTRY_BEHIND: 'error.ERR_TRUST_REGISTRY_BEHIND',
  ERR_STORE_UNAVAILABLE: 'error.ERR_STORE_UNAVAILABLE',
  ERR_STORE_QUOTA: 'error.ERR_STORE_QUOTA',
}

/** The text of `code`, or null when the explorer has none (the caller names it by `error.unknown` and its code). */
export function explorerErrorKey(code: ErrorCode): ExplorerKey | null {
  return Object.hasOwn(EXPLORER_ERROR_TEXT, code) ? EXPLORER_ERROR_TEXT[code as ExplorerCode] : null
}
