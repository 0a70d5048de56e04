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
  `,
];
