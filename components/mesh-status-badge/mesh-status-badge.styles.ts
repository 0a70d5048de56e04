import { css } from 'lit';
import { tokens } from '../shared/tokens.js';

export const styles = [
  tokens,
  css`
    :host {
      display: inline-block;
      --mesh-badge-color: var(--_muted);
    }
    :host([state='connected']) {
      --mesh-badge-color: var(--mesh-badge-color-connected, var(--_success));
    }
    :host([state='connecting']),
    :host([state='reconnecting']) {
      --mesh-badge-color: var(--mesh-badge-color-reconnecting, var(--_warning));
    }
    :host([state='failed']) {
      --mesh-badge-color: var(--mesh-badge-color-failed, var(--_danger));
    }
    [part='base'] {
      display: inline-flex;
      align-items: center;
      gap: calc(var(--_space) * 0.75);
      padding: calc(var(--_space) / 2) var(--_space);
      border: 1px solid var(--_border);
      border-radius: 999px;
      font: var(--_font);
      font-size: 0.9em;
      color: var(--_text);
      background: var(--_bg);
    }
    [part='dot'] {
      width: 0.7em;
      height: 0.7em;
      border-radius: 50%;
      background: var(--mesh-badge-color);
      flex: none;
    }
    :host([state='reconnecting']) [part='dot'],
    :host([state='connecting']) [part='dot'] {
      animation: pulse 1s ease-in-out infinite alternate;
    }
    @media (prefers-reduced-motion: reduce) {
      [part='dot'] {
        animation: none !important;
      }
    }
    @keyframes pulse {
      to {
        opacity: 0.35;
      }
    }
    [part='label'] {
      font-weight: 600;
    }
    [part='details'] {
      color: var(--_muted);
      font-variant-numeric: tabular-nums;
    }
  `,
];
