import { html, nothing } from 'lit';
import type { FileTransfer } from '../../core/index.js';
import { addEnglish, type MeshStrings } from '../shared/strings.js';
import { EN_FILES } from '../i18n/en-files.js';

addEnglish(EN_FILES);

/** A file as `<mesh-chat>` shows it: one entry per offer, summed over its receivers. */
export interface ChatFile {
  id: string;
  name: string;
  size: number;
  type: string;
  /** The sender's name (ours: `self`). */
  sender: string;
  self: boolean;
  /** When it appeared, ms since the epoch. */
  at: number;
  status: FileTransfer['status'];
  bytes: number;
  total: number;
  bytesPerSecond: number | null;
  secondsLeft: number | null;
  /** Why it ended, when it did not arrive. */
  errorCode: string | null;
  /** Receivers of our file, and how many verified it. */
  receivers: number;
  done: number;
  /** Download URL of a received, verified file. */
  url: string | null;
}

const RANK: FileTransfer['status'][] = ['active', 'paused', 'verifying', 'offered', 'done'];

/** Sums the transfers of one file (all ours to several receivers, or the one to us). */
export function summarize(list: FileTransfer[], prev: ChatFile | undefined, sender: string, at: number): ChatFile {
  const first = list[0];
  const status = RANK.find((s) => list.some((t) => t.status === s)) ?? first.status;
  const rates = list.map((t) => t.bytesPerSecond).filter((r): r is number => r !== null);
  const lefts = list.map((t) => t.secondsLeft).filter((r): r is number => r !== null);
  return {
    id: first.id,
    name: first.name,
    size: first.size,
    type: first.type,
    sender,
    self: first.direction === 'out',
    at: prev?.at ?? at,
    status,
    bytes: list.reduce((n, t) => n + t.bytes, 0),
    total: first.size * list.length,
    bytesPerSecond: rates.length ? rates.reduce((a, b) => a + b, 0) : null,
    secondsLeft: lefts.length ? Math.max(...lefts) : null,
    errorCode: status === 'done' ? null : list.find((t) => t.error)?.error?.code ?? null,
    receivers: list.length,
    done: list.filter((t) => t.status === 'done').length,
    url: prev?.url ?? null,
  };
}

export interface FileActions {
  accept(id: string): void;
  decline(id: string): void;
  cancel(id: string): void;
}

/** One file entry of the chat log; names are text, never HTML. */
export function renderFile(f: ChatFile, s: MeshStrings, act: FileActions) {
  const running = f.status === 'active' || f.status === 'paused' || f.status === 'verifying' || (f.status === 'offered' && f.self);
  const words = f.errorCode ? s.errors[f.errorCode] ?? f.errorCode
    : s.fileStatus({ status: f.status, direction: f.self ? 'out' : 'in', bytesPerSecond: f.bytesPerSecond, secondsLeft: f.secondsLeft, receivers: f.receivers, done: f.done });
  return html`<li part=${f.self ? 'message message-self file' : 'message file'} data-file=${f.id} data-status=${f.status}>
    <span part="name">${f.self ? s.you : f.sender}</span>
    <span part="file-name">${f.name}</span> <span part="file-size">${s.size(f.size)}</span>
    ${running ? html`<progress part="file-progress" max=${f.total || 1} value=${f.bytes} aria-label=${f.name}></progress>` : nothing}
    <span part="file-status">${words}</span>
    ${f.status === 'offered' && !f.self ? html`<button part="file-button accept-button" type="button" @click=${() => act.accept(f.id)}>${s.accept}</button>
      <button part="file-button" type="button" @click=${() => act.decline(f.id)}>${s.decline}</button>` : nothing}
    ${running ? html`<button part="file-button cancel-button" type="button" @click=${() => act.cancel(f.id)}>${s.cancel}</button>` : nothing}
    ${f.url ? html`<a part="file-download" href=${f.url} download=${f.name}>${s.download}</a>` : nothing}
  </li>`;
}
