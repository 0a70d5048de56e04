import { css } from 'lit';
import { tokens } from '../shared/tokens.js';

export const styles = [
  tokens,
  css`
      :host {
        display: block;
      }
      [part='controls'] {
        display: flex;
        flex-wrap: wrap;
        gap: var(--_space);
        justify-content: center;
        font: var(--_font);
      }
      button {
        font: inherit;
        padding: calc(var(--_space) / 2) calc(var(--_space) * 1.5);
        border-radius: 999px;
        border: 1px solid var(--_border);
        background: var(--_surface);
        color: var(--_text);
        cursor: pointer;
      }
      button[aria-pressed='true'] {
        background: var(--_text);
        color: var(--_bg);
      }
      button:disabled {
        opacity: 0.5;
        cursor: not-allowed;
      }
      [part='leave-button'] {
        background: var(--_danger);
        border-color: var(--_danger);
        color: #fff;
      }
    `,
];
