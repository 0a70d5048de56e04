import { css } from 'lit';

/**
 * Design tokens shared by every element: set any `--mesh-*` property on the page (or on an
 * element) to restyle all of them. Light by default, dark when the user prefers it.
 */
export const tokens = css`
  :host {
    --_font: var(--mesh-font, inherit);
    --_text: var(--mesh-color-text, #1f2328);
    --_muted: var(--mesh-color-muted, #59636e);
    --_bg: var(--mesh-color-bg, #ffffff);
    --_surface: var(--mesh-color-surface, #f6f8fa);
    --_border: var(--mesh-color-border, #d1d9e0);
    --_accent: var(--mesh-color-accent, #0969da);
    --_on-accent: var(--mesh-color-on-accent, #ffffff);
    --_success: var(--mesh-color-success, #1a7f37);
    --_warning: var(--mesh-color-warning, #9a6700);
    --_danger: var(--mesh-color-danger, #cf222e);
    --_radius: var(--mesh-radius, 8px);
    --_space: var(--mesh-space, 8px);
    --_focus: var(--mesh-color-focus, #0969da);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_text: var(--mesh-color-text, #e6edf3);
      --_muted: var(--mesh-color-muted, #9198a1);
      --_bg: var(--mesh-color-bg, #0d1117);
      --_surface: var(--mesh-color-surface, #151b23);
      --_border: var(--mesh-color-border, #3d444d);
      --_accent: var(--mesh-color-accent, #4493f8);
      --_on-accent: var(--mesh-color-on-accent, #0d1117);
      --_success: var(--mesh-color-success, #3fb950);
      --_warning: var(--mesh-color-warning, #d29922);
      --_danger: var(--mesh-color-danger, #f85149);
      --_focus: var(--mesh-color-focus, #4493f8);
    }
  }
  :focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  [hidden] {
    display: none !important;
  }
`;
