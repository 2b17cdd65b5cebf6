/**
 * The camera's own strings (the QR scanner every role opens), zh-CN and en. What the person
 * should hold in view, and what to do instead when there is no camera, are the caller's: they
 * differ between the wallet (an office's code, or paste the link) and the counter (a citizen's
 * answer, or open a picture of it).
 */
import type { Entry } from './strings.ts'

export const cameraStrings = {
  'cam.video': { 'zh-CN': '相机画面', en: 'Camera view' },
  'cam.starting': { 'zh-CN': '正在打开相机…', en: 'Opening the camera…' },
  'cam.denied': { 'zh-CN': '没有获得使用相机的许可。你可以在浏览器设置中允许。', en: 'The camera was not allowed. You can allow it in the browser\'s settings.' },
  'cam.none': { 'zh-CN': '这台设备上找不到相机。', en: 'This device has no camera.' },
  'cam.failed': { 'zh-CN': '相机无法使用。', en: 'The camera could not be used.' },
  'cam.file.none': { 'zh-CN': '这张图片里没有找到二维码。', en: 'No QR code was found in that picture.' },
  'cam.file.unreadable': { 'zh-CN': '这个文件打不开，或者不是图片。', en: 'That file cannot be opened, or is not a picture.' },
  'cam.close': { 'zh-CN': '关闭相机', en: 'Close the camera' },
} as const satisfies Record<string, Entry>
