/**
 * The wallet's strings, zh-CN and en side by side, and the texts of the error codes its screens
 * can meet. Imported only by the wallet's components, so they load with that role's chunk. In a
 * component: `const t = locale.table(walletStrings)`, then `t('w.…')`.
 */
import type { ErrorCode } from '../../core/errors.ts'
import type { Entry } from './strings.ts'
import type { CodesWithPrefix } from './text.ts'

export const walletStrings = {
  'w.opening': { 'zh-CN': '正在打开本设备上的钱包…', en: 'Opening the wallet on this device…' },
  'w.failed': { 'zh-CN': '无法打开本设备上的钱包：', en: 'The wallet on this device could not be opened:' },
  'w.retry': { 'zh-CN': '重试', en: 'Try again' },

  'w.create.title': { 'zh-CN': '创建你的钱包', en: 'Create your wallet' },
  'w.create.lead': {
    'zh-CN': '钱包只在这台设备上保存你的证件和密钥，不会上传到任何服务器。你设定的口令会把它们加密锁好。',
    en: 'The wallet keeps your credentials and keys on this device only; nothing is uploaded to any server. The passphrase you choose locks them with encryption.',
  },
  'w.create.warn': {
    'zh-CN': '没有人能替你找回口令，包括发证机关。请记在安全的地方。',
    en: 'Nobody can recover the passphrase for you, not even the issuing office. Keep it somewhere safe.',
  },
  'w.create.passphrase': { 'zh-CN': '口令', en: 'Passphrase' },
  'w.create.hint': { 'zh-CN': '至少 {n} 个字符；几个词组成的短句更好记也更安全。', en: 'At least {n} characters; a few words make a phrase easy to remember and hard to guess.' },
  'w.create.repeat': { 'zh-CN': '再输入一次口令', en: 'The passphrase again' },
  'w.create.short': { 'zh-CN': '口令太短：至少需要 {n} 个字符。', en: 'The passphrase is too short: it needs at least {n} characters.' },
  'w.create.mismatch': { 'zh-CN': '两次输入的口令不一样。', en: 'The two passphrases are not the same.' },
  'w.create.submit': { 'zh-CN': '创建钱包', en: 'Create the wallet' },
  'w.create.busy': { 'zh-CN': '正在生成加密密钥（约需一秒）…', en: 'Making the encryption key (about a second)…' },

  'w.vanished.title': { 'zh-CN': '这台设备上的钱包不见了', en: 'The wallet on this device is gone' },
  'w.vanished.lead': {
    'zh-CN': '这台设备上曾经有一个钱包，但浏览器删除了它的数据（浏览器崩溃或清理存储时可能发生）。钱包没有被悄悄换成一个空钱包。',
    en: 'There was a wallet on this device, but the browser deleted its data (this can happen after a crash or when storage is cleared). It has not been silently replaced by an empty one.',
  },
  'w.vanished.restore': {
    'zh-CN': '如果你有备份文件，可以从备份恢复证件；否则请新建钱包，再请发证机关重新发证。',
    en: 'If you have a backup file, restore your credentials from it; otherwise start a new wallet and ask the issuing offices to issue your credentials again.',
  },
  'w.vanished.new': { 'zh-CN': '新建钱包', en: 'Start a new wallet' },

  'w.unlock.title': { 'zh-CN': '解锁钱包', en: 'Unlock your wallet' },
  'w.unlock.lead': { 'zh-CN': '你的证件已加密保存在这台设备上。', en: 'Your credentials are kept encrypted on this device.' },
  'w.unlock.passphrase': { 'zh-CN': '口令', en: 'Passphrase' },
  'w.unlock.submit': { 'zh-CN': '解锁', en: 'Unlock' },
  'w.unlock.busy': { 'zh-CN': '正在解锁…', en: 'Unlocking…' },
  'w.unlock.wait': { 'zh-CN': '口令错误次数过多，请 {n} 秒后再试。', en: 'Too many wrong passphrases: try again in {n} {n|second|seconds}.' },

  'w.nav.label': { 'zh-CN': '钱包', en: 'Wallet' },
  'w.nav.cards': { 'zh-CN': '我的证件', en: 'Credentials' },
  'w.nav.receive': { 'zh-CN': '领取证件', en: 'Receive' },
  'w.nav.settings': { 'zh-CN': '设置', en: 'Settings' },
  'w.lock': { 'zh-CN': '锁定', en: 'Lock' },
  'w.autolock': { 'zh-CN': '{n} 分钟无操作后自动锁定。', en: 'Locks itself after {n} minutes without use.' },

  'w.ledger.checked': { 'zh-CN': '账本副本{age}见证', en: 'Ledger copy witnessed {age}' },
  'w.ledger.never': { 'zh-CN': '账本副本尚未核验：联网后会自动同步。', en: 'The ledger copy has not been checked yet: it syncs when you are online.' },
  'w.ledger.syncing': { 'zh-CN': '正在同步账本：已核验 {entries} 条', en: 'Syncing the ledger: {entries} {entries|entry|entries} verified' },
  'w.ledger.offline': { 'zh-CN': '离线：使用本机已核验的账本副本。', en: 'Offline: using the ledger copy already verified here.' },
  'w.ledger.sync': { 'zh-CN': '同步', en: 'Sync' },

  'w.cards.title': { 'zh-CN': '我的证件', en: 'My credentials' },
  'w.cards.empty': { 'zh-CN': '还没有证件。在发证窗口领取第一张证件吧。', en: 'No credentials yet. Receive your first one at an issuing office.' },
  'w.cards.all': { 'zh-CN': '显示全部 {n} 张证件', en: 'Show all {n} credentials' },
  'w.cards.receive': { 'zh-CN': '领取证件', en: 'Receive a credential' },
  'w.card.copies': { 'zh-CN': '剩余 {n} / {total} 份一次性副本', en: '{n} of {total} one-time copies left' },
  'w.card.until': { 'zh-CN': '有效期至 {date}', en: 'Valid until {date}' },
  'w.card.issuer': { 'zh-CN': '发证机关', en: 'Issuer' },
  'w.card.issuer.unknown': { 'zh-CN': '账本中找不到该机关的登记', en: 'Not found in the ledger registry' },
  'w.card.claims': { 'zh-CN': '证件内容', en: 'What it says' },
  'w.card.validity': { 'zh-CN': '有效期', en: 'Validity' },
  'w.card.validity.range': { 'zh-CN': '{from} 至 {until}', en: '{from} to {until}' },
  'w.card.received': { 'zh-CN': '领取时间', en: 'Received' },
  'w.card.back': { 'zh-CN': '返回我的证件', en: 'Back to my credentials' },
  'w.card.missing': { 'zh-CN': '这张证件已不在钱包中。', en: 'This credential is no longer in the wallet.' },
  'w.card.left': { 'zh-CN': '一次性副本', en: 'One-time copies' },
  'w.card.yes': { 'zh-CN': '是', en: 'Yes' },
  'w.card.no': { 'zh-CN': '否', en: 'No' },

  'w.status.label': { 'zh-CN': '状态', en: 'Status' },
  'w.status.valid': { 'zh-CN': '有效', en: 'Valid' },
  'w.status.revoked': { 'zh-CN': '已撤销', en: 'Revoked' },
  'w.status.suspended': { 'zh-CN': '已暂停', en: 'Suspended' },
  'w.status.unknown': { 'zh-CN': '状态未知', en: 'Status unknown' },
  'w.status.age': { 'zh-CN': '状态数据{age}登记', en: 'status data anchored {age}' },
  'w.status.none': { 'zh-CN': '尚无可核验的状态数据', en: 'no status data that can be checked yet' },
  'w.status.why': {
    'zh-CN': '钱包暂时无法确认这张证件的状态：本机没有足够新的、经账本核验的状态数据。联网后会自动更新。',
    en: 'The wallet cannot establish this credential\'s status yet: this device holds no recent status data proven by the ledger. It updates when you are online.',
  },
  'w.herd.title': { 'zh-CN': '隐私提示', en: 'Privacy note' },
  'w.herd.small': {
    'zh-CN': '这张证件的状态列表只有 {n} 个条目（建议至少 131,072 个）。查询状态的人可能更容易把你和别人区分开。',
    en: 'The status list of this credential holds only {n} entries (at least 131,072 are advised). Whoever watches status checks can tell you apart more easily.',
  },

  'w.receive.title': { 'zh-CN': '领取证件', en: 'Receive a credential' },
  'w.receive.lead': {
    'zh-CN': '发证窗口会显示一个二维码和一串链接。扫描二维码，或把链接粘贴在这里。',
    en: 'The issuing office shows a QR code and a link. Scan the code, or paste the link here.',
  },
  'w.receive.link': { 'zh-CN': '领取链接', en: 'Offer link' },
  'w.receive.scan': { 'zh-CN': '用相机扫描二维码', en: 'Scan the QR code' },
  'w.receive.or': { 'zh-CN': '或者粘贴链接：', en: 'Or paste the link:' },
  'w.scan.video': { 'zh-CN': '相机画面', en: 'Camera view' },
  'w.scan.starting': { 'zh-CN': '正在打开相机…', en: 'Opening the camera…' },
  'w.scan.scanning': { 'zh-CN': '把发证窗口的二维码放进画面中。', en: 'Hold the issuing office\'s QR code in view.' },
  'w.scan.denied': { 'zh-CN': '没有获得使用相机的许可。你可以在浏览器设置中允许，或者粘贴链接。', en: 'The camera was not allowed. Allow it in the browser\'s settings, or paste the link.' },
  'w.scan.none': { 'zh-CN': '这台设备上找不到相机。请粘贴链接。', en: 'This device has no camera. Paste the link instead.' },
  'w.scan.failed': { 'zh-CN': '相机无法使用。请粘贴链接。', en: 'The camera could not be used. Paste the link instead.' },
  'w.scan.close': { 'zh-CN': '关闭相机', en: 'Close the camera' },
  'w.receive.read': { 'zh-CN': '读取链接', en: 'Read the link' },
  'w.receive.reading': { 'zh-CN': '正在读取…', en: 'Reading…' },
  'w.receive.offer': { 'zh-CN': '发证机关提供了一张证件', en: 'An issuing office offers a credential' },
  'w.receive.from': { 'zh-CN': '来自', en: 'From' },
  'w.receive.type': { 'zh-CN': '证件类型', en: 'Credential type' },
  'w.receive.code': { 'zh-CN': '交易码', en: 'Transaction code' },
  'w.receive.code.hint': { 'zh-CN': '工作人员会当面告诉你（{n} 位）。', en: 'The official tells you in person ({n} characters).' },
  'w.receive.code.hint.any': { 'zh-CN': '工作人员会当面告诉你。', en: 'The official tells you in person.' },
  'w.receive.accept': { 'zh-CN': '领取', en: 'Receive' },
  'w.receive.busy': { 'zh-CN': '正在领取并核验…', en: 'Receiving and checking…' },
  'w.receive.cancel': { 'zh-CN': '取消', en: 'Cancel' },
  'w.receive.done': { 'zh-CN': '证件已保存在这台设备上。', en: 'The credential is kept on this device.' },
  'w.receive.show': { 'zh-CN': '查看证件', en: 'See the credential' },
  'w.receive.ledger': {
    'zh-CN': '账本副本还没有打开，无法核验发证机关。请稍候或联网同步。',
    en: 'The ledger copy is not open yet, so the issuer cannot be checked. Wait a moment or go online to sync.',
  },

  'w.settings.title': { 'zh-CN': '设置', en: 'Settings' },
  'w.settings.storage': { 'zh-CN': '本机存储', en: 'Storage on this device' },
  'w.settings.persisted': { 'zh-CN': '浏览器已同意长期保存钱包数据，不会在空间不足时自动清除。', en: 'The browser agreed to keep the wallet\'s data; it will not clear it when space runs low.' },
  'w.settings.notPersisted': {
    'zh-CN': '浏览器没有承诺长期保存钱包数据：空间不足时可能被清除。请保留备份。',
    en: 'The browser has not promised to keep the wallet\'s data: it may clear it when space runs low. Keep a backup.',
  },
  'w.settings.persistUnknown': { 'zh-CN': '这个浏览器不提供长期保存的选项。', en: 'This browser offers no way to ask for lasting storage.' },
  'w.settings.lock': { 'zh-CN': '自动锁定', en: 'Auto-lock' },

  'w.passkey.title': { 'zh-CN': '用通行密钥解锁', en: 'Unlock with a passkey' },
  'w.passkey.lead': {
    'zh-CN': '通行密钥保存在这台设备或你的安全密钥里，用指纹、面容或设备密码确认。口令仍然可以解锁钱包。',
    en: 'A passkey lives on this device or your security key and is confirmed with a fingerprint, face or device PIN. The passphrase still unlocks the wallet too.',
  },
  'w.passkey.none': { 'zh-CN': '这个浏览器不能用通行密钥解锁钱包（缺少 PRF 扩展）。请继续使用口令。', en: 'This browser cannot unlock the wallet with a passkey (no PRF extension). Keep using the passphrase.' },
  'w.passkey.count': { 'zh-CN': '已有 {n} 个通行密钥可以解锁这个钱包。', en: '{n} {n|passkey unlocks|passkeys unlock} this wallet.' },
  'w.passkey.confirm': { 'zh-CN': '先输入口令确认', en: 'Confirm with your passphrase first' },
  'w.passkey.add': { 'zh-CN': '添加通行密钥', en: 'Add a passkey' },
  'w.passkey.busy': { 'zh-CN': '请按浏览器的提示操作…', en: 'Follow the browser\'s prompt…' },
  'w.passkey.added': { 'zh-CN': '已添加：下次可以用通行密钥解锁。', en: 'Added: next time you can unlock with the passkey.' },
  'w.passkey.unlock': { 'zh-CN': '用通行密钥解锁', en: 'Unlock with a passkey' },
  'w.passkey.or': { 'zh-CN': '或者输入口令：', en: 'Or enter your passphrase:' },
  'w.backup.title': { 'zh-CN': '备份', en: 'Backup' },
  'w.backup.lead': {
    'zh-CN': '备份文件用你的口令加密，包含证件、使用记录和设置，但不包含私钥：私钥永远不会离开这台设备。从备份恢复后，证件可以查看，但需要请发证机关重新发证才能出示。',
    en: 'The backup file is encrypted under your passphrase and holds your credentials, activity and settings — but no private key: those never leave this device. After a restore the credentials can be seen, but must be issued again before they can be shown to anyone.',
  },
  'w.backup.passphrase': { 'zh-CN': '输入口令以生成备份', en: 'Your passphrase, to make the backup' },
  'w.backup.make': { 'zh-CN': '生成备份文件', en: 'Make a backup file' },
  'w.backup.busy': { 'zh-CN': '正在加密…', en: 'Encrypting…' },
  'w.backup.ready': { 'zh-CN': '备份文件已生成：', en: 'The backup file is ready:' },
  'w.backup.download': { 'zh-CN': '下载 {name}', en: 'Download {name}' },
  'w.restore.title': { 'zh-CN': '从备份恢复', en: 'Restore from a backup' },
  'w.restore.file': { 'zh-CN': '备份文件', en: 'Backup file' },
  'w.restore.passphrase': { 'zh-CN': '备份时使用的口令', en: 'The passphrase of the backup' },
  'w.restore.hint': { 'zh-CN': '恢复后，这个口令就是钱包的口令。', en: 'After the restore this passphrase unlocks the wallet.' },
  'w.restore.submit': { 'zh-CN': '恢复', en: 'Restore' },
  'w.restore.busy': { 'zh-CN': '正在恢复…', en: 'Restoring…' },
  'w.restore.nofile': { 'zh-CN': '请选择备份文件。', en: 'Choose the backup file.' },
  'w.restore.done': { 'zh-CN': '已恢复 {n} 份证件副本和 {m} 条使用记录。', en: 'Restored {n} {n|copy|copies} of credentials and {m} activity {m|entry|entries}.' },
  'w.rebind.title': { 'zh-CN': '需要重新发证', en: 'Needs to be issued again' },
  'w.rebind.lead': {
    'zh-CN': '这张证件是从备份恢复的。它绑定的密钥留在了原来的设备上，所以现在只能查看，不能出示。请带上身份证明到发证机关（或在其网站上）申请重新发证，新证件会绑定这台设备上的新密钥。',
    en: 'This credential came from a backup. The keys it is bound to stayed on the old device, so it can be seen here but not shown to anyone. Ask the issuing office (at its counter or on its website) to issue it again; the new one will be bound to new keys on this device.',
  },
  'w.card.rebind': { 'zh-CN': '需要重新发证', en: 'Issue again to use' },
  'w.problem.code': { 'zh-CN': '错误代码', en: 'Error code' },
  'w.problem.detail': { 'zh-CN': '技术细节', en: 'Technical detail' },

  'error.ERR_WALLET_VAULT_INVALID': { 'zh-CN': '钱包的加密记录已损坏，无法打开。', en: 'The wallet\'s encrypted record is damaged and cannot be opened.' },
  'error.ERR_WALLET_PASSPHRASE_WRONG': { 'zh-CN': '口令不对。', en: 'That passphrase does not open this wallet.' },
  'error.ERR_WALLET_THROTTLED': { 'zh-CN': '口令错误次数过多，请稍后再试。', en: 'Too many wrong passphrases; wait a little, then try again.' },
  'error.ERR_WALLET_PASSKEY_REFUSED': { 'zh-CN': '这个通行密钥不能解锁本钱包。', en: 'This passkey does not unlock this wallet.' },
  'error.ERR_WALLET_RECORD_INVALID': { 'zh-CN': '钱包中的一条记录无法解密：它可能被改动过。', en: 'A record in the wallet does not decrypt: it may have been changed.' },
  'error.ERR_WALLET_OFFER_INVALID': { 'zh-CN': '这不是可以领取的证件链接。', en: 'This is not an offer link the wallet can take.' },
  'error.ERR_WALLET_ISSUER_UNREACHABLE': { 'zh-CN': '无法连接发证机关（是否离线？）。', en: 'The issuing office cannot be reached (offline?).' },
  'error.ERR_WALLET_ISSUANCE_REFUSED': {
    'zh-CN': '发证机关拒绝了这次领取（链接可能已用过或已过期，或交易码不对）。',
    en: 'The issuing office refused (the offer may be used up or expired, or the transaction code is wrong).',
  },
  'error.ERR_WALLET_TX_CODE_NEEDED': { 'zh-CN': '请输入工作人员告诉你的交易码。', en: 'Enter the transaction code the official told you.' },
  'error.ERR_WALLET_CREDENTIAL_INVALID': {
    'zh-CN': '收到的证件没有通过核验，钱包没有保存它。',
    en: 'The credential received did not pass the checks; the wallet did not keep it.',
  },
  'error.ERR_WALLET_BACKUP_INVALID': { 'zh-CN': '这不是公民钱包的备份文件，或者文件已损坏。', en: 'This is not a Civic Wallet backup file, or the file is damaged.' },
  'error.ERR_STORE_UNAVAILABLE': { 'zh-CN': '这台设备的浏览器存储无法使用。', en: 'The browser storage on this device cannot be used.' },
  'error.ERR_STORE_QUOTA': {
    'zh-CN': '这台设备的存储空间已满，什么都没有写入。请腾出空间；如果正在领取证件，请向发证机关要一个新链接。',
    en: 'The storage on this device is full; nothing was written. Free some space; if you were receiving a credential, ask the office for a new offer.',
  },
  'error.ERR_TRUST_CONFIG': { 'zh-CN': '账本副本还没有打开。', en: 'The ledger copy is not open yet.' },
} as const satisfies Record<string, Entry>

export type WalletKey = keyof typeof walletStrings

export type WalletCode = CodesWithPrefix<'ERR_WALLET_'> | CodesWithPrefix<'ERR_STORE_'> | 'ERR_TRUST_CONFIG'

/** The text of every code the wallet's screens can meet: total, so a new ERR_WALLET_ code without a text is a type error. */
export const WALLET_ERROR_TEXT: Readonly<Record<WalletCode, WalletKey>> = {
  ERR_WALLET_VAULT_INVALID: 'error.ERR_WALLET_VAULT_INVALID',
  ERR_WALLET_PASSPHRASE_WRONG: 'error.ERR_WALLET_PASSPHRASE_WRONG',
  ERR_WALLET_THROTTLED: 'error.ERR_WALLET_THROTTLED',
  ERR_WALLET_PASSKEY_REFUSED: 'error.ERR_WALLET_PASSKEY_REFUSED',
  ERR_WALLET_RECORD_INVALID: 'error.ERR_WALLET_RECORD_INVALID',
  ERR_WALLET_OFFER_INVALID: 'error.ERR_WALLET_OFFER_INVALID',
  ERR_WALLET_ISSUER_UNREACHABLE: 'error.ERR_WALLET_ISSUER_UNREACHABLE',
  ERR_WALLET_ISSUANCE_REFUSED: 'error.ERR_WALLET_ISSUANCE_REFUSED',
  ERR_WALLET_TX_CODE_NEEDED: 'error.ERR_WALLET_TX_CODE_NEEDED',
  ERR_WALLET_CREDENTIAL_INVALID: 'error.ERR_WALLET_CREDENTIAL_INVALID',
  ERR_WALLET_BACKUP_INVALID: 'error.ERR_WALLET_BACKUP_INVALID',
  ERR_STORE_UNAVAILABLE: 'error.ERR_STORE_UNAVAILABLE',
  ERR_STORE_QUOTA: 'error.ERR_STORE_QUOTA',
  ERR_TRUST_CONFIG: 'error.ERR_TRUST_CONFIG',
}
