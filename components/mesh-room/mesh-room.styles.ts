import { css } from 'lit';
import { tokens } from '../shared/tokens.js';

export const styles = [
  tokens,
  css`
    :host {
      display: block;
    }
    [part='base'] {
      display: flex;
      flex-direction: column;
      gap: var(--_space);
      font: var(--_font);
      color: var(--_text);
    }
    [part='join-form'] {
      display: flex;
      flex-wrap: wrap;
      gap: var(--_space);
      align-items: end;
    }
    [part='name-label'] {
      display: grid;
      gap: calc(var(--_space) / 2);
    }
    [part='name-input'],
    [part='join-button'] {
      font: inherit;
      padding: calc(var(--_space) / 2) var(--_space);
      border-radius: var(--_radius);
      border: 1px solid var(--_border);
      color: var(--_text);
      background: var(--_bg);
    }
    [part='join-button'] {
      color: var(--_on-accent);
      background: var(--_accent);
      border-color: var(--_accent);
      cursor: pointer;
    }
    [part='leave-button'] {
      justify-self: center;
      font: inherit;
      padding: calc(var(--_space) / 2) calc(var(--_space) * 1.5);
      border-radius: 999px;
      border: 1px solid var(--_danger);
      background: var(--_danger);
      color: #fff;
      cursor: pointer;
    }
    [part='media-error'] {
      margin: 0;
      padding: var(--_space) calc(var(--_space) * 1.5);
      border: 1px solid var(--_warning);
      border-radius: var(--_radius);
      color: var(--_text);
      background: var(--_surface);
    }
    [part='error'] {
      margin: 0;
      padding: var(--_space) calc(var(--_space) * 1.5);
      border: 1px solid var(--_danger);
      border-radius: var(--_radius);
      color: var(--_danger);
      background: var(--_bg);
      overflow-wrap: anywhere;
    }
    [part='recording'] {
      margin: 0;
      padding: calc(var(--_space) / 2) var(--_space);
      border-radius: var(--_radius);
      color: #fff;
      background: var(--_danger);
      overflow-wrap: anywhere;
    }
    [part='recording-download'] {
      color: var(--_accent);
    }
  `,
];
