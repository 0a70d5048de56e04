import { css } from 'lit';
import { tokens } from '../shared/tokens.js';

export const styles = [
  tokens,
  css`
    :host {
      display: block;
      --mesh-tile-bg: #111418;
    }
    [part='grid'] {
      list-style: none;
      margin: 0;
      padding: 0;
      display: grid;
      gap: var(--_space);
      grid-template-columns: 1fr;
    }
    [part='grid'][data-count='2'],
    [part='grid'][data-count='3'],
    [part='grid'][data-count='4'] {
      grid-template-columns: repeat(2, minmax(0, 1fr));
    }
    [part='grid'][data-count='5'],
    [part='grid'][data-count='6'],
    [part='grid'][data-count='7'],
    [part='grid'][data-count='8'],
    [part='grid'][data-count='9'] {
      grid-template-columns: repeat(3, minmax(0, 1fr));
    }
    [part='grid'][data-many] {
      grid-template-columns: repeat(4, minmax(0, 1fr));
    }
    [part~='tile'][data-speaking] {
      outline: 3px solid var(--_accent);
      outline-offset: -3px;
    }
    [part='pager'] {
      display: flex;
      align-items: center;
      justify-content: center;
      gap: var(--_space);
      margin-top: var(--_space);
    }
    [part='page-button'] {
      min-width: 44px;
      min-height: 44px;
      font: inherit;
    }
    @media (max-width: 480px) {
      [part='grid'][data-count] {
        grid-template-columns: repeat(2, minmax(0, 1fr));
      }
    }
    [part~='tile'] {
      position: relative;
      aspect-ratio: 16 / 9;
      overflow: hidden;
      border-radius: var(--_radius);
      background: var(--mesh-tile-bg);
      color: #fff;
      margin: 0;
    }
    [part~='tile'][data-quality='poor'] {
      outline: 2px solid var(--_danger);
    }
    [part='video'] {
      width: 100%;
      height: 100%;
      object-fit: cover;
      display: block;
    }
    [part~='self'] [part='video'] {
      transform: scaleX(-1);
    }
    [part~='self'][data-screen] [part='video'] {
      transform: none;
      object-fit: contain;
    }
    [part='placeholder'] {
      position: absolute;
      inset: 0;
      display: grid;
      place-items: center;
      font-size: clamp(1.5rem, 6vw, 3rem);
      font-weight: 600;
    }
    [part='caption'] {
      position: absolute;
      left: calc(var(--_space) / 2);
      bottom: calc(var(--_space) / 2);
      right: calc(var(--_space) / 2);
      display: flex;
      gap: calc(var(--_space) / 2);
      align-items: center;
      font: var(--_font);
      font-size: 0.85em;
      pointer-events: none;
    }
    [part='caption'] > span {
      background: rgb(0 0 0 / 0.6);
      padding: 2px 6px;
      border-radius: 4px;
      max-width: 100%;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      unicode-bidi: isolate;
    }
    [part='indicator'][data-quality='poor'] {
      background: var(--_danger);
    }
    [part='indicator'][data-quality='fair'] {
      background: var(--_warning);
    }
    [part='sound-prompt'] {
      margin-top: var(--_space);
      font: inherit;
      padding: calc(var(--_space) / 2) var(--_space);
      border-radius: var(--_radius);
      border: 1px solid var(--_border);
      background: var(--_surface);
      color: var(--_text);
      cursor: pointer;
    }
  `,
];
