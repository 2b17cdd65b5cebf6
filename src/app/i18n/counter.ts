/**
 * The service counter's strings, zh-CN and en, and the plain words for every reason a verdict
 * can give. Imported only by the counter's components. Every ERR_EXCH_ and ERR_QR_ code has its
 * text (a total table: a new code without one is a type error); status and the credential's own
 * refusals are named too; anything else is shown as "could not be verified" with its code.
 */
import type { ErrorCode } from '../../core/errors.ts'
import type { Entry } from './strings.ts'
import type { CodesWithPrefix } from './text.ts'

export const counterStrings = {
  'c.opening': { 'zh-CN': '正在打开本窗口…', en: 'Opening this counter…' },
  'c.failed': { 'zh-CN': '无法打开本窗口：', en: 'This counter could not be opened:' },
  'c.retry': { 'zh-CN': '重试', en: 'Try again' },
  'c.code': { 'zh-CN': '代码', en: 'Code' },
  'c.detail': { 'zh-CN': '技术细节', en: 'Technical detail' },

  'c.unenrolled.title': { 'zh-CN': '这台设备还不是登记过的窗口', en: 'This device is not an enrolled counter yet' },
  'c.unenrolled.lead': {
    'zh-CN': '窗口设备要由它所属的核验机构登记后才能发出核验请求。请打开机构给你的登记链接。',
    en: 'A counter device must be enrolled by its verifier before it can ask citizens for anything. Open the enrolment link your office gave you.',
  },
  'c.enrolling': { 'zh-CN': '正在向核验机构登记这台设备…', en: 'Enrolling this device with its verifier…' },
  'c.enrol.refused': { 'zh-CN': '登记没有成功：', en: 'The enrolment did not succeed:' },
  'c.enrol.again': { 'zh-CN': '用这个链接登记', en: 'Enrol with this link' },

  'c.header.counter': { 'zh-CN': '窗口', en: 'Counter' },
  'c.header.until': { 'zh-CN': '登记有效至', en: 'Enrolled until' },
  'c.header.retention': { 'zh-CN': '本窗口不保存任何个人信息。', en: 'This counter keeps no personal data.' },
  'c.ledger.never': { 'zh-CN': '本窗口还没有同步过公共账本。', en: 'This counter has not synced the public ledger yet.' },
  'c.ledger.synced': { 'zh-CN': '公共账本副本同步于', en: 'Ledger copy synced' },
  'c.ledger.sync': { 'zh-CN': '同步账本', en: 'Sync the ledger' },
  'c.ledger.syncing': { 'zh-CN': '正在同步…', en: 'Syncing…' },
  'c.purposes.title': { 'zh-CN': '选择这次要核验的事项', en: 'Choose what to check' },
  'c.purposes.claims': { 'zh-CN': '会请求：', en: 'Asks for: ' },
  'c.purposes.ask': { 'zh-CN': '显示请求二维码', en: 'Show the request QR code' },

  'c.request.title': { 'zh-CN': '请市民用钱包扫描这个二维码', en: 'Ask the citizen to scan this with their wallet' },
  'c.request.qr': { 'zh-CN': '核验请求二维码', en: 'Request QR code' },
  'c.request.expires': { 'zh-CN': '请求将在 {m} 分 {s} 秒后失效', en: 'The request expires in {m} min {s} s' },
  'c.request.expired': { 'zh-CN': '请求已失效，请重新发起。', en: 'The request has expired; start again.' },
  'c.request.scan': { 'zh-CN': '扫描市民的回答', en: 'Scan the citizen\'s answer' },
  'c.request.scanHint': { 'zh-CN': '把市民手机上的回答二维码放进画面中。', en: 'Hold the answer QR code on the citizen\'s phone in view.' },
  'c.request.scanFallback': { 'zh-CN': '也可以打开回答二维码的图片。', en: 'You can also open a picture of the answer QR code.' },
  'c.request.file': { 'zh-CN': '打开二维码图片', en: 'Open a picture of the QR code' },
  'c.request.progress': { 'zh-CN': '已读取 {n} / {m} 个二维码', en: 'Read {n} of {m} QR codes' },
  'c.request.cancel': { 'zh-CN': '取消这次请求', en: 'Cancel this request' },

  'c.verdict.accepted': { 'zh-CN': '核验通过', en: 'Verified' },
  'c.verdict.refused': { 'zh-CN': '核验未通过', en: 'Not verified' },
  'c.verdict.unknown': { 'zh-CN': '无法确认证件状态', en: 'Status could not be established' },
  'c.verdict.unknownLead': {
    'zh-CN': '证件本身核验无误，但本窗口没有足够新的状态数据来确认它没有被吊销。请联网同步后再试，或请市民附上状态证明。',
    en: 'The credential itself verifies, but this counter holds no status data recent enough to show it has not been revoked. Sync when online and try again, or ask the citizen to attach the status proof.',
  },
  'c.verdict.purpose': { 'zh-CN': '事项', en: 'Purpose' },
  'c.verdict.claims': { 'zh-CN': '市民出示的信息', en: 'What the citizen showed' },
  'c.verdict.issuer': { 'zh-CN': '签发机构', en: 'Issued by' },
  'c.verdict.issuerUnknown': { 'zh-CN': '（账本登记中没有）', en: '(not in the ledger registry)' },
  'c.verdict.status': { 'zh-CN': '证件状态', en: 'Status' },
  'c.verdict.status.valid': { 'zh-CN': '有效', en: 'Valid' },
  'c.verdict.status.invalid': { 'zh-CN': '已吊销', en: 'Revoked' },
  'c.verdict.status.suspended': { 'zh-CN': '已暂停', en: 'Suspended' },
  'c.verdict.status.unknown': { 'zh-CN': '未知', en: 'Unknown' },
  'c.verdict.status.none': { 'zh-CN': '这类证件没有状态列表', en: 'This credential has no status list' },
  'c.verdict.statusAge': { 'zh-CN': '状态数据来自 {age}', en: 'Status data from {age}' },
  'c.verdict.stapled': { 'zh-CN': '（由市民附上，已用账本核验）', en: '(attached by the citizen, checked against the ledger)' },
  'c.verdict.why': { 'zh-CN': '原因', en: 'Why' },
  'c.verdict.close': { 'zh-CN': '完成并清除这些信息', en: 'Done — forget these details' },
  'c.verdict.closeHint': { 'zh-CN': '关闭后，本窗口只保留一条不含个人信息的记录。', en: 'Once closed, this counter keeps only a record without personal data.' },

  'c.receipt.title': { 'zh-CN': '请市民扫描回执', en: 'Let the citizen scan the receipt' },
  'c.receipt.lead': {
    'zh-CN': '回执由本窗口签名，写明了谁、为什么、看了哪些项目以及结果，不含任何具体信息。市民的钱包会把它存进自己的记录。',
    en: 'The receipt is signed by this counter: who asked, why, which items were seen and the result — no values. The citizen\'s wallet keeps it in its log.',
  },
  'c.receipt.qr': { 'zh-CN': '回执二维码', en: 'Receipt QR code' },
  'c.receipt.next': { 'zh-CN': '下一位', en: 'Next citizen' },

  'c.audit.title': { 'zh-CN': '核验记录', en: 'Audit records' },
  'c.audit.lead': { 'zh-CN': '每次核验的时间、事项、证件类型和结果，由本窗口签名，不含个人信息。', en: 'Time, purpose, credential type and result of each check, signed by this counter, without personal data.' },
  'c.audit.export': { 'zh-CN': '导出核验记录', en: 'Export audit records' },
  'c.audit.download': { 'zh-CN': '下载 civic-counter-audit.jsonl', en: 'Download civic-counter-audit.jsonl' },

  'c.claim.name': { 'zh-CN': '姓名', en: 'Name' },
  'c.claim.family_name': { 'zh-CN': '姓', en: 'Family name' },
  'c.claim.given_name': { 'zh-CN': '名', en: 'Given name' },
  'c.claim.birth_date': { 'zh-CN': '出生日期', en: 'Date of birth' },
  'c.claim.age_over_18': { 'zh-CN': '已满 18 周岁', en: 'Aged 18 or over' },
  'c.claim.age_over_60': { 'zh-CN': '已满 60 周岁', en: 'Aged 60 or over' },
  'c.claim.insured_since': { 'zh-CN': '参保起始日期', en: 'Insured since' },
  'c.claim.contribution_city': { 'zh-CN': '缴费城市', en: 'City of contributions' },
  'c.claim.city': { 'zh-CN': '城市', en: 'City' },
  'c.claim.district': { 'zh-CN': '区', en: 'District' },
  'c.yes': { 'zh-CN': '是', en: 'Yes' },
  'c.no': { 'zh-CN': '否', en: 'No' },

  'error.exchange': { 'zh-CN': '这份回答无法核验。', en: 'This answer could not be verified.' },
  'error.ERR_QR_FRAME_MALFORMED': { 'zh-CN': '扫到的不是市民钱包的回答二维码。', en: 'That QR code is not a wallet\'s answer.' },
  'error.ERR_QR_FRAME_TOO_LARGE': { 'zh-CN': '这个二维码太大，不是有效的回答。', en: 'That QR code is too large to be an answer.' },
  'error.ERR_QR_FRAME_FOREIGN': { 'zh-CN': '这个二维码属于另一份回答。请只扫描同一部手机上的二维码。', en: 'That QR code belongs to another answer. Scan only the codes on one phone.' },
  'error.ERR_QR_FRAMES_INCOMPLETE': { 'zh-CN': '还有二维码没有扫到。', en: 'Some of the answer\'s QR codes have not been read yet.' },
  'error.ERR_QR_INTEGRITY': { 'zh-CN': '扫到的二维码拼不成完整的回答，请重新扫描。', en: 'The codes read do not make up one whole answer; scan them again.' },
  'error.ERR_EXCH_PACK_INVALID': { 'zh-CN': '回答的内容已损坏。', en: 'The answer\'s contents are damaged.' },
  'error.ERR_EXCH_JWE_INVALID': { 'zh-CN': '回答的加密方式不被接受。', en: 'The answer is not encrypted in the accepted way.' },
  'error.ERR_EXCH_JWE_DECRYPT': { 'zh-CN': '这份回答不是对本窗口这次请求的回答，或者已被改动。', en: 'This answer is not for this counter\'s request, or it was changed.' },
  'error.ERR_EXCH_REQUEST_INVALID': { 'zh-CN': '请求无效。', en: 'The request is not valid.' },
  'error.ERR_EXCH_REQUEST_EXPIRED': { 'zh-CN': '回答来得太晚：请求已经失效。请重新发起。', en: 'The answer came too late: the request had expired. Start again.' },
  'error.ERR_EXCH_REQUEST_LIFETIME': { 'zh-CN': '请求的有效期超过了五分钟。', en: 'The request was valid for more than five minutes.' },
  'error.ERR_EXCH_ATTESTATION_INVALID': { 'zh-CN': '窗口登记凭证无效或已过期。请重新登记这台设备。', en: 'The counter\'s enrolment is not valid or has expired. Enrol this device again.' },
  'error.ERR_EXCH_COUNTER_UNENROLLED': { 'zh-CN': '这台设备没有登记为这个事项的窗口。', en: 'This device is not enrolled as a counter for this purpose.' },
  'error.ERR_EXCH_PURPOSE_UNKNOWN': { 'zh-CN': '核验机构没有在账本上登记这个事项。', en: 'The verifier has not registered this purpose on the ledger.' },
  'error.ERR_EXCH_PURPOSE_RETAINS': { 'zh-CN': '这个事项登记为要保留信息，窗口核验不能用于它：窗口不保留任何信息。', en: 'This purpose is registered as keeping data, so no counter may ask for it: counters keep nothing.' },
  'error.ERR_EXCH_OVERASKING': { 'zh-CN': '请求超出了登记的范围。', en: 'The request goes beyond what is registered.' },
  'error.ERR_EXCH_DCQL_INVALID': { 'zh-CN': '请求的格式不被接受。', en: 'The request is not in an accepted form.' },
  'error.ERR_EXCH_NONCE_UNKNOWN': { 'zh-CN': '这份回答对应的请求不是本窗口发出的，或者本页面重新加载过。请重新发起请求。', en: 'This answer is for a request this counter did not make, or the page was reloaded since. Start again.' },
  'error.ERR_EXCH_REPLAY': { 'zh-CN': '这份回答已经用过一次。每份回答只能使用一次。', en: 'This answer was used already. An answer counts once.' },
  'error.ERR_EXCH_CLAIM_MISSING': { 'zh-CN': '回答缺少这个事项必须的信息。', en: 'The answer leaves out something this purpose needs.' },
  'error.ERR_EXCH_CLAIM_UNASKED': { 'zh-CN': '回答包含了没有请求的信息，因此不被接受。', en: 'The answer shows more than was asked for, so it is not accepted.' },
  'error.ERR_EXCH_STAPLE_INVALID': { 'zh-CN': '回答附带的状态证明无效。', en: 'The status proof attached to the answer is not valid.' },
  'error.ERR_EXCH_RECEIPT_INVALID': { 'zh-CN': '回执无效。', en: 'The receipt is not valid.' },
  'error.ERR_EXCH_RECEIPT_MISMATCH': { 'zh-CN': '回执属于另一次请求。', en: 'The receipt is for another request.' },
  'error.ERR_VERIFIER_ENROLMENT': { 'zh-CN': '这个登记链接无效、已经用过或已过期。请向核验机构要一个新的。', en: 'This enrolment link is not valid, was used already or has expired. Ask your verifier for a new one.' },
  'error.ERR_VERIFIER_BAD_REQUEST': { 'zh-CN': '登记请求的格式不被核验机构接受。', en: 'The verifier did not accept the form of the enrolment request.' },
  'error.ERR_VERIFIER_FORBIDDEN': { 'zh-CN': '核验机构拒绝了来自这个网址的登记。', en: 'The verifier refused an enrolment from this address.' },
  'error.ERR_STATUS_REVOKED': { 'zh-CN': '签发机构已吊销这张证件。', en: 'The issuer has revoked this credential.' },
  'error.ERR_STATUS_SUSPENDED': { 'zh-CN': '签发机构已暂停这张证件。', en: 'The issuer has suspended this credential.' },
  'error.ERR_STATUS_STALE': { 'zh-CN': '状态数据已过期。', en: 'The status data is out of date.' },
  'error.ERR_STATUS_NOT_ANCHORED': { 'zh-CN': '本窗口没有这张证件经账本证明的状态数据。', en: 'This counter holds no ledger-proven status data for this credential.' },
  'error.ERR_KB_NONCE_MISMATCH': { 'zh-CN': '回答不是针对这次请求的。', en: 'The answer was not made for this request.' },
  'error.ERR_KB_AUD_MISMATCH': { 'zh-CN': '回答是给另一个核验方的。', en: 'The answer was made for another verifier.' },
  'error.ERR_KB_SIGNATURE_INVALID': { 'zh-CN': '回答不是由持证人的设备签名的。', en: 'The answer was not signed by the holder\'s device.' },
  'error.ERR_JWS_SIGNATURE_INVALID': { 'zh-CN': '证件的签名不正确：它可能被伪造或改动过。', en: 'The credential\'s signature is wrong: it may be forged or changed.' },
  'error.ERR_REG_UNKNOWN_ISSUER': { 'zh-CN': '签发机构不在账本登记中。', en: 'The issuer is not in the ledger registry.' },
  'error.ERR_REG_ISSUER_SUSPENDED': { 'zh-CN': '签发机构的资格已被暂停。', en: 'The issuer\'s accreditation is suspended.' },
  'error.ERR_TIME_EXPIRED': { 'zh-CN': '证件已过期。', en: 'The credential has expired.' },
} as const satisfies Record<string, Entry>

export type CounterKey = keyof typeof counterStrings
type ExchangeCode = CodesWithPrefix<'ERR_EXCH_'> | CodesWithPrefix<'ERR_QR_'>

const EXCHANGE_TEXT: Readonly<Record<ExchangeCode, CounterKey>> = {
  ERR_QR_FRAME_MALFORMED: 'error.ERR_QR_FRAME_MALFORMED',
  ERR_QR_FRAME_TOO_LARGE: 'error.ERR_QR_FRAME_TOO_LARGE',
  ERR_QR_FRAME_FOREIGN: 'error.ERR_QR_FRAME_FOREIGN',
  ERR_QR_FRAMES_INCOMPLETE: 'error.ERR_QR_FRAMES_INCOMPLETE',
  ERR_QR_INTEGRITY: 'error.ERR_QR_INTEGRITY',
  ERR_EXCH_PACK_INVALID: 'error.ERR_EXCH_PACK_INVALID',
  ERR_EXCH_JWE_INVALID: 'error.ERR_EXCH_JWE_INVALID',
  ERR_EXCH_JWE_DECRYPT: 'error.ERR_EXCH_JWE_DECRYPT',
  ERR_EXCH_REQUEST_INVALID: 'error.ERR_EXCH_REQUEST_INVALID',
  ERR_EXCH_REQUEST_EXPIRED: 'error.ERR_EXCH_REQUEST_EXPIRED',
  ERR_EXCH_REQUEST_LIFETIME: 'error.ERR_EXCH_REQUEST_LIFETIME',
  ERR_EXCH_ATTESTATION_INVALID: 'error.ERR_EXCH_ATTESTATION_INVALID',
  ERR_EXCH_COUNTER_UNENROLLED: 'error.ERR_EXCH_COUNTER_UNENROLLED',
  ERR_EXCH_PURPOSE_UNKNOWN: 'error.ERR_EXCH_PURPOSE_UNKNOWN',
  ERR_EXCH_PURPOSE_RETAINS: 'error.ERR_EXCH_PURPOSE_RETAINS',
  ERR_EXCH_OVERASKING: 'error.ERR_EXCH_OVERASKING',
  ERR_EXCH_DCQL_INVALID: 'error.ERR_EXCH_DCQL_INVALID',
  ERR_EXCH_NONCE_UNKNOWN: 'error.ERR_EXCH_NONCE_UNKNOWN',
  ERR_EXCH_REPLAY: 'error.ERR_EXCH_REPLAY',
  ERR_EXCH_CLAIM_MISSING: 'error.ERR_EXCH_CLAIM_MISSING',
  ERR_EXCH_CLAIM_UNASKED: 'error.ERR_EXCH_CLAIM_UNASKED',
  ERR_EXCH_STAPLE_INVALID: 'error.ERR_EXCH_STAPLE_INVALID',
  ERR_EXCH_RECEIPT_INVALID: 'error.ERR_EXCH_RECEIPT_INVALID',
  ERR_EXCH_RECEIPT_MISMATCH: 'error.ERR_EXCH_RECEIPT_MISMATCH',
}

/** The counter's text for every code its verdicts and screens can give (others: `error.exchange` with the code). */
export const COUNTER_ERROR_TEXT: Readonly<Partial<Record<ErrorCode, CounterKey>>> = {
  ...EXCHANGE_TEXT,
  ERR_VERIFIER_ENROLMENT: 'error.ERR_VERIFIER_ENROLMENT',
  ERR_VERIFIER_BAD_REQUEST: 'error.ERR_VERIFIER_BAD_REQUEST',
  ERR_VERIFIER_FORBIDDEN: 'error.ERR_VERIFIER_FORBIDDEN',
  ERR_STATUS_REVOKED: 'error.ERR_STATUS_REVOKED',
  ERR_STATUS_SUSPENDED: 'error.ERR_STATUS_SUSPENDED',
  ERR_STATUS_STALE: 'error.ERR_STATUS_STALE',
  ERR_STATUS_NOT_ANCHORED: 'error.ERR_STATUS_NOT_ANCHORED',
  ERR_KB_NONCE_MISMATCH: 'error.ERR_KB_NONCE_MISMATCH',
  ERR_KB_AUD_MISMATCH: 'error.ERR_KB_AUD_MISMATCH',
  ERR_KB_SIGNATURE_INVALID: 'error.ERR_KB_SIGNATURE_INVALID',
  ERR_JWS_SIGNATURE_INVALID: 'error.ERR_JWS_SIGNATURE_INVALID',
  ERR_REG_UNKNOWN_ISSUER: 'error.ERR_REG_UNKNOWN_ISSUER',
  ERR_REG_ISSUER_SUSPENDED: 'error.ERR_REG_ISSUER_SUSPENDED',
  ERR_TIME_EXPIRED: 'error.ERR_TIME_EXPIRED',
}

/** A claim path's label in the counter's strings (its last segment), else the path itself. */
export function counterClaimLabel(path: string, t: (key: CounterKey) => string): string {
  const key = `c.claim.${path.split('.').at(-1)}` as CounterKey
  return Object.hasOwn(counterStrings, key) ? t(key) : path
}
