import { html, nothing, type PropertyValues } from 'lit';
import { MeshError, type FileTransfer, type RoomMessage } from '../../core/index.js';
import type { MeshEvent, ReconnectedDetail } from '../events.js';
import type { ChatFile } from './chat-file.js';
import type { MeshRoomApi } from '../shared/room-api.js';
import { RoomBoundElement } from '../shared/room-bound-element.js';
import { langOf } from '../shared/strings.js';
import { styles } from './mesh-chat.styles.js';

/** A chat message as `<mesh-chat>` shows it. */
export interface ChatMessage {
  id: string;
  from: string;
  name: string;
  text: string;
  /** Sender's clock, ms since the Unix epoch. */
  at: number;
  self: boolean;
  /** True until the relay has stored our own message. */
  pending: boolean;
}

/** The attach icon, drawn (an emoji would depend on the page's fonts). */
const PAPERCLIP = html`<svg aria-hidden="true" width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M21 11.5l-8.6 8.6a5 5 0 0 1-7.1-7.1l8.6-8.6a3.3 3.3 0 0 1 4.7 4.7l-8.6 8.6a1.7 1.7 0 0 1-2.4-2.4l7.9-7.9"/></svg>`;

/** Longest chat text accepted from the composer, characters. */
const MAX_TEXT = 4000;
/** Messages kept on screen. */
const MAX_SHOWN = 500;
/** How long a notice stays, ms. */
const NOTICE_MS = 8000;

const isChat = (data: unknown): data is { type: 'chat'; text: string } =>
  typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'chat' && typeof (data as { text?: unknown }).text === 'string';

/**
 * Chat for a `<mesh-room>`: a message log and a composer. Attaches to the nearest `<mesh-room>`
 * ancestor, or to the one whose id its `for` attribute names. Names and messages are always
 * rendered as text, never as HTML. Files are sent with the attach button, by dropping them on
 * the chat or by pasting them; they appear in the log with progress, accept/decline, cancel
 * and, once their SHA-256 digest checked out, a download link.
 *
 * @summary Chat for a mesh room.
 * @tag mesh-chat
 *
 * @attr for - Id of the `<mesh-room>` to attach to (default: the nearest ancestor).
 *
 * @slot header - Shown above the log.
 * @slot empty - Shown while there are no messages.
 *
 * @csspart base - The wrapper.
 * @csspart log - The scrolling message area (`role="log"`, a polite live region).
 * @csspart list - The list of messages inside it.
 * @csspart message - One message (also `message-self` on our own).
 * @csspart name - The sender's name.
 * @csspart time - The time a message was sent.
 * @csspart text - The message text.
 * @csspart status - "sending…" on our messages until the relay stored them.
 * @csspart empty - The empty-state line.
 * @csspart notice - A short notice (reconnected, messages caught up or lost, errors).
 * @csspart composer - The form with the input and the button.
 * @csspart input - The text area.
 * @csspart send-button - The send button.
 * @csspart attach-button - The button that picks files to send.
 * @csspart file - A file entry in the log (also `message`).
 * @csspart file-name - Its name.
 * @csspart file-size - Its size.
 * @csspart file-progress - The progress bar while it moves.
 * @csspart file-status - Speed and time left, or how it ended.
 * @csspart file-button - Accept, decline and cancel buttons (also `accept-button`, `cancel-button`).
 * @csspart file-download - The download link of a received file.
 * @csspart drop-zone - The overlay shown while files are dragged over the chat.
 *
 * @cssprop --mesh-chat-height - Height of the message log. Default 20rem.
 * @cssprop --mesh-color-surface - Background of messages.
 * @cssprop --mesh-color-accent - Colour of the send button.
 */
export class MeshChatElement extends RoomBoundElement {
  static override styles = styles;
  static override properties = {
    messages: { attribute: false },
    files: { attribute: false },
    dragging: { state: true },
  };

  /** Messages shown, oldest first. */
  declare messages: ChatMessage[];
  /** Files sent and offered in the room, oldest first. */
  declare files: ChatFile[];
  declare private dragging: boolean;
  /** The notice shown, if any (rendered on change through requestUpdate). */
  #notice = '';

  /** The file entries' view, loaded with the first file (a chat without files never needs it). */
  #fileView: typeof import('./chat-file.js') | null = null;
  #fileViewLoading: Promise<void> | null = null;
  #noticeTimer: ReturnType<typeof setTimeout> | undefined;
  #stickToBottom = true;
  /** Re-renders relative times ("2 minutes ago") while the chat is shown. */
  #clockTimer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.for = '';
    this.messages = [];
    this.files = [];
    this.dragging = false;
    this.strings = null;
    type E<T> = MeshEvent<T>;
    const onFile = (e: Event) => this.#onFile((e as E<FileTransfer>).detail.id);
    this.roomEvents = {
      'mesh-message': (e) => this.#onMessage((e as E<RoomMessage>).detail),
      'mesh-acked': (e) => this.#onAcked((e as E<{ id: string }>).detail.id),
      'mesh-reconnected': (e) => {
        const d = (e as E<ReconnectedDetail>).detail;
        const s = this.s;
        this.#showNotice([s.caughtUp(d.missed), d.lost > 0 ? s.lost(d.lost) : '', d.relayRestarted ? s.relayRestarted : ''].filter(Boolean).join(' '));
      },
      'mesh-messages-lost': (e) => this.#showNotice(this.s.lost((e as E<{ count: number }>).detail.count)),
      'mesh-relay-status': (e) => {
        // While the relay is away, say so until it is back (messages still reach peers directly).
        if (!(e as E<{ reachable: boolean }>).detail.reachable) this.#showNotice(this.s.relayUnavailable, true);
        else if (this.#notice === this.s.relayUnavailable) this.#showNotice('');
      },
      'mesh-state-change': () => this.requestUpdate(),
      'mesh-file-offer': onFile,
      'mesh-file-update': onFile,
      'mesh-file-received': (e) => {
        const { transfer, blob } = (e as E<{ transfer: FileTransfer; blob: Blob }>).detail;
        this.#onFile(transfer.id, URL.createObjectURL(blob));
      },
    };
  }

  protected override roomChanged(room: MeshRoomApi | null): void {
    if (room) for (const m of room.history) this.#onMessage(m);
  }

  /** Sends `text` as a chat message. Throws a `MeshError` when it cannot be sent. */
  send(text: string): void {
    const room = this.room;
    const trimmed = text.trim();
    if (!trimmed) return;
    if (!room) throw new MeshError('not-connected', 'this chat is not inside a <mesh-room> (or its "for" id matches none)');
    room.send({ type: 'chat', text: trimmed.slice(0, MAX_TEXT) });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#clockTimer = setInterval(() => this.requestUpdate(), 30_000);
  }

  /** Offers files to the room; a refusal (too large, not joined) is shown as a notice. */
  sendFiles(files: Iterable<File>): void {
    const room = this.room;
    for (const file of files) {
      try {
        if (!room) throw new MeshError('not-connected', 'this chat is not inside a <mesh-room>');
        room.sendFile(file);
      } catch (err) {
        const code = (err as MeshError).code;
        this.#showNotice(`${file.name}: ${this.s.errors[code] ?? (err as Error).message}`);
      }
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const f of this.files) if (f.url) URL.revokeObjectURL(f.url);
    clearTimeout(this.#noticeTimer);
    clearInterval(this.#clockTimer);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const log = this.renderRoot.querySelector?.('[part="log"]');
    this.#stickToBottom = !log || log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  }

  protected override updated(): void {
    if (!this.#stickToBottom) return;
    const log = this.renderRoot.querySelector('[part="log"]');
    if (log) log.scrollTop = log.scrollHeight;
  }

  protected override render() {
    const s = this.s;
    const state = this.room?.state;
    const canSend = state === 'connected' || state === 'reconnecting' || state === 'connecting';
    const now = Date.now();
    const room = this.room;
    const entries = [
      ...this.messages.map((m) => ({ at: m.at, view: this.#renderMessage(m, now) })),
      ...this.files.map((f) => ({ at: f.at, view: this.#fileView!.renderFile(f, s, {
        accept: (id) => room?.acceptFile(id), decline: (id) => room?.rejectFile(id), cancel: (id) => room?.cancelFile(id),
      }) })),
    ].sort((a, b) => a.at - b.at);
    return html`<div part="base" @dragover=${this.#onDragOver} @dragleave=${this.#onDragLeave} @drop=${this.#onDrop}>
      <slot name="header"></slot>
      <div part="log" role="log" aria-live="polite" aria-label=${s.chatLog} tabindex="0">
        <p part="empty" ?hidden=${entries.length > 0}><slot name="empty">${s.empty}</slot></p>
        <ol part="list">${entries.map((e) => e.view)}</ol>
      </div>
      <p part="drop-zone" ?hidden=${!this.dragging}>${s.dropFiles}</p>
      <p part="notice" role="status" ?hidden=${!this.#notice}>${this.#notice}</p>
      <form part="composer" @submit=${this.#onSubmit}>
        <label class="visually-hidden" for="input">${s.messageLabel}</label>
        <textarea id="input" part="input" rows="1" maxlength=${MAX_TEXT} placeholder=${s.messageLabel}
          @keydown=${this.#onKeydown} @paste=${this.#onPaste}></textarea>
        <input id="file" type="file" multiple hidden @change=${this.#onPick}>
        <button part="attach-button" type="button" aria-label=${s.attachFile} title=${s.attachFile} ?disabled=${!canSend}
          @click=${() => (this.renderRoot.querySelector('#file') as HTMLInputElement).click()}>${PAPERCLIP}</button>
        <button part="send-button" type="submit" ?disabled=${!canSend}>${s.send}</button>
      </form>
    </div>`;
  }

  #renderMessage(m: ChatMessage, now: number) {
    const s = this.s;
    return html`<li part=${m.self ? 'message message-self' : 'message'}>
      <span part="name">${m.name}</span>
      <time part="time" datetime=${new Date(m.at).toISOString()} title=${new Date(m.at).toLocaleString(langOf(this))}>${s.ago(m.at, now)}</time>
      <span part="text">${m.text}</span>
      ${m.pending ? html`<span part="status">${s.sending}</span>` : nothing}
    </li>`;
  }

  /** Refreshes the entry of file `id` from the room's transfers (once the file view is loaded). */
  #onFile(id: string, url?: string): void {
    const view = this.#fileView;
    if (!view) {
      this.#fileViewLoading ??= import('./chat-file.js').then((m) => { this.#fileView = m; });
      void this.#fileViewLoading.then(() => this.#onFile(id, url));
      return;
    }
    const room = this.room;
    const list = room?.transfers.filter((t) => t.id === id) ?? [];
    if (list.length === 0) return;
    const prev = this.files.find((f) => f.id === id);
    const from = list[0].direction === 'in' ? list[0].peer : '';
    const sender = room?.peers.find((p) => p.id === from)?.name ?? '';
    const entry = view.summarize(list, prev, sender, Date.now());
    if (url) entry.url = url;
    this.files = prev ? this.files.map((f) => (f.id === id ? entry : f)) : [...this.files, entry];
  }

  #onPick(ev: Event): void {
    const input = ev.target as HTMLInputElement;
    if (input.files) this.sendFiles(input.files);
    input.value = '';
  }

  #onPaste(ev: ClipboardEvent): void {
    const files = ev.clipboardData?.files;
    if (!files || files.length === 0) return;
    ev.preventDefault();
    this.sendFiles(files);
  }

  #onDragOver(ev: DragEvent): void {
    if (!ev.dataTransfer?.types.includes('Files')) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = 'copy';
    this.dragging = true;
  }

  #onDragLeave(ev: DragEvent): void {
    if (ev.relatedTarget && this.renderRoot.contains(ev.relatedTarget as Node)) return;
    this.dragging = false;
  }

  #onDrop(ev: DragEvent): void {
    this.dragging = false;
    const files = ev.dataTransfer?.files;
    if (!files || files.length === 0) return;
    ev.preventDefault();
    this.sendFiles(files);
  }

  #onMessage(m: RoomMessage): void {
    if (!m.durable || !isChat(m.data)) return;
    if (this.messages.some((x) => x.id === m.id)) return;
    const pending = m.self && (this.room?.isPending(m.id) ?? false);
    this.messages = [...this.messages, { id: m.id, from: m.from, name: m.name, text: m.data.text, at: m.sentAt, self: m.self, pending }].slice(-MAX_SHOWN);
  }

  #onAcked(id: string): void {
    if (!this.messages.some((m) => m.id === id && m.pending)) return;
    this.messages = this.messages.map((m) => (m.id === id ? { ...m, pending: false } : m));
  }

  /** Shows a notice for a few seconds, or until replaced when `sticky`. */
  #showNotice(text: string, sticky = false): void {
    this.#notice = text;
    this.requestUpdate();
    clearTimeout(this.#noticeTimer);
    if (text && !sticky) this.#noticeTimer = setTimeout(() => this.#showNotice(''), NOTICE_MS);
  }

  #onSubmit(ev: Event): void {
    ev.preventDefault();
    const input = this.renderRoot.querySelector('textarea')!;
    try {
      this.send(input.value);
      input.value = '';
    } catch (err) {
      const code = (err as MeshError).code;
      this.#showNotice(this.s.errors[code] ?? (err as Error).message);
    }
  }

  #onKeydown(ev: KeyboardEvent): void {
    const input = ev.target as HTMLTextAreaElement;
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      input.form?.requestSubmit();
    } else if (ev.key === 'Escape') {
      input.value = '';
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mesh-chat': MeshChatElement;
  }
}
