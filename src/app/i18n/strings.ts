/**
 * The shell's strings (header, navigation, home, what each role is for, status), zh-CN and en
 * side by side. Each role keeps its own table beside it (issuer.ts: the issuer console), so a
 * role's text travels in that role's lazily loaded chunk. Every key carries both languages, so
 * a missing translation is a type error.
 */

export const LOCALES = ['zh-CN', 'en'] as const
export type Locale = (typeof LOCALES)[number]

/** One string in every language. */
export type Entry = Readonly<Record<Locale, string>>

export const strings = {
  'app.name': { 'zh-CN': '公民钱包', en: 'Civic Wallet' },
  'app.tagline': {
    'zh-CN': '证件留在你的设备上，出示什么由你决定。',
    en: 'Your credentials stay on your device. You choose what to show.',
  },
  'app.skip': { 'zh-CN': '跳到主要内容', en: 'Skip to content' },

  'lang.switchTo': { 'zh-CN': 'English', en: '中文' },
  'lang.switchLabel': { 'zh-CN': '切换到英文', en: 'Switch to Chinese' },

  'nav.label': { 'zh-CN': '角色', en: 'Roles' },
  'nav.home': { 'zh-CN': '首页', en: 'Home' },
  'nav.short.wallet': { 'zh-CN': '钱包', en: 'Wallet' },
  'nav.short.counter': { 'zh-CN': '窗口', en: 'Counter' },
  'nav.short.issuer': { 'zh-CN': '签发', en: 'Issuer' },
  'nav.short.explorer': { 'zh-CN': '账本', en: 'Ledger' },

  'home.title': { 'zh-CN': '选择你的角色', en: 'Choose your role' },
  'home.lead': {
    'zh-CN': '公民钱包在浏览器中运行，离线也能使用。请选择你要做的事。',
    en: 'Civic Wallet runs in your browser and keeps working offline. Pick what you are here to do.',
  },

  'role.placeholder': {
    'zh-CN': '此页面尚在建设中。它将提供以下功能：',
    en: 'This screen is still being built. Here is what it will do:',
  },
  'role.back': { 'zh-CN': '返回全部角色', en: 'Back to all roles' },

  'screen.loading': { 'zh-CN': '正在打开…', en: 'Opening…' },
  'screen.failed.title': { 'zh-CN': '这个页面暂时打不开', en: 'This screen could not be opened' },
  'screen.failed.body': {
    'zh-CN': '页面的程序文件没有下载成功。请稍后重试。',
    en: "The screen's program file did not arrive. Please try again in a moment.",
  },
  'screen.failed.offline': {
    'zh-CN': '你已离线，而这个页面还没有保存到本设备上供离线使用。请联网后重试。',
    en: 'You are offline, and this screen has not yet been saved on this device for offline use. Try again once you are online.',
  },
  'screen.retry': { 'zh-CN': '重试', en: 'Try again' },

  'wallet.title': { 'zh-CN': '我的钱包', en: 'My wallet' },
  'wallet.audience': { 'zh-CN': '面向公民', en: 'For citizens' },
  'wallet.summary': {
    'zh-CN': '在本设备上保管密钥和证件，只出示请求所需的信息。',
    en: 'Keep your keys and credentials on this device and share only what a request needs.',
  },
  'wallet.duty.keep': {
    'zh-CN': '密钥和证件只保存在本设备上，不会上传。',
    en: 'Keeps your keys and credentials on this device. They are never uploaded.',
  },
  'wallet.duty.scan': {
    'zh-CN': '在服务窗口扫描请求二维码，核实是谁在请求、用途是什么。',
    en: 'Scans a request QR code at a service counter and checks who is asking and why.',
  },
  'wallet.duty.choose': {
    'zh-CN': '由你选择出示哪些信息，每一项发出前都会列明。',
    en: 'Lets you choose what to disclose, naming each item before it leaves.',
  },
  'wallet.duty.log': {
    'zh-CN': '记录每一次向谁出示了什么。',
    en: 'Keeps a log of what went to whom.',
  },

  'counter.title': { 'zh-CN': '服务窗口', en: 'Service counter' },
  'counter.audience': { 'zh-CN': '面向窗口工作人员', en: 'For officials at a counter' },
  'counter.summary': {
    'zh-CN': '用二维码请求证明，离线也能得出核验结果。',
    en: 'Ask for proof with a QR code and get a verdict, even offline.',
  },
  'counter.duty.request': {
    'zh-CN': '显示已签名的请求二维码，只用于已登记的用途。',
    en: 'Shows a signed request QR code for a registered purpose.',
  },
  'counter.duty.scan': {
    'zh-CN': '扫描公民出示的回应二维码。',
    en: "Scans the citizen's answer QR code.",
  },
  'counter.duty.verdict': {
    'zh-CN': '无需联网即可给出核验结果及理由。',
    en: 'Gives a verdict with its reasons, with no network needed.',
  },
  'counter.duty.forget': {
    'zh-CN': '核验后不保留任何个人数据，只留存不含个人信息的签名审计记录。',
    en: 'Keeps no personal data afterwards, only a signed audit record without it.',
  },

  'issuer.title': { 'zh-CN': '签发控制台', en: 'Issuer console' },
  'issuer.audience': { 'zh-CN': '面向签发机构', en: 'For issuing offices' },
  'issuer.summary': {
    'zh-CN': '签发和撤销证件，并向账本发布状态锚点。',
    en: 'Issue and revoke credentials and publish status anchors to the ledger.',
  },
  'issuer.duty.issue': {
    'zh-CN': '以一次性副本的形式批量签发证件。',
    en: 'Issues credentials as batches of one-time copies.',
  },
  'issuer.duty.revoke': {
    'zh-CN': '通过状态列表撤销证件。',
    en: 'Revokes credentials through a status list.',
  },
  'issuer.duty.anchor': {
    'zh-CN': '向公共账本发布状态锚点和密钥变更。',
    en: 'Publishes status anchors and key changes to the public ledger.',
  },

  'error.unknown': { 'zh-CN': '发生了意外错误。', en: 'Something unexpected went wrong.' },
  'error.ERR_HTTP_BAD_REQUEST': { 'zh-CN': '服务无法理解这个请求的地址。', en: 'The service could not make sense of the request address.' },
  'error.ERR_HTTP_NOT_FOUND': { 'zh-CN': '服务没有这个地址。', en: 'The service has nothing at this address.' },
  'error.ERR_HTTP_METHOD_NOT_ALLOWED': { 'zh-CN': '服务不接受这种请求。', en: 'The service does not accept this kind of request.' },
  'error.ERR_HTTP_BODY_TOO_LARGE': { 'zh-CN': '发送的内容太大，服务拒绝接收。', en: 'What was sent is too large for the service.' },
  'error.ERR_HTTP_HEADERS_TOO_LARGE': { 'zh-CN': '请求头太大，服务拒绝接收。', en: 'The request headers are too large for the service.' },
  'error.ERR_HTTP_TIMEOUT': { 'zh-CN': '请求没有及时送达，服务已断开连接。请重试。', en: 'The request did not arrive in time and the service closed the connection. Please try again.' },
  'error.ERR_HTTP_INTERNAL': { 'zh-CN': '服务内部出错。请稍后重试。', en: 'The service failed while answering. Please try again later.' },

  'explorer.title': { 'zh-CN': '账本浏览器', en: 'Ledger explorer' },
  'explorer.audience': { 'zh-CN': '面向所有人', en: 'For anyone' },
  'explorer.summary': {
    'zh-CN': '浏览并核验经过见证的公共账本。',
    en: 'Browse and verify the witnessed public ledger.',
  },
  'explorer.duty.browse': {
    'zh-CN': '浏览公共账本的条目：签发方、核验方、状态锚点和密钥变更。',
    en: 'Browses the entries of the public ledger: issuers, verifiers, status anchors and key changes.',
  },
  'explorer.duty.verify': {
    'zh-CN': '用日志公钥和见证方的联署核验每一个检查点。',
    en: "Verifies each checkpoint against the log key and the witnesses' cosignatures.",
  },
  'explorer.duty.nothingPersonal': {
    'zh-CN': '账本只记录机构层面的事实，不含任何公民的信息。',
    en: 'Shows that the ledger holds facts about institutions only, nothing about any citizen.',
  },

  'notFound.title': { 'zh-CN': '页面不存在', en: 'Page not found' },
  'notFound.body': { 'zh-CN': '这个地址没有对应的页面。', en: 'There is no screen at this address.' },

  'status.label': { 'zh-CN': '应用状态', en: 'App status' },
  'status.loading': { 'zh-CN': '正在启动', en: 'Starting' },
  'status.ready': { 'zh-CN': '已启动', en: 'Running' },
  'update.ready': { 'zh-CN': '新版本已就绪。', en: 'A new version is ready.' },
  'update.apply': { 'zh-CN': '重新载入以更新', en: 'Reload to update' },
  'offline.ready': { 'zh-CN': '可离线使用', en: 'Works offline' },
  'offline.pending': { 'zh-CN': '正在准备离线使用…', en: 'Preparing offline use…' },
  'offline.unavailable': { 'zh-CN': '此浏览器无法离线使用', en: 'Offline use is not available in this browser' },
  'network.online': { 'zh-CN': '在线', en: 'Online' },
  'network.offline': { 'zh-CN': '离线', en: 'Offline' },
} as const satisfies Record<string, Entry>

export type StringKey = keyof typeof strings

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
}

export function translate(locale: Locale, key: StringKey): string {
  return strings[key][locale]
}
