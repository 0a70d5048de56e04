import { css } from 'lit';
import { tokens } from '../shared/tokens.js';

export const styles = [
  tokens,
  css`
    :host {
      display: block;
      --mesh-chat-height: 20rem;
    }
    [part='base'] {
      display: flex;
      flex-direction: column;
      gap: var(--_space);
      font: var(--_font);
      color: var(--_text);
      background: var(--_bg);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      padding: var(--_space);
      min-width: 0;
    }
    [part='log'] {
      height: var(--mesh-chat-height);
      overflow-y: auto;
      overflow-x: hidden;
    }
    [part='list'] {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: calc(var(--_space) / 2);
    }
    [part='empty'] {
      margin: 0;
    }
    [part~='message'] {
      padding: calc(var(--_space) / 2) var(--_space);
      border-radius: var(--_radius);
      background: var(--_surface);
      overflow-wrap: anywhere;
      unicode-bidi: isolate;
    }
    [part='text'] {
      display: block;
      white-space: pre-wrap;
      unicode-bidi: isolate;
    }
    [part='name'] {
      font-weight: 600;
      unicode-bidi: isolate;
    }
    [part='time'],
    [part='status'],
    [part='empty'] {
      color: var(--_muted);
      font-size: 0.85em;
    }
    [part='notice'] {
      margin: 0;
      padding: calc(var(--_space) / 2) var(--_space);
      border-left: 3px solid var(--_warning);
      color: var(--_text);
      background: var(--_surface);
      font-size: 0.9em;
    }
    [part='composer'] {
      display: flex;
      gap: var(--_space);
      align-items: flex-end;
    }
    [part='input'] {
      flex: 1;
      min-width: 0;
      resize: vertical;
      font: inherit;
      color: var(--_text);
      background: var(--_bg);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      padding: calc(var(--_space) / 2) var(--_space);
    }
    [part='send-button'] {
      font: inherit;
      color: var(--_on-accent);
      background: var(--_accent);
      border: 0;
      border-radius: var(--_radius);
      padding: calc(var(--_space) / 2) calc(var(--_space) * 1.5);
      cursor: pointer;
    }
    [part='send-button']:disabled {
      opacity: 0.5;
      cursor: not-allowed;
    }
    [part~='attach-button'],
    [part~='file-button'] {
      font: inherit;
      color: var(--_text);
      background: var(--_bg);
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      padding: calc(var(--_space) / 2) var(--_space);
      cursor: pointer;
    }
    [part~='attach-button']:disabled {
      opacity: 0.5;
      cursor: not-allowed;
    }
    [part~='file-name'] {
      font-weight: 600;
      overflow-wrap: anywhere;
    }
    [part~='file-size'],
    [part~='file-status'] {
      color: var(--_muted);
      font-size: 0.85em;
    }
    [part~='file-progress'] {
      display: block;
      width: 100%;
      accent-color: var(--_accent);
    }
    [part~='file-download'] {
      color: var(--_accent);
    }
    [part='base'] {
      position: relative;
    }
    [part='drop-zone'] {
      position: absolute;
      inset: 0;
      margin: 0;
      display: grid;
      place-items: center;
      border: 2px dashed var(--_accent);
      border-radius: var(--_radius);
      background: color-mix(in srgb, var(--_bg) 85%, transparent);
      color: var(--_text);
      pointer-events: none;
    }
    [part='drop-zone'][hidden] {
      display: none;
    }
    .visually-hidden {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
      white-space: nowrap;
    }
  `,
];
